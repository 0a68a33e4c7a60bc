import { HouseholdStatus } from '@wanjia/shared';
import type { Actor } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { assertAllowed } from '../../core/policy';
import { likeStartingWith } from '../../core/sql-like';
import { TARGET_GROUP_COLUMN } from '../../core/target-groups';
import { Region } from '../regions/region.entity';
import { resolveSlice } from './analytics-slice.service';
import type { RegionArgs } from './analytics.inputs';
import { analyticsPolicy } from './analytics.policy';
import type { Slice } from './analytics.slice';
import type { CoverageGaps } from './analytics.types';

/**
 * Coverage gaps: active households in a target group with no active assignment. `from`/`where` over
 * `household ho ⋈ region r`, for the subtree (`r.path like ?`) and active status (the parameters of
 * `unassignedParams`).
 */
function unassignedFrom(): string {
  const anyGroup = Object.values(TARGET_GROUP_COLUMN)
    .map((column) => `ho.${column} = 1`)
    .join(' or ');
  return `from household ho join region r on r.id = ho.region_id
   where r.path like ? and ho.status = ? and (${anyGroup})
     and not exists (select 1 from assignment a where a.household_id = ho.id and a.ended_at is null)`;
}

function unassignedParams(slice: Slice): unknown[] {
  return [likeStartingWith(slice.regionPath), HouseholdStatus.ACTIVE];
}

export const coverageGapsService = {
  /** The subtree's unassigned households per village or community, most first. */
  async list(em: Em, actor: Actor, args: RegionArgs, now = new Date()): Promise<Omit<CoverageGaps, 'freshness'>> {
    assertAllowed(analyticsPolicy.mayReadLists(actor));
    const slice = await resolveSlice(em, actor, { regionId: args.regionId }, now);
    const rows = await em
      .getConnection('read')
      .execute<{ region_id: number; n: number | string; hardship: number | string; key_focus: number | string; petitioner: number | string }[]>(
        `select ho.region_id, count(*) as n, sum(ho.is_hardship) as hardship, sum(ho.is_key_focus) as key_focus, sum(ho.is_petitioner) as petitioner
         ${unassignedFrom()}
        group by ho.region_id`,
        unassignedParams(slice),
      );
    const regions = new Map(
      (await em.find(Region, { id: { $in: rows.map((row) => Number(row.region_id)) } }, { connectionType: 'read' })).map((region) => [region.id, region]),
    );
    const gaps = rows
      .map((row) => ({
        region: regions.get(Number(row.region_id))!,
        households: Number(row.n),
        hardship: Number(row.hardship),
        keyFocus: Number(row.key_focus),
        petitioner: Number(row.petitioner),
      }))
      .sort((a, b) => b.households - a.households || a.region.code.localeCompare(b.region.code));
    return { households: gaps.reduce((sum, gap) => sum + gap.households, 0), regions: gaps };
  },

  /** The UNASSIGNED_HOUSEHOLDS drill-down: the households a page at a time (keyset on the id), and how many. */
  async unassignedHouseholdIds(em: Em, slice: Slice, afterId: number | null, limit: number): Promise<{ ids: number[]; total: number }> {
    const group = slice.targetGroup ? ` and ho.${TARGET_GROUP_COLUMN[slice.targetGroup]} = 1` : '';
    const [count] = await em
      .getConnection('read')
      .execute<{ n: number | string }[]>(`select count(*) as n ${unassignedFrom()}${group}`, unassignedParams(slice));
    const rows = await em
      .getConnection('read')
      .execute<{ id: number }[]>(`select ho.id ${unassignedFrom()}${group}${afterId !== null ? ' and ho.id > ?' : ''} order by ho.id limit ?`, [
        ...unassignedParams(slice),
        ...(afterId !== null ? [afterId] : []),
        limit,
      ]);
    return { ids: rows.map((row) => Number(row.id)), total: Number(count?.n ?? 0) };
  },
};
