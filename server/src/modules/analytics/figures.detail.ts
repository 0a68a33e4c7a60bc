import type { Em } from '../../core/entity-manager';
import { summaryIsComplete } from '../help-records/help-record-summary.service';
import type { Dialect } from './analytics.dialect';
import { MEASURES, isCounted, type Family, type FamilyValues, type MeasureDefinition } from './analytics.measures';
import type { Grouping, Slice } from './analytics.slice';
import { familySource } from './figures.sources';
import { spannedByMonth } from './figures.spans';

/** Replaces the `:today` placeholder of an aggregate or condition with a bound parameter. */
export function bindToday(sql: string, slice: Slice, params: unknown[]): string {
  return sql.replace(/:today/g, () => {
    params.push(slice.today);
    return '?';
  });
}

/**
 * Runs one aggregate statement for a family over its detail rows: for each group key (the empty
 * string without grouping), the value of each of the family's measures. A MONTH grouping of the
 * families whose rows last over time is counted from their spans instead (figures.spans.ts).
 */
export async function aggregateDetail(
  em: Em,
  dialect: Dialect,
  family: Family,
  slice: Slice,
  grouping: Grouping,
  helpAttributed: boolean,
): Promise<FamilyValues> {
  // The rates are derived from these counts afterwards (analytics.service.ts), not aggregated here.
  const definitions = MEASURES.filter((definition) => definition.family === family).filter(isCounted);
  if (grouping.kind === 'month') {
    const counted = await spannedByMonth(em, dialect, family, slice, grouping.months);
    if (counted) return counted;
  }
  const source = familySource(dialect, family, slice, grouping, helpAttributed);
  const selectParams: unknown[] = [];
  const columns = definitions.map((definition, index) => `${bindToday(definition.aggregate, slice, selectParams)} as v${index}`);
  const keyColumn = source.key ?? "''";
  const sql = `select ${keyColumn} as k, ${columns.join(', ')} ${source.body.sql}${source.key ? ` group by ${source.key}` : ''}`;
  const rows = await em.getConnection('read').execute<Record<string, unknown>[]>(sql, [...selectParams, ...source.body.params]);
  const values: FamilyValues = new Map();
  for (const row of rows) {
    const byMeasure = new Map<string, number>();
    definitions.forEach((definition, index) => byMeasure.set(definition.measure, Number(row[`v${index}`] ?? 0)));
    values.set(row.k == null ? '' : String(row.k), byMeasure);
  }
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
  const [count] = await em.getConnection('read').execute<{ n: number | string }[]>(`select count(distinct ${definition.drillId}) as n ${base}`, params);
  const pageSql = `select distinct ${definition.drillId} as id ${base}${afterId !== null ? ` ${hasWhere || condition ? 'and' : 'where'} ${definition.drillId} > ?` : ''} order by id limit ?`;
  const rows = await em.getConnection('read').execute<{ id: number | string }[]>(pageSql, [...params, ...(afterId !== null ? [afterId] : []), limit]);
  return { ids: rows.map((row) => Number(row.id)), total: Number(count?.n ?? 0) };
}
