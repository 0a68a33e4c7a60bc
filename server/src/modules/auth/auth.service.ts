import { randomUUID } from 'node:crypto';
import { raw } from '@mikro-orm/core';
import { Role } from '@wanjia/shared';
import type { AppConfig } from '../../config';
import type { Actor, Caller } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { BadUserInputError, ConflictError, FeatureDisabledError, ForbiddenError, TooManyRequestsError, UnauthenticatedError, parseId } from '../../core/errors';
import { assertAllowed } from '../../core/policy';
import { UserAccount } from '../accounts/user-account.entity';
import { assertAcceptablePassword, hashPassword, verifyAgainstDummy, verifyPassword } from '../accounts/password.service';
import { recordAudit, type SystemCaller } from '../audit/audit.service';
import type { Cadre } from '../cadres/cadre.entity';
import { cadreService } from '../cadres/cadre.service';
import { Region } from '../regions/region.entity';
import { forgetAccountStatus } from './account-status.service';
import type { ChangePasswordArgs, CreateAccountInput } from './auth.inputs';
import { authPolicy, mayUseDevelopmentSignIn } from './auth.policy';
import { accountKeyOf, assertNotLocked, clearFailures, lockedForSeconds, recordFailure } from './login-throttle.service';
import { RefreshToken } from './refresh-token.entity';
import { hashToken, newBindCode, newOpaqueToken, normalizeBindCode, signAccessToken } from './token.service';
import { exchangeWechatCode } from './wechat.client';

export const BIND_CODE_TTL_MS = 72 * 60 * 60 * 1000;
/** A one-time password from resetPassword works this long; after it, only a new reset helps. */
export const ONE_TIME_PASSWORD_TTL_MS = 72 * 60 * 60 * 1000;

/** Whether the account's password is a one-time password that has passed its lifetime. */
function oneTimePasswordExpired(account: UserAccount, now = Date.now()): boolean {
  if (account.mustChangePassword !== true) return false;
  const setAt = account.passwordChangedAt?.getTime();
  return setAt === undefined || now - setAt > ONE_TIME_PASSWORD_TTL_MS;
}
/** A shared office address sees many people's typos; it gets more room than one account name. */
const ADDRESS_FAILURE_FACTOR = 4;
const GENERIC_LOGIN_ERROR = 'Wrong username or password';

export interface IssuedTokens {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  account: UserAccount;
  /** The sign-in used a one-time password: the access token serves changePassword, me and logout only. */
  passwordChangeRequired: boolean;
}

export interface RequestInfo {
  config: AppConfig;
  clientAddress: string;
}

export function actorOf(account: UserAccount): Actor {
  const scope = account.scopeRegion as Region | null | undefined;
  return {
    accountId: account.id,
    role: account.role,
    scopeRegionId: scope?.id ?? null,
    scopePath: scope?.path ?? null,
    cadreId: account.cadre?.id ?? null,
    sessionGeneration: account.sessionGeneration ?? 0,
  };
}

async function issueTokens(em: Em, account: UserAccount, config: AppConfig, familyId: string = randomUUID()): Promise<IssuedTokens> {
  await em.populate(account, ['scopeRegion']);
  const passwordChangeRequired = account.mustChangePassword === true;
  const access = await signAccessToken(actorOf(account), config.auth.jwtSecret, config.auth.accessTokenTtlSeconds, {
    passwordChangeOnly: passwordChangeRequired,
  });
  const refresh = newOpaqueToken();
  const refreshTokenExpiresAt = new Date(Date.now() + config.auth.refreshTokenTtlDays * 24 * 60 * 60 * 1000);
  em.create(RefreshToken, { account, tokenHash: refresh.hash, familyId, expiresAt: refreshTokenExpiresAt });
  account.lastLoginAt = new Date();
  await em.flush();
  return {
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt,
    refreshToken: refresh.token,
    refreshTokenExpiresAt,
    account,
    passwordChangeRequired,
  };
}

function assertDevelopmentSignIn(config: AppConfig): void {
  if (!mayUseDevelopmentSignIn(config)) {
    throw new FeatureDisabledError('The development sign-in is off on this server (DEV_SIGN_IN)');
  }
}

