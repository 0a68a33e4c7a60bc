import type { FilterQuery } from '@mikro-orm/core';
import { isRootAdmin, type Actor } from '../../core/caller';
import type { ScopedPolicy } from '../../core/policy';
import type { Round } from './round.entity';

/** Why a caller other than the city's administrators is refused a new round. */
export const ROUNDS_ARE_CITY_WIDE = "Only the city's administrators open rounds";

/** Rounds are the campaign's calendar: city-wide, read by everyone signed in, opened by the city. */
export const roundPolicy = {
  /** Every signed-in caller reads every round (a cadre files work under one, a district reports by one). */
  scope(_actor: Actor): FilterQuery<Round> {
    return {};
  },

  /** A round spans the whole city, so only the administrators of the whole tree open one. */
  mayCreate(actor: Actor): boolean {
    return isRootAdmin(actor);
  },
} satisfies ScopedPolicy<Round>;
