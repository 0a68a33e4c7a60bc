import type { FilterQuery } from '@mikro-orm/core';
import { Role } from '@wanjia/shared';
import { isAdmin, pathInScope, type Actor } from '../../core/caller';
import type { ScopedPolicy } from '../../core/policy';
import { mayLinkAcross } from '../../core/region-scope';
import { householdPolicy } from '../households/household.policy';
import type { PetitionCase } from './petition-case.entity';

/**
 * Petition cases (信访案件) belong to a household's file: whoever may read the household reads its
 * cases, administrators of its subtree manage them, and their details (title, demand, resolution)
 * are hidden from analysts (the household policy's masking table).
 */
export const petitionCasePolicy = {
  /** The cases of the households this caller may read (staff: their subtree; a cadre: assigned households). */
  scope(actor: Actor): FilterQuery<PetitionCase> {
    return { household: householdPolicy.scope(actor) };
  },

  /** Registering a case, moving its status: administrators, for a household of their subtree. */
  mayManage(actor: Actor, petitionCase: { regionPath: string }): boolean {
    return isAdmin(actor) && pathInScope(actor, petitionCase.regionPath);
  },

  /**
   * 包案领导: an administrator names a leader from the case's region or above it (a city leader for
   * a district's case), or from their own subtree, for a case of their subtree.
   */
  mayNameLeader(actor: Actor, facts: { leaderRegionPath: string; caseRegionPath: string }): boolean {
    return isAdmin(actor) && mayLinkAcross(actor, facts.leaderRegionPath, facts.caseRegionPath);
  },

  /** Title, demand and resolution in full: administrators and cadres; analysts see them hidden. */
  seesDetails(actor: Actor): boolean {
    return actor.role === Role.ADMIN || actor.role === Role.CADRE;
  },
} satisfies ScopedPolicy<PetitionCase>;
