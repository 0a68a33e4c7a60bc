import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BetterSqliteDriver } from '@mikro-orm/better-sqlite';
import { MikroORM, type Options } from '@mikro-orm/core';
import type { AbstractSqlDriver } from '@mikro-orm/knex';
import { Migrator } from '@mikro-orm/migrations';
import type { DatabaseConfig } from '../config';
import type { Logger } from '../logger';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { ensureSqliteDefaults, runSqliteBackfills } from './sqlite-backfills';
import { attachReplicaMonitor, ReplicaRoutingMariaDbDriver, ReplicaRoutingMySqlDriver } from './read-replicas';
import { STARTUP_LEASE_TABLE } from './startup-lease';

import type { Em, Orm } from '../core/entity-manager';
import { ConflictRetryingEntityManager, conflictRetrySettings } from '../core/conflict-retry';

export type { Em, Orm };

export interface OrmSettings {
  database: DatabaseConfig;
  logger?: Logger;
  /** Log every SQL statement at debug level (and to `onQuery`, which tests use to count statements). */
  logSql?: boolean;
  onQuery?: (sql: string) => void;
  /**
   * MariaDB: give a connection up for dead when its socket stays silent this long inside a query (a
   * database gone without closing the socket: a partition, a frozen host), so that the request ends
   * with an error instead of hanging. For serving only: a migration may rightly wait minutes on one
   * statement (an index on a large table). Unset: no such limit.
   */
  silentConnectionTimeoutMs?: number;
  /**
   * With read replicas configured: write the replicas' heartbeat and measure their lag every second
   * (db/read-replicas.ts). The serving ORM only: migrations and the CLI leave the replicas alone.
   */
  watchReplicas?: boolean;
}

/** How long a request waits for a pool connection before it is told the database is unavailable. */
export const POOL_ACQUIRE_TIMEOUT_MS = 5_000;
/** How long opening a connection (TCP and handshake) may take: a database that does not answer fails fast. */
const CONNECT_TIMEOUT_MS = 3_000;

/**
 * The driver's connection settings that bound every wait on an unreachable database. The MariaDB
 * connector gives up a socket that stayed silent for socketTimeout (when set); mysql2 has no such
 * timer and relies on TCP keep-alive to notice a dead peer.
 */
function connectionTimeouts(flavor: 'mysql' | 'mariadb', silentConnectionTimeoutMs: number | undefined): Record<string, number | boolean> {
  if (flavor === 'mariadb') {
    return { connectTimeout: CONNECT_TIMEOUT_MS, keepAliveDelay: 10_000, ...(silentConnectionTimeoutMs ? { socketTimeout: silentConnectionTimeoutMs } : {}) };
  }
  return { connectTimeout: CONNECT_TIMEOUT_MS, enableKeepAlive: true, keepAliveInitialDelay: 10_000 };
}

const SOURCE_MIGRATIONS = path.join(__dirname, '..', '..', 'src', 'db', 'migrations');
const BUILT_MIGRATIONS = path.join(__dirname, 'migrations');

export function ormOptions(settings: OrmSettings): Options<AbstractSqlDriver> {
  const { database, logger, onQuery } = settings;
  const common: Options<AbstractSqlDriver> = {
    entities: ENTITIES,
    // Every unit of work runs on an explicit fork; touching the global context is a bug.
    allowGlobalContext: false,
    debug: settings.logSql || onQuery ? ['query'] : false,
    logger: (message: string) => {
      onQuery?.(message);
      if (settings.logSql) logger?.debug({ sql: message }, 'sql');
    },
    colors: false,
    extensions: [Migrator],
    entityManager: ConflictRetryingEntityManager,
  };
  if (database.kind === 'mysql') {
    conflictRetrySettings.retries = database.conflictRetries;
    return {
      ...common,
      // MikroORM's drivers, except that `read` is the replica readFromReplica chose, never a random one, and
      // that multi-row INSERT ids follow the auto-increment step the node has now (db/cluster-safe-drivers.ts).
      driver: database.flavor === 'mariadb' ? ReplicaRoutingMariaDbDriver : ReplicaRoutingMySqlDriver,
      // Times are UTC in the database, whatever the server's zone. (SQLite stores epoch milliseconds,
      // which have no zone; forcing UTC there makes MikroORM 6.6 see every date as changed.)
      forceUtcTimezone: true,
      clientUrl: database.url,
      charset: 'utf8mb4',
      pool: {
        min: 0,
        max: database.poolMax,
        // While the database is away a request waits at most this long for a connection, then fails
        // (UNAVAILABLE) instead of hanging; knex's default is a minute.
        acquireTimeoutMillis: POOL_ACQUIRE_TIMEOUT_MS,
        createTimeoutMillis: CONNECT_TIMEOUT_MS,
        // Idle connections are closed after a while, so that few survive a database restart to fail
        // their next query; those that do are found dead by the validation on every acquire.
        idleTimeoutMillis: 30_000,
        reapIntervalMillis: 1_000,
      },
      driverOptions: { connection: connectionTimeouts(database.flavor, settings.silentConnectionTimeoutMs) },
      // Read replicas (issue 17): each its own pool with the primary's settings. MikroORM's default would
      // send every read outside a transaction to a random replica, so a cadre could miss the record they
      // just submitted: only reads that ask for the `read` connection inside core/read-replicas.ts
      // readFromReplica (the analytics) leave the primary.
      replicas: database.replicaUrls.map((url, index) => ({ name: `replica${index + 1}`, clientUrl: url })),
      preferReadReplicas: false,
      // The start-up lease's table is made by the lease, not by a migration (it must exist before the first one).
      schemaGenerator: { skipTables: [STARTUP_LEASE_TABLE] },
      migrations: {
        tableName: 'mikro_orm_migrations',
        migrationsList: MIGRATIONS,
        path: BUILT_MIGRATIONS,
        pathTs: SOURCE_MIGRATIONS,
        // MySQL commits DDL implicitly, so a transaction around a migration promises nothing.
        transactional: false,
        allOrNothing: false,
        snapshot: false,
        emit: 'ts',
      },
    } as Options<AbstractSqlDriver>;
  }
  return {
    ...common,
    driver: BetterSqliteDriver,
    dbName: database.path,
  } as Options<AbstractSqlDriver>;
}

