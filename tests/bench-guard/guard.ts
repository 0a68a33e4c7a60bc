import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { runBenchmark, type BenchResult } from '../bench/bench';
import { benchDatabase, type MysqlTarget } from '../bench/common';
import { median } from '../bench/report';
import { SCENARIOS, settingsFrom, type Scenario, type Settings } from '../bench/settings';

/**
 * The benchmark's short mode, the guard against the next regression: the same two servers, the same
 * scenarios and the same alternation as `pnpm bench`, on a small data set (5,000 households, built in
 * a few seconds) and a few seconds per run. Each ratio ours/baseline is compared with its reference in
 * tests/bench/reference-ratios.json: a ratio below its reference by more than the margin fails.
 * The references are what the code reached when they were last set, so a slower change fails and
 * a faster one passes (and should raise them: `--suggest`).
 *
 *   tsx bench-guard/guard.ts             one guard run: the ratios, their floors, PASS/FAIL (exit 1 on a FAIL)
 *   tsx bench-guard/guard.ts --suggest   GUARD_RUNS (5) runs: min/median/max of each ratio and suggested references
 *
 * Always under `flock /tmp/wanjia-bench.lock …` on a shared machine (bench-guard.test.ts takes the lock itself).
 * Settings: GUARD_DATABASE_URL (mariadb://root@127.0.0.1:3306/wanjia_bench_guard; the name must contain
 * "bench": it is dropped, rebuilt and dropped again), GUARD_KEEP_DATABASE=true to keep it between runs.
 */

export const REFERENCE_FILE = path.resolve(__dirname, '..', 'bench', 'reference-ratios.json');
export const DEFAULT_GUARD_DATABASE_URL = 'mariadb://root@127.0.0.1:3306/wanjia_bench_guard';

export interface References {
  /**
   * How far (a fraction of the reference) each ratio may fall below its reference before the guard
   * fails: its measured spread over repeated short runs on a loaded machine, with room (README.md).
   */
  margins: Record<Scenario, number>;
  ratios: Record<Scenario, number>;
  /** Where the figures come from: the command, the date, the machine's state. */
  note: string;
}

export function readReferences(file: string = REFERENCE_FILE): References {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as References;
  for (const scenario of SCENARIOS) {
    if (!(parsed.ratios?.[scenario] > 0)) throw new Error(`${file}: ratios.${scenario} must be a positive ratio`);
    const margin = parsed.margins?.[scenario];
    if (!(margin > 0 && margin < 1)) throw new Error(`${file}: margins.${scenario} must be a fraction between 0 and 1`);
  }
  return parsed;
}

/** The short mode's settings: every one can still be overridden by its BENCH_* variable. */
export function guardSettings(environment: NodeJS.ProcessEnv = process.env): Settings {
  return settingsFrom(
    {
      BENCH_HOUSEHOLDS: '5000',
      BENCH_DURATION: '3',
      BENCH_ROUNDS: '3',
      BENCH_WARMUP: '1',
      ...environment,
      // The guard measures the build in server/dist, both servers, every scenario.
      BENCH_ONLY: '',
      BENCH_SCENARIOS: '',
      BENCH_SERVER_MAIN: '',
    },
    randomBytes(32).toString('hex'),
  );
}

export interface GuardOutcome {
  ratios: Partial<Record<Scenario, number>>;
  failures: string[];
  lines: string[];
  result: BenchResult;
}

async function dropDatabase(target: MysqlTarget): Promise<void> {
  const admin = await mysql.createConnection({ host: target.host, port: target.port, user: target.user, password: target.password });
  try {
    await admin.query(`drop database if exists \`${target.database}\``);
  } finally {
    await admin.end();
  }
}

