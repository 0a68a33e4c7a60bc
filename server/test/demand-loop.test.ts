import { randomUUID } from 'node:crypto';
import { DemandStatus, ReferralStatus, Role, UnitKind, UnitLevel } from '@wanjia/shared';
import { loadConfig, type AppConfig, type DatabaseConfig } from '../src/config';
import { ManualClock } from '../src/core/clock';
import { DAY_MS, shanghaiDate } from '../src/core/time';
import { createOrm, type Orm } from '../src/db/orm';
import { ensureSqliteDefaults } from '../src/db/sqlite-backfills';
import { createLogger } from '../src/logger';
import { AuditEntry } from '../src/modules/audit/audit-entry.entity';
import type { Cadre } from '../src/modules/cadres/cadre.entity';
import { DemandEvent } from '../src/modules/demands/demand-event.entity';
import { DemandReferral } from '../src/modules/demands/demand-referral.entity';
import { Demand } from '../src/modules/demands/demand.entity';
import { demandPolicy } from '../src/modules/demands/demand.policy';
import type { Household } from '../src/modules/households/household.entity';
import type { Round } from '../src/modules/rounds/round.entity';
import type { Unit } from '../src/modules/units/unit.entity';
import { UnitHandler } from '../src/modules/units/unit-handler.entity';
import { errorOf } from './support/cadre-operations';
import { databaseKinds, dropScratchDatabase, migratedOrm, scratchDatabase } from './support/databases';
import {
  createAccount,
  createAssignment,
  createCadre,
  createDemand,
  createHousehold,
  createHouseholdWithResidents,
  createRegionTree,
  createRound,
  createUnit,
  tokenFor,
  type RegionTree,
} from './support/factories';
import { forgetAccountStatus } from '../src/modules/auth/account-status.service';
import { createTestApp, listenOnLoopback, type GraphQLBody } from './support/server';

/**
 * The demand loop's transitions and reads at the API (loop-core): every transition and its refusals
 * (which write nothing), exactly once per clientId, one winner of two racing accepts, what a unit's
 * handler reads (the referral, the demand, a masked household summary — never the household's file or an
 * ID number), a help record refusing a demand a unit holds, due dates from the category's time limits,
 * and the handlers' designation. The clock is a ManualClock; nothing sleeps.
 */

const TTL = 120 * 24 * 3600;

const REFERRAL = `id demandId status note dueOn overdue referredByName acceptedAt returnedAt returnReason resolvedAt resolution
  unit { id name kind level regionName } household { headName address maskedPhone regionName }`;
const DEMAND = `id status dueOn effectiveDueOn overdue escalationRung resolvedAt resolvedById
  currentReferral { id status } referrals { id status }
  events { kind note referralId unitName dueOn actorLabel }`;
const START = `mutation ($input: StartDemandWorkInput!) { startDemandWork(input: $input) { ${DEMAND} } }`;
const REFER = `mutation ($input: ReferDemandInput!) { referDemand(input: $input) { ${REFERRAL} } }`;
const ACCEPT = `mutation ($input: AcceptReferralInput!) { acceptReferral(input: $input) { ${REFERRAL} } }`;
const RETURN = `mutation ($input: ReturnReferralInput!) { returnReferral(input: $input) { ${REFERRAL} } }`;
const NOTE = `mutation ($input: NoteDemandProgressInput!) { noteDemandProgress(input: $input) { ${DEMAND} } }`;
const RESOLVE = `mutation ($input: ResolveReferralInput!) { resolveReferral(input: $input) { ${REFERRAL} demand { ${DEMAND} } } }`;
const TARGETS = 'query ($demandId: ID!) { referralTargets(demandId: $demandId) { id name kind level regionName } }';
const INBOX =
  'query ($status: ReferralStatus, $first: Int, $after: String) { myInbox(status: $status, first: $first, after: $after) { totalCount nodes { id status dueOn } pageInfo { hasNextPage endCursor } } }';
const SUMMARY = 'query { myLoopSummary { handlerUnits { id name } inboxPending inboxAccepted inboxOverdue unreadNotices isLeader } }';
const DESIGNATE =
  'mutation ($input: DesignateUnitHandlerInput!) { designateUnitHandler(input: $input) { id unitId unitName cadreId cadreName startedAt endedAt } }';
const END = 'mutation ($input: EndUnitHandlerInput!) { endUnitHandler(input: $input) { id endedAt endedReason } }';
const HANDLERS = 'query ($unitId: ID!, $all: Boolean) { unitHandlers(unitId: $unitId, includeEnded: $all) { id cadreName endedAt } }';
const STAFF_REFERRALS = 'query ($filter: DemandReferralFilter) { demandReferrals(filter: $filter) { totalCount nodes { id status } } }';
const SUBMIT = 'mutation ($input: HelpRecordInput!) { submitHelpRecord(input: $input) { id demandsRaised { id dueOn } } }';

