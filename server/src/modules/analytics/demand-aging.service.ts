import { OPEN_DEMAND_STATUSES, OPEN_REFERRAL_STATUSES } from '@wanjia/shared';
import type { Actor } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { assertAllowed } from '../../core/policy';
import { likeStartingWith } from '../../core/sql-like';
import { DAY_MS } from '../../core/time';
import { resolveSlice } from './analytics-slice.service';
import { Dialect, sqlStringList } from './analytics.dialect';
import type { RegionArgs } from './analytics.inputs';
import { analyticsPolicy } from './analytics.policy';
import type { DemandAging } from './analytics.types';

/** The age bands, in whole days since a demand was raised (the last is open-ended). */
const BANDS = [
  { label: '7天以内', minDays: 0, maxDays: 7 },
  { label: '8至30天', minDays: 8, maxDays: 30 },
  { label: '31至90天', minDays: 31, maxDays: 90 },
  { label: '90天以上', minDays: 91, maxDays: null },
] as const;

export const demandAgingService = {
  /** Open demands of the subtree by days since they were raised, with how many are past due. One statement. */
  async aging(em: Em, actor: Actor, args: RegionArgs, now = new Date()): Promise<Omit<DemandAging, 'freshness'>> {
    assertAllowed(analyticsPolicy.mayReadLists(actor));
    const slice = await resolveSlice(em, actor, { regionId: args.regionId }, now);
    const dialect = new Dialect(em);
    // Age in whole days: raised at most maxDays + 1 days ago (exclusive) and at least minDays ago.
    // Past the effective due date: the open referral's dueOn while one is open, else the demand's (issue 15).
    const due = `coalesce((select min(er.due_on) from demand_referral er where er.demand_id = d.id and er.status in (${sqlStringList(OPEN_REFERRAL_STATUSES)})), d.due_on)`;
    const ago = (days: number) => dialect.instant(new Date(now.getTime() - days * DAY_MS));
    const columns: string[] = [];
    const params: unknown[] = [];
    BANDS.forEach((band, index) => {
      const inBand = `d.raised_at <= ?${band.maxDays !== null ? ' and d.raised_at > ?' : ''}`;
      const bandParams = [ago(band.minDays), ...(band.maxDays !== null ? [ago(band.maxDays + 1)] : [])];
      columns.push(
        `sum(case when ${inBand} then 1 else 0 end) as open${index}`,
        `sum(case when ${inBand} and ${due} < ? then 1 else 0 end) as overdue${index}`,
      );
      params.push(...bandParams, ...bandParams, slice.today);
    });
    const [row] = await em.getConnection('read').execute<Record<string, number | string | null>[]>(
      `select count(*) as open_total, sum(case when ${due} < ? then 1 else 0 end) as overdue_total, ${columns.join(', ')}
         from demand d join household ho on ho.id = d.household_id join region r on r.id = ho.region_id
        where r.path like ? and d.status in (${sqlStringList(OPEN_DEMAND_STATUSES)})`,
      [slice.today, ...params, likeStartingWith(slice.regionPath)],
    );
    return {
      open: Number(row?.open_total ?? 0),
      overdue: Number(row?.overdue_total ?? 0),
      bands: BANDS.map((band, index) => ({ ...band, open: Number(row?.[`open${index}`] ?? 0), overdue: Number(row?.[`overdue${index}`] ?? 0) })),
    };
  },
};
