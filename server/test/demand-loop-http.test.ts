import { randomUUID } from 'node:crypto';
import { DemandCategory, DemandStatus, PetitionCaseStatus, Role, UnitKind, UnitLevel } from '@wanjia/shared';
import { loadConfig, type AppConfig, type DatabaseConfig } from '../src/config';
import { ManualClock } from '../src/core/clock';
import { DAY_MS, shanghaiDate } from '../src/core/time';
import type { Orm } from '../src/db/orm';
import { createOrm } from '../src/db/orm';
import { createLogger } from '../src/logger';
import type { UserAccount } from '../src/modules/accounts/user-account.entity';
import { AuditEntry } from '../src/modules/audit/audit-entry.entity';
import type { Cadre } from '../src/modules/cadres/cadre.entity';
import { DemandEscalation } from '../src/modules/demands/demand-escalation.entity';
import { DemandEvent } from '../src/modules/demands/demand-event.entity';
import { escalateLapsedDemands } from '../src/modules/demands/escalation.service';
import type { Household } from '../src/modules/households/household.entity';
import type { Round } from '../src/modules/rounds/round.entity';
import type { Unit } from '../src/modules/units/unit.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import {
  createAccount,
  createAssignment,
  createCadre,
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
import { createTestApp, listenOnLoopback, type GraphQLBody } from './support/server';

/**
 * The demand loop (诉求闭环) end to end over HTTP, as the mini-program and the playground drive it: a
 * demand heard on a visit, referred (交办) to a unit in reach, signed for (签收) by its handler (联络员),
 * worked, reported done (办结) and confirmed by the household (回访); returned (退回) and referred
 * elsewhere; left past its due date until it climbs every rung of the ladder (督办), instructed, resolved
 * and reopened. Time moves on an injected ManualClock and the sweep is called with the clock's now —
 * nothing sleeps. Two handlers race for one referral; two server instances sweep one MariaDB database.
 */

const TOKEN_TTL_SECONDS = 90 * 24 * 3600; // the clock moves weeks ahead; the tokens must outlive it either way

const RAISE = 'mutation ($input: HelpRecordInput!) { submitHelpRecord(input: $input) { id demandsRaised { id status dueOn } } }';
const REFERRAL_FIELDS = `id demandId status note dueOn overdue referredAt referredByName acceptedAt returnedAt returnReason resolvedAt resolution
  unit { id name kind level regionName }
  household { headName address maskedPhone regionName }`;
const DEMAND_FIELDS = `id status dueOn effectiveDueOn overdue escalationRung reopenCount resolvedAt resolvedById
  currentReferral { id status dueOn }
  referrals { id status unit { id } }
  events { kind at note referralId unitName dueOn rung actorLabel satisfaction }`;
const REFER = `mutation ($input: ReferDemandInput!) { referDemand(input: $input) { ${REFERRAL_FIELDS} } }`;
const ACCEPT = `mutation ($input: AcceptReferralInput!) { acceptReferral(input: $input) { ${REFERRAL_FIELDS} } }`;
const RETURN = `mutation ($input: ReturnReferralInput!) { returnReferral(input: $input) { ${REFERRAL_FIELDS} } }`;
const RESOLVE = `mutation ($input: ResolveReferralInput!) { resolveReferral(input: $input) { ${REFERRAL_FIELDS} } }`;
const PROGRESS = `mutation ($input: NoteDemandProgressInput!) { noteDemandProgress(input: $input) { ${DEMAND_FIELDS} } }`;
const START = `mutation ($input: StartDemandWorkInput!) { startDemandWork(input: $input) { ${DEMAND_FIELDS} } }`;
const INSTRUCT = `mutation ($input: InstructDemandInput!) { instructDemand(input: $input) { ${DEMAND_FIELDS} } }`;
const CONFIRM = `mutation ($input: DemandConfirmationInput!) { confirmDemandResolved(input: $input) { ${DEMAND_FIELDS} } }`;
const DESIGNATE = 'mutation ($input: DesignateUnitHandlerInput!) { designateUnitHandler(input: $input) { id unitId cadreId endedAt } }';
const TARGETS = 'query ($id: ID!) { referralTargets(demandId: $id) { id name kind level regionName } }';
const REFERRAL = `query ($id: ID!) { referral(id: $id) { ${REFERRAL_FIELDS} demand { ${DEMAND_FIELDS} } } }`;
const INBOX = `query ($status: ReferralStatus) { myInbox(status: $status, first: 50) { totalCount nodes { id status dueOn } } }`;
const SUMMARY = '{ myLoopSummary { handlerUnits { id name } inboxPending inboxAccepted inboxOverdue unreadNotices isLeader } }';
const NOTICES = '{ myNotices(first: 100) { totalCount nodes { id kind title body demandId referralId readAt } } }';
const SUPERVISION = `query ($filter: SupervisionFilter) {
  supervisionList(filter: $filter, first: 100) {
    totalCount
    nodes { id level rungName targetRegionName leaderName lapsedDueOn settledAt daysOverdue demand { id } }
  }
}`;

interface Referral {
  id: string;
  demandId: string;
  status: string;
  note: string | null;
  dueOn: string;
  overdue: boolean;
  referredByName: string;
  acceptedAt: string | null;
  returnedAt: string | null;
  returnReason: string | null;
  resolvedAt: string | null;
  resolution: string | null;
  unit: {
    id: string;
    name: string;
    kind: string;
    level: string;
    regionName: string;
  };
  household: {
    headName: string;
    address: string;
    maskedPhone: string | null;
    regionName: string;
  };
}
interface TimelineStep {
  kind: string;
  at: string;
  note: string | null;
  referralId: string | null;
  unitName: string | null;
  dueOn: string | null;
  rung: number | null;
  actorLabel: string;
  satisfaction: string | null;
}
interface LoopDemand {
  id: string;
  status: DemandStatus;
  dueOn: string | null;
  effectiveDueOn: string | null;
  overdue: boolean;
  escalationRung: number;
  reopenCount: number;
  resolvedAt: string | null;
  resolvedById: string | null;
  currentReferral: { id: string; status: string; dueOn: string } | null;
  referrals: { id: string; status: string; unit: { id: string } }[];
  events: TimelineStep[];
}
interface Escalation {
  id: string;
  level: number;
  rungName: string;
  targetRegionName: string;
  leaderName: string | null;
  lapsedDueOn: string;
  settledAt: string | null;
  daysOverdue: number;
  demand: { id: string };
}
type Data = Record<string, any>;

