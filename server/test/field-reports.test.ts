import { randomUUID } from 'node:crypto';
import { FieldReportStatus, HouseholdStatus, NoticeKind, RegionLevel, ResidentDeparture, Role, TargetGroup } from '@wanjia/shared';
import type { DatabaseConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import type { UserAccount } from '../src/modules/accounts/user-account.entity';
import { Assignment } from '../src/modules/assignments/assignment.entity';
import { AuditEntry } from '../src/modules/audit/audit-entry.entity';
import type { Cadre } from '../src/modules/cadres/cadre.entity';
import { FieldReport } from '../src/modules/field-reports/field-report.entity';
import { Household } from '../src/modules/households/household.entity';
import { Resident } from '../src/modules/households/resident.entity';
import { Notice } from '../src/modules/notices/notice.entity';
import type { Region } from '../src/modules/regions/region.entity';
import type { Round } from '../src/modules/rounds/round.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import {
  createAccount,
  createAssignment,
  createCadre,
  createHelpRecord,
  createHousehold,
  createRegion,
  createRegionTree,
  createResident,
  createRound,
  createUnit,
  tokenFor,
  validIdNumber,
  type Overrides,
  type RegionTree,
} from './support/factories';
import { startApp, type GraphQLBody, type RunningApp } from './support/server';

/**
 * Changes reported from the field (issue 16) over HTTP: a cadre reports what it found on a visit, an
 * administrator of the household's district reviews it in the inbox and approves it (the change goes
 * through the households service: checks, optimistic lock, version, audit) or rejects it with a
 * reason, and the cadre reads the outcome and gets a notice. Every kind end to end, the resend rules,
 * scope on both sides, and nothing written whenever a call is refused.
 */

type Data = Record<string, any>;
type Who = 'cadre' | 'otherCadre' | 'pingshanAdmin' | 'xihuAdmin' | 'cityAdmin' | 'analyst';

const REPORT_FIELDS = `id kind status headName reportedAt decidedAt decisionNote edited reporterName helpRecordId
  region { id name }
  household { id version phone address status targetGroups region { id } residents { id name departure leftOn } }
  proposal { phone name gender relation birthYear birthDate idNumber leftOn address regionId regionName headName targetGroups residentId residentName note }
  applied { name phone }`;
const REPORT = `mutation ($input: ReportFieldChangeInput!) { reportFieldChange(input: $input) { ${REPORT_FIELDS} } }`;
const APPROVE = `mutation ($input: ApproveFieldReportInput!) { approveFieldReport(input: $input) { ${REPORT_FIELDS} } }`;
const REJECT = `mutation ($input: RejectFieldReportInput!) { rejectFieldReport(input: $input) { ${REPORT_FIELDS} } }`;
const WITHDRAW = `mutation ($input: WithdrawFieldReportInput!) { withdrawFieldReport(input: $input) { id status } }`;
const INBOX = `query ($filter: FieldReportFilter, $after: String, $first: Int) {
  fieldReports(filter: $filter, after: $after, first: $first) { totalCount pageInfo { hasNextPage endCursor } nodes { id status kind proposal { phone } } }
}`;
const MINE = `query ($status: FieldReportStatus) { myFieldReports(first: 100, status: $status) { totalCount nodes { ${REPORT_FIELDS} } } }`;
const ONE = `query ($id: ID!) { fieldReport(id: $id) { ${REPORT_FIELDS} } }`;
const HOUSEHOLD = 'query ($id: ID!) { household(id: $id) { id version residents { id name departure leftOn } } }';

