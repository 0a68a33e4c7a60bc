import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';
import { Role } from '@wanjia/shared';
import type { Actor } from '../../core/caller';

const ISSUER = 'wanjia';
const AUDIENCE = 'wanjia-api';
/**
 * A sign-in with a one-time password (resetPassword) gets a token for this audience instead: it is not
 * an access token of the API (verifyAccessToken refuses it), only of changePassword, me and logout.
 */
const PASSWORD_CHANGE_AUDIENCE = 'wanjia-password-change';

interface AccessClaims {
  role: Role;
  scp: string | null;
  sr: number | null;
  cd: number | null;
  /** The account's session generation when the token was issued (absent in tokens older than it: 0). */
  gen?: number;
  /** The refresh family of the IDE session the token belongs to (absent for other sign-ins). */
  sid?: string;
}

export interface SignOptions {
  /** The account must change its one-time password first: a password-change token. */
  passwordChangeOnly?: boolean;
  /** The token belongs to this IDE session (its refresh family): it stops when the session is signed out. */
  ideSessionFamily?: string;
}

/** What a presented token says: the caller, and whether it may only change its password. */
export interface VerifiedToken {
  actor: Actor;
  passwordChangeOnly: boolean;
  /** The IDE session the token belongs to (claim `sid`), or null. */
  ideSessionFamily: string | null;
  expiresAt: Date;
}

export class AccessTokenError extends Error {
  constructor(readonly reason: 'expired' | 'invalid') {
    super(reason === 'expired' ? 'access token expired' : 'access token invalid');
  }
}

/** Signs a short-lived access token carrying everything authorization needs, so requests need no lookup. */
export async function signAccessToken(
  actor: Actor,
  secret: string,
  ttlSeconds: number,
  options: SignOptions = {},
): Promise<{ token: string; expiresAt: Date }> {
  const now = Math.floor(Date.now() / 1000);
  const claims: AccessClaims = {
    role: actor.role,
    scp: actor.scopePath,
    sr: actor.scopeRegionId,
    cd: actor.cadreId,
    gen: actor.sessionGeneration ?? 0,
    ...(options.ideSessionFamily === undefined ? {} : { sid: options.ideSessionFamily }),
  };
  const token = await new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(String(actor.accountId))
    .setIssuer(ISSUER)
    .setAudience(options.passwordChangeOnly ? PASSWORD_CHANGE_AUDIENCE : AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(new TextEncoder().encode(secret));
  return { token, expiresAt: new Date((now + ttlSeconds) * 1000) };
}

/** An access token of the API; a password-change token is refused here like any invalid one. */
export async function verifyAccessToken(token: string, secret: string): Promise<Actor> {
  const verified = await verifyToken(token, secret);
  if (verified.passwordChangeOnly) throw new AccessTokenError('invalid');
  return verified.actor;
}

/** An access token or a password-change token, saying which. */
export async function verifyToken(token: string, secret: string): Promise<VerifiedToken> {
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      issuer: ISSUER,
      audience: [AUDIENCE, PASSWORD_CHANGE_AUDIENCE],
      algorithms: ['HS256'],
    });
    const claims = payload as unknown as AccessClaims & { sub: string; aud: string | string[]; exp: number };
    const accountId = Number(claims.sub);
    if (!Number.isSafeInteger(accountId) || !Object.values(Role).includes(claims.role)) throw new AccessTokenError('invalid');
    const generation = claims.gen ?? 0;
    if (!Number.isSafeInteger(generation) || generation < 0) throw new AccessTokenError('invalid');
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    // One audience exactly: a token naming both would otherwise pass as a full access token.
    if (audiences.length !== 1) throw new AccessTokenError('invalid');
    const sid: unknown = claims.sid;
    if (sid !== undefined && (typeof sid !== 'string' || sid.length === 0 || sid.length > 36)) throw new AccessTokenError('invalid');
    return {
      actor: {
        accountId,
        role: claims.role,
        scopePath: claims.scp ?? null,
        scopeRegionId: claims.sr ?? null,
        cadreId: claims.cd ?? null,
        sessionGeneration: generation,
      },
      passwordChangeOnly: audiences[0] === PASSWORD_CHANGE_AUDIENCE,
      ideSessionFamily: sid ?? null,
      expiresAt: new Date(claims.exp * 1000),
    };
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new AccessTokenError('expired');
    throw new AccessTokenError('invalid');
  }
}

/**
 * The IDE session (claim `sid`) an access token of ours names, expired or not: only to sign that
 * session out (an access cookie that ran out while its page sat idle still says which session it was).
 * Signature, algorithm, issuer and audience are checked as for any token; null for anything else.
 */
export async function ideSessionFamilyNamedBy(token: string, secret: string): Promise<string | null> {
  let claims: { sid?: unknown; aud?: unknown };
  try {
    ({ payload: claims } = await jwtVerify(token, new TextEncoder().encode(secret), { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] }));
  } catch (error) {
    // Thrown only after the signature, issuer and audience checked out: the claims are ours.
    if (!(error instanceof errors.JWTExpired)) return null;
    claims = error.payload;
  }
  const sid = claims.sid;
  if (claims.aud !== AUDIENCE || typeof sid !== 'string' || sid.length === 0 || sid.length > 36) return null;
  return sid;
}

/** An opaque random token for the client, and the hash the database keeps. */
export function newOpaqueToken(bytes = 32): { token: string; hash: string } {
  const token = randomBytes(bytes).toString('base64url');
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Bind codes are read aloud and typed on a phone: no 0/O, 1/I/L. */
const BIND_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export function newBindCode(length = 8): string {
  const bytes = randomBytes(length);
  let code = '';
  for (const byte of bytes) code += BIND_CODE_ALPHABET[byte % BIND_CODE_ALPHABET.length];
  return code;
}

export function normalizeBindCode(input: string): string {
  return input.trim().toUpperCase().replace(/[\s-]/g, '');
}
