import { DemandCategory, DemandEventKind, DemandStatus, ReferralStatus, Role, Satisfaction, TargetGroup } from '@wanjia/shared';
import { loadConfig, type DatabaseConfig } from '../../src/config';
import { ManualClock } from '../../src/core/clock';
import type { Em } from '../../src/core/entity-manager';
import { DAY_MS, shanghaiDate, startOfShanghaiDay, toDate } from '../../src/core/time';
import type { Orm } from '../../src/db/orm';
import { createLogger } from '../../src/logger';
import type { UserAccount } from '../../src/modules/accounts/user-account.entity';
import type { Cadre } from '../../src/modules/cadres/cadre.entity';
import { DemandEscalation } from '../../src/modules/demands/demand-escalation.entity';
import { DemandEvent } from '../../src/modules/demands/demand-event.entity';
import { DemandReferral } from '../../src/modules/demands/demand-referral.entity';
import type { Household } from '../../src/modules/households/household.entity';
import type { Region } from '../../src/modules/regions/region.entity';
import type { Round } from '../../src/modules/rounds/round.entity';
import type { Unit } from '../../src/modules/units/unit.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from '../support/databases';
import {
  createAccount,
  createCadre,
  createDemand,
  createHousehold,
  createRegionTree,
  createRound,
  createUnit,
  tokenFor,
  type RegionTree,
} from '../support/factories';
import { createTestApp, listenOnLoopback, type GraphQLBody } from '../support/server';

/** Today in Asia/Shanghai for every request of this file: the clock is the app's, not the machine's. */
const TODAY = '2026-11-20';
const NOW = new Date('2026-11-20T04:00:00Z');

const SLICE_VARIABLES = '$regionId: ID, $roundId: ID, $from: LocalDate, $to: LocalDate, $unitId: ID, $targetGroup: TargetGroup, $category: DemandCategory';
const SLICE_ARGUMENTS = 'regionId: $regionId, roundId: $roundId, from: $from, to: $to, unitId: $unitId, targetGroup: $targetGroup, category: $category';
const SLICE_FIELDS = 'slice { regionId roundId from to unitId targetGroup category }';
const FIGURES = `query ($dimension: DemandLoopDimension, ${SLICE_VARIABLES}) {
  demandLoopFigures(dimension: $dimension, ${SLICE_ARGUMENTS}) {
    dimension ${SLICE_FIELDS}
    groups { key label ${SLICE_FIELDS} figures { measure label value } escalations { level name demands open } }
  }
}`;
const LOOP_DEMANDS = `query ($measure: DemandLoopMeasure!, $rung: Int, $first: Int, $after: String, ${SLICE_VARIABLES}) {
  loopDemands(measure: $measure, rung: $rung, first: $first, after: $after, ${SLICE_ARGUMENTS}) { totalCount nodes { id } pageInfo { hasNextPage endCursor } }
}`;
const BY_UNIT = `query ($orderBy: ReferralUnitOrder, $first: Int, $after: String, ${SLICE_VARIABLES}) {
  referralFiguresByUnit(orderBy: $orderBy, first: $first, after: $after, ${SLICE_ARGUMENTS}) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes {
      unitId unitName regionName ${SLICE_FIELDS}
      referrals pending accepted acceptedOnTime resolved resolvedOnTime returned withdrawn overdueOpen medianDaysToAccept medianDaysToResolve
    }
  }
}`;
const LOOP_REFERRALS = `query ($measure: ReferralLoopMeasure!, $first: Int, ${SLICE_VARIABLES}) {
  loopReferrals(measure: $measure, first: $first, ${SLICE_ARGUMENTS}) { totalCount nodes { id } }
}`;

interface Slice {
  regionId: string;
  roundId: string | null;
  from: string | null;
  to: string | null;
  unitId: string | null;
  targetGroup: TargetGroup | null;
  category: DemandCategory | null;
}
interface Group {
  key: string;
  label: string;
  slice: Slice;
  figures: { measure: string; label: string; value: number | null }[];
  escalations: { level: number; name: string; demands: number; open: number }[];
}
interface UnitRow {
  unitId: string;
  unitName: string;
  regionName: string;
  slice: Slice;
  referrals: number;
  pending: number;
  accepted: number;
  acceptedOnTime: number;
  resolved: number;
  resolvedOnTime: number;
  returned: number;
  withdrawn: number;
  overdueOpen: number;
  medianDaysToAccept: number | null;
  medianDaysToResolve: number | null;
}

