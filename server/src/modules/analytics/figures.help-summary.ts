import type { Em } from '../../core/entity-manager';
import { likeStartingWith } from '../../core/sql-like';
import { TARGET_GROUP_BIT } from '../../core/target-groups';
import type { Dialect } from './analytics.dialect';
import type { FamilyValues } from './analytics.measures';
import { summaryCover, type Grouping, type Slice } from './analytics.slice';
import { aggregateDetail } from './figures.detail';

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
export async function aggregateHelpFromSummary(em: Em, dialect: Dialect, slice: Slice, grouping: Grouping): Promise<FamilyValues> {
  const total: FamilyValues = new Map();
  const cover = summaryCover(slice.from, slice.to);
  for (const window of cover.edges) addInto(total, await aggregateDetail(em, dialect, 'HELP', { ...slice, ...window }, grouping, true));
  if (cover.wholeMonths === null) return total;
  const { first: firstMonth, last: lastMonth } = cover.wholeMonths;

  const joins: string[] = [];
  const where: string[] = [];
  const params: unknown[] = [];
  let key: string | null = null;
  if (!slice.regionIsRoot || grouping.kind === 'children') joins.push('join region r on r.id = s.region_id');
  if (!slice.regionIsRoot) {
    where.push('r.path like ?');
    params.push(likeStartingWith(slice.regionPath));
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
  if (slice.targetGroup) where.push(`(s.target_groups & ${TARGET_GROUP_BIT[slice.targetGroup]}) <> 0`);
  if (grouping.kind === 'unit') key = 's.unit_id';
  else if (grouping.kind === 'month') key = 's.month';
  else if (grouping.kind === 'children') key = `substr(r.path, 1, ${grouping.pathLength})`;
  const rows = await em.getConnection('read').execute<Record<string, unknown>[]>(
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
