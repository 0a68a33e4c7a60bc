import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { Gender, idNumberCheckCharacter, ImportKind, Role } from '@wanjia/shared';
import type { DatabaseConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { Resident } from '../src/modules/households/resident.entity';
import type { Household } from '../src/modules/households/household.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { createAccount, createRegionTree } from './support/factories';
import { signIn, startApp, type RunningApp } from './support/server';

/**
 * Files as offices really send them: saved by a real spreadsheet program (Debian's LibreOffice Calc,
 * headless), not by the library the engine reads with. The test writes CSVs (UTF-8 with BOM, and
 * GB18030, which Chinese Excel writes, with 4-byte characters in names: 𠀀 U+20000 and 䶮 U+4DAE),
 * has LibreOffice open them with its CSV filter and save them as .xlsx, uploads those over HTTP and
 * checks that the dry run read every cell right and the commit wrote it: names with their 4-byte
 * characters, 18-digit ID numbers (kept as text in the sheet, as the template asks), birth dates that
 * Calc stored as real date cells, phones and region codes Calc stored as numbers. The GB18030 CSV is
 * also uploaded as it is. And an ID column typed as a number (Calc writes 2.10502194912312E+17, the
 * last digits gone) is refused on its column instead of importing a wrong number.
 */

/** Under CI this file always runs (server/jest.config.js); elsewhere it is left out when soffice is missing. */
function sofficePath(): string {
  const found = (process.env.PATH ?? '')
    .split(':')
    .map((dir) => path.join(dir, 'soffice'))
    .find((candidate) => fs.existsSync(candidate));
  if (!found) {
    throw new Error(
      'LibreOffice (soffice) is not installed, so files saved by a real spreadsheet program cannot be made: apt-get install -y libreoffice-calc-nogui',
    );
  }
  return found;
}

const PASSWORD = 'office-files-test-password-1';
const PINGSHAN = '210502';
/** The households template's headers, as an office's file has them. */
const HEADERS = [
  '户主姓名',
  '户主身份证号',
  '地址',
  '所在村(社区)',
  '联系电话',
  '帮扶类别',
  '困难原因',
  '姓名',
  '与户主关系',
  '性别',
  '身份证号',
  '出生日期',
  '重点关注原因',
  '是否信访人',
];

interface Member {
  name: string;
  relation: string;
  gender: Gender;
  birth: string;
  id: string;
}

interface OfficeHousehold {
  address: string;
  phone: string;
  groups: string;
  reasons: string;
  members: Member[];
}

function idNumber(birth: string, sequence: number): string {
  const first17 = `${PINGSHAN}${birth.replaceAll('-', '')}${String(sequence).padStart(3, '0')}`;
  return first17 + idNumberCheckCharacter(first17);
}

function member(name: string, relation: string, gender: Gender, birth: string, sequence: number): Member {
  return { name, relation, gender, birth, id: idNumber(birth, sequence) };
}

/** Each test's own households (distinct people: each test commits, and the next must not find them as duplicates). */
function households(tag: number, names: [string, string, string]): OfficeHousehold[] {
  const s = tag * 10;
  return [
    {
      address: `站前街道东兴社区${tag}号楼1单元101室`,
      phone: `1390414${String(1000 + tag).padStart(4, '0')}`,
      groups: '困难家庭、信访群众',
      reasons: '因病、因残',
      members: [member(names[0], '户主', Gender.MALE, '1949-12-31', 11 + s), member(names[1], '配偶', Gender.FEMALE, '1952-02-29', 22 + s)],
    },
    {
      address: `站前街道东兴社区${tag}号樓2单元302室`,
      phone: `1380414${String(2000 + tag).padStart(4, '0')}`,
      groups: '重点关注',
      reasons: '',
      members: [member(names[2], '户主', Gender.FEMALE, '2000-01-01', 32 + s)],
    },
  ];
}

function csvText(rows: OfficeHousehold[], regionCode: string): string {
  const lines = [HEADERS.join(',')];
  for (const household of rows) {
    const head = household.members[0]!;
    for (const person of household.members) {
      const genderLabel = person.gender === Gender.MALE ? '男' : '女';
      lines.push(
        [
          head.name,
          head.id,
          household.address,
          regionCode,
          household.phone,
          household.groups,
          household.reasons,
          person.name,
          person.relation,
          genderLabel,
          person.id,
          person.birth,
          '',
          '否',
        ]
          .map((cell) => (/[",\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell))
          .join(','),
      );
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * LibreOffice's CSV import filter: separator ",", quote '"', the charset (76 UTF-8, 85 GB18030), from
 * line 1, then per column 1-based "column/format": 1 standard (numbers become number cells, as Calc
 * types them), 2 text, 5 YMD date (a real date cell). ID columns as text unless `idsAsNumbers`.
 */
function csvFilter(charset: 76 | 85, idsAsNumbers: boolean): string {
  const formats = HEADERS.map((header, index) => {
    const column = index + 1;
    if (header === '出生日期') return `${column}/5`;
    if (header.endsWith('身份证号')) return `${column}/${idsAsNumbers ? 1 : 2}`;
    return `${column}/1`;
  });
  return `CSV:44,34,${charset},1,${formats.join('/')}`;
}

describe.each(databaseKinds())('files saved by LibreOffice Calc, imported on %s', (kind) => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-office-files-'));
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let token: Record<string, string>;
  let communityCode: string;

  /** Has LibreOffice save the CSV as .xlsx (its own profile in the test's folder, so no user's settings apply). */
  function savedByCalc(csv: string, filter: string): string {
    execFileSync(
      sofficePath(),
      [
        `-env:UserInstallation=file://${path.join(folder, 'lo-profile')}`,
        '--headless',
        `--infilter=${filter}`,
        '--convert-to',
        'xlsx',
        '--outdir',
        path.dirname(csv),
        csv,
      ],
      { stdio: 'pipe', timeout: 120_000 },
    );
    const xlsx = csv.replace(/\.csv$/, '.xlsx');
    if (!fs.existsSync(xlsx)) throw new Error(`LibreOffice did not write ${xlsx}`);
    return xlsx;
  }

  beforeAll(async () => {
    sofficePath();
    ({ orm, database } = await migratedOrm(kind, 'imports_office_files'));
    const em = orm.em.fork();
    const tree = await createRegionTree(em);
    communityCode = tree.dongxing.code;
    await createAccount(em, { role: Role.ADMIN, username: 'office-files-admin', password: PASSWORD, scopeRegion: tree.pingshan });
    server = await startApp(orm, database, (config) => ({ ...config, imports: { ...config.imports, dir: path.join(folder, 'store') } }));
    token = await signIn(server, 'office-files-admin', PASSWORD);
  });

  afterAll(async () => {
    await server?.close();
    await orm?.close(true);
    if (database) await dropScratchDatabase(database);
    fs.rmSync(folder, { recursive: true, force: true });
  });

  async function upload(file: string, type: string): Promise<string> {
    const form = new FormData();
    form.append('kind', ImportKind.HOUSEHOLDS);
    form.append('mode', 'CREATE_ONLY');
    form.append('file', new Blob([fs.readFileSync(file)], { type }), path.basename(file));
    const response = await fetch(`${server.url}/imports`, { method: 'POST', headers: token, body: form });
    const body = (await response.json()) as { id?: string; state?: string };
    expect({ status: response.status, state: body.state }).toEqual({ status: 201, state: 'UPLOADED' });
    return body.id!;
  }

  interface ImportSeen {
    state: string;
    failure: string | null;
    counts: { rows: number; ready: number; refused: number; created: number };
    problems: { nodes: { rowNumber: number; column: string | null; severity: string; code: string; message: string }[] };
  }

  async function until(id: string, states: string[]): Promise<ImportSeen> {
    for (;;) {
      const body = await server.graphql<{ dataImport: ImportSeen }>(
        `query ($id: ID!) { dataImport(id: $id) { state failure counts { rows ready refused created }
           problems(first: 100) { nodes { rowNumber column severity code message } } } }`,
        { id },
        token,
      );
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      const seen = body.data!.dataImport;
      if (states.includes(seen.state)) return seen;
      if (['FAILED', 'CANCELLED'].includes(seen.state)) throw new Error(`the import ended ${seen.state}: ${seen.failure}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function commit(id: string): Promise<ImportSeen> {
    const body = await server.graphql(`mutation ($input: CommitImportInput!) { commitImport(input: $input) { id } }`, { input: { importId: id } }, token);
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return until(id, ['COMMITTED']);
  }

  /** What the commit wrote for each person of the file, read back from the database. */
  async function expectWritten(rows: OfficeHousehold[]): Promise<void> {
    const people = rows.flatMap((household) => household.members);
    const written = await orm.em.fork().find(Resident, { idNumber: { $in: people.map((person) => person.id) } }, { populate: ['household'] });
    const byId = new Map(written.map((resident) => [resident.idNumber, resident]));
    for (const household of rows) {
      for (const person of household.members) {
        const resident = byId.get(person.id);
        expect({ id: person.id, found: resident !== undefined }).toEqual({ id: person.id, found: true });
        const home = resident!.household as unknown as Household;
        expect({
          name: resident!.name,
          birthDate: String(resident!.birthDate),
          gender: resident!.gender,
          headName: home.headName,
          address: home.address,
          phone: home.phone,
        }).toEqual({
          name: person.name,
          birthDate: person.birth,
          gender: person.gender,
          headName: household.members[0]!.name,
          address: household.address,
          phone: household.phone,
        });
      }
    }
  }

  function expectCleanCheck(seen: ImportSeen, rows: OfficeHousehold[]): void {
    const people = rows.reduce((sum, household) => sum + household.members.length, 0);
    expect(seen.problems.nodes.filter((problem) => problem.severity === 'ERROR')).toEqual([]);
    expect(seen.counts).toMatchObject({ rows: people, refused: 0 });
  }

  it('reads a UTF-8 CSV that LibreOffice saved as .xlsx: names, 18-digit IDs as text, date cells, numbers for phone and region code', async () => {
    const rows = households(1, ['王建国', '李秀英', '赵晓燕']);
    const csv = path.join(folder, 'utf8-list.csv');
    fs.writeFileSync(csv, `\uFEFF${csvText(rows, communityCode)}`);
    const xlsx = savedByCalc(csv, csvFilter(76, false));
    const id = await upload(xlsx, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expectCleanCheck(await until(id, ['CHECKED']), rows);
    expect((await commit(id)).counts.created).toBeGreaterThan(0);
    await expectWritten(rows);
  });

  it('reads a GB18030 CSV with 4-byte characters in names (𠀀, 䶮) that LibreOffice saved as .xlsx', async () => {
    const rows = households(2, ['王𠀀', '刘䶮', '陈𠀀䶮']);
    const csv = path.join(folder, 'gb18030-list.csv');
    const bytes = iconv.encode(csvText(rows, communityCode), 'gb18030');
    // 𠀀 is four bytes in GB18030 (0x95 0x32 0x82 0x36): the file really is GB18030, not GBK.
    expect(bytes.includes(Buffer.from([0x95, 0x32, 0x82, 0x36]))).toBe(true);
    fs.writeFileSync(csv, bytes);
    const xlsx = savedByCalc(csv, csvFilter(85, false));
    const id = await upload(xlsx, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expectCleanCheck(await until(id, ['CHECKED']), rows);
    await commit(id);
    await expectWritten(rows);
  });

  it('reads the GB18030 CSV uploaded as it is', async () => {
    const rows = households(3, ['孙𠀀明', '周䶮', '吴桂𠀀']);
    const csv = path.join(folder, 'gb18030-as-is.csv');
    fs.writeFileSync(csv, iconv.encode(csvText(rows, communityCode), 'gb18030'));
    const id = await upload(csv, 'text/csv');
    expectCleanCheck(await until(id, ['CHECKED']), rows);
    await commit(id);
    await expectWritten(rows);
  });

  it('refuses ID numbers that the spreadsheet stored as numbers (digits lost) on their column, and writes no wrong number', async () => {
    const rows = households(4, ['郑国强', '冯丽', '褚红梅']);
    const people = rows.flatMap((household) => household.members);
    // An ID ending in X stays text even in a number column; the all-digit ones become 2.10502…E+17.
    const asNumbers = people.filter((person) => /^\d{18}$/.test(person.id));
    expect(asNumbers.length).toBeGreaterThanOrEqual(2);
    const csv = path.join(folder, 'ids-as-numbers.csv');
    fs.writeFileSync(csv, `\uFEFF${csvText(rows, communityCode)}`);
    const xlsx = savedByCalc(csv, csvFilter(76, true));
    const id = await upload(xlsx, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const seen = await until(id, ['CHECKED']);
    // Each such row refused on 身份证号 as the file names it, and told to type the column as text.
    const rowOf = (person: Member) => 2 + people.indexOf(person);
    for (const person of asNumbers) {
      expect(seen.problems.nodes).toContainEqual(
        expect.objectContaining({ rowNumber: rowOf(person), column: '身份证号', severity: 'ERROR', message: expect.stringMatching(/文本/) }),
      );
    }
    expect(seen.counts.refused).toBeGreaterThanOrEqual(asNumbers.length);
    await commit(id);
    // Whatever was written carries the number the office typed, never one with its last digits lost.
    const written = await orm.em.fork().find(Resident, { name: { $in: people.map((person) => person.name) } });
    for (const resident of written) expect(people.map((person) => person.id)).toContain(resident.idNumber);
    for (const person of asNumbers) expect(written.map((resident) => resident.name)).not.toContain(person.name);
  });
});
