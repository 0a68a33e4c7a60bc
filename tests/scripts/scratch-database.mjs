// Creates or drops a MySQL database for one CI run: node tests/scripts/scratch-database.mjs create|drop NAME
// The server the tests use (TEST_DATABASE_URL, else root@127.0.0.1:3306), through the tests' own helper
// (server/test/support/mysql-server.ts, loaded by tsx); mysql2 from the workspace, so CI needs no mysql
// client binary. `create` refuses a name that exists: it never wipes a database someone is using.
import { tsImport } from 'tsx/esm/api';

const [action, name] = process.argv.slice(2);
if (!['create', 'drop'].includes(action) || !/^[A-Za-z0-9_]{1,64}$/.test(name ?? '')) {
  console.error('usage: scratch-database.mjs create|drop NAME');
  process.exit(2);
}
const { createDatabase, dropDatabase, mysqlServer } = await tsImport('../../server/test/support/mysql-server.ts', import.meta.url);
const server = mysqlServer();
try {
  await (action === 'create' ? createDatabase(server, name, { replace: false }) : dropDatabase(server, name));
} catch (error) {
  // The stack points into tsx's transpiled copy of the helper; the message is what says what went wrong.
  console.error(`scratch-database.mjs ${action} ${name}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
