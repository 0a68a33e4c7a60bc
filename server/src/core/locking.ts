import { LockMode, type EntityClass, type FilterQuery, type FindOptions, type Loaded } from '@mikro-orm/core';
import { isSqlite, type Em } from './entity-manager';

/**
 * Row locks that hold on one MariaDB/MySQL server AND across the nodes of a Galera cluster.
 *
 * Galera's row locks are per node: a transaction on another node does not wait for them, and at commit
 * Galera certifies only the rows a transaction CHANGED. A no-op update (`set name = name`: no row
 * changes) or `SELECT … FOR UPDATE` leaves no certification key, so two nodes' check-then-act on the
 * same row both commit (measured: docs/scaling.md "Row locks across Galera nodes"). The lock here is a
 * real write instead: every lockable table has a `lock_version` column (int unsigned, default 0;
 * Migration20261206180000) that the lock increments. On one server that is the same exclusive row lock the no-op update took (a second
 * locker waits); on Galera the row is in the write set, so of two nodes' transactions on it the one that
 * certifies second is refused at COMMIT with errno 1213 and re-run from the start by the conflict retry
 * (core/conflict-retry.ts), which then sees what the first wrote.
 *
 * SQLite: nothing is sent. The embedded database has one connection (knex's SQLite pool: min 1, max 1),
 * so one transaction runs at a time, which gives the same guarantee.
 *
 * An InnoDB transaction's snapshot is fixed by its first plain read; the update is not a read, so a
 * site that locks before reading still reads what was committed before it held the lock. A plain read
 * of a row this transaction updated sees that row's latest version, whatever the snapshot.
 *
 * Nothing else in server/src may take a row lock (no `FOR UPDATE`, no `LockMode.PESSIMISTIC_*`, no no-op
 * `set x = x` update): server/test/row-locks.test.ts fails on them.
 */

/** The column each lockable table has, incremented by every lock. */
export const LOCK_VERSION_COLUMN = 'lock_version';

/**
 * The mapping of the column, in each lockable entity as `@Property(LOCK_VERSION_PROPERTY) lockVersion?: number;`
 * (mapped so that the schema check sees the column the migration adds). Written only by the lock: lazy,
 * so a loaded entity never holds it and the unit of work never writes a stale value back; a new entity
 * is inserted with 0 (onCreate: otherwise MikroORM reads a defaulted column back after every insert).
 */
export const LOCK_VERSION_PROPERTY = {
  type: 'integer',
  unsigned: true,
  default: 0,
  onCreate: () => 0,
  fieldName: LOCK_VERSION_COLUMN,
  lazy: true,
  hidden: true,
} as const;

/** The table and its single-column primary key, for an entity that has the lock column. */
function lockTargetOf(tx: Em, entity: EntityClass<object>): { table: string; key: string } {
  const meta = tx.getMetadata().get(entity.name);
  if (!meta.props.some((prop) => prop.fieldNames?.includes(LOCK_VERSION_COLUMN))) {
    throw new Error(`${entity.name} cannot be locked: it has no ${LOCK_VERSION_COLUMN} column (core/locking.ts LOCK_VERSION_PROPERTY)`);
  }
  const [primaryKey, ...more] = meta.primaryKeys;
  const key = primaryKey === undefined || more.length > 0 ? undefined : meta.properties[primaryKey]?.fieldNames[0];
  if (key === undefined) throw new Error(`${entity.name} cannot be locked: lockRows needs a single-column primary key`);
  return { table: meta.tableName, key };
}

/**
 * The lock as an assignment, for a statement that writes the row anyway and is the row's lock (the help
 * record's `recordVisit`, which leaves last_visit_at unchanged for an older visit): one statement, and
 * always a change that Galera certifies.
 */
export const LOCK_VERSION_INCREMENT = `\`${LOCK_VERSION_COLUMN}\` = \`${LOCK_VERSION_COLUMN}\` + 1`;

const SET_LOCK_VERSION = `set ${LOCK_VERSION_INCREMENT}`;

/**
 * Locks these rows (an exclusive row lock that Galera certifies) for the rest of the caller's transaction,
 * in ascending key order, so that two lockers of overlapping sets take them in the same order. Outside a
 * transaction there is nothing to hold a lock for, and nothing is sent.
 */
export async function lockRows(tx: Em, entity: EntityClass<object>, ids: readonly number[]): Promise<void> {
  const { table, key } = lockTargetOf(tx, entity);
  const wanted = [...new Set(ids)].sort((a, b) => a - b);
  if (wanted.length === 0 || !tx.isInTransaction() || isSqlite(tx)) return;
  await tx.execute(`update \`${table}\` ${SET_LOCK_VERSION} where \`${key}\` in (${wanted.map(() => '?').join(', ')}) order by \`${key}\``, wanted, 'run');
}

/** Locks every row of a small table of settings (the escalation ladder), in key order. */
export async function lockEveryRow(tx: Em, entity: EntityClass<object>): Promise<void> {
  const { table, key } = lockTargetOf(tx, entity);
  if (!tx.isInTransaction() || isSqlite(tx)) return;
  await tx.execute(`update \`${table}\` ${SET_LOCK_VERSION} order by \`${key}\``, [], 'run');
}

/**
 * Locks one row (lockRows) and reads it as it is now, for a check on the row itself (a version, a
 * status): null when there is no such row.
 */
export async function lockForUpdate<T extends object>(tx: Em, entity: EntityClass<T>, id: number): Promise<T | null> {
  await lockRows(tx, entity, [id]);
  return tx.findOne(entity, id as unknown as FilterQuery<T>, isSqlite(tx) ? {} : { refresh: true });
}

/**
 * A locking read (`SELECT … FOR UPDATE` on MySQL/MariaDB): reads the rows' latest committed version and,
 * unlike a plain read, does not fix the transaction's snapshot. NOT a lock across Galera nodes: use it only
 * where the transaction really writes the rows that order it (the bulk-run worker renews its lease on the
 * run's row first) and lockRows takes the locks the checks rely on.
 */
export async function findCurrent<T extends object, P extends string = never>(
  tx: Em,
  entity: EntityClass<T>,
  where: FilterQuery<T>,
  options: FindOptions<T, P> = {},
): Promise<Loaded<T, P>[]> {
  return tx.find(entity, where, isSqlite(tx) ? options : { ...options, lockMode: LockMode.PESSIMISTIC_WRITE });
}
