import { likeStartingWith } from '../../core/sql-like';
import { TARGET_GROUP_BIT, TARGET_GROUP_COLUMN } from '../../core/target-groups';
import { startOfShanghaiDay } from '../../core/time';
import { monthsTable, type Dialect, type SqlPart } from './analytics.dialect';
import type { Family } from './analytics.measures';
import { dayWindow, nextDay, type Grouping, type Slice } from './analytics.slice';

/** The rows a family's figures are computed from: `from … where …`, and what they are grouped by. */
export interface Source {
  /** `from … where …` */
  body: SqlPart;
  /** The group key expression, or null without grouping. */
  key: string | null;
}

/**
 * The joins, conditions and parameters of one family's FROM clause, collected in the order the SQL
 * reads them, with the slice conditions the families have in common. Joins are added only when a
 * condition or the key needs them: the city's figures read help records without touching regions.
 */
class SourceParts {
  readonly joins: string[] = [];
  readonly where: string[] = [];
  readonly params: unknown[] = [];
  /** The slice's window as instants, for datetime columns. */
  readonly windowStart: unknown;
  readonly windowEnd: unknown;

  constructor(
    readonly dialect: Dialect,
    readonly slice: Slice,
    readonly grouping: Grouping,
  ) {
    this.windowStart = slice.from ? dialect.instant(startOfShanghaiDay(slice.from)) : null;
    this.windowEnd = slice.to ? dialect.instant(startOfShanghaiDay(nextDay(slice.to))) : null;
  }

  /** Whether the rows must be joined to their region: for the subtree's condition or the child-region key. */
  get needsRegion(): boolean {
    return !this.slice.regionIsRoot || this.grouping.kind === 'children';
  }

  get groupsByUnit(): boolean {
    return this.slice.unitId !== null || this.grouping.kind === 'unit';
  }

  /** The child region's path, the key of a REGION_CHILDREN breakdown (null for other groupings). */
  get childKey(): string | null {
    return this.grouping.kind === 'children' ? `substr(r.path, 1, ${this.grouping.pathLength})` : null;
  }

  condition(sql: string, ...params: unknown[]): void {
    this.where.push(sql);
    this.params.push(...params);
  }

  /** Rows in the slice's subtree (`r` is the row's region); none needed at the root. */
  pathCondition(): void {
    if (!this.slice.regionIsRoot) this.condition('r.path like ?', likeStartingWith(this.slice.regionPath));
  }

  /** Households of the slice's target group (`ho` is the row's household). */
  targetCondition(): void {
    if (this.slice.targetGroup) this.condition(`ho.${TARGET_GROUP_COLUMN[this.slice.targetGroup]} = 1`);
  }

  /**
   * For a MONTH grouping, joins the months table first (its parameters come first) on a condition
   * saying the row belongs to month `m`, and answers the months' key; otherwise answers `key`.
   */
  monthJoin(condition: string, key: string | null): string | null {
    if (this.grouping.kind !== 'month') return key;
    const table = monthsTable(this.dialect, this.grouping.months);
    this.joins.unshift(`join ${table.sql} m on ${condition}`);
    this.params.unshift(...table.params);
    return 'm.k';
  }

  /** `from <table> <joins> where <conditions>`. */
  from(table: string): SqlPart {
    return { sql: `from ${table} ${this.joins.join(' ')}${this.where.length ? ` where ${this.where.join(' and ')}` : ''}`, params: this.params };
  }
}

/**
 * Help records, the latest version of each. Attributed: each record carries the place, unit and groups
 * it counts for (every record once the summary is complete); otherwise the household's and cadre's
 * current ones.
 */
function helpSource(parts: SourceParts, attributed: boolean): Source {
  const { slice, grouping } = parts;
  const regionColumn = attributed ? 'h.attributed_region_id' : 'ho.region_id';
  const unitColumn = attributed ? 'h.attributed_unit_id' : 'c.unit_id';
  if (!attributed && (parts.needsRegion || slice.targetGroup !== null)) parts.joins.push('join household ho on ho.id = h.household_id');
  if (parts.needsRegion) parts.joins.push(`join region r on r.id = ${regionColumn}`);
  if (!attributed && parts.groupsByUnit) parts.joins.push('join cadre c on c.id = h.cadre_id');
  parts.condition('h.is_latest = 1');
  parts.pathCondition();
  if (slice.round) parts.condition('h.round_id = ?', slice.round.id);
  if (parts.windowStart !== null) parts.condition('h.occurred_at >= ?', parts.windowStart);
  if (parts.windowEnd !== null) parts.condition('h.occurred_at < ?', parts.windowEnd);
  if (slice.unitId !== null) parts.condition(`${unitColumn} = ?`, slice.unitId);
  if (slice.targetGroup) {
    parts.condition(attributed ? `(h.attributed_groups & ${TARGET_GROUP_BIT[slice.targetGroup]}) <> 0` : `ho.${TARGET_GROUP_COLUMN[slice.targetGroup]} = 1`);
  }
  const key = grouping.kind === 'unit' ? unitColumn : grouping.kind === 'month' ? parts.dialect.monthOf('h.occurred_at') : parts.childKey;
  return { body: parts.from('help_record h'), key };
}

/**
 * Assignments (households helped, cadres engaged) and the persons they reach. The assignment measures
 * read the household's groups; the persons need the household only to place it.
 */
