import { ForbiddenError } from '../../src/core/errors';
import { contactPointPolicy } from '../../src/modules/contact-points/contact-point.policy';
import { CITY, DISTRICT, cadre, cityAdmin, cityAnalyst, districtAdmin, districtAnalyst, unscopedAdmin } from './actors';

// 联系点: the city-level leaders' contact points, read where their target lies, kept by the city. Pure.

describe('contactPointPolicy', () => {
  it('scopes a point by where its target lies: a region, a unit, a household or a petition case', () => {
    const subtree = { path: { $like: `${DISTRICT}%` } };
    expect(contactPointPolicy.scope(districtAnalyst)).toEqual({
      $or: [{ targetRegion: subtree }, { unit: { region: subtree } }, { household: { region: subtree } }, { petitionCase: { household: { region: subtree } } }],
    });
    expect(JSON.stringify(contactPointPolicy.scope(cityAdmin))).toContain(`${CITY}%`);
  });

  it.each([cadre, unscopedAdmin])('lists no point to a caller without a region subtree ($role)', (actor) => {
    expect(() => contactPointPolicy.scope(actor)).toThrow(ForbiddenError);
  });

  it("leaves the points and their kinds to the city's administrators", () => {
    expect(contactPointPolicy.mayCreate(cityAdmin)).toBe(true);
    expect(contactPointPolicy.mayEnd(cityAdmin)).toBe(true);
    expect(contactPointPolicy.mayManageKinds(cityAdmin)).toBe(true);
    for (const actor of [districtAdmin, cityAnalyst, districtAnalyst, cadre, unscopedAdmin]) {
      expect(contactPointPolicy.mayCreate(actor)).toBe(false);
      expect(contactPointPolicy.mayEnd(actor)).toBe(false);
      expect(contactPointPolicy.mayManageKinds(actor)).toBe(false);
    }
  });
});
