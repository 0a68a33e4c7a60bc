import { SqlEntityManager } from '@mikro-orm/knex';

/**
 * The EntityManager class the ORM makes (db/orm.ts `entityManager`). Issue 17 makes its `transactional`
 * run a transaction again when the database refuses it at commit by a conflict (a deadlock; on Galera,
 * certification): bounded by DATABASE_CONFLICT_RETRIES, logged. Groundwork: no behaviour yet.
 */
export class ConflictRetryingEntityManager extends SqlEntityManager {}

/** How many times a conflicting transaction is run again (set once by createOrm from the configuration). */
export const conflictRetrySettings = { retries: 4 };