/** A small deterministic generator, so that the data set is varied and the same on both databases. */
function generator(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    // The high bits: the low ones of a power-of-two modulus repeat with a short period.
    return Math.floor((state / 2_147_483_648) * n);
  };
}

const at = (value: unknown) => toDate(value as Date | number | string);
const dayOf = (value: unknown) => shanghaiDate(at(value));

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const half = sorted.length / 2;
  const middle = Number.isInteger(half) ? (sorted[half - 1]! + sorted[half]!) / 2 : sorted[Math.floor(half)]!;
  return Math.round((middle / DAY_MS) * 10) / 10;
}

function percentOf(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : Math.floor((20_000 * numerator + denominator) / (2 * denominator)) / 100;
}

/** The slice's bounds as the expectations read them. */
interface Bounds {
  path: string;
  first: string | null;
  last: string | null;
  group: TargetGroup | null;
  category: DemandCategory | null;
  unitId: number | null;
}

const GROUP_COLUMN: Record<TargetGroup, string> = { HARDSHIP: 'is_hardship', KEY_FOCUS: 'is_key_focus', PETITIONER: 'is_petitioner' };

async function boundsOf(em: Em, slice: Slice): Promise<Bounds> {
  const [region] = await em.getConnection().execute<{ path: string }[]>('select path from region where id = ?', [Number(slice.regionId)]);
  let first = slice.from;
  let last = slice.to;
  if (slice.roundId) {
    const [round] = await em
      .getConnection()
      .execute<{ starts_on: unknown; ends_on: unknown }[]>('select starts_on, ends_on from round where id = ?', [Number(slice.roundId)]);
    const startsOn = String(round!.starts_on instanceof Date ? shanghaiDate(round!.starts_on) : round!.starts_on).slice(0, 10);
    const endsOn = String(round!.ends_on instanceof Date ? shanghaiDate(round!.ends_on) : round!.ends_on).slice(0, 10);
    if (first === null || startsOn > first) first = startsOn;
    if (last === null || endsOn < last) last = endsOn;
  }
  return { path: region!.path, first, last, group: slice.targetGroup, category: slice.category, unitId: slice.unitId ? Number(slice.unitId) : null };
}

/**
 * The demands of a slice, read again without the API's statements: the rows themselves (plain selects,
 * IN-subqueries), every figure then counted in the test. What the API answers must equal this.
 */
