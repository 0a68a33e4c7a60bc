import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Role } from '@wanjia/shared';
import type { DatabaseConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { Resident } from '../src/modules/households/resident.entity';
import { DataImport, DataImportRow } from '../src/modules/imports/data-import.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { createAccount, createRegionTree, tokenFor, validIdNumber } from './support/factories';
import { checkedImport, csvOf, IMPORT_FIELDS, problemsOf, settledImport, uploadImport, zipOf, type ZipPart } from './support/imports';
import { startApp, type RunningApp } from './support/server';

/**
 * The review's findings on the import's intake (issue 16, /work/briefs/review.md items 1-4, 6, 7, 10, 11):
 * zip bombs in parts the pre-scan did not inflate, a body cut off mid-file, CR-only line ends, an HTML
 * page named .xlsx, report paths whose id is no id, and row numbers named by their place in the list.
 */

const HEADER = ['户主姓名', '地址', '所在村(社区)', '帮扶类别', '姓名', '与户主关系', '身份证号'];
const BOMB = '文件解压后过大（疑似压缩炸弹），已拒绝：请只保留需要导入的一张工作表';

const SHEET_OPEN = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
const HEADER_ROW = `<row r="1">${HEADER.map((text, index) => `<c r="${String.fromCharCode(65 + index)}1" t="inlineStr"><is><t>${text}</t></is></c>`).join('')}</row>`;
const HONEST_SHEET: ZipPart = { name: 'xl/worksheets/sheet1.xml', data: Buffer.from(`${SHEET_OPEN}${HEADER_ROW}</sheetData></worksheet>`) };
const WORKBOOK_PARTS: ZipPart[] = [
  { name: '[Content_Types].xml', data: Buffer.from('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>') },
  {
    name: 'xl/workbook.xml',
    data: Buffer.from(
      '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    ),
  },
];

/** 100 MB of spaces: deflates to ~100 KB, expands past the tests' 84 MB inflate budget. */
const SPACES = Buffer.alloc(100_000_000, 0x20);

describe.each(databaseKinds())('import intake hardening on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let importDir: string;
  let headers: Record<string, string>;

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'imports_hardening'));
    const tree = await createRegionTree(orm.em.fork());
    importDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-imports-hardening-'));
    // 2.1 MB files at most (an inflate budget of 84 MB), 1,000 rows.
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

  /** Uploads a file that must be refused, and checks nothing of it is kept: no import, no row, no file. */
  const refusal = async (bytes: Buffer, fileName = 'list.xlsx') => {
    const before = await orm.em.fork().count(DataImport, {});
    const rowsBefore = await orm.em.fork().count(DataImportRow, {});
    const filesBefore = fs.readdirSync(importDir);
    const answer = await uploadImport(server, headers, 'HOUSEHOLDS', bytes, { fileName });
    expect(await orm.em.fork().count(DataImport, {})).toBe(before);
    expect(await orm.em.fork().count(DataImportRow, {})).toBe(rowsBefore);
    expect(fs.readdirSync(importDir)).toEqual(filesBefore);
    return answer;
  };

  it('refuses at upload a bomb in styles.xml that lies about its size (item 1)', async () => {
    const styles: ZipPart = { name: 'xl/styles.xml', data: SPACES, declaredSize: 10_000 };
    const answer = await refusal(zipOf([...WORKBOOK_PARTS, styles, HONEST_SHEET]));
    expect(answer).toMatchObject({ status: 400, body: { error: { code: 'BAD_USER_INPUT', field: 'file', message: BOMB } } });
  });

  it('refuses at upload a lying second sheet stored before sheet1.xml (item 2)', async () => {
    const second: ZipPart = { name: 'xl/worksheets/sheet2.xml', data: SPACES, declaredSize: 10_000 };
    const answer = await refusal(zipOf([...WORKBOOK_PARTS, second, HONEST_SHEET]));
    expect(answer).toMatchObject({ status: 400, body: { error: { field: 'file', message: BOMB } } });
  });

  it('refuses at upload a shared-strings table that is within the inflate budget but far more than a sheet can use (item 3)', async () => {
    // 20 MB of one-letter strings (1.2 million of them): under the 84 MB budget, an honest declared size.
    const item = '<si><t>a</t></si>';
    const strings: ZipPart = {
      name: 'xl/sharedStrings.xml',
      data: Buffer.from(`<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${item.repeat(1_200_000)}</sst>`),
    };
    const answer = await refusal(zipOf([...WORKBOOK_PARTS, strings, HONEST_SHEET]));
    expect(answer).toMatchObject({ status: 400, body: { error: { field: 'file', message: BOMB } } });
  });

  it('answers a multipart body cut off in the middle of the file with 400 naming file, and keeps serving (item 4)', async () => {
    const boundary = '----wanjia-hardening';
    const csv = csvOf([HEADER, ['甲', '东兴社区1号', '210502001001', '困难家庭', '甲', '户主', validIdNumber('210502', '1970-05-05')]]);
    const whole = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nHOUSEHOLDS\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="list.csv"\r\nContent-Type: text/csv\r\n\r\n`),
      csv,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const before = await orm.em.fork().count(DataImport, {});
    const filesBefore = fs.readdirSync(importDir);
    const response = await fetch(`${server.url}/imports`, {
      method: 'POST',
      headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: whole.subarray(0, whole.length - 60),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'BAD_USER_INPUT', field: 'file' } });
    expect(await orm.em.fork().count(DataImport, {})).toBe(before);
    expect(fs.readdirSync(importDir)).toEqual(filesBefore);
    // The process is still there, and still takes a whole upload.
    expect(await checkedImport(server, headers, 'HOUSEHOLDS', csv, { fileName: 'again.csv' })).toMatchObject({ state: 'CHECKED', counts: { rows: 1 } });
  });

  it('counts lone CR line ends: a CSV of 1,000,000 CR-ended rows is refused at upload, nothing stored (item 6)', async () => {
    const million = Buffer.from([HEADER.join(','), ...Array.from({ length: 1_000_000 }, () => '1')].join('\r') + '\r');
    expect(million.length).toBeLessThan(2_100_000);
    const answer = await refusal(million, 'mac.csv');
    expect(answer).toMatchObject({ status: 400, body: { error: { field: 'file', message: '文件超过1000行的上限：请分成几个文件上传' } } });
  });

  it('refuses an HTML page named .xlsx as no spreadsheet: 415 naming file (item 7)', async () => {
    const page = Buffer.from(
      '<!DOCTYPE html><html><head><meta charset="utf-8"><title>排查</title></head><body><table><tr><td>户主姓名</td></tr></table></body></html>',
    );
    const answer = await refusal(page, '排查.xlsx');
    expect(answer).toMatchObject({ status: 415, body: { error: { code: 'BAD_USER_INPUT', field: 'file' } } });
  });

  it('answers a report path whose id is no id with the JSON problem 404 (item 10)', async () => {
    for (const id of ['abc', '-1', '1.5', '99999999999999999999', encodeURIComponent("1' OR '1'='1"), '1e3']) {
      const response = await fetch(`${server.url}/imports/${id}/report.xlsx`, { headers });
      expect({ id, status: response.status, type: response.headers.get('content-type') }).toMatchObject({
        id,
        status: 404,
        type: expect.stringMatching(/json/),
      });
      expect(await response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
    // Still administrators only: no token, no answer of any kind about the path.
    expect((await fetch(`${server.url}/imports/abc/report.xlsx`)).status).toBe(401);
  });

  it('names a refused row by its place in the list: input.rowNumbers.<index> (item 11)', async () => {
    const [first, second, third] = [validIdNumber('210502', '1971-01-01'), validIdNumber('210502', '1972-02-02'), validIdNumber('210502', '1973-03-03')];
    // Rows 2 and 3: two households of one head name at one address, told apart by the head's ID number (a
    // likely duplicate: a warning on row 3). Row 4: a household whose relation is no relation (an error).
    const header = [...HEADER, '户主身份证号'];
    const file = csvOf([
      header,
      ['乙', '东兴社区2号', '210502001001', '困难家庭', '乙', '户主', first, first],
      ['乙', '东兴社区2号', '210502001001', '困难家庭', '乙', '户主', second, second],
      ['丙', '东兴社区3号', '210502001001', '困难家庭', '丙', '邻居', third, third],
    ]);
    const checked = await checkedImport(server, headers, 'HOUSEHOLDS', file, { fileName: 'rows.csv' });
    const problems = await problemsOf(server, headers, checked.id);
    const warned = problems.find((problem) => problem.severity === 'WARNING')!.rowNumber;
    const failing = problems.find((problem) => problem.severity === 'ERROR')!.rowNumber;
    const accept = (rowNumbers: number[]) =>
      server.graphql(
        'mutation ($input: AcceptImportWarningsInput!) { acceptImportWarnings(input: $input) { id } }',
        { input: { importId: checked.id, rowNumbers } },
        headers,
      );
    const fieldOf = async (rowNumbers: number[]) => ((await accept(rowNumbers)).errors?.[0]?.extensions as { field?: string } | undefined)?.field;
    expect(await fieldOf([warned, failing])).toBe('input.rowNumbers.1');
    expect(await fieldOf([failing])).toBe('input.rowNumbers.0');
    expect(await fieldOf([warned, 999_999])).toBe('input.rowNumbers.1');
    expect(await fieldOf([1])).toBe('input.rowNumbers.0');
    // Nothing was accepted by the refused calls.
    expect(problems.filter((problem) => problem.accepted)).toEqual([]);
    expect((await problemsOf(server, headers, checked.id)).filter((problem) => problem.accepted)).toEqual([]);
  });

  it('writes each resident once when two imports of the same file are committed at once (item 8)', async () => {
    const people = Array.from({ length: 30 }, (_, index) => ({
      name: `并发${index}`,
      id: validIdNumber('210502', `1980-01-${String(index + 1).padStart(2, '0')}`),
    }));
    const file = csvOf([
      HEADER,
      ...people.map((person, index) => [person.name, `并发路${index}号`, '210502001001', '困难家庭', person.name, '户主', person.id]),
    ]);
    // Two tabs (or the desk and the CLI) check the same file, neither committed yet: both dry runs find nothing written.
    const first = await checkedImport(server, headers, 'HOUSEHOLDS', file, { fileName: 'tab-a.csv' });
    const second = await checkedImport(server, headers, 'HOUSEHOLDS', file, { fileName: 'tab-b.csv' });
    expect([first.counts.ready, second.counts.ready]).toEqual([30, 30]);
    const commit = (id: string) =>
      server.graphql(`mutation ($input: CommitImportInput!) { commitImport(input: $input) { ${IMPORT_FIELDS} } }`, { input: { importId: id } }, headers);
    const answers = await Promise.all([commit(first.id), commit(second.id)]);
    expect(answers.map((answer) => answer.errors)).toEqual([undefined, undefined]);
    const done = await Promise.all([settledImport(server, headers, first.id), settledImport(server, headers, second.id)]);
    expect(done.map((view) => view.state)).toEqual(['COMMITTED', 'COMMITTED']);
    // Each person once, whichever import wrote them; the other import wrote none of them.
    for (const person of people)
      expect({ id: person.id, count: await orm.em.fork().count(Resident, { idNumber: person.id }) }).toEqual({ id: person.id, count: 1 });
    expect(done[0]!.counts.created + done[1]!.counts.created).toBe(30);
  });
});