function assignmentSource(parts: SourceParts, family: 'ASSIGNMENT' | 'CADRE' | 'PERSON'): Source {
  const { slice, grouping } = parts;
  if (family === 'ASSIGNMENT' || parts.needsRegion || slice.targetGroup !== null) parts.joins.push('join household ho on ho.id = a.household_id');
  if (parts.needsRegion) parts.joins.push('join region r on r.id = ho.region_id');
  if (parts.groupsByUnit) parts.joins.push('join cadre c on c.id = a.cadre_id');
  parts.pathCondition();
  if (slice.round) parts.condition('a.round_id = ?', slice.round.id);
  if (parts.windowEnd !== null) parts.condition('a.started_at < ?', parts.windowEnd);
  if (parts.windowStart !== null) parts.condition('(a.ended_at is null or a.ended_at >= ?)', parts.windowStart);
  if (slice.unitId !== null) parts.condition('c.unit_id = ?', slice.unitId);
  parts.targetCondition();
  const key = grouping.kind === 'unit' ? 'c.unit_id' : parts.childKey;
  if (family === 'PERSON') return personSource(parts, key);
  return { body: parts.from('assignment a'), key: parts.monthJoin('a.started_at < m.e and (a.ended_at is null or a.ended_at >= m.s)', key) };
}

/**
 * Only residents on a key-focus list or petitioning are counted: a few thousand in a city of hundreds
 * of thousands, so each is probed for a matching assignment (the assignment conditions in `parts`)
 * rather than joining every helped household to its residents.
 */
function personSource(parts: SourceParts, key: string | null): Source {
  const { joins, where, params, grouping } = parts;
  const counted = '(rs.key_focus_reason is not null or rs.is_petitioner = 1)';
  const matching = `exists (select 1 from assignment a ${joins.join(' ')} where a.household_id = rs.household_id${where.length ? ` and ${where.join(' and ')}` : ''}`;
  if (grouping.kind === 'month') {
    const table = monthsTable(parts.dialect, grouping.months);
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

/** Unit pairings with villages and communities: dates, not instants. */
function pairingSource(parts: SourceParts): Source {
  const { slice, grouping } = parts;
  parts.joins.push('join region r on r.id = p.region_id');
  parts.pathCondition();
  if (slice.round) parts.condition('p.round_id = ?', slice.round.id);
  if (slice.to) parts.condition('p.started_on <= ?', slice.to);
  if (slice.from) parts.condition('(p.ended_on is null or p.ended_on >= ?)', slice.from);
  if (slice.unitId !== null) parts.condition('p.unit_id = ?', slice.unitId);
  const key = grouping.kind === 'unit' ? 'p.unit_id' : parts.childKey;
  return { body: parts.from('unit_pairing p'), key: parts.monthJoin('p.started_on <= m.ed and (p.ended_on is null or p.ended_on >= m.sd)', key) };
}

/** A household's row (petition cases, demands) placed through its household. */
function householdRowJoins(parts: SourceParts, alias: string): void {
  if (parts.needsRegion || parts.slice.targetGroup !== null) parts.joins.push(`join household ho on ho.id = ${alias}.household_id`);
  if (parts.needsRegion) parts.joins.push('join region r on r.id = ho.region_id');
  parts.pathCondition();
}

/**
 * Petition cases. A case belongs to a period while it is open in it: backlog cases were received years
 * before the round that takes them up. With a round, only cases of households the round helps count.
 */
function caseSource(parts: SourceParts): Source {
  const { slice, grouping } = parts;
  householdRowJoins(parts, 'pc');
  const { first, last } = dayWindow(slice);
  if (last) parts.condition('pc.received_on <= ?', last);
  if (first) parts.condition('(pc.resolved_at is null or pc.resolved_at >= ?)', parts.dialect.instant(startOfShanghaiDay(first)));
  if (slice.round) parts.condition('exists (select 1 from assignment ra where ra.household_id = pc.household_id and ra.round_id = ?)', slice.round.id);
  parts.targetCondition();
  const key = grouping.kind === 'month' ? null : parts.childKey;
  return { body: parts.from('petition_case pc'), key: parts.monthJoin('pc.received_on <= m.ed and (pc.resolved_at is null or pc.resolved_at >= m.s)', key) };
}

/** Demands, by the day they were raised. */
function demandSource(parts: SourceParts): Source {
  const { slice, grouping } = parts;
  householdRowJoins(parts, 'd');
  const { first, last } = dayWindow(slice);
  if (first) parts.condition('d.raised_at >= ?', parts.dialect.instant(startOfShanghaiDay(first)));
  if (last) parts.condition('d.raised_at < ?', parts.dialect.instant(startOfShanghaiDay(nextDay(last))));
  parts.targetCondition();
  const key = grouping.kind === 'month' ? parts.dialect.monthOf('d.raised_at') : parts.childKey;
  return { body: parts.from('demand d'), key };
}

/**
 * The FROM and WHERE of a family for a slice and a grouping (see analytics.measures.ts for what each
 * family reads). `helpAttributed`: help records placed where they were attributed when written.
 */
export function familySource(dialect: Dialect, family: Family, slice: Slice, grouping: Grouping, helpAttributed = false): Source {
  const parts = new SourceParts(dialect, slice, grouping);
  switch (family) {
    case 'HELP':
      return helpSource(parts, helpAttributed);
    case 'ASSIGNMENT':
    case 'CADRE':
    case 'PERSON':
      return assignmentSource(parts, family);
    case 'PAIRING':
      return pairingSource(parts);
    case 'CASE':
      return caseSource(parts);
    case 'DEMAND':
      return demandSource(parts);
  }
}
