const fs = require('node:fs');
const mysql = require('mysql2/promise');

// Browser tests need Debian's Chromium. Under CI a missing browser fails the run (the tests say how to
// install it); on a developer's machine without it they are left out and the run's summary says so.
const browserAvailable = fs.existsSync('/usr/bin/chromium') || process.env.CI === 'true';

// The fault, soak and benchmark-guard tests need MySQL (MariaDB): they cut its connections and count its rows. Under CI,
// or when TEST_DATABASE_URL is set, they always run (and fail if it does not answer); otherwise they
// run when the local default root@127.0.0.1:3306 answers, and are left out with a note when it does not.
async function mysqlAvailable() {
  if (process.env.CI === 'true' || process.env.TEST_DATABASE_URL?.trim()) return true;
  try {
    const connection = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '', connectTimeout: 3000 });
    await connection.end();
    return true;
  } catch {
    process.stderr.write('Fault, soak and benchmark-guard tests (tests/faults, tests/soak, tests/bench-guard) did NOT run: no TEST_DATABASE_URL and no MySQL answers at 127.0.0.1:3306\n');
    return false;
  }
}

/** @returns {Promise<import('jest').Config>} */
module.exports = async () => ({
  testEnvironment: 'node',
  testMatch: [
    '<rootDir>/api/**/*.test.ts',
    '<rootDir>/probes/**/*.test.ts',
    '<rootDir>/docs/**/*.test.ts',
    ...(browserAvailable ? ['<rootDir>/browser/**/*.test.ts'] : []),
    ...((await mysqlAvailable()) ? ['<rootDir>/faults/**/*.test.ts', '<rootDir>/soak/**/*.test.ts', '<rootDir>/bench-guard/**/*.test.ts'] : []),
  ],
  transform: { '^.+\\.ts$': ['@swc/jest', require('../jest.swc.js')] },
  maxWorkers: 1,
  testTimeout: 120_000,
});
