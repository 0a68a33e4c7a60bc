import type { Request } from 'express';
import type { AppConfig } from '../../config';
import type { Em } from '../../core/entity-manager';
import { PasswordChangeRequiredError, UnauthenticatedError, type TokenProblem } from '../../core/errors';
import { accountIsUsable } from './account-status.service';
import type { Actor } from '../../core/caller';
import { ideSessionIsLive } from './auth.service';
import { AccessTokenError, verifyToken } from './token.service';

/** What a presented access token (Bearer header or IDE cookie) says, after every check. */
export interface CheckedAccessToken {
  /** The caller, when the token is a usable access token. */
  actor: Actor | null;
  /** The holder of a usable password-change token (a sign-in with a one-time password). */
  passwordChangeActor: Actor | null;
  problem: TokenProblem | null;
  /** The IDE session (refresh family) the token belongs to (claim `sid`), or null for other sign-ins. */
  ideSessionFamily: string | null;
  /** When the token expires, once it verified. */
  expiresAt: Date | null;
}

/** How a token reached the server: the Authorization header (any client), or the IDE's own cookie. */
export type PresentedAs = 'bearer' | 'ide-cookie';

/**
 * Checks a presented token as every path checks it: signature, expiry, that the account (and its
 * cadre) is still active under the token's session generation, and, for a token of an IDE session,
 * that it came in the IDE's cookie and that the session has not been signed out. An IDE session's
 * token as a Bearer token is refused whoever sends it: its cookie reaches every port of the host, so
 * another service on the same host name could harvest it, and it must replay nowhere but in the IDE.
 */
export async function checkAccessToken(token: string, config: AppConfig, em: Em, presentedAs: PresentedAs = 'bearer'): Promise<CheckedAccessToken> {
  const refused = (problem: TokenProblem): CheckedAccessToken => ({ actor: null, passwordChangeActor: null, problem, ideSessionFamily: null, expiresAt: null });
  let verified;
  try {
    verified = await verifyToken(token, config.auth.jwtSecret);
  } catch (error) {
    if (error instanceof AccessTokenError) return refused(error.reason);
    throw error;
  }
  const family = verified.ideSessionFamily;
  if (family !== null && presentedAs === 'bearer') return refused('ide-session-token');
  if (!(await accountIsUsable(em, verified.actor))) return refused('deactivated');
  if (family !== null && !(await ideSessionIsLive(em, family))) return refused('invalid');
  return {
    actor: verified.passwordChangeOnly ? null : verified.actor,
    passwordChangeActor: verified.passwordChangeOnly ? verified.actor : null,
    problem: null,
    ideSessionFamily: family,
    expiresAt: verified.expiresAt,
  };
}

/** The token of an `Authorization: Bearer …` header: null when there is no header, 'malformed' for any other form. */
export function bearerTokenOf(request: Pick<Request, 'headers'>): string | null | 'malformed' {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || header.trim() === '') return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match ? match[1]! : 'malformed';
}

/**
 * The caller of a plain HTTP route, from the same Bearer access token the GraphQL API takes and with
 * the same checks: signature, expiry, that the account (and its cadre) is still active, and that it is
 * not an IDE session's token.
 */
export async function actorFromBearer(request: Pick<Request, 'headers'>, config: AppConfig, em: Em): Promise<Actor> {
  const token = bearerTokenOf(request);
  if (token === null || token === 'malformed') throw UnauthenticatedError.forToken(null);
  const checked = await checkAccessToken(token, config, em);
  if (checked.passwordChangeActor) throw new PasswordChangeRequiredError();
  if (!checked.actor) throw UnauthenticatedError.forToken(checked.problem);
  return checked.actor;
}
