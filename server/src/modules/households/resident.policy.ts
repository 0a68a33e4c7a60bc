import type { FilterQuery } from '@mikro-orm/core';
import { Role } from '@wanjia/shared';
import type { Actor } from '../../core/caller';
import type { ScopedPolicy } from '../../core/policy';
import { householdPolicy } from './household.policy';
import type { Resident } from './resident.entity';

/**
 * A resident is read with the household (household policy: the masking table, and why the ID number
 * and the birth date are shown as they are). What only the resident has: the audited reveal of the
 * unmasked fields, and the key-focus reason.
 */
export const residentPolicy = {
  /** The residents of the households this caller may read (the duplicate-ID check looks no further). */
  scope(actor: Actor): FilterQuery<Resident> {
    return { household: householdPolicy.scope(actor) };
  },

  /**
   * revealResident: administrators (of the household's subtree) and the assigned cadre; analysts
   * never. Whether this household is one of theirs is the scope's question, asked by the service.
   */
  mayReveal(actor: Actor): boolean {
    return actor.role === Role.ADMIN || actor.role === Role.CADRE;
  },

  /** Why a person is on a key-focus list: administrators and cadres; hidden (null) from analysts. */
  seesKeyFocusReason(actor: Actor): boolean {
    return actor.role === Role.ADMIN || actor.role === Role.CADRE;
  },
} satisfies ScopedPolicy<Resident>;
