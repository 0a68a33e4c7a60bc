import { ForbiddenError } from '../../src/core/errors';
import { unitPairingPolicy } from '../../src/modules/unit-pairings/unit-pairing.policy';
import { CITY, DISTRICT, OTHER_DISTRICT, OTHER_VILLAGE, VILLAGE, cadre, cityAdmin, cityAnalyst, districtAdmin, districtAnalyst, unscopedAdmin } from './actors';

// 单位结对帮扶: who reads, starts and ends a unit's pairing with a village. Pure.

describe('unitPairingPolicy', () => {
  it("scopes pairings by their village or community, in the caller's subtree", () => {
    expect(unitPairingPolicy.scope(districtAnalyst)).toEqual({ region: { path: { $like: `${DISTRICT}%` } } });
    expect(unitPairingPolicy.scope(cityAdmin)).toEqual({ region: { path: { $like: `${CITY}%` } } });
  });

  it.each([cadre, unscopedAdmin])('lists no pairing to a caller without a region subtree ($role)', (actor) => {
    expect(() => unitPairingPolicy.scope(actor)).toThrow(ForbiddenError);
  });

  it('pairs a unit of the subtree, or one above the village (a city agency), with a village of the subtree', () => {
    expect(unitPairingPolicy.mayStart(districtAdmin, { unitRegionPath: DISTRICT, regionPath: VILLAGE })).toBe(true);
    expect(unitPairingPolicy.mayStart(districtAdmin, { unitRegionPath: CITY, regionPath: VILLAGE })).toBe(true);
    expect(unitPairingPolicy.mayStart(districtAdmin, { unitRegionPath: OTHER_DISTRICT, regionPath: VILLAGE })).toBe(false);
    expect(unitPairingPolicy.mayStart(districtAdmin, { unitRegionPath: DISTRICT, regionPath: OTHER_VILLAGE })).toBe(false);
    expect(unitPairingPolicy.mayStart(cityAdmin, { unitRegionPath: OTHER_DISTRICT, regionPath: VILLAGE })).toBe(true);
  });

  it('leaves starting and ending pairings to administrators', () => {
    for (const actor of [cityAnalyst, districtAnalyst, cadre, unscopedAdmin]) {
      expect(unitPairingPolicy.mayStart(actor, { unitRegionPath: DISTRICT, regionPath: VILLAGE })).toBe(false);
      expect(unitPairingPolicy.mayEnd(actor, { regionPath: VILLAGE })).toBe(false);
    }
  });

  it('lets the administrators over the village end its pairing', () => {
    expect(unitPairingPolicy.mayEnd(districtAdmin, { regionPath: VILLAGE })).toBe(true);
    expect(unitPairingPolicy.mayEnd(districtAdmin, { regionPath: OTHER_VILLAGE })).toBe(false);
    expect(unitPairingPolicy.mayEnd(cityAdmin, { regionPath: OTHER_VILLAGE })).toBe(true);
  });
});
