import type { Orm } from '../core/entity-manager';
import { DEFAULT_DEMAND_DEADLINES, DEFAULT_ESCALATION_RUNGS } from './migrations/Migration20261204000000';

/**
 * What a MySQL migration writes besides DDL, for the embedded database: SQLite's schema comes from the
 * schema generator (orm.ts prepareSchema), which creates new tables and columns but no rows. Each step
 * runs after the generator on every schema change and writes only when its table is still empty while
 * its source is not, so it runs once, on the first start of the build that brought the table.
 */
interface SqliteBackfill {
  /** The migration whose data step this mirrors. */
  mirrors: string;
  /** The table the step fills; non-empty means done. */
  table: string;
  source: string;
  statements: readonly string[];
}

const BACKFILLS: readonly SqliteBackfill[] = [
  {
    // The demand timeline: the steps an existing demand's row already tells (no actor, no answer).
    mirrors: 'Migration20261203000000',
    table: 'demand_event',
    source: 'demand',
    statements: [
      "insert into demand_event (demand_id, kind, at, help_record_id, created_at) select id, 'RAISED', raised_at, raised_in_id, ? from demand order by id",
      "insert into demand_event (demand_id, kind, at, help_record_id, created_at) select id, 'RESOLVED', resolved_at, resolved_by_id, ? from demand where resolved_at is not null and status in ('RESOLVED', 'CONFIRMED') order by id",
      "insert into demand_event (demand_id, kind, at, help_record_id, created_at) select id, 'CONFIRMED', coalesce(confirmed_at, resolved_at, raised_at), resolved_by_id, ? from demand where status = 'CONFIRMED' order by id",
    ],
  },
];

/** Runs the backfills an upgraded embedded database still needs, each in one transaction. */
export async function runSqliteBackfills(orm: Orm, now = new Date()): Promise<string[]> {
  const ran: string[] = [];
  for (const backfill of BACKFILLS) {
    const em = orm.em.fork();
    const [target] = await em.execute<{ found: number }[]>(`select count(*) as found from (select 1 from ${backfill.table} limit 1)`);
    const [source] = await em.execute<{ found: number }[]>(`select count(*) as found from (select 1 from ${backfill.source} limit 1)`);
    if (Number(target?.found ?? 0) > 0 || Number(source?.found ?? 0) === 0) continue;
    // Dates as the ORM stores them on SQLite (epoch milliseconds), like every other row.
    const createdAt = em.getPlatform().processDateProperty(now);
    await em.transactional(async (tx) => {
      for (const statement of backfill.statements) await tx.execute(statement, [createdAt]);
    });
    ran.push(backfill.mirrors);
  }
  return ran;
}

/**
 * The rows a migration seeds into a table of data (Migration20261204000000: the categories' time limits and
 * the escalation ladder), ensured on the embedded database: a missing row is inserted, an existing one (which
 * a city administrator may have changed) is left alone. Also rewrites demands stored as ESCALATED, which is
 * no longer a status, to OPEN, as that migration does.
 */
export async function ensureSqliteDefaults(orm: Orm, now = new Date()): Promise<void> {
  const em = orm.em.fork();
  const updatedAt = em.getPlatform().processDateProperty(now);
  await em.transactional(async (tx) => {
    for (const [category, demandDays, referralDays] of DEFAULT_DEMAND_DEADLINES) {
      await tx.execute('insert into demand_deadline (category, demand_days, referral_days, updated_at) values (?, ?, ?, ?) on conflict (category) do nothing', [
        category,
        demandDays,
        referralDays,
        updatedAt,
      ]);
    }
    for (const [level, code, name, afterDays] of DEFAULT_ESCALATION_RUNGS) {
      await tx.execute('insert into escalation_rung (level, code, name, after_days, updated_at) values (?, ?, ?, ?, ?) on conflict do nothing', [
        level,
        code,
        name,
        afterDays,
        updatedAt,
      ]);
    }
    await tx.execute("update demand set status = 'OPEN' where status = 'ESCALATED'");
  });
}
