import { AssignmentKind, HouseholdStatus, RegionLevel, Role, TargetGroup, UnitKind, UnitLevel } from '@wanjia/shared';
import { loadConfig, type DatabaseConfig } from '../src/config';
import { ManualClock } from '../src/core/clock';
import type { Orm } from '../src/db/orm';
import { createLogger } from '../src/logger';
import { Assignment } from '../src/modules/assignments/assignment.entity';
import { AuditEntry } from '../src/modules/audit/audit-entry.entity';
import { BulkRunItem } from '../src/modules/bulk-runs/bulk-run-item.entity';
import { BulkRun } from '../src/modules/bulk-runs/bulk-run.entity';
import { advanceBulkRuns, type BulkRunWorkerOptions } from '../src/modules/bulk-runs/bulk-run.worker';
import { Cadre } from '../src/modules/cadres/cadre.entity';
import { Household } from '../src/modules/households/household.entity';
import { Region } from '../src/modules/regions/region.entity';
import { Round } from '../src/modules/rounds/round.entity';
import { UnitPairing } from '../src/modules/unit-pairings/unit-pairing.entity';
import { Unit } from '../src/modules/units/unit.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import {
  createAccount,
  createAssignment,
  createCadre,
  createHousehold,
  createRegion,
  createRegionTree,
  createRound,
  createUnit,
  createUnitPairing,
  tokenFor,
  type RegionTree,
} from './support/factories';
import { createTestApp, listenOnLoopback, type GraphQLBody } from './support/server';

/**
 * A new round's carry-over (新一轮结对) and bulk reassignment over HTTP, as an administrator drives them
 * from the playground: the dry run and its verdicts, the run worked in batches by the jobs' worker
 * (called here as the scheduler calls it, with the test's clock), a worker that dies half way and
 * another that resumes after its lease lapses, the world changing between plan and run, narrowing,
 * capacity, history, scope, bad input and roles. Each test works in a community and rounds of its own.
 */

type Data = Record<string, any>;
const TOKEN_TTL_SECONDS = 24 * 3600;

const RUN_FIELDS = `id kind kindLabel state reason failure plannedAt startedAt finishedAt carry targetGroup
  region { id path } fromRound { id } toRound { id } unit { id } fromCadre { id }
  counts { total planned skippedByPlan done skippedAtRun pending }
  skippedByReason { reason label atRun count }`;
const ITEM_FIELDS =
  'id subjectKind subjectId outcome reason reasonLabel skippedAtRun resultId household { id headName } cadre { id } toCadre { id } unit { id } place { id }';
const PLAN_ROLLOVER = `mutation ($input: PlanRoundRolloverInput!) { planRoundRollover(input: $input) { ${RUN_FIELDS} items(first: 100) { totalCount nodes { ${ITEM_FIELDS} } } } }`;
const PLAN_REASSIGNMENT = `mutation ($input: PlanBulkReassignmentInput!) { planBulkReassignment(input: $input) { ${RUN_FIELDS} items(first: 100) { totalCount nodes { ${ITEM_FIELDS} } } } }`;
const START = `mutation ($input: BulkRunIdInput!) { startBulkRun(input: $input) { ${RUN_FIELDS} } }`;
const CANCEL = `mutation ($input: BulkRunIdInput!) { cancelBulkRun(input: $input) { ${RUN_FIELDS} } }`;
const RUN = `query ($id: ID!, $outcome: BulkRunItemOutcome, $after: String, $first: Int) {
  bulkRun(id: $id) { ${RUN_FIELDS} items(first: $first, after: $after, outcome: $outcome) { totalCount pageInfo { hasNextPage endCursor } nodes { ${ITEM_FIELDS} } } }
}`;
const RUNS = `query ($filter: BulkRunFilter) { bulkRuns(first: 100, filter: $filter) { totalCount nodes { id kind state region { path } } } }`;
const HISTORY = `query ($id: ID!) { assignments(first: 100, filter: { householdId: $id }) { nodes { id cadre { id } round { id } endedAt endReason transferredFromId } } }`;

interface World {
  regions: RegionTree;
  tokens: Record<'cityAdmin' | 'pingshanAdmin' | 'xihuAdmin' | 'analyst' | 'cadre', string>;
  pingshanUnit: Unit;
  cityUnit: Unit;
  xihuUnit: Unit;
  xihuCadre: Cadre;
}