export async function createOrm(settings: OrmSettings): Promise<Orm> {
  if (settings.database.kind === 'sqlite' && settings.database.path !== ':memory:') {
    fs.mkdirSync(path.dirname(settings.database.path), { recursive: true });
  }
  const orm = await MikroORM.init<AbstractSqlDriver>(ormOptions(settings));
  if (settings.database.kind === 'mysql') {
    const monitor = attachReplicaMonitor(orm.em.getDriver(), settings.database.replicaMaxLagSeconds, settings.logger);
    if (settings.watchReplicas) monitor?.start();
  }
  return orm;
}

/** Where the embedded database remembers which entity model its schema was last brought up to. */
export const SQLITE_SCHEMA_STATE_TABLE = 'wanjia_schema_state';

/**
 * Brings the schema up to date. MySQL: the committed migrations, in order (production's schema is
 * reviewed SQL). SQLite: the schema generator in safe mode, which creates what is missing and never
 * drops a table or column, so an upgraded build keeps what was written.
 *
 * On SQLite the generator runs only when the entity model changed since the last start (a hash of
 * the model's DDL is kept in a table of its own): MikroORM 6.6's SQLite introspection misreads enum
 * check constraints with more than two values, so an unconditional update would rebuild those tables
 * on every start. When it does run, the rebuild copies every row.
 */
export async function prepareSchema(orm: Orm, database: DatabaseConfig): Promise<void> {
  if (database.kind === 'mysql') {
    await orm.schema.ensureDatabase({ create: true });
    await orm.getMigrator().up();
    return;
  }
  const connection = orm.em.getConnection();
  const fingerprint = createHash('sha256')
    .update(await orm.schema.getCreateSchemaSQL({ wrap: false }))
    .digest('hex');
  await connection.execute(
    `create table if not exists \`${SQLITE_SCHEMA_STATE_TABLE}\` (id integer primary key check (id = 1), fingerprint text not null, updated_at text not null)`,
  );
  const [state] = await connection.execute<{ fingerprint: string }[]>(`select fingerprint from \`${SQLITE_SCHEMA_STATE_TABLE}\` where id = 1`);
  if (state?.fingerprint === fingerprint) return;
  const ddl = await orm.schema.getUpdateSchemaSQL({ wrap: false, safe: true, dropTables: false });
  if (ddl.trim() !== '') await execSqliteScript(orm, ddl);
  // The rows a migration writes besides its DDL (the demand timeline of demands stored before it).
  await runSqliteBackfills(orm);
  // The rows of data tables that migrations seed (time limits, the escalation ladder).
  await ensureSqliteDefaults(orm);
  await connection.execute(
    `insert into \`${SQLITE_SCHEMA_STATE_TABLE}\` (id, fingerprint, updated_at) values (1, ?, ?) on conflict(id) do update set fingerprint = excluded.fingerprint, updated_at = excluded.updated_at`,
    [fingerprint, new Date().toISOString()],
  );
}

/**
 * Runs a multi-statement script on SQLite with better-sqlite3's `exec`. MikroORM 6.6 sends the
 * generator's table rebuilds as single prepared statements, which better-sqlite3 refuses.
 */
async function execSqliteScript(orm: Orm, script: string): Promise<void> {
  const knexClient = orm.em.getConnection().getKnex().client as {
    acquireConnection(): Promise<{ exec(sql: string): void }>;
    releaseConnection(connection: unknown): Promise<void>;
  };
  const connection = await knexClient.acquireConnection();
  try {
    connection.exec(script);
  } finally {
    await knexClient.releaseConnection(connection);
  }
}
