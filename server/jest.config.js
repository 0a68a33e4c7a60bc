/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  setupFiles: ['reflect-metadata'],
  transform: { '^.+\\.ts$': ['@swc/jest', require('../jest.swc.js')] },
  // Tests share one MariaDB database per run; running files one at a time keeps them from racing.
  maxWorkers: 1,
  testTimeout: 60_000,
  moduleNameMapper: { '^@wanjia/shared$': '<rootDir>/../shared/src/index.ts' },
};
