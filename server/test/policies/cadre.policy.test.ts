import { ForbiddenError } from '../../src/core/errors';
import { cadrePolicy } from '../../src/modules/cadres/cadre.policy';
import { CITY, DISTRICT, OTHER_DISTRICT, VILLAGE, cadre, cityAdmin, cityAnalyst, districtAdmin, districtAnalyst, unscopedAdmin } from './actors';

// Cadres (党员干部): read by the staff over their unit, managed by its administrators, their phones
// shown in full only to those administrators and to the cadre. Pure.

describe('cadrePolicy', () => {
  it("scopes the cadres by their unit's region, in the caller's subtree", () => {
    expect(cadrePolicy.scope(districtAnalyst)).toEqual({ unit: { region: { path: { $like: `${DISTRICT}%` } } } });
    expect(cadrePolicy.scope(cityAdmin)).toEqual({ unit: { region: { path: { $like: `${CITY}%` } } } });
  });

  it.each([cadre, unscopedAdmin])('lists no cadre to a caller without a region subtree ($role)', (actor) => {
    expect(() => cadrePolicy.scope(actor)).toThrow(ForbiddenError);
  });

  it('lets the administrators over a unit add its cadres, change them within the subtree and switch them off or on', () => {
    expect(cadrePolicy.mayCreate(districtAdmin, { regionPath: VILLAGE })).toBe(true);
    expect(cadrePolicy.mayCreate(districtAdmin, { regionPath: OTHER_DISTRICT })).toBe(false);
    expect(cadrePolicy.mayUpdate(districtAdmin, { unitRegionPath: VILLAGE, newUnitRegionPath: DISTRICT })).toBe(true);
    expect(cadrePolicy.mayUpdate(districtAdmin, { unitRegionPath: VILLAGE, newUnitRegionPath: OTHER_DISTRICT })).toBe(false);
    expect(cadrePolicy.mayUpdate(districtAdmin, { unitRegionPath: CITY, newUnitRegionPath: VILLAGE })).toBe(false);
    expect(cadrePolicy.mayChangeStanding(districtAdmin, { unitRegionPath: VILLAGE })).toBe(true);
    expect(cadrePolicy.mayChangeStanding(districtAdmin, { unitRegionPath: CITY })).toBe(false);
    expect(cadrePolicy.mayChangeStanding(cityAdmin, { unitRegionPath: OTHER_DISTRICT })).toBe(true);
  });

  it('leaves managing cadres to administrators', () => {
    for (const actor of [cityAnalyst, districtAnalyst, cadre, unscopedAdmin]) {
      expect(cadrePolicy.mayCreate(actor, { regionPath: VILLAGE })).toBe(false);
      expect(cadrePolicy.mayUpdate(actor, { unitRegionPath: VILLAGE, newUnitRegionPath: VILLAGE })).toBe(false);
      expect(cadrePolicy.mayChangeStanding(actor, { unitRegionPath: VILLAGE })).toBe(false);
    }
  });

  it("asks the scope for a full phone only for administrators", () => {
    expect(cadrePolicy.seesManagedPhones(cityAdmin)).toBe(true);
    expect(cadrePolicy.seesManagedPhones(districtAdmin)).toBe(true);
    for (const actor of [cityAnalyst, districtAnalyst, cadre]) expect(cadrePolicy.seesManagedPhones(actor)).toBe(false);
  });

  it("shows a full phone to the administrators over the cadre's unit and to the cadre, masked to everyone else", () => {
    expect(cadrePolicy.seesPhone(districtAdmin, { id: 7, managed: true })).toBe(true);
    expect(cadrePolicy.seesPhone(districtAdmin, { id: 7, managed: false })).toBe(false);
    expect(cadrePolicy.seesPhone(cityAnalyst, { id: 7, managed: true })).toBe(false);
    expect(cadrePolicy.seesPhone(cadre, { id: cadre.cadreId!, managed: false })).toBe(true);
    expect(cadrePolicy.seesPhone(cadre, { id: 7, managed: false })).toBe(false);
  });
});
