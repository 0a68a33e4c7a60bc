import { RawQueryFragment } from '@mikro-orm/core';
import { NOTHING } from '../../src/core/policy';
import { householdPolicy } from '../../src/modules/households/household.policy';
import { cadre, CITY, cityAdmin, cityAnalyst, DISTRICT, districtAdmin, districtAnalyst, everyone, OTHER_VILLAGE, unscopedAdmin, VILLAGE } from './actors';

// Households: staff read their region subtree, a cadre the households assigned to them. Pure: no database.

/** The sub-query a cadre's scope puts under `id $in`, as SQL and parameters. */
function cadreSubquery(scope: unknown): { sql: string; params: unknown[] } {
  const value = (scope as { id: { $in: unknown } }).id.$in;
  expect(value).toBeInstanceOf(RawQueryFragment);
  const fragment = value as RawQueryFragment;
  return { sql: fragment.sql, params: [...fragment.params] };
}

describe('householdPolicy.scope', () => {
  it.each([
    ['the city administrator', cityAdmin, CITY],
    ['a district administrator', districtAdmin, DISTRICT],
    ['the city analyst', cityAnalyst, CITY],
    ['a district analyst', districtAnalyst, DISTRICT],
  ])("gives %s the households of their region's subtree", (_who, actor, path) => {
    expect(householdPolicy.scope(actor)).toEqual({ region: { path: { $like: `${path}%` } } });
  });

  it('gives a cadre the households with an active assignment to that cadre, as a sub-query value', () => {
    const { sql, params } = cadreSubquery(householdPolicy.scope(cadre));
    expect(sql).toMatch(/from assignment \w+ where \w+\.cadre_id = \? and \w+\.ended_at is null/);
    expect(params).toEqual([cadre.cadreId]);
  });

  it('gives each cadre their own households', () => {
    const other = { ...cadre, accountId: 10, cadreId: 77 };
    expect(cadreSubquery(householdPolicy.scope(other)).params).toEqual([77]);
  });

  it('gives a staff token without a scope nothing', () => {
    expect(householdPolicy.scope(unscopedAdmin)).toBe(NOTHING);
  });

  it('gives a cadre token without a cadre nothing', () => {
    expect(householdPolicy.scope({ ...cadre, cadreId: null })).toBe(NOTHING);
  });
});

describe('householdPolicy.mayManage and mayCreate', () => {
  it("lets administrators change a household's file in their subtree only", () => {
    expect(householdPolicy.mayManage(cityAdmin, { regionPath: VILLAGE })).toBe(true);
    expect(householdPolicy.mayManage(cityAdmin, { regionPath: OTHER_VILLAGE })).toBe(true);
    expect(householdPolicy.mayManage(districtAdmin, { regionPath: VILLAGE })).toBe(true);
    expect(householdPolicy.mayManage(districtAdmin, { regionPath: OTHER_VILLAGE })).toBe(false);
  });

  it('refuses analysts, cadres and an unscoped token', () => {
    for (const actor of [cityAnalyst, districtAnalyst, cadre, unscopedAdmin]) {
      expect(householdPolicy.mayManage(actor, { regionPath: VILLAGE })).toBe(false);
      expect(householdPolicy.mayCreate(actor, { path: VILLAGE })).toBe(false);
    }
  });

  it('lets administrators register households in a region of their subtree', () => {
    expect(householdPolicy.mayCreate(districtAdmin, { path: VILLAGE })).toBe(true);
    expect(householdPolicy.mayCreate(districtAdmin, { path: OTHER_VILLAGE })).toBe(false);
    expect(householdPolicy.mayCreate(cityAdmin, { path: OTHER_VILLAGE })).toBe(true);
  });
});

describe('householdPolicy.seesPhone', () => {
  it('shows the phone in full to cadres only', () => {
    const seeing = Object.entries(everyone)
      .filter(([, actor]) => householdPolicy.seesPhone(actor))
      .map(([name]) => name);
    expect(seeing).toEqual(['cadre']);
  });
});
