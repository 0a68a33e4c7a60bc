import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';
import { Role } from '@wanjia/shared';
import type { Actor } from './actor';

const ISSUER = 'wanjia';
const AUDIENCE = 'wanjia-api';

interface AccessClaims {
  role: Role;
  scp: string | null;
  sr: number | null;
  cd: number | null;
}

export class AccessTokenError extends Error {
  constructor(readonly reason: 'expired' | 'invalid') {
    super(reason === 'expired' ? 'access token expired' : 'access token invalid');
  }
}

/** Signs a short-lived access token carrying everything authorization needs, so requests need no lookup. */
export async function signAccessToken(actor: Actor, secret: string, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }> {
  const now = Math.floor(Date.now() / 1000);
  const claims: AccessClaims = { role: actor.role, scp: actor.scopePath, sr: actor.scopeRegionId, cd: actor.cadreId };
  const token = await new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(String(actor.accountId))
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(new TextEncoder().encode(secret));
  return { token, expiresAt: new Date((now + ttlSeconds) * 1000) };
}

export async function verifyAccessToken(token: string, secret: string): Promise<Actor> {
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
    });
    const claims = payload as unknown as AccessClaims & { sub: string };
    const accountId = Number(claims.sub);
    if (!Number.isSafeInteger(accountId) || !Object.values(Role).includes(claims.role)) throw new AccessTokenError('invalid');
    return { accountId, role: claims.role, scopePath: claims.scp ?? null, scopeRegionId: claims.sr ?? null, cadreId: claims.cd ?? null };
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new AccessTokenError('expired');
    throw new AccessTokenError('invalid');
  }
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
