import { randomUUID } from 'node:crypto';
import { DemandCategory, DemandEventKind, DemandStatus, NoticeKind, PetitionCaseStatus, ReferralStatus, Role } from '@wanjia/shared';
import type { DatabaseConfig } from '../src/config';
import { loadConfig } from '../src/config';
import { ManualClock } from '../src/core/clock';
import { createOrm, type Orm } from '../src/db/orm';
import { createLogger } from '../src/logger';
import { UserAccount } from '../src/modules/accounts/user-account.entity';
import { AuditEntry } from '../src/modules/audit/audit-entry.entity';
import type { Cadre } from '../src/modules/cadres/cadre.entity';
import { deadlineFor } from '../src/modules/demands/demand-deadline.service';
import { DemandEscalation } from '../src/modules/demands/demand-escalation.entity';
import { DemandEvent } from '../src/modules/demands/demand-event.entity';
import { DemandReferral } from '../src/modules/demands/demand-referral.entity';
import { Demand } from '../src/modules/demands/demand.entity';
import { EscalationRung } from '../src/modules/demands/escalation-rung.entity';
import { addDays, escalateLapsedDemands, settleEscalations } from '../src/modules/demands/escalation.service';
import { Notice } from '../src/modules/notices/notice.entity';
import type { Round } from '../src/modules/rounds/round.entity';
import { UnitHandler } from '../src/modules/units/unit-handler.entity';
import type { Unit } from '../src/modules/units/unit.entity';
import { errorOf } from './support/cadre-operations';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import {
  createAccount,
  createAssignment,
  createCadre,
  createDemand,
  createHousehold,
  createPetitionCase,
  createRegionTree,
  createRound,
  createUnit,
  tokenFor,
  type RegionTree,
} from './support/factories';
import { createTestApp, listenOnLoopback, type GraphQLBody } from './support/server';

/** Noon in Shanghai on a calendar day: the day is the same in UTC and in Shanghai. */
const at = (day: string) => new Date(`${day}T04:00:00.000Z`);

const SUPERVISION = `query ($filter: SupervisionFilter, $first: Int, $after: String) {
  supervisionList(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id level rungName targetRegionName leaderName lapsedDueOn escalatedAt settledAt daysOverdue demand { id status escalationRung } }
  }
}`;
const INSTRUCT = `mutation ($input: InstructDemandInput!) {
  instructDemand(input: $input) { id status dueOn escalationRung events { kind dueOn note rung } }
}`;

interface SupervisionNode {
  id: string;
  level: number;
  rungName: string;
  targetRegionName: string;
  leaderName: string | null;
  lapsedDueOn: string;
  escalatedAt: string;
  settledAt: string | null;
  daysOverdue: number;
  demand: { id: string; status: string; escalationRung: number };
}
type SupervisionBody = GraphQLBody<{
  supervisionList: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: SupervisionNode[] };
}>;

/**
 * 超期督办: the ladder climbed by the sweep (one rung per threshold, catch-up after downtime, nothing
 * twice for the same lapse, concurrent sweeps), the leader attached from rung 1, instructions (督办批示)
 * with their refusals, the supervision list's scope and order, and the time limits' and ladder's setters.
 */
