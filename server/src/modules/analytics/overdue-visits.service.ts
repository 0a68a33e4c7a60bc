import { HouseholdStatus, OPEN_CASE_STATUSES, TargetGroup } from '@wanjia/shared';
import type { VisitIntervals } from '../../config';
import type { Actor } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { decodeCursor, encodeCursor, pageSize, type PageArgs } from '../../core/pagination';
import { assertAllowed } from '../../core/policy';
import { likeStartingWith } from '../../core/sql-like';
import { inTargetGroupSql } from '../../core/target-groups';
import { DAY_MS, toDate } from '../../core/time';
import { Cadre } from '../cadres/cadre.entity';
import { visitSchedule } from '../my-work/visit-schedule';
import { resolveSlice } from './analytics-slice.service';
import { Dialect, sqlStringList, type SqlInstant as Instant } from './analytics.dialect';
import type { RegionArgs } from './analytics.inputs';
import { analyticsPolicy } from './analytics.policy';
import type { OverdueVisitConnection } from './analytics.types';

interface OverdueRow {
  id: number;
  head_name: string;
  region_name: string;
  last_visit_at: Instant | null;
  started_at: Instant;
  cadre_id: number;
  is_hardship: number | boolean;
  is_key_focus: number | boolean;
  is_petitioner: number | boolean;
  has_open_case: number | boolean | string;
  due_at: Instant;
}

/**
 * The day a visit falls due, in SQL: the last visit (or the assignment's start) plus the shortest
 * interval that applies to the household's groups (the visit rule of my-work's visitSchedule), so
 * that the list can run most overdue first across the subtree. `openCase`: the household has an open
 * petition case (a petitioner's interval applies only then).
 */
function dueAtSql(dialect: Dialect, intervals: VisitIntervals, openCase: string): string {
  const classes = [
    { condition: inTargetGroupSql('ho', TargetGroup.HARDSHIP), days: intervals.hardship },
    { condition: inTargetGroupSql('ho', TargetGroup.KEY_FOCUS), days: intervals.keyFocus },
    { condition: `${inTargetGroupSql('ho', TargetGroup.PETITIONER)} and ${openCase}`, days: intervals.petitioner },
  ].sort((a, b) => a.days - b.days);
  const intervalDays = `(case ${classes.map((entry) => `when ${entry.condition} then ${Math.trunc(entry.days)}`).join(' ')} else ${Math.trunc(intervals.hardship)} end)`;
  const base = 'coalesce(ho.last_visit_at, a.started_at)';
  return dialect.mysql ? `date_add(${base}, interval ${intervalDays} day)` : `(${base} + ${intervalDays} * ${DAY_MS})`;
}

export const overdueVisitsService = {
  /**
   * Households with an active assignment whose next visit is past due by the visit rule (the shortest
   * interval of the household's groups), most overdue first. One statement for the page, one for the count.
   */
  async list(
    em: Em,
    actor: Actor,
    intervals: VisitIntervals,
    args: RegionArgs,
    page: PageArgs,
    now = new Date(),
  ): Promise<Omit<OverdueVisitConnection, 'freshness'>> {
    assertAllowed(analyticsPolicy.mayReadLists(actor));
    const slice = await resolveSlice(em, actor, { regionId: args.regionId }, now);
    const dialect = new Dialect(em);
    const openCase = `exists (select 1 from petition_case pc where pc.household_id = ho.id and pc.status in (${sqlStringList(OPEN_CASE_STATUSES)}))`;
    const inner = `select ho.id, ho.head_name, r.name as region_name, ho.last_visit_at, a.started_at, a.cadre_id, ho.is_hardship, ho.is_key_focus, ho.is_petitioner,
              ${openCase} as has_open_case, ${dueAtSql(dialect, intervals, openCase)} as due_at
         from household ho
         join region r on r.id = ho.region_id
         join assignment a on a.id = (select min(a2.id) from assignment a2 where a2.household_id = ho.id and a2.ended_at is null)
        where r.path like ? and ho.status = ?`;
    const params: unknown[] = [likeStartingWith(slice.regionPath), HouseholdStatus.ACTIVE, dialect.instant(now)];
    const size = pageSize(page);
    const after = page.after ? (decodeCursor(page.after, 2) as [number, number]) : null;
    const [count] = await em.getConnection('read').execute<{ n: number | string }[]>(`select count(*) as n from (${inner}) t where t.due_at < ?`, params);
    const keyset = after ? ' and (t.due_at > ? or (t.due_at = ? and t.id > ?))' : '';
    const afterParams = after ? [dialect.instant(new Date(after[0])), dialect.instant(new Date(after[0])), after[1]] : [];
    const rows = await em
      .getConnection('read')
      .execute<OverdueRow[]>(`select t.* from (${inner}) t where t.due_at < ?${keyset} order by t.due_at, t.id limit ?`, [...params, ...afterParams, size + 1]);
    const pageRows = rows.slice(0, size);
    const cadres = new Map(
      (await em.find(Cadre, { id: { $in: pageRows.map((row) => Number(row.cadre_id)) } }, { connectionType: 'read' })).map((cadre) => [cadre.id, cadre]),
    );
    const nodes = pageRows.map((row) => {
      const lastVisitAt = row.last_visit_at == null ? null : toDate(row.last_visit_at);
      const schedule = visitSchedule(
        {
          isHardship: Boolean(Number(row.is_hardship)),
          isKeyFocus: Boolean(Number(row.is_key_focus)),
          isPetitioner: Boolean(Number(row.is_petitioner)),
          hasOpenPetitionCase: Boolean(Number(row.has_open_case)),
          lastVisitAt,
          assignedAt: toDate(row.started_at),
        },
        intervals,
        now,
      );
      return {
        householdId: Number(row.id),
        headName: row.head_name,
        regionName: row.region_name,
        cadre: cadres.get(Number(row.cadre_id))!,
        lastVisitAt,
        dueAt: schedule.dueAt,
        daysOverdue: Math.floor((now.getTime() - schedule.dueAt.getTime()) / DAY_MS),
      };
    });
    const last = pageRows[pageRows.length - 1];
    return {
      nodes,
      totalCount: Number(count?.n ?? 0),
      hasNextPage: rows.length > size,
      endCursor: last ? encodeCursor([toDate(last.due_at).getTime(), Number(last.id)]) : null,
    };
  },
};
