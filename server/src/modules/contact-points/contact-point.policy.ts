import type { FilterQuery } from '@mikro-orm/core';
import { isRootAdmin, type Actor } from '../../core/caller';
import type { ScopedPolicy } from '../../core/policy';
import { regionSubtree } from '../../core/region-scope';
import type { ContactPoint } from './contact-point.entity';

/** Why anyone but the city's administrators is refused a change of the leaders' contact points. */
export const CONTACT_POINTS_ARE_THE_CITYS = "City-level leaders' contact points are managed by the city's administrators";

/**
 * 联系点: city-level leaders' contact points, kept by the city. Staff read the points whose target
 * lies in their subtree (a district sees the leaders' points inside it); the kinds (the "eight ones")
 * are read by all staff.
 */
export const contactPointPolicy = {
  /** The points whose target (a region, a unit's region, a household's, a petition case's household's) lies in the subtree. */
  scope(actor: Actor): FilterQuery<ContactPoint> {
    const subtree = regionSubtree(actor);
    return {
      $or: [{ targetRegion: subtree }, { unit: { region: subtree } }, { household: { region: subtree } }, { petitionCase: { household: { region: subtree } } }],
    };
  },

  mayCreate(actor: Actor): boolean {
    return isRootAdmin(actor);
  },

  mayEnd(actor: Actor): boolean {
    return isRootAdmin(actor);
  },

  /** The kinds are the city's list: its administrators add and change them. */
  mayManageKinds(actor: Actor): boolean {
    return isRootAdmin(actor);
  },
} satisfies ScopedPolicy<ContactPoint>;
