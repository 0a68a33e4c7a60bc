import { DemandCategory, LABELS_ZH, TargetGroup } from '@wanjia/shared';
import type { Actor } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { BadUserInputError } from '../../core/errors';
import { decodeCursor, encodeCursor, pageSize, type Connection, type PageArgs } from '../../core/pagination';
import { assertAllowed } from '../../core/policy';
import { likeStartingWith } from '../../core/sql-like';
import { TARGET_GROUP_COLUMN } from '../../core/target-groups';
import { startOfShanghaiDay } from '../../core/time';
import { Demand } from '../demands/demand.entity';
import { DemandReferral } from '../demands/demand-referral.entity';
import { EscalationRung } from '../demands/escalation-rung.entity';
import { Region } from '../regions/region.entity';
import { Round } from '../rounds/round.entity';
import { Unit } from '../units/unit.entity';
import { resolveSlice } from './analytics-slice.service';
import { Dialect, type SqlPart } from './analytics.dialect';
import { analyticsPolicy } from './analytics.policy';
import { dayWindow, monthLabel, monthRange, monthSpans, nextDay, type Slice } from './analytics.slice';
import { bindToday } from './figures.detail';
import { DEMAND_LOOP_BY_KEY, DEMAND_LOOP_MEASURES, REACHED_RUNG, medianDays, percent, referralConditions, secondsBetween } from './demand-loop.figures';
import {
  DemandLoopDimension,
  DemandLoopMeasure,
  ReferralLoopMeasure,
  ReferralUnitOrder,
  type DemandLoopFigures,
  type DemandLoopGroup,
  type DemandLoopSlice,
  type DemandLoopSliceArgs,
  type ReferralUnitFigures,
  type ReferralUnitFiguresConnection,
} from './demand-loop.types';

/** The analytics slice with the demand's category. */
export interface LoopSlice extends Slice {
  category: DemandCategory | null;
}

/** How the demands of a slice are grouped in one statement (target groups and rounds are one run each). */
type LoopGrouping = { kind: 'none' } | { kind: 'children'; pathLength: number } | { kind: 'category' } | { kind: 'month' } | { kind: 'unit' };

/** Each demand once per unit it was referred to, for the UNIT grouping (a demand referred twice to one unit counts once there). */
const REFERRED_UNITS_JOIN = 'join (select distinct demand_id, unit_id from demand_referral) ru on ru.demand_id = d.id';

function loopSliceOut(slice: LoopSlice): DemandLoopSlice {
  return {
    regionId: String(slice.regionId),
    roundId: slice.round ? String(slice.round.id) : null,
    from: slice.from,
    to: slice.to,
    unitId: slice.unitId === null ? null : String(slice.unitId),
    targetGroup: slice.targetGroup,
    category: slice.category,
  };
}

/**
 * The slice's conditions shared by demands and referrals: the household's region, the day window on
 * `dayColumn` (raised or referred), the target group and the category; then the unit condition, which
 * differs (a demand referred to the unit at least once; a referral to it).
 */
function sliceConditions(dialect: Dialect, slice: LoopSlice, dayColumn: string, unitCondition: string): { where: string[]; params: unknown[] } {
  const where = ['r.path like ?'];
  const params: unknown[] = [likeStartingWith(slice.regionPath)];
  const { first, last } = dayWindow(slice);
  if (first) {
    where.push(`${dayColumn} >= ?`);
    params.push(dialect.instant(startOfShanghaiDay(first)));
  }
  if (last) {
    where.push(`${dayColumn} < ?`);
    params.push(dialect.instant(startOfShanghaiDay(nextDay(last))));
  }
  if (slice.targetGroup) where.push(`ho.${TARGET_GROUP_COLUMN[slice.targetGroup]} = 1`);
  if (slice.category) {
    where.push('d.category = ?');
    params.push(slice.category);
  }
  if (slice.unitId !== null) {
    where.push(unitCondition);
    params.push(slice.unitId);
  }
  return { where, params };
}

