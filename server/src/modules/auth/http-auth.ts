import type { Request } from 'express';
import type { AppConfig } from '../../config';
import type { Em } from '../../db/orm';
import { ErrorCode } from '../../graphql/errors';
import { accountIsUsable } from './account-status';
import type { Actor } from './actor';
import { AccessTokenError, tokenProblemMessage, verifyToken } from './tokens';

/** A refusal of a plain HTTP route (uploads, downloads): the status, the API's error code and, for bad input, the field. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * The caller of a plain HTTP route, from the same Bearer access token the GraphQL API takes and with
 * the same checks: signature, expiry, and that the account (and its cadre) is still active.
 */
export async function actorFromBearer(request: Pick<Request, 'headers'>, config: AppConfig, em: Em): Promise<Actor> {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization?.trim() ?? '');
  if (!match) throw new HttpProblem(401, ErrorCode.UNAUTHENTICATED, tokenProblemMessage(null));
  let actor: Actor;
  try {
    const verified = await verifyToken(match[1]!, config.auth.jwtSecret);
    if (verified.passwordChangeOnly) {
      throw new HttpProblem(403, ErrorCode.PASSWORD_CHANGE_REQUIRED, 'This sign-in used a one-time password: change it with changePassword first');
    }
    actor = verified.actor;
  } catch (error) {
    if (error instanceof HttpProblem) throw error;
    if (error instanceof AccessTokenError) {
      throw new HttpProblem(401, ErrorCode.UNAUTHENTICATED, tokenProblemMessage(error.reason));
    }
    throw error;
  }
  if (!(await accountIsUsable(em, actor))) throw new HttpProblem(401, ErrorCode.UNAUTHENTICATED, tokenProblemMessage('deactivated'));
  return actor;
}
