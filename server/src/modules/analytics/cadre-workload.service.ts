import type { Actor } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { assertAllowed } from '../../core/policy';
import { likeStartingWith } from '../../core/sql-like';
import { resolveSlice } from './analytics-slice.service';
import type { RegionArgs } from './analytics.inputs';
import { analyticsPolicy } from './analytics.policy';
import type { Slice } from './analytics.slice';
import type { CadreWorkload } from './analytics.types';

/** Active cadres of units in the subtree (`r.path like ?`) with their active households and capacity. */
function cadreLoadSql(): string {
  return `select c.id, c.household_capacity as capacity, count(a.id) as households
            from cadre c
            join unit u on u.id = c.unit_id
            join region r on r.id = u.region_id
            left join assignment a on a.cadre_id = c.id and a.ended_at is null
           where r.path like ? and c.active = 1
           group by c.id, c.household_capacity`;
}

export const cadreWorkloadService = {
  /** Active cadres of the units in the subtree: how many households each looks after now. */
  async workload(em: Em, actor: Actor, args: RegionArgs, now = new Date()): Promise<Omit<CadreWorkload, 'freshness'>> {
    assertAllowed(analyticsPolicy.mayReadLists(actor));
    const slice = await resolveSlice(em, actor, { regionId: args.regionId }, now);
    const rows = await em.getConnection('read').execute<{ households: number | string; cadres: number | string; over_capacity: number | string }[]>(
      `select t.households, count(*) as cadres, sum(case when t.households > t.capacity then 1 else 0 end) as over_capacity
         from (${cadreLoadSql()}) t
        group by t.households
        order by t.households`,
      [likeStartingWith(slice.regionPath)],
    );
    const distribution = rows.map((row) => ({ households: Number(row.households), cadres: Number(row.cadres) }));
    const cadres = distribution.reduce((sum, bucket) => sum + bucket.cadres, 0);
    const activeAssignments = distribution.reduce((sum, bucket) => sum + bucket.households * bucket.cadres, 0);
    return {
      cadres,
      activeAssignments,
      householdsPerCadre: cadres === 0 ? 0 : Math.round((activeAssignments / cadres) * 100) / 100,
      distribution,
      overCapacity: rows.reduce((sum, row) => sum + Number(row.over_capacity), 0),
    };
  },

  /** The CADRES_OVER_CAPACITY drill-down: the cadres a page at a time (keyset on the id), and how many. */
  async overCapacityCadreIds(em: Em, slice: Slice, afterId: number | null, limit: number): Promise<{ ids: number[]; total: number }> {
    const over = `from (${cadreLoadSql()}) t where t.households > t.capacity`;
    const params = [likeStartingWith(slice.regionPath)];
    const [count] = await em.getConnection('read').execute<{ n: number | string }[]>(`select count(*) as n ${over}`, params);
    const rows = await em
      .getConnection('read')
      .execute<{ id: number }[]>(`select t.id ${over}${afterId !== null ? ' and t.id > ?' : ''} order by t.id limit ?`, [
        ...params,
        ...(afterId !== null ? [afterId] : []),
        limit,
      ]);
    return { ids: rows.map((row) => Number(row.id)), total: Number(count?.n ?? 0) };
  },
};
