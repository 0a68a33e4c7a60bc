import { authPolicy, mayUseDevelopmentSignIn } from '../../src/modules/auth/auth.policy';
import { CITY, DISTRICT, OTHER_DISTRICT, VILLAGE, cadre, cityAdmin, cityAnalyst, districtAdmin, districtAnalyst, unscopedAdmin } from './actors';

// Signing in: who changes a password, who creates accounts and issues bind codes, and the development
// sign-in's switch. Pure. What a password-change token serves (me and changePassword; every other
// operation answers PASSWORD_CHANGE_REQUIRED) is no predicate: the request context keeps its holder
// out of `actor`, and tests/probes/accounts.test.ts asserts it against the running server.

describe('authPolicy', () => {
  it('lets administrators and analysts change their own password; cadres have none', () => {
    for (const actor of [cityAdmin, districtAdmin, cityAnalyst, districtAnalyst]) expect(authPolicy.mayChangePassword(actor)).toBe(true);
    expect(authPolicy.mayChangePassword(cadre)).toBe(false);
  });

  it("lets an administrator create accounts scoped to their own subtree (their own region included), never above or beside it", () => {
    expect(authPolicy.mayCreateAccount(districtAdmin, { scopePath: DISTRICT })).toBe(true);
    expect(authPolicy.mayCreateAccount(districtAdmin, { scopePath: VILLAGE })).toBe(true);
    expect(authPolicy.mayCreateAccount(districtAdmin, { scopePath: CITY })).toBe(false);
    expect(authPolicy.mayCreateAccount(districtAdmin, { scopePath: OTHER_DISTRICT })).toBe(false);
    expect(authPolicy.mayCreateAccount(cityAdmin, { scopePath: CITY })).toBe(true);
    for (const actor of [cityAnalyst, districtAnalyst, cadre, unscopedAdmin]) expect(authPolicy.mayCreateAccount(actor, { scopePath: VILLAGE })).toBe(false);
  });

  it("lets the administrators over a cadre's unit issue the cadre's bind code", () => {
    expect(authPolicy.mayIssueBindCode(districtAdmin, { unitRegionPath: VILLAGE })).toBe(true);
    expect(authPolicy.mayIssueBindCode(districtAdmin, { unitRegionPath: CITY })).toBe(false);
    expect(authPolicy.mayIssueBindCode(cityAdmin, { unitRegionPath: OTHER_DISTRICT })).toBe(true);
    for (const actor of [cityAnalyst, districtAnalyst, cadre, unscopedAdmin]) expect(authPolicy.mayIssueBindCode(actor, { unitRegionPath: VILLAGE })).toBe(false);
  });

  it("opens the development sign-in only where the server's configuration does", () => {
    expect(mayUseDevelopmentSignIn({ devSignIn: true })).toBe(true);
    expect(mayUseDevelopmentSignIn({ devSignIn: false })).toBe(false);
  });
});
