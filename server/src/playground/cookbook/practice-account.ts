import { Role } from '@wanjia/shared';
import { isAdmin, type Actor } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { accountPolicy } from '../../modules/accounts/account.policy';
import { UserAccount } from '../../modules/accounts/user-account.entity';
import { authPolicy } from '../../modules/auth/auth.policy';
import type { Region } from '../../modules/regions/region.entity';

/** The practice account's username for a scope: one per scope region. */
export function practiceUsername(scopeRegionCode: string): string {
  return `practice-${scopeRegionCode}`;
}

/**
 * The account the account-care recipes (启用, 重置密码, 解锁, 停用) act on. Those recipes end sign-ins and
 * replace passwords, so on a real person's account they would lock a colleague out; and a district's
 * demo administrator has nobody else in care at all. So they act on an analyst account of the scope
 * that nobody uses, `practice-<scope code>`.
 *
 * Rendering never makes it: the cookbook is written on every GET of the IDE page, and an administrator
 * must not find an account "they" created by opening a page. While the scope has none, the chapter
 * offers a recipe that creates it (run by the administrator, audited as theirs); the next render finds it.
 */
export type PracticeAccount =
  /** The administrator may create it: it does not exist, and the username is free. */
  | { state: 'missing'; username: string }
  /** It exists (active or deactivated) and the administrator may look after it. */
  | { state: 'ready'; account: UserAccount }
  /** Nothing to offer: not the administrator's to create or care for, or the name is another kind of account's. */
  | { state: 'unavailable' };

/** Reads, never writes: one look-up by the unique username. */
export async function findPracticeAccount(em: Em, actor: Actor, scope: Region): Promise<PracticeAccount> {
  if (!isAdmin(actor)) return { state: 'unavailable' };
  const username = practiceUsername(scope.code);
  // Deactivated or not: a deactivated practice account is the one the chapter left, ready for the next run.
  const existing = await em.findOne(UserAccount, { username }, { populate: ['scopeRegion'] });
  if (!existing) {
    return authPolicy.mayCreateAccount(actor, { scopePath: scope.path }) ? { state: 'missing', username } : { state: 'unavailable' };
  }
  const caredFor =
    existing.role === Role.ANALYST &&
    existing.scopeRegion?.id === scope.id &&
    accountPolicy.mayCare(actor, { role: Role.ANALYST, scopePath: scope.path }, 'deactivate');
  return caredFor ? { state: 'ready', account: existing } : { state: 'unavailable' };
}
