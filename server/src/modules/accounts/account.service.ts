import { raw, type FilterQuery } from '@mikro-orm/core';
import { Role } from '@wanjia/shared';
import type { Actor, Caller } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { BadUserInputError, ForbiddenError, parseId } from '../../core/errors';
import { paginateById, type Connection, type PageArgs } from '../../core/pagination';
import { likeStartingWith } from '../../core/sql-like';
import { recordAudit, type SystemCaller } from '../audit/audit.service';
import { forgetAccountStatus } from '../auth/account-status.service';
import { accountKeyOf, clearFailures } from '../auth/login-throttle.service';
import { RefreshToken } from '../auth/refresh-token.entity';
import type { Region } from '../regions/region.entity';
import type { AccountFilter, AccountIdArgs, DeactivateAccountArgs } from './account.inputs';
import { accountPolicy, PEER_ADMINISTRATOR_MESSAGE, type CareAction } from './account.policy';
import { assertAcceptablePassword, hashPassword, newOneTimePassword } from './password.service';
import { UserAccount } from './user-account.entity';

function scopePathOf(account: UserAccount): string | null {
  return (account.scopeRegion as Region | null | undefined)?.path ?? null;
}

/** Ends every sign-in of the account: refresh tokens revoked, access tokens refused within the account-standing window. */
async function endSessions(tx: Em, accountId: number): Promise<void> {
  await tx.nativeUpdate(UserAccount, { id: accountId }, { sessionGeneration: raw('session_generation + 1') });
  await tx.nativeUpdate(RefreshToken, { account: accountId, revokedAt: null }, { revokedAt: new Date() });
}

/**
 * Administrators looking after the staff accounts in their scope, and the operator's CLI (a
 * SystemCaller with the address "cli"): reset to a one-time password, lift a sign-in lock, deactivate
 * and reactivate. Each writes an audit entry.
 * The API's operations (`…InScope`) find the account the caller may act on first (findManaged).
 */
