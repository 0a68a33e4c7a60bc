import { randomUUID } from 'node:crypto';
import { raw } from '@mikro-orm/core';
import { Role } from '@wanjia/shared';
import type { AppConfig } from '../../config';
import type { Actor, Caller } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import {
  BadUserInputError,
  ConflictError,
  DomainError,
  ErrorCode,
  FeatureDisabledError,
  ForbiddenError,
  TooManyRequestsError,
  UnauthenticatedError,
  parseId,
} from '../../core/errors';
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

/** What renewing an IDE session gives: a new access token; the refresh token stays as it is. */
export interface RenewedAccess {
  accessToken: string;
  accessTokenExpiresAt: Date;
  /** When the session's refresh token ends: renewal stops working then. */
  sessionExpiresAt: Date;
  account: UserAccount;
}

/** How a sign-in's tokens are issued: for the API's clients (the default), or for the IDE's cookie session. */
interface IssueOptions {
  /**
   * An IDE session: its refresh family is marked as one (renewed by renewAccess, never rotated), its
   * refresh token lasts at most IDE_SESSION_HOURS, and its access tokens name the family (claim `sid`),
   * so that they stop as soon as the session is signed out.
   */
  ideSession?: boolean;
}

/**
 * The families of IDE sessions start with this (36 characters in all, the column's width, like a
 * UUID): renewAccess takes only these, and the rotating `refreshToken` mutation refuses them.
 */
const IDE_FAMILY_PREFIX = 'ide-';

function newIdeFamilyId(): string {
  return `${IDE_FAMILY_PREFIX}${randomUUID().replaceAll('-', '')}`;
}

export function isIdeSessionFamily(familyId: string): boolean {
  return familyId.startsWith(IDE_FAMILY_PREFIX);
}

/**
 * How long this instance trusts what it last read about an IDE session's family being live; a family
 * read as ended stays ended (revocation is final). Signing out on this instance forgets the family at
 * once, so the next request here reads the database; another instance sees it within these seconds,
 * the same window as an account's standing (account-status.service.ts).
 */
const IDE_SESSION_LIVE_MAX_AGE_MS = 5_000;
const IDE_SESSION_CACHE_ENTRIES = 50_000;
const ideSessionReads = new Map<string, { live: boolean; readAt: number }>();

/** Whether the IDE session (refresh family) an access token names is still live: a token of it unrevoked and unexpired. */
export async function ideSessionIsLive(em: Em, familyId: string, now = Date.now()): Promise<boolean> {
  const known = ideSessionReads.get(familyId);
  if (known && (!known.live || now - known.readAt < IDE_SESSION_LIVE_MAX_AGE_MS)) return known.live;
  const live = (await em.count(RefreshToken, { familyId, revokedAt: null, expiresAt: { $gt: new Date(now) } })) > 0;
  if (ideSessionReads.size >= IDE_SESSION_CACHE_ENTRIES) ideSessionReads.clear();
  ideSessionReads.set(familyId, { live, readAt: now });
  return live;
}

/** Called when this instance ends an IDE session, so that its access tokens stop here on the very next request. */
export function forgetIdeSession(familyId?: string): void {
  if (familyId === undefined) ideSessionReads.clear();
  else ideSessionReads.delete(familyId);
}

