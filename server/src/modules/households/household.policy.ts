import { raw, type FilterQuery } from '@mikro-orm/core';
import { Role } from '@wanjia/shared';
import { isAdmin, isCadre, isStaff, pathInScope, type Actor } from '../../core/caller';
import { NOTHING, type ScopedPolicy } from '../../core/policy';
import { regionSubtree } from '../../core/region-scope';
import type { Household } from './household.entity';

/**
 * Who may read and manage households, and which of a household's own fields each role sees (the
 * residents' fields are the resident policy's).
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
 * administrators in scope and the assigned cadre may reveal (resident policy); analysts never do.
 */
export const householdPolicy = {
  /**
   * The households this caller may read: staff those of their region subtree (one index range on
   * region.path), a cadre those with an active assignment to that cadre (the (cadre, endedAt) index).
   * Every list of the household file applies it, and so does the object scope guard
   * (graphql/object-scope.guard.ts) for every household-file object an answer carries.
   *
   * The cadre's sub-query is a raw *value*: a raw fragment used as a filter *key* is single-use in
   * MikroORM, so it breaks as soon as a page and its count (or a second request) use it.
   */
  scope(actor: Actor): FilterQuery<Household> {
    if (isStaff(actor)) return { region: regionSubtree(actor) };
    if (isCadre(actor)) {
      return { id: { $in: raw('(select sa.household_id from assignment sa where sa.cadre_id = ? and sa.ended_at is null)', [actor.cadreId]) } };
    }
    return NOTHING;
  },

  /**
   * Registering households and changing their files (residents, petition cases, assignments):
   * administrators, for a household of their subtree. Analysts and cadres only read.
   */
  mayManage(actor: Actor, household: { regionPath: string }): boolean {
    return isAdmin(actor) && pathInScope(actor, household.regionPath);
  },

  /** Only administrators register households, in a region of their subtree. */
  mayCreate(actor: Actor, region: { path: string }): boolean {
    return isAdmin(actor) && pathInScope(actor, region.path);
  },

  /** The household's phone in full: the assigned cadre, who calls before a visit. */
  seesPhone(actor: Actor): boolean {
    return actor.role === Role.CADRE;
  },
} satisfies ScopedPolicy<Household>;
