import { RawQueryFragment } from '@mikro-orm/core';
import { petitionCasePolicy } from '../../src/modules/petition-cases/petition-case.policy';
import { cadre, CITY, cityAdmin, cityAnalyst, DISTRICT, districtAdmin, districtAnalyst, OTHER_DISTRICT, OTHER_VILLAGE, unscopedAdmin, VILLAGE } from './actors';

// Petition cases: part of a household's file, managed by its administrators, details hidden from analysts. Pure.

describe('petitionCasePolicy.scope', () => {
  it("gives staff the cases of their subtree's households", () => {
    expect(petitionCasePolicy.scope(districtAdmin)).toEqual({ household: { region: { path: { $like: `${DISTRICT}%` } } } });
    expect(petitionCasePolicy.scope(cityAnalyst)).toEqual({ household: { region: { path: { $like: `${CITY}%` } } } });
  });

  it("gives a cadre the cases of the cadre's assigned households", () => {
    const scope = petitionCasePolicy.scope(cadre) as { household: { id: { $in: RawQueryFragment } } };
    expect(scope.household.id.$in).toBeInstanceOf(RawQueryFragment);
    expect([...scope.household.id.$in.params]).toEqual([cadre.cadreId]);
  });
});

describe('petitionCasePolicy.mayManage', () => {
  it('lets administrators manage the cases of their subtree', () => {
    expect(petitionCasePolicy.mayManage(districtAdmin, { regionPath: VILLAGE })).toBe(true);
    expect(petitionCasePolicy.mayManage(districtAdmin, { regionPath: OTHER_VILLAGE })).toBe(false);
    expect(petitionCasePolicy.mayManage(cityAdmin, { regionPath: OTHER_VILLAGE })).toBe(true);
  });

  it('refuses analysts, cadres and an unscoped token', () => {
    for (const actor of [cityAnalyst, districtAnalyst, cadre, unscopedAdmin]) expect(petitionCasePolicy.mayManage(actor, { regionPath: VILLAGE })).toBe(false);
  });
});

describe('petitionCasePolicy.mayNameLeader', () => {
  it("takes a leader from the case's region or above it, or from the administrator's subtree", () => {
    // A city leader for a district's case.
    expect(petitionCasePolicy.mayNameLeader(districtAdmin, { leaderRegionPath: CITY, caseRegionPath: VILLAGE })).toBe(true);
    expect(petitionCasePolicy.mayNameLeader(districtAdmin, { leaderRegionPath: DISTRICT, caseRegionPath: VILLAGE })).toBe(true);
    // A neighbouring district's leader sits neither above the case nor in the administrator's subtree.
    expect(petitionCasePolicy.mayNameLeader(districtAdmin, { leaderRegionPath: OTHER_DISTRICT, caseRegionPath: VILLAGE })).toBe(false);
    expect(petitionCasePolicy.mayNameLeader(cityAdmin, { leaderRegionPath: OTHER_DISTRICT, caseRegionPath: VILLAGE })).toBe(true);
  });

  it("refuses a case outside the administrator's subtree and anyone but administrators", () => {
    expect(petitionCasePolicy.mayNameLeader(districtAdmin, { leaderRegionPath: CITY, caseRegionPath: OTHER_VILLAGE })).toBe(false);
    for (const actor of [cityAnalyst, districtAnalyst, cadre, unscopedAdmin]) {
      expect(petitionCasePolicy.mayNameLeader(actor, { leaderRegionPath: CITY, caseRegionPath: VILLAGE })).toBe(false);
    }
  });
});

describe('petitionCasePolicy.seesDetails', () => {
  it('shows title, demand and resolution to administrators and cadres, not to analysts', () => {
    expect(petitionCasePolicy.seesDetails(cityAdmin)).toBe(true);
    expect(petitionCasePolicy.seesDetails(districtAdmin)).toBe(true);
    expect(petitionCasePolicy.seesDetails(cadre)).toBe(true);
    expect(petitionCasePolicy.seesDetails(cityAnalyst)).toBe(false);
    expect(petitionCasePolicy.seesDetails(districtAnalyst)).toBe(false);
  });
});