function ideSessionEnded(): UnauthenticatedError {
  return new UnauthenticatedError('The IDE session has ended; sign in again (登录已结束，请重新登录)');
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

async function issueTokens(em: Em, account: UserAccount, config: AppConfig, familyId?: string, options: IssueOptions = {}): Promise<IssuedTokens> {
  await em.populate(account, ['scopeRegion']);
  const passwordChangeRequired = account.mustChangePassword === true;
  if (options.ideSession && passwordChangeRequired) throw new Error('an IDE session is never issued for a one-time password');
  familyId ??= options.ideSession ? newIdeFamilyId() : randomUUID();
  const access = await signAccessToken(actorOf(account), config.auth.jwtSecret, config.auth.accessTokenTtlSeconds, {
    passwordChangeOnly: passwordChangeRequired,
    ...(options.ideSession ? { ideSessionFamily: familyId } : {}),
  });
  const refresh = newOpaqueToken();
  const refreshTtlMs = options.ideSession
    ? Math.min(config.auth.refreshTokenTtlDays * 24, config.auth.ideSessionHours) * 60 * 60 * 1000
    : config.auth.refreshTokenTtlDays * 24 * 60 * 60 * 1000;
  const refreshTokenExpiresAt = new Date(Date.now() + refreshTtlMs);
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

/**
 * The account a password sign-in names, after exactly one argon2 verification whatever the name (an
 * unknown name, an account without a password and, unless `cadres`, a cadre's account verify against
 * a dummy hash of the same parameters), and after the lock: a locked name or address is refused only
 * after the verification, so that the time tells nothing either. Failures count towards the lock.
 */
async function passwordAccount(em: Em, username: string, password: string, request: RequestInfo, options: { cadres: boolean }): Promise<UserAccount> {
  const { loginMaxFailures, loginLockSeconds } = request.config.auth;
  const accountKey = accountKeyOf(username);
  const addressKey = `address:${request.clientAddress}`.slice(0, 191);
  const lockedFor = await lockedForSeconds(em, [accountKey, addressKey]);
  const account = await em.findOne(UserAccount, { username: username.trim() });
  const passwordHash = account && (options.cadres || account.role !== Role.CADRE) ? (account.passwordHash ?? null) : null;
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
  return account!;
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
    const account = await passwordAccount(em, username, password, request, { cadres: false });
    return issueTokens(em, account, request.config);
  },

  /**
   * The IDE's sign-in (POST /ide/session): login's checks and throttling, for administrators and
   * analysts only, and never a password-change token: a one-time password is replaced here, with
   * newPassword, before any session exists. Nothing is written when it refuses, besides the sign-in
   * lock's counters.
   */
  async ideSignIn(em: Em, credentials: { username: string; password: string; newPassword?: string }, request: RequestInfo): Promise<IssuedTokens> {
    const { username, password, newPassword } = credentials;
    const account = await passwordAccount(em, username, password, request, { cadres: true });
    if (account.role === Role.CADRE) {
      throw new ForbiddenError('Cadres sign in with WeChat in the mini-program; the IDE is for administrators and analysts (干部请在小程序中用微信登录)');
    }
    if (account.mustChangePassword === true) {
      if (newPassword === undefined) {
        throw new DomainError(
          ErrorCode.PASSWORD_CHANGE_REQUIRED,
          'This is a one-time password: choose a new password (newPassword) to sign in (这是一次性密码，请设置新密码后登录)',
          { field: 'newPassword' },
        );
      }
      await em.populate(account, ['scopeRegion']);
      const self = { actor: actorOf(account), clientAddress: request.clientAddress };
      return this.changePassword(em, { oldPassword: password, newPassword }, self, request.config, { ideSession: true });
    }
    if (newPassword !== undefined) {
      throw new BadUserInputError(
        'newPassword',
        'newPassword replaces a one-time password only; change a password with changePassword (仅一次性密码需在此设置新密码)',
      );
    }
    return issueTokens(em, account, request.config, undefined, { ideSession: true });
  },

  /**
   * A new access token for an IDE session, from its refresh token, which is NOT rotated. Several open
   * IDE pages (tabs, windows) share the one cookie and renew on their own timers: with rotation, the
   * second page to renew would present a token the first had just rotated, and reuse detection would
   * end the whole session. Rotation protects a refresh token that a client keeps where scripts or
   * storage can leak it; this one lives only in an HttpOnly, SameSite=Strict cookie sent to
   * /ide/session alone, and dies with the browser session or after IDE_SESSION_HOURS, whichever comes
   * first. Signing out (POST /ide/session/end) revokes it, and with it every access token of the session.
   */
  async renewAccess(em: Em, refreshToken: string, request: RequestInfo): Promise<RenewedAccess> {
    const row = await em.findOne(RefreshToken, { tokenHash: hashToken(refreshToken) }, { populate: ['account', 'account.scopeRegion'] });
    const account = row?.account;
    if (
      !row ||
      !account ||
      !isIdeSessionFamily(row.familyId) ||
      row.revokedAt ||
      row.expiresAt.getTime() <= Date.now() ||
      !account.active ||
      account.role === Role.CADRE ||
      account.mustChangePassword === true
    ) {
      throw ideSessionEnded();
    }
    const access = await signAccessToken(actorOf(account), request.config.auth.jwtSecret, request.config.auth.accessTokenTtlSeconds, {
      ideSessionFamily: row.familyId,
    });
    return { accessToken: access.token, accessTokenExpiresAt: access.expiresAt, sessionExpiresAt: row.expiresAt, account };
  },

  /** When the IDE session (refresh family) ends, if it is live. */
  async ideSessionExpiresAt(em: Em, familyId: string): Promise<Date | null> {
    const live = await em.find(RefreshToken, { familyId, revokedAt: null, expiresAt: { $gt: new Date() } }, { orderBy: { expiresAt: 'desc' }, limit: 1 });
    return live[0]?.expiresAt ?? null;
  },

  /**
   * One's own password, with the current one: every other sign-in of the account ends (its refresh
   * tokens are revoked, older access tokens stop within the account-standing window) and the caller
   * gets new tokens. Also how a one-time password from resetPassword is replaced. A wrong current
   * password counts towards the sign-in lock of the account name, like a failed sign-in.
   */
  async changePassword(
    em: Em,
    { oldPassword, newPassword }: ChangePasswordArgs,
    caller: Caller,
    config: AppConfig,
    issue: IssueOptions = {},
  ): Promise<IssuedTokens> {
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
    return issueTokens(em, account, config, undefined, issue);
  },

  /** The signed-in account (or a password-change token's); FORBIDDEN once it is deactivated. */
  async me(em: Em, self: Actor): Promise<UserAccount> {
    // The cadre and its unit in the same statement: the 我的 screen asks for both with the account.
    const account = await em.findOne(UserAccount, { id: self.accountId, active: true }, { populate: ['cadre', 'cadre.unit'] });
    if (!account) throw new ForbiddenError();
    return account;
  },

  /** Rotates a refresh token. A token presented after it was rotated revokes its whole family. */
  async refresh(em: Em, refreshToken: string, request: RequestInfo): Promise<IssuedTokens> {
    const row = await em.findOne(RefreshToken, { tokenHash: hashToken(refreshToken) }, { populate: ['account', 'account.scopeRegion'] });
    if (!row || row.expiresAt.getTime() <= Date.now() || !row.account.active) {
      throw new UnauthenticatedError('Refresh token invalid or expired; sign in again');
    }
    // An IDE session's refresh token is renewed without rotation at /ide/session/renew only.
    if (isIdeSessionFamily(row.familyId)) throw new UnauthenticatedError('Refresh token invalid or expired; sign in again');
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
    if (row) {
      await em.nativeUpdate(RefreshToken, { familyId: row.familyId, revokedAt: null }, { revokedAt: new Date() });
      forgetIdeSession(row.familyId);
    }
    return true;
  },

  /**
   * Signs an IDE session out (POST /ide/session/end): the family its refresh cookie names and the one
   * its access cookie names (the same one, unless a cookie was replaced), each revoked whole and
   * forgotten here, so that their access tokens stop on the next request. Answers how many sessions it
   * found (ended now or before): 0 when neither names a known one.
   */
  async endIdeSession(em: Em, named: { refreshToken: string | null; familyId: string | null }): Promise<number> {
    const families = new Set<string>();
    if (named.refreshToken !== null) {
      const row = await em.findOne(RefreshToken, { tokenHash: hashToken(named.refreshToken) });
      if (row) families.add(row.familyId);
    }
    if (named.familyId !== null && isIdeSessionFamily(named.familyId) && (await em.count(RefreshToken, { familyId: named.familyId })) > 0) {
      families.add(named.familyId);
    }
    if (families.size === 0) return 0;
    await em.nativeUpdate(RefreshToken, { familyId: { $in: [...families] }, revokedAt: null }, { revokedAt: new Date() });
    for (const family of families) forgetIdeSession(family);
    return families.size;
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
