import type { Role } from '@wanjia/shared';
import type { AuthCheckerFn } from 'type-graphql';
import { tokenProblemMessage } from '../core/errors';
import type { GraphQLContext } from './context';
import { ForbiddenError, PasswordChangeRequiredError, UnauthenticatedError } from '../core/errors';

/** The refusal for a request whose token signs nobody in: why, when a token was presented. */
export function notSignedInError(tokenProblem: GraphQLContext['tokenProblem']): UnauthenticatedError | PasswordChangeRequiredError {
  if (tokenProblem === 'password-change-required') return new PasswordChangeRequiredError();
  return new UnauthenticatedError(tokenProblemMessage(tokenProblem));
}

/**
 * `@Authorized(...roles)` on every operation: no token (or a bad one) is UNAUTHENTICATED, a role not
 * listed is FORBIDDEN. Region scope is checked in each feature's policy, in SQL.
 */
export const authChecker: AuthCheckerFn<GraphQLContext, Role> = ({ context }, roles) => {
  if (!context.actor) throw notSignedInError(context.tokenProblem);
  if (roles.length > 0 && !roles.includes(context.actor.role)) throw new ForbiddenError();
  return true;
};
