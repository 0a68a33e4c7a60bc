import type { EntityName } from '@mikro-orm/core';
import { HouseholdStatus, LABELS_ZH, TargetGroup } from '@wanjia/shared';
import type { VisitIntervals } from '../../config';
import type { Em } from '../../core/entity-manager';
import { BadUserInputError, parseId } from '../../core/errors';
import { decodeCursor, encodeCursor, pageSize, type Connection, type PageArgs } from '../../core/pagination';
import { shanghaiDate } from '../../core/time';
import type { Actor } from '../../core/caller';
import { Cadre } from '../cadres/cadre.entity';
import { Demand } from '../demands/demand.entity';
import { HelpRecord } from '../help-records/help-record.entity';
import { Household } from '../households/household.entity';
import { Resident } from '../households/resident.entity';
import { visitSchedule } from '../my-work/visit-schedule';
import { PetitionCase } from '../petition-cases/petition-case.entity';
import { Region } from '../regions/region.entity';
import { Round } from '../rounds/round.entity';
import { Unit } from '../units/unit.entity';
import { MEASURES, MEASURE_BY_KEY, OPEN_CASE_STATUSES, TARGET_GROUP_COLUMN, type Family } from './analytics.measures';
import { assertMayReadAnalytics, assertRegionInScope } from './analytics.policy';
import { Dialect, aggregateFamily, drillIds, familyApplies, toDate, type FamilyValues, type Grouping, type MonthSpan, type Slice } from './analytics.sql';
import {
  AnalyticsMeasure,
  AnalyticsRecordType,
  BreakdownDimension,
  type AnalyticsFigure,
  type AnalyticsSlice,
  type AnalyticsSliceArgs,
  type BreakdownGroup,
  type CadreWorkload,
  type CampaignBreakdown,
  type CampaignOverview,
  type CoverageGaps,
  type DemandAging,
  type OverdueVisitConnection,
} from './analytics.types';

const FAMILIES: readonly Family[] = ['PAIRING', 'ASSIGNMENT', 'CADRE', 'PERSON', 'CASE', 'DEMAND', 'HELP'];
/** A MONTH breakdown covers at most ten years; a longer window is a typing error. */
const MAX_MONTHS = 120;
const DAY_MS = 86_400_000;

const RECORD_ENTITY: Record<AnalyticsRecordType, EntityName<{ id: number }>> = {
  [AnalyticsRecordType.UNIT]: Unit,
  [AnalyticsRecordType.REGION]: Region,
  [AnalyticsRecordType.CADRE]: Cadre,
  [AnalyticsRecordType.HOUSEHOLD]: Household,
  [AnalyticsRecordType.RESIDENT]: Resident,
  [AnalyticsRecordType.PETITION_CASE]: PetitionCase,
  [AnalyticsRecordType.DEMAND]: Demand,
  [AnalyticsRecordType.HELP_RECORD]: HelpRecord,
};

const EXTRA_MEASURES: Partial<Record<AnalyticsMeasure, AnalyticsRecordType>> = {
  [AnalyticsMeasure.UNASSIGNED_HOUSEHOLDS]: AnalyticsRecordType.HOUSEHOLD,
  [AnalyticsMeasure.CADRES_OVER_CAPACITY]: AnalyticsRecordType.CADRE,
};