/** A server over an ORM, with the test's clock in its context. */
interface Instance {
  url: string;
  config: AppConfig;
  close(): Promise<void>;
}

/** One configuration for every instance of a test, as a deployment shares one (the token secret above all). */
function instanceConfig(database: DatabaseConfig): AppConfig {
  return { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' }), port: 0, database };
}

async function startInstance(orm: Orm, database: DatabaseConfig, clock: ManualClock, config = instanceConfig(database)): Promise<Instance> {
  const app = await createTestApp({
    config,
    orm,
    logger: createLogger(config),
    clock,
  });
  const url = await listenOnLoopback(app);
  return { url, config, close: () => app.stop() };
}

async function post<T = Data>(url: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLBody<T>> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLBody<T>;
}

/** The data of an answer that must succeed; its errors in the failure message otherwise. */
async function ok<T = Data>(url: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const body = await post<T>(url, token, query, variables);
  if (body.errors?.length || !body.data) throw new Error(`expected an answer, got ${JSON.stringify(body.errors)}\n${query}`);
  return body.data;
}

/** The sweep as the jobs run it: batch after batch until nothing is left; how many rungs it inserted. */
async function sweepAll(orm: Orm, now: Date): Promise<number> {
  let escalated = 0;
  for (let batch = 0; batch < 100; batch += 1) {
    const result = await escalateLapsedDemands(orm.em.fork(), now);
    escalated += result.escalated;
    if (!result.more) return escalated;
  }
  throw new Error('the sweep never finished');
}

const plusDays = (day: string, days: number) => shanghaiDate(new Date(Date.parse(`${day}T04:00:00Z`) + days * DAY_MS));
const kinds = (demand: LoopDemand) => demand.events.map((event) => event.kind);

/** Who is who in the loop's little world: one city, 平山区 (inside) and 溪湖区 (outside). */
interface World {
  regions: RegionTree;
  round: Round;
  /** The household cadre's unit: a community's party committee, so that rung 1 (本单位) has a region of its own. */
  cadreUnit: Unit;
  /** 平山区民政局 with two handlers, 本溪市人社局 with one, 溪湖区民政局 with one, 平山区住建局 with none. */
  pingshanBureau: Unit;
  cityBureau: Unit;
  xihuBureau: Unit;
  bureauWithoutHandler: Unit;
  cadre: Cadre;
  leader: Cadre;
  tokens: Record<
    'cadre' | 'otherCadre' | 'handlerA' | 'handlerB' | 'cityHandler' | 'xihuHandler' | 'leader' | 'cityAdmin' | 'pingshanAdmin' | 'xihuAdmin',
    string
  >;
  names: Record<'cadre' | 'handlerA' | 'handlerB' | 'cityHandler' | 'leader', string>;
  accounts: Record<'cadre' | 'handlerA' | 'cityHandler' | 'leader', UserAccount>;
}

async function buildWorld(orm: Orm, instance: Instance): Promise<World> {
  const em = orm.em.fork();
  const regions = await createRegionTree(em);
  const round = await createRound(em, { name: '闭环轮次' });
  const unit = (name: string, region: RegionTree[keyof RegionTree], level: UnitLevel) => createUnit(em, { name, region, level, kind: UnitKind.AGENCY });
  const cadreUnit = await unit('东兴社区党委', regions.dongxing, UnitLevel.TOWNSHIP);
  const pingshanBureau = await unit('平山区民政局', regions.pingshan, UnitLevel.COUNTY);
  const cityBureau = await unit('本溪市人社局', regions.city, UnitLevel.CITY);
  const xihuBureau = await unit('溪湖区民政局', regions.xihu, UnitLevel.COUNTY);
  const bureauWithoutHandler = await unit('平山区住建局', regions.pingshan, UnitLevel.COUNTY);
  const cadre = await createCadre(em, { unit: cadreUnit, name: '刘建华' });
  const otherCadre = await createCadre(em, { unit: cadreUnit, name: '陈志强' });
  const handlerA = await createCadre(em, {
    unit: pingshanBureau,
    name: '李红梅',
  });
  const handlerB = await createCadre(em, {
    unit: pingshanBureau,
    name: '赵德胜',
  });
  const cityHandler = await createCadre(em, {
    unit: cityBureau,
    name: '孙丽娟',
  });
  const xihuHandler = await createCadre(em, {
    unit: xihuBureau,
    name: '周国庆',
  });
  const leader = await createCadre(em, {
    unit: cityBureau,
    name: '张副市长',
    post: '副市长',
  });
  const staff = async (scopeRegion: RegionTree[keyof RegionTree]) => createAccount(em, { role: Role.ADMIN, scopeRegion });
  const account = {
    cadre: await createAccount(em, { cadre }),
    otherCadre: await createAccount(em, { cadre: otherCadre }),
    handlerA: await createAccount(em, { cadre: handlerA }),
    handlerB: await createAccount(em, { cadre: handlerB }),
    cityHandler: await createAccount(em, { cadre: cityHandler }),
    xihuHandler: await createAccount(em, { cadre: xihuHandler }),
    leader: await createAccount(em, { cadre: leader }),
    cityAdmin: await staff(regions.city),
    pingshanAdmin: await staff(regions.pingshan),
    xihuAdmin: await staff(regions.xihu),
  };
  const tokens = {} as World['tokens'];
  for (const [who, row] of Object.entries(account)) tokens[who as keyof World['tokens']] = await tokenFor(row, instance, TOKEN_TTL_SECONDS);
  // Handlers are designated through the API, by an administrator whose scope holds the unit.
  const designate = async (admin: string, unitOf: Unit, handler: Cadre) =>
    ok(instance.url, admin, DESIGNATE, {
      input: { unitId: String(unitOf.id), cadreId: String(handler.id) },
    });
  await designate(tokens.pingshanAdmin, pingshanBureau, handlerA);
  await designate(tokens.pingshanAdmin, pingshanBureau, handlerB);
  await designate(tokens.cityAdmin, cityBureau, cityHandler);
  await designate(tokens.xihuAdmin, xihuBureau, xihuHandler);
  return {
    regions,
    round,
    cadreUnit,
    pingshanBureau,
    cityBureau,
    xihuBureau,
    bureauWithoutHandler,
    cadre,
    leader,
    tokens,
    names: {
      cadre: cadre.name,
      handlerA: handlerA.name,
      handlerB: handlerB.name,
      cityHandler: cityHandler.name,
      leader: leader.name,
    },
    accounts: {
      cadre: account.cadre,
      handlerA: account.handlerA,
      cityHandler: account.cityHandler,
      leader: account.leader,
    },
  };
}

describe.each(databaseKinds())('the demand loop over HTTP on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let instance: Instance;
  let world: World;
  const clock = new ManualClock();

  const as = <T = Data>(who: keyof World['tokens'], query: string, variables: Record<string, unknown> = {}) =>
    post<T>(instance.url, world.tokens[who], query, variables);
  const okAs = <T = Data>(who: keyof World['tokens'], query: string, variables: Record<string, unknown> = {}) =>
    ok<T>(instance.url, world.tokens[who], query, variables);
  const today = () => shanghaiDate(clock.now());
  const clientId = () => `loop-${randomUUID().slice(0, 18)}`;
  const sweep = () => sweepAll(orm, clock.now());
  const demandOf = async (who: keyof World['tokens'], referralId: string) =>
    (await okAs<{ referral: Referral & { demand: LoopDemand } }>(who, REFERRAL, { id: referralId })).referral.demand;

  /** A household of the cadre (in 东兴社区, 平山区) and a demand raised on a visit through the API, as today. */
  async function raise(category = DemandCategory.LIVELIHOOD, household?: Household): Promise<{ household: Household; demandId: string; dueOn: string }> {
    const em = orm.em.fork();
    const home =
      household ??
      (await createHousehold(em, {
        region: world.regions.dongxing,
        headName: '王淑芬',
        phone: '13912345678',
      }));
    if (!household)
      await createAssignment(em, {
        cadre: world.cadre,
        household: home,
        round: world.round,
        startedAt: new Date(clock.now().getTime() - 30 * DAY_MS),
      });
    const body = await okAs<{
      submitHelpRecord: {
        demandsRaised: { id: string; status: string; dueOn: string }[];
      };
    }>('cadre', RAISE, {
      input: {
        clientId: randomUUID(),
        householdId: String(home.id),
        occurredAt: new Date(clock.now().getTime() - 3_600_000).toISOString(),
        kinds: ['VISIT'],
        summary: '入户走访，了解诉求',
        demandsRaised: [{ category, text: '低保待遇迟迟未落实' }],
      },
    });
    const [raised] = body.submitHelpRecord.demandsRaised;
    return { household: home, demandId: raised!.id, dueOn: raised!.dueOn };
  }

  const refer = (demandId: string, unit: Unit, extra: Record<string, unknown> = {}) =>
    as<{ referDemand: Referral }>('cadre', REFER, {
      input: {
        demandId,
        clientId: clientId(),
        unitId: String(unit.id),
        note: '请协助核实低保资格',
        ...extra,
      },
    });

  async function counts(demandId: string): Promise<{ events: number; audits: number }> {
    const em = orm.em.fork();
    return {
      events: await em.count(DemandEvent, { demand: Number(demandId) }),
      audits: await em.count(AuditEntry, {}),
    };
  }

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'pf_loop_http'));
    instance = await startInstance(orm, database, clock);
    world = await buildWorld(orm, instance);
  });

  beforeEach(() => clock.set(new Date()));

  afterAll(async () => {
    await instance?.close();
    await orm?.close(true);
    if (database) await dropScratchDatabase(database);
  });

  it('runs the whole loop: raised → referred → accepted → progress → resolved by the unit → confirmed, every step in the timeline and the audit trail', async () => {
    const { demandId, dueOn } = await raise(DemandCategory.LIVELIHOOD);
    // A demand's due date comes from its category (LIVELIHOOD: 15 days), in Shanghai's calendar.
    expect(dueOn).toBe(plusDays(shanghaiDate(new Date(clock.now().getTime() - 3_600_000)), 15));

    // Units in reach: those whose region holds the household's and that have an active handler.
    const targets = (await okAs<{ referralTargets: { id: string; regionName: string }[] }>('cadre', TARGETS, { id: demandId })).referralTargets.map(
      (unit) => unit.id,
    );
    expect(targets).toEqual(expect.arrayContaining([String(world.pingshanBureau.id), String(world.cityBureau.id)]));
    expect(targets).not.toContain(String(world.xihuBureau.id));
    expect(targets).not.toContain(String(world.bureauWithoutHandler.id));

    const referralDue = plusDays(today(), 5);
    const before = await counts(demandId);
    const sentId = clientId();
    const referBody = await as<{ referDemand: Referral }>('cadre', REFER, {
      input: {
        demandId,
        clientId: sentId,
        unitId: String(world.pingshanBureau.id),
        note: '请协助核实低保资格',
        dueOn: referralDue,
      },
    });
    expect(referBody.errors).toBeUndefined();
    const referral = referBody.data!.referDemand;
    expect(referral).toMatchObject({
      demandId,
      status: 'PENDING',
      dueOn: referralDue,
      overdue: false,
      note: '请协助核实低保资格',
      referredByName: world.names.cadre,
      unit: {
        id: String(world.pingshanBureau.id),
        name: '平山区民政局',
        regionName: '平山区',
      },
      household: {
        headName: '王淑芬',
        regionName: expect.stringContaining('东兴社区'),
      },
    });
    expect(referral.household.maskedPhone).not.toContain('12345678');
    const afterRefer = await counts(demandId);
    expect(afterRefer.events).toBe(before.events + 1);
    expect(afterRefer.audits).toBeGreaterThan(before.audits);

    // A resend with the same clientId answers the same referral and adds no step.
    const resent = await as<{ referDemand: Referral }>('cadre', REFER, {
      input: {
        demandId,
        clientId: sentId,
        unitId: String(world.pingshanBureau.id),
        note: '请协助核实低保资格',
        dueOn: referralDue,
      },
    });
    expect(resent.data?.referDemand.id).toBe(referral.id);
    // … and writes only its audit entry.
    expect(await counts(demandId)).toEqual({ events: afterRefer.events, audits: afterRefer.audits + 1 });

    const referred = await demandOf('cadre', referral.id);
    expect(referred).toMatchObject({
      status: 'REFERRED',
      effectiveDueOn: referralDue,
      currentReferral: { id: referral.id, status: 'PENDING' },
    });

    // The unit's handlers see it in their inbox, pending first.
    const summary = (await okAs<{ myLoopSummary: Data }>('handlerA', SUMMARY)).myLoopSummary;
    expect(summary.handlerUnits.map((unit: Data) => unit.id)).toContain(String(world.pingshanBureau.id));
    expect(summary.inboxPending).toBeGreaterThanOrEqual(1);
    const inbox = (
      await okAs<{ myInbox: { nodes: { id: string }[] } }>('handlerB', INBOX, {
        status: 'PENDING',
      })
    ).myInbox.nodes.map((node) => node.id);
    expect(inbox).toContain(referral.id);
    expect((await okAs<{ myInbox: { nodes: { id: string }[] } }>('cityHandler', INBOX, {})).myInbox.nodes.map((node) => node.id)).not.toContain(referral.id);

    const accepted = (
      await okAs<{ acceptReferral: Referral }>('handlerA', ACCEPT, {
        input: { referralId: referral.id, clientId: clientId() },
      })
    ).acceptReferral;
    expect(accepted.status).toBe('ACCEPTED');
    expect(accepted.acceptedAt).not.toBeNull();
    expect((await demandOf('cadre', referral.id)).status).toBe('IN_PROGRESS');

    const progressed = (
      await okAs<{ noteDemandProgress: LoopDemand }>('handlerA', PROGRESS, {
        input: { demandId, clientId: clientId(), note: '已入户核查，材料齐全' },
      })
    ).noteDemandProgress;
    expect(progressed.status).toBe('IN_PROGRESS');
    expect(progressed.events.at(-1)).toMatchObject({
      kind: 'PROGRESS_NOTED',
      note: '已入户核查，材料齐全',
    });

    const resolved = (
      await okAs<{ resolveReferral: Referral }>('handlerA', RESOLVE, {
        input: {
          referralId: referral.id,
          clientId: clientId(),
          resolution: '已纳入低保，下月起发放',
        },
      })
    ).resolveReferral;
    expect(resolved).toMatchObject({
      status: 'RESOLVED',
      resolution: '已纳入低保，下月起发放',
    });
    const awaiting = await demandOf('cadre', referral.id);
    expect(awaiting).toMatchObject({
      status: 'RESOLVED',
      resolvedById: null,
      currentReferral: null,
    });
    expect(awaiting.resolvedAt).not.toBeNull();

    const confirmed = (
      await okAs<{ confirmDemandResolved: LoopDemand }>('cadre', CONFIRM, {
        input: { demandId, clientId: randomUUID(), satisfaction: 'SATISFIED' },
      })
    ).confirmDemandResolved;
    expect(confirmed.status).toBe('CONFIRMED');
    expect(kinds(confirmed)).toEqual(['RAISED', 'REFERRED', 'ACCEPTED', 'PROGRESS_NOTED', 'RESOLVED', 'CONFIRMED']);
    const step = (kindOf: string) => confirmed.events.find((event) => event.kind === kindOf)!;
    expect(step('REFERRED')).toMatchObject({
      referralId: referral.id,
      unitName: '平山区民政局',
      dueOn: referralDue,
      note: '请协助核实低保资格',
    });
    expect(step('ACCEPTED')).toMatchObject({
      referralId: referral.id,
      unitName: '平山区民政局',
    });
    expect(step('RESOLVED')).toMatchObject({
      referralId: referral.id,
      unitName: '平山区民政局',
    });
    expect(step('REFERRED').actorLabel).toContain(world.names.cadre);
    expect(step('ACCEPTED').actorLabel).toContain(world.names.handlerA);
    expect(step('ACCEPTED').actorLabel).toContain('平山区民政局');
    // The timeline names people, never an ID number or a phone.
    for (const event of confirmed.events) expect(event.actorLabel).not.toMatch(/\d{6,}/);
    expect(confirmed.referrals.map((row) => row.status)).toEqual(['RESOLVED']);
  });

  it('lets a handler return a referral with a reason, and the cadre refer it elsewhere; the history keeps both', async () => {
    const { demandId } = await raise(DemandCategory.EMPLOYMENT);
    const first = (await refer(demandId, world.pingshanBureau)).data!.referDemand;
    const returned = (
      await okAs<{ returnReferral: Referral }>('handlerB', RETURN, {
        input: {
          referralId: first.id,
          clientId: clientId(),
          reason: '就业诉求不属本局职责，请转人社部门',
        },
      })
    ).returnReferral;
    expect(returned).toMatchObject({
      status: 'RETURNED',
      returnReason: '就业诉求不属本局职责，请转人社部门',
    });
    expect(returned.returnedAt).not.toBeNull();
    const back = await demandOf('cadre', first.id);
    expect(back).toMatchObject({
      status: 'OPEN',
      currentReferral: null,
      effectiveDueOn: back.dueOn,
    });

    // A returned referral is closed: signing for it now is refused, naming its status, and writes nothing.
    const before = await counts(demandId);
    const late = await as('handlerA', ACCEPT, {
      input: { referralId: first.id, clientId: clientId() },
    });
    expect(late.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(late.errors?.[0]?.message).toMatch(/RETURNED|OPEN/);
    expect(await counts(demandId)).toEqual(before);

    const second = (await refer(demandId, world.cityBureau)).data!.referDemand;
    expect(second.status).toBe('PENDING');
    // The returning unit no longer sees it as its work; the new unit does.
    expect((await okAs<{ myInbox: { nodes: { id: string }[] } }>('cityHandler', INBOX, { status: 'PENDING' })).myInbox.nodes.map((node) => node.id)).toContain(
      second.id,
    );
    await okAs('cityHandler', ACCEPT, {
      input: { referralId: second.id, clientId: clientId() },
    });
    await okAs('cityHandler', RESOLVE, {
      input: {
        referralId: second.id,
        clientId: clientId(),
        resolution: '已推荐公益性岗位',
      },
    });
    const done = await demandOf('cadre', second.id);
    expect(done.status).toBe('RESOLVED');
    expect(done.referrals.map((row) => [row.unit.id, row.status])).toEqual([
      [String(world.pingshanBureau.id), 'RETURNED'],
      [String(world.cityBureau.id), 'RESOLVED'],
    ]);
    expect(kinds(done)).toEqual(['RAISED', 'REFERRED', 'RETURNED', 'REFERRED', 'ACCEPTED', 'RESOLVED']);
    expect(done.events.find((event) => event.kind === 'RETURNED')).toMatchObject({ referralId: first.id, unitName: '平山区民政局' });
  });

  it("ends a handler's designation: the inbox empties and signing for the unit's referrals is refused, the other handler carries on", async () => {
    const em = orm.em.fork();
    const unit = await createUnit(em, { name: '平山区人社局', region: world.regions.pingshan, level: UnitLevel.COUNTY, kind: UnitKind.AGENCY });
    const leaving = await createCadre(em, { unit, name: '钱晓燕' });
    const staying = await createCadre(em, { unit, name: '冯建军' });
    const tokenOf = async (cadre: Cadre) => tokenFor(await createAccount(em, { cadre }), instance, TOKEN_TTL_SECONDS);
    const [leavingToken, stayingToken] = [await tokenOf(leaving), await tokenOf(staying)];
    const designate = (cadre: Cadre) =>
      okAs<{ designateUnitHandler: { id: string } }>('pingshanAdmin', DESIGNATE, { input: { unitId: String(unit.id), cadreId: String(cadre.id) } });
    const row = (await designate(leaving)).designateUnitHandler;
    await designate(staying);
    // Designating the same cadre twice while active is refused.
    expect((await as('pingshanAdmin', DESIGNATE, { input: { unitId: String(unit.id), cadreId: String(leaving.id) } })).errors?.[0]?.extensions?.code).toBe(
      'CONFLICT',
    );
    const { demandId } = await raise(DemandCategory.EMPLOYMENT);
    const referral = (await refer(demandId, unit)).data!.referDemand;
    expect((await ok<{ myInbox: { totalCount: number } }>(instance.url, leavingToken, INBOX, {})).myInbox.totalCount).toBe(1);

    const ended = await okAs<{ endUnitHandler: { id: string; endedAt: string | null; endedReason: string | null } }>(
      'pingshanAdmin',
      'mutation ($input: EndUnitHandlerInput!) { endUnitHandler(input: $input) { id endedAt endedReason } }',
      { input: { id: row.id, reason: '调离本单位' } },
    );
    expect(ended.endUnitHandler).toMatchObject({ id: row.id, endedReason: '调离本单位' });
    expect(ended.endUnitHandler.endedAt).not.toBeNull();
    const handlers = await okAs<{ unitHandlers: { cadreName: string }[] }>('pingshanAdmin', 'query ($id: ID!) { unitHandlers(unitId: $id) { cadreName } }', {
      id: String(unit.id),
    });
    expect(handlers.unitHandlers.map((handler) => handler.cadreName)).toEqual(['冯建军']);
    expect((await ok<{ myInbox: { totalCount: number } }>(instance.url, leavingToken, INBOX, {})).myInbox.totalCount).toBe(0);
    const before = await counts(demandId);
    const refused = await post(instance.url, leavingToken, ACCEPT, { input: { referralId: referral.id, clientId: clientId() } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await counts(demandId)).toEqual(before);
    const accepted = await ok<{ acceptReferral: Referral }>(instance.url, stayingToken, ACCEPT, { input: { referralId: referral.id, clientId: clientId() } });
    expect(accepted.acceptReferral.status).toBe('ACCEPTED');
  });

  it("shows a handler what it needs to act and no more: the head, address and masked phone, never the household's file", async () => {
    const em = orm.em.fork();
    const household = await createHousehold(em, {
      region: world.regions.dongxing,
      headName: '吴玉兰',
      phone: '13698765432',
      address: '东兴社区3号楼2单元402室',
    });
    await createResident(em, { household, idNumber: validIdNumber('210502', '1961-03-08') });
    await createAssignment(em, { cadre: world.cadre, household, round: world.round, startedAt: new Date(clock.now().getTime() - 30 * DAY_MS) });
    const { demandId } = await raise(DemandCategory.MEDICAL, household);
    const referral = (await refer(demandId, world.pingshanBureau)).data!.referDemand;
    const seen = (await okAs<{ referral: Referral & { demand: LoopDemand } }>('handlerA', REFERRAL, { id: referral.id })).referral;
    expect(seen.household).toEqual({
      headName: '吴玉兰',
      address: '东兴社区3号楼2单元402室',
      maskedPhone: expect.stringMatching(/^136\*+5432$/),
      regionName: expect.stringContaining('东兴社区'),
    });
    expect(seen.demand.id).toBe(demandId);
    // The file behind it: refused, and nothing of it in the answer.
    const file = await as(
      'handlerA',
      'query ($id: ID!) { referral(id: $id) { id demand { household { id residents { name idNumber } petitionCases { id } openDemands { id } } } } }',
      {
        id: referral.id,
      },
    );
    expect(file.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(file.data ?? null)).not.toMatch(/\d{17}[\dX]|residents/);
    expect((await as('handlerA', 'query ($id: ID!) { household(id: $id) { id } }', { id: String(household.id) })).errors?.[0]?.extensions?.code).toBe(
      'FORBIDDEN',
    );
    // Another unit's handler reads nothing of it.
    expect((await okAs<{ referral: Referral | null }>('cityHandler', REFERRAL, { id: referral.id })).referral).toBeNull();
  });

  it('gives one winner when two handlers sign for one referral at once: one CONFLICT, one ACCEPTED step', async () => {
    const { demandId } = await raise(DemandCategory.MEDICAL);
    const referral = (await refer(demandId, world.pingshanBureau)).data!.referDemand;
    const answers = await Promise.all(
      (['handlerA', 'handlerB'] as const).map((who) =>
        as<{ acceptReferral: Referral }>(who, ACCEPT, {
          input: { referralId: referral.id, clientId: clientId() },
        }),
      ),
    );
    const winners = answers.filter((answer) => answer.data?.acceptReferral?.status === 'ACCEPTED');
    const losers = answers.filter((answer) => answer.errors?.length);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(losers[0]!.errors![0]!.extensions?.code).toBe('CONFLICT');
    expect(losers[0]!.errors![0]!.message).toMatch(/IN_PROGRESS|ACCEPTED/);
    const em = orm.em.fork();
    expect(
      await em.count(DemandEvent, {
        demand: Number(demandId),
        kind: 'ACCEPTED' as never,
      }),
    ).toBe(1);
    expect((await demandOf('cadre', referral.id)).status).toBe('IN_PROGRESS');
  });

  it('starts work without a unit: OPEN → IN_PROGRESS, progress noted by the cadre, resolved by a help record', async () => {
    const { household, demandId } = await raise(DemandCategory.OTHER);
    const started = (
      await okAs<{ startDemandWork: LoopDemand }>('cadre', START, {
        input: { demandId, clientId: clientId(), note: '先行协调' },
      })
    ).startDemandWork;
    expect(started.status).toBe('IN_PROGRESS');
    const noted = (
      await okAs<{ noteDemandProgress: LoopDemand }>('cadre', PROGRESS, {
        input: { demandId, clientId: clientId(), note: '已联系社区' },
      })
    ).noteDemandProgress;
    expect(kinds(noted)).toEqual(['RAISED', 'WORK_STARTED', 'PROGRESS_NOTED']);
    // Starting twice is not a step: CONFLICT naming the status.
    const again = await as('cadre', START, {
      input: { demandId, clientId: clientId() },
    });
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(again.errors?.[0]?.message).toContain('IN_PROGRESS');
    const visit = (occurredAt: Date) =>
      as<{ submitHelpRecord: { id: string } }>('cadre', 'mutation ($input: HelpRecordInput!) { submitHelpRecord(input: $input) { id } }', {
        input: {
          clientId: randomUUID(),
          householdId: String(household.id),
          occurredAt: occurredAt.toISOString(),
          kinds: ['VISIT'],
          summary: '问题已解决',
          resolvedDemandIds: [demandId],
        },
      });
    // A visit back-dated before the work started cannot have resolved it; the next visit does.
    const backDated = await visit(new Date(clock.now().getTime() - 60_000));
    expect(backDated.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.resolvedDemandIds' });
    const record = await visit(new Date(clock.now().getTime() + 1000));
    expect(record.errors).toBeUndefined();
    const done = await okAs<{ household: { openDemands: { id: string }[] } }>('cadre', 'query ($id: ID!) { household(id: $id) { openDemands { id } } }', {
      id: String(household.id),
    });
    expect(done).toEqual({ household: { openDemands: [] } });
  });

  it('refuses a help record that would resolve a referred demand, naming the field and the unit, and writes nothing', async () => {
    const { household, demandId } = await raise(DemandCategory.HOUSING);
    await refer(demandId, world.pingshanBureau);
    const before = await counts(demandId);
    const body = await as('cadre', 'mutation ($input: HelpRecordInput!) { submitHelpRecord(input: $input) { id } }', {
      input: {
        clientId: randomUUID(),
        householdId: String(household.id),
        occurredAt: new Date(clock.now().getTime() - 60_000).toISOString(),
        kinds: ['VISIT'],
        summary: '回访',
        resolvedDemandIds: [demandId],
      },
    });
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: expect.stringContaining('resolvedDemandIds'),
    });
    expect(body.errors?.[0]?.message).toContain('平山区民政局');
    expect(await counts(demandId)).toEqual(before);
  });

  it('escalates a lapsed referral through every rung as the clock moves, once per rung; an instruction settles it; a reopening starts a new lapse', async () => {
    const em = orm.em.fork();
    const household = await createHousehold(em, {
      region: world.regions.dongxing,
      headName: '韩桂珍',
    });
    await createAssignment(em, {
      cadre: world.cadre,
      household,
      round: world.round,
      startedAt: new Date(clock.now().getTime() - 30 * DAY_MS),
    });
    // A petitioner's household: the case's responsible leader (包案领导) answers from the first rung.
    await createPetitionCase(em, {
      household,
      title: '低保待遇信访',
      demand: '要求落实低保',
      responsibleLeader: world.leader,
      majorBacklog: true,
      status: PetitionCaseStatus.IN_PROGRESS,
    });
    const { demandId } = await raise(DemandCategory.LIVELIHOOD, household);
    const start = today();
    const due = plusDays(start, 2);
    const referral = (await refer(demandId, world.cityBureau, { dueOn: due })).data!.referDemand;
    await okAs('cityHandler', ACCEPT, {
      input: { referralId: referral.id, clientId: clientId() },
    });

    const at = async (day: number) => {
      clock.set(new Date(Date.parse(`${plusDays(due, day)}T04:00:00Z`))); // noon in Shanghai
      await sweep();
      return demandOf('cadre', referral.id);
    };
    const escalated = (demand: LoopDemand) => demand.events.filter((event) => event.kind === 'ESCALATED').map((event) => event.rung);

    // On the due day itself nothing is late.
    let demand = await at(0);
    expect(demand).toMatchObject({
      escalationRung: 0,
      overdue: false,
      effectiveDueOn: due,
    });
    expect(escalated(demand)).toEqual([]);
    // One day past: rung 1 (本单位), the leader attached; sweeping again the same day adds nothing.
    demand = await at(1);
    expect(demand).toMatchObject({ escalationRung: 1, overdue: true });
    expect(escalated(demand)).toEqual([1]);
    expect((await at(1)).events.length).toBe(demand.events.length);
    expect(escalated(await at(3))).toEqual([1]);
    expect(escalated(await at(4))).toEqual([1, 2]);
    expect(escalated(await at(7))).toEqual([1, 2]);
    expect(escalated(await at(8))).toEqual([1, 2, 3]);
    demand = await at(15);
    expect(escalated(demand)).toEqual([1, 2, 3, 4]);
    expect(demand.escalationRung).toBe(4);
    expect(demand.events.filter((event) => event.kind === 'ESCALATED').every((event) => event.actorLabel === '系统')).toBe(true);

    // The 督办 lists: each administrator sees the rungs whose target lies in their scope.
    const listed = async (who: 'cityAdmin' | 'pingshanAdmin' | 'xihuAdmin', filter: Record<string, unknown> = {}) =>
      (await okAs<{ supervisionList: { nodes: Escalation[] } }>(who, SUPERVISION, { filter })).supervisionList.nodes.filter(
        (row) => row.demand.id === demandId,
      );
    const city = await listed('cityAdmin');
    expect(city.map((row) => [row.level, row.targetRegionName])).toEqual([
      [1, '东兴社区'],
      [2, '站前街道'],
      [3, '平山区'],
      [4, '本溪市'],
    ]);
    expect(city.every((row) => row.leaderName === world.names.leader && row.lapsedDueOn === due && row.settledAt === null)).toBe(true);
    expect(city.map((row) => row.daysOverdue)).toEqual([15, 15, 15, 15]);
    expect((await listed('pingshanAdmin')).map((row) => row.level)).toEqual([1, 2, 3]);
    expect((await listed('pingshanAdmin', { atMyLevel: true })).map((row) => row.level)).toEqual([3]);
    expect((await listed('cityAdmin', { level: 4 })).map((row) => row.level)).toEqual([4]);
    expect(await listed('xihuAdmin')).toEqual([]);

    // The leader sees the case's escalations among their contact points.
    const leaderView = await okAs<{
      myContactPoints: {
        cases: {
          openDemands: { id: string }[];
          escalations: { level: number }[];
        }[];
      };
    }>('leader', '{ myContactPoints { cases { caseLabel openDemands { id } escalations { level } } } }');
    const theCase = leaderView.myContactPoints.cases.find((row) => row.openDemands.some((open) => open.id === demandId));
    expect(theCase?.escalations.map((row) => row.level).sort()).toEqual([1, 2, 3, 4]);

    // An instruction (督办) from 溪湖区 is out of reach; the city's administrator gives one.
    const newDue = plusDays(today(), 10);
    const foreign = await as('xihuAdmin', INSTRUCT, {
      input: {
        demandId,
        clientId: clientId(),
        note: '请尽快办结',
        newDueOn: newDue,
      },
    });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const instructed = (
      await okAs<{ instructDemand: LoopDemand }>('cityAdmin', INSTRUCT, {
        input: {
          demandId,
          clientId: clientId(),
          note: '请十日内办结并反馈',
          newDueOn: newDue,
        },
      })
    ).instructDemand;
    expect(instructed).toMatchObject({
      escalationRung: 0,
      overdue: false,
      effectiveDueOn: newDue,
      dueOn: newDue,
      currentReferral: { id: referral.id, dueOn: newDue },
    });
    expect(instructed.events.at(-1)).toMatchObject({
      kind: 'INSTRUCTED',
      dueOn: newDue,
      note: '请十日内办结并反馈',
    });
    expect(await listed('cityAdmin')).toEqual([]);
    const settled = await orm.em.fork().find(DemandEscalation, { demand: Number(demandId) });
    expect(settled.map((row) => row.settledAt !== null && row.settledAt !== undefined)).toEqual([true, true, true, true]);
    // The next days' sweeps leave the instructed demand alone.
    clock.advanceDays(1);
    await sweep();
    expect(escalated(await demandOf('cadre', referral.id))).toEqual([1, 2, 3, 4]);

    // Resolved by the unit, then reopened by the household (不满意): open again, with a due date not yet passed.
    await okAs('cityHandler', RESOLVE, {
      input: {
        referralId: referral.id,
        clientId: clientId(),
        resolution: '已核定低保',
      },
    });
    const reopened = (
      await okAs<{ confirmDemandResolved: LoopDemand }>('cadre', CONFIRM, {
        input: {
          demandId,
          clientId: randomUUID(),
          satisfaction: 'DISSATISFIED',
          note: '金额与政策不符',
        },
      })
    ).confirmDemandResolved;
    expect(reopened).toMatchObject({
      status: 'OPEN',
      reopenCount: 1,
      currentReferral: null,
      escalationRung: 0,
    });
    expect(reopened.events.at(-1)).toMatchObject({
      kind: 'REOPENED',
      satisfaction: 'DISSATISFIED',
    });
    expect(reopened.overdue).toBe(false);
    expect(reopened.effectiveDueOn! >= today()).toBe(true);
    // Nothing climbs before that date; passing it is a new lapse, escalated from rung 1 again.
    await sweep();
    expect(escalated(await demandOf('cadre', referral.id))).toEqual([1, 2, 3, 4]);
    clock.set(new Date(Date.parse(`${plusDays(reopened.effectiveDueOn!, 1)}T04:00:00Z`)));
    await sweep();
    const again = await demandOf('cadre', referral.id);
    expect(escalated(again)).toEqual([1, 2, 3, 4, 1]);
    expect(again.escalationRung).toBe(1);
  });

  it('catches up after downtime: a sweep long after the due date inserts every rung reached at once, and a second sweep nothing', async () => {
    const { demandId } = await raise(DemandCategory.SOCIAL_SECURITY);
    const due = plusDays(today(), 1);
    const referral = (await refer(demandId, world.pingshanBureau, { dueOn: due })).data!.referDemand;
    clock.set(new Date(Date.parse(`${plusDays(due, 30)}T04:00:00Z`)));
    await sweep();
    const demand = await demandOf('cadre', referral.id);
    expect(demand.events.filter((event) => event.kind === 'ESCALATED').map((event) => event.rung)).toEqual([1, 2, 3, 4]);
    await sweep();
    expect(await orm.em.fork().count(DemandEscalation, { demand: Number(demandId) })).toBe(4);
    expect(
      await orm.em.fork().count(DemandEvent, {
        demand: Number(demandId),
        kind: 'ESCALATED' as never,
      }),
    ).toBe(4);
  });

  it('tells the people of each step in their 消息 list: the unit on a referral, the cadre on a return and a resolution, everyone on an escalation', async () => {
    const notices = async (who: keyof World['tokens']) =>
      (
        await okAs<{
          myNotices: {
            nodes: {
              kind: string;
              demandId: string | null;
              referralId: string | null;
              readAt: string | null;
            }[];
          };
        }>(who, NOTICES)
      ).myNotices.nodes;
    const { demandId } = await raise(DemandCategory.EDUCATION);
    const first = (await refer(demandId, world.pingshanBureau)).data!.referDemand;
    for (const handler of ['handlerA', 'handlerB'] as const) {
      expect(await notices(handler)).toContainEqual(
        expect.objectContaining({
          kind: 'REFERRED_TO_UNIT',
          referralId: first.id,
          readAt: null,
        }),
      );
    }
    await okAs('handlerA', RETURN, {
      input: {
        referralId: first.id,
        clientId: clientId(),
        reason: '请补充学籍材料后再交办',
      },
    });
    expect(await notices('cadre')).toContainEqual(
      expect.objectContaining({
        kind: 'REFERRAL_RETURNED',
        referralId: first.id,
      }),
    );
    const due = plusDays(today(), 1);
    const second = (await refer(demandId, world.cityBureau, { dueOn: due })).data!.referDemand;
    await okAs('cityHandler', ACCEPT, {
      input: { referralId: second.id, clientId: clientId() },
    });
    clock.set(new Date(Date.parse(`${plusDays(due, 1)}T04:00:00Z`)));
    await sweep();
    expect(await notices('cadre')).toContainEqual(expect.objectContaining({ kind: 'DEMAND_ESCALATED', demandId }));
    expect(await notices('cityHandler')).toContainEqual(expect.objectContaining({ kind: 'DEMAND_ESCALATED', demandId }));
    await okAs('cityAdmin', INSTRUCT, {
      input: {
        demandId,
        clientId: clientId(),
        note: '请三日内办结',
        newDueOn: plusDays(today(), 3),
      },
    });
    expect(await notices('cadre')).toContainEqual(expect.objectContaining({ kind: 'DEMAND_INSTRUCTED', demandId }));
    expect(await notices('cityHandler')).toContainEqual(expect.objectContaining({ kind: 'DEMAND_INSTRUCTED', demandId }));
    await okAs('cityHandler', RESOLVE, {
      input: {
        referralId: second.id,
        clientId: clientId(),
        resolution: '已协调入学',
      },
    });
    expect(await notices('cadre')).toContainEqual(expect.objectContaining({ kind: 'AWAITING_CONFIRMATION', demandId }));
    // Nobody else's: the other unit's handler heard nothing of the second referral.
    expect((await notices('xihuHandler')).filter((notice) => notice.demandId === demandId)).toEqual([]);
  });
});

