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
  it("lets only a cadre the household is assigned to now record the household's answer", () => {
    expect(demandPolicy.mayConfirm(cadre, { currentCadreIds: [cadre.cadreId!] })).toBe(true);
    // A household with two active assignments (one-to-one and regular): either cadre.
    expect(demandPolicy.mayConfirm(cadre, { currentCadreIds: [cadre.cadreId! + 1, cadre.cadreId!] })).toBe(true);
    // Not assigned now (never, or transferred away): no.
    expect(demandPolicy.mayConfirm(cadre, { currentCadreIds: [cadre.cadreId! + 1] })).toBe(false);
    expect(demandPolicy.mayConfirm(cadre, { currentCadreIds: [] })).toBe(false);
    for (const actor of [cityAdmin, districtAdmin, cityAnalyst, districtAnalyst, unscopedAdmin]) {
      expect(demandPolicy.mayConfirm(actor, { currentCadreIds: [cadre.cadreId!] })).toBe(false);
    }
    expect(demandPolicy.mayConfirm({ ...cadre, cadreId: null }, { currentCadreIds: [cadre.cadreId!] })).toBe(false);
  });
});
