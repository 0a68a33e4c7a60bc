import fs from 'node:fs';
import path from 'node:path';
import { connectTo, LOCAL_DEFAULT_MYSQL_URL, mysqlServerAt } from './mysql-server';

/**
 * Finds the MySQL server the suite runs against. TEST_DATABASE_URL, when set, must answer: an
 * unreachable one fails the run. Unset, the local default (root@127.0.0.1:3306) is tried, so a
 * developer's `pnpm test` covers MariaDB too. Under CI, a run without MySQL fails.
 */
export const STATUS_FILE = path.resolve(__dirname, '..', '..', '.test-status.json');

async function reachable(url: string): Promise<string> {
  const server = mysqlServerAt(url);
  const connection = await connectTo(server, server.baseName, 3000);
  try {
    const [rows] = await connection.query('select version() as version');
    return (rows as { version: string }[])[0]!.version;
  } finally {
    await connection.end();
  }
}

export default async function globalSetup(): Promise<void> {
  const configured = process.env.TEST_DATABASE_URL?.trim();
  let url: string | null = null;
  let note: string;
  if (configured) {
    try {
      note = `MySQL tested: ${await reachable(configured)} at ${new URL(configured).host}`;
      url = configured;
    } catch (error) {
      throw new Error(`TEST_DATABASE_URL is set but unreachable (${String(error)}); refusing to skip the MySQL tests`);
    }
  } else {
    try {
      note = `MySQL tested: ${await reachable(LOCAL_DEFAULT_MYSQL_URL)} at 127.0.0.1:3306 (local default; set TEST_DATABASE_URL to choose)`;
      url = LOCAL_DEFAULT_MYSQL_URL;
    } catch (error) {
      if (process.env.CI === 'true') {
        throw new Error(`CI=true but no MySQL answers at 127.0.0.1:3306 and TEST_DATABASE_URL is not set (${String(error)})`);
      }
      note = 'MySQL was NOT tested: no TEST_DATABASE_URL and nothing answers at 127.0.0.1:3306; only SQLite ran';
    }
  }
  process.env.WANJIA_TEST_MYSQL_URL = url ?? 'none';
  fs.writeFileSync(STATUS_FILE, JSON.stringify({ mysql: url !== null, note }));
}
