const net = require('node:net');

// The rate-limit test that shares one budget between instances needs a real Redis. Under CI (or with
// TEST_REDIS_URL set) it always runs and fails if Redis does not answer; elsewhere it is left out when
// nothing answers, and the summary of `pnpm test` says so.
function redisAnswers() {
  if (process.env.CI === 'true' || process.env.TEST_REDIS_URL?.trim()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const socket = net.connect(6379, '127.0.0.1', () => socket.write('PING\r\n'));
    const done = (answer) => {
      socket.destroy();
      resolve(answer);
    };
    socket.on('data', (data) => done(String(data).startsWith('+PONG')));
    socket.on('error', () => done(false));
    setTimeout(() => done(false), 2000).unref();
  });
}

/**
 * The import test of files saved by a real spreadsheet program needs LibreOffice (soffice). Under CI it
 * always runs (and fails without it); elsewhere it is left out when soffice is missing, and the summary
 * of `pnpm test` says so.
 */
function sofficeInstalled() {
  if (process.env.CI === 'true') return true;
  return (process.env.PATH ?? '').split(':').some((dir) => dir && require('node:fs').existsSync(`${dir}/soffice`));
}

/** @returns {Promise<import('jest').Config>} */
module.exports = async () => ({
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: [
    '/node_modules/',
    ...((await redisAnswers()) ? [] : ['rate-limits-redis\\.test\\.ts$']),
    ...(sofficeInstalled() ? [] : ['imports-office-files\\.test\\.ts$']),
  ],
  setupFiles: ['reflect-metadata'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  transform: { '^.+\\.ts$': ['@swc/jest', require('../jest.swc.js')] },
  // Files share one MySQL server and create databases on it; one at a time keeps the run predictable on 2 cores.
  maxWorkers: 1,
  testTimeout: 60_000,
  moduleNameMapper: { '^@wanjia/shared$': '<rootDir>/../shared/src/index.ts' },
});
