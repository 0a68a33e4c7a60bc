import type { FilterQuery } from '@mikro-orm/core';
import { isAdmin, pathInScope, type Actor } from '../../core/caller';
import { NOTHING, type ScopedPolicy } from '../../core/policy';
import { pathSubtree } from '../../core/region-scope';
import { assignmentPolicy } from '../assignments/assignment.policy';
import { unitPairingPolicy } from '../unit-pairings/unit-pairing.policy';
import type { BulkRun } from './bulk-run.entity';

/**
 * Bulk runs are administrators' work on their own subtree (属地管理): a run belongs to the region it
 * acts in, and the administrators over that region read, start and cancel it; analysts and cadres
 * never reach one. What a run may carry or move is decided per item by the same rules as the single
 * operations (unit pairing's `mayStart`, assignment's `mayPair`), so a district administrator's run
 * never links another district's unit or cadre.
 */
export const bulkRunPolicy = {
  /** The runs acting in the administrator's subtree (bulk_run.region_path, one index range). */
  scope(actor: Actor): FilterQuery<BulkRun> {
    if (!isAdmin(actor)) return NOTHING;
    return { regionPath: pathSubtree(actor) };
  },

  /** Planning, reading, starting and cancelling: administrators whose subtree holds the run's region. */
  mayManage(actor: Actor, run: { regionPath: string }): boolean {
    return isAdmin(actor) && pathInScope(actor, run.regionPath);
  },

  /**
   * A unit or cadre named in the input (a rollover's unit, a reassignment's source or receiving cadre):
   * one of the subtree, or above it (a city agency working in a district), as the single operations allow.
   */
  mayName(actor: Actor, named: { unitRegionPath: string }): boolean {
    return isAdmin(actor) && (pathInScope(actor, named.unitRegionPath) || actor.scopePath.startsWith(named.unitRegionPath));
  },

  /** Carrying a pairing into the new round: the rule of startUnitPairing. */
  mayCarryPairing(actor: Actor, pairing: { unitRegionPath: string; regionPath: string }): boolean {
    return unitPairingPolicy.mayStart(actor, pairing);
  },

  /** Carrying or moving a household to a cadre: the rule of assignCadre and transferAssignment. */
  mayPairCadre(actor: Actor, facts: { cadreUnitRegionPath: string; householdRegionPath: string }): boolean {
    return assignmentPolicy.mayPair(actor, facts);
  },
} satisfies ScopedPolicy<BulkRun>;
