import { MySqlPlatform } from '@mikro-orm/mysql';
import type { TargetGroup } from '@wanjia/shared';
import type { Em } from '../../core/entity-manager';
import { startOfShanghaiDay } from '../../core/time';
import { GROUP_BIT, summaryIsComplete } from '../help-records/help-record-summary';
import { MEASURES, OPEN_CASE_STATUSES, SETTLED_CASE_STATUSES, TARGET_GROUP_COLUMN, type Family, type MeasureDefinition } from './analytics.measures';
import { AnalyticsMeasure } from './analytics.types';

/** A resolved slice: the region subtree, the round and window, and the optional unit and target group. */
export interface Slice {
  regionId: number;
  regionPath: string;
  /** The tree's root: every row is under it, so the path condition (and its join) can be left out. */
  regionIsRoot: boolean;
  round: { id: number; startsOn: string; endsOn: string } | null;
  from: string | null;
  to: string | null;
  unitId: number | null;
  targetGroup: TargetGroup | null;
  /** Today in Asia/Shanghai: demands due before it are overdue. */
  today: string;
}

/** One month of a MONTH breakdown, clipped to the slice's window: days inclusive. */
export interface MonthSpan {
  key: string;
  firstDay: string;
  lastDay: string;
}

export type Grouping = { kind: 'none' } | { kind: 'children'; pathLength: number } | { kind: 'unit' } | { kind: 'month'; months: MonthSpan[] };

export interface SqlPart {
  sql: string;
  params: unknown[];
}

/** A datetime as the drivers return it: a Date (MySQL), epoch milliseconds (SQLite) or text. */
export function toDate(value: Date | number | string): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  return /^\d+$/.test(value) ? new Date(Number(value)) : new Date(`${value.replace(' ', 'T')}Z`);
}

export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** The dialect differences the analytics SQL meets: how dates are bound and how a month is taken. */
export class Dialect {
  readonly mysql: boolean;

  constructor(private readonly em: Em) {
    this.mysql = em.getPlatform() instanceof MySqlPlatform;
  }

  instant(value: Date): unknown {
    return this.em.getPlatform().processDateProperty(value);
  }

  /** The Asia/Shanghai month (YYYY-MM) of a UTC datetime column. SQLite keeps epoch milliseconds. */
  monthOf(column: string): string {
    return this.mysql ? `date_format(date_add(${column}, interval 8 hour), '%Y-%m')` : `strftime('%Y-%m', ${column} / 1000 + 28800, 'unixepoch')`;
  }
}

/** Whether a family's rows can be narrowed to a unit or a target group. */
export function familyApplies(family: Family, slice: Pick<Slice, 'unitId' | 'targetGroup'>, grouping: Grouping): boolean {
  const hasUnit = family === 'PAIRING' || family === 'ASSIGNMENT' || family === 'CADRE' || family === 'PERSON' || family === 'HELP';
  const hasGroup = family !== 'PAIRING';
  if ((slice.unitId !== null || grouping.kind === 'unit') && !hasUnit) return false;
  if (slice.targetGroup !== null && !hasGroup) return false;
  return true;
}

/** The window of an event that has only a date (petition cases, demands): the round's dates and from/to, intersected. */
function dayWindow(slice: Slice): { first: string | null; last: string | null } {
  let first = slice.from;
  let last = slice.to;
  if (slice.round) {
    first = first === null || slice.round.startsOn > first ? slice.round.startsOn : first;
    last = last === null || slice.round.endsOn < last ? slice.round.endsOn : last;
  }
  return { first, last };
}

function monthsTable(dialect: Dialect, months: MonthSpan[]): SqlPart {
  const params: unknown[] = [];
  const rows = months.map((month, index) => {
    params.push(
      month.key,
      dialect.instant(startOfShanghaiDay(month.firstDay)),
      dialect.instant(startOfShanghaiDay(nextDay(month.lastDay))),
      month.firstDay,
      month.lastDay,
    );
    return index === 0 ? 'select ? as k, ? as s, ? as e, ? as sd, ? as ed' : 'select ?, ?, ?, ?, ?';
  });
  return { sql: `(${rows.join(' union all ')})`, params };
}

interface Source {
  /** `from … where …` */
  body: SqlPart;
  /** The group key expression, or null without grouping. */
  key: string | null;
}