describe.each(databaseKinds())('the escalation ladder on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let regions: RegionTree;
  let round: Round;
  let unit: Unit;
  let cadre: Cadre;
  let leader: Cadre;
  const clock = new ManualClock(at('2026-06-20'));
  const statements: string[] = [];
  let url: string;
  let stop: () => Promise<void>;
  const tokens: Record<'city' | 'pingshan' | 'zhanqian' | 'xihu' | 'analyst' | 'cadre', string> = {} as never;

  const graphql = async <T>(query: string, variables: Record<string, unknown>, token: string): Promise<GraphQLBody<T>> => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLBody<T>;
  };
  const sweep = (day: string) => escalateLapsedDemands(orm.em.fork(), at(day));

  /** A demand of a household in 东兴社区 (平山区 → 站前街道) whose cadre belongs to 平山区's unit, due on `dueOn`. */
  async function lapsingDemand(dueOn: string, options: { withCadre?: boolean } = {}): Promise<Demand> {
    const em = orm.em.fork();
    const household = await createHousehold(em, { region: regions.dongxing });
    if (options.withCadre !== false) await createAssignment(em, { cadre, household, round });
    return createDemand(em, { household, category: DemandCategory.HOUSING, raisedAt: at('2026-05-21'), dueOn });
  }

  async function rowsOf(demandId: number): Promise<DemandEscalation[]> {
    return orm.em
      .fork()
      .find(DemandEscalation, { demand: demandId }, { orderBy: [{ lapsedDueOn: 'asc' }, { level: 'asc' }], populate: ['targetRegion', 'leaderCadre'] });
  }

  async function eventsOf(demandId: number, kind: DemandEventKind): Promise<DemandEvent[]> {
    return orm.em.fork().find(DemandEvent, { demand: demandId, kind }, { orderBy: { id: 'asc' } });
  }

  async function written(demandId: number): Promise<{ events: number; escalations: number; audits: number }> {
    const em = orm.em.fork();
    return {
      events: await em.count(DemandEvent, { demand: demandId }),
      escalations: await em.count(DemandEscalation, { demand: demandId, settledAt: null }),
      audits: await em.count(AuditEntry, { entityName: 'Demand', entityId: String(demandId) }),
    };
  }

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'll_escalation', { onQuery: (sql) => statements.push(sql) }));
    const em = orm.em.fork();
    regions = await createRegionTree(em);
    round = await createRound(em, { name: '督办轮次' });
    unit = await createUnit(em, { region: regions.pingshan, name: '平山区民政局' });
    cadre = await createCadre(em, { unit, name: '刘建华' });
    leader = await createCadre(em, { unit: await createUnit(em, { region: regions.city }), name: '王副市长' });
    const config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' }), port: 0, database };
    const app = await createTestApp({ config, orm, logger: createLogger(config), clock });
    url = await listenOnLoopback(app);
    stop = () => app.stop();
    const admin = (scopeRegion: RegionTree[keyof RegionTree], role = Role.ADMIN): Promise<UserAccount> => createAccount(em, { role, scopeRegion });
    const sign = (account: UserAccount) => tokenFor(account, { config });
    tokens.city = await sign(await admin(regions.city));
    tokens.pingshan = await sign(await admin(regions.pingshan));
    tokens.zhanqian = await sign(await admin(regions.zhanqian));
    tokens.xihu = await sign(await admin(regions.xihu));
    tokens.analyst = await sign(await admin(regions.city, Role.ANALYST));
    tokens.cadre = await sign(await createAccount(em, { cadre }));
  });

  afterEach(async () => {
    // Each test's demands are closed after it, so that the next test's sweeps see only its own.
    const em = orm.em.fork();
    await em.nativeUpdate(
      Demand,
      { status: { $in: [DemandStatus.OPEN, DemandStatus.IN_PROGRESS, DemandStatus.REFERRED] } },
      { status: DemandStatus.CONFIRMED, escalationRung: 0 },
    );
    await em.nativeUpdate(DemandEscalation, { settledAt: null }, { settledAt: clock.now() });
  });

  afterAll(async () => {
    await stop?.();
    await orm?.close(true);
    if (database) await dropScratchDatabase(database);
  });

  it('climbs every rung one per threshold (1, 4, 8, 15 days late), each once, to the rung’s target region', async () => {
    const demand = await lapsingDemand('2026-06-20');
    expect(await sweep('2026-06-20')).toEqual({ escalated: 0, more: false });
    expect((await rowsOf(demand.id)).length).toBe(0);

    const climbs: [string, number, number][] = [
      ['2026-06-21', 1, 1],
      ['2026-06-22', 0, 1],
      ['2026-06-24', 1, 2],
      ['2026-06-27', 0, 2],
      ['2026-06-28', 1, 3],
      ['2026-07-05', 1, 4],
      ['2026-07-30', 0, 4],
    ];
    for (const [day, escalated, rung] of climbs) {
      expect(await sweep(day)).toEqual({ escalated, more: false });
      const fresh = await orm.em.fork().findOneOrFail(Demand, demand.id);
      expect([day, fresh.escalationRung]).toEqual([day, rung]);
    }
    const rows = await rowsOf(demand.id);
    expect(rows.map((row) => [row.level, row.targetRegion.name, row.lapsedDueOn, row.settledAt])).toEqual([
      [1, '平山区', '2026-06-20', null],
      [2, '站前街道', '2026-06-20', null],
      [3, '平山区', '2026-06-20', null],
      [4, '本溪市', '2026-06-20', null],
    ]);
    expect(rows.map((row) => row.escalatedAt.toISOString())).toEqual(
      ['2026-06-21', '2026-06-24', '2026-06-28', '2026-07-05'].map((day) => at(day).toISOString()),
    );
    const steps = await eventsOf(demand.id, DemandEventKind.ESCALATED);
    expect(steps.map((step) => [step.rung, step.actorLabel, step.actorAccount ?? null, step.dueOn])).toEqual([
      [1, '系统', null, '2026-06-20'],
      [2, '系统', null, '2026-06-20'],
      [3, '系统', null, '2026-06-20'],
      [4, '系统', null, '2026-06-20'],
    ]);
    const audits = await orm.em.fork().find(AuditEntry, { entityName: 'Demand', entityId: String(demand.id), operation: 'escalateDemand' });
    expect(audits).toHaveLength(4);
    expect(audits.every((entry) => entry.actor === null)).toBe(true);
  });

  it('catches up after downtime: every rung reached is recorded at once, and again nothing twice', async () => {
    const demand = await lapsingDemand('2026-06-20');
    expect(await sweep('2026-06-30')).toEqual({ escalated: 3, more: false });
    expect((await rowsOf(demand.id)).map((row) => row.level)).toEqual([1, 2, 3]);
    expect((await eventsOf(demand.id, DemandEventKind.ESCALATED)).map((step) => step.rung)).toEqual([1, 2, 3]);
    expect((await orm.em.fork().findOneOrFail(Demand, demand.id)).escalationRung).toBe(3);
    expect(await sweep('2026-06-30')).toEqual({ escalated: 0, more: false });
    expect(await sweep('2026-07-01')).toEqual({ escalated: 0, more: false });
    expect((await rowsOf(demand.id)).length).toBe(3);
  });

  it('skips a demand without a due date, a settled one, and a household without a cadre goes to the township at rung 1', async () => {
    const em = orm.em.fork();
    const undated = await createDemand(em, { household: await createHousehold(em, { region: regions.dongxing }), dueOn: null });
    const resolved = await lapsingDemand('2026-06-20');
    await orm.em.fork().nativeUpdate(Demand, { id: resolved.id }, { status: DemandStatus.RESOLVED });
    const orphan = await lapsingDemand('2026-06-20', { withCadre: false });
    expect(await sweep('2026-06-21')).toEqual({ escalated: 1, more: false });
    expect((await rowsOf(undated.id)).length).toBe(0);
    expect((await rowsOf(resolved.id)).length).toBe(0);
    expect((await rowsOf(orphan.id)).map((row) => [row.level, row.targetRegion.name])).toEqual([[1, '站前街道']]);
  });

  it('bounds the work of a call and says when more remain', async () => {
    const demands = [await lapsingDemand('2026-06-20'), await lapsingDemand('2026-06-20'), await lapsingDemand('2026-06-20')];
    expect(await escalateLapsedDemands(orm.em.fork(), at('2026-06-21'), { limit: 2 })).toEqual({ escalated: 2, more: true });
    expect(await escalateLapsedDemands(orm.em.fork(), at('2026-06-21'), { limit: 2 })).toEqual({ escalated: 1, more: false });
    for (const demand of demands) expect((await rowsOf(demand.id)).length).toBe(1);
  });

  it("escalates an open referral's lapse by the referral's due date, and tells the leader of the household's case from rung 1", async () => {
    const demand = await lapsingDemand('2026-07-30');
    const em = orm.em.fork();
    const account = await em.findOneOrFail(UserAccount, { cadre: cadre.id });
    const referral = em.create(DemandReferral, {
      demand: demand.id,
      unit,
      status: ReferralStatus.ACCEPTED,
      dueOn: '2026-06-25',
      referredAt: at('2026-06-10'),
      referredByAccount: account,
      referredByCadre: cadre,
    });
    await em.flush();
    await em.nativeUpdate(Demand, { id: demand.id }, { status: DemandStatus.IN_PROGRESS });
    await createPetitionCase(em, { household: demand.household, status: PetitionCaseStatus.IN_PROGRESS, majorBacklog: true, responsibleLeader: leader });
    const leaderAccount = await createAccount(em, { cadre: leader });
    const handler = await createCadre(em, { unit, name: '李四' });
    const handlerAccount = await createAccount(em, { cadre: handler });
    em.create(UnitHandler, { unit, cadre: handler, designatedByAccount: leaderAccount, startedAt: at('2026-06-01') });
    // A handler since moved to another unit (the designation was never ended): handles nothing, is not told.
    const moved = await createCadre(em, { unit: await createUnit(em, { region: regions.xihu }), name: '调走的联络员' });
    await createAccount(em, { cadre: moved });
    em.create(UnitHandler, { unit, cadre: moved, designatedByAccount: leaderAccount, startedAt: at('2026-06-01') });
    await em.flush();

    expect(await sweep('2026-06-25')).toEqual({ escalated: 0, more: false });
    expect(await sweep('2026-06-26')).toEqual({ escalated: 1, more: false });
    const [row] = await rowsOf(demand.id);
    expect([row!.level, row!.lapsedDueOn, row!.leaderCadre?.name, row!.referral?.id]).toEqual([1, '2026-06-25', '王副市长', referral.id]);
    const [step] = await eventsOf(demand.id, DemandEventKind.ESCALATED);
    expect(step!.referral?.id).toBe(referral.id);
    // Told: the household's cadre, the referral's unit's handler, the case's leader — one notice each.
    const notices = await orm.em.fork().find(Notice, { demand: demand.id, kind: NoticeKind.DEMAND_ESCALATED });
    expect(notices.map((notice) => notice.recipientAccount.id).sort((a, b) => a - b)).toEqual(
      [account.id, handlerAccount.id, leaderAccount.id].sort((a, b) => a - b),
    );
    expect(notices[0]!.title).toBe('诉求超期督办：本单位');
    expect(notices[0]!.body).toContain('已超期1天');

    clock.set(at('2026-06-26'));
    const body = await graphql<SupervisionBody['data']>(SUPERVISION, { filter: { unitId: String(unit.id) } }, tokens.city);
    expect(body.errors).toBeUndefined();
    expect(body.data!.supervisionList.nodes.map((node) => [node.demand.id, node.level, node.leaderName, node.daysOverdue, node.rungName])).toEqual([
      [String(demand.id), 1, '王副市长', 1, '本单位'],
    ]);
  });

  it("settles an older lapse's open rows when a new lapse escalates (a referral made while escalated)", async () => {
    const demand = await lapsingDemand('2026-06-20');
    await sweep('2026-06-24');
    const em = orm.em.fork();
    em.create(DemandReferral, {
      demand: demand.id,
      unit,
      status: ReferralStatus.PENDING,
      dueOn: '2026-06-27',
      referredAt: at('2026-06-24'),
      referredByAccount: await em.findOneOrFail(UserAccount, { cadre: cadre.id }),
      referredByCadre: cadre,
    });
    await em.flush();
    await em.nativeUpdate(Demand, { id: demand.id }, { status: DemandStatus.REFERRED });
    // Not lapsed by the referral's date yet: nothing new, the older rows as they were.
    expect(await sweep('2026-06-27')).toEqual({ escalated: 0, more: false });
    expect(await sweep('2026-06-28')).toEqual({ escalated: 1, more: false });
    expect((await rowsOf(demand.id)).map((row) => [row.lapsedDueOn, row.level, row.settledAt?.toISOString() ?? null])).toEqual([
      ['2026-06-20', 1, at('2026-06-28').toISOString()],
      ['2026-06-20', 2, at('2026-06-28').toISOString()],
      ['2026-06-27', 1, null],
    ]);
    expect((await orm.em.fork().findOneOrFail(Demand, demand.id)).escalationRung).toBe(1);
  });

  it('an instruction sets the new due date, settles the open escalations, and a new lapse climbs again from rung 1', async () => {
    const demand = await lapsingDemand('2026-06-20');
    await sweep('2026-06-25');
    expect((await rowsOf(demand.id)).map((row) => row.level)).toEqual([1, 2]);

    clock.set(at('2026-06-25'));
    const clientId = randomUUID();
    const input = { demandId: String(demand.id), clientId, note: '请民政局三日内入户核实', newDueOn: '2026-06-30' };
    const body = await graphql<{
      instructDemand: { dueOn: string; escalationRung: number; status: string; events: { kind: string; dueOn: string | null; note: string | null }[] };
    }>(INSTRUCT, { input }, tokens.pingshan);
    expect(body.errors).toBeUndefined();
    expect(body.data!.instructDemand).toMatchObject({ dueOn: '2026-06-30', escalationRung: 0, status: 'OPEN' });
    expect(body.data!.instructDemand.events.at(-1)).toMatchObject({ kind: 'INSTRUCTED', dueOn: '2026-06-30', note: '请民政局三日内入户核实' });
    expect((await rowsOf(demand.id)).every((row) => row.settledAt !== null)).toBe(true);
    const [instructed] = await eventsOf(demand.id, DemandEventKind.INSTRUCTED);
    expect(instructed!.actorLabel).toBe('平山区管理员');
    const cadreAccount = await orm.em.fork().findOneOrFail(UserAccount, { cadre: cadre.id });
    const told = await orm.em.fork().find(Notice, { demand: demand.id, kind: NoticeKind.DEMAND_INSTRUCTED });
    expect(told.map((notice) => notice.recipientAccount.id)).toEqual([cadreAccount.id]);

    // A resend answers the same and writes only an audit entry.
    const before = await written(demand.id);
    const again = await graphql<{ instructDemand: { dueOn: string } }>(INSTRUCT, { input }, tokens.pingshan);
    expect(again.data!.instructDemand.dueOn).toBe('2026-06-30');
    const after = await written(demand.id);
    expect(after).toEqual({ ...before, audits: before.audits + 1 });
    // The same clientId for another instruction is refused.
    const other = await graphql(INSTRUCT, { input: { ...input, note: '另一条批示' } }, tokens.pingshan);
    expect(errorOf(other)).toMatchObject({ code: 'CONFLICT' });

    // Not lapsed until the new due date has passed; then the new lapse climbs from rung 1.
    expect(await sweep('2026-06-30')).toEqual({ escalated: 0, more: false });
    expect(await sweep('2026-07-01')).toEqual({ escalated: 1, more: false });
    const rows = await rowsOf(demand.id);
    expect(rows.map((row) => [row.lapsedDueOn, row.level, row.settledAt === null])).toEqual([
      ['2026-06-20', 1, false],
      ['2026-06-20', 2, false],
      ['2026-06-30', 1, true],
    ]);
    expect((await orm.em.fork().findOneOrFail(Demand, demand.id)).escalationRung).toBe(1);
  });

  it('a reopened demand (不满意) gets a fresh due date: nothing escalates at once, and its new lapse climbs from rung 1', async () => {
    const demand = await lapsingDemand('2026-06-20');
    expect(await sweep('2026-07-10')).toEqual({ escalated: 4, more: false });
    // Resolved (the resolution settles the escalations), then the household is not satisfied on a later visit.
    const em = orm.em.fork();
    await em.nativeUpdate(Demand, { id: demand.id }, { status: DemandStatus.RESOLVED, resolvedAt: at('2026-07-11') });
    await em.transactional((tx) => settleEscalations(tx, demand.id, at('2026-07-11')));
    clock.set(at('2026-07-12'));
    const answer = await graphql<{ confirmDemandResolved: { status: string; dueOn: string } }>(
      'mutation ($input: DemandConfirmationInput!) { confirmDemandResolved(input: $input) { status dueOn } }',
      { input: { demandId: String(demand.id), clientId: randomUUID(), satisfaction: 'DISSATISFIED', note: '屋顶仍漏雨' } },
      tokens.cadre,
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.confirmDemandResolved.status).toBe('OPEN');
    const dueOn = answer.data!.confirmDemandResolved.dueOn;
    expect(dueOn > '2026-07-12').toBe(true);
    expect(await sweep('2026-07-13')).toEqual({ escalated: 0, more: false });
    expect((await orm.em.fork().findOneOrFail(Demand, demand.id)).escalationRung).toBe(0);
    const dayAfter = addDays(dueOn, 1);
    expect(await sweep(dayAfter)).toEqual({ escalated: 1, more: false });
    expect((await rowsOf(demand.id)).filter((row) => row.settledAt === null).map((row) => [row.lapsedDueOn, row.level])).toEqual([[dueOn, 1]]);
  });

  it('refuses an instruction out of scope, on a demand not escalated, with a due date past or too far, or an oversize note — writing nothing', async () => {
    const escalated = await lapsingDemand('2026-06-20');
    const quiet = await lapsingDemand('2026-07-30');
    await sweep('2026-06-22');
    clock.set(at('2026-06-22'));
    const instruct = (token: string, input: Partial<Record<string, string>>) =>
      graphql(INSTRUCT, { input: { demandId: String(escalated.id), clientId: randomUUID(), note: '督办', newDueOn: '2026-06-29', ...input } }, token);
    const before = await written(escalated.id);
    const beforeQuiet = await written(quiet.id);

    expect(errorOf(await instruct(tokens.xihu, {}))).toMatchObject({ code: 'FORBIDDEN' });
    expect(errorOf(await instruct(tokens.analyst, {}))).toMatchObject({ code: 'FORBIDDEN' });
    expect(errorOf(await instruct(tokens.cadre, {}))).toMatchObject({ code: 'FORBIDDEN' });
    // 站前街道's administrator holds the household but not rung 1's target (平山区).
    expect(errorOf(await instruct(tokens.zhanqian, {}))).toMatchObject({ code: 'FORBIDDEN' });
    expect(errorOf(await instruct(tokens.pingshan, { demandId: String(quiet.id) }))).toMatchObject({ code: 'CONFLICT' });
    expect(errorOf(await instruct(tokens.pingshan, { newDueOn: '2026-06-22' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.newDueOn' });
    expect(errorOf(await instruct(tokens.pingshan, { newDueOn: '2026-06-01' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.newDueOn' });
    expect(errorOf(await instruct(tokens.pingshan, { newDueOn: '2026-09-21' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.newDueOn' });
    expect(errorOf(await instruct(tokens.pingshan, { note: '督'.repeat(501) }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.note' });
    expect(errorOf(await instruct(tokens.pingshan, { note: '   ' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.note' });
    expect(errorOf(await instruct(tokens.pingshan, { clientId: 'short' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.clientId' });
    expect(await written(escalated.id)).toEqual(before);
    expect(await written(quiet.id)).toEqual(beforeQuiet);

    // At most 90 days ahead is accepted; the city's administrator may instruct too.
    const ok = await instruct(tokens.city, { newDueOn: '2026-09-20' });
    expect(ok.errors).toBeUndefined();
  });

  it('supervisionList: open escalations in scope only, oldest first, by level, at my level, paged', async () => {
    const first = await lapsingDemand('2026-06-20');
    await sweep('2026-06-21');
    const second = await lapsingDemand('2026-06-20');
    await sweep('2026-06-24'); // first → rung 2, second → rungs 1 and 2
    const em = orm.em.fork();
    const far = await createDemand(em, { household: await createHousehold(em, { region: regions.xiangyang }), dueOn: '2026-06-20' });
    await sweep('2026-06-25');
    expect((await rowsOf(far.id)).map((row) => row.targetRegion.name)).toEqual(['河东街道', '河东街道']);
    clock.set(at('2026-06-25'));

    const list = async (token: string, variables: Record<string, unknown> = {}) => {
      const body = await graphql<SupervisionBody['data']>(SUPERVISION, variables, token);
      expect(body.errors).toBeUndefined();
      return body.data!.supervisionList;
    };
    const mine = (nodes: SupervisionNode[]) => nodes.map((node) => [Number(node.demand.id), node.level]);
    const city = await list(tokens.city);
    expect(mine(city.nodes)).toEqual([
      [first.id, 1],
      [first.id, 2],
      [second.id, 1],
      [second.id, 2],
      [far.id, 1],
      [far.id, 2],
    ]);
    expect(city.nodes[0]).toMatchObject({ rungName: '本单位', targetRegionName: '平山区', lapsedDueOn: '2026-06-20', daysOverdue: 5, settledAt: null });
    expect(mine((await list(tokens.pingshan)).nodes)).toEqual([
      [first.id, 1],
      [first.id, 2],
      [second.id, 1],
      [second.id, 2],
    ]);
    // 站前街道 holds rung 2's target, not rung 1's (平山区); 溪湖区 holds none of 平山区's.
    expect(mine((await list(tokens.zhanqian)).nodes)).toEqual([
      [first.id, 2],
      [second.id, 2],
    ]);
    expect(mine((await list(tokens.xihu)).nodes)).toEqual([
      [far.id, 1],
      [far.id, 2],
    ]);
    expect(mine((await list(tokens.pingshan, { filter: { atMyLevel: true } })).nodes)).toEqual([
      [first.id, 1],
      [second.id, 1],
    ]);
    expect(mine((await list(tokens.city, { filter: { level: 2 } })).nodes)).toEqual([
      [first.id, 2],
      [second.id, 2],
      [far.id, 2],
    ]);
    expect((await list(tokens.analyst)).totalCount).toBe(6);
    expect(errorOf(await graphql(SUPERVISION, {}, tokens.cadre))).toMatchObject({ code: 'FORBIDDEN' });

    const page1 = await list(tokens.city, { first: 4 });
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = await list(tokens.city, { first: 4, after: page1.pageInfo.endCursor });
    expect([...mine(page1.nodes), ...mine(page2.nodes)]).toEqual(mine(city.nodes));
    expect(page2.pageInfo.hasNextPage).toBe(false);

    // A page costs the same statements whatever its size, nested demand fields included.
    const NESTED = `query ($first: Int) { supervisionList(first: $first) { nodes { id rungName targetRegionName leaderName daysOverdue
      demand { id status effectiveDueOn overdue escalationRung currentReferral { id } events { kind actorLabel } household { id headName } } } } }`;
    // The fewest of two measured requests: a cache of the caller's account status that lapses between
    // the warm-up and a request (seconds apart on a loaded machine) adds one statement that is no page's.
    const cost = async (first: number) => {
      await graphql(NESTED, { first }, tokens.city); // warm the request-independent caches
      const counts: number[] = [];
      for (let attempt = 0; attempt < 2; attempt += 1) {
        statements.length = 0;
        const body = await graphql<SupervisionBody['data']>(NESTED, { first }, tokens.city);
        expect(body.errors).toBeUndefined();
        expect(body.data!.supervisionList.nodes).toHaveLength(first);
        counts.push(statements.length);
      }
      return Math.min(...counts);
    };
    const small = await cost(2);
    expect(small).toBeGreaterThan(2);
    expect(await cost(6)).toBe(small);

    // A forged cursor (an instant beyond what a Date holds) is the cursor's error, not an internal one.
    const forged = Buffer.from(JSON.stringify([9007199254740991, 1])).toString('base64url');
    expect(errorOf(await graphql(SUPERVISION, { after: forged }, tokens.city))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });

    // Settled escalations leave the list.
    await orm.em.fork().transactional((tx) => settleEscalations(tx, first.id, at('2026-06-25')));
    expect(mine((await list(tokens.pingshan)).nodes)).toEqual([
      [second.id, 1],
      [second.id, 2],
    ]);
    expect((await orm.em.fork().findOneOrFail(Demand, first.id)).escalationRung).toBe(0);
  });

  it('time limits and rungs: read by staff, set by the city’s administrators only, validated, writing nothing when refused', async () => {
    const DEADLINES = 'query { demandDeadlines { category demandDays referralDays } escalationRungs { level code name afterDays } }';
    const read = await graphql<{
      demandDeadlines: { category: string; demandDays: number; referralDays: number }[];
      escalationRungs: { level: number; code: string; name: string; afterDays: number }[];
    }>(DEADLINES, {}, tokens.analyst);
    expect(read.errors).toBeUndefined();
    expect(read.data!.demandDeadlines).toHaveLength(9);
    expect(read.data!.demandDeadlines.find((row) => row.category === 'HOUSING')).toEqual({ category: 'HOUSING', demandDays: 30, referralDays: 15 });
    expect(read.data!.escalationRungs.map((rung) => [rung.level, rung.code, rung.afterDays])).toEqual([
      [1, 'UNIT', 1],
      [2, 'TOWNSHIP', 4],
      [3, 'DISTRICT', 8],
      [4, 'CITY', 15],
    ]);
    expect(errorOf(await graphql(DEADLINES, {}, tokens.cadre))).toMatchObject({ code: 'FORBIDDEN' });

    const SET_DEADLINE = 'mutation ($input: SetDemandDeadlineInput!) { setDemandDeadline(input: $input) { category demandDays referralDays } }';
    const SET_RUNG = 'mutation ($input: SetEscalationRungInput!) { setEscalationRung(input: $input) { level name afterDays } }';
    const audits = () => orm.em.fork().count(AuditEntry, { operation: { $in: ['setDemandDeadline', 'setEscalationRung'] } });
    const auditsBefore = await audits();
    const refusals: [string, Record<string, unknown>, string, Record<string, unknown>][] = [
      [SET_DEADLINE, { category: 'LEGAL', demandDays: 20, referralDays: 10 }, tokens.pingshan, { code: 'FORBIDDEN' }],
      [SET_DEADLINE, { category: 'LEGAL', demandDays: 0, referralDays: 10 }, tokens.city, { code: 'BAD_USER_INPUT', field: 'input.demandDays' }],
      [SET_DEADLINE, { category: 'LEGAL', demandDays: 181, referralDays: 10 }, tokens.city, { code: 'BAD_USER_INPUT', field: 'input.demandDays' }],
      [SET_DEADLINE, { category: 'LEGAL', demandDays: 20, referralDays: 91 }, tokens.city, { code: 'BAD_USER_INPUT', field: 'input.referralDays' }],
      [SET_RUNG, { level: 2, name: '街镇', afterDays: 5 }, tokens.pingshan, { code: 'FORBIDDEN' }],
      [SET_RUNG, { level: 2, name: '街镇', afterDays: 1 }, tokens.city, { code: 'BAD_USER_INPUT', field: 'input.afterDays' }],
      [SET_RUNG, { level: 2, name: '街镇', afterDays: 8 }, tokens.city, { code: 'BAD_USER_INPUT', field: 'input.afterDays' }],
      [SET_RUNG, { level: 4, name: '市', afterDays: 366 }, tokens.city, { code: 'BAD_USER_INPUT', field: 'input.afterDays' }],
      // Rung 1 at 0 days would escalate a demand on its due day, before it is overdue.
      [SET_RUNG, { level: 1, name: '本单位', afterDays: 0 }, tokens.city, { code: 'BAD_USER_INPUT', field: 'input.afterDays' }],
      [SET_RUNG, { level: 9, name: '省', afterDays: 30 }, tokens.city, { code: 'BAD_USER_INPUT', field: 'input.level' }],
      [SET_RUNG, { level: 2, name: '', afterDays: 5 }, tokens.city, { code: 'BAD_USER_INPUT', field: 'input.name' }],
    ];
    for (const [mutation, input, token, expected] of refusals) {
      expect([input, errorOf(await graphql(mutation, { input }, token))]).toEqual([input, expect.objectContaining(expected)]);
    }
    expect(await audits()).toBe(auditsBefore);
    expect(await deadlineFor(orm.em.fork(), DemandCategory.LEGAL)).toEqual({ demandDays: 30, referralDays: 15 });

    const setDeadline = await graphql<{ setDemandDeadline: unknown }>(
      SET_DEADLINE,
      { input: { category: 'LEGAL', demandDays: 20, referralDays: 10 } },
      tokens.city,
    );
    expect(setDeadline.data?.setDemandDeadline).toEqual({ category: 'LEGAL', demandDays: 20, referralDays: 10 });
    expect(await deadlineFor(orm.em.fork(), DemandCategory.LEGAL)).toEqual({ demandDays: 20, referralDays: 10 });
    const setRung = await graphql<{ setEscalationRung: unknown }>(SET_RUNG, { input: { level: 2, name: '街镇', afterDays: 5 } }, tokens.city);
    expect(setRung.data?.setEscalationRung).toEqual({ level: 2, name: '街镇', afterDays: 5 });
    expect(await audits()).toBe(auditsBefore + 2);

    // The sweep reads the ladder as it is now: rung 2 at 5 days, not 4.
    const demand = await lapsingDemand('2026-06-20');
    await sweep('2026-06-24');
    expect((await rowsOf(demand.id)).map((row) => row.level)).toEqual([1]);
    await sweep('2026-06-25');
    expect((await rowsOf(demand.id)).map((row) => row.level)).toEqual([1, 2]);
    // A rung stored at 0 days (written before the minimum) is still reached only once the demand is overdue.
    const em = orm.em.fork();
    await em.nativeUpdate(Demand, { id: demand.id }, { status: DemandStatus.CONFIRMED });
    await em.nativeUpdate(EscalationRung, { level: 1 }, { afterDays: 0 });
    const dueToday = await lapsingDemand('2026-07-01');
    expect(await sweep('2026-07-01')).toEqual({ escalated: 0, more: false });
    expect(await sweep('2026-07-02')).toEqual({ escalated: 1, more: false });
    expect((await rowsOf(dueToday.id)).map((row) => row.level)).toEqual([1]);
    // Put the defaults back for the other tests.
    await em.nativeUpdate(EscalationRung, { level: 1 }, { afterDays: 1 });
    await em.nativeUpdate(EscalationRung, { level: 2 }, { name: '乡镇街道', afterDays: 4 });
  });

  if (kind === 'mysql') {
    it('a sweep racing resolutions leaves no open escalation on a resolved demand', async () => {
      const demands: Demand[] = [];
      for (let index = 0; index < 8; index += 1) demands.push(await lapsingDemand('2026-06-20'));
      const other = await createOrm({ database });
      try {
        // Resolutions the way the loop's transitions write them: the household's lock, the demand, then the settlement.
        const resolve = (demand: Demand) =>
          other.em.fork().transactional(async (tx) => {
            await tx.execute('update household set last_visit_at = last_visit_at where id = ?', [demand.household.id], 'run');
            await tx.nativeUpdate(Demand, { id: demand.id }, { status: DemandStatus.RESOLVED, resolvedAt: at('2026-06-26') });
            await settleEscalations(tx, demand.id, at('2026-06-26'));
          });
        await Promise.all([escalateLapsedDemands(orm.em.fork(), at('2026-06-26')), ...demands.filter((_, index) => index % 2 === 0).map(resolve)]);
        for (const [index, demand] of demands.entries()) {
          const fresh = await orm.em.fork().findOneOrFail(Demand, demand.id);
          const open = await orm.em.fork().count(DemandEscalation, { demand: demand.id, settledAt: null });
          if (index % 2 === 0) expect([fresh.status, fresh.escalationRung, open]).toEqual([DemandStatus.RESOLVED, 0, 0]);
          else expect([fresh.status, fresh.escalationRung, open]).toEqual([DemandStatus.OPEN, 2, 2]);
        }
      } finally {
        await other.close(true);
      }
    });

    it('two sweeps at once on two ORMs over the same database escalate each lapse once', async () => {
      const demands: Demand[] = [];
      for (let index = 0; index < 12; index += 1) demands.push(await lapsingDemand('2026-06-20'));
      const other = await createOrm({ database });
      try {
        const [a, b] = await Promise.all([escalateLapsedDemands(orm.em.fork(), at('2026-06-29')), escalateLapsedDemands(other.em.fork(), at('2026-06-29'))]);
        expect(a.escalated + b.escalated).toBe(12 * 3);
        for (const demand of demands) {
          expect((await rowsOf(demand.id)).map((row) => row.level)).toEqual([1, 2, 3]);
          expect((await eventsOf(demand.id, DemandEventKind.ESCALATED)).length).toBe(3);
        }
      } finally {
        await other.close(true);
      }
    });
  }
});
