import type { FilterQuery } from '@mikro-orm/core';
import { isRootAdmin, isStaff, pathInScope, type Actor } from '../../core/caller';
import type { ScopedPolicy } from '../../core/policy';
import { regionSubtree } from '../../core/region-scope';
import type { Region } from './region.entity';

/** Why a district's administrator is refused a change of the tree. */
export const TREE_IS_THE_CITYS = "Only the city's administrators change the region tree";

/**
 * The administrative tree (属地管理): staff read their scope root and everything below it; only the
 * city's administrators shape the tree, since every district's data hangs on it.
 */
export const regionPolicy = {
  /** The regions of the actor's subtree: one range on the materialized path. */
  scope(actor: Actor): FilterQuery<Region> {
    return regionSubtree(actor);
  },

  /** Staff list the tree (cadres have no region scope). */
  mayList(actor: Actor): boolean {
    return isStaff(actor);
  },

  /** Whether the region lies in the actor's subtree. */
  mayRead(actor: Actor, region: { path: string }): boolean {
    return pathInScope(actor, region.path);
  },

  mayCreate(actor: Actor): boolean {
    return isRootAdmin(actor);
  },

  /** Renaming: the city's only too (codes never change). */
  mayRename(actor: Actor): boolean {
    return isRootAdmin(actor);
  },

  /** A region's parent shows only inside the actor's subtree: above the scope root it answers null. */
  seesParent(actor: Actor | null, parent: { path: string }): boolean {
    return actor !== null && pathInScope(actor, parent.path);
  },

  /**
   * A region's children show inside the actor's subtree, and above it only the way down to it (a
   * district administrator reaching the city sees the district, not its neighbours).
   */
  seesChild(actor: Actor | null, child: { path: string }): boolean {
    const scope = actor?.scopePath;
    if (!scope) return false;
    return child.path.startsWith(scope) || scope.startsWith(child.path);
  },
} satisfies ScopedPolicy<Region>;
