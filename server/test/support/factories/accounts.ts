import { RegionLevel, Role } from '@wanjia/shared';
import { wrap } from '@mikro-orm/core';
import type { AppConfig } from '../../../src/config';
import type { Actor } from '../../../src/core/caller';
import type { Em } from '../../../src/core/entity-manager';
import { hashPassword } from '../../../src/modules/accounts/password.service';
import { UserAccount } from '../../../src/modules/accounts/user-account.entity';
import { actorOf } from '../../../src/modules/auth/auth.service';
import { signAccessToken } from '../../../src/modules/auth/token.service';
import { createCadre } from './campaign';
import { serial, type Overrides } from './overrides';
import { createRegion } from './places';

/** Sign-in accounts and the access tokens their callers send. */

export type AccountOverrides = Overrides<UserAccount> & {
  /** Hashed into passwordHash, for tests that sign in through `login`; left out, the account has no password. */
  password?: string;
};

/**
 * An account. A cadre's when a cadre is given or the role is CADRE (a new cadre when none is given);
 * otherwise an administrator's (or the role's given) scoped to the region given, else to a new city,
 * with a unique username. The scope region comes back loaded, so the account's token carries its path.
 */
export async function createAccount(em: Em, overrides: AccountOverrides = {}): Promise<UserAccount> {
  const { password, ...fields } = overrides;
  const role = fields.role ?? (fields.cadre ? Role.CADRE : Role.ADMIN);
  const passwordHash = password === undefined ? fields.passwordHash : await hashPassword(password);
  if (role === Role.CADRE) {
    const cadre = fields.cadre ?? (await createCadre(em));
    const account = em.create(UserAccount, { ...fields, passwordHash, role, cadre });
    await em.flush();
    return account;
  }
  const scopeRegion = fields.scopeRegion ?? (await createRegion(em, { level: RegionLevel.CITY }));
  if (!wrap(scopeRegion).isInitialized()) await wrap(scopeRegion).init();
  const account = em.create(UserAccount, { username: `${role.toLowerCase()}-${serial()}`, ...fields, passwordHash, role, scopeRegion });
  await em.flush();
  return account;
}

/** The secret tokens are signed with: given as is, or the one of a running app (anything with its config). */
export type TokenSigner = string | { config: { auth: Pick<AppConfig['auth'], 'jwtSecret'> } };

/**
 * A 15-minute access token for the account (or actor), signed as the app signs the ones `login`
 * issues: for callers that do not sign in through `login` (cadres sign in through WeChat).
 */
export async function tokenFor(who: UserAccount | Actor, signer: TokenSigner, ttlSeconds = 900): Promise<string> {
  const secret = typeof signer === 'string' ? signer : signer.config.auth.jwtSecret;
  if (who instanceof UserAccount && who.scopeRegion && who.scopeRegion.path === undefined) {
    // actorOf reads the scope's path: an unloaded reference would sign a token scoped to nothing.
    throw new Error(`tokenFor: load account ${who.id}'s scopeRegion first`);
  }
  const actor = who instanceof UserAccount ? actorOf(who) : who;
  return (await signAccessToken(actor, secret, ttlSeconds)).token;
}

/** The Authorization header of `tokenFor`. */
export async function authorizationFor(who: UserAccount | Actor, signer: TokenSigner): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await tokenFor(who, signer)}` };
}
