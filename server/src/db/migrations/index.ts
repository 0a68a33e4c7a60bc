import type { MigrationObject } from '@mikro-orm/core';

/** The MySQL migrations in the order they run; listed, so that no file discovery is needed at run time. */
export const MIGRATIONS: MigrationObject[] = [];
