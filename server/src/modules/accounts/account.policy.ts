import type { FilterQuery } from '@mikro-orm/core';
import { Role } from '@wanjia/shared';
import { isStaff, pathInScope, type Actor } from '../../core/caller';
import type { ScopedPolicy } from '../../core/policy';
import { regionSubtree } from '../../core/region-scope';
import type { UserAccount } from './user-account.entity';

/**
 * What an administrator does to another account. `unlock` only lifts a sign-in lock (the holder still
 * needs their own password); the others hand the account to someone else (a one-time password the
 * caller reads) or take it away from its holder.
 */
export type CareAction = 'unlock' | 'resetPassword' | 'deactivate' | 'reactivate';

/** The account acted on: its role and the path of its scope region. */
export interface CareTarget {
  role: Role;
  scopePath: string;
}

/** Why an administrator of the same scope is out of reach; the account is in the caller's list, so naming the rule tells nothing new. */
export const PEER_ADMINISTRATOR_MESSAGE =
  'an administrator of the same scope is looked after by the administrators above them (the city’s for a district’s), or by the operator’s CLI; a peer may only unlock';

/**
 * Who looks after which accounts (分级负责): an administrator manages the staff accounts whose scope
 * region lies in their own subtree — a district administrator those of the district, never the city's
 * or another district's; the city's administrators every one. Cadres' accounts are looked after
 * through the cadre (deactivateCadre, issueBindCode).
 *
 * Within that, resetting a password (the caller reads the one-time password and could sign in with it),
 * deactivating and reactivating reach only accounts strictly below the caller's scope, and the analysts
 * of the caller's own scope: an administrator of the same scope is a peer, not a subordinate, and one
 * peer must not be able to take over or shut out another. Their administrators above do that; for the
 * city's own administrators, whom nobody in the tree is above, the operator's CLI
 * (`account:reset-password`, which needs the server's database) does. Peers may unlock each other, so
 * that a locked-out administrator is not stranded until the city or the operator answers.
 */
export const accountPolicy = {
  /** The staff accounts the actor manages, as a condition applied in SQL (one index range on region paths). */
  scope(actor: Actor): FilterQuery<UserAccount> {
    return { role: { $in: [Role.ADMIN, Role.ANALYST] }, scopeRegion: regionSubtree(actor) };
  },

  /** Whether the actor is an administrator whose scope holds the path (the same path included). */
  mayManage(actor: Actor, targetScopePath: string): boolean {
    return actor.role === Role.ADMIN && isStaff(actor) && pathInScope(actor, targetScopePath);
  },

  /**
   * Whether the actor may do `action` to the account: in scope, and for anything but `unlock`, not an
   * administrator of the actor's own scope.
   */
  mayCare(actor: Actor, target: CareTarget, action: CareAction): boolean {
    if (!accountPolicy.mayManage(actor, target.scopePath)) return false;
    if (action === 'unlock') return true;
    const strictlyBelow = target.scopePath !== actor.scopePath;
    return strictlyBelow || target.role !== Role.ADMIN;
  },
} satisfies ScopedPolicy<UserAccount>;
