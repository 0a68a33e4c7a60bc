import type { FilterQuery } from '@mikro-orm/core';
import { ImportKind, ImportMode, ImportProblemSeverity, ImportState } from '@wanjia/shared';
import type { Actor, Caller } from '../../core/caller';
import { isAdmin } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { BadUserInputError, ConflictError, ForbiddenError, parseId } from '../../core/errors';
import { decodeCursor, encodeCursor, pageSize, paginateById, type Connection, type PageArgs } from '../../core/pagination';
import { assertAllowed } from '../../core/policy';
import { UserAccount } from '../accounts/user-account.entity';
import { recordAudit } from '../audit/audit.service';
import { Region } from '../regions/region.entity';
import { DataImport, DataImportProblem, DataImportRow, ImportRowVerdict, type ImportFileFormat } from './data-import.entity';
import type { ImportEngine } from './import-engine';
import type { AcceptImportWarningsInput, DataImportFilter } from './imports.inputs';
import { importPolicy } from './imports.policy';
import type { DataImportCounts, ImportTemplate } from './imports.types';

export interface ProblemFilter {
  severity?: ImportProblemSeverity | null;
  unacceptedOnly?: boolean | null;
}

export interface NewImport {
  kind: ImportKind;
  mode: ImportMode;
  fileName: string;
  fileHash: string;
  fileFormat: ImportFileFormat;
  csvEncoding: string | null;
}

/** The import the caller may manage, or FORBIDDEN (the same answer as for one that does not exist). */
async function manageable(em: Em, actor: Actor, id: number): Promise<DataImport> {
  const found = await em.findOne(DataImport, { $and: [{ id }, importPolicy.scope(actor)] });
  if (!found || !importPolicy.mayManage(actor, found)) throw new ForbiddenError();
  return found;
}