/**
 * The slice's demands (`from demand d … where …`), placed through the household, by the day raised.
 * `joins` go after the household's (the escalation rows, for the ladder's figures).
 */
function demandRows(dialect: Dialect, slice: LoopSlice, joins = ''): SqlPart {
  const { where, params } = sliceConditions(
    dialect,
    slice,
    'd.raised_at',
    'exists (select 1 from demand_referral ur where ur.demand_id = d.id and ur.unit_id = ?)',
  );
  return {
    sql: `from demand d join household ho on ho.id = d.household_id join region r on r.id = ho.region_id ${joins} where ${where.join(' and ')}`,
    params,
  };
}

/** The slice's referrals (`from demand_referral dr …`), placed through the demand's household, by the day referred. */
function referralRows(dialect: Dialect, slice: LoopSlice): SqlPart {
  const { where, params } = sliceConditions(dialect, slice, 'dr.referred_at', 'dr.unit_id = ?');
  return {
    sql: `from demand_referral dr join demand d on d.id = dr.demand_id join household ho on ho.id = d.household_id join region r on r.id = ho.region_id where ${where.join(' and ')}`,
    params,
  };
}

function groupKey(dialect: Dialect, grouping: LoopGrouping): string {
  switch (grouping.kind) {
    case 'none':
      return "''";
    case 'children':
      return `substr(r.path, 1, ${grouping.pathLength})`;
    case 'category':
      return 'd.category';
    case 'month':
      return dialect.monthOf('d.raised_at');
    case 'unit':
      return 'ru.unit_id';
  }
}

type GroupValues = { values: Map<DemandLoopMeasure, number | null>; rungs: Map<number, { demands: number; open: number }> };

/** The loop's figures of a slice, per group key: three statements (counts, durations, the ladder). */
async function measureLoop(em: Em, slice: LoopSlice, grouping: LoopGrouping): Promise<Map<string, GroupValues>> {
  const dialect = new Dialect(em);
  const connection = em.getConnection('read');
  const key = groupKey(dialect, grouping);
  const counted = DEMAND_LOOP_MEASURES.filter((definition) => definition.kind === 'count');
  const selectParams: unknown[] = [];
  const columns = counted.map(
    (definition, index) =>
      `sum(case when ${definition.condition ? bindToday(definition.condition, slice, selectParams) : '1 = 1'} then 1 else 0 end) as v${index}`,
  );
  const groupingJoin = grouping.kind === 'unit' ? REFERRED_UNITS_JOIN : '';
  const rows = demandRows(dialect, slice, groupingJoin);
  const countRows = await connection.execute<Record<string, unknown>[]>(`select ${key} as k, ${columns.join(', ')} ${rows.sql} group by ${key}`, [
    ...selectParams,
    ...rows.params,
  ]);
  const median = DEMAND_LOOP_BY_KEY.get(DemandLoopMeasure.MEDIAN_DAYS_TO_RESOLVE)!;
  const durationRows = await connection.execute<{ k: unknown; s: number | string }[]>(
    `select ${key} as k, ${secondsBetween(dialect, 'd.raised_at', 'd.resolved_at')} as s ${rows.sql} and ${median.condition}`,
    rows.params,
  );
  const ladder = demandRows(dialect, slice, `${groupingJoin} join demand_escalation xl on xl.demand_id = d.id`);
  const rungRows = await connection.execute<{ k: unknown; lv: number | string; n: number | string; o: number | string }[]>(
    `select ${key} as k, xl.level as lv, count(distinct d.id) as n, count(distinct case when xl.settled_at is null then d.id end) as o ${ladder.sql} group by ${key}, xl.level`,
    ladder.params,
  );
  const byKey = new Map<string, GroupValues>();
  const entry = (raw: unknown): GroupValues => {
    const k = raw == null ? '' : String(raw);
    let found = byKey.get(k);
    if (!found) byKey.set(k, (found = { values: new Map(), rungs: new Map() }));
    return found;
  };
  for (const row of countRows) {
    const group = entry(row.k);
    counted.forEach((definition, index) => group.values.set(definition.measure, Number(row[`v${index}`] ?? 0)));
  }
  const durations = new Map<GroupValues, number[]>();
  for (const row of durationRows) {
    const group = entry(row.k);
    durations.set(group, [...(durations.get(group) ?? []), Number(row.s)]);
  }
  for (const group of byKey.values()) {
    group.values.set(DemandLoopMeasure.MEDIAN_DAYS_TO_RESOLVE, medianDays(durations.get(group) ?? []));
  }
  for (const row of rungRows) entry(row.k).rungs.set(Number(row.lv), { demands: Number(row.n), open: Number(row.o) });
  return byKey;
}

