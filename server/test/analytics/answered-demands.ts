import type { Em } from '../../src/core/entity-manager';

/**
 * The households' answers (回访) for the analytics suite's data: neither the city generator nor the demo
 * data set asks households, so the suite gives its resolved demands every kind of answer with plain SQL
 * (the same statements on MariaDB and SQLite), spread over every district, month and target group by
 * the demand id. The figures read only the demand row's columns (`status`, `satisfaction`, the latest
 * answer, and `reopen_count`), so no `demand_event` row is written here.
 *
 * - confirmed, id ≡ 0 (mod 3): 满意; id ≡ 1: 基本满意, half of them after one 不满意; id ≡ 2: confirmed
 *   before answers were recorded (no satisfaction, as the issue-13 migration leaves them);
 * - resolved, id ≡ 0 (mod 4): 不满意, back to open (resolution cleared); id ≡ 1: 不满意 once, resolved
 *   again and waiting for the next answer; the rest wait for their first answer.
 *
 * Answers the number of demands changed.
 */
export async function answerDemands(em: Em): Promise<number> {
  const connection = em.getConnection();
  const statements = [
    "update demand set satisfaction = 'SATISFIED', reopen_count = 0 where status = 'CONFIRMED' and id % 3 = 0",
    "update demand set satisfaction = 'BASICALLY_SATISFIED', reopen_count = case when id % 2 = 0 then 1 else 0 end where status = 'CONFIRMED' and id % 3 = 1",
    "update demand set satisfaction = null, reopen_count = 0 where status = 'CONFIRMED' and id % 3 = 2",
    "update demand set satisfaction = 'DISSATISFIED', reopen_count = 1 where status = 'RESOLVED' and id % 4 = 1",
    // Last: the reopened demands leave RESOLVED, so the statement above no longer sees them.
    "update demand set status = 'OPEN', satisfaction = 'DISSATISFIED', reopen_count = 1, resolved_at = null, resolved_by_id = null, confirmed_at = null where status = 'RESOLVED' and id % 4 = 0",
  ];
  let changed = 0;
  for (const statement of statements) {
    const result = await connection.execute<{ affectedRows?: number; changes?: number }>(statement, [], 'run');
    changed += Number(result.affectedRows ?? result.changes ?? 0);
  }
  return changed;
}
