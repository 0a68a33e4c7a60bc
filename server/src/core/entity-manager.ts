import type { MikroORM } from '@mikro-orm/core';
import { BaseSqlitePlatform, type AbstractSqlDriver, type SqlEntityManager } from '@mikro-orm/knex';

/**
 * The EntityManager every service takes: MikroORM's SQL one (raw queries, query builder). Named here
 * so that features depend on core, not on the ORM's set-up in db/.
 */
export type Em = SqlEntityManager;

/** The ORM itself, for the few routes that fork their own EntityManager per step. */
export type Orm = MikroORM<AbstractSqlDriver>;

/**
 * Whether the database is SQLite (the test and single-machine set-up) rather than MySQL or MariaDB:
 * the one place a feature asks, for the few statements the two write differently.
 */
export function isSqlite(em: Em): boolean {
  return em.getPlatform() instanceof BaseSqlitePlatform;
}