/**
 * The FROM and WHERE of a family for a slice and a grouping. Joins are added only when a condition
 * or the key needs them: the city's figures read help records without touching regions.
 */
export function familySource(dialect: Dialect, family: Family, slice: Slice, grouping: Grouping, helpAttributed = false): Source {
  const params: unknown[] = [];
  const joins: string[] = [];
  const where: string[] = [];
  let key: string | null = null;
  const needsRegion = !slice.regionIsRoot || grouping.kind === 'children';
  const childKey = grouping.kind === 'children' ? `substr(r.path, 1, ${grouping.pathLength})` : null;
  const windowStart = slice.from ? dialect.instant(startOfShanghaiDay(slice.from)) : null;
  const windowEnd = slice.to ? dialect.instant(startOfShanghaiDay(nextDay(slice.to))) : null;
  const pathCondition = () => {
    if (!slice.regionIsRoot) {
      where.push(`r.path like ?`);
      params.push(`${escapeLike(slice.regionPath)}%`);
    }
  };
  const targetCondition = () => {
    if (slice.targetGroup) where.push(`ho.${TARGET_GROUP_COLUMN[slice.targetGroup]} = 1`);
  };
  const monthJoin = (condition: string) => {
    if (grouping.kind !== 'month') return;
    const table = monthsTable(dialect, grouping.months);
    joins.unshift(`join ${table.sql} m on ${condition}`);
    params.unshift(...table.params);
    key = 'm.k';
  };

  switch (family) {
    case 'HELP': {
      // Attributed: each record carries the place, unit and groups it counts for (every record once the
      // summary is complete); otherwise the household's and cadre's current ones.
      const regionColumn = helpAttributed ? 'h.attributed_region_id' : 'ho.region_id';
      const unitColumn = helpAttributed ? 'h.attributed_unit_id' : 'c.unit_id';
      const needsHousehold = !helpAttributed && (needsRegion || slice.targetGroup !== null);
      if (needsHousehold) joins.push('join household ho on ho.id = h.household_id');
      if (needsRegion) joins.push(`join region r on r.id = ${regionColumn}`);
      if (!helpAttributed && (slice.unitId !== null || grouping.kind === 'unit')) joins.push('join cadre c on c.id = h.cadre_id');
      where.push('h.is_latest = 1');
      pathCondition();
      if (slice.round) {
        where.push('h.round_id = ?');
        params.push(slice.round.id);
      }
      if (windowStart !== null) {
        where.push('h.occurred_at >= ?');
        params.push(windowStart);
      }
      if (windowEnd !== null) {
        where.push('h.occurred_at < ?');
        params.push(windowEnd);
      }
      if (slice.unitId !== null) {
        where.push(`${unitColumn} = ?`);
        params.push(slice.unitId);
      }
      if (slice.targetGroup) {
        where.push(helpAttributed ? `(h.attributed_groups & ${GROUP_BIT[slice.targetGroup]}) <> 0` : `ho.${TARGET_GROUP_COLUMN[slice.targetGroup]} = 1`);
      }
      key = grouping.kind === 'unit' ? unitColumn : grouping.kind === 'month' ? dialect.monthOf('h.occurred_at') : childKey;
      return { body: { sql: `from help_record h ${joins.join(' ')} where ${where.join(' and ')}`, params }, key };
    }
    case 'ASSIGNMENT':
    case 'CADRE':
    case 'PERSON': {
      // The assignment measures read the household's groups; the persons need the household only to place it.
      if (family === 'ASSIGNMENT' || needsRegion || slice.targetGroup !== null) joins.push('join household ho on ho.id = a.household_id');
      if (needsRegion) joins.push('join region r on r.id = ho.region_id');
      if (slice.unitId !== null || grouping.kind === 'unit') joins.push('join cadre c on c.id = a.cadre_id');
      pathCondition();
      if (slice.round) {
        where.push('a.round_id = ?');
        params.push(slice.round.id);
      }
      if (windowEnd !== null) {
        where.push('a.started_at < ?');
        params.push(windowEnd);
      }
      if (windowStart !== null) {
        where.push('(a.ended_at is null or a.ended_at >= ?)');
        params.push(windowStart);
      }
      if (slice.unitId !== null) {
        where.push('c.unit_id = ?');
        params.push(slice.unitId);
      }
      targetCondition();
      key = grouping.kind === 'unit' ? 'c.unit_id' : childKey;
      if (family === 'PERSON') {
        // Only residents on a key-focus list or petitioning are counted: a few thousand in a city of
        // hundreds of thousands, so each is probed for a matching assignment rather than joining every
        // helped household to its residents.
        const counted = '(rs.key_focus_reason is not null or rs.is_petitioner = 1)';
        const matching = `exists (select 1 from assignment a ${joins.join(' ')} where a.household_id = rs.household_id${where.length ? ` and ${where.join(' and ')}` : ''}`;
        if (grouping.kind === 'month') {
          const table = monthsTable(dialect, grouping.months);
          return {
            body: {
              sql: `from resident rs join ${table.sql} m on 1 = 1 where ${counted} and ${matching} and a.started_at < m.e and (a.ended_at is null or a.ended_at >= m.s))`,
              params: [...table.params, ...params],
            },
            key: 'm.k',
          };
        }
        if (key === null) return { body: { sql: `from resident rs where ${counted} and ${matching})`, params }, key: null };
        // A household counts once per group it falls in (two units' cadres, several places).
        const assignments = `from assignment a ${joins.join(' ')}${where.length ? ` where ${where.join(' and ')}` : ''}`;
        return {
          body: {
            sql: `from resident rs join (select distinct ${key} as k, a.household_id as hid ${assignments}) g on g.hid = rs.household_id where ${counted}`,
            params,
          },
          key: 'g.k',
        };
      }
      monthJoin('a.started_at < m.e and (a.ended_at is null or a.ended_at >= m.s)');
      return { body: { sql: `from assignment a ${joins.join(' ')}${where.length ? ` where ${where.join(' and ')}` : ''}`, params }, key };
    }
    case 'PAIRING': {
      joins.push('join region r on r.id = p.region_id');
      pathCondition();
      if (slice.round) {
        where.push('p.round_id = ?');
        params.push(slice.round.id);
      }
      if (slice.to) {
        where.push('p.started_on <= ?');
        params.push(slice.to);
      }
      if (slice.from) {
        where.push('(p.ended_on is null or p.ended_on >= ?)');
        params.push(slice.from);
      }
      if (slice.unitId !== null) {
        where.push('p.unit_id = ?');
        params.push(slice.unitId);
      }
      key = grouping.kind === 'unit' ? 'p.unit_id' : childKey;
      monthJoin('p.started_on <= m.ed and (p.ended_on is null or p.ended_on >= m.sd)');
      return { body: { sql: `from unit_pairing p ${joins.join(' ')}${where.length ? ` where ${where.join(' and ')}` : ''}`, params }, key };
    }
    case 'CASE':
    case 'DEMAND': {
      const [table, alias] = family === 'CASE' ? ['petition_case', 'pc'] : ['demand', 'd'];
      const needsHousehold = needsRegion || slice.targetGroup !== null;
      if (needsHousehold) joins.push(`join household ho on ho.id = ${alias}.household_id`);
      if (needsRegion) joins.push('join region r on r.id = ho.region_id');
      pathCondition();
      const { first, last } = dayWindow(slice);
      if (family === 'CASE') {
        // A case belongs to a period while it is open in it: backlog cases were received years before
        // the round that takes them up. With a round, only cases of households the round helps count.
        if (last) {
          where.push('pc.received_on <= ?');
          params.push(last);
        }
        if (first) {
          where.push('(pc.resolved_at is null or pc.resolved_at >= ?)');
          params.push(dialect.instant(startOfShanghaiDay(first)));
        }
        if (slice.round) {
          where.push('exists (select 1 from assignment ra where ra.household_id = pc.household_id and ra.round_id = ?)');
          params.push(slice.round.id);
        }
      } else {
        if (first) {
          where.push('d.raised_at >= ?');
          params.push(dialect.instant(startOfShanghaiDay(first)));
        }
        if (last) {
          where.push('d.raised_at < ?');
          params.push(dialect.instant(startOfShanghaiDay(nextDay(last))));
        }
      }
      targetCondition();
      key = grouping.kind === 'month' ? (family === 'CASE' ? null : dialect.monthOf('d.raised_at')) : childKey;
      if (family === 'CASE') monthJoin('pc.received_on <= m.ed and (pc.resolved_at is null or pc.resolved_at >= m.s)');
      return { body: { sql: `from ${table} ${alias} ${joins.join(' ')}${where.length ? ` where ${where.join(' and ')}` : ''}`, params }, key };
    }
  }
}

