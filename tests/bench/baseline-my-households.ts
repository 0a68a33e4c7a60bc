import type { Pool, RowDataPacket } from 'mysql2/promise';
import { DAY_MS, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, OPEN_DEMAND_STATUSES, badInput, sql, type BaselineConfig, type Caller } from './baseline-support';

// --- myHouseholds ----------------------------------------------------------------------------------------

/**
 * One statement: the cadre's active assignments with household, region name, whether a petition
 * case is open and the open demand count; every lookup is an index range (assignment(cadre_id,
 * ended_at), petition_case(household_id), demand(household_id, status)). The schedule (the shortest
 * interval that applies, an open case counting only for a petitioner household, the hardship interval
 * when none applies, as server/src/modules/my-work/visit-schedule.ts) and the most-overdue-first
 * order are computed here rather than in SQL: a cadre's list is bounded by capacity (≤ 50), and
 * doing it in SQL (derived tables, ORDER BY the computed due date, LIMIT) measured ~15 % slower.
 */
export const MY_HOUSEHOLDS_SQL = `
  select h.id, h.head_name, h.address, r.name as region_name, h.is_hardship, h.is_key_focus, h.is_petitioner, h.last_visit_at, a.started_at, a.kind,
         h.is_petitioner and exists (select 1 from petition_case p where p.household_id = h.id and p.status in ('REGISTERED', 'IN_PROGRESS')) as open_case,
         (select count(*) from demand d where d.household_id = h.id and d.status in (${OPEN_DEMAND_STATUSES})) as open_demands
  from assignment a
  join household h on h.id = a.household_id
  join region r on r.id = h.region_id
  where a.cadre_id = ? and a.ended_at is null`;

export interface HouseholdRow extends RowDataPacket {
  id: number;
  head_name: string;
  address: string;
  region_name: string;
  is_hardship: number;
  is_key_focus: number;
  is_petitioner: number;
  last_visit_at: Date | null;
  started_at: Date;
  kind: string;
  open_case: number;
  open_demands: number;
}

export function encodeCursor(values: (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string): [number, number] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(values) && values.length === 2 && values.every((value) => Number.isSafeInteger(value))) return values as [number, number];
  } catch {
    // falls through to the error below
  }
  throw badInput('after', 'after is not a cursor this list gave out');
}

export interface ScheduledHousehold {
  row: HouseholdRow;
  interval: number;
  last: number | null;
  due: number;
}

/** The cadre's households with their schedule, most overdue first (myHouseholds, and myStats' counts). */
export async function scheduledHouseholds(pool: Pool, config: BaselineConfig, caller: Caller): Promise<ScheduledHousehold[]> {
  const rows = await sql<HouseholdRow[]>(pool, MY_HOUSEHOLDS_SQL, [caller.cadreId]);
  const { hardship, keyFocus, petitioner } = config.intervals;
  const scheduled = rows.map((row) => {
    let interval = Infinity;
    if (row.is_hardship) interval = hardship;
    if (row.is_key_focus) interval = Math.min(interval, keyFocus);
    if (row.open_case) interval = Math.min(interval, petitioner);
    if (interval === Infinity) interval = hardship;
    const last = row.last_visit_at?.getTime() ?? null;
    return { row, interval, last, due: (last ?? row.started_at.getTime()) + interval * DAY_MS };
  });
  scheduled.sort((a, b) => a.due - b.due || a.row.id - b.row.id);
  return scheduled;
}

export async function myHouseholds(pool: Pool, config: BaselineConfig, caller: Caller, args: { first?: number | null; after?: string | null }) {
  const size = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) throw badInput('first', `first must be between 1 and ${MAX_PAGE_SIZE}`);
  const after = args.after ? decodeCursor(args.after) : null;
  const scheduled = await scheduledHouseholds(pool, config, caller);
  const now = Date.now();
  // The cursor is (due, id) as the real server's: the page starts after it.
  const start = after ? scheduled.findIndex((entry) => entry.due > after[0] || (entry.due === after[0] && entry.row.id > after[1])) : 0;
  const from = start < 0 ? scheduled.length : start;
  const page = scheduled.slice(from, from + size);
  const nodes = page.map(({ row, interval, last, due }) => ({
    id: String(row.id),
    headName: row.head_name,
    address: row.address,
    regionName: row.region_name,
    targetGroups: [...(row.is_hardship ? ['HARDSHIP'] : []), ...(row.is_key_focus ? ['KEY_FOCUS'] : []), ...(row.is_petitioner ? ['PETITIONER'] : [])],
    assignmentKind: row.kind,
    lastVisitAt: row.last_visit_at?.toISOString() ?? null,
    daysSinceLastVisit: last === null ? null : Math.floor((now - last) / DAY_MS),
    visitIntervalDays: interval,
    nextVisitDueAt: new Date(due).toISOString(),
    visitOverdue: due < now,
    openDemandCount: Number(row.open_demands),
  }));
  const last = page[page.length - 1];
  return {
    nodes,
    totalCount: scheduled.length,
    pageInfo: { hasNextPage: from + size < scheduled.length, endCursor: last ? encodeCursor([last.due, last.row.id]) : null },
  };
}
