/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  setupFiles: ['reflect-metadata'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  transform: { '^.+\\.ts$': ['@swc/jest', require('../jest.swc.js')] },
  // Files share one MySQL server and create databases on it; one at a time keeps the run predictable on 2 cores.
  maxWorkers: 1,
  testTimeout: 60_000,
  moduleNameMapper: { '^@wanjia/shared$': '<rootDir>/../shared/src/index.ts' },
};
