import type { FilterQuery } from '@mikro-orm/core';
import { RecordList, Role } from '@wanjia/shared';
import { isStaff, type Actor, type StaffActor } from '../../core/caller';
import { NOTHING, type ScopedPolicy } from '../../core/policy';
import { regionSubtree } from '../../core/region-scope';
import type { Region } from '../regions/region.entity';

/** The lists of an import's problems: the importers' own work, which only administrators do (imports policy). */
const ADMIN_LISTS: ReadonlySet<RecordList> = new Set([RecordList.IMPORT_PROBLEMS]);

/**
 * Who may export which record list: who may read those rows over GraphQL.
 *
 * - Administrators and analysts, each within their region subtree (属地管理), export the lists of
 *   households, demands and caseloads: the rows that overdueVisits, demands, assignments and the
 *   analytics drill-downs answer them. Every row is read under the region's path, so the region is
 *   what the scope guards (like the analytics policy).
 * - IMPORT_PROBLEMS: administrators only, as dataImport answers (the imports service checks the import's
 *   scope itself and answers FORBIDDEN as dataImport would).
 * - Cadres export nothing. Their caseload is the mini-program's (myHouseholds), with the households'
 *   phones in full, which a file on a phone would carry out of the app to wherever files go; the lists
 *   are for the offices, whose role sees the phones masked.
 */
export const recordListPolicy = {
  /** The regions whose rows the caller may export: their own subtree; nothing for anyone else. */
  scope(actor: Actor): FilterQuery<Region> {
    return isStaff(actor) ? regionSubtree(actor) : NOTHING;
  },

  /** Exporting and downloading one list (always audited). */
  mayExport(actor: Actor, list: RecordList): actor is StaffActor {
    if (!isStaff(actor)) return false;
    return ADMIN_LISTS.has(list) ? actor.role === Role.ADMIN : actor.role === Role.ADMIN || actor.role === Role.ANALYST;
  },
} satisfies ScopedPolicy<Region>;
