import type { ImportProblemSeverity } from '@wanjia/shared';
import type { Caller } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { assertAllowed } from '../../core/policy';
import { DataImportProblem } from './data-import.entity';
import { importPolicy } from './imports.policy';
import { importsService } from './imports.service';

/** One problem of an import as the record list 导入问题清单 writes it (record-lists' export). */
export interface ImportProblemRecord {
  rowNumber: number;
  column: string | null;
  severity: ImportProblemSeverity;
  code: string;
  message: string;
  accepted: boolean;
  /** Where a duplicate elsewhere in the city is: for the city's administrators only, else null. */
  elsewhere: string | null;
}

const PAGE = 1000;

/**
 * The import's problems in row order, a page at a time (nothing grows with the import). The caller must
 * manage the import (FORBIDDEN otherwise, as dataImport answers); `elsewhere` is null unless the caller
 * is one of the city's administrators.
 */
export async function* importProblemRecords(em: Em, caller: Caller, importId: number): AsyncIterable<ImportProblemRecord> {
  assertAllowed(importPolicy.mayImport(caller.actor));
  const dataImport = await importsService.manageable(em, caller.actor, importId);
  const seesElsewhere = importPolicy.seesElsewhere(caller.actor);
  let after: { rowNumber: number; id: number } | null = null;
  for (;;) {
    const page: DataImportProblem[] = await em.find(
      DataImportProblem,
      after
        ? { dataImport: dataImport.id, $or: [{ rowNumber: { $gt: after.rowNumber } }, { rowNumber: after.rowNumber, id: { $gt: after.id } }] }
        : { dataImport: dataImport.id },
      { orderBy: { rowNumber: 'asc', id: 'asc' }, limit: PAGE },
    );
    for (const problem of page) {
      yield {
        rowNumber: problem.rowNumber,
        column: problem.column ?? null,
        severity: problem.severity,
        code: problem.code,
        message: problem.message,
        accepted: problem.accepted,
        elsewhere: seesElsewhere ? (problem.cityDetail ?? null) : null,
      };
    }
    if (page.length < PAGE) return;
    const last = page[page.length - 1]!;
    after = { rowNumber: last.rowNumber, id: last.id };
    em.clear();
  }
}
