import { RawQueryFragment } from '@mikro-orm/core';
import { NOTHING } from '../../src/core/policy';
import { demandPolicy } from '../../src/modules/demands/demand.policy';
import { cadre, CITY, cityAdmin, cityAnalyst, DISTRICT, districtAdmin, districtAnalyst, unscopedAdmin } from './actors';

// Demands (诉求): read with the household's file; the household's cadre records a confirmation. Pure.

describe('demandPolicy.scope', () => {
  it("gives staff the demands of their subtree's households", () => {
    expect(demandPolicy.scope(cityAnalyst)).toEqual({ household: { region: { path: { $like: `${CITY}%` } } } });
    expect(demandPolicy.scope(districtAdmin)).toEqual({ household: { region: { path: { $like: `${DISTRICT}%` } } } });
  });

  it("gives a cadre the demands of the cadre's assigned households", () => {
    const scope = demandPolicy.scope(cadre) as { household: { id: { $in: RawQueryFragment } } };
    expect(scope.household.id.$in).toBeInstanceOf(RawQueryFragment);
    expect([...scope.household.id.$in.params]).toEqual([cadre.cadreId]);
  });

  it('gives an unscoped token nothing', () => {
    expect(demandPolicy.scope(unscopedAdmin)).toEqual({ household: NOTHING });
  });
});

describe('demandPolicy.mayConfirm', () => {
  it('lets cadres confirm resolutions, nobody else', () => {
    expect(demandPolicy.mayConfirm(cadre)).toBe(true);
    for (const actor of [cityAdmin, districtAdmin, cityAnalyst, districtAnalyst, unscopedAdmin]) expect(demandPolicy.mayConfirm(actor)).toBe(false);
    expect(demandPolicy.mayConfirm({ ...cadre, cadreId: null })).toBe(false);
  });
});
