import type { Pool, RowDataPacket } from 'mysql2/promise';
import { scheduledHouseholds } from './baseline-my-households';
import { failure, sql, type BaselineConfig, type Caller } from './baseline-support';
import { shanghaiDay, sqlInstant } from './baseline-submit';

// --- the 我的 screen: me, currentRound, myStats (the mini-program's MyStats document) -----------------------

/** The signed-in cadre's account, name, post and unit, in one read. */
const ME_SQL = `
  select a.id, c.id as cadre_id, c.name, c.post, u.name as unit_name
  from user_account a join cadre c on c.id = a.cadre_id join unit u on u.id = c.unit_id
  where a.id = ? and a.active = 1`;

const CURRENT_ROUND_SQL = 'select id, name, starts_on, ends_on from round where starts_on <= ? and ends_on >= ? order by starts_on desc limit 1';

/**
 * This month's and this round's totals of the cadre's latest versions in one pass over the cadre's
 * records, the round chosen in the same statement: the current round, else the latest (the real
 * server's currentOrLatest).
 */
const TOTALS_SQL = `
  select ro.id as round_id,
         count(case when r.occurred_at >= ? then 1 end) as month_visits,
         coalesce(sum(case when r.occurred_at >= ? then r.funds_fen end), 0) as month_funds,
         coalesce(sum(case when r.occurred_at >= ? then r.materials_fen end), 0) as month_materials,
         coalesce(sum(case when r.occurred_at >= ? then r.problems_solved end), 0) as month_problems,
         count(case when r.round_id = ro.id then 1 end) as round_visits,
         coalesce(sum(case when r.round_id = ro.id then r.funds_fen end), 0) as round_funds,
         coalesce(sum(case when r.round_id = ro.id then r.materials_fen end), 0) as round_materials,
         coalesce(sum(case when r.round_id = ro.id then r.problems_solved end), 0) as round_problems
  from (select id from round order by starts_on <= ? and ends_on >= ? desc, starts_on desc limit 1) ro
  left join help_record r on r.cadre_id = ? and r.is_latest = 1 and (r.occurred_at >= ? or r.round_id = ro.id)
  group by ro.id`;

export async function me(pool: Pool, caller: Caller) {
  const [row] = await sql<RowDataPacket[]>(pool, ME_SQL, [caller.accountId]);
  if (!row) throw failure('FORBIDDEN', 'Not found or not yours');
  return { id: String(row.id), cadre: { id: String(row.cadre_id), name: row.name, post: row.post, unit: { name: row.unit_name } } };
}

export async function currentRound(pool: Pool) {
  const today = shanghaiDay(Date.now());
  const [row] = await sql<RowDataPacket[]>(pool, CURRENT_ROUND_SQL, [today, today]);
  return row ? { id: String(row.id), name: row.name, startsOn: row.starts_on, endsOn: row.ends_on } : null;
}

export async function myStats(pool: Pool, config: BaselineConfig, caller: Caller, args: { roundId?: string | null }) {
  if (args.roundId) throw failure('BAD_USER_INPUT', 'the baseline serves the current round only', 'roundId');
  const now = Date.now();
  const today = shanghaiDay(now);
  // The month starts at Shanghai midnight of its first day.
  const monthStart = sqlInstant(Date.parse(`${today.slice(0, 8)}01T00:00:00.000Z`) - 8 * 60 * 60 * 1000);
  const [totals, households] = await Promise.all([
    sql<RowDataPacket[]>(pool, TOTALS_SQL, [monthStart, monthStart, monthStart, monthStart, today, today, caller.cadreId, monthStart]),
    scheduledHouseholds(pool, config, caller),
  ]);
  const row = totals[0];
  if (!row) throw failure('FORBIDDEN', 'no round exists yet');
  return {
    thisMonth: {
      visits: Number(row.month_visits),
      fundsFen: Number(row.month_funds),
      materialsFen: Number(row.month_materials),
      problemsSolved: Number(row.month_problems),
    },
    thisRound: {
      visits: Number(row.round_visits),
      fundsFen: Number(row.round_funds),
      materialsFen: Number(row.round_materials),
      problemsSolved: Number(row.round_problems),
    },
    households: households.length,
    householdsOverdue: households.filter((entry) => entry.due < now).length,
  };
}
