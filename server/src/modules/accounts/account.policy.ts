import type { FilterQuery } from '@mikro-orm/core';
import { Role } from '@wanjia/shared';
import { isStaff, pathInScope, type Actor } from '../auth/actor';
import { regionSubtree } from '../auth/scope';
import type { UserAccount } from './user-account.entity';

/**
 * Who looks after which accounts (分级负责): an administrator manages the staff accounts whose scope
 * region lies in their own subtree — a district administrator those of the district, never the city's
 * or another district's; the city's administrators every one. Cadres' accounts are looked after
 * through the cadre (deactivateCadre, issueBindCode).
 */
export const accountPolicy = {
  /** The staff accounts the actor manages, as a condition applied in SQL (one index range on region paths). */
  managedScope(actor: Actor): FilterQuery<UserAccount> {
    return { role: { $in: [Role.ADMIN, Role.ANALYST] }, scopeRegion: regionSubtree(actor) };
  },

  mayManage(actor: Actor, targetScopePath: string): boolean {
    return actor.role === Role.ADMIN && isStaff(actor) && pathInScope(actor, targetScopePath);
  },
};
