import type { Request } from 'express';
import type { AppConfig } from '../config';
import type { Em } from '../core/entity-manager';
import { systemClock, type Clock } from '../core/clock';
import type { Logger } from '../logger';
import type { Actor, Caller } from '../core/caller';
import { UnauthenticatedError, type TokenProblem } from '../core/errors';
import { bearerTokenOf, checkAccessToken, type CheckedAccessToken } from '../modules/auth/bearer-token.guard';
import { checkedIdeAccess, requestOriginOf } from '../modules/auth/ide-session';
import { createLoaders, type Loaders } from './loaders';

/** What every resolver receives: a fork of the entity manager, request-scoped loaders, and the caller. */
export interface GraphQLContext {
  em: Em;
  loaders: Loaders;
  logger: Logger;
  config: AppConfig;
  /** The signed-in caller, or null. */
  actor: Actor | null;
  /** Why a presented token was not accepted, so that UNAUTHENTICATED can say "expired" or "deactivated". */
  tokenProblem: TokenProblem | 'password-change-required' | null;
  /**
   * The caller of a password-change token (a sign-in with a one-time password): not an actor for
   * anything (actor stays null), only for changePassword, me and logout.
   */
  passwordChangeActor?: Actor | null;
  clientAddress: string;
  /** The origin the caller reached this server at (PUBLIC_URL, else the request's scheme and host), for absolute links. */
  requestOrigin: string;
  /** Where "now" comes from for this request (the system clock; a test's ManualClock). */
  clock: Clock;
}

/**
 * The caller of an `@Authorized` operation, as services take it. The auth checker has already refused
 * a request without one; the check here only keeps a missing decorator from reaching a service.
 */
export function callerOf(ctx: Pick<GraphQLContext, 'actor' | 'clientAddress'>): Caller {
  if (!ctx.actor) throw new UnauthenticatedError();
  return { actor: ctx.actor, clientAddress: ctx.clientAddress };
}

export async function createContext(em: Em, logger: Logger, config: AppConfig, request: Request, clock: Clock = systemClock): Promise<GraphQLContext> {
  let checked: CheckedAccessToken | null = null;
  const bearer = bearerTokenOf(request);
  if (bearer === 'malformed') {
    checked = { actor: null, passwordChangeActor: null, problem: 'invalid', ideSessionFamily: null, expiresAt: null };
  } else if (bearer !== null) {
    checked = await checkAccessToken(bearer, config, em);
  } else if (request.method === 'POST') {
    // The IDE's cookie only without an Authorization header, and only on a POST with the same-origin
    // proof (checkedIdeAccess): GETs and cross-site requests are anonymous however many cookies they carry.
    checked = await checkedIdeAccess(request, config, em);
  }
  const actor = checked?.actor ?? null;
  const passwordChangeActor = checked?.passwordChangeActor ?? null;
  const tokenProblem: GraphQLContext['tokenProblem'] = passwordChangeActor ? 'password-change-required' : (checked?.problem ?? null);
  const clientAddress = request.ip ?? request.socket.remoteAddress ?? 'unknown';
  return {
    em,
    loaders: createLoaders(em, actor),
    logger,
    config,
    actor,
    passwordChangeActor,
    tokenProblem,
    clientAddress,
    requestOrigin: requestOriginOf(request, config),
    clock,
  };
}