async function expectedDemands(em: Em, bounds: Bounds) {
  const connection = em.getConnection();
  const param = (value: Date) => em.getPlatform().processDateProperty(value);
  const where = [
    `d.household_id in (select ho.id from household ho where ho.region_id in (select id from region where path like ?)${bounds.group ? ` and ho.${GROUP_COLUMN[bounds.group]} = 1` : ''})`,
  ];
  const params: unknown[] = [`${bounds.path}%`];
  if (bounds.first) (where.push('d.raised_at >= ?'), params.push(param(startOfShanghaiDay(bounds.first))));
  if (bounds.last) (where.push('d.raised_at < ?'), params.push(param(new Date(startOfShanghaiDay(bounds.last).getTime() + DAY_MS))));
  if (bounds.category) (where.push('d.category = ?'), params.push(bounds.category));
  if (bounds.unitId !== null) (where.push('d.id in (select demand_id from demand_referral where unit_id = ?)'), params.push(bounds.unitId));
  const demands = await connection.execute<
    { id: number; status: string; due_on: unknown; raised_at: unknown; resolved_at: unknown; satisfaction: string | null; reopen_count: number }[]
  >(`select d.id, d.status, d.due_on, d.raised_at, d.resolved_at, d.satisfaction, d.reopen_count from demand d where ${where.join(' and ')}`, params);
  const referrals = await connection.execute<{ demand_id: number; status: string; due_on: unknown }[]>('select demand_id, status, due_on from demand_referral');
  const escalations = await connection.execute<{ demand_id: number; level: number; settled_at: unknown }[]>(
    'select demand_id, level, settled_at from demand_escalation',
  );
  const instructed = new Set(
    (await connection.execute<{ demand_id: number }[]>(`select demand_id from demand_event where kind = '${DemandEventKind.INSTRUCTED}'`)).map((row) =>
      Number(row.demand_id),
    ),
  );
  const isOpen = (status: string) => ['OPEN', 'IN_PROGRESS', 'REFERRED', 'ESCALATED'].includes(status);
  const settled = (status: string) => status === 'RESOLVED' || status === 'CONFIRMED';
  const ids = (rows: typeof demands) => rows.map((row) => Number(row.id)).sort((a, b) => a - b);
  const effectiveDue = (row: (typeof demands)[number]) => {
    const open = referrals.find(
      (referral) => Number(referral.demand_id) === Number(row.id) && (referral.status === 'PENDING' || referral.status === 'ACCEPTED'),
    );
    const due = open ? open.due_on : row.due_on;
    return due == null ? null : String(due instanceof Date ? shanghaiDate(due) : due).slice(0, 10);
  };
  const lists: Record<string, number[]> = {
    RAISED: ids(demands),
    RESOLVED: ids(demands.filter((row) => settled(row.status))),
    OPEN: ids(demands.filter((row) => isOpen(row.status))),
    OVERDUE: ids(demands.filter((row) => isOpen(row.status) && effectiveDue(row) !== null && effectiveDue(row)! < TODAY)),
    REFERRED: ids(demands.filter((row) => referrals.some((referral) => Number(referral.demand_id) === Number(row.id)))),
    ESCALATED: ids(demands.filter((row) => escalations.some((escalation) => Number(escalation.demand_id) === Number(row.id)))),
    INSTRUCTED: ids(demands.filter((row) => instructed.has(Number(row.id)))),
    CONFIRMED: ids(demands.filter((row) => row.status === 'CONFIRMED')),
    SATISFIED: ids(demands.filter((row) => row.satisfaction === 'SATISFIED')),
    BASICALLY_SATISFIED: ids(demands.filter((row) => row.satisfaction === 'BASICALLY_SATISFIED')),
    DISSATISFIED: ids(demands.filter((row) => row.satisfaction === 'DISSATISFIED')),
    REOPENED: ids(demands.filter((row) => Number(row.reopen_count) > 0)),
  };
  lists.RESOLUTION_RATE = lists.RAISED!;
  lists.MEDIAN_DAYS_TO_RESOLVE = ids(demands.filter((row) => settled(row.status) && row.resolved_at != null));
  const figures: Record<string, number | null> = {};
  for (const [measure, list] of Object.entries(lists)) figures[measure] = list.length;
  figures.RESOLUTION_RATE = percentOf(lists.RESOLVED!.length, lists.RAISED!.length);
  figures.MEDIAN_DAYS_TO_RESOLVE = median(
    demands.filter((row) => settled(row.status) && row.resolved_at != null).map((row) => at(row.resolved_at).getTime() - at(row.raised_at).getTime()),
  );
  const rungs = [1, 2, 3, 4].map((level) => {
    const reached = demands.filter((row) =>
      escalations.some((escalation) => Number(escalation.demand_id) === Number(row.id) && Number(escalation.level) === level),
    );
    const open = reached.filter((row) =>
      escalations.some((escalation) => Number(escalation.demand_id) === Number(row.id) && Number(escalation.level) === level && escalation.settled_at == null),
    );
    return { level, demands: reached.length, open: open.length, ids: ids(reached) };
  });
  return { figures, lists, rungs };
}

