import type { FilterQuery } from '@mikro-orm/core';
import { isAdmin, isRootAdmin, isStaff, pathInScope, type Actor } from '../../core/caller';
import { NOTHING, type ScopedPolicy } from '../../core/policy';
import { regionSubtree } from '../../core/region-scope';
import { householdPolicy } from '../households/household.policy';
import type { DemandEscalation } from './demand-escalation.entity';

/**
 * 督办: who reads the escalations of lapsed demands, who instructs (督办批示) on them, and who sets the
 * time limits (时限) and the ladder (督办层级).
 *
 * - An escalation is read by staff whose subtree contains BOTH its target region (the rung's level is
 *   theirs or below) AND the demand's household (the demand is theirs to read, nested fields included).
 *   A UNIT rung whose cadre's unit sits in another subtree than the household (a cross pairing) is
 *   therefore read from the level that contains both, never by staff who may not read the household.
 * - An instruction: administrators under the same two conditions, for a demand with an open escalation.
 * - Deadlines and rungs: every staff member reads them (they explain the lists); only the city's
 *   administrators change them, since one ladder and one set of time limits serve the whole city.
 */
export const supervisionPolicy = {
  /** Open or settled escalations this caller may read, as a condition in SQL. */
  scope(actor: Actor): FilterQuery<DemandEscalation> {
    if (!isStaff(actor)) return NOTHING;
    return { targetRegion: regionSubtree(actor), demand: { household: householdPolicy.scope(actor) } };
  },

  mayReadSupervision(actor: Actor): boolean {
    return isStaff(actor);
  },

  /**
   * 督办批示: an administrator whose subtree holds the household and the target region of one of the
   * demand's open escalations. `targetRegionPaths`: the open escalations' target regions.
   */
  mayInstruct(actor: Actor, facts: { householdRegionPath: string; targetRegionPaths: readonly string[] }): boolean {
    return isAdmin(actor) && pathInScope(actor, facts.householdRegionPath) && facts.targetRegionPaths.some((path) => pathInScope(actor, path));
  },

  /** The time limits and the ladder: read by all staff. */
  mayReadLadder(actor: Actor): boolean {
    return isStaff(actor);
  },

  /** Changing a category's time limits or a rung: the city's administrators only. */
  mayManageLadder(actor: Actor): boolean {
    return isRootAdmin(actor);
  },
} satisfies ScopedPolicy<DemandEscalation>;
