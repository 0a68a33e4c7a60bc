import { RawQueryFragment } from '@mikro-orm/core';
import { NOTHING } from '../../src/core/policy';
import { residentPolicy } from '../../src/modules/households/resident.policy';
import { cadre, CITY, cityAdmin, cityAnalyst, DISTRICT, districtAdmin, districtAnalyst, everyone, unscopedAdmin } from './actors';

// Residents: read with their household; the audited reveal and the key-focus reason. Pure: no database.

function allowed(rule: (actor: (typeof everyone)[keyof typeof everyone]) => boolean): string[] {
  return Object.entries(everyone)
    .filter(([, actor]) => rule(actor))
    .map(([name]) => name);
}

describe('residentPolicy.scope', () => {
  it("gives staff the residents of their subtree's households", () => {
    expect(residentPolicy.scope(cityAdmin)).toEqual({ household: { region: { path: { $like: `${CITY}%` } } } });
    expect(residentPolicy.scope(districtAnalyst)).toEqual({ household: { region: { path: { $like: `${DISTRICT}%` } } } });
  });

  it("gives a cadre the residents of the cadre's assigned households", () => {
    const scope = residentPolicy.scope(cadre) as { household: { id: { $in: unknown } } };
    expect(scope.household.id.$in).toBeInstanceOf(RawQueryFragment);
    expect([...(scope.household.id.$in as RawQueryFragment).params]).toEqual([cadre.cadreId]);
  });

  it('gives an unscoped token nothing', () => {
    expect(residentPolicy.scope(unscopedAdmin)).toEqual({ household: NOTHING });
  });
});

describe('residentPolicy predicates', () => {
  it('lets administrators and cadres reveal, never analysts', () => {
    expect(residentPolicy.mayReveal(cityAnalyst)).toBe(false);
    expect(residentPolicy.mayReveal(districtAnalyst)).toBe(false);
    expect(residentPolicy.mayReveal(districtAdmin)).toBe(true);
    expect(residentPolicy.mayReveal(cadre)).toBe(true);
  });

  it('hides the key-focus reason from analysts only', () => {
    expect(allowed((actor) => residentPolicy.seesKeyFocusReason(actor))).toEqual(['cityAdmin', 'districtAdmin', 'cadre', 'unscopedAdmin']);
  });
});
