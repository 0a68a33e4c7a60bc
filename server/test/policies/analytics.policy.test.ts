import { Role } from '@wanjia/shared';
import type { Actor } from '../../src/core/caller';
import { NOTHING } from '../../src/core/policy';
import { analyticsPolicy } from '../../src/modules/analytics/analytics.policy';

// The analysts' figures, lists and reports: who may read them and which regions they cover. Pure.

const CITY = '210500000000/';
const DISTRICT = `${CITY}210502000000/`;

const staff = (role: Role, scopePath: string, scopeRegionId: number): Actor => ({ accountId: 1, role, scopeRegionId, scopePath, cadreId: null });
const cityAdmin = staff(Role.ADMIN, CITY, 1);
const districtAdmin = staff(Role.ADMIN, DISTRICT, 2);
const cityAnalyst = staff(Role.ANALYST, CITY, 1);
const districtAnalyst = staff(Role.ANALYST, DISTRICT, 2);
const cadre: Actor = { accountId: 9, role: Role.CADRE, scopeRegionId: null, scopePath: null, cadreId: 4 };
/** A staff token without a scope (never issued; the rules must still refuse it). */
const unscopedAnalyst: Actor = { accountId: 5, role: Role.ANALYST, scopeRegionId: null, scopePath: null, cadreId: null };

const predicates = ['mayReadFigures', 'mayReadLists', 'mayExportReport'] as const;

describe('analyticsPolicy', () => {
  it.each([cityAdmin, districtAdmin, cityAnalyst, districtAnalyst])('lets $role of $scopePath read the figures, the lists and the reports', (actor) => {
    for (const predicate of predicates) expect(analyticsPolicy[predicate](actor)).toBe(true);
  });

  it.each([cadre, unscopedAnalyst])('refuses everything to a caller without a region subtree ($role)', (actor) => {
    for (const predicate of predicates) expect(analyticsPolicy[predicate](actor)).toBe(false);
    expect(analyticsPolicy.scope(actor)).toEqual(NOTHING);
  });

  it("scopes every figure and list to the regions of the caller's own subtree", () => {
    expect(analyticsPolicy.scope(cityAdmin)).toEqual({ path: { $like: `${CITY}%` } });
    expect(analyticsPolicy.scope(cityAnalyst)).toEqual({ path: { $like: `${CITY}%` } });
    expect(analyticsPolicy.scope(districtAdmin)).toEqual({ path: { $like: `${DISTRICT}%` } });
    expect(analyticsPolicy.scope(districtAnalyst)).toEqual({ path: { $like: `${DISTRICT}%` } });
  });

  it('escapes LIKE wildcards in a scope path, so that a path matches only itself', () => {
    expect(analyticsPolicy.scope(staff(Role.ANALYST, '21_5%/', 3))).toEqual({ path: { $like: '21\\_5\\%/%' } });
  });
});