/**
 * Two server instances over one MariaDB database, each with its own ORM (its own pool), sweeping at the
 * same moment: every lapse is escalated once, whichever instance wins each row. Only MySQL can be
 * shared by two processes' pools; the global setup decides whether one runs (under CI it must).
 */
describe.each(databaseKinds().filter((kind) => kind === 'mysql'))('two instances sweeping one database on %s', (kind) => {
  let orms: Orm[] = [];
  let database: DatabaseConfig;
  let instances: Instance[] = [];
  const clock = new ManualClock();

  beforeAll(async () => {
    let first: Orm;
    ({ orm: first, database } = await migratedOrm(kind, 'pf_loop_two'));
    orms = [first, await createOrm({ database })];
    const config = instanceConfig(database);
    instances = [await startInstance(orms[0]!, database, clock, config), await startInstance(orms[1]!, database, clock, config)];
  });

  afterAll(async () => {
    for (const instance of instances) await instance.close();
    for (const orm of orms) await orm.close(true);
    if (database) await dropScratchDatabase(database);
  });

  it('escalates each lapse once when both sweep at once, and both serve the same 督办 list', async () => {
    const [a, b] = instances as [Instance, Instance];
    const world = await buildWorld(orms[0]!, a);
    const em = orms[0]!.em.fork();
    const demandIds: string[] = [];
    for (let index = 0; index < 6; index += 1) {
      const household = await createHousehold(em, {
        region: world.regions.dongxing,
        headName: `两实例户${index}`,
      });
      await createAssignment(em, {
        cadre: world.cadre,
        household,
        round: world.round,
        startedAt: new Date(Date.now() - 30 * DAY_MS),
      });
      const body = await ok<{
        submitHelpRecord: { demandsRaised: { id: string }[] };
      }>(a.url, world.tokens.cadre, RAISE, {
        input: {
          clientId: randomUUID(),
          householdId: String(household.id),
          occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
          kinds: ['VISIT'],
          summary: '入户走访',
          demandsRaised: [{ category: 'LIVELIHOOD', text: `诉求${index}` }],
        },
      });
      const demandId = body.submitHelpRecord.demandsRaised[0]!.id;
      demandIds.push(demandId);
      // Half referred (the referral's due date lapses), half left with their own due date.
      if (index % 2 === 0) {
        await ok(b.url, world.tokens.cadre, REFER, {
          input: {
            demandId,
            clientId: `two-${randomUUID().slice(0, 12)}`,
            unitId: String(world.pingshanBureau.id),
            dueOn: shanghaiDate(new Date(Date.now() + DAY_MS)),
          },
        });
      }
    }
    clock.set(new Date(Date.now() + 60 * DAY_MS)); // every rung of every demand reached
    const results = await Promise.all([sweepAll(orms[0]!, clock.now()), sweepAll(orms[1]!, clock.now()), sweepAll(orms[1]!, clock.now())]);
    const expected = demandIds.length * 4;
    expect(results.reduce((sum, escalated) => sum + escalated, 0)).toBe(expected);
    const check = orms[1]!.em.fork();
    expect(
      await check.count(DemandEscalation, {
        demand: { $in: demandIds.map(Number) },
      }),
    ).toBe(expected);
    expect(
      await check.count(DemandEvent, {
        demand: { $in: demandIds.map(Number) },
        kind: 'ESCALATED' as never,
      }),
    ).toBe(expected);
    const listOn = async (instance: Instance) =>
      (await ok<{ supervisionList: { totalCount: number } }>(instance.url, world.tokens.cityAdmin, SUPERVISION, {})).supervisionList.totalCount;
    expect(await listOn(a)).toBe(expected);
    expect(await listOn(b)).toBe(expected);
  });
});
