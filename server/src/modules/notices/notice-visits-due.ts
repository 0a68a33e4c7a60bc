import { NoticeKind, OPEN_CASE_STATUSES } from '@wanjia/shared';
import { LockWaitTimeoutException, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { VisitIntervals } from '../../config';
import type { Em } from '../../core/entity-manager';
import { DAY_MS, shanghaiDate, startOfShanghaiDay, toDate } from '../../core/time';
import { JobLease } from '../jobs/job-lease.entity';
import { visitSchedule } from '../my-work/visit-schedule';
import { noticeService, type NoticeDraft } from './notice.service';

/** Cadres handled per transaction: bounded statements and transactions on a city of cadres. */
const CADRES_PER_SLICE = 500;
/** The week's reminders go out from 08:00 (Shanghai) on, never at night. */
const FIRST_HOUR = 8;
const LAST_HOUR = 21;
/**
 * The job_lease row that remembers the last scan to go through every cadre: its last_started_at is
 * that scan's `now`. While it falls on today (Shanghai), the job does nothing: see noticeVisitsDue.
 */
export const VISITS_DUE_SCANNED = 'visits-due:scanned';

/** The ISO week (Monday first) of a Shanghai calendar day, e.g. 2026-W49, and the day its week starts. */
export function isoWeekOf(day: string): { key: string; monday: string } {
  const date = new Date(`${day}T00:00:00.000Z`);
  const weekday = (date.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const monday = new Date(date.getTime() - weekday * DAY_MS);
  const thursday = new Date(monday.getTime() + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(year, 0, 4));
  const firstMonday = new Date(firstThursday.getTime() - ((firstThursday.getUTCDay() + 6) % 7) * DAY_MS);
  const week = Math.round((monday.getTime() - firstMonday.getTime()) / (7 * DAY_MS)) + 1;
  return { key: `${year}-W${String(week).padStart(2, '0')}`, monday: monday.toISOString().slice(0, 10) };
}

interface CadreRow {
  cadre_id: number | string;
  account_id: number | string;
}

interface HouseholdRow {
  cadre_id: number | string;
  is_hardship: number | boolean;
  is_key_focus: number | boolean;
  is_petitioner: number | boolean;
  last_visit_at: Date | number | string | null;
  started_at: Date | number | string;
  has_open_case: number | boolean | string;
}

export interface VisitsDueOutcome {
  noticed: number;
  /** Cadres whose households this run read (0: the day's scan was done already, or it is night). */
  cadresChecked: number;
}

/**
 * The weekly reminder (本周待走访): every cadre with an account and households whose visit falls due
 * before the week ends (overdue ones included) gets one VISITS_DUE notice per ISO week, by the visit
 * rule of my-work (visit-schedule.ts). Exactly once: the notice's unique (recipient, kind, period_key)
 * with the week as period key, and cadres already told this week are left out of the scan, so a run
 * after downtime (or a second instance) only fills in who is missing. Sends from 08:00 to 21:59 Shanghai.
 *
 * How often it scans: at most once a Shanghai day. A scan that went through every cadre (no slice
 * left to a concurrent run) is recorded in job_lease (VISITS_DUE_SCANNED), and every later tick of
 * that day answers at once without reading a cadre. The week's first scan (Monday 08:00, or the first
 * daytime tick after downtime) tells everyone due this week; each later day's one scan reads only
 * the cadres not told yet this week and catches those whose households became due meanwhile (a
 * household newly assigned to them, one that became hardship or key focus, a petition case opened):
 * a cadre is told on the day that happens, not a week late. Without the record, cadres with nothing
 * due were re-read on every tick (about 840 times a week at one tick a minute); now at most 7 times.
 */
export async function noticeVisitsDue(em: Em, now: Date, intervals: VisitIntervals): Promise<VisitsDueOutcome> {
  const hour = new Date(now.getTime() + 8 * 60 * 60_000).getUTCHours();
  if (hour < FIRST_HOUR || hour > LAST_HOUR) return { noticed: 0, cadresChecked: 0 };
  const today = shanghaiDate(now);
  const scanned = await em.fork().findOne(JobLease, { name: VISITS_DUE_SCANNED });
  if (scanned?.lastStartedAt && shanghaiDate(scanned.lastStartedAt) === today) return { noticed: 0, cadresChecked: 0 };
  const started = Date.now();
  const week = isoWeekOf(today);
  const weekEnds = new Date(startOfShanghaiDay(week.monday).getTime() + 7 * DAY_MS);
  const connection = em.getConnection();
  let noticed = 0;
  let cadresChecked = 0;
  let complete = true;
  let afterCadre = 0;
  for (;;) {
    const cadres = await connection.execute<CadreRow[]>(
      `select distinct a.cadre_id, ua.id as account_id
         from assignment a
         join user_account ua on ua.cadre_id = a.cadre_id and ua.active = 1
        where a.ended_at is null and a.cadre_id > ?
          and not exists (select 1 from notice n where n.recipient_account_id = ua.id and n.kind = ? and n.period_key = ?)
        order by a.cadre_id
        limit ${CADRES_PER_SLICE}`,
      [afterCadre, NoticeKind.VISITS_DUE, week.key],
    );
    if (cadres.length === 0) break;
    cadresChecked += cadres.length;
    afterCadre = Number(cadres[cadres.length - 1]!.cadre_id);
    const ids = cadres.map((row) => Number(row.cadre_id));
    const households = await connection.execute<HouseholdRow[]>(
      `select a.cadre_id, h.is_hardship, h.is_key_focus, h.is_petitioner, h.last_visit_at, a.started_at,
              exists (select 1 from petition_case pc where pc.household_id = h.id and pc.status in (${OPEN_CASE_STATUSES.map(() => '?').join(', ')})) as has_open_case
         from assignment a
         join household h on h.id = a.household_id
        where a.ended_at is null and a.cadre_id in (${ids.map(() => '?').join(', ')})`,
      [...OPEN_CASE_STATUSES, ...ids],
    );
    const counts = new Map<number, { due: number; overdue: number }>();
    for (const row of households) {
      const schedule = visitSchedule(
        {
          isHardship: Boolean(Number(row.is_hardship)),
          isKeyFocus: Boolean(Number(row.is_key_focus)),
          isPetitioner: Boolean(Number(row.is_petitioner)),
          hasOpenPetitionCase: Boolean(Number(row.has_open_case)),
          lastVisitAt: row.last_visit_at == null ? null : toDate(row.last_visit_at),
          assignedAt: toDate(row.started_at),
        },
        intervals,
        now,
      );
      if (schedule.dueAt.getTime() >= weekEnds.getTime()) continue;
      const count = counts.get(Number(row.cadre_id)) ?? { due: 0, overdue: 0 };
      count.due += 1;
      if (schedule.overdue) count.overdue += 1;
      counts.set(Number(row.cadre_id), count);
    }
    const drafts: NoticeDraft[] = cadres.flatMap((row) => {
      const count = counts.get(Number(row.cadre_id));
      if (!count) return [];
      return [
        {
          kind: NoticeKind.VISITS_DUE,
          recipientAccountIds: [Number(row.account_id)],
          title: `本周待走访 ${count.due} 户`,
          body:
            count.overdue > 0 ? `本周有 ${count.due} 户到期走访，其中 ${count.overdue} 户已超期，请及时入户。` : `本周有 ${count.due} 户到期走访，请及时入户。`,
          at: now,
          periodKey: week.key,
        },
      ];
    });
    if (drafts.length === 0) continue;
    try {
      await em.fork().transactional((tx) => noticeService.enqueue(tx, drafts));
      noticed += drafts.length;
    } catch (error) {
      // Another run told some of these cadres meanwhile (the lease lapsed under it), or holds the SQLite
      // file's write lock while it does: the next run fills in whoever is still missing.
      if (!(error instanceof UniqueConstraintViolationException) && !(error instanceof LockWaitTimeoutException)) throw error;
      complete = false;
    }
  }
  if (complete) await recordScan(em, now, new Date(now.getTime() + (Date.now() - started)));
  return { noticed, cadresChecked };
}

/** Records today's full scan (one row, updated in place; made by the first scan ever). */
async function recordScan(em: Em, startedAt: Date, finishedAt: Date): Promise<void> {
  const fork = em.fork();
  const change = { lastStartedAt: startedAt, lastFinishedAt: finishedAt };
  if ((await fork.nativeUpdate(JobLease, { name: VISITS_DUE_SCANNED }, change)) > 0) return;
  try {
    await fork.insert(JobLease, { name: VISITS_DUE_SCANNED, owner: null, leaseUntil: null, ...change });
  } catch (error) {
    // A concurrent scan made the row first: it records the same day.
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    await fork.nativeUpdate(JobLease, { name: VISITS_DUE_SCANNED }, change);
  }
}
