import type { FilterQuery } from '@mikro-orm/core';
import { Role } from '@wanjia/shared';
import { isStaff, type Actor, type StaffActor } from '../../core/caller';
import { NOTHING, type ScopedPolicy } from '../../core/policy';
import { regionSubtree } from '../../core/region-scope';
import type { Region } from '../regions/region.entity';

/** Administrators and analysts, each with a region subtree: the analysts' figures are theirs. */
function isFigureReader(actor: Actor): actor is StaffActor {
  return isStaff(actor) && (actor.role === Role.ADMIN || actor.role === Role.ANALYST);
}

/**
 * Who may read the campaign's figures, their drill-downs, the operational lists (coverage gaps,
 * overdue visits, cadre workload, demand aging) and the reports: administrators and analysts, each
 * within their own region subtree (属地管理). Cadres have their own figures (myStats) and none of these.
 * Every figure and list is computed for one region (the caller's scope root unless another is named),
 * and every statement reads under that region's path, so the region is the object the scope guards.
 */
export const analyticsPolicy = {
  /** The regions whose figures and lists the caller may read: their own subtree; nothing for anyone else. */
  scope(actor: Actor): FilterQuery<Region> {
    return isFigureReader(actor) ? regionSubtree(actor) : NOTHING;
  },

  /** The figure sheets (overview, breakdown) and the records behind each figure. */
  mayReadFigures(actor: Actor): actor is StaffActor {
    return isFigureReader(actor);
  },

  /** The operational lists: coverage gaps, overdue visits, cadre workload, demand aging. */
  mayReadLists(actor: Actor): actor is StaffActor {
    return isFigureReader(actor);
  },

  /** Preparing and downloading a report (always audited). */
  mayExportReport(actor: Actor): actor is StaffActor {
    return isFigureReader(actor);
  },
} satisfies ScopedPolicy<Region>;
