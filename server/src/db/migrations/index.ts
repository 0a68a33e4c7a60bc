import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261128000419 } from './Migration20261128000419';

/**
 * The MySQL migrations in the order they run; listed, so that no file discovery is needed at run time.
 * `pnpm --filter @wanjia/server db:migration:create` writes a new one from the entities; add it here.
 */
export const MIGRATIONS: MigrationObject[] = [
  // The initial schema: every table of the data model with its indexes and foreign keys.
  { name: 'Migration20261128000419', class: Migration20261128000419 },
];
