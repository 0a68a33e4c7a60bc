import { raw, type FilterQuery } from '@mikro-orm/core';
import { Role } from '@wanjia/shared';
import type { Em } from '../../db/orm';
import { Assignment } from '../assignments/assignment.entity';
import type { Actor } from '../auth/actor';
import { regionSubtree } from '../auth/scope';
import type { Household } from './household.entity';

/**
 * Households with (or without) an active assignment. The sub-query is a raw *value*: a raw fragment
 * used as a filter *key* is single-use in MikroORM, so it broke as soon as the page and its count
 * (or a second request) used it, answering INTERNAL_SERVER_ERROR.
 */
export function activeAssignmentCondition(assigned: boolean): FilterQuery<Household> {
  const households = raw('(select ha.household_id from assignment ha where ha.ended_at is null)');
  return { id: assigned ? { $in: households } : { $nin: households } } as FilterQuery<Household>;
}

/**
 * Who may read and manage households, and which sensitive fields each role sees.
 *
 * | field                        | ADMIN          | ANALYST | CADRE (assigned) |
 * |------------------------------|----------------|---------|------------------|
 * | household phone              | masked         | masked  | full             |
 * | resident ID number           | masked         | masked  | masked           |
 * | key-focus reason             | full           | hidden  | full             |
 * | petition case title/demand   | full           | hidden  | full             |
 *
 * Any masked value is available through `revealResident(id, reason)` to administrators in scope and
 * the assigned cadre, and every reveal is audited with its reason.
 */
export const householdPolicy = {
  /** Households in the staff member's subtree. Cadres are checked per household (`assertCadreAssigned`). */
  staffReadable(actor: Actor): FilterQuery<Household> {
    return { region: regionSubtree(actor) };
  },

  async cadreIsAssigned(em: Em, actor: Actor, householdId: number): Promise<boolean> {
    if (actor.role !== Role.CADRE || actor.cadreId === null) return false;
    return (await em.count(Assignment, { household: householdId, cadre: actor.cadreId, endedAt: null })) > 0;
  },

  seesPhone(actor: Actor): boolean {
    return actor.role === Role.CADRE;
  },

  seesKeyFocusReason(actor: Actor): boolean {
    return actor.role === Role.ADMIN || actor.role === Role.CADRE;
  },

  seesPetitionDetails(actor: Actor): boolean {
    return actor.role === Role.ADMIN || actor.role === Role.CADRE;
  },

  mayReveal(actor: Actor): boolean {
    return actor.role === Role.ADMIN || actor.role === Role.CADRE;
  },
};
