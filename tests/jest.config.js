/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/api/**/*.test.ts', '<rootDir>/browser/**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', require('../jest.swc.js')] },
  maxWorkers: 1,
  testTimeout: 120_000,
};
