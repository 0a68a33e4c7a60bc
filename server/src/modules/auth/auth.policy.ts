import { Role } from '@wanjia/shared';
import { isAdmin, pathInScope, type Actor } from '../../core/caller';
import type { Policy } from '../../core/policy';

/**
 * Signing in and who may hand out sign-ins. Anyone may try to sign in (login, wechatLogin, bindWechat,
 * refreshToken, logout take no role: the velocity limits and the lockout guard them); the development
 * sign-in only where the server turns it on (`mayUseDevelopmentSignIn`).
 *
 * A password-change token (a sign-in with a one-time password from resetPassword) needs no rule here:
 * the request context never makes its holder an actor, so every `@Authorized` operation answers
 * PASSWORD_CHANGE_REQUIRED (graphql/auth-checker.ts); only `me` and `changePassword` take the holder as
 * their caller (auth.resolver.ts `selfOf`), and changePassword still asks `mayChangePassword`. logout
 * reads no access token at all: it ends the sign-in of the refresh token it is given.
 */
export const authPolicy = {
  /** Administrators and analysts own a password; cadres sign in through WeChat and have none to change. */
  mayChangePassword(self: Actor): boolean {
    return self.role === Role.ADMIN || self.role === Role.ANALYST;
  },

  /**
   * An administrator creates administrator and analyst accounts scoped to a region of their own
   * subtree (the same region included). Cadres' accounts come from issueBindCode instead.
   */
  mayCreateAccount(actor: Actor, account: { scopePath: string }): boolean {
    return isAdmin(actor) && pathInScope(actor, account.scopePath);
  },

  /** A bind code for a cadre whose unit lies in the administrator's subtree (the cadre's scope, checked in SQL). */
  mayIssueBindCode(actor: Actor, cadre: { unitRegionPath: string }): boolean {
    return isAdmin(actor) && pathInScope(actor, cadre.unitRegionPath);
  },
} satisfies Policy;

/**
 * The development sign-in (a demo cadre without WeChat) is the server's switch, not a caller's right:
 * on only where the configuration says so (DEV_SIGN_IN, never in production), FEATURE_DISABLED to
 * everyone elsewhere.
 */
export function mayUseDevelopmentSignIn(configuration: { devSignIn: boolean }): boolean {
  return configuration.devSignIn;
}
