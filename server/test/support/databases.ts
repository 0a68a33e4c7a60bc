import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { mysqlFlavorOf, type DatabaseConfig } from '../../src/config';
import { createOrm, prepareSchema, type Orm, type OrmSettings } from '../../src/db/orm';

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
  const base = new URL(mysqlBaseUrl()!);
  const name = `${base.pathname.slice(1)}_${tag}`.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 64);
  const admin = await mysql.createConnection({
    uri: `mysql://${base.username ? `${base.username}${base.password ? `:${base.password}` : ''}@` : ''}${base.host}/`,
  });
  try {
    await admin.query(`drop database if exists \`${name}\``);
    await admin.query(`create database \`${name}\` character set utf8mb4`);
  } finally {
    await admin.end();
  }
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return { kind: 'mysql', flavor: mysqlFlavorOf(url.toString()), url: url.toString(), poolMax: 5 };
}

export async function dropScratchDatabase(database: DatabaseConfig): Promise<void> {
  if (database.kind === 'sqlite') {
    fs.rmSync(path.dirname(database.path), { recursive: true, force: true });
    return;
  }
  const url = new URL(database.url);
  const name = url.pathname.slice(1);
  url.pathname = '/';
  const admin = await mysql.createConnection({ uri: url.toString().replace(/^mariadb:/, 'mysql:') });
  try {
    await admin.query(`drop database if exists \`${name}\``);
  } finally {
    await admin.end();
  }
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
