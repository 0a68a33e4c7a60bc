import type { FilterQuery } from '@mikro-orm/core';
import { isAdmin, pathInScope, type Actor } from '../../core/caller';
import type { ScopedPolicy } from '../../core/policy';
import { regionSubtree } from '../../core/region-scope';
import type { Unit } from './unit.entity';

/** Units belong to a region; staff see the units of their subtree and its administrators manage them. */
export const unitPolicy = {
  scope(actor: Actor): FilterQuery<Unit> {
    return { region: regionSubtree(actor) };
  },

  /** A new unit in a region of the administrator's subtree. */
  mayCreate(actor: Actor, region: { path: string }): boolean {
    return isAdmin(actor) && pathInScope(actor, region.path);
  },

  /** A unit of the administrator's subtree, kept there (it may move within the subtree, not out of it). */
  mayUpdate(actor: Actor, unit: { regionPath: string; newRegionPath: string }): boolean {
    return isAdmin(actor) && pathInScope(actor, unit.regionPath) && pathInScope(actor, unit.newRegionPath);
  },

  /**
   * Designating a unit's handler (联络员) of referred demands, or ending one: an administrator whose
   * subtree holds the unit's region (the unit is theirs to manage).
   */
  mayManageHandlers(actor: Actor, unit: { regionPath: string }): boolean {
    return isAdmin(actor) && pathInScope(actor, unit.regionPath);
  },

  /** Listing a unit's handlers: staff whose subtree holds the unit's region. */
  mayListHandlers(actor: Actor, unit: { regionPath: string }): boolean {
    return pathInScope(actor, unit.regionPath);
  },
} satisfies ScopedPolicy<Unit>;
