import { HOUSEHOLD_REGION_LEVELS, HouseholdStatus, Role, type RegionLevel } from '@wanjia/shared';
import type { StaffActor } from '../../core/caller';
import type { AssignmentFacts, CadreFacts } from './bulk-run.facts';
import type { BulkRun } from './bulk-run.entity';
import { BulkRunSkipReason } from './bulk-run.enums';
import { bulkRunPolicy } from './bulk-run.policy';

/**
 * The verdicts, the same at plan time and at run time (the world may have changed in between): pure
 * functions of the facts the batch read. The order of the checks is the order an office would ask in:
 * is the household still helped, is the cadre still there, may we link them, is it done already, is
 * there room.
 */

/** Why a household that is not ACTIVE is not carried (its status as the reason). */
export function householdStandingReason(status: HouseholdStatus): BulkRunSkipReason | null {
  switch (status) {
    case HouseholdStatus.ACTIVE:
      return null;
    case HouseholdStatus.LIFTED:
      return BulkRunSkipReason.HOUSEHOLD_LIFTED;
    case HouseholdStatus.MOVED_AWAY:
      return BulkRunSkipReason.HOUSEHOLD_MOVED_AWAY;
    case HouseholdStatus.CLOSED:
      return BulkRunSkipReason.HOUSEHOLD_CLOSED;
  }
}

/**
 * Free places per cadre, taken one by one as items are decided in id order: the first households of
 * a cadre over capacity are carried, the rest skipped.
 */
export class CapacityLedger {
  private readonly free = new Map<number, number>();

  has(cadreId: number): boolean {
    return this.free.has(cadreId);
  }

  set(cadreId: number, free: number): void {
    this.free.set(cadreId, free);
  }

  room(cadreId: number): number {
    return this.free.get(cadreId) ?? 0;
  }

  take(cadreId: number): boolean {
    const left = this.room(cadreId);
    if (left <= 0) return false;
    this.free.set(cadreId, left - 1);
    return true;
  }
}

/**
 * A rollover's assignment: carried to the same cadre in the new round unless the household is no
 * longer helped, the cadre is deactivated or out of reach, the household already has a cadre in the
 * new round, or the cadre's new-round households would pass their capacity. Takes a place on success.
 */
export function carryAssignmentVerdict(
  actor: StaffActor,
  assignment: AssignmentFacts,
  facts: { alreadyCarried: boolean; ledger: CapacityLedger },
): BulkRunSkipReason | null {
  const standing = householdStandingReason(assignment.householdStatus);
  if (standing) return standing;
  if (!assignment.cadreActive) return BulkRunSkipReason.CADRE_INACTIVE;
  if (!bulkRunPolicy.mayPairCadre(actor, { cadreUnitRegionPath: assignment.cadreUnitPath, householdRegionPath: assignment.householdPath })) {
    return BulkRunSkipReason.CADRE_OUT_OF_REACH;
  }
  if (facts.alreadyCarried) return BulkRunSkipReason.ALREADY_CARRIED;
  if (!facts.ledger.take(assignment.cadreId)) return BulkRunSkipReason.CADRE_OVER_CAPACITY;
  return null;
}

/**
 * A reassignment's household: the transfer's rules (transferAssignment), for a receiving cadre named
 * or chosen: not the cadre it is with, an active cadre in reach, with room. Takes a place on success.
 */
export function moveVerdict(actor: StaffActor, assignment: AssignmentFacts, target: CadreFacts, ledger: CapacityLedger): BulkRunSkipReason | null {
  if (assignment.cadreId === target.id) return BulkRunSkipReason.ALREADY_WITH_CADRE;
  if (!target.active) return BulkRunSkipReason.CADRE_INACTIVE;
  if (!bulkRunPolicy.mayPairCadre(actor, { cadreUnitRegionPath: target.unitPath, householdRegionPath: assignment.householdPath })) {
    return BulkRunSkipReason.CADRE_OUT_OF_REACH;
  }
  if (!ledger.take(target.id)) return BulkRunSkipReason.CADRE_OVER_CAPACITY;
  return null;
}

/** A rollover's pairing: carried unless its place is no longer a village or community, its unit is out of reach, or the new round has it. */
export function carryPairingVerdict(
  actor: StaffActor,
  pairing: { placeLevel: RegionLevel; placePath: string; unitPath: string },
  alreadyCarried: boolean,
): BulkRunSkipReason | null {
  if (!HOUSEHOLD_REGION_LEVELS.includes(pairing.placeLevel)) return BulkRunSkipReason.PLACE_NOT_VILLAGE;
  if (!bulkRunPolicy.mayCarryPairing(actor, { unitRegionPath: pairing.unitPath, regionPath: pairing.placePath })) return BulkRunSkipReason.UNIT_OUT_OF_REACH;
  if (alreadyCarried) return BulkRunSkipReason.ALREADY_CARRIED;
  return null;
}

/**
 * The reach a run's items are checked with while it runs: the plan's (its planner's scope root then),
 * since the instance that resumes a run has no signed-in caller. An administrator's actor for the
 * path rules only (`scopeRegionId` is the run's region, never used for a lookup).
 */
export function runActor(run: Pick<BulkRun, 'scopePath' | 'region' | 'plannedBy'>): StaffActor {
  return { accountId: run.plannedBy.id, role: Role.ADMIN, scopePath: run.scopePath, scopeRegionId: run.region.id, cadreId: null };
}
