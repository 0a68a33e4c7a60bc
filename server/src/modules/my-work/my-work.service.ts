import { raw } from '@mikro-orm/core';
import { AssignmentKind, OPEN_CASE_STATUSES, OPEN_DEMAND_STATUSES, TargetGroup } from '@wanjia/shared';
import type { AppConfig } from '../../config';
import { cadreIdOf, type Actor } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { ForbiddenError } from '../../core/errors';
import { decodeCursor, encodeCursor, pageSize, type PageArgs } from '../../core/pagination';
import { likeContaining } from '../../core/sql-like';
import { TARGET_GROUP_COLUMN } from '../../core/target-groups';
import { startOfShanghaiDay, shanghaiDate, toDate } from '../../core/time';
import { HelpRecord } from '../help-records/help-record.entity';
import { Round } from '../rounds/round.entity';
import { roundService } from '../rounds/round.service';
import type { MyHouseholdFilter } from './my-work.inputs';
import { myWorkPolicy } from './my-work.policy';
import type { HelpTotals, MyHousehold, MyHouseholdConnection, MyStats } from './my-work.types';
import { visitSchedule } from './visit-schedule';

/** The refusal of a work list (myHouseholds, myStats) to anyone but a cadre. */
const ONLY_CADRES_HAVE_WORK = 'Only cadres have households of their own';

interface ScheduleRow {
  id: number;
  head_name: string;
  address: string;
  is_hardship: number | boolean;
  is_key_focus: number | boolean;
  is_petitioner: number | boolean;
  last_visit_at: Date | number | string | null;
  started_at: Date | number | string;
  kind: AssignmentKind;
  region_name: string;
  has_open_case: number | boolean | string;
  open_demands: number | string;
}

/**
 * The cadre's households with their visit schedule, most overdue first, in one SQL statement: the
 * hottest read of the system, so it is written by hand rather than assembled from entity queries
 * (measured in tests/bench). Scoping is the `cadre_id` of active assignments; a cadre looks after a
 * bounded number of households (capacity ≤ 50), so the due dates are computed and sorted here.
 */
async function scheduledHouseholds(em: Em, actor: Actor, config: AppConfig, filter: MyHouseholdFilter, now: Date): Promise<MyHousehold[]> {
  const conditions = ['a.cadre_id = ?', 'a.ended_at is null'];
  const params: unknown[] = [cadreIdOf(actor, myWorkPolicy.mayRead, ONLY_CADRES_HAVE_WORK)];
  if (filter.targetGroup) {
    conditions.push(`h.${TARGET_GROUP_COLUMN[filter.targetGroup]} = 1`);
  }
  if (filter.search) {
    const pattern = likeContaining(filter.search.trim());
    conditions.push('(h.head_name like ? or h.address like ?)');
    params.push(pattern, pattern);
  }
  const rows = await em.getConnection().execute<ScheduleRow[]>(
    `select h.id, h.head_name, h.address, h.is_hardship, h.is_key_focus, h.is_petitioner, h.last_visit_at,
            a.started_at, a.kind, r.name as region_name,
            exists (select 1 from petition_case pc where pc.household_id = h.id and pc.status in (${OPEN_CASE_STATUSES.map(() => '?').join(', ')})) as has_open_case,
            (select count(*) from demand d where d.household_id = h.id and d.status in (${OPEN_DEMAND_STATUSES.map(() => '?').join(', ')})) as open_demands
       from assignment a
       join household h on h.id = a.household_id
       join region r on r.id = h.region_id
      where ${conditions.join(' and ')}`,
    [...OPEN_CASE_STATUSES, ...OPEN_DEMAND_STATUSES, ...params],
  );
  const households = rows.map((row): MyHousehold => {
    const flags = {
      isHardship: Boolean(Number(row.is_hardship)),
      isKeyFocus: Boolean(Number(row.is_key_focus)),
      isPetitioner: Boolean(Number(row.is_petitioner)),
    };
    const lastVisitAt = row.last_visit_at == null ? null : toDate(row.last_visit_at);
    const schedule = visitSchedule(
      { ...flags, hasOpenPetitionCase: Boolean(Number(row.has_open_case)), lastVisitAt, assignedAt: toDate(row.started_at) },
      config.visitIntervals,
      now,
    );
    return {
      id: Number(row.id),
      headName: row.head_name,
      address: row.address,
      regionName: row.region_name,
      targetGroups: [
        ...(flags.isHardship ? [TargetGroup.HARDSHIP] : []),
        ...(flags.isKeyFocus ? [TargetGroup.KEY_FOCUS] : []),
        ...(flags.isPetitioner ? [TargetGroup.PETITIONER] : []),
      ],
      assignmentKind: row.kind,
      lastVisitAt,
      daysSinceLastVisit: schedule.daysSinceLastVisit,
      visitIntervalDays: schedule.intervalDays,
      nextVisitDueAt: schedule.dueAt,
      visitOverdue: schedule.overdue,
      openDemandCount: Number(row.open_demands),
    };
  });
  const filtered = filter.overdueOnly ? households.filter((row) => row.visitOverdue) : households;
  return filtered.sort((a, b) => a.nextVisitDueAt.getTime() - b.nextVisitDueAt.getTime() || a.id - b.id);
}

