import type { FilterQuery } from '@mikro-orm/core';
import { isAdmin, pathInScope, type Actor } from '../../core/caller';
import type { ScopedPolicy } from '../../core/policy';
import { mayLinkAcross } from '../../core/region-scope';
import { householdPolicy } from '../households/household.policy';
import type { Assignment } from './assignment.entity';

/**
 * 联系帮扶: assignments are part of a household's file (its history across transfers), read with the
 * household and managed by the administrators of its subtree.
 */
export const assignmentPolicy = {
  /** The assignments, ended ones included, of the households this caller may read. */
  scope(actor: Actor): FilterQuery<Assignment> {
    return { household: householdPolicy.scope(actor) };
  },

  /** Transferring or ending an assignment: administrators, for a household of their subtree. */
  mayManage(actor: Actor, assignment: { householdRegionPath: string }): boolean {
    return isAdmin(actor) && pathInScope(actor, assignment.householdRegionPath);
  },

  /**
   * Pairing a cadre with a household (a new assignment or a transfer's): an administrator of the
   * household's subtree, with a cadre whose unit sits in that subtree or above the household (a city
   * agency's cadre for a district's village).
   */
  mayPair(actor: Actor, facts: { cadreUnitRegionPath: string; householdRegionPath: string }): boolean {
    return isAdmin(actor) && mayLinkAcross(actor, facts.cadreUnitRegionPath, facts.householdRegionPath);
  },
} satisfies ScopedPolicy<Assignment>;