/** A group's figures in report order: counts 0 where the statements found no row, the rate from its counts. */
function groupOf(key: string, label: string, slice: LoopSlice, found: GroupValues | undefined, rungs: readonly EscalationRung[]): DemandLoopGroup {
  const value = (measure: DemandLoopMeasure) => found?.values.get(measure) ?? 0;
  return {
    key,
    label,
    slice: loopSliceOut(slice),
    figures: DEMAND_LOOP_MEASURES.map((definition) => ({
      measure: definition.measure,
      label: definition.label,
      value:
        definition.kind === 'rate'
          ? percent(value(DemandLoopMeasure.RESOLVED) ?? 0, value(DemandLoopMeasure.RAISED) ?? 0)
          : definition.kind === 'median'
            ? (found?.values.get(definition.measure) ?? null)
            : value(definition.measure),
    })),
    escalations: rungs.map((rung) => ({ level: rung.level, name: rung.name, ...(found?.rungs.get(rung.level) ?? { demands: 0, open: 0 }) })),
  };
}

async function loopSlice(em: Em, actor: Actor, args: DemandLoopSliceArgs, now: Date): Promise<LoopSlice> {
  assertAllowed(analyticsPolicy.mayReadFigures(actor));
  const { category, ...sliceArgs } = args;
  return { ...(await resolveSlice(em, actor, sliceArgs, now)), category: category ?? null };
}

const conditionOf = (sql: string | null): SqlPart | null => (sql ? { sql, params: [] } : null);

/** Keyset page of ids (ascending) from a `from … where …` part, and how many there are. */
async function pageOfIds(
  em: Em,
  id: string,
  rows: SqlPart,
  condition: SqlPart | null,
  slice: Slice,
  page: PageArgs,
): Promise<{ ids: number[]; total: number; size: number }> {
  const params = [...rows.params];
  const base = condition ? `${rows.sql} and ${bindToday(condition.sql, slice, params)}` : rows.sql;
  if (condition) params.push(...condition.params);
  const size = pageSize(page);
  const afterId = page.after ? Number(decodeCursor(page.after, 1)[0]) : null;
  const connection = em.getConnection('read');
  const [counted] = await connection.execute<{ n: number | string }[]>(`select count(distinct ${id}) as n ${base}`, params);
  const pageRows = await connection.execute<{ id: number | string }[]>(
    `select distinct ${id} as id ${base}${afterId !== null ? ` and ${id} > ?` : ''} order by id limit ?`,
    [...params, ...(afterId !== null ? [afterId] : []), size + 1],
  );
  return { ids: pageRows.map((row) => Number(row.id)), total: Number(counted?.n ?? 0), size };
}

async function connectionOf<T extends { id: number }>(
  em: Em,
  entity: typeof Demand | typeof DemandReferral,
  found: { ids: number[]; total: number; size: number },
): Promise<Connection<T>> {
  const pageIds = found.ids.slice(0, found.size);
  const loaded = (pageIds.length ? await em.find(entity as never, { id: { $in: pageIds } } as never, { connectionType: 'read' }) : []) as T[];
  const byId = new Map(loaded.map((row) => [row.id, row]));
  const last = pageIds[pageIds.length - 1];
  return {
    nodes: pageIds.map((id) => byId.get(id)).filter((row): row is T => row !== undefined),
    totalCount: found.total,
    pageInfo: { hasNextPage: found.ids.length > found.size, endCursor: last !== undefined ? encodeCursor([last]) : null },
  };
}

