const fs = require('node:fs');
const { spawnSync } = require('node:child_process');

// The scale-out suites (issue 17) start their own servers as processes on loopback ports: a MariaDB
// replica (mariadbd), three Galera nodes (galera-4), HAProxy in front of three API instances, and a local
// S3-compatible store. Under CI they always run (.ci/run installs the Debian packages, and a missing one
// fails the run); on a developer's machine a suite whose tool is missing is left out, said on stderr
// here and again in the run's summary (tests/scripts/test-summary.mjs).
const ci = process.env.CI === 'true';
const onPath = (command) => spawnSync('which', [command]).status === 0;
const tools = {
  mariadb: fs.existsSync('/usr/sbin/mariadbd') && onPath('mariadb-install-db'),
  galera: fs.existsSync('/usr/lib/galera/libgalera_smm.so') && onPath('rsync'),
  // The instances suite runs the repository's deploy/haproxy/wanjia.cfg (deploy/README.md says why HAProxy).
  haproxy: fs.existsSync('/usr/sbin/haproxy'),
};

/** Each suite and the tools it needs. */
const suites = [
  { match: '<rootDir>/cluster/replica*.test.ts', needs: ['mariadb'] },
  { match: '<rootDir>/cluster/object-storage*.test.ts', needs: [] },
  { match: '<rootDir>/cluster/instances*.test.ts', needs: ['haproxy'] },
  { match: '<rootDir>/cluster/galera*.test.ts', needs: ['mariadb', 'galera'] },
];

const testMatch = [];
for (const suite of suites) {
  const missing = suite.needs.filter((tool) => !tools[tool]);
  if (ci || missing.length === 0) testMatch.push(suite.match);
  else process.stderr.write(`Cluster suite ${suite.match.replace('<rootDir>/', 'tests/')} did NOT run: ${missing.join(', ')} missing\n`);
}

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testMatch,
  transform: { '^.+\\.ts$': ['@swc/jest', require('../jest.swc.js')] },
  // One at a time: each suite starts several servers on a 2-core machine.
  maxWorkers: 1,
  testTimeout: 300_000,
  passWithNoTests: true,
};
