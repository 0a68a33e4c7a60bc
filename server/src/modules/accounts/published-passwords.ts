/**
 * The demo data set's staff passwords. They are printed at start and written in the README, so anyone
 * can sign in with them: production refuses to start while an account still has one, and no account
 * may be given one (createAccount, changePassword, the operator's CLI).
 */
export const DEMO_PASSWORDS = {
  admin: 'wanjia-admin-demo',
  'pingshan-admin': 'wanjia-pingshan-demo',
  analyst: 'wanjia-analyst-demo',
} as const;

/** Passwords nobody may use: the demo ones, and the examples in the documentation. */
export const PUBLISHED_PASSWORDS: readonly string[] = [...Object.values(DEMO_PASSWORDS)];