/** The referrals of a slice per receiving unit, counted in the test from their rows. */
async function expectedUnits(em: Em, bounds: Bounds) {
  const param = (value: Date) => em.getPlatform().processDateProperty(value);
  const where = [
    `dr.demand_id in (select d.id from demand d where d.household_id in (select ho.id from household ho where ho.region_id in (select id from region where path like ?)${bounds.group ? ` and ho.${GROUP_COLUMN[bounds.group]} = 1` : ''})${bounds.category ? ' and d.category = ?' : ''})`,
  ];
  const params: unknown[] = [`${bounds.path}%`, ...(bounds.category ? [bounds.category] : [])];
  if (bounds.first) (where.push('dr.referred_at >= ?'), params.push(param(startOfShanghaiDay(bounds.first))));
  if (bounds.last) (where.push('dr.referred_at < ?'), params.push(param(new Date(startOfShanghaiDay(bounds.last).getTime() + DAY_MS))));
  if (bounds.unitId !== null) (where.push('dr.unit_id = ?'), params.push(bounds.unitId));
  const rows = await em
    .getConnection()
    .execute<{ id: number; unit_id: number; status: string; due_on: unknown; referred_at: unknown; accepted_at: unknown; resolved_at: unknown }[]>(
      `select dr.id, dr.unit_id, dr.status, dr.due_on, dr.referred_at, dr.accepted_at, dr.resolved_at from demand_referral dr where ${where.join(' and ')}`,
      params,
    );
  const due = (row: (typeof rows)[number]) => String(row.due_on instanceof Date ? shanghaiDate(row.due_on) : row.due_on).slice(0, 10);
  const byUnit = new Map<number, typeof rows>();
  for (const row of rows) byUnit.set(Number(row.unit_id), [...(byUnit.get(Number(row.unit_id)) ?? []), row]);
  const lists = (list: typeof rows) => ({
    REFERRALS: list,
    PENDING: list.filter((row) => row.status === 'PENDING'),
    ACCEPTED: list.filter((row) => row.accepted_at != null),
    ACCEPTED_ON_TIME: list.filter((row) => row.accepted_at != null && dayOf(row.accepted_at) <= due(row)),
    RESOLVED: list.filter((row) => row.status === 'RESOLVED'),
    RESOLVED_ON_TIME: list.filter((row) => row.status === 'RESOLVED' && dayOf(row.resolved_at) <= due(row)),
    RETURNED: list.filter((row) => row.status === 'RETURNED'),
    WITHDRAWN: list.filter((row) => row.status === 'WITHDRAWN'),
    OVERDUE_OPEN: list.filter((row) => (row.status === 'PENDING' || row.status === 'ACCEPTED') && due(row) < TODAY),
  });
  const units = new Map(
    [...byUnit].map(([unitId, list]) => {
      const split = lists(list);
      return [
        unitId,
        {
          referrals: split.REFERRALS.length,
          pending: split.PENDING.length,
          accepted: split.ACCEPTED.length,
          acceptedOnTime: split.ACCEPTED_ON_TIME.length,
          resolved: split.RESOLVED.length,
          resolvedOnTime: split.RESOLVED_ON_TIME.length,
          returned: split.RETURNED.length,
          withdrawn: split.WITHDRAWN.length,
          overdueOpen: split.OVERDUE_OPEN.length,
          medianDaysToAccept: median(split.ACCEPTED.map((row) => at(row.accepted_at).getTime() - at(row.referred_at).getTime())),
          medianDaysToResolve: median(split.RESOLVED.map((row) => at(row.resolved_at).getTime() - at(row.referred_at).getTime())),
          ids: Object.fromEntries(Object.entries(split).map(([key, value]) => [key, value.map((row) => Number(row.id)).sort((a, b) => a - b)])),
        },
      ];
    }),
  );
  return units;
}

