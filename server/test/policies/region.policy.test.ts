import { ForbiddenError } from '../../src/core/errors';
import { regionPolicy } from '../../src/modules/regions/region.policy';
import { CITY, DISTRICT, OTHER_DISTRICT, VILLAGE, cadre, cityAdmin, cityAnalyst, districtAdmin, districtAnalyst, staff, unscopedAdmin } from './actors';
import { Role } from '@wanjia/shared';

// The administrative tree: who reads which part of it and who shapes it. Pure: no database.

describe('regionPolicy', () => {
  it("scopes staff to their own subtree, as one LIKE range on the path (wildcards escaped)", () => {
    expect(regionPolicy.scope(cityAdmin)).toEqual({ path: { $like: `${CITY}%` } });
    expect(regionPolicy.scope(districtAnalyst)).toEqual({ path: { $like: `${DISTRICT}%` } });
    expect(regionPolicy.scope(staff(Role.ADMIN, '21_5%/', 7))).toEqual({ path: { $like: '21\\_5\\%/%' } });
  });

  it.each([cadre, unscopedAdmin])('gives a caller without a region subtree no tree ($role)', (actor) => {
    expect(() => regionPolicy.scope(actor)).toThrow(ForbiddenError);
    expect(regionPolicy.mayList(actor)).toBe(false);
    expect(regionPolicy.mayRead(actor, { path: CITY })).toBe(false);
  });

  it('lets staff read their scope root and what lies below it, never above it or beside it', () => {
    for (const actor of [districtAdmin, districtAnalyst]) {
      expect(regionPolicy.mayList(actor)).toBe(true);
      expect(regionPolicy.mayRead(actor, { path: DISTRICT })).toBe(true);
      expect(regionPolicy.mayRead(actor, { path: VILLAGE })).toBe(true);
      expect(regionPolicy.mayRead(actor, { path: CITY })).toBe(false);
      expect(regionPolicy.mayRead(actor, { path: OTHER_DISTRICT })).toBe(false);
    }
    expect(regionPolicy.mayRead(cityAnalyst, { path: OTHER_DISTRICT })).toBe(true);
  });

  it("lets only the city's administrators add and rename regions", () => {
    expect(regionPolicy.mayCreate(cityAdmin)).toBe(true);
    expect(regionPolicy.mayRename(cityAdmin)).toBe(true);
    for (const actor of [districtAdmin, cityAnalyst, districtAnalyst, cadre, unscopedAdmin]) {
      expect(regionPolicy.mayCreate(actor)).toBe(false);
      expect(regionPolicy.mayRename(actor)).toBe(false);
    }
  });

  it("shows a region's parent only inside the caller's subtree", () => {
    expect(regionPolicy.seesParent(districtAdmin, { path: DISTRICT })).toBe(true);
    expect(regionPolicy.seesParent(districtAdmin, { path: CITY })).toBe(false);
    expect(regionPolicy.seesParent(cityAdmin, { path: CITY })).toBe(true);
    expect(regionPolicy.seesParent(null, { path: CITY })).toBe(false);
    expect(regionPolicy.seesParent(cadre, { path: CITY })).toBe(false);
  });

  it('shows children inside the subtree, and above it only the way down to it', () => {
    expect(regionPolicy.seesChild(districtAdmin, { path: VILLAGE })).toBe(true);
    expect(regionPolicy.seesChild(districtAdmin, { path: DISTRICT })).toBe(true);
    expect(regionPolicy.seesChild(districtAdmin, { path: OTHER_DISTRICT })).toBe(false);
    expect(regionPolicy.seesChild(cityAdmin, { path: OTHER_DISTRICT })).toBe(true);
    expect(regionPolicy.seesChild(cadre, { path: DISTRICT })).toBe(false);
    expect(regionPolicy.seesChild(null, { path: DISTRICT })).toBe(false);
  });
});
