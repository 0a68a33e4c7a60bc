import { raw, type FilterQuery } from '@mikro-orm/core';
import { Role } from '@wanjia/shared';
import type { Em } from '../../core/entity-manager';
import { paginateById } from '../../core/pagination';
import { BadUserInputError, ForbiddenError } from '../../core/errors';
import type { Connection, PageArgs } from '../../core/pagination';
import { recordAudit } from '../audit/audit.service';
import { forgetAccountStatus } from '../auth/account-status.service';
import type { Actor } from '../../core/caller';
import { LoginThrottle } from '../auth/login-throttle.entity';
import { RefreshToken } from '../auth/refresh-token.entity';
import type { Region } from '../regions/region.entity';
import { accountPolicy, PEER_ADMINISTRATOR_MESSAGE, type CareAction } from './account.policy';
import type { AccountFilter } from './account.types';
import { assertAcceptablePassword, hashPassword, newOneTimePassword } from './password.service';
import { UserAccount } from './user-account.entity';

/** Who acts: an administrator through the API, or the operator's CLI (actor null, address "cli"). */
export interface CareRequest {
  actor: Actor | null;
  clientAddress: string;
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}

function accountKeyOf(username: string): string {
  return `account:${username.trim().toLowerCase()}`.slice(0, 191);
}

function scopePathOf(account: UserAccount): string | null {
  return (account.scopeRegion as Region | null | undefined)?.path ?? null;
}

/** Ends every sign-in of the account: refresh tokens revoked, access tokens refused within the account-standing window. */
async function endSessions(tx: Em, accountId: number): Promise<void> {
  await tx.nativeUpdate(UserAccount, { id: accountId }, { sessionGeneration: raw('session_generation + 1') });
  await tx.nativeUpdate(RefreshToken, { account: accountId, revokedAt: null }, { revokedAt: new Date() });
}

/**
 * Administrators looking after the staff accounts in their scope, and the operator's CLI: reset to a
 * one-time password, lift a sign-in lock, deactivate and reactivate. Each writes an audit entry.
 */
export const accountCareService = {
  async list(em: Em, actor: Actor, filter: AccountFilter | undefined, page: PageArgs): Promise<Connection<UserAccount>> {
    const conditions: FilterQuery<UserAccount>[] = [accountPolicy.managedScope(actor)];
    if (filter?.role) {
      if (filter.role === Role.CADRE) throw new BadUserInputError('filter.role', 'cadres are listed by the cadres query; choose ADMIN or ANALYST');
      conditions.push({ role: filter.role });
    }
    if (filter?.active !== undefined && filter.active !== null) conditions.push({ active: filter.active });
    if (filter?.search) conditions.push({ username: { $like: `${escapeLike(filter.search)}%` } });
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

  /**
   * A one-time password, returned once: it signs in only to choose a new one. Every sign-in of the
   * account ends, and its sign-in lock is lifted (the holder is about to use the new password).
   * `chosenPassword` (the CLI's WANJIA_PASSWORD) sets a password the holder keeps instead.
   */
  async resetPassword(
    em: Em,
    account: UserAccount,
    request: CareRequest,
    chosenPassword: string | null = null,
  ): Promise<{ oneTimePassword: string | null; account: UserAccount }> {
    if (request.actor && request.actor.accountId === account.id) {
      throw new BadUserInputError('accountId', 'use changePassword for your own account');
    }
    if (chosenPassword !== null) assertAcceptablePassword('password', chosenPassword);
    const oneTimePassword = chosenPassword === null ? newOneTimePassword() : null;
    const passwordHash = await hashPassword(chosenPassword ?? oneTimePassword!);
    await em.transactional(async (tx) => {
      await tx.nativeUpdate(UserAccount, { id: account.id }, { passwordHash, mustChangePassword: chosenPassword === null, passwordChangedAt: new Date() });
      await endSessions(tx, account.id);
      await tx.nativeUpdate(LoginThrottle, { key: accountKeyOf(account.username!) }, { failures: 0, lockedUntil: null, windowStartedAt: new Date() });
      recordAudit(tx, request.actor, request.clientAddress, {
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
  async unlock(em: Em, account: UserAccount, request: CareRequest): Promise<UserAccount> {
    await em.transactional(async (tx) => {
      await tx.nativeUpdate(LoginThrottle, { key: accountKeyOf(account.username!) }, { failures: 0, lockedUntil: null, windowStartedAt: new Date() });
      recordAudit(tx, request.actor, request.clientAddress, {
        operation: 'unlockAccount',
        entityName: 'UserAccount',
        entityId: account.id,
        regionPath: scopePathOf(account),
      });
    });
    return account;
  },

  async deactivate(em: Em, account: UserAccount, reason: string, request: CareRequest): Promise<UserAccount> {
    if (request.actor && request.actor.accountId === account.id) {
      throw new BadUserInputError('accountId', 'you cannot deactivate your own account; ask another administrator');
    }
    if (!account.active) return account;
    await em.transactional(async (tx) => {
      await tx.nativeUpdate(UserAccount, { id: account.id }, { active: false });
      await endSessions(tx, account.id);
      recordAudit(tx, request.actor, request.clientAddress, {
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

  async reactivate(em: Em, account: UserAccount, request: CareRequest): Promise<UserAccount> {
    if (account.active) return account;
    await em.transactional(async (tx) => {
      await tx.nativeUpdate(UserAccount, { id: account.id }, { active: true });
      recordAudit(tx, request.actor, request.clientAddress, {
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

  /** When each name's sign-in lock ends (null: not locked), for a page of accounts: one query. */
  async lockedUntil(em: Em, usernames: readonly string[]): Promise<(Date | null)[]> {
    const keys = usernames.map(accountKeyOf);
    const rows = keys.length ? await em.find(LoginThrottle, { key: { $in: keys } }) : [];
    const now = Date.now();
    const byKey = new Map(rows.map((row) => [row.key, row.lockedUntil && row.lockedUntil.getTime() > now ? row.lockedUntil : null]));
    return keys.map((key) => byKey.get(key) ?? null);
  },
};
