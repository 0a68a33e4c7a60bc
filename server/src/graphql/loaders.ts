import type { Em } from '../core/entity-manager';
import type { Actor } from '../core/caller';
import { createAccountLoaders } from '../modules/accounts/account.loaders';
import { createBulkRunLoaders } from '../modules/bulk-runs/bulk-run.loaders';
import { createCadreLoaders } from '../modules/cadres/cadre.loaders';
import { createDemandLoaders } from '../modules/demands/demand.loaders';
import { createDemandLoopLoaders } from '../modules/demands/demand-loop.loaders';
import { createHelpRecordLoaders } from '../modules/help-records/help-record.loaders';
import { createHouseholdLoaders } from '../modules/households/household.loaders';
import { createHouseholdRecordPageLoaders } from '../modules/my-work/household-record-pages.loader';
import { createRegionLoaders } from '../modules/regions/region.loaders';
import { createRoundLoaders } from '../modules/rounds/round.loaders';
import { createUnitLoaders } from '../modules/units/unit.loaders';
import { createObjectScopeLoaders } from './object-scope.guard';

/**
 * Composition file: the loader list, one of the three places a new feature is registered (with the
 * entity list in db/entities.ts and the resolver list in graphql/resolvers.ts; README "Adding a feature").
 *
 * Request-scoped loaders of every module, so that nested fields cost one query per level, not per
 * row. They load by id only; what they load is checked for the caller by the object scope guard
 * (object-scope.guard.ts), whose own loader batches that check and is made here for the request's actor.
 */
export function createLoaders(em: Em, actor: Actor | null) {
  const helpRecordLoaders = createHelpRecordLoaders(em);
  return {
    ...createRegionLoaders(em),
    ...createRoundLoaders(em),
    ...createUnitLoaders(em),
    ...createCadreLoaders(em),
    ...createHouseholdLoaders(em),
    // The page's one statement also reads each record's assignment end, which it primes for `correctable`.
    ...createHouseholdRecordPageLoaders(em, helpRecordLoaders.assignmentEndedAt),
    ...createDemandLoaders(em, actor),
    ...helpRecordLoaders,
    ...createAccountLoaders(em),
    ...createDemandLoopLoaders(em, actor),
    ...createBulkRunLoaders(em),
    ...createObjectScopeLoaders(em, actor),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
