import type { Role } from '@wanjia/shared';
import type { AuthCheckerFn } from 'type-graphql';
import type { GraphQLContext } from './context';
import { ForbiddenError, PasswordChangeRequiredError, UnauthenticatedError } from './errors';

/**
 * `@Authorized(...roles)` on every operation: no token (or a bad one) is UNAUTHENTICATED, a role not
 * listed is FORBIDDEN. Region scope is checked in each feature's policy, in SQL.
 */
export const authChecker: AuthCheckerFn<GraphQLContext, Role> = ({ context }, roles) => {
  if (!context.actor) {
    if (context.tokenProblem === 'password-change-required') throw new PasswordChangeRequiredError();
    throw new UnauthenticatedError(
      context.tokenProblem === 'expired'
        ? 'Access token expired; refresh it'
        : context.tokenProblem === 'deactivated'
          ? 'This account or cadre has been deactivated'
          : context.tokenProblem
            ? 'Access token invalid'
            : 'Sign in first',
    );
  }
  if (roles.length > 0 && !roles.includes(context.actor.role)) throw new ForbiddenError();
  return true;
};
