import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BetterSqliteDriver } from '@mikro-orm/better-sqlite';
import { MikroORM, type Options } from '@mikro-orm/core';
import type { AbstractSqlDriver, SqlEntityManager } from '@mikro-orm/knex';
import { MariaDbDriver } from '@mikro-orm/mariadb';
import { Migrator } from '@mikro-orm/migrations';
import { MySqlDriver } from '@mikro-orm/mysql';
import type { DatabaseConfig } from '../config';
import type { Logger } from '../logger';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export type Orm = MikroORM<AbstractSqlDriver>;
export type Em = SqlEntityManager;

export interface OrmSettings {
  database: DatabaseConfig;
  logger?: Logger;
  /** Log every SQL statement at debug level (and to `onQuery`, which tests use to count statements). */
  logSql?: boolean;
  onQuery?: (sql: string) => void;
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
  };
  if (database.kind === 'mysql') {
    return {
      ...common,
      driver: database.flavor === 'mariadb' ? MariaDbDriver : MySqlDriver,
      // Times are UTC in the database, whatever the server's zone. (SQLite stores epoch milliseconds,
      // which have no zone; forcing UTC there makes MikroORM 6.6 see every date as changed.)
      forceUtcTimezone: true,
      clientUrl: database.url,
      charset: 'utf8mb4',
      pool: { min: 0, max: database.poolMax },
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
  return MikroORM.init<AbstractSqlDriver>(ormOptions(settings));
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
