import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImportState, Role } from '@wanjia/shared';
import type { DatabaseConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { AuditEntry } from '../src/modules/audit/audit-entry.entity';
import { Household } from '../src/modules/households/household.entity';
import { Resident } from '../src/modules/households/resident.entity';
import { DataImport, DataImportRow, ImportRowOutcome } from '../src/modules/imports/data-import.entity';
import { IMPORT_BATCH_ROWS, importEngineOf, SimulatedCrash } from '../src/modules/imports/import-engine';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { createAccount, createRegionTree, tokenFor, validIdNumber, type RegionTree } from './support/factories';
import { checkedImport, committedImport, settledImport, uploadImport, xlsxOf, type Sheet } from './support/imports';
import { startApp, type RunningApp } from './support/server';

/**
 * A commit killed half way and resumed (issue 16): each batch is one transaction that writes its rows
 * and marks them done, so the resumed commit goes on from the first row not marked, and every row is
 * written once. A dry run killed half way starts over when its lease lapses.
 */

const HEADER = ['户主姓名', '地址', '所在村(社区)', '帮扶类别', '姓名', '与户主关系', '身份证号'];

/** `count` one-person households with distinct ID numbers (birth dates a day apart). */
function households(count: number, tag: string): Sheet {
  const rows: Sheet = [HEADER];
  for (let index = 0; index < count; index += 1) {
    const day = new Date(Date.UTC(1940, 0, 1) + index * 86_400_000).toISOString().slice(0, 10);
    const id = validIdNumber(tag === 'a' ? '210502' : '210521', day);
    rows.push([`${tag}户${index}`, `${tag}街${index}号`, '210502001001', '困难家庭', `${tag}户${index}`, '户主', id]);
  }
  return rows;
}

describe.each(databaseKinds())('import commit resumed on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let tree: RegionTree;
  let importDir: string;
  let headers: Record<string, string>;

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'imports_commit'));
    tree = await createRegionTree(orm.em.fork());
    importDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-imports-commit-'));
    server = await startApp(orm, database, (config) => ({ ...config, imports: { ...config.imports, dir: importDir } }));
    const admin = await createAccount(orm.em.fork(), { role: Role.ADMIN, scopeRegion: tree.pingshan });
    headers = { authorization: `Bearer ${await tokenFor(admin, server)}` };
  });

  afterAll(async () => {
    await importEngineOf(server.config).idle();
    await server.close();
    await orm.close(true);
    await dropScratchDatabase(database);
    fs.rmSync(importDir, { recursive: true, force: true });
  });

  it('finishes a commit killed after its first batch, with no row written twice and none missing', async () => {
    const total = IMPORT_BATCH_ROWS * 2 + 37;
    const checked = await checkedImport(server, headers, 'HOUSEHOLDS', await xlsxOf(households(total, 'a')));
    expect(checked.counts).toMatchObject({ rows: total, ready: total });
    const engine = importEngineOf(server.config);
    // The process "dies" right after the first batch committed: its lease is left held.
    await expect(
      engine.commit(Number(checked.id), {
        afterBatch: (batch) => {
          if (batch === 1) throw new SimulatedCrash('killed');
        },
      }),
    ).rejects.toBeInstanceOf(SimulatedCrash);
    const em = orm.em.fork();
    const half = await em.findOneOrFail(DataImport, Number(checked.id));
    expect(half.state).toBe(ImportState.COMMITTING);
    const writtenBefore = await em.count(Household, { headName: { $like: 'a户%' } });
    expect(writtenBefore).toBeGreaterThanOrEqual(IMPORT_BATCH_ROWS);
    expect(writtenBefore).toBeLessThan(total);
    expect(await em.count(DataImportRow, { dataImport: half.id, outcome: { $ne: null } })).toBe(writtenBefore);

    // A commitImport while the dead holder's lease is still live changes nothing.
    const meanwhile = await server.graphql<{ commitImport: { state: string } }>(
      'mutation ($input: CommitImportInput!) { commitImport(input: $input) { state } }',
      { input: { importId: checked.id } },
      headers,
    );
    expect(meanwhile.data?.commitImport.state).toBe('COMMITTING');
    await engine.idle();
    expect(await orm.em.fork().count(Household, { headName: { $like: 'a户%' } })).toBe(writtenBefore);

    // The lease lapses; commitImport again resumes from the first row not marked done.
    await orm.em.fork().nativeUpdate(DataImport, { id: half.id }, { leaseUntil: new Date(Date.now() - 1000) });
    const done = await committedImport(server, headers, checked.id);
    expect(done).toMatchObject({ state: 'COMMITTED', counts: { created: total, refused: 0 } });
    const after = orm.em.fork();
    expect(await after.count(Household, { headName: { $like: 'a户%' } })).toBe(total);
    const residents = await after.find(Resident, { household: { headName: { $like: 'a户%' } } }, { fields: ['idNumber'] });
    expect(new Set(residents.map((resident) => resident.idNumber)).size).toBe(total);
    expect(await after.count(DataImportRow, { dataImport: half.id, outcome: ImportRowOutcome.CREATED })).toBe(total);
    expect(await after.count(AuditEntry, { operation: 'commitImport', entityId: checked.id })).toBe(1);
  });

  it('starts a dry run killed half way over when the scheduler finds its lease lapsed', async () => {
    const uploaded = await uploadImport(server, headers, 'HOUSEHOLDS', await xlsxOf(households(30, 'b')));
    const id = Number(uploaded.body.id);
    const engine = importEngineOf(server.config);
    const first = await settledImport(server, headers, String(id));
    expect(first.state).toBe('CHECKED');
    // As if the instance died while checking: state CHECKING, rows half stored, a lease that lapsed.
    await orm.em
      .fork()
      .nativeUpdate(DataImport, { id }, { state: ImportState.CHECKING, leaseOwner: 'dead-instance', leaseUntil: new Date(Date.now() - 1000), rowsDone: 7 });
    await orm.em.fork().nativeDelete(DataImportRow, { dataImport: id, rowNumber: { $gt: 10 } });
    expect(await engine.resumeLapsed()).toBe(1);
    const resumed = await settledImport(server, headers, String(id));
    expect(resumed).toMatchObject({ state: 'CHECKED', counts: { rows: 30, ready: 30 } });
    expect(await orm.em.fork().count(DataImportRow, { dataImport: id })).toBe(30);
    expect(await orm.em.fork().count(Household, { headName: { $like: 'b户%' } })).toBe(0);
  });

  it('reads every Chinese character of a large sheet intact (exceljs splits characters across its chunks; the import mends it)', async () => {
    const ExcelJS = (await import('exceljs')).default;
    const file = path.join(importDir, 'large.xlsx');
    const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file });
    const sheet = writer.addWorksheet('户');
    sheet.addRow(HEADER).commit();
    const rows = 3000;
    for (let index = 0; index < rows; index += 1) {
      const day = new Date(Date.UTC(1930, 0, 1) + index * 86_400_000).toISOString().slice(0, 10);
      sheet
        .addRow([`帮扶对象${index}`, `东兴社区幸福里${index}号`, '210502001001', '困难家庭', `帮扶对象${index}`, '户主', validIdNumber('210503', day)])
        .commit();
    }
    sheet.commit();
    await writer.commit();
    const checked = await checkedImport(server, headers, 'HOUSEHOLDS', fs.readFileSync(file));
    expect(checked).toMatchObject({ state: 'CHECKED', counts: { rows, ready: rows, refused: 0 } });
  });

  it('writes an accepted likely duplicate within the file even when its twin was written by an earlier batch', async () => {
    const header = ['户编号', ...HEADER];
    const person = (code: string, name: string, address: string, index: number) => {
      const day = new Date(Date.UTC(1941, 0, 1) + index * 86_400_000).toISOString().slice(0, 10);
      return [code, name, address, '210502001001', '困难家庭', name, '户主', validIdNumber('210504', day)];
    };
    // Batches follow the households' keys: A… in the first batch, Z… after the fillers in the next one.
    const rows: Sheet = [header, person('A0000', '双胞户', '双胞路1号', 0)];
    for (let index = 1; index <= IMPORT_BATCH_ROWS; index += 1)
      rows.push(person(`M${String(index).padStart(5, '0')}`, `填充${index}`, `填充路${index}号`, index));
    rows.push(person('Z9999', '双胞户', '双胞路1号', IMPORT_BATCH_ROWS + 1));
    const checked = await checkedImport(server, headers, 'HOUSEHOLDS', await xlsxOf(rows));
    expect(checked.counts).toMatchObject({ warnings: 1, refused: 0 });
    await server.graphql(
      'mutation ($input: AcceptImportWarningsInput!) { acceptImportWarnings(input: $input) { id } }',
      { input: { importId: checked.id, all: true } },
      headers,
    );
    const done = await committedImport(server, headers, checked.id);
    expect(done.counts).toMatchObject({ created: IMPORT_BATCH_ROWS + 2, refused: 0 });
    expect(await orm.em.fork().count(Household, { headName: '双胞户' })).toBe(2);
  });
});
