import mysql from 'mysql2/promise';

/**
 * The MySQL server (MariaDB on our machines) that tests make databases of their own on. One helper for
 * the server's tests (support/databases.ts), the cross-package tests (tests/support/mysql.ts) and the
 * CI script (tests/scripts/scratch-database.mjs). It needs mysql2 and nothing of the app, so the
 * cross-package tests and the script load it without loading the server.
 */

/** Where tests look when TEST_DATABASE_URL is not set: the MariaDB every machine of ours runs. */
export const LOCAL_DEFAULT_MYSQL_URL = 'mariadb://root@127.0.0.1:3306/test';

export interface MysqlServer {
  /** The URL it was named by; database URLs keep its scheme (mariadb: or mysql:), credentials and options. */
  url: string;
  host: string;
  port: number;
  user: string;
  password: string;
  /** The database named in the URL; scratch databases are named after it (`<base>_<tag>`). */
  baseName: string;
}

export function mysqlServerAt(url: string): MysqlServer {
  const parsed = new URL(url);
  return {
    url,
    // mysql2 may resolve "localhost" to ::1, where MariaDB does not listen by default.
    host: parsed.hostname === 'localhost' ? '127.0.0.1' : parsed.hostname,
    port: Number(parsed.port || 3306),
    user: decodeURIComponent(parsed.username || 'root'),
    password: decodeURIComponent(parsed.password),
    baseName: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'test',
  };
}

/** The server TEST_DATABASE_URL names, or the local default. */
export function mysqlServer(environment: NodeJS.ProcessEnv = process.env): MysqlServer {
  return mysqlServerAt(environment.TEST_DATABASE_URL?.trim() || LOCAL_DEFAULT_MYSQL_URL);
}

/** `<base>_<tag>`, as MySQL allows a database name (64 characters of letters, digits and `_`). */
export function scratchDatabaseName(server: MysqlServer, tag: string): string {
  return `${server.baseName}_${tag}`.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 64);
}

/** The URL of a database on the server, reached directly or through `via` (a proxy in front of it). */
export function databaseUrl(server: MysqlServer, name: string, via?: { host: string; port: number }): string {
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  if (via) {
    url.hostname = via.host;
    url.port = String(via.port);
  }
  return url.toString();
}

/** A connection to the server, to one of its databases when named. Times come back in UTC. */
export function connectTo(server: MysqlServer, database?: string, connectTimeout = 5000): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    database,
    timezone: 'Z',
    connectTimeout,
  });
}

function assertDatabaseName(name: string): void {
  if (!/^[A-Za-z0-9_]{1,64}$/.test(name)) throw new Error(`not a scratch database name: ${JSON.stringify(name)}`);
}

async function administer(server: MysqlServer, statements: string[]): Promise<void> {
  const connection = await connectTo(server);
  try {
    for (const statement of statements) await connection.query(statement);
  } finally {
    await connection.end();
  }
}

/**
 * Creates an empty utf8mb4 database. `replace` drops one of that name first (a crashed run's leftover);
 * without it an existing database is an error, so a name already in use is never wiped by mistake.
 */
export async function createDatabase(server: MysqlServer, name: string, { replace }: { replace: boolean }): Promise<void> {
  assertDatabaseName(name);
  await administer(server, [...(replace ? [`drop database if exists \`${name}\``] : []), `create database \`${name}\` character set utf8mb4`]);
}

export async function dropDatabase(server: MysqlServer, name: string): Promise<void> {
  assertDatabaseName(name);
  await administer(server, [`drop database if exists \`${name}\``]);
}

/** A database of one test's own on the server, created empty. */
export interface ScratchDatabase {
  name: string;
  /** Its URL on the server itself. */
  url: string;
  /** Its URL for an app reaching the server at host:port (a proxy's port, or the server's own). */
  urlThrough(host: string, port: number): string;
  connect(): Promise<mysql.Connection>;
  drop(): Promise<void>;
}

export function scratchDatabaseOf(server: MysqlServer, name: string): ScratchDatabase {
  return {
    name,
    url: databaseUrl(server, name),
    urlThrough: (host, port) => databaseUrl(server, name, { host, port }),
    connect: () => connectTo(server, name),
    drop: () => dropDatabase(server, name),
  };
}

/** `<base>_<tag>` made afresh: a leftover of a crashed run with that name is dropped first. */
export async function createScratchDatabase(server: MysqlServer, tag: string): Promise<ScratchDatabase> {
  const name = scratchDatabaseName(server, tag);
  await createDatabase(server, name, { replace: true });
  return scratchDatabaseOf(server, name);
}