/** Replaces the `:today` placeholder of an aggregate or condition with a bound parameter. */
export function bindToday(sql: string, slice: Slice, params: unknown[]): string {
  return sql.replace(/:today/g, () => {
    params.push(slice.today);
    return '?';
  });
}

export type FamilyValues = Map<string, Map<string, number>>;

/**
 * Runs one aggregate statement for a family: for each group key (the empty string without grouping),
 * the value of each of the family's measures.
 */
export async function aggregateFamily(em: Em, dialect: Dialect, family: Family, slice: Slice, grouping: Grouping): Promise<FamilyValues> {
  if (family === 'HELP' && (await summaryIsComplete(em))) return aggregateHelpFromSummary(em, dialect, slice, grouping);
  return aggregateDetail(em, dialect, family, slice, grouping, false);
}

async function aggregateDetail(em: Em, dialect: Dialect, family: Family, slice: Slice, grouping: Grouping, helpAttributed: boolean): Promise<FamilyValues> {
  const definitions = MEASURES.filter((definition) => definition.family === family);
  if (grouping.kind === 'month') {
    const counted = await spannedByMonth(em, dialect, family, slice, grouping.months);
    if (counted) return counted;
  }
  const source = familySource(dialect, family, slice, grouping, helpAttributed);
  const selectParams: unknown[] = [];
  const columns = definitions.map((definition, index) => `${bindToday(definition.aggregate, slice, selectParams)} as v${index}`);
  const keyColumn = source.key ?? "''";
  const sql = `select ${keyColumn} as k, ${columns.join(', ')} ${source.body.sql}${source.key ? ` group by ${source.key}` : ''}`;
  const rows = await em.getConnection().execute<Record<string, unknown>[]>(sql, [...selectParams, ...source.body.params]);
  const values: FamilyValues = new Map();
  for (const row of rows) {
    const byMeasure = new Map<string, number>();
    definitions.forEach((definition, index) => byMeasure.set(definition.measure, Number(row[`v${index}`] ?? 0)));
    values.set(row.k == null ? '' : String(row.k), byMeasure);
  }
  return values;
}

