import fs from 'node:fs';
import path from 'node:path';
import { BetterSqliteDriver } from '@mikro-orm/better-sqlite';
import { MikroORM, type Options } from '@mikro-orm/core';
import type { AbstractSqlDriver, SqlEntityManager } from '@mikro-orm/knex';
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
    forceUtcTimezone: true,
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
      driver: MySqlDriver,
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

/**
 * Brings the schema up to date. MySQL: the committed migrations, in order (production's schema is
 * reviewed SQL). SQLite: the schema generator in safe mode, which creates what is missing and never
 * drops a table or column, so an upgraded build keeps what was written.
 */
export async function prepareSchema(orm: Orm, database: DatabaseConfig): Promise<void> {
  if (database.kind === 'mysql') {
    await orm.schema.ensureDatabase({ create: true });
    await orm.getMigrator().up();
    return;
  }
  await orm.schema.updateSchema({ safe: true, dropTables: false });
}
