import { RawQueryFragment } from '@mikro-orm/core';
import { assignmentPolicy } from '../../src/modules/assignments/assignment.policy';
import { cadre, CITY, cityAdmin, cityAnalyst, DISTRICT, districtAdmin, districtAnalyst, OTHER_DISTRICT, OTHER_VILLAGE, unscopedAdmin, VILLAGE } from './actors';

// Assignments (联系帮扶): read with the household's file, paired and ended by its administrators. Pure.

describe('assignmentPolicy.scope', () => {
  it("gives staff the assignments of their subtree's households, ended ones included", () => {
    expect(assignmentPolicy.scope(districtAnalyst)).toEqual({ household: { region: { path: { $like: `${DISTRICT}%` } } } });
    expect(assignmentPolicy.scope(cityAdmin)).toEqual({ household: { region: { path: { $like: `${CITY}%` } } } });
  });

  it("gives a cadre the assignment history of the cadre's assigned households", () => {
    const scope = assignmentPolicy.scope(cadre) as { household: { id: { $in: RawQueryFragment } } };
    expect(scope.household.id.$in).toBeInstanceOf(RawQueryFragment);
    expect([...scope.household.id.$in.params]).toEqual([cadre.cadreId]);
  });
});

describe('assignmentPolicy.mayManage', () => {
  it("lets administrators transfer and end the assignments of their subtree's households", () => {
    expect(assignmentPolicy.mayManage(districtAdmin, { householdRegionPath: VILLAGE })).toBe(true);
    expect(assignmentPolicy.mayManage(districtAdmin, { householdRegionPath: OTHER_VILLAGE })).toBe(false);
    expect(assignmentPolicy.mayManage(cityAdmin, { householdRegionPath: OTHER_VILLAGE })).toBe(true);
    for (const actor of [cityAnalyst, districtAnalyst, cadre, unscopedAdmin]) expect(assignmentPolicy.mayManage(actor, { householdRegionPath: VILLAGE })).toBe(false);
  });
});

describe('assignmentPolicy.mayPair', () => {
  it("pairs a cadre whose unit sits in the administrator's subtree or above the household", () => {
    expect(assignmentPolicy.mayPair(districtAdmin, { cadreUnitRegionPath: VILLAGE, householdRegionPath: VILLAGE })).toBe(true);
    expect(assignmentPolicy.mayPair(districtAdmin, { cadreUnitRegionPath: DISTRICT, householdRegionPath: VILLAGE })).toBe(true);
    // A city agency's cadre for a district's village.
    expect(assignmentPolicy.mayPair(districtAdmin, { cadreUnitRegionPath: CITY, householdRegionPath: VILLAGE })).toBe(true);
    expect(assignmentPolicy.mayPair(districtAdmin, { cadreUnitRegionPath: OTHER_DISTRICT, householdRegionPath: VILLAGE })).toBe(false);
  });

  it("refuses a household outside the administrator's subtree and anyone but administrators", () => {
    expect(assignmentPolicy.mayPair(districtAdmin, { cadreUnitRegionPath: CITY, householdRegionPath: OTHER_VILLAGE })).toBe(false);
    expect(assignmentPolicy.mayPair(cityAdmin, { cadreUnitRegionPath: OTHER_DISTRICT, householdRegionPath: VILLAGE })).toBe(true);
    for (const actor of [cityAnalyst, districtAnalyst, cadre, unscopedAdmin]) {
      expect(assignmentPolicy.mayPair(actor, { cadreUnitRegionPath: VILLAGE, householdRegionPath: VILLAGE })).toBe(false);
    }
  });
});
