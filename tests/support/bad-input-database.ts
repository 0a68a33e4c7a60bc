import { createHash } from 'node:crypto';
import path from 'node:path';
import type mysql from 'mysql2/promise';
import { connectTo, createScratchDatabase, dropDatabase, mysqlServerAt } from '../../server/test/support/mysql-server';
import { REPOSITORY_ROOT } from './server-process';

/**
 * Reads the server's database from outside the server, to prove that a refused request wrote
 * nothing: per table, the row count and a checksum of every row.
 */

export interface TableState {
  rows: number;
  checksum: string;
}

export type DatabaseState = Record<string, TableState>;

export interface DatabaseProbe {
  snapshot(): Promise<DatabaseState>;
  close(): Promise<void>;
}

interface ReadOnlySqlite {
  prepare(sql: string): { all(): Record<string, unknown>[]; raw(toggle: boolean): { all(): unknown[][] } };
  close(): void;
}

type SqliteConstructor = new (file: string, options: { readonly: boolean; fileMustExist: boolean }) => ReadOnlySqlite;

/** The embedded database, opened read-only with the server's own better-sqlite3. */
export function sqliteProbe(file: string): DatabaseProbe {
  const Database = require(require.resolve('better-sqlite3', { paths: [path.join(REPOSITORY_ROOT, 'server')] })) as SqliteConstructor;
  const database = new Database(file, { readonly: true, fileMustExist: true });
  return {
    async snapshot() {
      const tables = database
        .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
        .all()
        .map((row) => String(row.name));
      const state: DatabaseState = {};
      for (const table of tables) {
        const rows = database.prepare(`select * from "${table}" order by rowid`).raw(true).all();
        const hash = createHash('sha256');
        for (const row of rows) hash.update(JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)));
        state[table] = { rows: rows.length, checksum: hash.digest('hex') };
      }
      return state;
    },
    async close() {
      database.close();
    },
  };
}

/** A MySQL/MariaDB database: `count(*)` and `CHECKSUM TABLE` of every base table. */
export async function mysqlProbe(url: string): Promise<DatabaseProbe> {
  const server = mysqlServerAt(url);
  const database = server.baseName;
  const connection = await connectTo(server, database);
  return {
    async snapshot() {
      const [tables] = await connection.query<mysql.RowDataPacket[]>(
        "select table_name as name from information_schema.tables where table_schema = ? and table_type = 'BASE TABLE' order by table_name",
        [database],
      );
      const state: DatabaseState = {};
      for (const { name } of tables as { name: string }[]) {
        const [[count]] = await connection.query<mysql.RowDataPacket[]>(`select count(*) as n from \`${name}\``);
        const [[checksum]] = await connection.query<mysql.RowDataPacket[]>(`checksum table \`${name}\``);
        state[name] = { rows: Number(count!.n), checksum: String(checksum!.Checksum) };
      }
      return state;
    },
    async close() {
      await connection.end();
    },
  };
}

/** Tables whose rows or checksum differ, leaving out those the request may legitimately touch. */
export function changedTables(before: DatabaseState, after: DatabaseState, mayTouch: readonly string[] = []): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names]
    .filter((name) => !mayTouch.includes(name))
    .filter((name) => before[name]?.rows !== after[name]?.rows || before[name]?.checksum !== after[name]?.checksum)
    .sort();
}

/** Creates (or empties) a MySQL database for one test file and returns its URL (the suites' one helper). */
export async function scratchMysqlDatabase(baseUrl: string, tag: string): Promise<string> {
  return (await createScratchDatabase(mysqlServerAt(baseUrl), tag)).url;
}

export async function dropMysqlDatabase(url: string): Promise<void> {
  const server = mysqlServerAt(url);
  await dropDatabase(server, server.baseName);
}
