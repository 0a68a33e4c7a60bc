import { ForbiddenError } from '../../src/core/errors';
import { auditPolicy } from '../../src/modules/audit/audit.policy';
import { DISTRICT, cadre, cityAdmin, cityAnalyst, districtAdmin, districtAnalyst, unscopedAdmin } from './actors';

// The audit trail: administrators read it, each the entries of their own subtree. Pure.

describe('auditPolicy', () => {
  it('lets administrators read the trail, and nobody else', () => {
    expect(auditPolicy.mayRead(cityAdmin)).toBe(true);
    expect(auditPolicy.mayRead(districtAdmin)).toBe(true);
    for (const actor of [cityAnalyst, districtAnalyst, cadre, unscopedAdmin]) expect(auditPolicy.mayRead(actor)).toBe(false);
  });

  it("gives the city's administrators every entry, city-wide ones (no region) included", () => {
    expect(auditPolicy.scope(cityAdmin)).toEqual({});
  });

  it("gives a district's administrators the entries of their subtree only (none without a region)", () => {
    expect(auditPolicy.scope(districtAdmin)).toEqual({ regionPath: { $like: `${DISTRICT}%` } });
  });

  it.each([cadre, unscopedAdmin])('gives a caller without a region subtree no entry ($role)', (actor) => {
    expect(() => auditPolicy.scope(actor)).toThrow(ForbiddenError);
  });
});
