import type { Request } from 'express';
import type { AppConfig } from '../config';
import type { Em } from '../core/entity-manager';
import type { Logger } from '../logger';
import type { Actor, Caller } from '../core/caller';
import { UnauthenticatedError } from '../core/errors';
import { accountIsUsable } from '../modules/auth/account-status.service';
import { AccessTokenError, verifyToken } from '../modules/auth/token.service';
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
  tokenProblem: AccessTokenError['reason'] | 'deactivated' | 'password-change-required' | null;
  /**
   * The caller of a password-change token (a sign-in with a one-time password): not an actor for
   * anything (actor stays null), only for changePassword, me and logout.
   */
  passwordChangeActor?: Actor | null;
  clientAddress: string;
}

/**
 * The caller of an `@Authorized` operation, as services take it. The auth checker has already refused
 * a request without one; the check here only keeps a missing decorator from reaching a service.
 */
export function callerOf(ctx: Pick<GraphQLContext, 'actor' | 'clientAddress'>): Caller {
  if (!ctx.actor) throw new UnauthenticatedError();
  return { actor: ctx.actor, clientAddress: ctx.clientAddress };
}

export async function createContext(em: Em, logger: Logger, config: AppConfig, request: Pick<Request, 'headers' | 'ip' | 'socket'>): Promise<GraphQLContext> {
  let actor: Actor | null = null;
  let passwordChangeActor: Actor | null = null;
  let tokenProblem: GraphQLContext['tokenProblem'] = null;
  const header = request.headers.authorization;
  if (typeof header === 'string' && header.trim() !== '') {
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match) {
      tokenProblem = 'invalid';
    } else {
      try {
        const verified = await verifyToken(match[1]!, config.auth.jwtSecret);
        if (verified.passwordChangeOnly) passwordChangeActor = verified.actor;
        else actor = verified.actor;
      } catch (error) {
        if (!(error instanceof AccessTokenError)) throw error;
        tokenProblem = error.reason;
      }
      if (actor && !(await accountIsUsable(em, actor))) {
        actor = null;
        tokenProblem = 'deactivated';
      }
      if (passwordChangeActor) {
        const usable = await accountIsUsable(em, passwordChangeActor);
        if (!usable) passwordChangeActor = null;
        tokenProblem = usable ? 'password-change-required' : 'deactivated';
      }
    }
  }
  const clientAddress = request.ip ?? request.socket.remoteAddress ?? 'unknown';
  return { em, loaders: createLoaders(em, actor), logger, config, actor, passwordChangeActor, tokenProblem, clientAddress };
}
