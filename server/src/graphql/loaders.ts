import type { Em } from '../db/orm';
import { createRegionLoaders } from '../modules/regions/region.loaders';

/** Request-scoped loaders of every module, so that nested fields cost one query per level, not per row. */
export function createLoaders(em: Em) {
  return {
    ...createRegionLoaders(em),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
