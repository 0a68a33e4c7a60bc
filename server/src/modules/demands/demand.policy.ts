import type { FilterQuery } from '@mikro-orm/core';
import { isCadre, type Actor } from '../../core/caller';
import type { ScopedPolicy } from '../../core/policy';
import { householdPolicy } from '../households/household.policy';
import type { Demand } from './demand.entity';

/** 诉求: a household's demands are read with its file; the household's cadre records their outcome. */
export const demandPolicy = {
  /** The demands of the households this caller may read (staff: their subtree; a cadre: assigned households). */
  scope(actor: Actor): FilterQuery<Demand> {
    return { household: householdPolicy.scope(actor) };
  },

  /**
   * That the household confirmed a resolution: a cadre, on a visit. Which demands: those in the
   * cadre's scope (a household with an active assignment to that cadre), asked by the service.
   */
  mayConfirm(actor: Actor): boolean {
    return isCadre(actor);
  },
} satisfies ScopedPolicy<Demand>;
