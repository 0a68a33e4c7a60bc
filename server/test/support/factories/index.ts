/**
 * Test factories, one per entity. Each writes a real row (flush included) with defaults a test may
 * override (`createX(em, { field: value })`) and builds the parents left out: `createHelpRecord(em)`
 * makes its household, region, cadre, unit, round and assignment. Defaults are unique where the
 * schema wants them unique (codes, names of rounds, usernames), so factories can be called repeatedly.
 */
export { authorizationFor, createAccount, tokenFor, type AccountOverrides, type TokenSigner } from './accounts';
export { createCadre, createContactPoint, createContactPointKind, createRound, createUnit, createUnitPairing } from './campaign';
export { createDemand, createHousehold, createHouseholdWithResidents, createPetitionCase, createResident, validIdNumber } from './households';
export type { Overrides } from './overrides';
export { createRegion, createRegionTree, type RegionTree } from './places';
export { createAssignment, createHelpRecord, createPhoto } from './visits';