export const accountService = {
  async list(em: Em, actor: Actor, filter: AccountFilter | undefined, page: PageArgs): Promise<Connection<UserAccount>> {
    const conditions: FilterQuery<UserAccount>[] = [accountPolicy.scope(actor)];
    if (filter?.role) {
      if (filter.role === Role.CADRE) throw new BadUserInputError('filter.role', 'cadres are listed by the cadres query; choose ADMIN or ANALYST');
      conditions.push({ role: filter.role });
    }
    if (filter?.active !== undefined && filter.active !== null) conditions.push({ active: filter.active });
    if (filter?.search) conditions.push({ username: { $like: likeStartingWith(filter.search) } });
    return paginateById(em, UserAccount, { $and: conditions }, page, { populate: ['scopeRegion'] as never });
  },

  /**
   * The account an administrator may do `action` to: a staff account whose scope lies in theirs (for all
   * but unlock, not an administrator of their own scope: accountPolicy.mayCare). Outside the scope, and
   * for an id that does not exist, the same FORBIDDEN; a peer administrator's FORBIDDEN names the rule.
   * A cadre's account in scope is named as such. One's own account goes on to the operation, which says
   * what to use instead.
   */
  async findManaged(em: Em, actor: Actor, accountId: number, action: CareAction): Promise<UserAccount> {
    const account = await em.findOne(UserAccount, { id: accountId }, { populate: ['scopeRegion', 'cadre.unit.region'] as never });
    if (!account) throw new ForbiddenError();
    if (account.role === Role.CADRE) {
      const cadreRegion = (account.cadre?.unit?.region as Region | undefined)?.path;
      if (!cadreRegion || !accountPolicy.mayManage(actor, cadreRegion)) throw new ForbiddenError();
      throw new BadUserInputError('accountId', "this is a cadre's account (WeChat sign-in): use deactivateCadre or issueBindCode");
    }
    const path = scopePathOf(account);
    if (!path || !accountPolicy.mayManage(actor, path)) throw new ForbiddenError();
    if (account.id !== actor.accountId && !accountPolicy.mayCare(actor, { role: account.role, scopePath: path }, action)) {
      throw new ForbiddenError(PEER_ADMINISTRATOR_MESSAGE);
    }
    return account;
  },

  async findByUsername(em: Em, username: string): Promise<UserAccount> {
    const account = await em.findOne(UserAccount, { username }, { populate: ['scopeRegion'] as never });
    if (!account || account.role === Role.CADRE) throw new BadUserInputError('username', `no administrator or analyst account named ${username}`);
    return account;
  },

  /** resetPassword of the API: a one-time password for an account the caller looks after. */
  async resetPasswordInScope(em: Em, { accountId }: AccountIdArgs, caller: Caller): Promise<{ oneTimePassword: string; account: UserAccount }> {
    const account = await this.findManaged(em, caller.actor, parseId(accountId, 'accountId'), 'resetPassword');
    const result = await this.resetPassword(em, account, caller);
    return { oneTimePassword: result.oneTimePassword!, account: result.account };
  },

  async unlockInScope(em: Em, { accountId }: AccountIdArgs, caller: Caller): Promise<UserAccount> {
    const account = await this.findManaged(em, caller.actor, parseId(accountId, 'accountId'), 'unlock');
    return this.unlock(em, account, caller);
  },

  async deactivateInScope(em: Em, { accountId, reason }: DeactivateAccountArgs, caller: Caller): Promise<UserAccount> {
    const account = await this.findManaged(em, caller.actor, parseId(accountId, 'accountId'), 'deactivate');
    return this.deactivate(em, account, reason, caller);
  },

  async reactivateInScope(em: Em, { accountId }: AccountIdArgs, caller: Caller): Promise<UserAccount> {
    const account = await this.findManaged(em, caller.actor, parseId(accountId, 'accountId'), 'reactivate');
    return this.reactivate(em, account, caller);
  },

  /**
   * A one-time password, returned once: it signs in only to choose a new one. Every sign-in of the
   * account ends, and its sign-in lock is lifted (the holder is about to use the new password).
   * `chosenPassword` (the CLI's WANJIA_PASSWORD) sets a password the holder keeps instead.
   */
  async resetPassword(
    em: Em,
    account: UserAccount,
    caller: Caller | SystemCaller,
    chosenPassword: string | null = null,
  ): Promise<{ oneTimePassword: string | null; account: UserAccount }> {
    if (caller.actor && caller.actor.accountId === account.id) {
      throw new BadUserInputError('accountId', 'use changePassword for your own account');
    }
    if (chosenPassword !== null) assertAcceptablePassword('password', chosenPassword);
    const oneTimePassword = chosenPassword === null ? newOneTimePassword() : null;
    const passwordHash = await hashPassword(chosenPassword ?? oneTimePassword!);
    await em.transactional(async (tx) => {
      await tx.nativeUpdate(UserAccount, { id: account.id }, { passwordHash, mustChangePassword: chosenPassword === null, passwordChangedAt: new Date() });
      await endSessions(tx, account.id);
      await clearFailures(tx, accountKeyOf(account.username!));
      recordAudit(tx, caller, {
        operation: 'resetPassword',
        entityName: 'UserAccount',
        entityId: account.id,
        regionPath: scopePathOf(account),
        changes: { passwordHash: true, mustChangePassword: chosenPassword === null },
      });
    });
    forgetAccountStatus(account.id);
    await em.refresh(account);
    return { oneTimePassword, account };
  },

  /** Lifts the sign-in lock of the account's name (the per-address lock stays: it is about the address). */
  async unlock(em: Em, account: UserAccount, caller: Caller | SystemCaller): Promise<UserAccount> {
    await em.transactional(async (tx) => {
      await clearFailures(tx, accountKeyOf(account.username!));
      recordAudit(tx, caller, {
        operation: 'unlockAccount',
        entityName: 'UserAccount',
        entityId: account.id,
        regionPath: scopePathOf(account),
      });
    });
    return account;
  },

  async deactivate(em: Em, account: UserAccount, reason: string, caller: Caller | SystemCaller): Promise<UserAccount> {
    if (caller.actor && caller.actor.accountId === account.id) {
      throw new BadUserInputError('accountId', 'you cannot deactivate your own account; ask another administrator');
    }
    if (!account.active) return account;
    await em.transactional(async (tx) => {
      await tx.nativeUpdate(UserAccount, { id: account.id }, { active: false });
      await endSessions(tx, account.id);
      recordAudit(tx, caller, {
        operation: 'deactivateAccount',
        entityName: 'UserAccount',
        entityId: account.id,
        regionPath: scopePathOf(account),
        changes: { active: [true, false] },
        reason,
      });
    });
    forgetAccountStatus(account.id);
    await em.refresh(account);
    return account;
  },

  async reactivate(em: Em, account: UserAccount, caller: Caller | SystemCaller): Promise<UserAccount> {
    if (account.active) return account;
    await em.transactional(async (tx) => {
      await tx.nativeUpdate(UserAccount, { id: account.id }, { active: true });
      recordAudit(tx, caller, {
        operation: 'reactivateAccount',
        entityName: 'UserAccount',
        entityId: account.id,
        regionPath: scopePathOf(account),
        changes: { active: [false, true] },
      });
    });
    forgetAccountStatus(account.id);
    await em.refresh(account);
    return account;
  },
};
