import { ForbiddenError } from '../../src/core/errors';
import { unitPolicy } from '../../src/modules/units/unit.policy';
import { CITY, DISTRICT, OTHER_DISTRICT, VILLAGE, cadre, cityAdmin, cityAnalyst, districtAdmin, districtAnalyst, unscopedAdmin } from './actors';

// Units (单位): read by the staff of their region's subtree, managed by its administrators. Pure.

describe('unitPolicy', () => {
  it("scopes the units to those of the caller's subtree", () => {
    expect(unitPolicy.scope(cityAnalyst)).toEqual({ region: { path: { $like: `${CITY}%` } } });
    expect(unitPolicy.scope(districtAdmin)).toEqual({ region: { path: { $like: `${DISTRICT}%` } } });
  });

  it.each([cadre, unscopedAdmin])('lists no unit to a caller without a region subtree ($role)', (actor) => {
    expect(() => unitPolicy.scope(actor)).toThrow(ForbiddenError);
  });

  it('lets administrators create units in their subtree only', () => {
    expect(unitPolicy.mayCreate(districtAdmin, { path: VILLAGE })).toBe(true);
    expect(unitPolicy.mayCreate(districtAdmin, { path: DISTRICT })).toBe(true);
    expect(unitPolicy.mayCreate(districtAdmin, { path: CITY })).toBe(false);
    expect(unitPolicy.mayCreate(districtAdmin, { path: OTHER_DISTRICT })).toBe(false);
    expect(unitPolicy.mayCreate(cityAdmin, { path: OTHER_DISTRICT })).toBe(true);
    for (const actor of [cityAnalyst, districtAnalyst, cadre, unscopedAdmin]) expect(unitPolicy.mayCreate(actor, { path: VILLAGE })).toBe(false);
  });

  it('lets administrators change a unit of their subtree and move it within the subtree, not out of it', () => {
    expect(unitPolicy.mayUpdate(districtAdmin, { regionPath: VILLAGE, newRegionPath: DISTRICT })).toBe(true);
    expect(unitPolicy.mayUpdate(districtAdmin, { regionPath: VILLAGE, newRegionPath: OTHER_DISTRICT })).toBe(false);
    expect(unitPolicy.mayUpdate(districtAdmin, { regionPath: OTHER_DISTRICT, newRegionPath: VILLAGE })).toBe(false);
    expect(unitPolicy.mayUpdate(cityAdmin, { regionPath: OTHER_DISTRICT, newRegionPath: VILLAGE })).toBe(true);
    expect(unitPolicy.mayUpdate(districtAnalyst, { regionPath: VILLAGE, newRegionPath: VILLAGE })).toBe(false);
  });
});