export const importsService = {
  manageable,

  /** Registers an upload (its file already stored by the route): the dry run starts after this answers. */
  async create(em: Em, caller: Caller, input: NewImport): Promise<DataImport> {
    const { actor } = caller;
    assertAllowed(importPolicy.mayImport(actor), 'only administrators import');
    if (!isAdmin(actor)) throw new ForbiddenError();
    return em.transactional(async (tx) => {
      const dataImport = tx.create(DataImport, {
        ...input,
        state: ImportState.UPLOADED,
        createdBy: tx.getReference(UserAccount, actor.accountId),
        scopeRegion: tx.getReference(Region, actor.scopeRegionId),
        scopePath: actor.scopePath,
      });
      await tx.flush();
      recordAudit(tx, caller, {
        operation: 'uploadImport',
        entityName: 'DataImport',
        entityId: dataImport.id,
        regionPath: actor.scopePath,
        changes: { kind: input.kind, mode: input.mode, fileName: input.fileName, fileHash: input.fileHash, format: input.fileFormat },
      });
      return dataImport;
    });
  },

  async get(em: Em, actor: Actor, id: string): Promise<DataImport> {
    assertAllowed(importPolicy.mayImport(actor));
    return manageable(em, actor, parseId(id, 'id'));
  },

  async list(em: Em, actor: Actor, filter: DataImportFilter | undefined, page: PageArgs): Promise<Connection<DataImport>> {
    assertAllowed(importPolicy.mayImport(actor));
    const conditions: FilterQuery<DataImport>[] = [importPolicy.scope(actor)];
    if (filter?.kind) conditions.push({ kind: filter.kind });
    if (filter?.state) conditions.push({ state: filter.state });
    return paginateById(em, DataImport, { $and: conditions }, page, { direction: 'desc' });
  },

  counts(dataImport: DataImport): DataImportCounts {
    return {
      rows: dataImport.rowsTotal ?? 0,
      ready: dataImport.readyCount,
      warnings: dataImport.warningCount,
      accepted: dataImport.acceptedCount,
      refused: dataImport.refusedCount,
      created: dataImport.createdCount,
      updated: dataImport.updatedCount,
      unchanged: dataImport.unchangedCount,
    };
  },

  /** The import's problems in row order (keyset on row number and id: the (import, row, id) index). */
  async problems(em: Em, dataImport: DataImport, filter: ProblemFilter, page: PageArgs): Promise<Connection<DataImportProblem>> {
    const conditions: FilterQuery<DataImportProblem>[] = [{ dataImport: dataImport.id }];
    if (filter.severity) conditions.push({ severity: filter.severity });
    if (filter.unacceptedOnly) conditions.push({ accepted: false });
    const where = { $and: conditions };
    const size = pageSize(page);
    let pageWhere: FilterQuery<DataImportProblem> = where;
    if (page.after) {
      const [rowNumber, id] = decodeCursor(page.after, 2).map(Number) as [number, number];
      pageWhere = { $and: [...conditions, { $or: [{ rowNumber: { $gt: rowNumber } }, { rowNumber, id: { $gt: id } }] }] };
    }
    const rows = await em.find(DataImportProblem, pageWhere, { orderBy: { rowNumber: 'asc', id: 'asc' }, limit: size + 1 });
    const nodes = rows.slice(0, size);
    const last = nodes[nodes.length - 1];
    return {
      nodes,
      totalCount: await em.count(DataImportProblem, where),
      pageInfo: { hasNextPage: rows.length > size, endCursor: last ? encodeCursor([last.rowNumber, last.id]) : null },
    };
  },

  /** Accepts warnings of the listed rows (or all); a listed row with an error is refused, and nothing is accepted. */
  async acceptWarnings(em: Em, caller: Caller, input: AcceptImportWarningsInput): Promise<DataImport> {
    const dataImport = await manageable(em, caller.actor, parseId(input.importId, 'input.importId'));
    if (dataImport.state !== ImportState.CHECKED) throw new ConflictError(`the import is ${dataImport.state}: warnings are accepted once it is CHECKED`);
    const rowNumbers = input.all ? null : [...new Set(input.rowNumbers ?? [])];
    if (rowNumbers !== null && rowNumbers.length === 0)
      throw new BadUserInputError('input.rowNumbers', 'give the rows whose warnings you accept, or all: true');
    return em.transactional(async (tx) => {
      if (rowNumbers) {
        const rows = await tx.find(DataImportRow, { dataImport: dataImport.id, rowNumber: { $in: rowNumbers } }, { fields: ['rowNumber', 'verdict'] });
        // A refused row is named by its place in the list as sent (input.rowNumbers.<index>, the field convention).
        const listed = input.rowNumbers ?? [];
        const verdicts = new Map(rows.map((row) => [row.rowNumber, row.verdict]));
        const missingAt = listed.findIndex((number) => !verdicts.has(number));
        if (missingAt >= 0) throw new BadUserInputError(`input.rowNumbers.${missingAt}`, `row ${listed[missingAt]} is not a data row of this import`);
        const failingAt = listed.findIndex((number) => verdicts.get(number) === ImportRowVerdict.ERROR);
        if (failingAt >= 0)
          throw new BadUserInputError(
            `input.rowNumbers.${failingAt}`,
            `row ${listed[failingAt]} has errors, which cannot be accepted: fix the file and upload it again`,
          );
      }
      const rowFilter = rowNumbers ? { rowNumber: { $in: rowNumbers } } : {};
      const accepted = await tx.nativeUpdate(DataImportRow, { dataImport: dataImport.id, verdict: ImportRowVerdict.WARNING, ...rowFilter }, { accepted: true });
      await tx.nativeUpdate(DataImportProblem, { dataImport: dataImport.id, severity: ImportProblemSeverity.WARNING, ...rowFilter }, { accepted: true });
      const count = await tx.count(DataImportRow, { dataImport: dataImport.id, verdict: ImportRowVerdict.WARNING, accepted: true });
      await tx.nativeUpdate(DataImport, { id: dataImport.id }, { acceptedCount: count });
      recordAudit(tx, caller, {
        operation: 'acceptImportWarnings',
        entityName: 'DataImport',
        entityId: dataImport.id,
        regionPath: dataImport.scopePath,
        changes: { rows: accepted, all: Boolean(input.all), rowNumbers: rowNumbers?.slice(0, 100) ?? null },
      });
      await tx.flush();
      await tx.refresh(dataImport);
      return dataImport;
    });
  },

  /**
   * Starts (or resumes) writing a checked import: the lease is taken here, the batches run in the
   * background (rowsDone reports progress). A commit under way is answered as it is; a commit whose
   * holder died is resumed.
   */
  async commit(em: Em, caller: Caller, engine: ImportEngine, importId: string): Promise<DataImport> {
    const dataImport = await manageable(em, caller.actor, parseId(importId, 'input.importId'));
    if (dataImport.state !== ImportState.CHECKED && dataImport.state !== ImportState.COMMITTING) {
      throw new ConflictError(`the import is ${dataImport.state}: only a CHECKED import is committed`);
    }
    if (await engine.takeLease(dataImport.id, [ImportState.CHECKED, ImportState.COMMITTING], ImportState.COMMITTING)) {
      await em.fork().transactional(async (tx) => {
        recordAudit(tx, caller, {
          operation: 'startImportCommit',
          entityName: 'DataImport',
          entityId: dataImport.id,
          regionPath: dataImport.scopePath,
          changes: { resumed: dataImport.state === ImportState.COMMITTING, fileHash: dataImport.fileHash },
        });
      });
      engine.startInBackground(dataImport.id, 'commit', true);
    }
    await em.refresh(dataImport);
    return dataImport;
  },

  /** Cancels an import not yet being written; what a commit wrote stays (history, not deletes). */
  async cancel(em: Em, caller: Caller, importId: string): Promise<DataImport> {
    const dataImport = await manageable(em, caller.actor, parseId(importId, 'input.importId'));
    const cancellable = [ImportState.UPLOADED, ImportState.CHECKING, ImportState.CHECKED, ImportState.FAILED];
    return em.transactional(async (tx) => {
      const changed = await tx.nativeUpdate(
        DataImport,
        { id: dataImport.id, state: { $in: cancellable }, committedAt: null, createdCount: 0, updatedCount: 0 },
        { state: ImportState.CANCELLED, leaseOwner: null, leaseUntil: null },
      );
      if (changed === 0) throw new ConflictError(`the import is ${dataImport.state}: only an import that has written nothing is cancelled`);
      recordAudit(tx, caller, {
        operation: 'cancelImport',
        entityName: 'DataImport',
        entityId: dataImport.id,
        regionPath: dataImport.scopePath,
        changes: { from: dataImport.state },
      });
      await tx.flush();
      await tx.refresh(dataImport);
      return dataImport;
    });
  },

  templates(engine: ImportEngine): ImportTemplate[] {
    return Object.values(ImportKind).flatMap((kind) => {
      const definition = engine.kindOf(kind);
      if (!definition) return [];
      return [
        {
          kind,
          title: definition.title,
          supportsUpdate: definition.supportsUpdate,
          xlsxPath: `/imports/templates/${kind}.xlsx`,
          columns: definition.columns.map((column) => ({
            key: column.key,
            header: column.header,
            aliases: [...(column.aliases ?? [])],
            required: column.required,
            example: column.example,
            choices: [...(column.choices ?? [])],
            hint: column.hint ?? null,
          })),
        },
      ];
    });
  },
};
