import { randomBytes } from 'node:crypto';
import { Role } from '@wanjia/shared';
import { isAdmin, type Actor } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { accountPolicy } from '../../modules/accounts/account.policy';
import { accountService } from '../../modules/accounts/account.service';
import { UserAccount } from '../../modules/accounts/user-account.entity';
import { authService } from '../../modules/auth/auth.service';
import { Region } from '../../modules/regions/region.entity';

/** The practice account's username for a scope: one per scope region, found again on every render. */
export function practiceUsername(scopeRegionCode: string): string {
  return `practice-${scopeRegionCode}`;
}

/**
 * The account the account-care recipes (启用, 重置密码, 解锁, 停用) act on. Those recipes end sign-ins and
 * replace passwords, so on a real person's account they would lock a colleague out; and a district's
 * demo administrator has nobody else in care at all. So an administrator's cookbook makes, once per
 * scope and through the account service (audited as that administrator's createAccount), an analyst
 * account of the scope that nobody uses: a random password nobody is told, deactivated at once. Its
 * chapter ends with the deactivation, so that running the chapter leaves it as it was.
 * Null for anyone who may not look after such an account.
 */
export async function ensurePracticeAccount(em: Em, actor: Actor): Promise<UserAccount | null> {
  if (!isAdmin(actor)) return null;
  const scope = await em.findOneOrFail(Region, actor.scopeRegionId);
  if (!accountPolicy.mayCare(actor, { role: Role.ANALYST, scopePath: scope.path }, 'deactivate')) return null;
  const username = practiceUsername(scope.code);
  const existing = await em.findOne(UserAccount, { username });
  if (existing) return existing.role === Role.ANALYST ? existing : null;
  const caller = { actor, clientAddress: null };
  let account: UserAccount;
  try {
    account = await authService.createStaffAccount(
      em,
      { username, password: `Practice-${randomBytes(18).toString('base64url')}`, role: Role.ANALYST, scopeRegion: scope },
      caller,
    );
  } catch (error) {
    // Two pages written at once: the other one made it.
    const made = await em.fork().findOne(UserAccount, { username });
    if (made) return made.role === Role.ANALYST ? made : null;
    throw error;
  }
  return accountService.deactivate(em, account, '办事指南的练习账号，无人使用 (the cookbook’s practice account)', caller);
}
