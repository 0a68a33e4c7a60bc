import { TargetGroup } from '@wanjia/shared';
import { isSqlite, type Em } from '../../core/entity-manager';
import { TARGET_GROUP_BIT, TARGET_GROUP_COLUMN, targetGroupMask } from '../../core/target-groups';
import { shanghaiDate } from '../../core/time';

/**
 * The analysts' monthly summary of help records (help_record_monthly) and each record's attribution
 * (the household's place and target groups and the cadre's unit when it was made): kept up to date
 * by every submission and correction, rebuilt in bulk after a load. The groups are a
 * `target_groups` mask (core/target-groups).
 */

export interface Attribution {
  regionId: number;
  unitId: number;
  groups: number;
}

/** What one latest version adds to (sign 1) or, once superseded, takes from (sign -1) its month's row. */
export interface MonthlyContribution {
  roundId: number;
  occurredAt: Date;
  attribution: Attribution;
  fundsFen: number;
  materialsFen: number;
  problemsSolved: number;
  sign: 1 | -1;
}

/** The household's place and groups and the cadre's unit now: what a record made now is attributed to. */
export async function currentAttribution(em: Em, householdId: number, cadreId: number): Promise<Attribution> {
  const [row] = await em.execute<{ region_id: number; unit_id: number; is_hardship: unknown; is_key_focus: unknown; is_petitioner: unknown }[]>(
    'select ho.region_id, ho.is_hardship, ho.is_key_focus, ho.is_petitioner, c.unit_id from household ho, cadre c where ho.id = ? and c.id = ?',
    [householdId, cadreId],
  );
  return { regionId: Number(row!.region_id), unitId: Number(row!.unit_id), groups: targetGroupMask(row!) };
}

/** Ids per statement when a bulk rebuild walks help_record on MySQL. */
const REBUILD_SLICE = 50_000;

/**
 * Adds contributions to the monthly summary inside the caller's transaction. Rows are touched in key
 * order, so that two transactions touching the same two rows (corrections) never wait on each other
 * in a cycle.
 */
export async function addToMonthly(tx: Em, contributions: readonly MonthlyContribution[]): Promise<void> {
  const rows = contributions
    .map((entry) => ({
      key: [entry.roundId, shanghaiDate(entry.occurredAt).slice(0, 7), entry.attribution.regionId, entry.attribution.unitId, entry.attribution.groups] as const,
      values: [entry.sign, entry.sign * entry.fundsFen, entry.sign * entry.materialsFen, entry.sign * entry.problemsSolved],
    }))
    .sort((a, b) => a.key.join('|').localeCompare(b.key.join('|')));
  const upsert = !isSqlite(tx)
    ? `insert into help_record_monthly (round_id, month, region_id, unit_id, target_groups, records, funds_fen, materials_fen, problems_solved)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)
       on duplicate key update records = records + values(records), funds_fen = funds_fen + values(funds_fen),
         materials_fen = materials_fen + values(materials_fen), problems_solved = problems_solved + values(problems_solved)`
    : `insert into help_record_monthly (round_id, month, region_id, unit_id, target_groups, records, funds_fen, materials_fen, problems_solved)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (round_id, month, region_id, unit_id, target_groups) do update set records = records + excluded.records,
         funds_fen = funds_fen + excluded.funds_fen, materials_fen = materials_fen + excluded.materials_fen,
         problems_solved = problems_solved + excluded.problems_solved`;
  for (const row of rows) await tx.execute(upsert, [...row.key, ...row.values], 'run');
}

/** The Asia/Shanghai month of help_record.occurred_at, in the database's own dialect. */
function monthExpression(mysql: boolean): string {
  return mysql ? "date_format(date_add(occurred_at, interval 8 hour), '%Y-%m')" : "strftime('%Y-%m', occurred_at / 1000 + 28800, 'unixepoch')";
}

