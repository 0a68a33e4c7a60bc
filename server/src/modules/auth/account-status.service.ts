import type { Em } from '../../core/entity-manager';
import type { Actor } from '../../core/caller';

/**
 * How long an instance trusts what it last read about an account. A signed token stays valid until it
 * expires (ACCESS_TOKEN_TTL_SECONDS); this check is what makes deactivating an account or a cadre take
 * effect on every instance within these seconds instead. It is a cache of a database value with a
 * bounded age, not state that matters across requests: every instance reads the database itself.
 */
export const ACCOUNT_STATUS_MAX_AGE_MS = 5_000;
const MAX_ENTRIES = 50_000;

interface Entry {
  accountActive: boolean;
  cadreActive: boolean | null;
  sessionGeneration: number;
  readAt: number;
}

const entries = new Map<number, Entry>();

/**
 * Whether the token's account may still act: the account is active, the token was issued under the
 * account's current session generation (a password change or reset ends older sign-ins) and, for a
 * cadre, the cadre is active. One primary-key read per account every few seconds.
 */
export async function accountIsUsable(em: Em, actor: Actor, now = Date.now()): Promise<boolean> {
  let entry = entries.get(actor.accountId);
  // A token of a newer session than the one read (signed in again elsewhere after a password change)
  // means what was read is stale: read again rather than refuse the new sign-in for the rest of the window.
  const newerSession = entry !== undefined && (actor.sessionGeneration ?? 0) > entry.sessionGeneration;
  if (!entry || newerSession || now - entry.readAt >= ACCOUNT_STATUS_MAX_AGE_MS) {
    const rows = await em
      .getConnection()
      .execute<{ account_active: number | boolean; cadre_active: number | boolean | null; session_generation: number | string }[]>(
        'select a.active as account_active, c.active as cadre_active, a.session_generation as session_generation from user_account a left join cadre c on c.id = a.cadre_id where a.id = ?',
        [actor.accountId],
      );
    const row = rows[0];
    entry = row
      ? {
          accountActive: Boolean(row.account_active),
          cadreActive: row.cadre_active === null ? null : Boolean(row.cadre_active),
          sessionGeneration: Number(row.session_generation),
          readAt: now,
        }
      : { accountActive: false, cadreActive: null, sessionGeneration: 0, readAt: now };
    if (entries.size >= MAX_ENTRIES) entries.clear();
    entries.set(actor.accountId, entry);
  }
  return entry.accountActive && (actor.sessionGeneration ?? 0) === entry.sessionGeneration && (actor.cadreId === null || entry.cadreActive === true);
}

/** Called after this instance changes an account's or cadre's standing, so that it applies at once here. */
export function forgetAccountStatus(accountId?: number): void {
  if (accountId === undefined) entries.clear();
  else entries.delete(accountId);
}