/** One short run, judged against the references. */
export async function runGuard(options: { log?: (line: string) => void; references?: References; keepDatabase?: boolean } = {}): Promise<GuardOutcome> {
  const log = options.log ?? ((line: string) => console.log(line));
  const references = options.references ?? readReferences();
  const database = benchDatabase({ BENCH_DATABASE_URL: process.env.GUARD_DATABASE_URL?.trim() || DEFAULT_GUARD_DATABASE_URL });
  const keep = options.keepDatabase ?? process.env.GUARD_KEEP_DATABASE === 'true';
  let result: BenchResult;
  try {
    result = await runBenchmark(guardSettings(), { database, log, pauseMs: 300, writeResults: false });
  } finally {
    if (!keep) await dropDatabase(database);
  }
  const failures: string[] = [];
  const ratios: Partial<Record<Scenario, number>> = {};
  const lines: string[] = ['\nguard: ratios ours/baseline against tests/bench/reference-ratios.json (floor = reference × (1 − margin))'];
  if (result.crashed) failures.push(`the real server did not start: ${String(result.crashed).slice(0, 500)}`);
  for (const [name, differences] of Object.entries(result.checks)) {
    if (differences.length > 0) failures.push(`${name}: the two servers answer differently, so the ratio compares different work:\n  ${differences[0]}`);
  }
  for (const verdict of result.verdicts) {
    const reference = references.ratios[verdict.scenario];
    const margin = references.margins[verdict.scenario];
    const floor = reference * (1 - margin);
    if (verdict.ratio === null) {
      failures.push(`${verdict.scenario}: no ratio (a server did not answer it)`);
      lines.push(`  ${verdict.scenario.padEnd(16)} not measured`);
      continue;
    }
    ratios[verdict.scenario] = verdict.ratio;
    const ok = verdict.ratio >= floor;
    lines.push(
      `  ${verdict.scenario.padEnd(16)} ${verdict.ratio.toFixed(3)}×  reference ${reference.toFixed(3)}×  margin ${(margin * 100).toFixed(0)} %  floor ${floor.toFixed(3)}×  ${ok ? 'PASS' : 'FAIL'}`,
    );
    if (!ok) failures.push(`${verdict.scenario}: ratio ${verdict.ratio.toFixed(3)}× is below its floor ${floor.toFixed(3)}× (reference ${reference}× − ${(margin * 100).toFixed(0)} %)`);
  }
  for (const measurement of result.measurements) {
    if (measurement.failures > 0) {
      failures.push(`${measurement.scenario} on ${measurement.server}: ${measurement.failures} failed requests (first: ${measurement.firstError?.slice(0, 300)})`);
    }
  }
  for (const line of lines) log(line);
  return { ratios, failures, lines, result };
}

const SUGGESTED_MARGIN_FLOOR = 0.15;

/** Several guard runs: the spread of each ratio (to choose the margin) and references to commit. */
async function suggest(runs: number): Promise<void> {
  const references = readReferences();
  const seen: Record<Scenario, number[]> = Object.fromEntries(SCENARIOS.map((scenario) => [scenario, []])) as unknown as Record<Scenario, number[]>;
  for (let run = 1; run <= runs; run += 1) {
    console.log(`\n=== guard run ${run} of ${runs}`);
    const outcome = await runGuard({ references, log: () => undefined });
    for (const line of outcome.lines) console.log(line);
    for (const scenario of SCENARIOS) if (outcome.ratios[scenario] !== undefined) seen[scenario].push(outcome.ratios[scenario]!);
  }
  console.log(`\nratio spread over ${runs} runs (min / median / max; spread = (max − min) / median):`);
  const suggested: Record<string, number> = {};
  const margins: Record<string, number> = {};
  for (const scenario of SCENARIOS) {
    const values = seen[scenario];
    if (values.length === 0) continue;
    const middle = median(values);
    suggested[scenario] = Number(middle.toFixed(3));
    // Twice the deepest fall below the median seen, and never under 15 %: runs on a loaded machine fall further than a few runs show.
    margins[scenario] = Number(Math.max(SUGGESTED_MARGIN_FLOOR, 2 * ((middle - Math.min(...values)) / middle)).toFixed(2));
    console.log(
      `  ${scenario.padEnd(16)} ${Math.min(...values).toFixed(3)} / ${middle.toFixed(3)} / ${Math.max(...values).toFixed(3)}   spread ${(((Math.max(...values) - Math.min(...values)) / middle) * 100).toFixed(0)} %   runs: ${values.map((v) => v.toFixed(3)).join(' ')}`,
    );
  }
  console.log(`\nsuggested references (the medians; raise them in tests/bench/reference-ratios.json when the code got faster):\n${JSON.stringify(suggested, null, 2)}`);
  console.log(`suggested margins (twice the deepest fall below the median, at least ${SUGGESTED_MARGIN_FLOOR * 100} %):\n${JSON.stringify(margins, null, 2)}`);
}

if (require.main === module) {
  const suggesting = process.argv.includes('--suggest');
  const work = suggesting
    ? suggest(Math.max(1, Number(process.env.GUARD_RUNS || 5)))
    : runGuard().then((outcome) => {
        if (outcome.failures.length > 0) {
          console.log(`\nguard FAILED:\n  ${outcome.failures.join('\n  ')}`);
          process.exitCode = 1;
        } else console.log('\nguard passed');
      });
  work.catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  });
}