/**
 * For bulk loads that write help records around the service (the demo seeder, the city generator):
 * attributes every record that has no attribution yet to its household's place and groups and its
 * cadre's unit, then recomputes the monthly summary from the detail. One transaction; run it when no
 * cadre is submitting (after a load, before the server takes traffic).
 *
 * `await rebuildAnalyticsSummaries(orm.em.fork())` (or any EntityManager of the target database).
 */
export async function rebuildAnalyticsSummaries(em: Em): Promise<{ attributed: number; summaryRows: number }> {
  const mysql = !isSqlite(em);
  const groups = Object.values(TargetGroup)
    .map((group) => `(case when ho.${TARGET_GROUP_COLUMN[group]} = 1 then ${TARGET_GROUP_BIT[group]} else 0 end)`)
    .join(' + ');
  return em.transactional(async (tx) => {
    const [bounds] = await tx.execute<{ low: number | null; high: number | null }[]>('select min(id) as low, max(id) as high from help_record');
    const low = Number(bounds?.low ?? 0);
    const high = Number(bounds?.high ?? 0);
    // In slices of ids on MySQL: no statement may stay silent longer than the connection's socket timeout.
    const slices: [number, number][] = [];
    for (let from = low; high > 0 && from <= high; from += mysql ? REBUILD_SLICE : high + 1) slices.push([from, from + (mysql ? REBUILD_SLICE : high + 1) - 1]);
    let attributed = 0;
    for (const [from, to] of slices) {
      const result = mysql
        ? await tx.execute(
            `update help_record h join household ho on ho.id = h.household_id join cadre c on c.id = h.cadre_id
                set h.attributed_region_id = ho.region_id, h.attributed_unit_id = c.unit_id, h.attributed_groups = ${groups}
              where h.attributed_region_id is null and h.id between ? and ?`,
            [from, to],
            'run',
          )
        : await tx.execute(
            `update help_record
                set attributed_region_id = (select ho.region_id from household ho where ho.id = help_record.household_id),
                    attributed_unit_id = (select c.unit_id from cadre c where c.id = help_record.cadre_id),
                    attributed_groups = (select ${groups} from household ho where ho.id = help_record.household_id)
              where attributed_region_id is null and id between ? and ?`,
            [from, to],
            'run',
          );
      attributed += Number((result as { affectedRows?: number; changes?: number }).affectedRows ?? (result as { changes?: number }).changes ?? 0);
    }
    await tx.execute('delete from help_record_monthly', [], 'run');
    const month = monthExpression(mysql);
    for (const [from, to] of slices) {
      await tx.execute(
        `insert into help_record_monthly (round_id, month, region_id, unit_id, target_groups, records, funds_fen, materials_fen, problems_solved)
         select round_id, ${month}, attributed_region_id, attributed_unit_id, attributed_groups, count(*), sum(funds_fen), sum(materials_fen), sum(problems_solved)
           from help_record
          where is_latest = 1 and attributed_region_id is not null and id between ? and ?
          group by round_id, ${month}, attributed_region_id, attributed_unit_id, attributed_groups
         ${
           mysql
             ? `on duplicate key update records = records + values(records), funds_fen = funds_fen + values(funds_fen),
                materials_fen = materials_fen + values(materials_fen), problems_solved = problems_solved + values(problems_solved)`
             : `on conflict (round_id, month, region_id, unit_id, target_groups) do update set records = records + excluded.records,
                funds_fen = funds_fen + excluded.funds_fen, materials_fen = materials_fen + excluded.materials_fen,
                problems_solved = problems_solved + excluded.problems_solved`
         }`,
        [from, to],
        'run',
      );
    }
    const [rows] = await tx.execute<{ n: number }[]>('select count(*) as n from help_record_monthly');
    return { attributed, summaryRows: Number(rows?.n ?? 0) };
  });
}

/** Whether every help record is attributed, so that the summary holds all of them. One indexed probe. */
export async function summaryIsComplete(em: Em): Promise<boolean> {
  const rows = await em.getConnection('read').execute<unknown[]>('select 1 from help_record where attributed_region_id is null limit 1');
  return rows.length === 0;
}
