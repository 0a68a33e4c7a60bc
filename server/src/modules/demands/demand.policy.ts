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
   * Recording the household's answer to a resolution (回访): the cadre the household is assigned to
   * now (an active assignment), who is the one visiting. Not staff, not a cadre transferred away: the
   * answer reopens or closes the current cadre's work. `currentCadreIds`: the cadres of the
   * household's active assignments, which the service reads.
   */
  mayConfirm(actor: Actor, household: { currentCadreIds: readonly number[] }): boolean {
    return isCadre(actor) && household.currentCadreIds.includes(actor.cadreId);
  },
} satisfies ScopedPolicy<Demand>;