/** The first index whose month satisfies a condition that, once true, stays true for later months (or the length). */
function firstIndex<T>(items: readonly T[], holds: (item: T) => boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (holds(items[middle]!)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** A row that counts in every month its span overlaps, under the ids it counts for each measure. */
interface SpannedRow {
  /** Epoch ms the span starts at. */
  start: number;
  /** Epoch ms it ended at, or null while it lasts. */
  end: number | null;
  /** For each measure, the id it adds to that measure's distinct set, or null when it does not count there. */
  ids: Partial<Record<AnalyticsMeasure, number | null>>;
}

const truthy = (value: unknown) => Boolean(Number(value));
const dayStart = (day: string) => startOfShanghaiDay(String(day).slice(0, 10)).getTime();

/**
 * The families whose rows last over time (pairings, assignments, the persons they reach, open cases)
 * counted per month: a row counts in a month when its span overlaps it — it started before the
 * month's end and had not ended before the month's start, the rule the SQL of the other groupings
 * uses. Joining every row to every month in SQL took seconds on a city; here the slice's rows are
 * read once and put into the months they overlap.
 */
async function spannedByMonth(em: Em, dialect: Dialect, family: Family, slice: Slice, months: MonthSpan[]): Promise<FamilyValues | null> {
  const definitions = MEASURES.filter((definition) => definition.family === family);
  const run = <T>(sql: string, params: unknown[]) => em.getConnection().execute<T[]>(sql, params);
  let rows: SpannedRow[];
  if (family === 'ASSIGNMENT' || family === 'CADRE') {
    const source = familySource(dialect, family, slice, { kind: 'none' });
    const flags = family === 'ASSIGNMENT' ? ', ho.is_hardship as h, ho.is_key_focus as k, ho.is_petitioner as p' : '';
    const found = await run<{
      household_id: number;
      cadre_id: number;
      started_at: Date | number | string;
      ended_at: Date | number | string | null;
      h?: unknown;
      k?: unknown;
      p?: unknown;
    }>(`select a.household_id, a.cadre_id, a.started_at, a.ended_at${flags} ${source.body.sql}`, source.body.params);
    rows = found.map((row) => {
      const household = Number(row.household_id);
      return {
        start: toDate(row.started_at).getTime(),
        end: row.ended_at == null ? null : toDate(row.ended_at).getTime(),
        ids: {
          [AnalyticsMeasure.CADRES_ENGAGED]: Number(row.cadre_id),
          [AnalyticsMeasure.HOUSEHOLDS_HELPED]: household,
          [AnalyticsMeasure.HARDSHIP_HOUSEHOLDS_HELPED]: truthy(row.h) ? household : null,
          [AnalyticsMeasure.KEY_FOCUS_HOUSEHOLDS_HELPED]: truthy(row.k) ? household : null,
          [AnalyticsMeasure.PETITIONER_HOUSEHOLDS_HELPED]: truthy(row.p) ? household : null,
        },
      };
    });
  } else if (family === 'PERSON') {
    // A counted resident counts in the months an assignment of the slice covers the household.
    const source = familySource(dialect, 'ASSIGNMENT', slice, { kind: 'none' });
    const found = await run<{ rid: number; kf: unknown; pt: unknown; s: Date | number | string; e: Date | number | string | null }>(
      `select rs.id as rid, (rs.key_focus_reason is not null) as kf, rs.is_petitioner as pt, x.s, x.e
         from (select a.household_id as hid, a.started_at as s, a.ended_at as e ${source.body.sql}) x
         join resident rs on rs.household_id = x.hid
        where rs.key_focus_reason is not null or rs.is_petitioner = 1`,
      source.body.params,
    );
    rows = found.map((row) => ({
      start: toDate(row.s).getTime(),
      end: row.e == null ? null : toDate(row.e).getTime(),
      ids: {
        [AnalyticsMeasure.KEY_FOCUS_PERSONS]: truthy(row.kf) ? Number(row.rid) : null,
        [AnalyticsMeasure.PETITIONERS]: truthy(row.pt) ? Number(row.rid) : null,
      },
    }));
  } else if (family === 'PAIRING') {
    const source = familySource(dialect, family, slice, { kind: 'none' });
    const found = await run<{ unit_id: number; region_id: number; level: string; sd: string; ed: string | null }>(
      `select p.unit_id, p.region_id, r.level, substr(p.started_on, 1, 10) as sd, substr(p.ended_on, 1, 10) as ed ${source.body.sql}`,
      source.body.params,
    );
    // Days: a pairing covers a month when it starts on or before its last day and ends on or after its first.
    rows = found.map((row) => ({
      start: dayStart(row.sd),
      end: row.ed == null ? null : dayStart(row.ed),
      ids: {
        [AnalyticsMeasure.UNITS_PAIRED]: Number(row.unit_id),
        [AnalyticsMeasure.VILLAGES_COVERED]: row.level === 'VILLAGE' ? Number(row.region_id) : null,
        [AnalyticsMeasure.COMMUNITIES_COVERED]: row.level === 'COMMUNITY' ? Number(row.region_id) : null,
      },
    }));
  } else if (family === 'CASE') {
    const source = familySource(dialect, family, slice, { kind: 'none' });
    const found = await run<{ id: number; major_backlog: unknown; status: string; rd: string; resolved_at: Date | number | string | null }>(
      `select pc.id, pc.major_backlog, pc.status, substr(pc.received_on, 1, 10) as rd, pc.resolved_at ${source.body.sql}`,
      source.body.params,
    );
    const open = new Set<string>(OPEN_CASE_STATUSES);
    const settled = new Set<string>(SETTLED_CASE_STATUSES);
    rows = found.map((row) => {
      const id = Number(row.id);
      return {
        start: dayStart(row.rd),
        end: row.resolved_at == null ? null : toDate(row.resolved_at).getTime(),
        ids: {
          [AnalyticsMeasure.PETITION_CASES]: id,
          [AnalyticsMeasure.MAJOR_PETITION_CASES]: truthy(row.major_backlog) ? id : null,
          [AnalyticsMeasure.OPEN_PETITION_CASES]: open.has(row.status) ? id : null,
          [AnalyticsMeasure.RESOLVED_PETITION_CASES]: settled.has(row.status) ? id : null,
        },
      };
    });
  } else {
    return null;
  }
  // Every measure of the family must be one this knows how to count; otherwise the SQL counts it.
  if (rows.length > 0 && definitions.some((definition) => !(definition.measure in rows[0]!.ids))) return null;

  const bounds = months.map((month) => ({ key: month.key, start: dayStart(month.firstDay), end: dayStart(nextDay(month.lastDay)) }));
  // Each row covers a run of consecutive months; per measure and id the runs are merged, and a
  // difference array turns them into distinct counts per month — no set of ids per month is built.
  const runs = new Map<AnalyticsMeasure, Map<number, [number, number][]>>(definitions.map((definition) => [definition.measure, new Map()]));
  for (const row of rows) {
    const first = firstIndex(bounds, (month) => row.start < month.end);
    const last = row.end === null ? bounds.length - 1 : firstIndex(bounds, (month) => month.start > row.end!) - 1;
    if (first > last) continue;
    for (const definition of definitions) {
      const id = row.ids[definition.measure];
      if (id == null) continue;
      const byId = runs.get(definition.measure)!;
      const list = byId.get(id);
      if (list) list.push([first, last]);
      else byId.set(id, [[first, last]]);
    }
  }
  const counts = new Map<AnalyticsMeasure, number[]>();
  for (const [measure, byId] of runs) {
    const difference = new Array<number>(bounds.length + 1).fill(0);
    for (const list of byId.values()) {
      list.sort((a, b) => a[0] - b[0]);
      let [low, high] = list[0]!;
      for (const [nextLow, nextHigh] of list.slice(1)) {
        if (nextLow <= high + 1) high = Math.max(high, nextHigh);
        else {
          difference[low]! += 1;
          difference[high + 1]! -= 1;
          [low, high] = [nextLow, nextHigh];
        }
      }
      difference[low]! += 1;
      difference[high + 1]! -= 1;
    }
    let running = 0;
    counts.set(
      measure,
      bounds.map((_, index) => (running += difference[index]!)),
    );
  }
  const values: FamilyValues = new Map();
  bounds.forEach((month, index) => {
    values.set(month.key, new Map(definitions.map((definition) => [definition.measure, counts.get(definition.measure)![index]!])));
  });
  return values;
}

/** The ids a measure counts, a page at a time (keyset on the id), and how many there are. */
export async function drillIds(
  em: Em,
  dialect: Dialect,
  definition: MeasureDefinition,
  slice: Slice,
  afterId: number | null,
  limit: number,
): Promise<{ ids: number[]; total: number }> {
  const attributed = definition.family === 'HELP' && (await summaryIsComplete(em));
  const source = familySource(dialect, definition.family, slice, { kind: 'none' }, attributed);
  const conditionParams: unknown[] = [];
  const condition = definition.drillCondition ? bindToday(definition.drillCondition, slice, conditionParams) : null;
  const hasWhere = / where /.test(source.body.sql);
  const base = `${source.body.sql}${condition ? `${hasWhere ? ' and' : ' where'} ${condition}` : ''}`;
  const params = [...source.body.params, ...conditionParams];
  const [count] = await em.getConnection().execute<{ n: number | string }[]>(`select count(distinct ${definition.drillId}) as n ${base}`, params);
  const pageSql = `select distinct ${definition.drillId} as id ${base}${afterId !== null ? ` ${hasWhere || condition ? 'and' : 'where'} ${definition.drillId} > ?` : ''} order by id limit ?`;
  const rows = await em.getConnection().execute<{ id: number | string }[]>(pageSql, [...params, ...(afterId !== null ? [afterId] : []), limit]);
  return { ids: rows.map((row) => Number(row.id)), total: Number(count?.n ?? 0) };
}

function monthOfDay(day: string): string {
  return day.slice(0, 7);
}

function lastDayOf(month: string): string {
  const [year, number] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, number, 0)).toISOString().slice(0, 10);
}

