/**
 * Unit tests of the app's logic (offline queue, transport, sign-in, form checks, data layers, money
 * and dates) under Node, with a small stand-in for @tarojs/taro (test/mocks/taro.ts) and Taro's
 * components as plain elements (test/mocks/components.tsx); and test/weapp, which boots every page of
 * the weapp build itself in a stand-in for WeChat's logic layer and checks that WeChat's build tool
 * (scripts/weapp-ci-check.mjs) fails on broken copies of it (so it needs `pnpm build` first).
 * Pages are proven end to end in the browser tests (tests/browser/miniprogram.test.ts and
 * tests/browser/cadre-app.test.ts) on the h5 build.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  setupFiles: ['<rootDir>/test/setup.ts'],
  moduleNameMapper: {
    '^@tarojs/taro$': '<rootDir>/test/mocks/taro.ts',
    '^@tarojs/components$': '<rootDir>/test/mocks/components.tsx',
    '^@/(.*)$': '<rootDir>/src/$1',
  },
  transform: {
    '^.+\\.tsx?$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript', tsx: true }, target: 'es2022', transform: { react: { runtime: 'automatic' } } },
        module: { type: 'commonjs' },
      },
    ],
  },
};