describe.each(databaseKinds())('bulk runs over HTTP on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let url: string;
  let stop: () => Promise<void>;
  let world: World;
  const clock = new ManualClock();
  /** SQL statements sent so far (the ORM's query log): what a plan or a run costs, whatever its size. */
  let statements = 0;

  const post = async (token: string, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLBody<Data>> => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLBody<Data>;
  };
  const as = (who: keyof World['tokens'], query: string, variables: Record<string, unknown> = {}) => post(world.tokens[who], query, variables);
  const okAs = async (who: keyof World['tokens'], query: string, variables: Record<string, unknown> = {}): Promise<Data> => {
    const body = await as(who, query, variables);
    if (body.errors?.length || !body.data) throw new Error(`expected an answer, got ${JSON.stringify(body.errors)}`);
    return body.data;
  };
  const refusal = (body: GraphQLBody<Data>) => ({ code: body.errors?.[0]?.extensions?.code, field: body.errors?.[0]?.extensions?.field });
  /** The jobs' worker, as the scheduler's `bulk-runs` job calls it. */
  const work = (owner: string, options: Partial<BulkRunWorkerOptions> = {}) => advanceBulkRuns(orm.em.fork(), { owner, clock, ...options });

  /** Rounds of the test's own: the old one (2023–2026) and the new one (2026–2029). */
  async function rounds(): Promise<{ old: Round; next: Round }> {
    const em = orm.em.fork();
    return {
      old: await createRound(em, { startsOn: '2023-05-01', endsOn: '2026-04-30' }),
      next: await createRound(em, { startsOn: '2026-05-01', endsOn: '2029-04-30' }),
    };
  }

  /** A community of 平山区's 站前街道 with the given households, made for one test. */
  async function community(): Promise<Region> {
    return createRegion(orm.em.fork(), { parent: world.regions.zhanqian, level: RegionLevel.COMMUNITY });
  }

  async function household(place: Region, overrides: Parameters<typeof createHousehold>[1] = {}): Promise<Household> {
    return createHousehold(orm.em.fork(), { region: place, ...overrides });
  }

  async function cadre(unit: Unit, overrides: Parameters<typeof createCadre>[1] = {}): Promise<Cadre> {
    return createCadre(orm.em.fork(), { unit, ...overrides });
  }

  async function assign(who: Cadre, home: Household, round: Round): Promise<Assignment> {
    const em = orm.em.fork();
    return createAssignment(em, {
      cadre: em.getReference(Cadre, who.id),
      household: em.getReference(Household, home.id),
      round: em.getReference(Round, round.id),
    });
  }

  const activeOf = async (householdId: number) => orm.em.fork().find(Assignment, { household: householdId, endedAt: null });
  const countRows = async () => {
    const em = orm.em.fork();
    return {
      assignments: await em.count(Assignment, {}),
      activeAssignments: await em.count(Assignment, { endedAt: null }),
      pairings: await em.count(UnitPairing, {}),
      activePairings: await em.count(UnitPairing, { endedOn: null }),
      runs: await em.count(BulkRun, {}),
      audits: await em.count(AuditEntry, {}),
    };
  };
  const itemsOf = (run: Data) => run.items.nodes as Data[];
  const itemFor = (run: Data, subjectKind: string, subjectId: number) =>
    itemsOf(run).find((item) => item.subjectKind === subjectKind && item.subjectId === String(subjectId));

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'bulk_runs', {
      onQuery: (sql) => {
        // Not the sign-in's account-standing check, which a time-based cache repeats now and then whatever the request.
        if (!sql.includes('session_generation')) statements += 1;
      },
    }));
    const config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' }), port: 0, database };
    const app = await createTestApp({ config, orm, logger: createLogger(config), clock });
    url = await listenOnLoopback(app);
    stop = () => app.stop();
    const em = orm.em.fork();
    const regions = await createRegionTree(em);
    const unit = (name: string, region: Region, level: UnitLevel) => createUnit(em, { name, region, level, kind: UnitKind.AGENCY });
    const pingshanUnit = await unit('平山区民政局', regions.pingshan, UnitLevel.COUNTY);
    const cityUnit = await unit('本溪市人社局', regions.city, UnitLevel.CITY);
    const xihuUnit = await unit('溪湖区民政局', regions.xihu, UnitLevel.COUNTY);
    const xihuCadre = await createCadre(em, { unit: xihuUnit, name: '周国庆' });
    const cadreAccount = await createAccount(em, { cadre: await createCadre(em, { unit: pingshanUnit, name: '刘建华' }) });
    const accounts = {
      cityAdmin: await createAccount(em, { role: Role.ADMIN, scopeRegion: regions.city }),
      pingshanAdmin: await createAccount(em, { role: Role.ADMIN, scopeRegion: regions.pingshan }),
      xihuAdmin: await createAccount(em, { role: Role.ADMIN, scopeRegion: regions.xihu }),
      analyst: await createAccount(em, { role: Role.ANALYST, scopeRegion: regions.city }),
      cadre: cadreAccount,
    };
    const tokens = {} as World['tokens'];
    for (const [who, account] of Object.entries(accounts)) tokens[who as keyof World['tokens']] = await tokenFor(account, { config }, TOKEN_TTL_SECONDS);
    world = { regions, tokens, pingshanUnit, cityUnit, xihuUnit, xihuCadre };
  });

  beforeEach(() => clock.set(new Date()));

  afterAll(async () => {
    await stop?.();
    await orm?.close(true);
    if (database) await dropScratchDatabase(database);
  });

  it('plans a rollover as a dry run: carried and not carried with the reason, counted by reason, nothing written but the run', async () => {
    const { old, next } = await rounds();
    const place = await community();
    const em = orm.em.fork();
    const street = world.regions.zhanqian; // a pairing left on a street: the tree was reshaped since it began
    const pairings = {
      district: await createUnitPairing(em, {
        unit: em.getReference(Unit, world.pingshanUnit.id),
        region: em.getReference(Region, place.id),
        round: em.getReference(Round, old.id),
        startedOn: old.startsOn,
      }),
      city: await createUnitPairing(em, {
        unit: em.getReference(Unit, world.cityUnit.id),
        region: em.getReference(Region, place.id),
        round: em.getReference(Round, old.id),
        startedOn: old.startsOn,
      }),
      street: await createUnitPairing(em, {
        unit: em.getReference(Unit, world.pingshanUnit.id),
        region: em.getReference(Region, street.id),
        round: em.getReference(Round, old.id),
        startedOn: old.startsOn,
      }),
      outside: await createUnitPairing(em, {
        unit: em.getReference(Unit, world.xihuUnit.id),
        region: em.getReference(Region, world.regions.xiangyang.id),
        round: em.getReference(Round, old.id),
        startedOn: old.startsOn,
      }),
    };
    const active = await cadre(world.pingshanUnit, { name: '王建国' });
    const retired = await cadre(world.pingshanUnit, { name: '赵德胜', active: false });
    const full = await cadre(world.pingshanUnit, { name: '陈志强', householdCapacity: 1 });
    const homes = {
      a: await household(place, { headName: '甲' }),
      b: await household(place, { headName: '乙' }),
      retiredCadre: await household(place, { headName: '丙' }),
      closed: await household(place, { headName: '丁', status: HouseholdStatus.CLOSED }),
      firstOfFull: await household(place, { headName: '戊' }),
      secondOfFull: await household(place, { headName: '己' }),
    };
    const assignments = {
      a: await assign(active, homes.a, old),
      b: await assign(active, homes.b, old),
      retiredCadre: await assign(retired, homes.retiredCadre, old),
      closed: await assign(active, homes.closed, old),
      firstOfFull: await assign(full, homes.firstOfFull, old),
      secondOfFull: await assign(full, homes.secondOfFull, old),
      outside: await assign(world.xihuCadre, await household(world.regions.xiangyang), old),
    };
    const before = await countRows();

    const plan = (
      await okAs('pingshanAdmin', PLAN_ROLLOVER, {
        input: { fromRoundId: String(old.id), toRoundId: String(next.id), carry: 'BOTH', regionId: String(world.regions.pingshan.id) },
      })
    ).planRoundRollover;

    expect(plan).toMatchObject({
      kind: 'ROUND_ROLLOVER',
      state: 'PLANNED',
      reason: '新一轮结对',
      carry: 'BOTH',
      fromRound: { id: String(old.id) },
      toRound: { id: String(next.id) },
    });
    // Six assignments and three pairings of 平山区; 溪湖区's pairing and assignment are not the district's to carry.
    expect(plan.counts).toEqual({ total: 9, planned: 5, skippedByPlan: 4, done: 0, skippedAtRun: 0, pending: 5 });
    const verdict = (subjectKind: string, id: number) => {
      const item = itemFor(plan, subjectKind, id);
      return item ? [item.outcome, item.reason] : 'absent';
    };
    expect(verdict('UNIT_PAIRING', pairings.district.id)).toEqual(['PENDING', null]);
    expect(verdict('UNIT_PAIRING', pairings.city.id)).toEqual(['PENDING', null]); // a city agency above the district: allowed, as startUnitPairing allows it
    expect(verdict('UNIT_PAIRING', pairings.street.id)).toEqual(['SKIPPED', 'PLACE_NOT_VILLAGE']);
    expect(verdict('UNIT_PAIRING', pairings.outside.id)).toBe('absent');
    expect(verdict('ASSIGNMENT', assignments.a.id)).toEqual(['PENDING', null]);
    expect(verdict('ASSIGNMENT', assignments.b.id)).toEqual(['PENDING', null]);
    expect(verdict('ASSIGNMENT', assignments.retiredCadre.id)).toEqual(['SKIPPED', 'CADRE_INACTIVE']);
    expect(verdict('ASSIGNMENT', assignments.closed.id)).toEqual(['SKIPPED', 'HOUSEHOLD_CLOSED']);
    expect(verdict('ASSIGNMENT', assignments.firstOfFull.id)).toEqual(['PENDING', null]);
    expect(verdict('ASSIGNMENT', assignments.secondOfFull.id)).toEqual(['SKIPPED', 'CADRE_OVER_CAPACITY']);
    expect(verdict('ASSIGNMENT', assignments.outside.id)).toBe('absent');
    expect(itemFor(plan, 'ASSIGNMENT', assignments.closed.id)).toMatchObject({
      reasonLabel: '该户已销户',
      household: { id: String(homes.closed.id), headName: '丁' },
      cadre: { id: String(active.id) },
    });
    expect(plan.skippedByReason).toEqual(
      expect.arrayContaining([
        { reason: 'CADRE_INACTIVE', label: '干部已停用', atRun: false, count: 1 },
        { reason: 'HOUSEHOLD_CLOSED', label: '该户已销户', atRun: false, count: 1 },
        { reason: 'CADRE_OVER_CAPACITY', label: '干部联系户数已达上限', atRun: false, count: 1 },
        { reason: 'PLACE_NOT_VILLAGE', label: '结对地点已不是村或社区', atRun: false, count: 1 },
      ]),
    );
    expect(plan.skippedByReason).toHaveLength(4);

    // Filtered and paginated by outcome.
    const skipped = (await okAs('pingshanAdmin', RUN, { id: plan.id, outcome: 'SKIPPED', first: 3 })).bulkRun.items;
    expect(skipped.totalCount).toBe(4);
    expect(skipped.nodes).toHaveLength(3);
    expect(skipped.pageInfo.hasNextPage).toBe(true);
    const rest = (await okAs('pingshanAdmin', RUN, { id: plan.id, outcome: 'SKIPPED', first: 3, after: skipped.pageInfo.endCursor })).bulkRun.items;
    expect(rest.nodes.map((node: Data) => node.outcome)).toEqual(['SKIPPED']);

    // A dry run: no pairing or assignment changed; one run, one audit entry (the plan).
    const after = await countRows();
    expect({ ...after, runs: after.runs - 1, audits: after.audits - 1 }).toEqual(before);
    expect(await orm.em.fork().count(AuditEntry, { operation: 'planRoundRollover', entityId: plan.id })).toBe(1);
  });

  it("runs exactly the plan's carried items in batches: the old round's rows end (新一轮结对), the new ones link back; starting twice does nothing twice", async () => {
    const { old, next } = await rounds();
    const place = await community();
    const em = orm.em.fork();
    const pairing = await createUnitPairing(em, {
      unit: em.getReference(Unit, world.pingshanUnit.id),
      region: em.getReference(Region, place.id),
      round: em.getReference(Round, old.id),
      startedOn: old.startsOn,
    });
    const active = await cadre(world.pingshanUnit);
    const retired = await cadre(world.pingshanUnit, { active: false });
    const homes = [await household(place), await household(place), await household(place)];
    const carried = [await assign(active, homes[0]!, old), await assign(active, homes[1]!, old)];
    const notCarried = await assign(retired, homes[2]!, old);

    const plan = (
      await okAs('pingshanAdmin', PLAN_ROLLOVER, {
        input: { fromRoundId: String(old.id), toRoundId: String(next.id), carry: 'BOTH', regionId: String(place.id) },
      })
    ).planRoundRollover;
    expect(plan.counts).toMatchObject({ total: 4, planned: 3 });
    const audits = await orm.em.fork().count(AuditEntry, {});

    const started = (await okAs('pingshanAdmin', START, { input: { runId: plan.id } })).startBulkRun;
    expect(started).toMatchObject({ state: 'RUNNING', counts: { pending: 3, done: 0 } });
    expect(started.startedAt).not.toBeNull();
    // Started again (a retried request): answered as it is, no second start.
    expect((await okAs('pingshanAdmin', START, { input: { runId: plan.id } })).startBulkRun.state).toBe('RUNNING');
    expect(await orm.em.fork().count(AuditEntry, { operation: 'startBulkRun', entityId: plan.id })).toBe(1);

    const worked = await work('instance-a', { batchSize: 2 });
    expect(worked).toMatchObject({ batches: 2, items: 3, finished: [Number(plan.id)] });
    const done = (await okAs('pingshanAdmin', RUN, { id: plan.id, first: 100 })).bulkRun;
    expect(done).toMatchObject({ state: 'DONE', counts: { total: 4, planned: 3, done: 3, skippedAtRun: 0, pending: 0 } });
    expect(done.finishedAt).not.toBeNull();

    for (const [index, assignment] of carried.entries()) {
      const history = (await okAs('pingshanAdmin', HISTORY, { id: String(homes[index]!.id) })).assignments.nodes as Data[];
      const current = history.find((row) => row.endedAt === null)!;
      const previous = history.find((row) => row.id === String(assignment.id))!;
      expect(previous).toMatchObject({ endReason: '新一轮结对', round: { id: String(old.id) } });
      expect(previous.endedAt).not.toBeNull();
      expect(current).toMatchObject({ cadre: { id: String(active.id) }, round: { id: String(next.id) }, transferredFromId: String(assignment.id) });
      // The item names the row it became.
      expect(itemFor(done, 'ASSIGNMENT', assignment.id)).toMatchObject({ outcome: 'DONE', resultId: current.id });
    }
    // The skipped one is untouched: still with its (deactivated) cadre in the old round, for the office to move.
    expect((await activeOf(homes[2]!.id)).map((row) => row.id)).toEqual([notCarried.id]);
    const pairings = await orm.em.fork().find(UnitPairing, { region: place.id }, { orderBy: { id: 'asc' } });
    expect(pairings.map((row) => [row.round.id, row.endReason ?? null, row.endedOn === null])).toEqual([
      [old.id, '新一轮结对', false],
      [next.id, null, true],
    ]);
    expect(pairings[1]!.startedOn >= next.startsOn).toBe(true);
    expect(itemFor(done, 'UNIT_PAIRING', pairing.id)).toMatchObject({ outcome: 'DONE', resultId: String(pairings[1]!.id) });

    // One finish entry with the counts; starting or working it again writes nothing.
    const finish = await orm.em.fork().find(AuditEntry, { operation: 'finishBulkRun', entityId: plan.id });
    expect(finish).toHaveLength(1);
    expect(JSON.parse(finish[0]!.changes!)).toMatchObject({ counts: { done: 3, planned: 3 } });
    const rows = await countRows();
    expect((await okAs('pingshanAdmin', START, { input: { runId: plan.id } })).startBulkRun.state).toBe('DONE');
    expect(await work('instance-b')).toEqual({ batches: 0, items: 0, finished: [] });
    expect(await countRows()).toEqual(rows);
    expect(rows.audits).toBe(audits + 2); // start and finish
  });

  it('resumes a run whose worker died half way once its lease lapses, with no item twice and none missing', async () => {
    const { old, next } = await rounds();
    const place = await community();
    const homes: Household[] = [];
    const olds: Assignment[] = [];
    for (let index = 0; index < 7; index += 1) {
      const who = await cadre(world.pingshanUnit);
      const home = await household(place);
      homes.push(home);
      olds.push(await assign(who, home, old));
    }
    const plan = (
      await okAs('pingshanAdmin', PLAN_ROLLOVER, {
        input: { fromRoundId: String(old.id), toRoundId: String(next.id), carry: 'ASSIGNMENTS', regionId: String(place.id) },
      })
    ).planRoundRollover;
    await okAs('pingshanAdmin', START, { input: { runId: plan.id } });

    // Instance A commits its first batch and dies before the next (the hook throws as a killed process stops).
    await expect(
      work('instance-a', {
        batchSize: 2,
        afterBatch: () => {
          throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    const halfway = (await okAs('pingshanAdmin', RUN, { id: plan.id })).bulkRun;
    expect(halfway).toMatchObject({ state: 'RUNNING', counts: { done: 2, pending: 5 } });
    const lease = await orm.em.fork().findOneOrFail(BulkRun, Number(plan.id));
    expect(lease.leaseOwner).toBe('instance-a');

    // While A's lease holds, another instance leaves the run alone.
    expect(await work('instance-b', { batchSize: 2 })).toEqual({ batches: 0, items: 0, finished: [] });
    // Once it lapses, B takes the run over and finishes it.
    clock.set(new Date(clock.now().getTime() + 3 * 60_000));
    const resumed = await work('instance-b', { batchSize: 2 });
    expect(resumed).toMatchObject({ batches: 3, items: 5, finished: [Number(plan.id)] });

    const final = (await okAs('pingshanAdmin', RUN, { id: plan.id, first: 100 })).bulkRun;
    expect(final).toMatchObject({ state: 'DONE', failure: null, counts: { done: 7, pending: 0, skippedAtRun: 0 } });
    const em = orm.em.fork();
    for (const [index, home] of homes.entries()) {
      const rows = await em.find(Assignment, { household: home.id }, { orderBy: { id: 'asc' } });
      // Exactly the old one (ended) and one successor in the new round: nothing twice, nothing missing.
      expect(rows.map((row) => [row.round.id, row.endedAt === null, row.transferredFrom?.id ?? null])).toEqual([
        [old.id, false, null],
        [next.id, true, olds[index]!.id],
      ]);
    }
    expect(new Set(itemsOf(final).map((item) => item.resultId)).size).toBe(7);
  });

  it('lets one of two instances working at once take the run: every item done once', async () => {
    const { old, next } = await rounds();
    const place = await community();
    const homes: Household[] = [];
    for (let index = 0; index < 6; index += 1) {
      const home = await household(place);
      homes.push(home);
      await assign(await cadre(world.pingshanUnit), home, old);
    }
    const plan = (
      await okAs('pingshanAdmin', PLAN_ROLLOVER, {
        input: { fromRoundId: String(old.id), toRoundId: String(next.id), carry: 'ASSIGNMENTS', regionId: String(place.id) },
      })
    ).planRoundRollover;
    await okAs('pingshanAdmin', START, { input: { runId: plan.id } });
    const [first, second] = await Promise.all([work('instance-a', { batchSize: 2 }), work('instance-b', { batchSize: 2 })]);
    // Whoever took the lease did all of it; the other found it taken.
    expect([first.items, second.items].sort()).toEqual([0, 6]);
    const em = orm.em.fork();
    for (const home of homes) expect(await em.count(Assignment, { household: home.id, round: next.id })).toBe(1);
    expect((await okAs('pingshanAdmin', RUN, { id: plan.id })).bulkRun).toMatchObject({ state: 'DONE', counts: { done: 6, pending: 0 } });
  });

  it('re-checks every item at run time: what changed since the plan is skipped with its reason', async () => {
    const { old, next } = await rounds();
    const place = await community();
    const leaving = await cadre(world.pingshanUnit);
    const staying = await cadre(world.pingshanUnit);
    const other = await cadre(world.pingshanUnit);
    const homes = [await household(place), await household(place), await household(place), await household(place)];
    const rows = [
      await assign(leaving, homes[0]!, old),
      await assign(staying, homes[1]!, old),
      await assign(staying, homes[2]!, old),
      await assign(staying, homes[3]!, old),
    ];
    const plan = (
      await okAs('pingshanAdmin', PLAN_ROLLOVER, {
        input: { fromRoundId: String(old.id), toRoundId: String(next.id), carry: 'ASSIGNMENTS', regionId: String(place.id) },
      })
    ).planRoundRollover;
    expect(plan.counts.planned).toBe(4);

    // After the plan: a cadre deactivated, a household lifted out of hardship, one transferred by hand.
    const em = orm.em.fork();
    await em.nativeUpdate(Cadre, { id: leaving.id }, { active: false });
    await em.nativeUpdate(Household, { id: homes[1]!.id }, { status: HouseholdStatus.LIFTED });
    const transfer = await okAs(
      'pingshanAdmin',
      'mutation ($id: ID!, $to: ID!) { transferAssignment(assignmentId: $id, toCadreId: $to, reason: "工作调动") { id } }',
      {
        id: String(rows[2]!.id),
        to: String(other.id),
      },
    );
    await okAs('pingshanAdmin', START, { input: { runId: plan.id } });
    await work('instance-a');

    const final = (await okAs('pingshanAdmin', RUN, { id: plan.id, first: 100 })).bulkRun;
    expect(final).toMatchObject({ state: 'DONE', counts: { planned: 4, done: 1, skippedAtRun: 3, pending: 0 } });
    expect(itemFor(final, 'ASSIGNMENT', rows[0]!.id)).toMatchObject({ outcome: 'SKIPPED', reason: 'CADRE_INACTIVE', skippedAtRun: true });
    expect(itemFor(final, 'ASSIGNMENT', rows[1]!.id)).toMatchObject({ outcome: 'SKIPPED', reason: 'HOUSEHOLD_LIFTED', skippedAtRun: true });
    expect(itemFor(final, 'ASSIGNMENT', rows[2]!.id)).toMatchObject({ outcome: 'SKIPPED', reason: 'NO_LONGER_ACTIVE', skippedAtRun: true });
    expect(itemFor(final, 'ASSIGNMENT', rows[3]!.id)).toMatchObject({ outcome: 'DONE' });
    expect(final.skippedByReason).toEqual(expect.arrayContaining([{ reason: 'NO_LONGER_ACTIVE', label: '计划后已结束或已调整', atRun: true, count: 1 }]));
    // The hand transfer stands: the household is with the cadre it was given to, in the old round.
    expect((await activeOf(homes[2]!.id)).map((row) => row.id)).toEqual([Number(transfer.transferAssignment.id)]);
    expect((await activeOf(homes[0]!.id)).map((row) => row.id)).toEqual([rows[0]!.id]);
  });

  it('narrows a rollover by region, unit and target group', async () => {
    const { old, next } = await rounds();
    const [here, there] = [await community(), await community()];
    const otherUnit = await createUnit(orm.em.fork(), { name: '平山区住建局', region: world.regions.pingshan, level: UnitLevel.COUNTY });
    const ofDistrict = await cadre(world.pingshanUnit);
    const ofOther = await cadre(otherUnit);
    const hardship = await assign(ofDistrict, await household(here, { targetGroups: [TargetGroup.HARDSHIP] }), old);
    const keyFocus = await assign(ofDistrict, await household(here, { targetGroups: [TargetGroup.KEY_FOCUS] }), old);
    const otherUnits = await assign(ofOther, await household(here), old);
    const elsewhere = await assign(ofDistrict, await household(there), old);
    const plan = async (extra: Record<string, unknown>) =>
      (await okAs('pingshanAdmin', PLAN_ROLLOVER, { input: { fromRoundId: String(old.id), toRoundId: String(next.id), carry: 'ASSIGNMENTS', ...extra } }))
        .planRoundRollover;
    const subjects = (run: Data) =>
      itemsOf(run)
        .map((item) => Number(item.subjectId))
        .sort((a, b) => a - b);

    expect(subjects(await plan({ regionId: String(here.id) }))).toEqual([hardship.id, keyFocus.id, otherUnits.id]);
    expect(subjects(await plan({ regionId: String(there.id) }))).toEqual([elsewhere.id]);
    expect(subjects(await plan({}))).toEqual([hardship.id, keyFocus.id, otherUnits.id, elsewhere.id]);
    expect(subjects(await plan({ unitId: String(otherUnit.id) }))).toEqual([otherUnits.id]);
    expect(subjects(await plan({ regionId: String(here.id), targetGroup: 'KEY_FOCUS' }))).toEqual([keyFocus.id]);
    const narrowed = await plan({ regionId: String(here.id), unitId: String(world.pingshanUnit.id), targetGroup: 'HARDSHIP' });
    expect(subjects(narrowed)).toEqual([hardship.id]);
    expect(narrowed).toMatchObject({ region: { id: String(here.id) }, unit: { id: String(world.pingshanUnit.id) }, targetGroup: 'HARDSHIP' });
  });

  it('moves a cadre’s households to others keeping each history, spread by capacity or as mapped', async () => {
    const place = await community();
    const { next: round } = await rounds();
    const from = await cadre(world.pingshanUnit, { name: '调出干部' });
    const roomy = await cadre(world.pingshanUnit, { name: '接收一', householdCapacity: 1 });
    const small = await cadre(world.pingshanUnit, { name: '接收二', householdCapacity: 1 });
    const homes = [await household(place), await household(place), await household(place)];
    const olds = [await assign(from, homes[0]!, round), await assign(from, homes[1]!, round), await assign(from, homes[2]!, round)];

    const plan = (
      await okAs('pingshanAdmin', PLAN_REASSIGNMENT, {
        input: { fromCadreId: String(from.id), toCadreIds: [String(roomy.id), String(small.id)], reason: '原联系干部退休' },
      })
    ).planBulkReassignment;
    // Two receiving places in all: two households move, the third has nowhere to go.
    expect(plan).toMatchObject({
      kind: 'BULK_REASSIGNMENT',
      state: 'PLANNED',
      reason: '原联系干部退休',
      fromCadre: { id: String(from.id) },
      counts: { total: 3, planned: 2 },
    });
    expect(itemsOf(plan).map((item) => [item.subjectId, item.outcome, item.reason, item.toCadre?.id ?? null])).toEqual([
      [String(olds[0]!.id), 'PENDING', null, String(roomy.id)],
      [String(olds[1]!.id), 'PENDING', null, String(small.id)],
      [String(olds[2]!.id), 'SKIPPED', 'NO_CADRE_WITH_ROOM', null],
    ]);
    // The run belongs to the community's subtree, so its district's administrators see it.
    expect(plan.region.id).toBe(String(place.id));

    await okAs('pingshanAdmin', START, { input: { runId: plan.id } });
    await work('instance-a');
    const final = (await okAs('pingshanAdmin', RUN, { id: plan.id, first: 100 })).bulkRun;
    expect(final).toMatchObject({ state: 'DONE', counts: { done: 2, pending: 0 } });
    for (const [index, receiver] of [roomy, small].entries()) {
      const history = (await okAs('pingshanAdmin', HISTORY, { id: String(homes[index]!.id) })).assignments.nodes as Data[];
      expect(history.find((row) => row.id === String(olds[index]!.id))).toMatchObject({ endReason: '原联系干部退休' });
      expect(history.find((row) => row.endedAt === null)).toMatchObject({
        cadre: { id: String(receiver.id) },
        round: { id: String(round.id) },
        transferredFromId: String(olds[index]!.id),
      });
    }
    expect((await activeOf(homes[2]!.id)).map((row) => row.cadre.id)).toEqual([from.id]);

    // An explicit map: a cadre already at capacity is refused the household; listed households without a cadre are told so.
    const spare = await cadre(world.pingshanUnit, { householdCapacity: 5 });
    const idle = await household(place);
    const mapped = (
      await okAs('pingshanAdmin', PLAN_REASSIGNMENT, {
        input: {
          moves: [
            { householdId: String(homes[2]!.id), toCadreId: String(roomy.id) },
            { householdId: String(homes[0]!.id), toCadreId: String(spare.id) },
            { householdId: String(idle.id), toCadreId: String(spare.id) },
          ],
          reason: '按表调整',
        },
      })
    ).planBulkReassignment;
    expect(itemsOf(mapped).map((item) => [item.subjectKind, item.household.id, item.outcome, item.reason])).toEqual([
      // In the order of the assignments moved: homes[0]'s is the one the first run wrote.
      ['ASSIGNMENT', String(homes[2]!.id), 'SKIPPED', 'CADRE_OVER_CAPACITY'],
      ['ASSIGNMENT', String(homes[0]!.id), 'PENDING', null],
      ['HOUSEHOLD', String(idle.id), 'SKIPPED', 'NO_ACTIVE_ASSIGNMENT'],
    ]);
  });

  it('refuses ids outside the administrator’s subtree (FORBIDDEN) and writes nothing; lists only the subtree’s runs', async () => {
    const { old, next } = await rounds();
    const place = await community();
    const mine = await cadre(world.pingshanUnit);
    const home = await household(place);
    await assign(mine, home, next);
    const outsideHome = await household(world.regions.xiangyang);
    await assign(world.xihuCadre, outsideHome, next);
    const before = await countRows();
    const cases = [
      { query: PLAN_REASSIGNMENT, input: { fromCadreId: String(mine.id), toCadreIds: [String(world.xihuCadre.id)], reason: '跨区调整' } },
      { query: PLAN_REASSIGNMENT, input: { fromCadreId: String(world.xihuCadre.id), toCadreIds: [String(mine.id)], reason: '跨区调整' } },
      { query: PLAN_REASSIGNMENT, input: { householdIds: [String(home.id), String(outsideHome.id)], toCadreIds: [String(mine.id)], reason: '跨区调整' } },
      { query: PLAN_REASSIGNMENT, input: { moves: [{ householdId: String(home.id), toCadreId: String(world.xihuCadre.id) }], reason: '跨区调整' } },
      { query: PLAN_REASSIGNMENT, input: { fromUnitId: String(world.xihuUnit.id), toCadreIds: [String(mine.id)], reason: '跨区调整' } },
      { query: PLAN_ROLLOVER, input: { fromRoundId: String(old.id), toRoundId: String(next.id), carry: 'BOTH', regionId: String(world.regions.xihu.id) } },
      { query: PLAN_ROLLOVER, input: { fromRoundId: String(old.id), toRoundId: String(next.id), carry: 'BOTH', unitId: String(world.xihuUnit.id) } },
      { query: PLAN_ROLLOVER, input: { fromRoundId: String(old.id), toRoundId: String(next.id), carry: 'BOTH', regionId: '987654321' } },
    ];
    for (const { query, input } of cases)
      expect([input, refusal(await as('pingshanAdmin', query, { input }))]).toEqual([input, { code: 'FORBIDDEN', field: undefined }]);
    expect(await countRows()).toEqual(before);

    // 溪湖区's run: neither read, started nor cancelled by 平山区's administrator; the city's sees both.
    const theirs = (await okAs('xihuAdmin', PLAN_ROLLOVER, { input: { fromRoundId: String(old.id), toRoundId: String(next.id), carry: 'BOTH' } }))
      .planRoundRollover;
    const ours = (
      await okAs('pingshanAdmin', PLAN_ROLLOVER, {
        input: { fromRoundId: String(old.id), toRoundId: String(next.id), carry: 'BOTH', regionId: String(place.id) },
      })
    ).planRoundRollover;
    for (const query of [START, CANCEL]) expect(refusal(await as('pingshanAdmin', query, { input: { runId: theirs.id } })).code).toBe('FORBIDDEN');
    expect(refusal(await as('pingshanAdmin', RUN, { id: theirs.id })).code).toBe('FORBIDDEN');
    const listed = (who: 'pingshanAdmin' | 'cityAdmin') => okAs(who, RUNS).then((data) => (data.bulkRuns.nodes as Data[]).map((node) => node.id));
    expect(await listed('pingshanAdmin')).toContain(ours.id);
    expect(await listed('pingshanAdmin')).not.toContain(theirs.id);
    expect(await listed('cityAdmin')).toEqual(expect.arrayContaining([ours.id, theirs.id]));
    expect((await okAs('cityAdmin', RUN, { id: theirs.id })).bulkRun.state).toBe('PLANNED');
  });

  it('answers bad input naming the field, and writes nothing', async () => {
    const { old, next } = await rounds();
    const place = await community();
    const mine = await cadre(world.pingshanUnit);
    const retired = await cadre(world.pingshanUnit, { active: false });
    const home = await household(place);
    await assign(mine, home, next);
    const rollover = (extra: Record<string, unknown>) => ({
      query: PLAN_ROLLOVER,
      input: { fromRoundId: String(old.id), toRoundId: String(next.id), carry: 'BOTH', ...extra },
    });
    const reassign = (input: Record<string, unknown>) => ({ query: PLAN_REASSIGNMENT, input: { reason: '批量调整', ...input } });
    const cases: [{ query: string; input: Record<string, unknown> }, string][] = [
      [rollover({ toRoundId: String(old.id) }), 'input.toRoundId'],
      [rollover({ fromRoundId: String(next.id), toRoundId: String(old.id) }), 'input.toRoundId'],
      [rollover({ fromRoundId: '987654321' }), 'input.fromRoundId'],
      [rollover({ toRoundId: 'round-two' }), 'input.toRoundId'],
      [rollover({ carry: 'PAIRINGS', targetGroup: 'HARDSHIP' }), 'input.targetGroup'],
      [reassign({ toCadreIds: [String(mine.id)] }), 'input.fromCadreId'],
      [reassign({ fromCadreId: String(mine.id), householdIds: [String(home.id)], toCadreIds: [String(mine.id)] }), 'input.fromCadreId'],
      [reassign({ fromCadreId: String(mine.id) }), 'input.toCadreIds'],
      [reassign({ fromCadreId: String(mine.id), toCadreIds: [String(retired.id)] }), 'input.toCadreIds.0'],
      [reassign({ householdIds: ['abc'], toCadreIds: [String(mine.id)] }), 'input.householdIds.0'],
      [reassign({ moves: [{ householdId: String(home.id), toCadreId: String(mine.id) }], toCadreIds: [String(mine.id)] }), 'input.moves'],
      [
        reassign({
          moves: [
            { householdId: String(home.id), toCadreId: String(mine.id) },
            { householdId: String(home.id), toCadreId: String(mine.id) },
          ],
        }),
        'input.moves.1.householdId',
      ],
      [reassign({ fromCadreId: String(mine.id), toCadreIds: [String(mine.id)], reason: '   ' }), 'input.reason'],
    ];
    const before = await countRows();
    for (const [{ query, input }, field] of cases) {
      expect([input, refusal(await as('pingshanAdmin', query, { input }))]).toEqual([input, { code: 'BAD_USER_INPUT', field }]);
    }
    expect(await countRows()).toEqual(before);
    expect(refusal(await as('pingshanAdmin', START, { input: { runId: 'x' } }))).toEqual({ code: 'BAD_USER_INPUT', field: 'input.runId' });
  });

  it('cancels a planned run, or stops a running one after its current batch', async () => {
    const { old, next } = await rounds();
    const place = await community();
    for (let index = 0; index < 4; index += 1) await assign(await cadre(world.pingshanUnit), await household(place), old);
    const plan = () =>
      okAs('pingshanAdmin', PLAN_ROLLOVER, {
        input: { fromRoundId: String(old.id), toRoundId: String(next.id), carry: 'ASSIGNMENTS', regionId: String(place.id) },
      }).then((data) => data.planRoundRollover);
    const planned = await plan();
    expect((await okAs('pingshanAdmin', CANCEL, { input: { runId: planned.id } })).cancelBulkRun.state).toBe('CANCELLED');
    expect(refusal(await as('pingshanAdmin', START, { input: { runId: planned.id } })).code).toBe('CONFLICT');
    expect(refusal(await as('pingshanAdmin', CANCEL, { input: { runId: planned.id } })).code).toBe('CONFLICT');

    const running = await plan();
    await okAs('pingshanAdmin', START, { input: { runId: running.id } });
    await work('instance-a', { batchSize: 2, maxBatches: 1 });
    const stopped = (await okAs('pingshanAdmin', CANCEL, { input: { runId: running.id } })).cancelBulkRun;
    expect(stopped).toMatchObject({ state: 'CANCELLED', counts: { done: 2, pending: 2 } });
    expect(await work('instance-a', { batchSize: 2 })).toEqual({ batches: 0, items: 0, finished: [] });
    expect((await okAs('pingshanAdmin', RUN, { id: running.id })).bulkRun.counts).toMatchObject({ done: 2, pending: 2 });
    const cancelEntry = await orm.em.fork().findOneOrFail(AuditEntry, { operation: 'cancelBulkRun', entityId: running.id });
    expect(JSON.parse(cancelEntry.changes!)).toMatchObject({ counts: { done: 2, pending: 2 } });
  });

  it('refuses analysts and cadres', async () => {
    const { old, next } = await rounds();
    const input = { fromRoundId: String(old.id), toRoundId: String(next.id), carry: 'BOTH' };
    const run = (await okAs('cityAdmin', PLAN_ROLLOVER, { input })).planRoundRollover;
    for (const who of ['analyst', 'cadre'] as const) {
      expect(refusal(await as(who, PLAN_ROLLOVER, { input })).code).toBe('FORBIDDEN');
      expect(refusal(await as(who, PLAN_REASSIGNMENT, { input: { fromCadreId: '1', toCadreIds: ['2'], reason: '批量调整' } })).code).toBe('FORBIDDEN');
      expect(refusal(await as(who, START, { input: { runId: run.id } })).code).toBe('FORBIDDEN');
      expect(refusal(await as(who, CANCEL, { input: { runId: run.id } })).code).toBe('FORBIDDEN');
      expect(refusal(await as(who, RUN, { id: run.id })).code).toBe('FORBIDDEN');
      expect(refusal(await as(who, RUNS)).code).toBe('FORBIDDEN');
    }
    expect((await okAs('cityAdmin', RUN, { id: run.id })).bulkRun.state).toBe('PLANNED');
  });

  it('costs the same statements for 120 households as for 40: batched lookups and multi-row writes, no query per item', async () => {
    const measure = async (households: number) => {
      const { old, next } = await rounds();
      const place = await community();
      const cadres = [];
      for (let index = 0; index < 4; index += 1) cadres.push(await cadre(world.pingshanUnit, { householdCapacity: 100 }));
      for (let index = 0; index < households; index += 1) await assign(cadres[index % cadres.length]!, await household(place), old);
      let from = statements;
      // Only the plan's own work: the answer asks for no items (their page costs what any page costs).
      const plan = (
        await okAs('pingshanAdmin', 'mutation ($input: PlanRoundRolloverInput!) { planRoundRollover(input: $input) { id counts { planned } } }', {
          input: { fromRoundId: String(old.id), toRoundId: String(next.id), carry: 'BOTH', regionId: String(place.id) },
        })
      ).planRoundRollover;
      const planned = statements - from;
      expect(plan.counts.planned).toBe(households);
      await okAs('pingshanAdmin', START, { input: { runId: plan.id } });
      from = statements;
      expect(await work('instance-a')).toMatchObject({ items: households, finished: [Number(plan.id)] });
      return { planned, ran: statements - from };
    };
    await measure(5); // the first requests fill the app's per-process caches
    const small = await measure(40);
    const large = await measure(120);
    expect(large).toEqual(small);
  });

  it('keeps the kind of assignment it carries', async () => {
    const { old, next } = await rounds();
    const place = await community();
    const em = orm.em.fork();
    const row = await createAssignment(em, {
      cadre: em.getReference(Cadre, (await cadre(world.pingshanUnit)).id),
      household: em.getReference(Household, (await household(place)).id),
      round: em.getReference(Round, old.id),
      kind: AssignmentKind.ONE_TO_ONE,
    });
    const plan = (
      await okAs('pingshanAdmin', PLAN_ROLLOVER, {
        input: { fromRoundId: String(old.id), toRoundId: String(next.id), carry: 'ASSIGNMENTS', regionId: String(place.id) },
      })
    ).planRoundRollover;
    await okAs('pingshanAdmin', START, { input: { runId: plan.id } });
    await work('instance-a');
    const [successor] = await orm.em.fork().find(Assignment, { transferredFrom: row.id });
    expect(successor).toMatchObject({ kind: AssignmentKind.ONE_TO_ONE, round: { id: next.id } });
    expect(await orm.em.fork().count(BulkRunItem, { run: Number(plan.id), resultId: successor!.id })).toBe(1);
  });
});
