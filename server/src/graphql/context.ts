import type { Request } from 'express';
import type { AppConfig } from '../config';
import type { Em } from '../db/orm';
import type { Logger } from '../logger';
import type { Actor } from '../modules/auth/actor';
import { accountIsUsable } from '../modules/auth/account-status';
import { AccessTokenError, verifyAccessToken } from '../modules/auth/tokens';
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
  tokenProblem: AccessTokenError['reason'] | 'deactivated' | null;
  clientAddress: string;
}

export async function createContext(em: Em, logger: Logger, config: AppConfig, request: Pick<Request, 'headers' | 'ip' | 'socket'>): Promise<GraphQLContext> {
  let actor: Actor | null = null;
  let tokenProblem: GraphQLContext['tokenProblem'] = null;
  const header = request.headers.authorization;
  if (typeof header === 'string' && header.trim() !== '') {
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match) {
      tokenProblem = 'invalid';
    } else {
      try {
        actor = await verifyAccessToken(match[1]!, config.auth.jwtSecret);
      } catch (error) {
        if (!(error instanceof AccessTokenError)) throw error;
        tokenProblem = error.reason;
      }
      if (actor && !(await accountIsUsable(em, actor))) {
        actor = null;
        tokenProblem = 'deactivated';
      }
    }
  }
  const clientAddress = request.ip ?? request.socket.remoteAddress ?? 'unknown';
  return { em, loaders: createLoaders(em, actor), logger, config, actor, tokenProblem, clientAddress };
}
