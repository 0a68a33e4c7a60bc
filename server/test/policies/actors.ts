import { Role } from '@wanjia/shared';
import type { Actor } from '../../src/core/caller';

/**
 * Callers for the policies' pure tests: administrators and analysts of the city and of one of its
 * districts, a cadre, and a staff token without a scope (never issued; the rules must still refuse it).
 */
export const CITY = '210500000000/';
export const DISTRICT = `${CITY}210502000000/`;
/** A village of DISTRICT. */
export const VILLAGE = `${DISTRICT}210502001000/210502001001/`;
/** The city's other district, a neighbour of DISTRICT. */
export const OTHER_DISTRICT = `${CITY}210503000000/`;
export const OTHER_VILLAGE = `${OTHER_DISTRICT}210503001000/210503001001/`;

export const staff = (role: Role.ADMIN | Role.ANALYST, scopePath: string, scopeRegionId: number, accountId = 1): Actor => ({
  accountId,
  role,
  scopeRegionId,
  scopePath,
  cadreId: null,
});

export const cityAdmin = staff(Role.ADMIN, CITY, 1, 1);
export const districtAdmin = staff(Role.ADMIN, DISTRICT, 2, 2);
export const cityAnalyst = staff(Role.ANALYST, CITY, 1, 3);
export const districtAnalyst = staff(Role.ANALYST, DISTRICT, 2, 4);
export const cadre: Actor = { accountId: 9, role: Role.CADRE, scopeRegionId: null, scopePath: null, cadreId: 4 };
export const unscopedAdmin: Actor = { accountId: 5, role: Role.ADMIN, scopeRegionId: null, scopePath: null, cadreId: null };

/** Every kind of caller, for "refuses everyone but …" cases. */
export const everyone = { cityAdmin, districtAdmin, cityAnalyst, districtAnalyst, cadre, unscopedAdmin } as const;
