import { getSession } from './session';
import { readStored, removeStored, writeStored } from './storage';

/**
 * The last copy of what a screen showed, so that a cadre in a village without signal still sees the
 * household's file (marked as not current) instead of an empty page. Only the data layers (one per
 * resource: households.ts, household.ts, caseload.ts, stats.ts) read and write copies, each under keys
 * it keeps to itself; sign-out removes them all (session.ts: everything under "cache:").
 */
export interface Cached<T> {
  savedAt: string;
  /**
   * The account the server answered. A copy is only ever read back for the same account: sign-out
   * removes every copy, and this also holds where a session was replaced without one.
   */
  accountId: string;
  value: T;
}

export function readCache<T>(key: string): Cached<T> | null {
  const cached = readStored<Cached<T>>(`cache:${key}`);
  const accountId = getSession()?.accountId;
  return cached && accountId !== undefined && cached.accountId === accountId ? cached : null;
}

/** Keeps value as the copy under key, for the signed-in account (nothing is kept signed out). */
export function writeCache<T>(key: string, value: T, savedAt: string = new Date().toISOString()): Cached<T> | null {
  const accountId = getSession()?.accountId;
  if (accountId === undefined) return null;
  const cached: Cached<T> = { savedAt, accountId, value };
  writeStored(`cache:${key}`, cached);
  return cached;
}

export function removeCache(key: string): void {
  removeStored(`cache:${key}`);
}

/** What a data layer hands a screen: the server's answer, or the last copy when the server failed. */
export type Loaded<T> =
  | { value: T; offlineCopyFrom: null }
  /** offlineCopyFrom: when the copy was saved; failure: why the server's answer is missing. */
  | { value: T; offlineCopyFrom: string; failure: unknown };

/**
 * Asks the server and keeps its answer as the offline copy under key. When the request fails (no
 * signal, or an error answer), the last copy stands in; with no copy, the failure is thrown.
 */
export async function loadWithOfflineCopy<T>(key: string, fetch: () => Promise<T>): Promise<Loaded<T>> {
  try {
    const value = await fetch();
    writeCache(key, value);
    return { value, offlineCopyFrom: null };
  } catch (failure) {
    const cached = readCache<T>(key);
    if (!cached) throw failure;
    return { value: cached.value, offlineCopyFrom: cached.savedAt, failure };
  }
}
