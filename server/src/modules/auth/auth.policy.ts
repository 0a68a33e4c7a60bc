import { Role } from '@wanjia/shared';
import { isAdmin, pathInScope, type Actor } from '../../core/caller';
import type { Policy } from '../../core/policy';

/**
 * What a password-change token (a sign-in with a one-time password from resetPassword) serves: it is
 * nobody's actor for anything else, which answers PASSWORD_CHANGE_REQUIRED.
 */
export const PASSWORD_CHANGE_OPERATIONS: ReadonlySet<string> = new Set(['me', 'changePassword', 'logout']);

/**
 * Signing in and who may hand out sign-ins. Anyone may try to sign in (login, wechatLogin, bindWechat,
 * refreshToken, logout take no role: the velocity limits and the lockout guard them); the development
 * sign-in only where the server turns it on (`mayUseDevelopmentSignIn`).
 */
export const authPolicy = {
  /** The holder of a password-change token acts only to replace the one-time password (and to see who they are, or leave). */
  mayUsePasswordChangeToken(_holder: Actor, operation: string): boolean {
    return PASSWORD_CHANGE_OPERATIONS.has(operation);
  },

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
