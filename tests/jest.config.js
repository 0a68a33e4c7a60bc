const fs = require('node:fs');

// Browser tests need Debian's Chromium. Under CI a missing browser fails the run (the tests say how to
// install it); on a developer's machine without it they are left out and the run's summary says so.
const browserAvailable = fs.existsSync('/usr/bin/chromium') || process.env.CI === 'true';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/api/**/*.test.ts', ...(browserAvailable ? ['<rootDir>/browser/**/*.test.ts'] : [])],
  transform: { '^.+\\.ts$': ['@swc/jest', require('../jest.swc.js')] },
  maxWorkers: 1,
  testTimeout: 120_000,
};
