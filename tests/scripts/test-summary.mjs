// Prints the last lines of `pnpm test`: what ran in each package, whether MySQL was covered, and one total.
// `--reset` clears the previous run's results first.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

function redisAnswers() {
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

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const resultsDir = path.join(root, '.test-results');

if (process.argv.includes('--reset')) {
  fs.rmSync(resultsDir, { recursive: true, force: true });
  fs.rmSync(path.join(root, 'server', '.test-status.json'), { force: true });
  fs.mkdirSync(resultsDir, { recursive: true });
  process.exit(0);
}

let passed = 0;
let failed = 0;
let pending = 0;
console.log('\nWanjia test summary');
for (const file of fs.existsSync(resultsDir) ? fs.readdirSync(resultsDir).sort() : []) {
  const result = JSON.parse(fs.readFileSync(path.join(resultsDir, file), 'utf8'));
  passed += result.numPassedTests;
  failed += result.numFailedTests;
  pending += result.numPendingTests + (result.numTodoTests ?? 0);
  console.log(
    `  ${path.basename(file, '.json').padEnd(8)} ${result.numPassedTests} passed, ${result.numFailedTests} failed in ${result.numTotalTestSuites} files`,
  );
}
const statusFile = path.join(root, 'server', '.test-status.json');
const status = fs.existsSync(statusFile) ? JSON.parse(fs.readFileSync(statusFile, 'utf8')) : { note: 'MySQL was NOT tested: the server suite did not run' };
console.log(`  ${status.note}`);
// tests/jest.config.js leaves the fault and soak suites out when MySQL does not answer; the server's status says whether it did.
if (status.mysql === false) console.log('  Fault, soak and benchmark-guard tests (tests/faults, tests/soak, tests/bench-guard) did NOT run: they need MySQL');
// server/jest.config.js leaves the shared-budget rate-limit test out when no Redis answers (never under CI).
if (process.env.CI !== 'true' && !process.env.TEST_REDIS_URL?.trim() && !(await redisAnswers())) {
  console.log('  The Redis rate-limit test did NOT run: nothing answers at 127.0.0.1:6379 (apt-get install -y redis-server)');
}
// server/jest.config.js leaves the office-files import test out when LibreOffice is missing (never under CI).
const sofficeOnPath = (process.env.PATH ?? '').split(':').some((dir) => dir && fs.existsSync(path.join(dir, 'soffice')));
if (process.env.CI !== 'true' && !sofficeOnPath) {
  console.log('  The office-files import test did NOT run: soffice is missing (apt-get install -y libreoffice-calc-nogui)');
}
// tests/jest.cluster.config.js leaves a scale-out suite out when its tool is missing (never under CI).
if (process.env.CI !== 'true') {
  const clusterTools = [
    ['the replica and Galera suites', fs.existsSync('/usr/sbin/mariadbd'), 'mariadb-server'],
    ['the Galera suite', fs.existsSync('/usr/lib/galera/libgalera_smm.so'), 'galera-4 rsync'],
    ['the many-instances suite', fs.existsSync('/usr/sbin/haproxy'), 'haproxy'],
  ];
  for (const [suites, present, packages] of clusterTools) {
    if (!present) console.log(`  Cluster tests: ${suites} did NOT run (apt-get install -y ${packages})`);
  }
}
// Without Chromium the browser tests are left out of the run (under CI they fail instead): say so here.
if (!fs.existsSync('/usr/bin/chromium')) console.log('  Browser tests did NOT run: /usr/bin/chromium is missing (apt-get install -y chromium)');
else console.log("  Browser tests ran in Debian's Chromium (/usr/bin/chromium)");
if (pending > 0) console.log(`  ${pending} tests were skipped or left as todo: that is a hole, not a pass`);
console.log(`Tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || pending > 0 || passed === 0 ? 1 : 0);