describe.each(databaseKinds())('the demand loop (loop-core) on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let url: string;
  let stop: () => Promise<void>;
  let signer: { config: AppConfig };
  const clock = new ManualClock('2026-12-01T02:00:00.000Z'); // 10:00 in Shanghai
  let regions: RegionTree;
  let round: Round;
  let bureau: Unit; // 本溪市民政局, the city's: in reach of every household
  let farUnit: Unit; // 溪湖区住建局: another district's, out of reach of 东兴社区
  let idleUnit: Unit; // 平山区人社局: in reach, but no handler
  let cadre: Cadre;
  let handler: Cadre;
  let secondHandler: Cadre;
  const tokens: Record<'cadre' | 'handler' | 'second' | 'outsider' | 'admin' | 'xihuAdmin' | 'analyst', string> = {} as never;

  async function graphql<T>(query: string, variables: Record<string, unknown>, who: keyof typeof tokens): Promise<GraphQLBody<T>> {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[who]}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLBody<T>;
  }

  /** A household of the cadre in 东兴社区 with one OPEN demand, due in 15 days. */
  async function openDemand(extra: { phone?: string } = {}): Promise<{ household: Household; demandId: string }> {
    const em = orm.em.fork();
    const household = await createHousehold(em, {
      region: regions.dongxing,
      headName: '赵桂兰',
      address: '东兴社区3号楼2单元',
      phone: extra.phone ?? '13912345678',
    });
    await createAssignment(em, { cadre, household, round, startedAt: new Date(clock.now().getTime() - 60 * DAY_MS) });
    const demand = await createDemand(em, {
      household,
      raisedAt: new Date(clock.now().getTime() - DAY_MS),
      dueOn: shanghaiDate(new Date(clock.now().getTime() + 15 * DAY_MS)),
    });
    return { household, demandId: String(demand.id) };
  }

  async function refer(demandId: string, extra: Record<string, unknown> = {}): Promise<string> {
    const body = await graphql<{ referDemand: { id: string } }>(
      REFER,
      { input: { demandId, clientId: randomUUID(), unitId: String(bureau.id), note: '请协助解决', ...extra } },
      'cadre',
    );
    expect(body.errors).toBeUndefined();
    return body.data!.referDemand.id;
  }

  /** What a refusal must leave as it was: the demand's steps, its referrals, the audit trail, the notices. */
  async function written(demandId: string): Promise<Record<string, number>> {
    const em = orm.em.fork();
    const [notices] = await em.execute<{ n: number | string }[]>('select count(*) as n from notice where demand_id = ?', [Number(demandId)]);
    const demand = await em.findOneOrFail(Demand, Number(demandId));
    return {
      events: await em.count(DemandEvent, { demand: Number(demandId) }),
      referrals: await em.count(DemandReferral, { demand: Number(demandId) }),
      audits: await em.count(AuditEntry, {}),
      notices: Number(notices?.n ?? 0),
      status: Object.values(DemandStatus).indexOf(demand.status),
    };
  }

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'lc_demand_loop'));
    const em = orm.em.fork();
    regions = await createRegionTree(em);
    round = await createRound(em, { name: '2026 轮次' });
    bureau = await createUnit(em, { name: '本溪市民政局', kind: UnitKind.AGENCY, level: UnitLevel.CITY, region: regions.city });
    farUnit = await createUnit(em, { name: '溪湖区住建局', kind: UnitKind.AGENCY, level: UnitLevel.COUNTY, region: regions.xihu });
    idleUnit = await createUnit(em, { name: '平山区人社局', kind: UnitKind.AGENCY, level: UnitLevel.COUNTY, region: regions.pingshan });
    const home = await createUnit(em, { name: '平山区发改局', kind: UnitKind.AGENCY, level: UnitLevel.COUNTY, region: regions.pingshan });
    cadre = await createCadre(em, { unit: home, name: '刘建华' });
    handler = await createCadre(em, { unit: bureau, name: '李红梅' });
    secondHandler = await createCadre(em, { unit: bureau, name: '周立新' });
    const farHandler = await createCadre(em, { unit: farUnit, name: '孙海' });
    const outsider = await createCadre(em, { unit: home, name: '陈志强' });
    const config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', JOBS_ENABLED: 'false' }), port: 0, database };
    const app = await createTestApp({ config, orm, logger: createLogger(config), clock });
    url = await listenOnLoopback(app);
    stop = () => app.stop();
    signer = { config };
    tokens.cadre = await tokenFor(await createAccount(em, { cadre }), signer, TTL);
    tokens.handler = await tokenFor(await createAccount(em, { cadre: handler }), signer, TTL);
    tokens.second = await tokenFor(await createAccount(em, { cadre: secondHandler }), signer, TTL);
    tokens.outsider = await tokenFor(await createAccount(em, { cadre: outsider }), signer, TTL);
    tokens.admin = await tokenFor(await createAccount(em, { role: Role.ADMIN, scopeRegion: regions.city }), signer, TTL);
    tokens.xihuAdmin = await tokenFor(await createAccount(em, { role: Role.ADMIN, scopeRegion: regions.xihu }), signer, TTL);
    tokens.analyst = await tokenFor(await createAccount(em, { role: Role.ANALYST, scopeRegion: regions.pingshan }), signer, TTL);
    // The far unit's handler, so that only reach (not a missing handler) keeps it out of the targets.
    await em
      .fork()
      .getConnection()
      .execute('insert into unit_handler (unit_id, cadre_id, designated_by_account_id, started_at, created_at) values (?, ?, ?, ?, ?)', [
        farUnit.id,
        farHandler.id,
        1,
        em.getPlatform().processDateProperty(clock.now()),
        em.getPlatform().processDateProperty(clock.now()),
      ]);
  });

  afterAll(async () => {
    await stop?.();
    await orm?.close(true);
    if (database) await dropScratchDatabase(database);
  });

  it("designates handlers by the unit's administrators only, one active row per cadre, a cadre of that unit", async () => {
    const designate = (cadreId: number, who: 'admin' | 'xihuAdmin' | 'analyst' = 'admin', unitId = bureau.id) =>
      graphql<{ designateUnitHandler: { id: string; unitName: string; cadreName: string; endedAt: string | null } }>(
        DESIGNATE,
        { input: { unitId: String(unitId), cadreId: String(cadreId) } },
        who,
      );
    const first = await designate(handler.id);
    expect(first.errors).toBeUndefined();
    expect(first.data!.designateUnitHandler).toMatchObject({ unitName: '本溪市民政局', cadreName: '李红梅', endedAt: null });
    expect((await designate(secondHandler.id)).errors).toBeUndefined();

    const before = await orm.em.fork().count(UnitHandler, {});
    expect(errorOf(await designate(handler.id))).toMatchObject({ code: 'CONFLICT' });
    expect(errorOf(await designate(cadre.id))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.cadreId' });
    // Another district's administrator does not manage a city unit; an analyst designates nothing.
    expect(errorOf(await designate(handler.id, 'xihuAdmin'))).toMatchObject({ code: 'FORBIDDEN' });
    expect(errorOf(await designate(handler.id, 'analyst'))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await orm.em.fork().count(UnitHandler, {})).toBe(before);

    const listed = await graphql<{ unitHandlers: { cadreName: string }[] }>(HANDLERS, { unitId: String(bureau.id) }, 'admin');
    expect(listed.data!.unitHandlers.map((row) => row.cadreName).sort()).toEqual(['周立新', '李红梅']);
  });

  it('lists as referral targets the units in reach of the household that have an active handler', async () => {
    const { demandId } = await openDemand();
    const targets = await graphql<{ referralTargets: { name: string; regionName: string }[] }>(TARGETS, { demandId }, 'cadre');
    expect(targets.errors).toBeUndefined();
    expect(targets.data!.referralTargets).toEqual([expect.objectContaining({ name: '本溪市民政局', regionName: '本溪市', kind: 'AGENCY', level: 'CITY' })]);
    expect(idleUnit.id).not.toBe(bureau.id);
    // Only the household's cadre: another cadre, a handler, staff are refused.
    expect(errorOf(await graphql(TARGETS, { demandId }, 'outsider'))).toMatchObject({ code: 'FORBIDDEN' });
    expect(errorOf(await graphql(TARGETS, { demandId }, 'handler'))).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('runs start → refer → accept → note → resolve → confirm, with every step, notice and audit entry', async () => {
    const { demandId } = await openDemand();
    const started = await graphql<{ startDemandWork: { status: string; events: { kind: string; actorLabel: string }[] } }>(
      START,
      { input: { demandId, clientId: randomUUID(), note: '先去民政窗口问了' } },
      'cadre',
    );
    expect(started.errors).toBeUndefined();
    expect(started.data!.startDemandWork.status).toBe('IN_PROGRESS');
    expect(started.data!.startDemandWork.events.at(-1)).toEqual(expect.objectContaining({ kind: 'WORK_STARTED', actorLabel: '干部 刘建华' }));

    const today = shanghaiDate(clock.now());
    const referred = await graphql<{ referDemand: { id: string; status: string; dueOn: string; referredByName: string; unit: { name: string } } }>(
      REFER,
      { input: { demandId, clientId: randomUUID(), unitId: String(bureau.id), note: '低保申请材料已齐' } },
      'cadre',
    );
    expect(referred.errors).toBeUndefined();
    // HOUSING's referralDays: 15 from today.
    const due = shanghaiDate(new Date(Date.parse(`${today}T00:00:00Z`) + 15 * DAY_MS));
    expect(referred.data!.referDemand).toMatchObject({ status: 'PENDING', dueOn: due, referredByName: '刘建华', unit: { name: '本溪市民政局' } });
    const referralId = referred.data!.referDemand.id;
    const em = orm.em.fork();
    expect((await em.findOneOrFail(Demand, Number(demandId))).status).toBe(DemandStatus.REFERRED);
    const [toUnit] = await em.execute<{ n: number | string }[]>("select count(*) as n from notice where referral_id = ? and kind = 'REFERRED_TO_UNIT'", [
      Number(referralId),
    ]);
    expect(Number(toUnit!.n)).toBe(2); // both handlers

    const inbox = await graphql<{ myInbox: { nodes: { id: string; status: string }[] } }>(INBOX, { status: 'PENDING' }, 'handler');
    expect(inbox.data!.myInbox.nodes.map((node) => node.id)).toContain(referralId);
    // The cadre handed it over: no note from the cadre while a unit has it.
    expect(errorOf(await graphql(NOTE, { input: { demandId, clientId: randomUUID(), note: '催办' } }, 'cadre'))).toMatchObject({ code: 'CONFLICT' });

    const accepted = await graphql<{ acceptReferral: { status: string; acceptedAt: string } }>(
      ACCEPT,
      { input: { referralId, clientId: randomUUID() } },
      'handler',
    );
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data!.acceptReferral.status).toBe('ACCEPTED');
    const noted = await graphql<{
      noteDemandProgress: {
        status: string;
        effectiveDueOn: string;
        currentReferral: { status: string };
        events: { kind: string; actorLabel: string; unitName: string | null }[];
      };
    }>(NOTE, { input: { demandId, clientId: randomUUID(), note: '已受理，正在审核' } }, 'handler');
    expect(noted.errors).toBeUndefined();
    expect(noted.data!.noteDemandProgress).toMatchObject({ status: 'IN_PROGRESS', effectiveDueOn: due, currentReferral: { status: 'ACCEPTED' } });
    expect(noted.data!.noteDemandProgress.events.at(-1)).toEqual(
      expect.objectContaining({ kind: 'PROGRESS_NOTED', actorLabel: '本溪市民政局 联络员 李红梅', unitName: '本溪市民政局' }),
    );

    const resolved = await graphql<{
      resolveReferral: {
        status: string;
        resolution: string;
        demand: { status: string; resolvedAt: string; resolvedById: string | null; currentReferral: null; events: { kind: string }[] };
      };
    }>(RESOLVE, { input: { referralId, clientId: randomUUID(), resolution: '已纳入低保，12月起发放' } }, 'handler');
    expect(resolved.errors).toBeUndefined();
    expect(resolved.data!.resolveReferral).toMatchObject({ status: 'RESOLVED', resolution: '已纳入低保，12月起发放' });
    expect(resolved.data!.resolveReferral.demand).toMatchObject({ status: 'RESOLVED', resolvedById: null, currentReferral: null });
    expect(resolved.data!.resolveReferral.demand.resolvedAt).toBe(clock.now().toISOString());
    expect(resolved.data!.resolveReferral.demand.events.map((event) => event.kind)).toEqual([
      'WORK_STARTED',
      'REFERRED',
      'ACCEPTED',
      'PROGRESS_NOTED',
      'RESOLVED',
    ]);
    const [awaiting] = await em.execute<{ n: number | string }[]>("select count(*) as n from notice where demand_id = ? and kind = 'AWAITING_CONFIRMATION'", [
      Number(demandId),
    ]);
    expect(Number(awaiting!.n)).toBe(1);

    const confirmed = await graphql<{ confirmDemandResolved: { status: string } }>(
      'mutation ($input: DemandConfirmationInput!) { confirmDemandResolved(input: $input) { status } }',
      { input: { demandId, clientId: randomUUID(), satisfaction: 'SATISFIED' } },
      'cadre',
    );
    expect(confirmed.errors).toBeUndefined();
    expect(confirmed.data!.confirmDemandResolved.status).toBe('CONFIRMED');
    const operations = (
      await em.find(
        AuditEntry,
        {
          $or: [
            { entityName: 'Demand', entityId: demandId },
            { entityName: 'DemandReferral', entityId: referralId },
          ],
        },
        { orderBy: { id: 'asc' } },
      )
    ).map((entry) => entry.operation);
    expect(operations).toEqual(['startDemandWork', 'referDemand', 'acceptReferral', 'noteDemandProgress', 'resolveReferral', 'confirmDemandResolved']);
  });

  it('returns a referral with a reason: the demand is OPEN with its cadre again, who is told', async () => {
    const { demandId } = await openDemand();
    const referralId = await refer(demandId);
    const blank = await graphql(RETURN, { input: { referralId, clientId: randomUUID(), reason: '   ' } }, 'handler');
    expect(errorOf(blank)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reason' });
    const oversize = await graphql(RETURN, { input: { referralId, clientId: randomUUID(), reason: '退'.repeat(501) } }, 'handler');
    expect(errorOf(oversize)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reason' });
    const before = await written(demandId);
    const returned = await graphql<{ returnReferral: { status: string; returnReason: string } }>(
      RETURN,
      { input: { referralId, clientId: randomUUID(), reason: '不属于本单位职责，应由住建部门办理' } },
      'handler',
    );
    expect(returned.errors).toBeUndefined();
    expect(returned.data!.returnReferral).toMatchObject({ status: 'RETURNED', returnReason: '不属于本单位职责，应由住建部门办理' });
    const after = await written(demandId);
    expect(after).toMatchObject({ events: before.events + 1, referrals: before.referrals, notices: before.notices + 1 });
    const em = orm.em.fork();
    expect((await em.findOneOrFail(Demand, Number(demandId))).status).toBe(DemandStatus.OPEN);
    const [told] = await em.execute<{ kind: string }[]>(
      'select n.kind from notice n join user_account a on a.id = n.recipient_account_id where n.demand_id = ? and a.cadre_id = ?',
      [Number(demandId), cadre.id],
    );
    expect(told?.kind).toBe('REFERRAL_RETURNED');
    // A returned referral is history: it cannot be accepted or resolved any more.
    expect(errorOf(await graphql(ACCEPT, { input: { referralId, clientId: randomUUID() } }, 'handler'))).toMatchObject({ code: 'CONFLICT' });
    // And the cadre may refer again (to the same unit or another).
    await refer(demandId);
  });

  it('refuses transitions from the wrong status, out-of-reach units and bad due dates, writing nothing', async () => {
    const { demandId } = await openDemand();
    const cases: [string, Record<string, unknown>, keyof typeof tokens, Record<string, unknown>][] = [
      [REFER, { demandId, unitId: String(farUnit.id) }, 'cadre', { code: 'BAD_USER_INPUT', field: 'input.unitId' }],
      [REFER, { demandId, unitId: String(idleUnit.id) }, 'cadre', { code: 'BAD_USER_INPUT', field: 'input.unitId' }],
      [
        REFER,
        { demandId, unitId: String(bureau.id), dueOn: shanghaiDate(new Date(clock.now().getTime() - DAY_MS)) },
        'cadre',
        { code: 'BAD_USER_INPUT', field: 'input.dueOn' },
      ],
      [
        REFER,
        { demandId, unitId: String(bureau.id), dueOn: shanghaiDate(new Date(clock.now().getTime() + 91 * DAY_MS)) },
        'cadre',
        { code: 'BAD_USER_INPUT', field: 'input.dueOn' },
      ],
      [REFER, { demandId, unitId: String(bureau.id), note: '\u0007' }, 'cadre', { code: 'BAD_USER_INPUT' }],
      [REFER, { demandId, unitId: String(bureau.id) }, 'outsider', { code: 'FORBIDDEN' }],
      [START, { demandId }, 'handler', { code: 'FORBIDDEN' }],
      [NOTE, { demandId, note: '' }, 'cadre', { code: 'BAD_USER_INPUT', field: 'input.note' }],
      [NOTE, { demandId, note: '进展' }, 'outsider', { code: 'FORBIDDEN' }],
    ];
    for (const [query, input, who, expected] of cases) {
      const before = await written(demandId);
      const body = await graphql(query, { input: { clientId: randomUUID(), ...input } }, who);
      expect({ input, error: errorOf(body) }).toEqual({ input, error: expect.objectContaining(expected) });
      expect(await written(demandId)).toEqual(before);
    }

    const referralId = await refer(demandId);
    const refusals: [string, Record<string, unknown>, keyof typeof tokens, string][] = [
      [START, { demandId }, 'cadre', 'startDemandWork not allowed from REFERRED'],
      [REFER, { demandId, unitId: String(bureau.id) }, 'cadre', 'referDemand not allowed from REFERRED'],
      [RESOLVE, { referralId, resolution: '已办' }, 'handler', 'resolveReferral not allowed from REFERRED'],
      [NOTE, { demandId, note: '还没签收' }, 'handler', 'noteDemandProgress not allowed from REFERRED'],
    ];
    for (const [query, input, who, message] of refusals) {
      const before = await written(demandId);
      const body = await graphql(query, { input: { clientId: randomUUID(), ...input } }, who);
      expect(errorOf(body)).toEqual(expect.objectContaining({ code: 'CONFLICT', status: 'REFERRED' }));
      expect(errorOf(body)).not.toHaveProperty('field');
      expect(body.errors![0]!.message).toContain(message);
      expect(await written(demandId)).toEqual(before);
    }
    // Not a handler of the unit: FORBIDDEN, like a referral that does not exist.
    expect(errorOf(await graphql(ACCEPT, { input: { referralId, clientId: randomUUID() } }, 'cadre'))).toMatchObject({ code: 'FORBIDDEN' });
    expect(errorOf(await graphql(ACCEPT, { input: { referralId: '999999', clientId: randomUUID() } }, 'handler'))).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('answers a resend of the same clientId with the same outcome and writes only an audit entry; another action under it is refused', async () => {
    const { demandId } = await openDemand();
    const referralId = await refer(demandId);
    const clientId = randomUUID();
    const first = await graphql<{ acceptReferral: { id: string; status: string; acceptedAt: string } }>(ACCEPT, { input: { referralId, clientId } }, 'handler');
    expect(first.errors).toBeUndefined();
    const before = await written(demandId);
    const again = await graphql<{ acceptReferral: { id: string; status: string; acceptedAt: string } }>(ACCEPT, { input: { referralId, clientId } }, 'handler');
    expect(again.errors).toBeUndefined();
    expect(again.data!.acceptReferral).toEqual(first.data!.acceptReferral);
    expect(await written(demandId)).toEqual({ ...before, audits: before.audits + 1 });
    const resend = await orm.em.fork().findOneOrFail(AuditEntry, { operation: 'resendDemandAction', entityId: demandId });
    expect(JSON.parse(resend.changes!)).toMatchObject({ mutation: 'acceptReferral', clientId });

    const reused = await graphql(RESOLVE, { input: { referralId, clientId, resolution: '已办结' } }, 'handler');
    expect(errorOf(reused)).toMatchObject({ code: 'CONFLICT', field: 'input.clientId' });
    expect(await written(demandId)).toEqual({ ...before, audits: before.audits + 1 });
  });

  it('refuses a clientId sent again with another note or another unit: a new step whose first answer was lost is never swallowed as a resend', async () => {
    const { demandId } = await openDemand();
    const noteId = randomUUID();
    expect((await graphql(NOTE, { input: { demandId, clientId: noteId, note: '已联系物业' } }, 'cadre')).errors).toBeUndefined();
    const before = await written(demandId);
    const same = await graphql(NOTE, { input: { demandId, clientId: noteId, note: '已联系物业' } }, 'cadre');
    expect(same.errors).toBeUndefined();
    const other = await graphql(NOTE, { input: { demandId, clientId: noteId, note: '物业已派人维修' } }, 'cadre');
    expect(errorOf(other)).toMatchObject({ code: 'CONFLICT', field: 'input.clientId' });
    expect(await written(demandId)).toEqual({ ...before, audits: before.audits + 1 });

    const referId = randomUUID();
    const referral = await graphql(REFER, { input: { demandId, clientId: referId, unitId: String(bureau.id), note: '请协助解决' } }, 'cadre');
    expect(referral.errors).toBeUndefined();
    const afterReferral = await written(demandId);
    const elsewhere = await graphql(REFER, { input: { demandId, clientId: referId, unitId: String(idleUnit.id), note: '请协助解决' } }, 'cadre');
    expect(errorOf(elsewhere)).toMatchObject({ code: 'CONFLICT', field: 'input.clientId' });
    const reworded = await graphql(REFER, { input: { demandId, clientId: referId, unitId: String(bureau.id), note: '请尽快解决' } }, 'cadre');
    expect(errorOf(reworded)).toMatchObject({ code: 'CONFLICT', field: 'input.clientId' });
    expect(await written(demandId)).toEqual(afterReferral);
  });

  it('gives one winner when two handlers accept one referral at once; the other gets CONFLICT naming the status', async () => {
    const { demandId } = await openDemand();
    const referralId = await refer(demandId);
    const [a, b] = await Promise.all([
      graphql(ACCEPT, { input: { referralId, clientId: randomUUID() } }, 'handler'),
      graphql(ACCEPT, { input: { referralId, clientId: randomUUID() } }, 'second'),
    ]);
    const outcomes = [a, b].map((body) => (body.errors ? errorOf(body)!.code : 'OK')).sort();
    expect(outcomes).toEqual(['CONFLICT', 'OK']);
    const loser = [a, b].find((body) => body.errors)!;
    expect(loser.errors![0]!.message).toContain('not allowed from IN_PROGRESS');
    const em = orm.em.fork();
    expect(await em.count(DemandEvent, { demand: Number(demandId), kind: 'ACCEPTED' as never })).toBe(1);
    expect((await em.findOneOrFail(DemandReferral, Number(referralId))).status).toBe(ReferralStatus.ACCEPTED);
  });

  it("shows a handler the referral, its demand and a masked household summary — never the household's file", async () => {
    const em = orm.em.fork();
    const { household } = await createHouseholdWithResidents(
      em,
      { region: regions.dongxing, headName: '钱秀英', address: '东兴社区7号楼', phone: '13700001111' },
      [{}, {}],
    );
    await createAssignment(em, { cadre, household, round, startedAt: new Date(clock.now().getTime() - 60 * DAY_MS) });
    const demand = await createDemand(em, {
      household,
      raisedAt: new Date(clock.now().getTime() - DAY_MS),
      text: '申请临时救助',
      dueOn: shanghaiDate(clock.now()),
    });
    const other = await createDemand(em, { household, raisedAt: new Date(clock.now().getTime() - DAY_MS), text: '另一件事' });
    const referralId = await refer(String(demand.id));

    const read = await graphql<{
      referral: { household: Record<string, unknown>; demand: { id: string; text: string; events: { kind: string }[]; referrals: { id: string }[] } };
    }>(
      `query ($id: ID!) { referral(id: $id) { ${REFERRAL} demand { id text category status raisedAt dueOn events { kind actorLabel } referrals { id } } } }`,
      { id: referralId },
      'handler',
    );
    expect(read.errors).toBeUndefined();
    expect(read.data!.referral.household).toEqual({ headName: '钱秀英', address: '东兴社区7号楼', maskedPhone: '137****1111', regionName: '东兴社区' });
    expect(read.data!.referral.demand).toMatchObject({
      id: String(demand.id),
      text: '申请临时救助',
      events: [{ kind: 'REFERRED' }],
      referrals: [{ id: referralId }],
    });
    const text = JSON.stringify(read);
    expect(text).not.toContain('13700001111');
    for (const resident of await em.execute<{ id_number: string }[]>('select id_number from resident where household_id = ?', [household.id])) {
      expect(text).not.toContain(resident.id_number);
    }

    // The demand's household is the household's file: refused to the handler.
    const file = await graphql(
      `
        query ($id: ID!) {
          referral(id: $id) {
            id
            demand {
              household {
                id
                residents {
                  idNumber
                }
              }
            }
          }
        }
      `,
      { id: referralId },
      'handler',
    );
    expect(errorOf(file)).toMatchObject({ code: 'FORBIDDEN' });
    expect(JSON.stringify(file)).not.toContain('钱秀英');
    const household_ = await graphql<{ household: { id: string } | null }>(
      'query ($id: ID!) { household(id: $id) { id } }',
      { id: String(household.id) },
      'handler',
    );
    expect(household_.data?.household ?? null).toBeNull();
    expect(JSON.stringify(household_)).not.toContain('钱秀英');
    // Nor the household's other demand, which was not referred: the demand scope holds only the referred one.
    const readable = await orm.em.fork().find(Demand, {
      $and: [{ household: household.id }, demandPolicy.scope({ accountId: 0, role: Role.CADRE, scopeRegionId: null, scopePath: null, cadreId: handler.id })],
    });
    expect(readable.map((row) => row.id)).toEqual([demand.id]);
    expect(other.id).not.toBe(demand.id);
    // Another district's administrator and another cadre read nothing of it.
    expect((await graphql<{ referral: null }>('query ($id: ID!) { referral(id: $id) { id } }', { id: referralId }, 'xihuAdmin')).data!.referral).toBeNull();
    expect((await graphql<{ referral: null }>('query ($id: ID!) { referral(id: $id) { id } }', { id: referralId }, 'outsider')).data!.referral).toBeNull();
    // The household's cadre and staff in scope read it, the household too.
    const asCadre = await graphql<{ referral: { demand: { household: { id: string } } } }>(
      'query ($id: ID!) { referral(id: $id) { demand { household { id } } } }',
      { id: referralId },
      'cadre',
    );
    expect(asCadre.data!.referral.demand.household.id).toBe(String(household.id));
    const staff = await graphql<{ demandReferrals: { nodes: { id: string }[] } }>(STAFF_REFERRALS, { filter: { unitId: String(bureau.id) } }, 'analyst');
    expect(staff.data!.demandReferrals.nodes.map((node) => node.id)).toContain(referralId);
    expect((await graphql<{ demandReferrals: { totalCount: number } }>(STAFF_REFERRALS, {}, 'xihuAdmin')).data!.demandReferrals.totalCount).toBe(0);
  });

  it('counts the inbox in the loop summary, orders it pending first and oldest due first, and marks what is overdue', async () => {
    const start = clock.now();
    const ids: string[] = [];
    for (const days of [10, 3, 7]) {
      const { demandId } = await openDemand();
      ids.push(await refer(demandId, { dueOn: shanghaiDate(new Date(start.getTime() + days * DAY_MS)) }));
    }
    const accepted = await graphql(ACCEPT, { input: { referralId: ids[1], clientId: randomUUID() } }, 'second');
    expect(accepted.errors).toBeUndefined();

    const pages: string[] = [];
    let after: string | null = null;
    do {
      const page: GraphQLBody<{ myInbox: { nodes: { id: string; status: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }> =
        await graphql(INBOX, { first: 2, after }, 'handler');
      expect(page.errors).toBeUndefined();
      pages.push(...page.data!.myInbox.nodes.map((node) => `${node.status}:${node.id}`));
      after = page.data!.myInbox.pageInfo.hasNextPage ? page.data!.myInbox.pageInfo.endCursor : null;
    } while (after);
    const mine = pages.filter((entry) => ids.some((id) => entry.endsWith(`:${id}`)));
    // PENDING (due +7, +10) before ACCEPTED (due +3).
    expect(mine).toEqual([`PENDING:${ids[2]}`, `PENDING:${ids[0]}`, `ACCEPTED:${ids[1]}`]);
    const statuses = pages.map((entry) => entry.split(':')[0]);
    expect(statuses.indexOf('ACCEPTED')).toBeGreaterThan(statuses.lastIndexOf('PENDING'));

    const before = (
      await graphql<{ myLoopSummary: { inboxPending: number; inboxAccepted: number; inboxOverdue: number; handlerUnits: { name: string }[] } }>(
        SUMMARY,
        {},
        'handler',
      )
    ).data!.myLoopSummary;
    expect(before.handlerUnits.map((unit) => unit.name)).toEqual(['本溪市民政局']);
    clock.advanceDays(5);
    try {
      const after5 = (await graphql<{ myLoopSummary: { inboxPending: number; inboxAccepted: number; inboxOverdue: number } }>(SUMMARY, {}, 'handler')).data!
        .myLoopSummary;
      expect(after5.inboxPending).toBe(before.inboxPending);
      expect(after5.inboxAccepted).toBe(before.inboxAccepted);
      expect(after5.inboxOverdue).toBeGreaterThanOrEqual(before.inboxOverdue + 1);
      const late = await graphql<{ referral: { overdue: boolean; demand: { overdue: boolean; effectiveDueOn: string } } }>(
        'query ($id: ID!) { referral(id: $id) { overdue demand { overdue effectiveDueOn } } }',
        { id: ids[1] },
        'handler',
      );
      expect(late.data!.referral).toEqual({ overdue: true, demand: { overdue: true, effectiveDueOn: shanghaiDate(new Date(start.getTime() + 3 * DAY_MS)) } });
      const onTime = await graphql<{ referral: { overdue: boolean } }>('query ($id: ID!) { referral(id: $id) { overdue } }', { id: ids[0] }, 'handler');
      expect(onTime.data!.referral.overdue).toBe(false);
    } finally {
      clock.set(start);
    }
    // A cadre who handles nothing has an empty summary and inbox.
    const nobody = (await graphql<{ myLoopSummary: { handlerUnits: unknown[]; inboxPending: number } }>(SUMMARY, {}, 'outsider')).data!.myLoopSummary;
    expect(nobody).toMatchObject({ handlerUnits: [], inboxPending: 0 });
    expect((await graphql<{ myInbox: { totalCount: number } }>(INBOX, {}, 'outsider')).data!.myInbox.totalCount).toBe(0);
  });

  it("dates a raised demand by its category's time limit and refuses a help record resolving a demand a unit holds", async () => {
    const em = orm.em.fork();
    const household = await createHousehold(em, { region: regions.dongxing });
    await createAssignment(em, { cadre, household, round, startedAt: new Date(clock.now().getTime() - 60 * DAY_MS) });
    const occurredAt = new Date(clock.now().getTime() - 3600_000);
    const visit = (input: Record<string, unknown>) =>
      graphql<{ submitHelpRecord: { id: string; demandsRaised: { id: string; dueOn: string }[] } }>(
        SUBMIT,
        {
          input: {
            clientId: randomUUID(),
            householdId: String(household.id),
            kinds: ['VISIT'],
            summary: '入户走访',
            occurredAt: occurredAt.toISOString(),
            ...input,
          },
        },
        'cadre',
      );
    const raised = await visit({
      demandsRaised: [
        { category: 'LIVELIHOOD', text: '冬季取暖费困难' },
        { category: 'HOUSING', text: '屋顶漏雨' },
        { category: 'OTHER', text: '其他', dueOn: '2026-12-05' },
      ],
    });
    expect(raised.errors).toBeUndefined();
    const day = shanghaiDate(occurredAt);
    const plus = (days: number) => shanghaiDate(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));
    expect(raised.data!.submitHelpRecord.demandsRaised.map((demand) => demand.dueOn)).toEqual([plus(15), plus(30), '2026-12-05']);

    const [livelihood, housing] = raised.data!.submitHelpRecord.demandsRaised;
    await refer(livelihood!.id);
    const before = await written(livelihood!.id);
    const refused = await visit({ resolvedDemandIds: [livelihood!.id] });
    expect(errorOf(refused)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.resolvedDemandIds' });
    expect(refused.errors![0]!.message).toContain('本溪市民政局');
    expect(await written(livelihood!.id)).toEqual(before);

    // Accepted (IN_PROGRESS with the unit) is the unit's too.
    const [referral] = await em.fork().find(DemandReferral, { demand: Number(livelihood!.id) });
    expect((await graphql(ACCEPT, { input: { referralId: String(referral!.id), clientId: randomUUID() } }, 'handler')).errors).toBeUndefined();
    expect(errorOf(await visit({ resolvedDemandIds: [livelihood!.id] }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.resolvedDemandIds' });

    // The cadre's own IN_PROGRESS demand is resolved by a help record, as before.
    expect((await graphql(START, { input: { demandId: housing!.id, clientId: randomUUID() } }, 'cadre')).errors).toBeUndefined();
    // (At the time of the step or later: a visit before it cannot resolve what was started after it.)
    expect((await visit({ resolvedDemandIds: [housing!.id], occurredAt: clock.now().toISOString() })).errors).toBeUndefined();
    expect((await em.fork().findOneOrFail(Demand, Number(housing!.id))).status).toBe(DemandStatus.RESOLVED);
  });

  it("ends a handler's designation: their inbox and their reading of the unit's referrals end with it", async () => {
    const { demandId } = await openDemand();
    const referralId = await refer(demandId);
    const listed = await graphql<{ unitHandlers: { id: string; cadreName: string }[] }>(HANDLERS, { unitId: String(bureau.id) }, 'admin');
    const row = listed.data!.unitHandlers.find((entry) => entry.cadreName === '周立新')!;
    expect(errorOf(await graphql(END, { input: { id: row.id, reason: '' } }, 'admin'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reason' });
    expect(errorOf(await graphql(END, { input: { id: row.id, reason: '调岗' } }, 'xihuAdmin'))).toMatchObject({ code: 'FORBIDDEN' });
    const ended = await graphql<{ endUnitHandler: { endedAt: string; endedReason: string } }>(END, { input: { id: row.id, reason: '调岗' } }, 'admin');
    expect(ended.errors).toBeUndefined();
    expect(ended.data!.endUnitHandler).toMatchObject({ endedAt: clock.now().toISOString(), endedReason: '调岗' });
    expect(errorOf(await graphql(END, { input: { id: row.id, reason: '调岗' } }, 'admin'))).toMatchObject({ code: 'CONFLICT' });

    expect((await graphql<{ referral: null }>('query ($id: ID!) { referral(id: $id) { id } }', { id: referralId }, 'second')).data!.referral).toBeNull();
    expect((await graphql<{ myInbox: { totalCount: number } }>(INBOX, {}, 'second')).data!.myInbox.totalCount).toBe(0);
    expect(errorOf(await graphql(ACCEPT, { input: { referralId, clientId: randomUUID() } }, 'second'))).toMatchObject({ code: 'FORBIDDEN' });
    const all = await graphql<{ unitHandlers: { cadreName: string; endedAt: string | null }[] }>(HANDLERS, { unitId: String(bureau.id), all: true }, 'admin');
    expect(all.data!.unitHandlers.map((entry) => [entry.cadreName, entry.endedAt !== null])).toEqual([
      ['李红梅', false],
      ['周立新', true],
    ]);
  });

  it("does not let the unit's last handler go while referrals wait on the unit", async () => {
    await openDemand().then(({ demandId }) => refer(demandId));
    const listed = await graphql<{ unitHandlers: { id: string; cadreName: string }[] }>(HANDLERS, { unitId: String(bureau.id) }, 'admin');
    const last = listed.data!.unitHandlers.find((entry) => entry.cadreName === '李红梅')!;
    const refused = await graphql(END, { input: { id: last.id, reason: '调岗' } }, 'admin');
    expect(errorOf(refused)).toMatchObject({ code: 'CONFLICT' });
    expect(refused.errors![0]!.message).toContain('last handler');
    expect((await orm.em.fork().findOneOrFail(UnitHandler, Number(last.id))).endedAt ?? null).toBeNull();
  });

  it('gives a returned or reopened demand a fresh due date, so that an old lapse does not send it up the ladder at once', async () => {
    const today = shanghaiDate(clock.now());
    const plus = (days: number) => shanghaiDate(new Date(Date.parse(`${today}T00:00:00Z`) + days * DAY_MS));
    const em = orm.em.fork();
    const { demandId } = await openDemand();
    await em.nativeUpdate(Demand, { id: Number(demandId) }, { dueOn: plus(-20) });
    const referralId = await refer(demandId);
    const returned = await graphql(RETURN, { input: { referralId, clientId: randomUUID(), reason: '请先补充材料' } }, 'handler');
    expect(returned.errors).toBeUndefined();
    const afterReturn = await graphql<{ referral: { demand: { dueOn: string; overdue: boolean; events: { kind: string; dueOn: string | null }[] } } }>(
      `query ($id: ID!) { referral(id: $id) { demand { ${DEMAND} } } }`,
      { id: referralId },
      'cadre',
    );
    // HOUSING: referralDays 15 from the return.
    expect(afterReturn.data!.referral.demand).toMatchObject({ dueOn: plus(15), overdue: false });
    expect(afterReturn.data!.referral.demand.events.at(-1)).toMatchObject({ kind: 'RETURNED', dueOn: plus(15) });

    const second = await refer(demandId);
    expect((await graphql(ACCEPT, { input: { referralId: second, clientId: randomUUID() } }, 'handler')).errors).toBeUndefined();
    expect((await graphql(RESOLVE, { input: { referralId: second, clientId: randomUUID(), resolution: '已补办' } }, 'handler')).errors).toBeUndefined();
    await em.nativeUpdate(Demand, { id: Number(demandId) }, { dueOn: plus(-20) });
    const reopened = await graphql<{
      confirmDemandResolved: { status: string; dueOn: string; overdue: boolean; events: { kind: string; dueOn: string | null }[] };
    }>(
      `mutation ($input: DemandConfirmationInput!) { confirmDemandResolved(input: $input) { ${DEMAND} } }`,
      { input: { demandId, clientId: randomUUID(), satisfaction: 'DISSATISFIED', note: '还是没解决' } },
      'cadre',
    );
    expect(reopened.errors).toBeUndefined();
    // HOUSING: demandDays 30 from the answer.
    expect(reopened.data!.confirmDemandResolved).toMatchObject({ status: 'OPEN', dueOn: plus(30), overdue: false });
    expect(reopened.data!.confirmDemandResolved.events.at(-1)).toMatchObject({ kind: 'REOPENED', dueOn: plus(30) });
  });

  it("refuses a raised demand's due date before the visit or more than 180 days after it, and a back-dated record resolving a demand after its loop steps", async () => {
    const em = orm.em.fork();
    const household = await createHousehold(em, { region: regions.dongxing });
    await createAssignment(em, { cadre, household, round, startedAt: new Date(clock.now().getTime() - 60 * DAY_MS) });
    const occurredAt = new Date(clock.now().getTime() - 3600_000);
    const visit = (input: Record<string, unknown>, at = occurredAt) =>
      graphql(
        SUBMIT,
        { input: { clientId: randomUUID(), householdId: String(household.id), kinds: ['VISIT'], summary: '入户走访', occurredAt: at.toISOString(), ...input } },
        'cadre',
      );
    const records = () => em.fork().count(Demand, { household: household.id });
    for (const dueOn of ['2020-01-01', '2099-12-31']) {
      const body = await visit({
        demandsRaised: [
          { category: 'LIVELIHOOD', text: '路灯坏了' },
          { category: 'LIVELIHOOD', text: '路灯坏了', dueOn },
        ],
      });
      expect(errorOf(body)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.demandsRaised.1.dueOn' });
      expect(await records()).toBe(0);
    }
    const raised = await visit(
      { demandsRaised: [{ category: 'LIVELIHOOD', text: '冬季取暖', dueOn: shanghaiDate(occurredAt) }] },
      new Date(clock.now().getTime() - 10 * DAY_MS),
    );
    expect(raised.errors).toBeUndefined();
    const [demand] = await em.fork().find(Demand, { household: household.id });
    const referralId = await refer(String(demand!.id));
    expect((await graphql(RETURN, { input: { referralId, clientId: randomUUID(), reason: '不属本单位职责' } }, 'handler')).errors).toBeUndefined();
    // A visit five days ago cannot resolve it: it was referred and returned after.
    const before = await written(String(demand!.id));
    const backdated = await visit({ resolvedDemandIds: [String(demand!.id)] }, new Date(clock.now().getTime() - 5 * DAY_MS));
    expect(errorOf(backdated)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.resolvedDemandIds' });
    expect(await written(String(demand!.id))).toEqual(before);
    expect((await visit({ resolvedDemandIds: [String(demand!.id)] }, clock.now())).errors).toBeUndefined();
  });

  it("tells a return to the household's cadres now, not to a referring cadre who has left the household", async () => {
    const { household, demandId } = await openDemand();
    const referralId = await refer(demandId);
    const em = orm.em.fork();
    const [outsiderCadre] = await em.execute<{ cadre_id: number }[]>("select c.id as cadre_id from cadre c where c.name = '陈志强'");
    await em.execute('update assignment set ended_at = ? where household_id = ?', [em.getPlatform().processDateProperty(clock.now()), household.id]);
    await createAssignment(em, { cadre: Number(outsiderCadre!.cadre_id) as never, household, round, startedAt: clock.now() });
    expect((await graphql(RETURN, { input: { referralId, clientId: randomUUID(), reason: '请转住建局' } }, 'handler')).errors).toBeUndefined();
    const told = await em.execute<{ cadre_id: number | string }[]>(
      "select a.cadre_id from notice n join user_account a on a.id = n.recipient_account_id where n.referral_id = ? and n.kind = 'REFERRAL_RETURNED'",
      [Number(referralId)],
    );
    expect(told.map((row) => Number(row.cadre_id))).toEqual([Number(outsiderCadre!.cadre_id)]);
  });

  it('refuses a forged inbox cursor as bad input, naming after', async () => {
    const forged = Buffer.from(JSON.stringify([0, 2 ** 53 - 1, 1])).toString('base64url');
    expect(errorOf(await graphql(INBOX, { first: 5, after: forged }, 'handler'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const rank = Buffer.from(JSON.stringify([7, 20000, 1])).toString('base64url');
    expect(errorOf(await graphql(INBOX, { first: 5, after: rank }, 'handler'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it("lists for staff as overdue what is overdue by the effective due date (the open referral's)", async () => {
    const start = clock.now();
    const today = shanghaiDate(start);
    const plus = (days: number) => shanghaiDate(new Date(Date.parse(`${today}T00:00:00Z`) + days * DAY_MS));
    const em = orm.em.fork();
    const ownLapsed = await openDemand();
    await em.nativeUpdate(Demand, { id: Number(ownLapsed.demandId) }, { dueOn: plus(-1) });
    await refer(ownLapsed.demandId, { dueOn: plus(7) });
    const referralLapses = await openDemand();
    await em.nativeUpdate(Demand, { id: Number(referralLapses.demandId) }, { dueOn: plus(30) });
    await refer(referralLapses.demandId, { dueOn: plus(3) });
    clock.advanceDays(5);
    try {
      const body = await graphql<{ demands: { nodes: { id: string; overdue: boolean }[] } }>(
        'query { demands(filter: { overdueOnly: true }, first: 100) { nodes { id overdue } } }',
        {},
        'analyst',
      );
      expect(body.errors).toBeUndefined();
      const ids = body.data!.demands.nodes.map((node) => node.id);
      expect(ids).toContain(referralLapses.demandId);
      expect(ids).not.toContain(ownLapsed.demandId);
      expect(body.data!.demands.nodes.every((node) => node.overdue)).toBe(true);
    } finally {
      clock.set(start);
    }
  });

  it('counts a handler only while an active cadre of the unit: one moved away or deactivated reads and does nothing', async () => {
    const em = orm.em.fork();
    const { demandId } = await openDemand();
    const referralId = await refer(demandId);
    const readReferral = 'query ($id: ID!) { referral(id: $id) { id } }';
    expect((await graphql(readReferral, { id: referralId }, 'handler')).data).toEqual({ referral: { id: referralId } });
    // Changed behind the designation's back (no ending of the row): the policy alone must hold.
    for (const [change, params, undo] of [
      ['update cadre set unit_id = ? where id = ?', [farUnit.id, handler.id], ['update cadre set unit_id = ? where id = ?', [bureau.id, handler.id]]],
      ['update cadre set active = ? where id = ?', [false, handler.id], ['update cadre set active = ? where id = ?', [true, handler.id]]],
    ] as const) {
      await em.execute(change, [...params]);
      try {
        expect((await graphql<{ referral: null }>(readReferral, { id: referralId }, 'handler')).data?.referral ?? null).toBeNull();
        expect((await graphql<{ myInbox: { totalCount: number } }>(INBOX, {}, 'handler')).data?.myInbox.totalCount ?? 0).toBe(0);
        expect(errorOf(await graphql(ACCEPT, { input: { referralId, clientId: randomUUID() } }, 'handler'))?.code).toMatch(/FORBIDDEN|UNAUTHENTICATED/);
        const targets = await graphql<{ referralTargets: { name: string }[] }>(TARGETS, { demandId }, 'cadre');
        expect(targets.data!.referralTargets.map((unit) => unit.name)).not.toContain('本溪市民政局');
      } finally {
        await em.execute(undo[0], [...undo[1]]);
        forgetAccountStatus();
      }
    }
    expect((await orm.em.fork().findOneOrFail(DemandReferral, Number(referralId))).status).toBe(ReferralStatus.PENDING);
  });
});

// Registered only when the global setup found MySQL (always under CI); otherwise the run's last lines say so.
const describeMysql = databaseKinds().includes('mysql') ? describe : () => undefined;

describeMysql('the demand loop migration (Migration20261204000000)', () => {
  it('seeds the time limits and the ladder, turns ESCALATED demands OPEN, and reverts cleanly', async () => {
    const database = await scratchDatabase('mysql', 'lc_loop_migration');
    const orm = await createOrm({ database });
    try {
      await orm.schema.ensureDatabase({ create: true });
      const migrator = orm.getMigrator();
      await migrator.up({ to: 'Migration20261203000000' });
      const connection = orm.em.getConnection();
      // As the build before the loop left it: a demand escalated by status. Written in SQL, since the
      // entities describe the newest schema (later migrations add columns, e.g. lock_version).
      await connection.execute(
        "insert into region (code, name, level, path, depth, created_at, updated_at) values ('290000000001', '测试社区', 'COMMUNITY', '290000000001/', 0, utc_timestamp(3), utc_timestamp(3))",
      );
      await connection.execute(
        "insert into household (region_id, address, head_name, hardship_reasons, created_at, updated_at) select id, '测试路1号', '张三', '', utc_timestamp(3), utc_timestamp(3) from region where code = '290000000001'",
      );
      await connection.execute(
        "insert into demand (household_id, category, text, raised_at, status, reopen_count, created_at, updated_at) select id, 'HOUSING', '旧的督办', utc_timestamp(3), 'ESCALATED', 0, utc_timestamp(3), utc_timestamp(3) from household where head_name = '张三'",
      );
      await migrator.up();
      expect(await connection.execute("select status, escalation_rung from demand where text = '旧的督办'")).toEqual([{ status: 'OPEN', escalation_rung: 0 }]);
      const deadlines = await connection.execute<{ category: string; demand_days: number; referral_days: number }[]>(
        'select category, demand_days, referral_days from demand_deadline order by category',
      );
      expect(deadlines).toHaveLength(9);
      expect(deadlines.find((row) => row.category === 'LIVELIHOOD')).toEqual({ category: 'LIVELIHOOD', demand_days: 15, referral_days: 7 });
      expect(deadlines.find((row) => row.category === 'LEGAL')).toEqual({ category: 'LEGAL', demand_days: 30, referral_days: 15 });
      expect(await connection.execute('select level, code, name, after_days from escalation_rung order by level')).toEqual([
        { level: 1, code: 'UNIT', name: '本单位', after_days: 1 },
        { level: 2, code: 'TOWNSHIP', name: '乡镇街道', after_days: 4 },
        { level: 3, code: 'DISTRICT', name: '区县', after_days: 8 },
        { level: 4, code: 'CITY', name: '市', after_days: 15 },
      ]);
      expect((await orm.schema.getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true })).trim()).toBe('');

      await migrator.down({ to: 'Migration20261204000000' });
      expect(await connection.execute("show tables like 'demand_referral'")).toEqual([]);
      expect(await connection.execute("select status from demand where text = '旧的督办'")).toEqual([{ status: 'OPEN' }]);
      await migrator.up();
      expect(await connection.execute<unknown[]>('select 1 from escalation_rung')).toHaveLength(4);
    } finally {
      await orm.close(true);
      await dropScratchDatabase(database);
    }
  });
});

describe('the demand loop defaults on the embedded database (SQLite)', () => {
  it('has the time limits and the ladder from the first start, and keeps what an administrator changed', async () => {
    const { orm, database } = await migratedOrm('sqlite', 'lc_loop_defaults');
    try {
      const connection = orm.em.getConnection();
      expect(await connection.execute<unknown[]>('select 1 from demand_deadline')).toHaveLength(9);
      expect(await connection.execute('select level, code, after_days from escalation_rung order by level')).toEqual([
        { level: 1, code: 'UNIT', after_days: 1 },
        { level: 2, code: 'TOWNSHIP', after_days: 4 },
        { level: 3, code: 'DISTRICT', after_days: 8 },
        { level: 4, code: 'CITY', after_days: 15 },
      ]);
      await connection.execute("update demand_deadline set demand_days = 20 where category = 'HOUSING'");
      await connection.execute("delete from demand_deadline where category = 'OTHER'");
      await ensureSqliteDefaults(orm);
      expect(await connection.execute("select demand_days from demand_deadline where category in ('HOUSING', 'OTHER') order by category")).toEqual([
        { demand_days: 20 },
        { demand_days: 15 },
      ]);
    } finally {
      await orm.close(true);
      await dropScratchDatabase(database);
    }
  });
});
