import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mysqlFlavorOf, type DatabaseConfig } from '../../src/config';
import { createOrm, prepareSchema, type Orm, type OrmSettings } from '../../src/db/orm';
import { createScratchDatabase, dropDatabase, mysqlServerAt } from './mysql-server';

/**
 * The databases every integration test runs against: SQLite always, and MySQL (MariaDB here) whenever
 * the global setup found one. The global setup decides; tests never skip silently on their own.
 */

export const MYSQL_URL_VARIABLE = 'WANJIA_TEST_MYSQL_URL';

export function mysqlBaseUrl(): string | null {
  const url = process.env[MYSQL_URL_VARIABLE];
  return url && url !== 'none' ? url : null;
}

export type DatabaseKind = 'sqlite' | 'mysql';

export function databaseKinds(): DatabaseKind[] {
  return mysqlBaseUrl() ? ['sqlite', 'mysql'] : ['sqlite'];
}

/** A database of its own for one test file: an SQLite file in a temp folder, or a fresh MySQL database. */
export async function scratchDatabase(kind: DatabaseKind, tag: string): Promise<DatabaseConfig> {
  if (kind === 'sqlite') {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), `wanjia-${tag}-`));
    return { kind: 'sqlite', path: path.join(folder, 'test.sqlite') };
  }
  const { url } = await createScratchDatabase(mysqlServerAt(mysqlBaseUrl()!), tag);
  return { kind: 'mysql', flavor: mysqlFlavorOf(url), url, poolMax: 5, replicaUrls: [], replicaMaxLagSeconds: 30, conflictRetries: 4 };
}

export async function dropScratchDatabase(database: DatabaseConfig): Promise<void> {
  if (database.kind === 'sqlite') {
    fs.rmSync(path.dirname(database.path), { recursive: true, force: true });
    return;
  }
  const server = mysqlServerAt(database.url);
  await dropDatabase(server, server.baseName);
}

/** An ORM on a fresh database with the schema in place (migrations on MySQL, the generator on SQLite). */
export async function migratedOrm(
  kind: DatabaseKind,
  tag: string,
  settings: Omit<OrmSettings, 'database'> = {},
): Promise<{ orm: Orm; database: DatabaseConfig }> {
  const database = await scratchDatabase(kind, tag);
  const orm = await createOrm({ ...settings, database });
  await prepareSchema(orm, database);
  return { orm, database };
}
