import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { DEFAULT_GUARD_DATABASE_URL, readReferences } from './guard';

/**
 * The performance guard in CI: the benchmark's short mode (guard.ts) on its own small data set, both
 * servers, every scenario, each ratio ours/baseline against tests/bench/reference-ratios.json minus
 * its margin. It fails only when a ratio falls below its floor (or the two servers answer differently,
 * or requests fail): the margin was chosen from repeated runs on a loaded machine (tests/bench/README.md).
 *
 * It runs under `flock /tmp/wanjia-bench.lock` (where flock exists), so it never overlaps another
 * benchmark on a shared machine; it waits for the lock up to 15 minutes.
 */

const TESTS_ROOT = path.resolve(__dirname, '..');
const LOCK_FILE = '/tmp/wanjia-bench.lock';

/** The guard's database on the test MariaDB (TEST_DATABASE_URL's server when set), named so the benchmark may drop it. */
function guardDatabaseUrl(): string {
  const test = process.env.TEST_DATABASE_URL?.trim();
  if (!test) return DEFAULT_GUARD_DATABASE_URL;
  const url = new URL(test);
  url.pathname = '/wanjia_bench_guard';
  return url.toString();
}

function run(command: string, args: string[], environment: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: TESTS_ROOT, env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

test('the ratios ours/baseline stay above their references minus the margin (short benchmark)', async () => {
  // A broken reference file is a failure of its own, before minutes of measuring.
  readReferences();

  const guard = [process.execPath, '--import', 'tsx', path.join(__dirname, 'guard.ts')];
  const hasFlock = spawnSync('flock', ['--version']).status === 0;
  const [command, ...args] = hasFlock ? ['flock', '-w', '900', LOCK_FILE, ...guard] : guard;
  const started = Date.now();
  const { code, output } = await run(command!, args, { ...process.env, GUARD_DATABASE_URL: guardDatabaseUrl() });
  const summary = output.slice(output.indexOf('medians of'));
  console.log(`bench guard (${((Date.now() - started) / 1000).toFixed(0)} s):\n${summary || output.slice(-6000)}`);
  expect({ exitCode: code, verdict: /guard (passed|FAILED[\s\S]*)$/.exec(output.trimEnd())?.[0] ?? output.slice(-3000) }).toEqual({ exitCode: 0, verdict: 'guard passed' });
}, 1_500_000);
