import { NOTHING } from '../../src/core/policy';
import { myContactPointsPolicy } from '../../src/modules/contact-points/my-contact-points.policy';
import { supervisionPolicy } from '../../src/modules/demands/supervision.policy';
import { CITY, DISTRICT, OTHER_DISTRICT, OTHER_VILLAGE, VILLAGE, cadre, cityAdmin, cityAnalyst, districtAdmin, districtAnalyst, unscopedAdmin } from './actors';

// 督办: who reads escalations, who instructs, who sets the time limits and the ladder; a leader's own list. Pure.

const TOWNSHIP = VILLAGE.split('/').slice(0, 3).join('/') + '/';

describe('supervisionPolicy', () => {
  it('scopes escalations to staff whose subtree holds both the target region and the household', () => {
    expect(supervisionPolicy.scope(districtAdmin)).toEqual({
      targetRegion: { path: { $like: `${DISTRICT}%` } },
      demand: { household: { region: { path: { $like: `${DISTRICT}%` } } } },
    });
    expect(supervisionPolicy.scope(cityAnalyst)).toEqual({
      targetRegion: { path: { $like: `${CITY}%` } },
      demand: { household: { region: { path: { $like: `${CITY}%` } } } },
    });
    for (const actor of [cadre, unscopedAdmin]) expect(supervisionPolicy.scope(actor)).toEqual(NOTHING);
  });

  it('lets an administrator instruct when the household and one open escalation’s target are in the subtree', () => {
    expect(supervisionPolicy.mayInstruct(districtAdmin, { householdRegionPath: VILLAGE, targetRegionPaths: [TOWNSHIP] })).toBe(true);
    expect(supervisionPolicy.mayInstruct(districtAdmin, { householdRegionPath: VILLAGE, targetRegionPaths: [CITY, DISTRICT] })).toBe(true);
    // The rung is above the district (the city's): not the district's to instruct.
    expect(supervisionPolicy.mayInstruct(districtAdmin, { householdRegionPath: VILLAGE, targetRegionPaths: [CITY] })).toBe(false);
    // A household of another district, even with a target in the subtree (a cross-pairing unit's region).
    expect(supervisionPolicy.mayInstruct(districtAdmin, { householdRegionPath: OTHER_VILLAGE, targetRegionPaths: [DISTRICT] })).toBe(false);
    expect(supervisionPolicy.mayInstruct(cityAdmin, { householdRegionPath: OTHER_VILLAGE, targetRegionPaths: [OTHER_DISTRICT] })).toBe(true);
    expect(supervisionPolicy.mayInstruct(districtAdmin, { householdRegionPath: VILLAGE, targetRegionPaths: [] })).toBe(false);
    for (const actor of [cityAnalyst, districtAnalyst, cadre, unscopedAdmin]) {
      expect(supervisionPolicy.mayInstruct(actor, { householdRegionPath: VILLAGE, targetRegionPaths: [TOWNSHIP] })).toBe(false);
    }
  });

  it('lets all staff read the ladder and the supervision list; only the city’s administrators change the ladder and the time limits', () => {
    for (const actor of [cityAdmin, districtAdmin, cityAnalyst, districtAnalyst]) {
      expect(supervisionPolicy.mayReadLadder(actor)).toBe(true);
      expect(supervisionPolicy.mayReadSupervision(actor)).toBe(true);
    }
    for (const actor of [cadre, unscopedAdmin]) {
      expect(supervisionPolicy.mayReadLadder(actor)).toBe(false);
      expect(supervisionPolicy.mayReadSupervision(actor)).toBe(false);
    }
    expect(supervisionPolicy.mayManageLadder(cityAdmin)).toBe(true);
    for (const actor of [districtAdmin, cityAnalyst, districtAnalyst, cadre, unscopedAdmin]) expect(supervisionPolicy.mayManageLadder(actor)).toBe(false);
  });
});

describe('myContactPointsPolicy', () => {
  it('lets a cadre read their own contact points and cases, nobody else through this query', () => {
    expect(myContactPointsPolicy.mayReadOwn(cadre)).toBe(true);
    for (const actor of [cityAdmin, districtAdmin, cityAnalyst, unscopedAdmin]) expect(myContactPointsPolicy.mayReadOwn(actor)).toBe(false);
  });
});