type TotalsRow = Record<`${'month' | 'round'}_${'visits' | 'funds' | 'materials' | 'problems'}`, number | string | null>;

/**
 * This month's and this round's totals of the cadre's latest versions in one pass over the cadre's
 * records (the (cadre, occurred) index): each sum counts its own share, as the two statements it replaces did.
 */
async function monthAndRoundTotals(em: Em, cadre: number, monthStart: Date, roundId: number): Promise<{ thisMonth: HelpTotals; thisRound: HelpTotals }> {
  // The database's own form of the instant (epoch milliseconds on SQLite), as a query on the entity would bind it.
  const since = em.getPlatform().processDateProperty(monthStart);
  const inMonth = 'r.occurred_at >= ?';
  const inRound = 'r.round_id = ?';
  const [row] = await em
    .createQueryBuilder(HelpRecord, 'r')
    .select([
      raw(`count(case when ${inMonth} then 1 end) as month_visits`, [since]),
      raw(`sum(case when ${inMonth} then r.funds_fen end) as month_funds`, [since]),
      raw(`sum(case when ${inMonth} then r.materials_fen end) as month_materials`, [since]),
      raw(`sum(case when ${inMonth} then r.problems_solved end) as month_problems`, [since]),
      raw(`count(case when ${inRound} then 1 end) as round_visits`, [roundId]),
      raw(`sum(case when ${inRound} then r.funds_fen end) as round_funds`, [roundId]),
      raw(`sum(case when ${inRound} then r.materials_fen end) as round_materials`, [roundId]),
      raw(`sum(case when ${inRound} then r.problems_solved end) as round_problems`, [roundId]),
    ])
    .where({ cadre, isLatest: true, $or: [{ occurredAt: { $gte: monthStart } }, { round: roundId }] })
    .execute<TotalsRow[]>('all', false);
  const of = (prefix: 'month' | 'round'): HelpTotals => ({
    visits: Number(row?.[`${prefix}_visits`] ?? 0),
    fundsFen: Number(row?.[`${prefix}_funds`] ?? 0),
    materialsFen: Number(row?.[`${prefix}_materials`] ?? 0),
    problemsSolved: Number(row?.[`${prefix}_problems`] ?? 0),
  });
  return { thisMonth: of('month'), thisRound: of('round') };
}

export const myWorkService = {
  async myHouseholds(
    em: Em,
    actor: Actor,
    config: AppConfig,
    filter: MyHouseholdFilter = {},
    page: PageArgs = {},
    now = new Date(),
  ): Promise<MyHouseholdConnection> {
    const rows = await scheduledHouseholds(em, actor, config, filter, now);
    let start = 0;
    if (page.after) {
      const [dueMs, id] = decodeCursor(page.after, 2).map(Number) as [number, number];
      start = rows.findIndex((row) => row.nextVisitDueAt.getTime() > dueMs || (row.nextVisitDueAt.getTime() === dueMs && row.id > id));
      if (start < 0) start = rows.length;
    }
    const size = pageSize(page);
    const nodes = rows.slice(start, start + size);
    const last = nodes[nodes.length - 1];
    return {
      nodes,
      totalCount: rows.length,
      pageInfo: { hasNextPage: start + size < rows.length, endCursor: last ? encodeCursor([last.nextVisitDueAt.getTime(), last.id]) : null },
    };
  },

  /** This month (Asia/Shanghai) and this round, counting only the latest version of each record. */
  /** `currentRound`: the request's read of the running round, shared with its currentRound field. */
  async myStats(
    em: Em,
    actor: Actor,
    config: AppConfig,
    roundId: number | null,
    now = new Date(),
    currentRound?: (day: string) => Promise<Round | null>,
  ): Promise<MyStats> {
    const cadre = cadreIdOf(actor, myWorkPolicy.mayRead, ONLY_CADRES_HAVE_WORK);
    const round = roundId ? await em.findOne(Round, roundId) : await roundService.currentOrLatest(em, shanghaiDate(now), currentRound);
    if (!round) throw new ForbiddenError();
    const monthStart = startOfShanghaiDay(`${shanghaiDate(now).slice(0, 8)}01`);
    const [{ thisMonth, thisRound }, households] = await Promise.all([
      monthAndRoundTotals(em, cadre, monthStart, round.id),
      scheduledHouseholds(em, actor, config, {}, now),
    ]);
    return { thisMonth, thisRound, households: households.length, householdsOverdue: households.filter((row) => row.visitOverdue).length };
  },
};