function addMonths(month: string, count: number): string {
  const [year, number] = month.split('-').map(Number) as [number, number];
  const index = year * 12 + (number - 1) + count;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

function addInto(total: FamilyValues, part: FamilyValues): void {
  for (const [key, values] of part) {
    const merged = total.get(key) ?? new Map<string, number>();
    for (const [measure, value] of values) merged.set(measure, (merged.get(measure) ?? 0) + value);
    total.set(key, merged);
  }
}

/**
 * The help-record figures from the monthly summary for the whole months of the window, plus the
 * detail (attributed records) for the partial months at either edge. Every help measure is a sum,
 * so the parts add up.
 */
async function aggregateHelpFromSummary(em: Em, dialect: Dialect, slice: Slice, grouping: Grouping): Promise<FamilyValues> {
  const total: FamilyValues = new Map();
  let firstMonth: string | null = null;
  let lastMonth: string | null = null;
  const detailWindows: { from: string; to: string }[] = [];
  if (
    slice.from &&
    slice.to &&
    monthOfDay(slice.from) === monthOfDay(slice.to) &&
    !(slice.from.endsWith('-01') && slice.to === lastDayOf(monthOfDay(slice.to)))
  ) {
    detailWindows.push({ from: slice.from, to: slice.to });
    firstMonth = '9999-12';
    lastMonth = '0000-01';
  } else {
    if (slice.from) {
      const month = monthOfDay(slice.from);
      if (slice.from.endsWith('-01')) firstMonth = month;
      else {
        detailWindows.push({ from: slice.from, to: lastDayOf(month) });
        firstMonth = addMonths(month, 1);
      }
    }
    if (slice.to) {
      const month = monthOfDay(slice.to);
      if (slice.to === lastDayOf(month)) lastMonth = month;
      else {
        detailWindows.push({ from: `${month}-01`, to: slice.to });
        lastMonth = addMonths(month, -1);
      }
    }
  }
  for (const window of detailWindows) addInto(total, await aggregateDetail(em, dialect, 'HELP', { ...slice, ...window }, grouping, true));
  if (firstMonth !== null && lastMonth !== null && firstMonth > lastMonth) return total;

  const joins: string[] = [];
  const where: string[] = [];
  const params: unknown[] = [];
  let key: string | null = null;
  if (!slice.regionIsRoot || grouping.kind === 'children') joins.push('join region r on r.id = s.region_id');
  if (!slice.regionIsRoot) {
    where.push('r.path like ?');
    params.push(`${escapeLike(slice.regionPath)}%`);
  }
  if (slice.round) {
    where.push('s.round_id = ?');
    params.push(slice.round.id);
  }
  if (firstMonth !== null) {
    where.push('s.month >= ?');
    params.push(firstMonth);
  }
  if (lastMonth !== null) {
    where.push('s.month <= ?');
    params.push(lastMonth);
  }
  if (slice.unitId !== null) {
    where.push('s.unit_id = ?');
    params.push(slice.unitId);
  }
  if (slice.targetGroup) where.push(`(s.target_groups & ${GROUP_BIT[slice.targetGroup]}) <> 0`);
  if (grouping.kind === 'unit') key = 's.unit_id';
  else if (grouping.kind === 'month') key = 's.month';
  else if (grouping.kind === 'children') key = `substr(r.path, 1, ${grouping.pathLength})`;
  const rows = await em.getConnection().execute<Record<string, unknown>[]>(
    `select ${key ?? "''"} as k, sum(s.records) as visits, sum(s.funds_fen) as funds, sum(s.materials_fen) as materials, sum(s.problems_solved) as problems
       from help_record_monthly s ${joins.join(' ')}${where.length ? ` where ${where.join(' and ')}` : ''}${key ? ` group by ${key}` : ''}`,
    params,
  );
  const part: FamilyValues = new Map();
  for (const row of rows) {
    const funds = Number(row.funds ?? 0);
    const materials = Number(row.materials ?? 0);
    part.set(
      row.k == null ? '' : String(row.k),
      new Map([
        ['VISITS', Number(row.visits ?? 0)],
        ['FUNDS_FEN', funds],
        ['MATERIALS_FEN', materials],
        ['FUNDS_AND_MATERIALS_FEN', funds + materials],
        ['PROBLEMS_SOLVED', Number(row.problems ?? 0)],
      ]),
    );
  }
  addInto(total, part);
  return total;
}
