import type { Em } from '../db/orm';
import type { Actor } from '../modules/auth/actor';
import { createCadreLoaders } from '../modules/cadres/cadre.loaders';
import { createDemandLoaders } from '../modules/demands/demand.loaders';
import { createHouseholdLoaders } from '../modules/households/household.loaders';
import { createRegionLoaders } from '../modules/regions/region.loaders';
import { createRoundLoaders } from '../modules/rounds/round.loaders';
import { createUnitLoaders } from '../modules/units/unit.loaders';

/**
 * Request-scoped loaders of every module, so that nested fields cost one query per level, not per
 * row. They load by id only: every list that hands them ids was already scoped in its service.
 */
export function createLoaders(em: Em, _actor: Actor | null) {
  return {
    ...createRegionLoaders(em),
    ...createRoundLoaders(em),
    ...createUnitLoaders(em),
    ...createCadreLoaders(em),
    ...createHouseholdLoaders(em),
    ...createDemandLoaders(em),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
