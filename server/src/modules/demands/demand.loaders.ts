import DataLoader from 'dataloader';
import { DemandStatus, OPEN_DEMAND_STATUSES, SETTLED_DEMAND_STATUSES } from '@wanjia/shared';
import type { Actor } from '../../core/caller';
import { NOTHING } from '../../core/policy';
import type { Em } from '../../core/entity-manager';
import { DemandEvent } from './demand-event.entity';
import { Demand } from './demand.entity';
import { demandPolicy } from './demand.policy';

function groupBy<V>(keys: readonly number[], rows: V[], keyOf: (row: V) => number | undefined): V[][] {
  const groups = new Map<number, V[]>(keys.map((key) => [key, []]));
  for (const row of rows) {
    const key = keyOf(row);
    if (key !== undefined) groups.get(key)?.push(row);
  }
  return keys.map((key) => groups.get(key) ?? []);
}

/** How many recently closed demands a household's file shows beside the open ones. */
export const RECENT_CLOSED_DEMANDS = 10;

export function createDemandLoaders(em: Em, actor: Actor | null = null) {
  return {
    /**
     * Each demand's timeline, oldest first, for a whole level of demands in one statement (the
     * (demand, at) index). Scoped like the demands themselves, in SQL: a step is read only with a
     * demand the caller may read.
     */
    demandEventsByDemand: new DataLoader<number, DemandEvent[]>(async (demandIds) => {
      const rows = await em.find(
        DemandEvent,
        { demand: { $and: [{ id: { $in: [...demandIds] } }, actor ? demandPolicy.scope(actor) : NOTHING] } },
        { orderBy: [{ at: 'asc' }, { id: 'asc' }] },
      );
      return groupBy(demandIds, rows, (row) => row.demand.id);
    }),
    /** Demands a help record resolved that wait for the household's answer, newest resolution first. */
    awaitingConfirmationByHousehold: new DataLoader<number, Demand[]>(async (householdIds) => {
      const rows = await em.find(
        Demand,
        { household: { $in: [...householdIds] }, status: DemandStatus.RESOLVED },
        { orderBy: [{ resolvedAt: 'desc' }, { id: 'desc' }] },
      );
      return groupBy(householdIds, rows, (row) => row.household.id);
    }),
    demandsRaisedIn: new DataLoader<number, Demand[]>(async (recordIds) => {
      const rows = await em.find(Demand, { raisedIn: { $in: [...recordIds] } }, { orderBy: { id: 'asc' } });
      return groupBy(recordIds, rows, (row) => row.raisedIn?.id);
    }),
    demandsResolvedBy: new DataLoader<number, Demand[]>(async (recordIds) => {
      const rows = await em.find(Demand, { resolvedBy: { $in: [...recordIds] } }, { orderBy: { id: 'asc' } });
      return groupBy(recordIds, rows, (row) => row.resolvedBy?.id);
    }),
    openDemandsByHousehold: new DataLoader<number, Demand[]>(async (householdIds) => {
      const rows = await em.find(
        Demand,
        { household: { $in: [...householdIds] }, status: { $in: [...OPEN_DEMAND_STATUSES] } },
        { orderBy: { raisedAt: 'desc' } },
      );
      return groupBy(householdIds, rows, (row) => row.household.id);
    }),
    /**
     * The last RECENT_CLOSED_DEMANDS resolved or confirmed demands of each household, for all the
     * households of a level in two statements: the ids by a window over each household's closed demands
     * (MariaDB 10.2+ and SQLite 3.25+ have ROW_NUMBER), then the rows. It ran one query per household.
     */
    recentClosedDemandsByHousehold: new DataLoader<number, Demand[]>(async (householdIds) => {
      const ranked = await em.execute<{ id: number }[]>(
        `select id from (
           select id, row_number() over (partition by household_id order by resolved_at desc, id desc) as position
           from demand where household_id in (${householdIds.map(() => '?').join(', ')}) and status in (${SETTLED_DEMAND_STATUSES.map(() => '?').join(', ')})
         ) ranked where position <= ?`,
        [...householdIds, ...SETTLED_DEMAND_STATUSES, RECENT_CLOSED_DEMANDS],
      );
      const rows = ranked.length === 0 ? [] : await em.find(Demand, { id: { $in: ranked.map((row) => Number(row.id)) } });
      // Newest resolution first, as the resolver served them (a missing resolvedAt sorts last, as in SQL's desc).
      rows.sort((a, b) => (b.resolvedAt?.getTime() ?? -Infinity) - (a.resolvedAt?.getTime() ?? -Infinity) || b.id - a.id);
      return groupBy(householdIds, rows, (row) => row.household.id);
    }),
  };
}
