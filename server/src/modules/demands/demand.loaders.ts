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

const OPEN_STATUSES: ReadonlySet<DemandStatus> = new Set(OPEN_DEMAND_STATUSES);

export function createDemandLoaders(em: Em, actor: Actor | null = null) {
  /**
   * The household file's two lists of demands (open, and resolved awaiting confirmation) in one
   * statement per batch: the file screen asks for both, and one read of the (household, status) index
   * costs less than two. Each list filters and orders its share.
   */
  const fileDemandsByHousehold = new DataLoader<number, Demand[]>(async (householdIds) => {
    const rows = await em.find(
      Demand,
      { household: { $in: [...householdIds] }, status: { $in: [...OPEN_DEMAND_STATUSES, DemandStatus.RESOLVED] } },
      { orderBy: { id: 'asc' } },
    );
    return groupBy(householdIds, rows, (row) => row.household.id);
  });
  /** The demands a page of help records raised or resolved, in one statement (two indexes, merged by the database). */
  const demandsOfRecords = new DataLoader<number, Demand[]>(async (recordIds) => {
    const ids = [...recordIds];
    const rows = await em.find(Demand, { $or: [{ raisedIn: { $in: ids } }, { resolvedBy: { $in: ids } }] }, { orderBy: { id: 'asc' } });
    const groups = new Map<number, Demand[]>(recordIds.map((id) => [id, []]));
    for (const row of rows) {
      const raisedIn = row.raisedIn?.id;
      const resolvedBy = row.resolvedBy?.id;
      if (raisedIn !== undefined) groups.get(raisedIn)?.push(row);
      if (resolvedBy !== undefined && resolvedBy !== raisedIn) groups.get(resolvedBy)?.push(row);
    }
    return recordIds.map((id) => groups.get(id) ?? []);
  });
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
    awaitingConfirmationByHousehold: {
      load: async (householdId: number): Promise<Demand[]> =>
        (await fileDemandsByHousehold.load(householdId))
          .filter((demand) => demand.status === DemandStatus.RESOLVED)
          .sort((a, b) => (b.resolvedAt?.getTime() ?? -Infinity) - (a.resolvedAt?.getTime() ?? -Infinity) || b.id - a.id),
    },
    demandsRaisedIn: {
      load: async (recordId: number): Promise<Demand[]> => (await demandsOfRecords.load(recordId)).filter((demand) => demand.raisedIn?.id === recordId),
    },
    demandsResolvedBy: {
      load: async (recordId: number): Promise<Demand[]> => (await demandsOfRecords.load(recordId)).filter((demand) => demand.resolvedBy?.id === recordId),
    },
    /** Demands still open, newest raised first. */
    openDemandsByHousehold: {
      load: async (householdId: number): Promise<Demand[]> =>
        (await fileDemandsByHousehold.load(householdId))
          .filter((demand) => OPEN_STATUSES.has(demand.status))
          .sort((a, b) => b.raisedAt.getTime() - a.raisedAt.getTime()),
    },
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