/**
 * The demand loop in the analysts' figures (issue 15), for administrators and analysts within their
 * region subtree (analyticsPolicy, as every figure): resolution, timeliness, referrals, escalations and
 * the households' answers, per breakdown group, each with its drill-down. Computed from the rows on
 * every call; medians are taken in the server from the durations the statement reads (one number per
 * resolved demand or referral of the slice), so both dialects answer the same.
 */
export const demandLoopService = {
  async figures(
    em: Em,
    actor: Actor,
    dimension: DemandLoopDimension | null,
    args: DemandLoopSliceArgs,
    now = new Date(),
  ): Promise<Omit<DemandLoopFigures, 'freshness'>> {
    const slice = await loopSlice(em, actor, args, now);
    const rungs = await em.find(EscalationRung, {}, { orderBy: { level: 'asc' }, connectionType: 'read' });
    const groups: DemandLoopGroup[] = [];
    switch (dimension) {
      case null: {
        const byKey = await measureLoop(em, slice, { kind: 'none' });
        groups.push(groupOf('ALL', '合计', slice, byKey.get(''), rungs));
        break;
      }
      case DemandLoopDimension.REGION_CHILDREN: {
        const children = await em.find(Region, { parent: slice.regionId }, { orderBy: { code: 'asc' }, connectionType: 'read' });
        const byKey = await measureLoop(em, slice, { kind: 'children', pathLength: slice.regionPath.length + 13 });
        for (const child of children) {
          const narrowed = { ...slice, regionId: child.id, regionPath: child.path, regionIsRoot: false };
          groups.push(groupOf(child.code, child.name, narrowed, byKey.get(child.path), rungs));
        }
        break;
      }
      case DemandLoopDimension.CATEGORY: {
        const byKey = await measureLoop(em, slice, { kind: 'category' });
        for (const category of Object.values(DemandCategory)) {
          if (slice.category && slice.category !== category) continue;
          groups.push(groupOf(category, LABELS_ZH.DemandCategory[category], { ...slice, category }, byKey.get(category), rungs));
        }
        break;
      }
      case DemandLoopDimension.TARGET_GROUP: {
        for (const group of Object.values(TargetGroup)) {
          if (slice.targetGroup && slice.targetGroup !== group) continue;
          const narrowed = { ...slice, targetGroup: group };
          const byKey = await measureLoop(em, narrowed, { kind: 'none' });
          groups.push(groupOf(group, LABELS_ZH.TargetGroup[group], narrowed, byKey.get(''), rungs));
        }
        break;
      }
      case DemandLoopDimension.MONTH: {
        const range = monthRange(slice);
        let first = range.first;
        if (first === null) first = (await em.find(Round, {}, { orderBy: { startsOn: 'asc' }, limit: 1, connectionType: 'read' }))[0]?.startsOn ?? slice.today;
        const months = monthSpans(first, range.last);
        if (months.length === 0) break;
        // The months' own window, so that the statement reads only their days.
        const byKey = await measureLoop(em, { ...slice, from: months[0]!.firstDay, to: months[months.length - 1]!.lastDay }, { kind: 'month' });
        for (const month of months) {
          groups.push(groupOf(month.key, monthLabel(month.key), { ...slice, from: month.firstDay, to: month.lastDay }, byKey.get(month.key), rungs));
        }
        break;
      }
      case DemandLoopDimension.ROUND: {
        const rounds = slice.round
          ? await em.find(Round, { id: slice.round.id }, { connectionType: 'read' })
          : await em.find(Round, {}, { orderBy: { startsOn: 'asc' }, connectionType: 'read' });
        for (const round of rounds) {
          const narrowed = { ...slice, round: { id: round.id, startsOn: round.startsOn, endsOn: round.endsOn } };
          const byKey = await measureLoop(em, narrowed, { kind: 'none' });
          groups.push(groupOf(String(round.id), round.name, narrowed, byKey.get(''), rungs));
        }
        break;
      }
      case DemandLoopDimension.UNIT: {
        const byKey = await measureLoop(em, slice, { kind: 'unit' });
        const unitIds = [...byKey.keys()].filter((key) => key !== '').map(Number);
        const units = unitIds.length ? await em.find(Unit, { id: { $in: unitIds } }, { orderBy: { id: 'asc' }, connectionType: 'read' }) : [];
        for (const unit of units) {
          // A slice already narrowed to one unit has that unit's group only (each group is its own slice).
          if (slice.unitId !== null && unit.id !== slice.unitId) continue;
          groups.push(groupOf(String(unit.id), unit.name, { ...slice, unitId: unit.id }, byKey.get(String(unit.id)), rungs));
        }
        break;
      }
    }
    return { dimension, slice: loopSliceOut(slice), groups };
  },

  /** The demands a loop figure counts (a rate or median: its denominator's); `rung` narrows ESCALATED to one level. */
  async demands(
    em: Em,
    actor: Actor,
    measure: DemandLoopMeasure,
    rung: number | null,
    args: DemandLoopSliceArgs,
    page: PageArgs,
    now = new Date(),
  ): Promise<Connection<Demand>> {
    const slice = await loopSlice(em, actor, args, now);
    if (rung !== null && measure !== DemandLoopMeasure.ESCALATED) throw new BadUserInputError('rung', 'rung narrows only the ESCALATED figure');
    const own = DEMAND_LOOP_BY_KEY.get(measure)!.condition;
    const condition = rung !== null ? { sql: REACHED_RUNG, params: [rung] } : own ? { sql: own, params: [] } : null;
    return connectionOf<Demand>(em, Demand, await pageOfIds(em, 'd.id', demandRows(new Dialect(em), slice), condition, slice, page));
  },

  /** The referrals a unit figure counts. */
  async referrals(
    em: Em,
    actor: Actor,
    measure: ReferralLoopMeasure,
    args: DemandLoopSliceArgs,
    page: PageArgs,
    now = new Date(),
  ): Promise<Connection<DemandReferral>> {
    const slice = await loopSlice(em, actor, args, now);
    const dialect = new Dialect(em);
    return connectionOf<DemandReferral>(
      em,
      DemandReferral,
      await pageOfIds(em, 'dr.id', referralRows(dialect, slice), conditionOf(referralConditions(dialect)[measure]), slice, page),
    );
  },

  /**
   * Referrals per receiving unit: which departments are slow, in one query. Every unit that received a
   * referral of the slice's demands; pages by position in the chosen order (a few hundred units at most).
   */
  async byUnit(
    em: Em,
    actor: Actor,
    orderBy: ReferralUnitOrder,
    args: DemandLoopSliceArgs,
    page: PageArgs,
    now = new Date(),
  ): Promise<Omit<ReferralUnitFiguresConnection, 'freshness'>> {
    const slice = await loopSlice(em, actor, args, now);
    const dialect = new Dialect(em);
    const conditions = referralConditions(dialect);
    const measures = Object.values(ReferralLoopMeasure);
    const selectParams: unknown[] = [];
    const columns = measures.map((measure, index) => {
      const condition = conditions[measure];
      return `sum(case when ${condition ? bindToday(condition, slice, selectParams) : '1 = 1'} then 1 else 0 end) as v${index}`;
    });
    const rows = referralRows(dialect, slice);
    const connection = em.getConnection('read');
    const counts = await connection.execute<Record<string, unknown>[]>(`select dr.unit_id as u, ${columns.join(', ')} ${rows.sql} group by dr.unit_id`, [
      ...selectParams,
      ...rows.params,
    ]);
    const durations = await connection.execute<{ u: number | string; a: number | string | null; s: number | string | null }[]>(
      `select dr.unit_id as u,
              case when dr.accepted_at is not null then ${secondsBetween(dialect, 'dr.referred_at', 'dr.accepted_at')} end as a,
              case when ${conditions[ReferralLoopMeasure.RESOLVED]} then ${secondsBetween(dialect, 'dr.referred_at', 'dr.resolved_at')} end as s
         ${rows.sql} and (dr.accepted_at is not null or ${conditions[ReferralLoopMeasure.RESOLVED]})`,
      rows.params,
    );
    const toAccept = new Map<number, number[]>();
    const toResolve = new Map<number, number[]>();
    for (const row of durations) {
      const unitId = Number(row.u);
      if (row.a !== null) toAccept.set(unitId, [...(toAccept.get(unitId) ?? []), Number(row.a)]);
      if (row.s !== null) toResolve.set(unitId, [...(toResolve.get(unitId) ?? []), Number(row.s)]);
    }
    const units = new Map(
      (await em.find(Unit, { id: { $in: counts.map((row) => Number(row.u)) } }, { populate: ['region'], connectionType: 'read' })).map((unit) => [
        unit.id,
        unit,
      ]),
    );
    const figures: ReferralUnitFigures[] = counts.map((row) => {
      const unitId = Number(row.u);
      const unit = units.get(unitId);
      const value = (measure: ReferralLoopMeasure) => Number(row[`v${measures.indexOf(measure)}`] ?? 0);
      return {
        unitId: String(unitId),
        unitName: unit?.name ?? '',
        regionName: unit?.region.name ?? '',
        slice: loopSliceOut({ ...slice, unitId }),
        referrals: value(ReferralLoopMeasure.REFERRALS),
        pending: value(ReferralLoopMeasure.PENDING),
        accepted: value(ReferralLoopMeasure.ACCEPTED),
        acceptedOnTime: value(ReferralLoopMeasure.ACCEPTED_ON_TIME),
        resolved: value(ReferralLoopMeasure.RESOLVED),
        resolvedOnTime: value(ReferralLoopMeasure.RESOLVED_ON_TIME),
        returned: value(ReferralLoopMeasure.RETURNED),
        withdrawn: value(ReferralLoopMeasure.WITHDRAWN),
        overdueOpen: value(ReferralLoopMeasure.OVERDUE_OPEN),
        medianDaysToAccept: medianDays(toAccept.get(unitId) ?? []),
        medianDaysToResolve: medianDays(toResolve.get(unitId) ?? []),
      };
    });
    figures.sort(unitOrder(orderBy));
    const size = pageSize(page);
    const offset = page.after ? Number(decodeCursor(page.after, 1)[0]) : 0;
    const nodes = figures.slice(offset, offset + size);
    return {
      nodes,
      totalCount: figures.length,
      pageInfo: { hasNextPage: offset + size < figures.length, endCursor: nodes.length ? encodeCursor([offset + nodes.length]) : null },
    };
  },
};

/** Descending with nulls (no referral accepted or resolved yet) last. */
const slowerFirst = (a: number | null, b: number | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : b - a);

function unitOrder(orderBy: ReferralUnitOrder): (a: ReferralUnitFigures, b: ReferralUnitFigures) => number {
  const byId = (a: ReferralUnitFigures, b: ReferralUnitFigures) => Number(a.unitId) - Number(b.unitId);
  switch (orderBy) {
    case ReferralUnitOrder.SLOWEST:
      return (a, b) =>
        slowerFirst(a.medianDaysToResolve, b.medianDaysToResolve) ||
        slowerFirst(a.medianDaysToAccept, b.medianDaysToAccept) ||
        b.overdueOpen - a.overdueOpen ||
        byId(a, b);
    case ReferralUnitOrder.MOST_OVERDUE:
      return (a, b) => b.overdueOpen - a.overdueOpen || slowerFirst(a.medianDaysToResolve, b.medianDaysToResolve) || byId(a, b);
    case ReferralUnitOrder.MOST_REFERRALS:
      return (a, b) => b.referrals - a.referrals || byId(a, b);
  }
}
