import { raw, type FilterQuery } from '@mikro-orm/core';
import { Role } from '@wanjia/shared';
import type { Em } from '../../core/entity-manager';
import { Assignment } from '../assignments/assignment.entity';
import type { Actor } from '../../core/caller';
import { regionSubtree } from '../../core/region-scope';
import { isStaff } from '../../core/caller';
import { Household } from './household.entity';

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
 * | field                        | ADMIN (in scope) | ANALYST          | CADRE (assigned) | revealResident (audited) |
 * |------------------------------|------------------|------------------|------------------|--------------------------|
 * | household phone              | masked           | masked           | full             | full                     |
 * | resident ID number           | address code     | address code     | address code     | full                     |
 * | resident birth date          | year only        | year only        | year only        | full                     |
 * | resident age                 | this year − year | this year − year | this year − year | (from the date)          |
 * | resident gender              | shown            | shown            | shown            | shown                    |
 * | key-focus reason             | full             | hidden           | full             | full                     |
 * | petition case title/demand   | full             | hidden           | full             | —                        |
 *
 * Why these: the ID number is address code, birth date, a sequence whose parity is the gender, and a
 * check character. Whatever is shown unrevealed must leave the rest unguessable when put together:
 * the masked form keeps the address code only (the last four characters would leave only the birth
 * date hidden, and the check character cuts any set of candidate dates to a eleventh), the birth date
 * is shown as its year (an age in whole years would change on the birthday and give the date away to
 * anyone who looks daily), and no list filters or sorts on birth dates or ID numbers. What remains
 * for a caller who knows the address code, the year and the gender is 365 × 500 valid numbers.
 * The audit trail never keeps an ID number, a birth date or a phone (audit service). Only
 * administrators in scope and the assigned cadre may reveal; analysts never do.
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

  /**
   * Which of these households the caller may read, in one statement whatever their number: staff the
   * ones in their subtree, a cadre the ones with an active assignment to that cadre. The object scope
   * guard (graphql/object-scope.ts) asks this for every household-file object an answer carries.
   * Raw rows, not entities: a partial entity in the request's identity map would be handed to later
   * reads of the same household.
   */
  async readableHouseholdIds(em: Em, actor: Actor | null, householdIds: readonly number[]): Promise<Set<number>> {
    if (!actor || householdIds.length === 0) return new Set();
    const placeholders = householdIds.map(() => '?').join(', ');
    let rows: { id: number | string }[];
    if (isStaff(actor)) {
      // The same subtree condition as every staff list (one index range on region.path), unmapped.
      rows = await em
        .createQueryBuilder(Household, 'h')
        .select('h.id')
        .where({ $and: [{ id: { $in: [...householdIds] } }, this.staffReadable(actor)] })
        .execute<{ id: number | string }[]>('all', false);
    } else if (actor.role === Role.CADRE && actor.cadreId !== null) {
      rows = await em.execute(`select household_id as id from assignment where cadre_id = ? and ended_at is null and household_id in (${placeholders})`, [
        actor.cadreId,
        ...householdIds,
      ]);
    } else {
      return new Set();
    }
    return new Set(rows.map((row) => Number(row.id)));
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
