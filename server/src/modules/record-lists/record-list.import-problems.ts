import { INTAKE_LABELS_ZH } from '@wanjia/shared';
import type { Caller } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { importProblemRecords, type ImportProblemRecord } from '../imports/import-problems.export';
import { RECORD_LIST_PAGE_ROWS, type Cell, type RecordSheet } from './record-list.sources';

/** The imports module's export of an import's problems (scope checked inside; `elsewhere` already null unless the caller is a city administrator). */
export type ImportProblemRecords = (em: Em, caller: Caller, importId: number) => AsyncIterable<ImportProblemRecord>;

/** Groups an async sequence into pages of RECORD_LIST_PAGE_ROWS, so the writer waits on the response per page. */
async function* inPages<T>(items: AsyncIterable<T>, toRow: (item: T) => Cell[]): AsyncGenerator<Cell[][]> {
  let page: Cell[][] = [];
  for await (const item of items) {
    page.push(toRow(item));
    if (page.length === RECORD_LIST_PAGE_ROWS) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

/**
 * 导入问题清单: an import's problems as DataImport.problems answers them (row, the column as the file has
 * it, severity, code, the Chinese message, whether accepted, and where a duplicate elsewhere is, for the
 * city's administrators only).
 */
export function importProblemsSheet(records: ImportProblemRecords, em: Em, caller: Caller, importId: number): RecordSheet {
  return {
    headers: ['行号', '列', '类别', '问题代码', '问题', '已接受', '其他地区登记情况'],
    pages: inPages(records(em, caller, importId), (problem) => [
      problem.rowNumber,
      problem.column,
      INTAKE_LABELS_ZH.ImportProblemSeverity[problem.severity] ?? problem.severity,
      problem.code,
      problem.message,
      problem.accepted ? '是' : '否',
      problem.elsewhere,
    ]),
  };
}

/** The source the resolver and the route read an import's problems from: the imports module's own export. */
export const IMPORT_PROBLEM_RECORDS: ImportProblemRecords = importProblemRecords;