export function recordTypeOf(measure: AnalyticsMeasure): AnalyticsRecordType {
  return MEASURE_BY_KEY.get(measure)?.recordType ?? EXTRA_MEASURES[measure]!;
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** Checks the arguments and looks up what they name; the region must lie in the caller's subtree. */
async function resolveSlice(em: Em, actor: Actor, args: AnalyticsSliceArgs, now: Date): Promise<Slice> {
  assertMayReadAnalytics(actor);
  const regionId = args.regionId ? parseId(args.regionId, 'regionId') : actor.scopeRegionId;
  const region = await em.findOne(Region, regionId, { fields: ['id', 'path', 'parent'] });
  assertRegionInScope(actor, region?.path ?? null);
  let round: Slice['round'] = null;
  if (args.roundId) {
    const found = await em.findOne(Round, parseId(args.roundId, 'roundId'));
    if (!found) throw new BadUserInputError('roundId', 'roundId names no round');
    round = { id: found.id, startsOn: found.startsOn, endsOn: found.endsOn };
  }
  if (args.from && args.to && args.from > args.to) throw new BadUserInputError('to', 'to must not be before from');
  let unitId: number | null = null;
  if (args.unitId) {
    unitId = parseId(args.unitId, 'unitId');
    if (!(await em.count(Unit, unitId))) throw new BadUserInputError('unitId', 'unitId names no unit');
  }
  return {
    regionId: region!.id,
    regionPath: region!.path,
    regionIsRoot: !region!.parent,
    round,
    from: args.from ?? null,
    to: args.to ?? null,
    unitId,
    targetGroup: args.targetGroup ?? null,
    today: shanghaiDate(now),
  };
}

function sliceOut(slice: Slice): AnalyticsSlice {
  return {
    regionId: String(slice.regionId),
    roundId: slice.round ? String(slice.round.id) : null,
    from: slice.from,
    to: slice.to,
    unitId: slice.unitId === null ? null : String(slice.unitId),
    targetGroup: slice.targetGroup,
  };
}

function figuresOf(values: Map<string, number> | undefined, applicable: (family: Family) => boolean): AnalyticsFigure[] {
  return MEASURES.map((definition) => ({
    measure: definition.measure,
    label: definition.label,
    recordType: definition.recordType,
    value: applicable(definition.family) ? (values?.get(definition.measure) ?? 0) : null,
  }));
}

/** Every family's values for a slice and a grouping, merged per group key. */
async function measureAll(
  em: Em,
  slice: Slice,
  grouping: Grouping,
): Promise<{ byKey: Map<string, Map<string, number>>; applicable: (family: Family) => boolean }> {
  const dialect = new Dialect(em);
  const applicable = (family: Family) => familyApplies(family, slice, grouping);
  const families = FAMILIES.filter(applicable);
  // On MySQL the families' statements are independent reads and run side by side on the pool's
  // connections (each on its own server thread), so a figure sheet costs its slowest statement, not
  // their sum. SQLite has one connection and runs them in turn.
  const results: FamilyValues[] = dialect.mysql
    ? await Promise.all(families.map((family) => aggregateFamily(em, dialect, family, slice, grouping)))
    : await families.reduce<Promise<FamilyValues[]>>(
        async (done, family) => [...(await done), await aggregateFamily(em, dialect, family, slice, grouping)],
        Promise.resolve([]),
      );
  const byKey = new Map<string, Map<string, number>>();
  for (const values of results) {
    for (const [key, measures] of values) {
      const merged = byKey.get(key) ?? new Map<string, number>();
      for (const [measure, value] of measures) merged.set(measure, value);
      byKey.set(key, merged);
    }
  }
  return { byKey, applicable };
}

/** The months of a MONTH breakdown: the window (or the round, or every round up to today), clipped. */
async function monthsOf(em: Em, slice: Slice): Promise<MonthSpan[]> {
  let first = slice.from ?? slice.round?.startsOn ?? null;
  if (slice.from && slice.round && slice.round.startsOn > slice.from) first = slice.round.startsOn;
  let last = slice.to ?? slice.round?.endsOn ?? slice.today;
  if (slice.round && slice.round.endsOn < last) last = slice.round.endsOn;
  if (last > slice.today) last = slice.today;
  if (first === null) {
    const [earliest] = await em.find(Round, {}, { orderBy: { startsOn: 'asc' }, limit: 1 });
    first = earliest?.startsOn ?? slice.today;
  }
  const months: MonthSpan[] = [];
  let cursor = `${first.slice(0, 7)}-01`;
  while (cursor <= last) {
    const key = cursor.slice(0, 7);
    const monthEnd = new Date(Date.parse(`${nextMonth(key)}-01T00:00:00Z`) - DAY_MS).toISOString().slice(0, 10);
    months.push({ key, firstDay: cursor < first ? first : cursor, lastDay: monthEnd > last ? last : monthEnd });
    if (months.length > MAX_MONTHS) throw new BadUserInputError('from', `a MONTH breakdown covers at most ${MAX_MONTHS} months; narrow from/to`);
    cursor = `${nextMonth(key)}-01`;
  }
  return months;
}

function nextMonth(key: string): string {
  const [year, month] = key.split('-').map(Number) as [number, number];
  return month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
}

function monthLabel(key: string): string {
  const [year, month] = key.split('-').map(Number) as [number, number];
  return `${year}年${month}月`;
}

export const analyticsService = {
  resolveSlice,

  async overview(em: Em, actor: Actor, args: AnalyticsSliceArgs, now = new Date()): Promise<CampaignOverview> {
    const slice = await resolveSlice(em, actor, args, now);
    const { byKey, applicable } = await measureAll(em, slice, { kind: 'none' });
    return { slice: sliceOut(slice), figures: figuresOf(byKey.get(''), applicable) };
  },

  async breakdown(em: Em, actor: Actor, dimension: BreakdownDimension, args: AnalyticsSliceArgs, now = new Date()): Promise<CampaignBreakdown> {
    const slice = await resolveSlice(em, actor, args, now);
    const groups: BreakdownGroup[] = [];
    switch (dimension) {
      case BreakdownDimension.REGION_CHILDREN: {
        const children = await em.find(Region, { parent: slice.regionId }, { orderBy: { code: 'asc' } });
        const { byKey, applicable } = await measureAll(em, slice, { kind: 'children', pathLength: slice.regionPath.length + 13 });
        for (const child of children) {
          groups.push({
            key: child.code,
            label: child.name,
            slice: { ...sliceOut(slice), regionId: String(child.id) },
            figures: figuresOf(byKey.get(child.path), applicable),
          });
        }
        break;
      }
      case BreakdownDimension.UNIT: {
        const { byKey, applicable } = await measureAll(em, slice, { kind: 'unit' });
        const unitIds = [...byKey.keys()].filter((key) => key !== '').map(Number);
        const units = await em.find(Unit, { id: { $in: unitIds } }, { orderBy: { id: 'asc' } });
        for (const unit of units) {
          groups.push({
            key: String(unit.id),
            label: unit.name,
            slice: { ...sliceOut(slice), unitId: String(unit.id) },
            figures: figuresOf(byKey.get(String(unit.id)), applicable),
          });
        }
        break;
      }
      case BreakdownDimension.MONTH: {
        const months = await monthsOf(em, slice);
        const { byKey, applicable } = months.length > 0 ? await measureAll(em, slice, { kind: 'month', months }) : { byKey: new Map(), applicable: () => true };
        for (const month of months) {
          groups.push({
            key: month.key,
            label: monthLabel(month.key),
            slice: { ...sliceOut(slice), from: month.firstDay, to: month.lastDay },
            figures: figuresOf(byKey.get(month.key), applicable),
          });
        }
        break;
      }
      case BreakdownDimension.TARGET_GROUP: {
        // A household in two groups counts in both, as offices count them.
        for (const group of Object.values(TargetGroup)) {
          const narrowed = { ...slice, targetGroup: group };
          if (slice.targetGroup && slice.targetGroup !== group) continue;
          const { byKey, applicable } = await measureAll(em, narrowed, { kind: 'none' });
          groups.push({ key: group, label: LABELS_ZH.TargetGroup[group], slice: sliceOut(narrowed), figures: figuresOf(byKey.get(''), applicable) });
        }
        break;
      }
      case BreakdownDimension.ROUND: {
        const rounds = slice.round ? [slice.round] : (await em.find(Round, {}, { orderBy: { startsOn: 'asc' } })).map((round) => ({ ...round }));
        const names = new Map((await em.find(Round, { id: { $in: rounds.map((round) => round.id) } })).map((round) => [round.id, round.name]));
        for (const round of rounds) {
          const narrowed = { ...slice, round: { id: round.id, startsOn: round.startsOn, endsOn: round.endsOn } };
          const { byKey, applicable } = await measureAll(em, narrowed, { kind: 'none' });
          groups.push({
            key: String(round.id),
            label: names.get(round.id) ?? String(round.id),
            slice: sliceOut(narrowed),
            figures: figuresOf(byKey.get(''), applicable),
          });
        }
        break;
      }
    }
    return { dimension, slice: sliceOut(slice), groups };
  },

  /**
   * The records behind a figure, by id. The total equals the figure for counts; for sums (money,
   * problems solved) it is the number of records that contribute, and their values add up to it.
   */
  async drillDown<T extends { id: number }>(
    em: Em,
    actor: Actor,
    recordType: AnalyticsRecordType,
    measure: AnalyticsMeasure,
    args: AnalyticsSliceArgs,
    page: PageArgs,
    now = new Date(),
  ): Promise<Connection<T>> {
    const slice = await resolveSlice(em, actor, args, now);
    if (recordTypeOf(measure) !== recordType) {
      throw new BadUserInputError('measure', `${measure} counts ${recordTypeOf(measure)} records; ask the matching analytics query`);
    }
    const size = pageSize(page);
    const afterId = page.after ? Number(decodeCursor(page.after, 1)[0]) : null;
    let result: { ids: number[]; total: number };
    if (measure === AnalyticsMeasure.UNASSIGNED_HOUSEHOLDS) {
      result = await unassignedHouseholdIds(em, slice, afterId, size + 1);
    } else if (measure === AnalyticsMeasure.CADRES_OVER_CAPACITY) {
      result = await overCapacityCadreIds(em, slice, afterId, size + 1);
    } else {
      const definition = MEASURE_BY_KEY.get(measure)!;
      if (!familyApplies(definition.family, slice, { kind: 'none' })) {
        throw new BadUserInputError(slice.unitId !== null ? 'unitId' : 'targetGroup', `${measure} cannot be narrowed that way`);
      }
      result = await drillIds(em, new Dialect(em), definition, slice, afterId, size + 1);
    }
    const pageIds = result.ids.slice(0, size);
    const found = (pageIds.length ? await em.find(RECORD_ENTITY[recordType] as EntityName<T>, { id: { $in: pageIds } } as never) : []) as T[];
    const byId = new Map(found.map((row) => [row.id, row]));
    const nodes = pageIds.map((id) => byId.get(id)).filter((row): row is T => row !== undefined);
    const last = pageIds[pageIds.length - 1];
    return {
      nodes,
      totalCount: result.total,
      pageInfo: { hasNextPage: result.ids.length > size, endCursor: last !== undefined ? encodeCursor([last]) : null },
    };
  },

  async coverageGaps(em: Em, actor: Actor, args: Pick<AnalyticsSliceArgs, 'regionId'>, now = new Date()): Promise<CoverageGaps> {
    const slice = await resolveSlice(em, actor, { regionId: args.regionId }, now);
    const rows = await em
      .getConnection()
      .execute<{ region_id: number; n: number | string; hardship: number | string; key_focus: number | string; petitioner: number | string }[]>(
        `select ho.region_id, count(*) as n, sum(ho.is_hardship) as hardship, sum(ho.is_key_focus) as key_focus, sum(ho.is_petitioner) as petitioner
         ${unassignedFrom()}
        group by ho.region_id`,
        unassignedParams(slice),
      );
    const regions = new Map((await em.find(Region, { id: { $in: rows.map((row) => Number(row.region_id)) } })).map((region) => [region.id, region]));
    const gaps = rows
      .map((row) => ({
        region: regions.get(Number(row.region_id))!,
        households: Number(row.n),
        hardship: Number(row.hardship),
        keyFocus: Number(row.key_focus),
        petitioner: Number(row.petitioner),
      }))
      .sort((a, b) => b.households - a.households || a.region.code.localeCompare(b.region.code));
    return { households: gaps.reduce((sum, gap) => sum + gap.households, 0), regions: gaps };
  },

  /**
   * Households with an active assignment whose next visit is past due by the visit rule (the shortest
   * interval of the household's groups), in household order. One statement for the page, one for the count.
   */
  async overdueVisits(
    em: Em,
    actor: Actor,
    intervals: VisitIntervals,
    args: Pick<AnalyticsSliceArgs, 'regionId'>,
    page: PageArgs,
    now = new Date(),
  ): Promise<OverdueVisitConnection> {
    const slice = await resolveSlice(em, actor, { regionId: args.regionId }, now);
    const dialect = new Dialect(em);
    const openCase = `exists (select 1 from petition_case pc where pc.household_id = ho.id and pc.status in (${OPEN_CASE_STATUSES.map((status) => `'${status}'`).join(', ')}))`;
    const classes = [
      { condition: 'ho.is_hardship = 1', days: intervals.hardship },
      { condition: 'ho.is_key_focus = 1', days: intervals.keyFocus },
      { condition: `ho.is_petitioner = 1 and ${openCase}`, days: intervals.petitioner },
    ].sort((a, b) => a.days - b.days);
    // The day a visit falls due: the last visit (or the assignment's start) plus the shortest interval
    // that applies. Computed in SQL so that the list can run most overdue first across the subtree.
    const intervalDays = `(case ${classes.map((entry) => `when ${entry.condition} then ${Math.trunc(entry.days)}`).join(' ')} else ${Math.trunc(intervals.hardship)} end)`;
    const base = 'coalesce(ho.last_visit_at, a.started_at)';
    const dueAt = dialect.mysql ? `date_add(${base}, interval ${intervalDays} day)` : `(${base} + ${intervalDays} * ${DAY_MS})`;
    const inner = `select ho.id, ho.head_name, r.name as region_name, ho.last_visit_at, a.started_at, a.cadre_id, ho.is_hardship, ho.is_key_focus, ho.is_petitioner,
              ${openCase} as has_open_case, ${dueAt} as due_at
         from household ho
         join region r on r.id = ho.region_id
         join assignment a on a.id = (select min(a2.id) from assignment a2 where a2.household_id = ho.id and a2.ended_at is null)
        where r.path like ? and ho.status = ?`;
    const params: unknown[] = [`${escapeLike(slice.regionPath)}%`, HouseholdStatus.ACTIVE, dialect.instant(now)];
    const size = pageSize(page);
    const after = page.after ? (decodeCursor(page.after, 2) as [number, number]) : null;
    const [count] = await em.getConnection().execute<{ n: number | string }[]>(`select count(*) as n from (${inner}) t where t.due_at < ?`, params);
    const keyset = after ? ' and (t.due_at > ? or (t.due_at = ? and t.id > ?))' : '';
    const afterParams = after ? [dialect.instant(new Date(after[0])), dialect.instant(new Date(after[0])), after[1]] : [];
    const rows = await em.getConnection().execute<
      {
        id: number;
        head_name: string;
        region_name: string;
        last_visit_at: Date | number | string | null;
        started_at: Date | number | string;
        cadre_id: number;
        is_hardship: number | boolean;
        is_key_focus: number | boolean;
        is_petitioner: number | boolean;
        has_open_case: number | boolean | string;
        due_at: Date | number | string;
      }[]
    >(`select t.* from (${inner}) t where t.due_at < ?${keyset} order by t.due_at, t.id limit ?`, [...params, ...afterParams, size + 1]);
    const pageRows = rows.slice(0, size);
    const cadres = new Map((await em.find(Cadre, { id: { $in: pageRows.map((row) => Number(row.cadre_id)) } })).map((cadre) => [cadre.id, cadre]));
    const nodes = pageRows.map((row) => {
      const lastVisitAt = row.last_visit_at == null ? null : toDate(row.last_visit_at);
      const schedule = visitSchedule(
        {
          isHardship: Boolean(Number(row.is_hardship)),
          isKeyFocus: Boolean(Number(row.is_key_focus)),
          isPetitioner: Boolean(Number(row.is_petitioner)),
          hasOpenPetitionCase: Boolean(Number(row.has_open_case)),
          lastVisitAt,
          assignedAt: toDate(row.started_at),
        },
        intervals,
        now,
      );
      return {
        householdId: Number(row.id),
        headName: row.head_name,
        regionName: row.region_name,
        cadre: cadres.get(Number(row.cadre_id))!,
        lastVisitAt,
        dueAt: schedule.dueAt,
        daysOverdue: Math.floor((now.getTime() - schedule.dueAt.getTime()) / DAY_MS),
      };
    });
    const last = pageRows[pageRows.length - 1];
    return {
      nodes,
      totalCount: Number(count?.n ?? 0),
      hasNextPage: rows.length > size,
      endCursor: last ? encodeCursor([toDate(last.due_at).getTime(), Number(last.id)]) : null,
    };
  },

  /** Active cadres of the units in the subtree: how many households each looks after now. */
  async cadreWorkload(em: Em, actor: Actor, args: Pick<AnalyticsSliceArgs, 'regionId'>, now = new Date()): Promise<CadreWorkload> {
    const slice = await resolveSlice(em, actor, { regionId: args.regionId }, now);
    const rows = await em.getConnection().execute<{ households: number | string; cadres: number | string; over_capacity: number | string }[]>(
      `select t.households, count(*) as cadres, sum(case when t.households > t.capacity then 1 else 0 end) as over_capacity
         from (${cadreLoadSql()}) t
        group by t.households
        order by t.households`,
      [`${escapeLike(slice.regionPath)}%`],
    );
    const distribution = rows.map((row) => ({ households: Number(row.households), cadres: Number(row.cadres) }));
    const cadres = distribution.reduce((sum, bucket) => sum + bucket.cadres, 0);
    const activeAssignments = distribution.reduce((sum, bucket) => sum + bucket.households * bucket.cadres, 0);
    return {
      cadres,
      activeAssignments,
      householdsPerCadre: cadres === 0 ? 0 : Math.round((activeAssignments / cadres) * 100) / 100,
      distribution,
      overCapacity: rows.reduce((sum, row) => sum + Number(row.over_capacity), 0),
    };
  },

  /** Open demands of the subtree by days since they were raised, with how many are past due. */
  async demandAging(em: Em, actor: Actor, args: Pick<AnalyticsSliceArgs, 'regionId'>, now = new Date()): Promise<DemandAging> {
    const slice = await resolveSlice(em, actor, { regionId: args.regionId }, now);
    const dialect = new Dialect(em);
    const bands = [
      { label: '7天以内', minDays: 0, maxDays: 7 },
      { label: '8至30天', minDays: 8, maxDays: 30 },
      { label: '31至90天', minDays: 31, maxDays: 90 },
      { label: '90天以上', minDays: 91, maxDays: null },
    ];
    // Age in whole days: raised at most maxDays + 1 days ago (exclusive) and at least minDays ago.
    const ago = (days: number) => dialect.instant(new Date(now.getTime() - days * DAY_MS));
    const columns: string[] = [];
    const params: unknown[] = [];
    bands.forEach((band, index) => {
      const inBand = `d.raised_at <= ?${band.maxDays !== null ? ' and d.raised_at > ?' : ''}`;
      const bandParams = [ago(band.minDays), ...(band.maxDays !== null ? [ago(band.maxDays + 1)] : [])];
      columns.push(
        `sum(case when ${inBand} then 1 else 0 end) as open${index}`,
        `sum(case when ${inBand} and d.due_on < ? then 1 else 0 end) as overdue${index}`,
      );
      params.push(...bandParams, ...bandParams, slice.today);
    });
    const [row] = await em.getConnection().execute<Record<string, number | string | null>[]>(
      `select count(*) as open_total, sum(case when d.due_on < ? then 1 else 0 end) as overdue_total, ${columns.join(', ')}
         from demand d join household ho on ho.id = d.household_id join region r on r.id = ho.region_id
        where r.path like ? and d.status in ('OPEN', 'IN_PROGRESS', 'ESCALATED')`,
      [slice.today, ...params, `${escapeLike(slice.regionPath)}%`],
    );
    return {
      open: Number(row?.open_total ?? 0),
      overdue: Number(row?.overdue_total ?? 0),
      bands: bands.map((band, index) => ({ ...band, open: Number(row?.[`open${index}`] ?? 0), overdue: Number(row?.[`overdue${index}`] ?? 0) })),
    };
  },
};

function unassignedFrom(): string {
  const anyGroup = Object.values(TARGET_GROUP_COLUMN)
    .map((column) => `ho.${column} = 1`)
    .join(' or ');
  return `from household ho join region r on r.id = ho.region_id
   where r.path like ? and ho.status = ? and (${anyGroup})
     and not exists (select 1 from assignment a where a.household_id = ho.id and a.ended_at is null)`;
}

function unassignedParams(slice: Slice): unknown[] {
  return [`${escapeLike(slice.regionPath)}%`, HouseholdStatus.ACTIVE];
}

async function unassignedHouseholdIds(em: Em, slice: Slice, afterId: number | null, limit: number): Promise<{ ids: number[]; total: number }> {
  const group = slice.targetGroup ? ` and ho.${TARGET_GROUP_COLUMN[slice.targetGroup]} = 1` : '';
  const [count] = await em.getConnection().execute<{ n: number | string }[]>(`select count(*) as n ${unassignedFrom()}${group}`, unassignedParams(slice));
  const rows = await em
    .getConnection()
    .execute<{ id: number }[]>(`select ho.id ${unassignedFrom()}${group}${afterId !== null ? ' and ho.id > ?' : ''} order by ho.id limit ?`, [
      ...unassignedParams(slice),
      ...(afterId !== null ? [afterId] : []),
      limit,
    ]);
  return { ids: rows.map((row) => Number(row.id)), total: Number(count?.n ?? 0) };
}

/** Active cadres of units in the subtree (`r.path like ?`) with their active households and capacity. */
function cadreLoadSql(): string {
  return `select c.id, c.household_capacity as capacity, count(a.id) as households
            from cadre c
            join unit u on u.id = c.unit_id
            join region r on r.id = u.region_id
            left join assignment a on a.cadre_id = c.id and a.ended_at is null
           where r.path like ? and c.active = 1
           group by c.id, c.household_capacity`;
}

async function overCapacityCadreIds(em: Em, slice: Slice, afterId: number | null, limit: number): Promise<{ ids: number[]; total: number }> {
  const over = `from (${cadreLoadSql()}) t where t.households > t.capacity`;
  const params = [`${escapeLike(slice.regionPath)}%`];
  const [count] = await em.getConnection().execute<{ n: number | string }[]>(`select count(*) as n ${over}`, params);
  const rows = await em
    .getConnection()
    .execute<{ id: number }[]>(`select t.id ${over}${afterId !== null ? ' and t.id > ?' : ''} order by t.id limit ?`, [
      ...params,
      ...(afterId !== null ? [afterId] : []),
      limit,
    ]);
  return { ids: rows.map((row) => Number(row.id)), total: Number(count?.n ?? 0) };
}
