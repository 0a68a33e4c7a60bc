import type { SqlEntityManager } from '@mikro-orm/knex';

/**
 * The EntityManager every service takes: MikroORM's SQL one (raw queries, query builder). Named here
 * so that features depend on core, not on the ORM's set-up in db/.
 */
export type Em = SqlEntityManager;
