import { ImportKind, ImportMode, ImportProblemSeverity, ImportState } from '@wanjia/shared';
import type { Orm } from '../../../src/db/orm';
import { UserAccount } from '../../../src/modules/accounts/user-account.entity';
import { DataImport, DataImportProblem, DataImportRow, ImportRowVerdict } from '../../../src/modules/imports/data-import.entity';
import { Region } from '../../../src/modules/regions/region.entity';
import { ADMINS, forbidden, type Ctx, type Data, type Entry, type VarsOf } from './cases';
import type { Side } from './fixtures';

/**
 * The authorization matrix's entries for issue 16's imports operations. A function, not constants: cases.ts
 * calls it while it builds QUERIES and MUTATIONS, after its own helpers (forbidden, empty…) exist.
 *
 * Imports are administrators' only (analysts and cadres FORBIDDEN), each reachable by the administrators
 * whose scope holds the import's: 平山区's administrator is FORBIDDEN 溪湖区's imports.
 */

/** The fixtures' database (MatrixFixtures keeps its ORM to itself; bulk-runs' entries read it the same way). */
function ormOf(ctx: Ctx): Orm {
  return (ctx.fx as unknown as { orm: Orm }).orm;
}

/**
 * A fresh CHECKED import of the side's district, with one data row carrying a warning (so that its
 * warnings can be accepted) and no file (a commit of it writes nothing and ends COMMITTED).
 */
async function checkedImport(ctx: Ctx, side: Side): Promise<string> {
  const em = ormOf(ctx).em.fork();
  const district = await em.findOneOrFail(Region, Number(side === 'inside' ? ctx.seeded.pingshanId : ctx.seeded.xihuId));
  const uploader = await em.findOneOrFail(UserAccount, { username: 'admin' });
  const dataImport = em.create(DataImport, {
    kind: ImportKind.HOUSEHOLDS,
    mode: ImportMode.CREATE_ONLY,
    state: ImportState.CHECKED,
    fileName: `${ctx.fx.unique('矩阵导入')}.xlsx`,
    fileHash: '0'.repeat(64),
    fileFormat: 'xlsx',
    createdBy: uploader,
    scopeRegion: district,
    scopePath: district.path,
    layout: JSON.stringify({ headerRow: 1, headers: ['户主姓名'], columns: { headName: 0 } }),
    rowsTotal: 1,
    warningCount: 1,
    checkedAt: new Date(),
  });
  await em.flush();
  em.create(DataImportRow, { dataImport, rowNumber: 2, groupKey: 'row:2', contentHash: ctx.fx.unique('matrix-hash-'), verdict: ImportRowVerdict.WARNING });
  em.create(DataImportProblem, {
    dataImport,
    rowNumber: 2,
    column: '地址',
    severity: ImportProblemSeverity.WARNING,
    code: 'LIKELY_DUPLICATE',
    message: '疑似重复',
  });
  await em.flush();
  return String(dataImport.id);
}

const importVars =
  (side: Side): VarsOf =>
  async (ctx) => ({ id: await checkedImport(ctx, side) });
const inputVars =
  (side: Side, extra: Data = {}): VarsOf =>
  async (ctx) => ({ input: { importId: await checkedImport(ctx, side), ...extra } });

/** Each import's scope path, read from the database (the API does not expose it). */
async function importPaths(nodes: Data[], ctx: Ctx): Promise<string[]> {
  const rows = await ormOf(ctx)
    .em.fork()
    .find(DataImport, { id: { $in: nodes.map((node) => Number(node.id)) } }, { fields: ['scopePath'] });
  return nodes.map((node) => rows.find((row) => row.id === Number(node.id))!.scopePath);
}

export function importsCases(): { queries: Record<string, Entry>; mutations: Record<string, Entry> } {
  return {
    queries: {
      dataImport: {
        who: ADMINS,
        text: 'query ($id: ID!) { dataImport(id: $id) { id state counts { rows warnings } problems(first: 10) { totalCount nodes { rowNumber column code elsewhere } } } }',
        vars: importVars('inside'),
        outside: [forbidden("an import of 溪湖区's", importVars('outside'))],
        check: ({ dataImport }) => expect(dataImport.problems.nodes[0]).toMatchObject({ rowNumber: 2, column: '地址', code: 'LIKELY_DUPLICATE' }),
      },
      dataImports: {
        who: ADMINS,
        text: 'query ($filter: DataImportFilter) { dataImports(first: 100, filter: $filter) { totalCount nodes { id state } } }',
        paths: importPaths,
      },
      importTemplates: {
        who: ADMINS,
        unscoped: true,
        text: '{ importTemplates { kind title supportsUpdate xlsxPath columns { key header required choices } } }',
        check: ({ importTemplates }) => expect(importTemplates.map((template: Data) => template.kind)).toContain('HOUSEHOLDS'),
      },
    },
    mutations: {
      acceptImportWarnings: {
        who: ADMINS,
        text: 'mutation ($input: AcceptImportWarningsInput!) { acceptImportWarnings(input: $input) { id counts { accepted } } }',
        vars: inputVars('inside', { all: true }),
        check: ({ acceptImportWarnings }) => expect(acceptImportWarnings.counts.accepted).toBe(1),
        outside: [forbidden("an import of 溪湖区's", inputVars('outside', { all: true }))],
      },
      commitImport: {
        who: ADMINS,
        text: 'mutation ($input: CommitImportInput!) { commitImport(input: $input) { id state } }',
        vars: inputVars('inside'),
        check: ({ commitImport }) => expect(['COMMITTING', 'COMMITTED']).toContain(commitImport.state),
        outside: [forbidden("an import of 溪湖区's", inputVars('outside'))],
      },
      cancelImport: {
        who: ADMINS,
        text: 'mutation ($input: CancelImportInput!) { cancelImport(input: $input) { id state } }',
        vars: inputVars('inside'),
        check: ({ cancelImport }) => expect(cancelImport.state).toBe('CANCELLED'),
        outside: [forbidden("an import of 溪湖区's", inputVars('outside'))],
      },
    },
  };
}
