import { raw, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Em } from '../../core/entity-manager';
import { TooManyRequestsError } from '../../core/errors';
import { LoginThrottle } from './login-throttle.entity';

/**
 * The sign-in lockout: failed attempts counted per account name and per client address in the
 * database (every instance sees the same counts), and a lock past the limit. Beside it, the velocity
 * limits (graphql/limits/rate-limits.ts) count every attempt, successful or not.
 */

/** The throttle key of an account name: names are matched trimmed and case-insensitively. */
export function accountKeyOf(username: string): string {
  return `account:${username.trim().toLowerCase()}`.slice(0, 191);
}

async function throttleRow(em: Em, key: string): Promise<LoginThrottle> {
  const existing = await em.findOne(LoginThrottle, { key }, { refresh: true });
  if (existing) return existing;
  try {
    const created = em.create(LoginThrottle, { key, windowStartedAt: new Date() });
    await em.flush();
    return created;
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    em.clear();
    return em.findOneOrFail(LoginThrottle, { key });
  }
}

/** Seconds until the last of these keys' locks ends; 0 when none is locked. */
export async function lockedForSeconds(em: Em, keys: string[]): Promise<number> {
  const rows = await em.find(LoginThrottle, { key: { $in: keys } }, { refresh: true });
  const now = Date.now();
  const lockedUntil = Math.max(0, ...rows.map((row) => row.lockedUntil?.getTime() ?? 0));
  return lockedUntil > now ? Math.ceil((lockedUntil - now) / 1000) : 0;
}

export async function assertNotLocked(em: Em, keys: string[]): Promise<void> {
  const seconds = await lockedForSeconds(em, keys);
  if (seconds > 0) throw new TooManyRequestsError(seconds);
}

/** Counts a failure atomically (several instances may count at once) and locks the key past the limit. */
export async function recordFailure(em: Em, key: string, limit: number, lockSeconds: number): Promise<void> {
  const row = await throttleRow(em, key);
  const windowExpired = Date.now() - row.windowStartedAt.getTime() > lockSeconds * 1000;
  if (windowExpired) {
    await em.nativeUpdate(LoginThrottle, { id: row.id }, { failures: 1, windowStartedAt: new Date(), lockedUntil: null });
    return;
  }
  await em.nativeUpdate(LoginThrottle, { id: row.id }, { failures: raw('failures + 1') });
  const updated = await em.findOneOrFail(LoginThrottle, { id: row.id }, { refresh: true });
  // A lock already running is not extended: attempts during it are counted, the lock still ends on time.
  const alreadyLocked = (updated.lockedUntil?.getTime() ?? 0) > Date.now();
  if (updated.failures >= limit && !alreadyLocked) {
    await em.nativeUpdate(LoginThrottle, { id: row.id }, { lockedUntil: new Date(Date.now() + lockSeconds * 1000) });
  }
}

/** Forgets a key's failures and lifts its lock (a sign-in succeeded, or an administrator unlocked it). */
export async function clearFailures(em: Em, key: string): Promise<void> {
  await em.nativeUpdate(LoginThrottle, { key }, { failures: 0, lockedUntil: null, windowStartedAt: new Date() });
}

/** When each name's sign-in lock ends (null: not locked), for a page of accounts: one query. */
export async function lockedUntilOf(em: Em, usernames: readonly string[]): Promise<(Date | null)[]> {
  const keys = usernames.map(accountKeyOf);
  const rows = keys.length ? await em.find(LoginThrottle, { key: { $in: keys } }) : [];
  const now = Date.now();
  const byKey = new Map(rows.map((row) => [row.key, row.lockedUntil && row.lockedUntil.getTime() > now ? row.lockedUntil : null]));
  return keys.map((key) => byKey.get(key) ?? null);
}