describe.each(databaseKinds())('the demand loop in the analysts’ figures on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let url: string;
  let stop: () => Promise<void>;
  let regions: RegionTree;
  let round: Round;
  let cityToken: string;
  let districtToken: string;
  let cadreToken: string;
  const units: Unit[] = [];

  const ask = async <T>(query: string, variables: Record<string, unknown>, token = cityToken): Promise<GraphQLBody<T>> => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLBody<T>;
  };
  const data = async <T>(query: string, variables: Record<string, unknown>, token = cityToken): Promise<T> => {
    const body = await ask<T>(query, variables, token);
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data!;
  };
  const sliceVariables = (slice: Partial<Slice>): Record<string, unknown> => ({
    regionId: null,
    roundId: null,
    from: null,
    to: null,
    unitId: null,
    targetGroup: null,
    category: null,
    ...slice,
  });

  /** Every id a drill-down lists, page after page. */
  async function allIds(query: string, field: string, variables: Record<string, unknown>, token = cityToken): Promise<{ ids: number[]; total: number }> {
    const ids: number[] = [];
    let after: string | null = null;
    let total = 0;
    for (;;) {
      const page: Record<string, { totalCount: number; nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }> = await data(
        query,
        {
          ...variables,
          first: 7,
          after,
        },
        token,
      );
      const connection = page[field]!;
      total = connection.totalCount;
      ids.push(...connection.nodes.map((node) => Number(node.id)));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    return { ids, total };
  }

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'fg_loop'));
    const em = orm.em.fork();
    regions = await createRegionTree(em);
    round = await createRound(em, { startsOn: '2026-05-01', endsOn: '2029-04-30' });
    units.push(await createUnit(em, { name: '本溪市民政局', region: regions.city }));
    units.push(await createUnit(em, { name: '平山区住建局', region: regions.pingshan }));
    units.push(await createUnit(em, { name: '溪湖区人社局', region: regions.xihu }));
    const referrer: Cadre = await createCadre(em, { unit: units[1] });
    const referrerAccount: UserAccount = await createAccount(em, { role: Role.CADRE, cadre: referrer });
    const places: Region[] = [regions.dongxing, regions.dongxing, regions.xiangyang, regions.xiangyang];
    const households: Household[] = [];
    for (const [index, region] of places.entries()) {
      households.push(await createHousehold(em, { region, isHardship: index % 2 === 0, isPetitioner: index === 1 || index === 2 }));
    }
    const random = generator(15);
    const categories = [DemandCategory.HOUSING, DemandCategory.MEDICAL, DemandCategory.LEGAL, DemandCategory.EMPLOYMENT];
    const statuses = [DemandStatus.OPEN, DemandStatus.IN_PROGRESS, DemandStatus.REFERRED, DemandStatus.RESOLVED, DemandStatus.CONFIRMED];
    for (let index = 0; index < 48; index += 1) {
      const raisedAt = new Date(Date.parse('2026-08-01T02:00:00Z') + random(110) * DAY_MS + random(20) * 3_600_000);
      const status = statuses[random(statuses.length)]!;
      const settled = status === DemandStatus.RESOLVED || status === DemandStatus.CONFIRMED;
      const reopened = status === DemandStatus.OPEN && random(3) === 0;
      const resolvedAt = settled ? new Date(raisedAt.getTime() + (1 + random(30)) * DAY_MS + random(24) * 3_600_000) : null;
      const demand = await createDemand(em, {
        household: households[random(households.length)]!,
        category: categories[random(categories.length)]!,
        raisedAt,
        dueOn: shanghaiDate(new Date(raisedAt.getTime() + 15 * DAY_MS)),
        status,
        resolvedAt,
        confirmedAt: status === DemandStatus.CONFIRMED ? resolvedAt : null,
        satisfaction:
          status === DemandStatus.CONFIRMED
            ? random(2) === 0
              ? Satisfaction.SATISFIED
              : Satisfaction.BASICALLY_SATISFIED
            : reopened
              ? Satisfaction.DISSATISFIED
              : null,
        reopenCount: reopened ? 1 : 0,
      });
      // Referrals: the open one of a REFERRED demand, and closed ones (history) of others.
      const referral = (referralStatus: ReferralStatus, unit: Unit) => {
        const referredAt = new Date(raisedAt.getTime() + (1 + random(3)) * DAY_MS);
        const acceptedAt =
          referralStatus === ReferralStatus.PENDING ||
          (referralStatus !== ReferralStatus.ACCEPTED && referralStatus !== ReferralStatus.RESOLVED && random(2) === 0)
            ? null
            : new Date(referredAt.getTime() + random(96) * 3_600_000);
        const closedAt = (from: Date) => new Date(from.getTime() + (1 + random(20)) * DAY_MS);
        return em.create(DemandReferral, {
          demand,
          unit,
          status: referralStatus,
          dueOn: shanghaiDate(new Date(referredAt.getTime() + (3 + random(10)) * DAY_MS)),
          referredAt,
          referredByAccount: referrerAccount,
          referredByCadre: referrer,
          acceptedAt,
          returnedAt: referralStatus === ReferralStatus.RETURNED ? closedAt(acceptedAt ?? referredAt) : null,
          returnReason: referralStatus === ReferralStatus.RETURNED ? '不属于本单位职责' : null,
          resolvedAt: referralStatus === ReferralStatus.RESOLVED ? closedAt(acceptedAt!) : null,
          resolution: referralStatus === ReferralStatus.RESOLVED ? '已办结' : null,
          withdrawnAt: referralStatus === ReferralStatus.WITHDRAWN ? closedAt(referredAt) : null,
        });
      };
      const unit = () => units[random(units.length)]!;
      if (random(3) === 0) referral([ReferralStatus.RETURNED, ReferralStatus.WITHDRAWN][random(2)]!, unit());
      if (status === DemandStatus.REFERRED) referral(ReferralStatus.PENDING, unit());
      if (status === DemandStatus.IN_PROGRESS && random(2) === 0) referral(ReferralStatus.ACCEPTED, unit());
      if (settled && random(2) === 0) referral(ReferralStatus.RESOLVED, unit());
      // Escalations: rungs 1..k of one lapse, the open demands' still open.
      if (!settled && random(2) === 0) {
        const levels = 1 + random(4);
        for (let level = 1; level <= levels; level += 1) {
          em.create(DemandEscalation, {
            demand,
            level,
            targetRegion: regions.city,
            lapsedDueOn: demand.dueOn!,
            escalatedAt: new Date(raisedAt.getTime() + (16 + level) * DAY_MS),
            settledAt: random(4) === 0 ? NOW : null,
          });
          demand.escalationRung = levels;
        }
        if (random(2) === 0) em.create(DemandEvent, { demand, kind: DemandEventKind.INSTRUCTED, at: NOW, note: '限期办结', dueOn: '2026-12-01' });
      }
      await em.flush();
    }
    const cityAnalyst = await createAccount(em, { role: Role.ANALYST, scopeRegion: regions.city });
    const districtAnalyst = await createAccount(em, { role: Role.ANALYST, scopeRegion: regions.pingshan });
    const config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' }), port: 0, database };
    const app = await createTestApp({ config, orm, logger: createLogger(config), clock: new ManualClock(NOW) });
    url = await listenOnLoopback(app);
    stop = () => app.stop();
    cityToken = await tokenFor(cityAnalyst, { config });
    districtToken = await tokenFor(districtAnalyst, { config });
    cadreToken = await tokenFor(referrerAccount, { config });
  });

  afterAll(async () => {
    await stop?.();
    await orm?.close(true);
    if (database) await dropScratchDatabase(database);
  });

  async function checkGroups(dimension: string | null, slice: Partial<Slice>): Promise<Group[]> {
    const { demandLoopFigures } = await data<{ demandLoopFigures: { dimension: string | null; groups: Group[] } }>(FIGURES, {
      dimension,
      ...sliceVariables(slice),
    });
    expect(demandLoopFigures.dimension).toBe(dimension);
    const em = orm.em.fork();
    for (const group of demandLoopFigures.groups) {
      const expected = await expectedDemands(em, await boundsOf(em, group.slice));
      expect([group.key, Object.fromEntries(group.figures.map((figure) => [figure.measure, figure.value]))]).toEqual([group.key, expected.figures]);
      expect(group.escalations.map(({ level, demands, open }) => ({ level, demands, open }))).toEqual(
        expected.rungs.map(({ level, demands, open }) => ({ level, demands, open })),
      );
    }
    return demandLoopFigures.groups;
  }

  it('counts every figure of the whole city as the rows say, with the ladder’s rungs by name', async () => {
    const [all] = await checkGroups(null, {});
    expect(all!.key).toBe('ALL');
    const value = (measure: string) => all!.figures.find((figure) => figure.measure === measure)!.value;
    // The data set reaches every figure: a comparison of zeros would prove nothing.
    for (const measure of [
      'RAISED',
      'RESOLVED',
      'OVERDUE',
      'REFERRED',
      'ESCALATED',
      'INSTRUCTED',
      'CONFIRMED',
      'SATISFIED',
      'BASICALLY_SATISFIED',
      'DISSATISFIED',
      'REOPENED',
    ]) {
      expect([measure, value(measure)! > 0]).toEqual([measure, true]);
    }
    expect(value('RAISED')).toBe(48);
    expect(value('MEDIAN_DAYS_TO_RESOLVE')).toBeGreaterThan(0);
    expect(all!.escalations.map((rung) => rung.name)).toEqual(['本单位', '乡镇街道', '区县', '市']);
    expect(all!.escalations[0]!.demands).toBeGreaterThan(all!.escalations[3]!.demands);
  });

  it.each([['REGION_CHILDREN'], ['CATEGORY'], ['TARGET_GROUP'], ['MONTH'], ['ROUND'], ['UNIT']])(
    'breaks the figures down by %s, each group as its own slice counts',
    async (dimension) => {
      const groups = await checkGroups(dimension, dimension === 'MONTH' ? { from: '2026-08-01', to: TODAY } : {});
      expect(groups.length).toBeGreaterThan(1 - (dimension === 'ROUND' ? 1 : 0));
      if (dimension === 'MONTH') expect(groups.map((group) => group.key)).toEqual(['2026-08', '2026-09', '2026-10', '2026-11']);
      if (dimension === 'REGION_CHILDREN') expect(groups.map((group) => group.label)).toEqual(['平山区', '溪湖区']);
      if (dimension === 'UNIT') expect(groups.map((group) => group.label)).toEqual(['本溪市民政局', '平山区住建局', '溪湖区人社局']);
    },
  );

  it('narrows by window, category, target group and receiving unit together', async () => {
    await checkGroups(null, { from: '2026-09-01', to: '2026-10-31', category: DemandCategory.HOUSING });
    await checkGroups('CATEGORY', { targetGroup: TargetGroup.HARDSHIP, unitId: String(units[1]!.id) });
    await checkGroups(null, { roundId: String(round.id), regionId: String(regions.zhanqian.id) });
  });

  it('drills down to exactly the demands each figure counts, page after page', async () => {
    const em = orm.em.fork();
    const slice = { regionId: String(regions.city.id) };
    const expected = await expectedDemands(em, await boundsOf(em, sliceVariables(slice) as unknown as Slice));
    for (const [measure, ids] of Object.entries(expected.lists)) {
      const listed = await allIds(LOOP_DEMANDS, 'loopDemands', { measure, rung: null, ...sliceVariables(slice) });
      expect([measure, listed.total, listed.ids]).toEqual([measure, ids.length, ids]);
    }
    for (const rung of expected.rungs) {
      const listed = await allIds(LOOP_DEMANDS, 'loopDemands', { measure: 'ESCALATED', rung: rung.level, ...sliceVariables(slice) });
      expect([rung.level, listed.ids]).toEqual([rung.level, rung.ids]);
    }
    const refused = await ask(LOOP_DEMANDS, { measure: 'OPEN', rung: 2, ...sliceVariables(slice) });
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers which units are slow in one query, every figure as the referral rows say, slowest first', async () => {
    const em = orm.em.fork();
    const expected = await expectedUnits(em, await boundsOf(em, sliceVariables({ regionId: String(regions.city.id) }) as unknown as Slice));
    const { referralFiguresByUnit } = await data<{ referralFiguresByUnit: { totalCount: number; nodes: UnitRow[] } }>(BY_UNIT, {
      orderBy: 'SLOWEST',
      ...sliceVariables({}),
    });
    expect(referralFiguresByUnit.totalCount).toBe(expected.size);
    expect(referralFiguresByUnit.totalCount).toBe(3);
    for (const row of referralFiguresByUnit.nodes) {
      const { ids, ...figures } = expected.get(Number(row.unitId))!;
      const { unitId, unitName, regionName, slice, ...answered } = row;
      expect([unitId, answered]).toEqual([unitId, figures]);
      expect(unitName).toBe(units.find((unit) => String(unit.id) === unitId)!.name);
      expect(regionName.length).toBeGreaterThan(0);
      for (const [measure, list] of Object.entries(ids)) {
        const listed = await data<{ loopReferrals: { totalCount: number; nodes: { id: string }[] } }>(LOOP_REFERRALS, {
          measure,
          first: 100,
          ...sliceVariables(slice),
        });
        expect([unitId, measure, listed.loopReferrals.nodes.map((node) => Number(node.id))]).toEqual([unitId, measure, list]);
      }
    }
    // Slowest first: the medians to resolve descend (none last).
    const medians = referralFiguresByUnit.nodes.map((row) => row.medianDaysToResolve ?? -1);
    expect(medians).toEqual([...medians].sort((a, b) => b - a));
    const byOverdue = await data<{ referralFiguresByUnit: { nodes: UnitRow[] } }>(BY_UNIT, { orderBy: 'MOST_OVERDUE', ...sliceVariables({}) });
    const overdue = byOverdue.referralFiguresByUnit.nodes.map((row) => row.overdueOpen);
    expect(overdue).toEqual([...overdue].sort((a, b) => b - a));
    // Pages: two units, then the third.
    const first = await data<{ referralFiguresByUnit: { nodes: UnitRow[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(BY_UNIT, {
      orderBy: 'SLOWEST',
      first: 2,
      ...sliceVariables({}),
    });
    expect(first.referralFiguresByUnit.pageInfo.hasNextPage).toBe(true);
    const rest = await data<{ referralFiguresByUnit: { nodes: UnitRow[]; pageInfo: { hasNextPage: boolean } } }>(BY_UNIT, {
      orderBy: 'SLOWEST',
      first: 2,
      after: first.referralFiguresByUnit.pageInfo.endCursor,
      ...sliceVariables({}),
    });
    expect([...first.referralFiguresByUnit.nodes, ...rest.referralFiguresByUnit.nodes].map((row) => row.unitId)).toEqual(
      referralFiguresByUnit.nodes.map((row) => row.unitId),
    );
    expect(rest.referralFiguresByUnit.pageInfo.hasNextPage).toBe(false);
  });

  it('gives a district analyst only the district’s demands and referrals, and nothing outside it', async () => {
    const { demandLoopFigures } = await data<{ demandLoopFigures: { groups: Group[]; slice: Slice } }>(
      FIGURES,
      { dimension: null, ...sliceVariables({}) },
      districtToken,
    );
    expect(demandLoopFigures.slice.regionId).toBe(String(regions.pingshan.id));
    const em = orm.em.fork();
    const expected = await expectedDemands(em, await boundsOf(em, demandLoopFigures.groups[0]!.slice));
    expect(Object.fromEntries(demandLoopFigures.groups[0]!.figures.map((figure) => [figure.measure, figure.value]))).toEqual(expected.figures);
    const city = await expectedDemands(em, await boundsOf(em, sliceVariables({ regionId: String(regions.city.id) }) as unknown as Slice));
    expect(expected.figures.RAISED).toBeLessThan(city.figures.RAISED!);
    const listed = await allIds(LOOP_DEMANDS, 'loopDemands', { measure: 'RAISED', rung: null, ...sliceVariables({}) }, districtToken);
    expect(listed.ids).toEqual(expected.lists.RAISED);
    const units = await data<{ referralFiguresByUnit: { nodes: UnitRow[] } }>(BY_UNIT, { orderBy: 'MOST_REFERRALS', ...sliceVariables({}) }, districtToken);
    const district = await expectedUnits(em, await boundsOf(em, demandLoopFigures.slice));
    expect(units.referralFiguresByUnit.nodes.map((row) => [row.unitId, row.referrals])).toEqual(
      [...district].sort(([a, x], [b, y]) => y.referrals - x.referrals || a - b).map(([unitId, figures]) => [String(unitId), figures.referrals]),
    );
    for (const query of [FIGURES, LOOP_DEMANDS, BY_UNIT, LOOP_REFERRALS]) {
      const outside = await ask(
        query,
        { dimension: null, measure: query === LOOP_REFERRALS ? 'REFERRALS' : 'RAISED', ...sliceVariables({ regionId: String(regions.xihu.id) }) },
        districtToken,
      );
      expect(outside.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('is not for cadres', async () => {
    const refused = await ask(FIGURES, { dimension: null, ...sliceVariables({}) }, cadreToken);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
