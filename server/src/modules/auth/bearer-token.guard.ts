import type { Request } from 'express';
import type { AppConfig } from '../../config';
import type { Em } from '../../core/entity-manager';
import { PasswordChangeRequiredError, UnauthenticatedError } from '../../core/errors';
import { accountIsUsable } from './account-status.service';
import type { Actor } from '../../core/caller';
import { AccessTokenError, verifyToken } from './token.service';

/**
 * The caller of a plain HTTP route, from the same Bearer access token the GraphQL API takes and with
 * the same checks: signature, expiry, and that the account (and its cadre) is still active.
 */
export async function actorFromBearer(request: Pick<Request, 'headers'>, config: AppConfig, em: Em): Promise<Actor> {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization?.trim() ?? '');
  if (!match) throw UnauthenticatedError.forToken(null);
  let actor: Actor;
  try {
    const verified = await verifyToken(match[1]!, config.auth.jwtSecret);
    if (verified.passwordChangeOnly) {
      throw new PasswordChangeRequiredError();
    }
    actor = verified.actor;
  } catch (error) {
    if (error instanceof AccessTokenError) throw UnauthenticatedError.forToken(error.reason);
    throw error;
  }
  if (!(await accountIsUsable(em, actor))) throw UnauthenticatedError.forToken('deactivated');
  return actor;
}