// --- the service -------------------------------------------------------------------------------------

export const authService = {
  /**
   * Password sign-in for administrators and analysts. One generic error for every wrong combination, in
   * the same time: exactly one argon2 verification whatever the name (an unknown name, a cadre's
   * account and an account without a password verify against a dummy hash of the same parameters), and
   * a locked name or address is refused only after it, so that the time tells nothing either.
   */
  async login(em: Em, username: string, password: string, request: RequestInfo): Promise<IssuedTokens> {
    const { loginMaxFailures, loginLockSeconds } = request.config.auth;
    const accountKey = accountKeyOf(username);
    const addressKey = `address:${request.clientAddress}`.slice(0, 191);
    const lockedFor = await lockedForSeconds(em, [accountKey, addressKey]);
    const account = await em.findOne(UserAccount, { username: username.trim() });
    const passwordHash = account && account.role !== Role.CADRE ? (account.passwordHash ?? null) : null;
    const passwordMatches = passwordHash ? await verifyPassword(passwordHash, password) : await verifyAgainstDummy(password);
    const valid = lockedFor === 0 && account !== null && account.active && passwordMatches && !oneTimePasswordExpired(account);
    if (!valid) {
      // Counted while locked too (the lock is not extended): the same writes, so the same time.
      await recordFailure(em, accountKey, loginMaxFailures, loginLockSeconds);
      await recordFailure(em, addressKey, loginMaxFailures * ADDRESS_FAILURE_FACTOR, loginLockSeconds);
      if (lockedFor > 0) throw new TooManyRequestsError(lockedFor);
      throw new UnauthenticatedError(GENERIC_LOGIN_ERROR);
    }
    await clearFailures(em, accountKey);
    return issueTokens(em, account!, request.config);
  },

  /**
   * One's own password, with the current one: every other sign-in of the account ends (its refresh
   * tokens are revoked, older access tokens stop within the account-standing window) and the caller
   * gets new tokens. Also how a one-time password from resetPassword is replaced. A wrong current
   * password counts towards the sign-in lock of the account name, like a failed sign-in.
   */
  async changePassword(em: Em, { oldPassword, newPassword }: ChangePasswordArgs, caller: Caller, config: AppConfig): Promise<IssuedTokens> {
    const self = caller.actor;
    assertAllowed(authPolicy.mayChangePassword(self));
    const { loginMaxFailures, loginLockSeconds } = config.auth;
    assertAcceptablePassword('newPassword', newPassword);
    if (newPassword === oldPassword) throw new BadUserInputError('newPassword', 'newPassword must differ from the current password');
    const account = await em.findOne(UserAccount, { id: self.accountId, active: true }, { populate: ['scopeRegion'] });
    if (!account || account.role === Role.CADRE || !account.username || !account.passwordHash) throw new ForbiddenError();
    const accountKey = accountKeyOf(account.username);
    await assertNotLocked(em, [accountKey]);
    if (!(await verifyPassword(account.passwordHash, oldPassword))) {
      await recordFailure(em, accountKey, loginMaxFailures, loginLockSeconds);
      throw new BadUserInputError('oldPassword', 'oldPassword is not the current password');
    }
    const passwordHash = await hashPassword(newPassword);
    await em.transactional(async (tx) => {
      await tx.nativeUpdate(
        UserAccount,
        { id: account.id },
        { passwordHash, mustChangePassword: false, passwordChangedAt: new Date(), sessionGeneration: raw('session_generation + 1') },
      );
      await tx.nativeUpdate(RefreshToken, { account: account.id, revokedAt: null }, { revokedAt: new Date() });
      recordAudit(tx, caller, {
        operation: 'changePassword',
        entityName: 'UserAccount',
        entityId: account.id,
        regionPath: (account.scopeRegion as Region | null | undefined)?.path ?? null,
        changes: { passwordHash: true, ...(account.mustChangePassword ? { mustChangePassword: false } : {}) },
      });
    });
    forgetAccountStatus(account.id);
    await clearFailures(em, accountKey);
    await em.refresh(account);
    return issueTokens(em, account, config);
  },

  /** The signed-in account (or a password-change token's); FORBIDDEN once it is deactivated. */
  async me(em: Em, self: Actor): Promise<UserAccount> {
    const account = await em.findOne(UserAccount, { id: self.accountId, active: true });
    if (!account) throw new ForbiddenError();
    return account;
  },

  /** Rotates a refresh token. A token presented after it was rotated revokes its whole family. */
  async refresh(em: Em, refreshToken: string, request: RequestInfo): Promise<IssuedTokens> {
    const row = await em.findOne(RefreshToken, { tokenHash: hashToken(refreshToken) }, { populate: ['account', 'account.scopeRegion'] });
    if (!row || row.expiresAt.getTime() <= Date.now() || !row.account.active) {
      throw new UnauthenticatedError('Refresh token invalid or expired; sign in again');
    }
    if (row.revokedAt) {
      await em.nativeUpdate(RefreshToken, { familyId: row.familyId, revokedAt: null }, { revokedAt: new Date() });
      throw new UnauthenticatedError('Refresh token already used; every session of this sign-in was ended');
    }
    // The conditional update makes rotation single-use even when two refreshes race.
    const claimed = await em.nativeUpdate(RefreshToken, { id: row.id, revokedAt: null }, { revokedAt: new Date() });
    if (claimed !== 1) throw new UnauthenticatedError('Refresh token already used; sign in again');
    return issueTokens(em, row.account, request.config, row.familyId);
  },

  /** Ends the sign-in the refresh token belongs to. Unknown tokens are ignored: logging out twice is fine. */
  async logout(em: Em, refreshToken: string): Promise<boolean> {
    const row = await em.findOne(RefreshToken, { tokenHash: hashToken(refreshToken) });
    if (row) await em.nativeUpdate(RefreshToken, { familyId: row.familyId, revokedAt: null }, { revokedAt: new Date() });
    return true;
  },

  async wechatLogin(em: Em, code: string, request: RequestInfo): Promise<IssuedTokens | null> {
    const openid = await exchangeWechatCode(request.config.wechat, code);
    const account = await em.findOne(UserAccount, { wechatOpenid: openid, active: true });
    return account ? issueTokens(em, account, request.config) : null;
  },

  /** Links the WeChat user to the cadre account the one-time bind code was issued for. */
  async bindWechat(em: Em, code: string, bindCode: string, request: RequestInfo): Promise<IssuedTokens> {
    const { loginMaxFailures, loginLockSeconds } = request.config.auth;
    const addressKey = `bind:${request.clientAddress}`.slice(0, 191);
    await assertNotLocked(em, [addressKey]);
    const openid = await exchangeWechatCode(request.config.wechat, code);
    const account = await em.findOne(UserAccount, { bindCodeHash: hashToken(normalizeBindCode(bindCode)) });
    if (!account || !account.active || !account.bindCodeExpiresAt || account.bindCodeExpiresAt.getTime() <= Date.now()) {
      await recordFailure(em, addressKey, loginMaxFailures * ADDRESS_FAILURE_FACTOR, loginLockSeconds);
      throw new BadUserInputError('bindCode', 'The bind code is wrong, used or expired; ask your administrator for a new one');
    }
    const holder = await em.findOne(UserAccount, { wechatOpenid: openid });
    if (holder && holder.id !== account.id) throw new ConflictError('This WeChat user is already bound to another account');
    await em.transactional(async (tx) => {
      const fresh = await tx.findOneOrFail(UserAccount, account.id);
      fresh.wechatOpenid = openid;
      fresh.bindCodeHash = null;
      fresh.bindCodeExpiresAt = null;
      // The cadre acts, by the bind code, before any token names them.
      const binder = { accountId: account.id, role: account.role, scopePath: null, scopeRegionId: null, cadreId: account.cadre?.id ?? null };
      recordAudit(tx, { actor: binder, clientAddress: request.clientAddress }, { operation: 'bindWechat', entityName: 'UserAccount', entityId: account.id });
    });
    return issueTokens(em, account, request.config);
  },

  /**
   * A one-time code (72 h, single use) with which a cadre binds WeChat. Creates the cadre's account on
   * first issue; issuing again replaces the previous code. Only the code's hash is stored.
   */
  async issueBindCode(em: Em, cadreId: number, caller: Caller): Promise<{ code: string; expiresAt: Date; account: UserAccount }> {
    const { actor } = caller;
    const cadre: Cadre = await cadreService.findInScope(em, actor, cadreId);
    assertAllowed(authPolicy.mayIssueBindCode(actor, { unitRegionPath: cadre.unit.region.path }));
    if (!cadre.active) throw new ConflictError('The cadre is deactivated; reactivate the cadre first');
    const code = newBindCode();
    const expiresAt = new Date(Date.now() + BIND_CODE_TTL_MS);
    const account = await em.transactional(async (tx) => {
      let target = await tx.findOne(UserAccount, { cadre: cadre.id });
      if (!target) target = tx.create(UserAccount, { role: Role.CADRE, cadre: cadre.id });
      if (target.role !== Role.CADRE) throw new ForbiddenError();
      target.bindCodeHash = hashToken(code);
      target.bindCodeExpiresAt = expiresAt;
      await tx.flush();
      await tx.populate(cadre, ['unit.region']);
      recordAudit(tx, caller, {
        operation: 'issueBindCode',
        entityName: 'UserAccount',
        entityId: target.id,
        regionPath: cadre.unit.region.path,
        changes: { cadre: cadre.id, expiresAt: expiresAt.toISOString() },
      });
      return target;
    });
    return { code, expiresAt, account };
  },

  /** The development sign-in: tokens for a demo cadre's account, only where the configuration allows it. */
  async developmentSignIn(em: Em, cadreId: number, request: RequestInfo): Promise<IssuedTokens> {
    assertDevelopmentSignIn(request.config);
    const account = await em.findOne(UserAccount, { cadre: { id: cadreId, active: true }, role: Role.CADRE, active: true });
    if (!account) throw new BadUserInputError('cadreId', 'no active cadre account with this cadre id');
    return issueTokens(em, account, request.config);
  },

  async developmentCadres(em: Em, config: AppConfig): Promise<Cadre[]> {
    assertDevelopmentSignIn(config);
    const accounts = await em.find(
      UserAccount,
      { role: Role.CADRE, active: true, cadre: { active: true } },
      { populate: ['cadre'], orderBy: { id: 'asc' }, limit: 20 },
    );
    return accounts.map((account) => account.cadre!);
  },

  /** An administrator's or analyst's account, scoped to a region of the caller's subtree (authPolicy.mayCreateAccount). */
  async createAccount(em: Em, input: CreateAccountInput, caller: Caller): Promise<UserAccount> {
    const region = await em.findOne(Region, { id: parseId(input.scopeRegionId, 'input.scopeRegionId') });
    if (!region) throw new ForbiddenError();
    assertAllowed(authPolicy.mayCreateAccount(caller.actor, { scopePath: region.path }));
    return this.createStaffAccount(em, { ...input, scopeRegion: region }, caller);
  },

  /**
   * Writes a staff account: for the API (createAccount) and for the operator's CLI, whose entries in
   * the audit trail have no actor.
   */
  async createStaffAccount(
    em: Em,
    input: { username: string; password: string; role: Role; scopeRegion: Region },
    caller: Caller | SystemCaller,
  ): Promise<UserAccount> {
    if (input.role === Role.CADRE) throw new BadUserInputError('input.role', 'cadre accounts are created by issueBindCode');
    if (await em.count(UserAccount, { username: input.username })) throw new BadUserInputError('input.username', 'this username is taken');
    assertAcceptablePassword('input.password', input.password);
    const passwordHash = await hashPassword(input.password);
    return em.transactional(async (tx) => {
      const account = tx.create(UserAccount, { username: input.username, role: input.role, scopeRegion: input.scopeRegion.id, passwordHash });
      await tx.flush();
      recordAudit(tx, caller, {
        operation: 'createAccount',
        entityName: 'UserAccount',
        entityId: account.id,
        regionPath: input.scopeRegion.path,
        changes: { username: input.username, role: input.role, scopeRegion: input.scopeRegion.code },
      });
      return account;
    });
  },
};
