import type { Em } from '../../db/orm';
import type { Actor } from './actor';

/**
 * How long an instance trusts what it last read about an account. A signed token stays valid until it
 * expires (ACCESS_TOKEN_TTL_SECONDS); this check is what makes deactivating an account or a cadre take
 * effect on every instance within these seconds instead. It is a cache of a database value with a
 * bounded age, not state that matters across requests: every instance reads the database itself.
 */
export const ACCOUNT_STATUS_MAX_AGE_MS = 5_000;
const MAX_ENTRIES = 50_000;

interface Entry {
  usable: boolean;
  readAt: number;
}

const entries = new Map<number, Entry>();

/**
 * Whether the token's account may still act: the account is active and, for a cadre, so is the
 * cadre. One primary-key read per account every few seconds.
 */
export async function accountIsUsable(em: Em, actor: Actor, now = Date.now()): Promise<boolean> {
  const cached = entries.get(actor.accountId);
  if (cached && now - cached.readAt < ACCOUNT_STATUS_MAX_AGE_MS) return cached.usable;
  const rows = await em
    .getConnection()
    .execute<{ account_active: number | boolean; cadre_active: number | boolean | null }[]>(
      'select a.active as account_active, c.active as cadre_active from user_account a left join cadre c on c.id = a.cadre_id where a.id = ?',
      [actor.accountId],
    );
  const row = rows[0];
  const usable = row !== undefined && Boolean(row.account_active) && (actor.cadreId === null || Boolean(row.cadre_active));
  if (entries.size >= MAX_ENTRIES) entries.clear();
  entries.set(actor.accountId, { usable, readAt: now });
  return usable;
}

/** Called after this instance changes an account's or cadre's standing, so that it applies at once here. */
export function forgetAccountStatus(accountId?: number): void {
  if (accountId === undefined) entries.clear();
  else entries.delete(accountId);
}
