import mysql from 'mysql2/promise';

/**
 * The MySQL server (MariaDB) the fault and soak tests run against, chosen as the server suite chooses
 * it (server/test/support/global-setup.ts): TEST_DATABASE_URL when set (CI sets it to a scratch
 * database of the run), otherwise the local default root@127.0.0.1:3306. jest.config.js leaves these
 * tests out when neither answers outside CI, and the run says so.
 */
export const LOCAL_DEFAULT_MYSQL_URL = 'mariadb://root@127.0.0.1:3306/test';

export interface MysqlServer {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The database name scratch databases are derived from (`<base>_<tag>`). */
  baseName: string;
}

export function mysqlServer(environment: NodeJS.ProcessEnv = process.env): MysqlServer {
  const url = new URL(environment.TEST_DATABASE_URL?.trim() || LOCAL_DEFAULT_MYSQL_URL);
  return {
    host: url.hostname === 'localhost' ? '127.0.0.1' : url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
    baseName: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'test',
  };
}

/** A database of one test's own on that server, created empty (dropped first if a crashed run left it). */
export interface ScratchDatabase {
  name: string;
  /** DATABASE_URL for a server reaching MariaDB at host:port (a proxy's port, or MariaDB's own). */
  urlThrough(host: string, port: number): string;
  connect(): Promise<mysql.Connection>;
  drop(): Promise<void>;
}

export async function createScratchDatabase(server: MysqlServer, tag: string): Promise<ScratchDatabase> {
  const name = `${server.baseName}_${tag}`.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 64);
  const admin = await adminConnection(server);
  try {
    await admin.query(`drop database if exists \`${name}\``);
    await admin.query(`create database \`${name}\` character set utf8mb4`);
  } finally {
    await admin.end();
  }
  const credentials = `${encodeURIComponent(server.user)}${server.password ? `:${encodeURIComponent(server.password)}` : ''}`;
  return {
    name,
    urlThrough: (host, port) => `mariadb://${credentials}@${host}:${port}/${name}`,
    connect: () =>
      mysql.createConnection({ host: server.host, port: server.port, user: server.user, password: server.password, database: name, timezone: 'Z' }),
    async drop() {
      const connection = await adminConnection(server);
      try {
        await connection.query(`drop database if exists \`${name}\``);
      } finally {
        await connection.end();
      }
    },
  };
}

function adminConnection(server: MysqlServer): Promise<mysql.Connection> {
  return mysql.createConnection({ host: server.host, port: server.port, user: server.user, password: server.password, connectTimeout: 5000 });
}
