import DataLoader from 'dataloader';
import { OPEN_DEMAND_STATUSES } from '@wanjia/shared';
import type { Em } from '../../db/orm';
import { Demand } from './demand.entity';

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

export function createDemandLoaders(em: Em) {
  return {
    demandsRaisedIn: new DataLoader<number, Demand[]>(async (recordIds) => {
      const rows = await em.find(Demand, { raisedIn: { $in: [...recordIds] } }, { orderBy: { id: 'asc' } });
      return groupBy(recordIds, rows, (row) => row.raisedIn?.id);
    }),
    demandsResolvedBy: new DataLoader<number, Demand[]>(async (recordIds) => {
      const rows = await em.find(Demand, { resolvedBy: { $in: [...recordIds] } }, { orderBy: { id: 'asc' } });
      return groupBy(recordIds, rows, (row) => row.resolvedBy?.id);
    }),
    openDemandsByHousehold: new DataLoader<number, Demand[]>(async (householdIds) => {
      const rows = await em.find(Demand, { household: { $in: [...householdIds] }, status: { $in: [...OPEN_DEMAND_STATUSES] } }, { orderBy: { raisedAt: 'desc' } });
      return groupBy(householdIds, rows, (row) => row.household.id);
    }),
  };
}
