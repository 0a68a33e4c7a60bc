import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Role } from '@wanjia/shared';
import type { DatabaseConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { DataImport, DataImportRow } from '../src/modules/imports/data-import.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { createAccount, createRegionTree, tokenFor, validIdNumber } from './support/factories';
import { checkedImport, csvOf, uploadImport, xlsxOf, zipOf } from './support/imports';
import { startApp, type RunningApp } from './support/server';

/**
 * Files that are not what an import expects (issue 16): bytes that are no spreadsheet, an empty file, a
 * header alone, a million rows, a zip bomb, merged header cells, a missing required column. Each is
 * refused with a clear Chinese message naming `file` (at upload), or fails the dry run as a whole.
 */

const HEADER = ['户主姓名', '地址', '所在村(社区)', '帮扶类别', '姓名', '与户主关系', '身份证号'];
const ROW = ['甲', '东兴社区1号', '210502001001', '困难家庭', '甲', '户主', validIdNumber('210502', '1970-05-05')];

describe.each(databaseKinds())('hostile import files on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let importDir: string;
  let headers: Record<string, string>;

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'imports_files'));
    const tree = await createRegionTree(orm.em.fork());
    importDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-imports-files-'));
    // 2.1 MB files at most, so a sheet may expand to 84 MB; 1,000 rows.
    server = await startApp(orm, database, (config) => ({ ...config, imports: { ...config.imports, dir: importDir, maxBytes: 2_100_000, maxRows: 1000 } }));
    const admin = await createAccount(orm.em.fork(), { role: Role.ADMIN, scopeRegion: tree.pingshan });
    headers = { authorization: `Bearer ${await tokenFor(admin, server)}` };
  });

  afterAll(async () => {
    await server.close();
    await orm.close(true);
    await dropScratchDatabase(database);
    fs.rmSync(importDir, { recursive: true, force: true });
  });

  const refusal = async (bytes: Buffer, fileName = 'list.xlsx') => {
    const before = await orm.em.fork().count(DataImport, {});
    const answer = await uploadImport(server, headers, 'HOUSEHOLDS', bytes, { fileName });
    // Nothing is kept of a refused upload: no import, no file left behind.
    expect(await orm.em.fork().count(DataImport, {})).toBe(before);
    expect(fs.readdirSync(importDir).filter((name) => name.endsWith('.part'))).toEqual([]);
    return answer;
  };

  it('refuses bytes that are no spreadsheet, an empty file and an old .xls, naming file', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    expect(await refusal(png, 'photo.xlsx')).toMatchObject({
      status: 415,
      body: { error: { code: 'BAD_USER_INPUT', field: 'file', message: '文件不是 .xlsx 或 .csv 表格：请上传导入模板填好后的文件' } },
    });
    expect(await refusal(Buffer.alloc(0))).toMatchObject({ status: 400, body: { error: { field: 'file', message: '文件是空的' } } });
    const xls = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(512)]);
    expect((await refusal(xls, 'old.xls')).body.error).toMatchObject({ field: 'file', message: '这是旧版 .xls 文件：请在 Excel 或 WPS 中另存为 .xlsx 后上传' });
    expect((await refusal(Buffer.from('PK\u0003\u0004 not really a zip'))).body.error).toMatchObject({ field: 'file' });
  });

  it('refuses a file of 1,000,000 rows at upload, naming file, without keeping it', async () => {
    const million = Buffer.from([HEADER.join(','), ...Array.from({ length: 1_000_000 }, () => '1')].join('\n'));
    expect(million.length).toBeLessThan(2_100_000);
    const answer = await refusal(million, 'million.csv');
    expect(answer).toMatchObject({ status: 400, body: { error: { field: 'file', message: '文件超过1000行的上限：请分成几个文件上传' } } });
    // Past the size limit a file is refused for its size, as soon as it passes it.
    expect(await refusal(Buffer.concat([million, million]), 'million.csv')).toMatchObject({ status: 413, body: { error: { field: 'file' } } });
  });

  it('refuses a zip bomb without expanding it, whether it declares its size or lies about it', async () => {
    const huge = Buffer.alloc(100_000_000, 0x20);
    const honest = zipOf([
      { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
      { name: 'xl/worksheets/sheet1.xml', data: huge },
    ]);
    expect(honest.length).toBeLessThan(200_000);
    const message = '文件解压后过大（疑似压缩炸弹），已拒绝：请只保留需要导入的一张工作表';
    expect((await refusal(honest)).body.error).toMatchObject({ field: 'file', message });
    const lying = zipOf([{ name: 'xl/worksheets/sheet1.xml', data: huge, declaredSize: 1000 }]);
    expect((await refusal(lying)).body.error).toMatchObject({ field: 'file', message });
  });

  it('fails the dry run of a header alone, merged header cells and a missing required column, saying which', async () => {
    const headerOnly = await checkedImport(server, headers, 'HOUSEHOLDS', await xlsxOf([HEADER]));
    expect(headerOnly).toMatchObject({ state: 'FAILED', failure: '文件中只有表头，没有数据行' });
    const merged = await checkedImport(server, headers, 'HOUSEHOLDS', await xlsxOf([HEADER, ROW], { merge: 'A1:B1' }));
    expect(merged).toMatchObject({ state: 'FAILED', failure: '表头（第1行）有合并单元格 A1:B1：请取消合并，每列一个表头' });
    const missing = await checkedImport(server, headers, 'HOUSEHOLDS', csvOf([HEADER.slice(0, 4), ROW.slice(0, 4)]), { fileName: 'short.csv' });
    expect(missing).toMatchObject({ state: 'FAILED', failure: '缺少必填列：姓名、与户主关系（表头在第1行）' });
    const none = await checkedImport(
      server,
      headers,
      'HOUSEHOLDS',
      csvOf([
        ['编号', '备注'],
        ['1', '无'],
      ]),
      { fileName: 'other.csv' },
    );
    expect(none.state).toBe('FAILED');
    expect(none.failure).toContain('找不到表头');
    // A title row above the header is fine: the header is found below it.
    const titled = await checkedImport(server, headers, 'HOUSEHOLDS', await xlsxOf([['平山区困难户名单'], HEADER, ROW]));
    expect(titled).toMatchObject({ state: 'CHECKED', counts: { rows: 1, ready: 1 } });
  });

  it('refuses an ID number typed as a number (its last digits lost), naming the row and column', async () => {
    const id = Number(validIdNumber('210502', '1966-06-06').slice(0, 17) + '0');
    const checked = await checkedImport(server, headers, 'HOUSEHOLDS', await xlsxOf([HEADER, [...ROW.slice(0, 6), id]]));
    expect(checked.counts.refused).toBe(1);
    const body = await server.graphql<{ dataImport: { problems: { nodes: { rowNumber: number; column: string; code: string }[] } } }>(
      'query ($id: ID!) { dataImport(id: $id) { problems { nodes { rowNumber column code } } } }',
      { id: checked.id },
      headers,
    );
    expect(body.data?.dataImport.problems.nodes).toEqual([{ rowNumber: 2, column: '身份证号', code: 'NUMBER_LOST_DIGITS' }]);
  });

  it('keeps nothing of a file the dry run refuses as a whole: no stored rows, no kept file', async () => {
    // 1,005 data rows pass the upload's count (a few spare lines for title rows) and fail the dry run's.
    const rows = [
      HEADER,
      ...Array.from({ length: 1005 }, (_, index) => [`超限${index}`, `超限路${index}号`, '210502001001', '困难家庭', `超限${index}`, '户主', '']),
    ];
    const failed = await checkedImport(server, headers, 'HOUSEHOLDS', csvOf(rows), { fileName: 'over.csv' });
    expect(failed).toMatchObject({ state: 'FAILED', failure: '文件超过1000行的上限：请分成几个文件上传' });
    expect(await orm.em.fork().count(DataImportRow, { dataImport: Number(failed.id) })).toBe(0);
    expect(fs.readdirSync(importDir).filter((name) => name.startsWith(`${failed.id}-`))).toEqual([]);
  });
});