describe.each(databaseKinds())('field reports over HTTP on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let regions: RegionTree;
  let xinhua: Region;
  let round: Round;
  let cadre: Cadre;
  let otherCadre: Cadre;
  let cadreAccount: UserAccount;
  const tokens = {} as Record<Who, string>;

  async function call<T = Data>(who: Who, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLBody<T>> {
    return server.graphql<T>(query, variables, { authorization: `Bearer ${tokens[who]}` });
  }

  async function ok<T = Data>(who: Who, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const body = await call<T>(who, query, variables);
    if (body.errors?.length || !body.data) throw new Error(`expected an answer, got ${JSON.stringify(body.errors)}`);
    return body.data;
  }

  async function refused(who: Who, query: string, variables: Record<string, unknown>): Promise<{ code: string; field?: string; message: string }> {
    const body = await call(who, query, variables);
    const error = body.errors?.[0];
    if (!error) throw new Error(`expected a refusal, got ${JSON.stringify(body.data)}`);
    return { code: String(error.extensions?.code), field: error.extensions?.field as string | undefined, message: error.message };
  }

  /** A household of 东兴社区 the cadre looks after, with a head and a child. */
  async function ownHousehold(overrides: Overrides<Household> = {}): Promise<{ household: Household; head: Resident; child: Resident }> {
    const em = orm.em.fork();
    const household = await createHousehold(em, { region: regions.dongxing, headName: '王桂芝', ...overrides });
    const head = await createResident(em, { household, name: '王桂芝', idNumber: null });
    const child = await createResident(em, { household, name: '王小明', idNumber: null, birthDate: '2001-03-04' });
    await createAssignment(em, { cadre, household, round });
    return { household, head, child };
  }

  async function versionOf(householdId: number): Promise<number> {
    return (await orm.em.fork().findOneOrFail(Household, householdId)).version;
  }

  async function counts(): Promise<{ reports: number; audits: number; households: number; residents: number; notices: number }> {
    const em = orm.em.fork();
    return {
      reports: await em.count(FieldReport, {}),
      audits: await em.count(AuditEntry, {}),
      households: await em.count(Household, {}),
      residents: await em.count(Resident, {}),
      notices: await em.count(Notice, {}),
    };
  }

  async function report(input: Record<string, unknown>, who: Who = 'cadre'): Promise<Data> {
    return (await ok(who, REPORT, { input: { clientId: randomUUID(), ...input } })).reportFieldChange;
  }

  async function operations(entityId: string | number): Promise<string[]> {
    const rows = await orm.em.fork().find(AuditEntry, { entityName: 'FieldReport', entityId: String(entityId) }, { orderBy: { id: 'asc' } });
    return rows.map((row) => row.operation);
  }

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'field_reports'));
    server = await startApp(orm, database);
    const em = orm.em.fork();
    regions = await createRegionTree(em);
    xinhua = await createRegion(em, { code: '210502001002', name: '新华社区', level: RegionLevel.COMMUNITY, parent: regions.zhanqian });
    round = await createRound(em, { name: '变更报告轮次' });
    const unit = await createUnit(em, { name: '东兴社区党委', region: regions.dongxing });
    cadre = await createCadre(em, { unit, name: '刘建华' });
    otherCadre = await createCadre(em, { unit, name: '陈志强' });
    cadreAccount = await createAccount(em, { cadre });
    const accounts: Record<Who, UserAccount> = {
      cadre: cadreAccount,
      otherCadre: await createAccount(em, { cadre: otherCadre }),
      pingshanAdmin: await createAccount(em, { role: Role.ADMIN, scopeRegion: regions.pingshan }),
      xihuAdmin: await createAccount(em, { role: Role.ADMIN, scopeRegion: regions.xihu }),
      cityAdmin: await createAccount(em, { role: Role.ADMIN, scopeRegion: regions.city }),
      analyst: await createAccount(em, { role: Role.ANALYST, scopeRegion: regions.city }),
    };
    for (const [who, account] of Object.entries(accounts)) tokens[who as Who] = await tokenFor(account, server);
  });

  afterAll(async () => {
    await server?.close();
    await orm?.close(true);
    if (database) await dropScratchDatabase(database);
  });

  it('a new phone: reported, seen masked in the inbox and in full by its cadre, approved through the household update, the cadre told', async () => {
    const { household } = await ownHousehold();
    const made = await report({ kind: 'PHONE_CHANGED', householdId: String(household.id), phone: '13812345678', note: '老号码停机了' });
    expect(made).toMatchObject({ kind: 'PHONE_CHANGED', status: 'PENDING', headName: '王桂芝', reporterName: '刘建华', edited: false });
    expect(made.proposal).toMatchObject({ phone: '13812345678', note: '老号码停机了' });

    // The district's administrator sees it in the inbox, the phone masked as on the household's file.
    const inbox = (await ok('pingshanAdmin', INBOX, { filter: { status: 'PENDING' }, first: 100 })).fieldReports;
    const row = inbox.nodes.find((node: Data) => node.id === made.id);
    expect(row.proposal.phone).toBe('138****5678');
    // The neighbouring district's administrator neither sees it nor may decide it; analysts get nothing here.
    expect((await ok('xihuAdmin', INBOX, { first: 100 })).fieldReports.nodes.map((node: Data) => node.id)).not.toContain(made.id);
    const before = await counts();
    expect((await refused('xihuAdmin', APPROVE, { input: { reportId: made.id, expectedVersion: household.version } })).code).toBe('FORBIDDEN');
    expect((await refused('xihuAdmin', ONE, { id: made.id })).code).toBe('FORBIDDEN');
    expect((await refused('analyst', INBOX, {})).code).toBe('FORBIDDEN');
    expect((await refused('analyst', ONE, { id: made.id })).code).toBe('FORBIDDEN');
    expect((await refused('cadre', INBOX, {})).code).toBe('FORBIDDEN');
    expect(await counts()).toEqual(before);

    const version = await versionOf(household.id);
    const approved = (await ok('pingshanAdmin', APPROVE, { input: { reportId: made.id, expectedVersion: version, note: '已核实' } })).approveFieldReport;
    expect(approved).toMatchObject({ status: 'APPROVED', decisionNote: '已核实', edited: false });
    expect(approved.decidedAt).not.toBeNull();
    const stored = await orm.em.fork().findOneOrFail(Household, household.id);
    expect(stored.phone).toBe('13812345678');
    expect(stored.version).toBe(version + 1);

    // The change's own audit entry (updateHousehold) beside the report's.
    expect(await operations(made.id)).toEqual(['reportFieldChange', 'approveFieldReport']);
    const update = await orm.em.fork().findOne(AuditEntry, { operation: 'updateHousehold', entityId: String(household.id) });
    expect(update).not.toBeNull();

    // The cadre reads the outcome, with its phone in full, and has a notice.
    const mine = (await ok('cadre', MINE, { status: 'APPROVED' })).myFieldReports.nodes.find((node: Data) => node.id === made.id);
    expect(mine).toMatchObject({ status: 'APPROVED', decisionNote: '已核实', proposal: { phone: '13812345678' } });
    const notice = await orm.em
      .fork()
      .findOne(Notice, { recipientAccount: cadreAccount.id, kind: NoticeKind.FIELD_REPORT_DECIDED }, { orderBy: { id: 'desc' } });
    expect(notice?.title).toBe('变更报告已采纳：电话变更');
    expect(notice?.body).toContain('王桂芝户');
    expect(notice?.body).not.toContain('13812345678');

    // Decided once: a second decision is refused and changes nothing.
    const afterApproval = await counts();
    const again = await refused('pingshanAdmin', APPROVE, { input: { reportId: made.id, expectedVersion: version + 1 } });
    expect(again.code).toBe('CONFLICT');
    expect((await refused('cityAdmin', REJECT, { input: { reportId: made.id, reason: '重复' } })).code).toBe('CONFLICT');
    expect(await counts()).toEqual(afterApproval);
  });

  it('two administrators approving one report at once: one applies it, the other is told it is decided, the household changed once', async () => {
    const { household } = await ownHousehold();
    const made = await report({ kind: 'HOUSEHOLD_MOVED', householdId: String(household.id), address: '东兴路20号', regionId: String(xinhua.id) });
    const version = await versionOf(household.id);
    const approve = (who: Who) => call(who, APPROVE, { input: { reportId: made.id, expectedVersion: version } });
    const answers = await Promise.all([approve('pingshanAdmin'), approve('cityAdmin')]);
    const outcomes = answers.map((answer) => (answer.errors?.[0]?.extensions?.code as string | undefined) ?? answer.data?.approveFieldReport.status).sort();
    expect(outcomes).toEqual(['APPROVED', 'CONFLICT']);
    expect(await versionOf(household.id)).toBe(version + 1);
    expect(await operations(made.id)).toEqual(['reportFieldChange', 'approveFieldReport']);
    const stored = await orm.em.fork().findOneOrFail(FieldReport, Number(made.id));
    expect(JSON.parse(stored.proposal)).toMatchObject({ regionName: '新华社区' });
  });

  it('a resend with the same clientId and content answers the same report; other content under it is refused naming clientId', async () => {
    const { household } = await ownHousehold();
    const input = { clientId: randomUUID(), kind: 'PHONE_CHANGED', householdId: String(household.id), phone: '13700001234' };
    const first = (await ok('cadre', REPORT, { input })).reportFieldChange;
    const before = await counts();
    // Same content, the phone typed with spaces as the app may send it: the same report, only the resend audited.
    const second = (await ok('cadre', REPORT, { input: { ...input, phone: '137 0000 1234' } })).reportFieldChange;
    expect(second.id).toBe(first.id);
    expect(await counts()).toEqual({ ...before, audits: before.audits + 1 });
    expect(await operations(first.id)).toEqual(['reportFieldChange', 'resendFieldReport']);

    const other = await refused('cadre', REPORT, { input: { ...input, phone: '13700009999' } });
    expect(other).toMatchObject({ code: 'CONFLICT', field: 'input.clientId' });
    expect(await counts()).toEqual({ ...before, audits: before.audits + 1 });
  });

  it('a cadre reports only on a household it looks after: another household is FORBIDDEN and nothing is written', async () => {
    const em = orm.em.fork();
    const notTheirs = await createHousehold(em, { region: regions.dongxing });
    await createAssignment(em, { cadre: otherCadre, household: notTheirs, round });
    const before = await counts();
    const answer = await refused('cadre', REPORT, {
      input: { clientId: randomUUID(), kind: 'PHONE_CHANGED', householdId: String(notTheirs.id), phone: '13700001111' },
    });
    expect(answer.code).toBe('FORBIDDEN');
    // Administrators do not report: that is the cadre's entry.
    expect(
      (
        await refused('pingshanAdmin', REPORT, {
          input: { clientId: randomUUID(), kind: 'PHONE_CHANGED', householdId: String(notTheirs.id), phone: '13700001111' },
        })
      ).code,
    ).toBe('FORBIDDEN');
    expect(await counts()).toEqual(before);
  });

  it('bad input names the field and writes nothing', async () => {
    const { household, head } = await ownHousehold();
    const before = await counts();
    const cases: [Record<string, unknown>, string][] = [
      [{ kind: 'PHONE_CHANGED', householdId: String(household.id) }, 'input.phone'],
      [{ kind: 'PHONE_CHANGED', householdId: String(household.id), phone: '12345' }, 'phone'],
      [{ kind: 'MEMBER_BORN', householdId: String(household.id), name: '王小宝', gender: 'MALE' }, 'input.birthDate'],
      // The ID number's birth date must be the birth date given (addResident's check).
      [
        {
          kind: 'MEMBER_BORN',
          householdId: String(household.id),
          name: '王小宝',
          gender: 'MALE',
          birthDate: '2026-03-01',
          idNumber: validIdNumber('210502', '2025-03-01'),
        },
        'input.idNumber',
      ],
      [{ kind: 'MEMBER_BORN', householdId: String(household.id), name: '王小宝', gender: 'MALE', birthDate: '2999-01-01' }, 'input.birthDate'],
      [{ kind: 'MEMBER_DIED', householdId: String(household.id), residentId: String(head.id) }, 'input.leftOn'],
      [{ kind: 'MEMBER_MOVED_OUT', householdId: String(household.id), residentId: '987654', leftOn: '2026-11-01' }, 'input.residentId'],
      [{ kind: 'HOUSEHOLD_MOVED', householdId: String(household.id), address: '新址1号', regionId: String(regions.xiangyang.id) }, 'input.regionId'],
      [
        { kind: 'NEW_HOUSEHOLD', regionId: String(regions.xiangyang.id), address: '向阳路9号', headName: '赵大山', targetGroups: ['HARDSHIP'] },
        'input.regionId',
      ],
      [{ kind: 'NEW_HOUSEHOLD', regionId: String(regions.dongxing.id), address: '东兴路9号', headName: '赵大山' }, 'input.targetGroups'],
      [{ kind: 'PHONE_CHANGED' }, 'input.householdId'],
    ];
    for (const [input, field] of cases) {
      const answer = await refused('cadre', REPORT, { input: { clientId: randomUUID(), ...input } });
      expect({ input, code: answer.code, field: answer.field }).toEqual({ input, code: 'BAD_USER_INPUT', field: expect.stringContaining(field) });
    }
    expect(await counts()).toEqual(before);
  });

  it("shows the reporting cadre an administrator's corrected ID number and birth date masked: only what it typed itself is in full", async () => {
    const { household } = await ownHousehold();
    const typed = validIdNumber('210502', '2026-10-05');
    const corrected = validIdNumber('210502', '2026-10-06');
    const made = await report({
      kind: 'MEMBER_BORN',
      householdId: String(household.id),
      name: '王三宝',
      gender: 'MALE',
      birthDate: '2026-10-05',
      idNumber: typed,
    });
    await ok('pingshanAdmin', APPROVE, {
      input: { reportId: made.id, expectedVersion: await versionOf(household.id), edits: { idNumber: corrected, birthDate: '2026-10-06' } },
    });
    const APPLIED = `query ($id: ID!) { fieldReport(id: $id) { proposal { idNumber birthDate } applied { name idNumber birthDate birthYear } } }`;
    const mine = (await ok('cadre', APPLIED, { id: made.id })).fieldReport;
    expect(mine.proposal).toEqual({ idNumber: typed, birthDate: '2026-10-05' });
    expect(mine.applied).toEqual({ name: '王三宝', idNumber: '210502************', birthDate: null, birthYear: 2026 });
    expect(JSON.stringify(mine)).not.toContain(corrected);
  });

  it('a member born: approved with an edit, added through addResident; the proposal pre-fills, the audit says what the administrator changed', async () => {
    const { household } = await ownHousehold();
    const idNumber = validIdNumber('210502', '2026-10-02');
    const made = await report({ kind: 'MEMBER_BORN', householdId: String(household.id), name: '王小宝', gender: 'MALE', birthDate: '2026-10-02', idNumber });
    expect(made.proposal).toMatchObject({ name: '王小宝', relation: 'CHILD', birthDate: '2026-10-02', idNumber, birthYear: 2026 });
    // The administrator sees the ID number and birth date masked as on the household's file.
    const seen = (await ok('pingshanAdmin', ONE, { id: made.id })).fieldReport;
    expect(seen.proposal).toMatchObject({ name: '王小宝', birthDate: null, birthYear: 2026, idNumber: '210502************' });

    const before = await counts();
    const approved = (
      await ok('pingshanAdmin', APPROVE, { input: { reportId: made.id, expectedVersion: await versionOf(household.id), edits: { name: '王晓宝' } } })
    ).approveFieldReport;
    expect(approved).toMatchObject({ status: 'APPROVED', edited: true, applied: { name: '王晓宝' }, proposal: { name: '王小宝' } });
    const residents = await orm.em.fork().find(Resident, { household: household.id }, { orderBy: { id: 'asc' } });
    expect(residents.map((resident) => resident.name)).toEqual(['王桂芝', '王小明', '王晓宝']);
    expect(residents[2]).toMatchObject({ idNumber, birthDate: '2026-10-02' });
    expect((await counts()).residents).toBe(before.residents + 1);
    const entry = await orm.em.fork().findOneOrFail(AuditEntry, { entityName: 'FieldReport', entityId: String(made.id), operation: 'approveFieldReport' });
    expect(JSON.parse(String(entry.changes))).toMatchObject({ edited: ['name'] });
    expect(await orm.em.fork().findOne(AuditEntry, { operation: 'addResident', entityName: 'Resident', entityId: String(residents[2]!.id) })).not.toBeNull();
    // An edit that is not a value of the kind is refused, naming it.
    const other = await report({ kind: 'MEMBER_BORN', householdId: String(household.id), name: '王二宝', gender: 'FEMALE', birthDate: '2026-10-03' });
    const answer = await refused('pingshanAdmin', APPROVE, {
      input: { reportId: other.id, expectedVersion: await versionOf(household.id), edits: { address: '别处' } },
    });
    expect(answer).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.edits.address' });
    // A value the kind needs may be corrected, never cleared.
    const cleared = await refused('pingshanAdmin', APPROVE, {
      input: { reportId: other.id, expectedVersion: await versionOf(household.id), edits: { name: null } },
    });
    expect(cleared).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.edits.name' });
    expect((await orm.em.fork().findOneOrFail(FieldReport, Number(other.id))).status).toBe(FieldReportStatus.PENDING);
  });

  it('a member moved out or died stays on the file, marked; a stale household version is CONFLICT and nothing is written', async () => {
    const { household, head, child } = await ownHousehold();
    const moved = await report({ kind: 'MEMBER_MOVED_OUT', householdId: String(household.id), residentId: String(child.id), leftOn: '2026-11-20' });
    const died = await report({ kind: 'MEMBER_DIED', householdId: String(household.id), residentId: String(head.id), leftOn: '2026-11-25' });
    expect(moved.proposal).toMatchObject({ residentId: String(child.id), residentName: '王小明', leftOn: '2026-11-20' });

    const version = await versionOf(household.id);
    const before = await counts();
    const stale = await refused('pingshanAdmin', APPROVE, { input: { reportId: moved.id, expectedVersion: version - 1 + 5 } });
    expect(stale.code).toBe('CONFLICT');
    expect(await counts()).toEqual(before);
    expect((await orm.em.fork().findOneOrFail(FieldReport, Number(moved.id))).status).toBe(FieldReportStatus.PENDING);
    expect((await orm.em.fork().findOneOrFail(Resident, child.id)).departure ?? null).toBeNull();

    await ok('pingshanAdmin', APPROVE, { input: { reportId: moved.id, expectedVersion: version } });
    // The second report was read at the old version: the household moved on, so it must be read again.
    expect((await refused('pingshanAdmin', APPROVE, { input: { reportId: died.id, expectedVersion: version } })).code).toBe('CONFLICT');
    await ok('pingshanAdmin', APPROVE, { input: { reportId: died.id, expectedVersion: version + 1, edits: { leftOn: '2026-11-24' } } });

    // The members are still listed, marked; the cadre reads them on the household's page.
    const file = (await ok('cadre', HOUSEHOLD, { id: String(household.id) })).household;
    expect(file.residents).toEqual([
      { id: String(head.id), name: '王桂芝', departure: ResidentDeparture.DIED, leftOn: '2026-11-24' },
      { id: String(child.id), name: '王小明', departure: ResidentDeparture.MOVED_OUT, leftOn: '2026-11-20' },
    ]);
    expect(file.version).toBe(version + 2);
    expect(await orm.em.fork().count(AuditEntry, { operation: 'recordResidentDeparture', entityName: 'Resident' })).toBeGreaterThanOrEqual(2);
    // A member who left cannot be reported as leaving again.
    const again = await refused('cadre', REPORT, {
      input: { clientId: randomUUID(), kind: 'MEMBER_MOVED_OUT', householdId: String(household.id), residentId: String(child.id), leftOn: '2026-11-26' },
    });
    expect(again).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.residentId' });
  });

  it('the household moved to another community of the district: address and village changed by the update', async () => {
    const { household } = await ownHousehold();
    const made = await report({ kind: 'HOUSEHOLD_MOVED', householdId: String(household.id), address: '新华路8号2单元', regionId: String(xinhua.id) });
    expect(made.proposal).toMatchObject({ address: '新华路8号2单元', regionId: String(xinhua.id), regionName: '新华社区' });
    await ok('pingshanAdmin', APPROVE, { input: { reportId: made.id, expectedVersion: await versionOf(household.id) } });
    const stored = await orm.em.fork().findOneOrFail(Household, household.id);
    expect({ address: stored.address, region: stored.region.id }).toEqual({ address: '新华路8号2单元', region: xinhua.id });
  });

  it('no longer in hardship: a hardship-only household is LIFTED; one also on another list only leaves the hardship group', async () => {
    const only = (await ownHousehold({ hardshipReasons: [] })).household;
    const both = (await ownHousehold({ headName: '孙德胜' })).household;
    const em = orm.em.fork();
    const row = await em.findOneOrFail(Household, both.id);
    row.targetGroups = [TargetGroup.HARDSHIP, TargetGroup.KEY_FOCUS];
    await em.flush();

    for (const household of [only, both]) {
      const made = await report({ kind: 'HARDSHIP_ENDED', householdId: String(household.id), note: '已稳定就业' });
      await ok('pingshanAdmin', APPROVE, { input: { reportId: made.id, expectedVersion: await versionOf(household.id) } });
    }
    const stored = async (id: number) => orm.em.fork().findOneOrFail(Household, id);
    expect((await stored(only.id)).status).toBe(HouseholdStatus.LIFTED);
    expect((await stored(both.id)).targetGroups).toEqual([TargetGroup.KEY_FOCUS]);
    expect((await stored(both.id)).status).toBe(HouseholdStatus.ACTIVE);
    // A household no longer in hardship cannot be reported so again.
    const again = await refused('cadre', REPORT, { input: { clientId: randomUUID(), kind: 'HARDSHIP_ENDED', householdId: String(both.id) } });
    expect(again).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.kind' });
  });

  it('a new household: reviewed by the village’s administrators, created through createHousehold when approved', async () => {
    await ownHousehold();
    const made = await report({
      kind: 'NEW_HOUSEHOLD',
      regionId: String(regions.dongxing.id),
      address: '东兴路12号',
      headName: '赵大山',
      phone: '13655556666',
      targetGroups: ['HARDSHIP'],
      note: '独居老人，无收入',
    });
    expect(made).toMatchObject({ kind: 'NEW_HOUSEHOLD', household: null, headName: '赵大山', region: { id: String(regions.dongxing.id) } });
    expect((await refused('xihuAdmin', APPROVE, { input: { reportId: made.id } })).code).toBe('FORBIDDEN');
    const before = await counts();
    const approved = (await ok('pingshanAdmin', APPROVE, { input: { reportId: made.id, edits: { address: '东兴路12号院' } } })).approveFieldReport;
    expect(approved.household).toMatchObject({ address: '东兴路12号院', targetGroups: ['HARDSHIP'], region: { id: String(regions.dongxing.id) } });
    expect((await counts()).households).toBe(before.households + 1);
    const created = await orm.em.fork().findOneOrFail(Household, Number(approved.household.id));
    expect({ headName: created.headName, phone: created.phone }).toEqual({ headName: '赵大山', phone: '13655556666' });
    expect(await orm.em.fork().findOne(AuditEntry, { operation: 'createHousehold', entityId: String(created.id) })).not.toBeNull();
  });

  it('rejected with a reason (required): the cadre reads it and is told; a pending report may be withdrawn by its cadre only', async () => {
    const { household } = await ownHousehold();
    const made = await report({ kind: 'PHONE_CHANGED', householdId: String(household.id), phone: '13511112222' });
    const before = await counts();
    expect((await refused('pingshanAdmin', REJECT, { input: { reportId: made.id, reason: ' ' } })).code).toBe('BAD_USER_INPUT');
    expect(await counts()).toEqual(before);
    await ok('pingshanAdmin', REJECT, { input: { reportId: made.id, reason: '电话核实不是本人' } });
    const mine = (await ok('cadre', ONE, { id: made.id })).fieldReport;
    expect(mine).toMatchObject({ status: 'REJECTED', decisionNote: '电话核实不是本人' });
    expect((await orm.em.fork().findOneOrFail(Household, household.id)).phone).toBe(household.phone);
    const notice = await orm.em
      .fork()
      .findOne(Notice, { recipientAccount: cadreAccount.id, kind: NoticeKind.FIELD_REPORT_DECIDED }, { orderBy: { id: 'desc' } });
    expect(notice?.body).toContain('电话核实不是本人');
    expect(notice?.title).toBe('变更报告未采纳：电话变更');

    const pending = await report({ kind: 'PHONE_CHANGED', householdId: String(household.id), phone: '13511113333' });
    expect((await refused('otherCadre', WITHDRAW, { input: { reportId: pending.id } })).code).toBe('FORBIDDEN');
    expect((await ok('cadre', WITHDRAW, { input: { reportId: pending.id } })).withdrawFieldReport.status).toBe('WITHDRAWN');
    expect((await refused('pingshanAdmin', APPROVE, { input: { reportId: pending.id, expectedVersion: await versionOf(household.id) } })).code).toBe(
      'CONFLICT',
    );
    expect(await operations(pending.id)).toEqual(['reportFieldChange', 'withdrawFieldReport']);
  });

  it('a cadre whose assignment ended reports no more on the household, but keeps its past reports (without the household)', async () => {
    const { household } = await ownHousehold();
    const visitEm = orm.em.fork();
    const assignment = await visitEm.findOneOrFail(Assignment, { household: household.id, cadre: cadre.id });
    const record = await createHelpRecord(visitEm, { assignment });
    const made = await report({ kind: 'PHONE_CHANGED', householdId: String(household.id), phone: '13522223333', helpRecordId: String(record.id) });
    expect(made.helpRecordId).toBe(String(record.id));
    const em = orm.em.fork();
    await em.nativeUpdate(Assignment, { household: household.id, cadre: cadre.id }, { endedAt: new Date() });
    const answer = await refused('cadre', REPORT, {
      input: { clientId: randomUUID(), kind: 'PHONE_CHANGED', householdId: String(household.id), phone: '13522224444' },
    });
    expect(answer.code).toBe('FORBIDDEN');
    const mine = (await ok('cadre', ONE, { id: made.id })).fieldReport;
    expect(mine).toMatchObject({ id: made.id, headName: '王桂芝', household: null, proposal: { phone: '13522223333' } });
  });

  it('the inbox lists pending reports first, oldest first, in pages', async () => {
    const all: Data[] = [];
    let after: string | null = null;
    do {
      const page: Data = (await ok('cityAdmin', INBOX, { first: 3, after })).fieldReports;
      all.push(...page.nodes);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    const total = (await ok('cityAdmin', INBOX, { first: 1 })).fieldReports.totalCount;
    expect(all).toHaveLength(total);
    const pendingCount = all.filter((node) => node.status === 'PENDING').length;
    expect(pendingCount).toBeGreaterThan(0);
    expect(all.slice(0, pendingCount).every((node) => node.status === 'PENDING')).toBe(true);
    const ids = (nodes: Data[]) => nodes.map((node) => Number(node.id));
    const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
    expect(ids(all.slice(0, pendingCount))).toEqual(sorted(ids(all.slice(0, pendingCount))));
    expect(ids(all.slice(pendingCount))).toEqual(sorted(ids(all.slice(pendingCount))));
  });
});
