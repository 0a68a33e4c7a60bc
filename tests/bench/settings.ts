import path from 'node:path';
import { DEFAULT_HOUSEHOLDS, SERVER_MAIN } from './city-data';

/**
 * The issue's targets: throughput ours/baseline in the same run, per scenario; ours' p99 against the
 * baseline's in the same run; SQL statements per request against the baseline's.
 */
export const TARGETS = {
  ratio: { myHouseholds: 0.8, household: 0.7, myStats: 0.7, submitHelpRecord: 0.7, mix: 0.7 },
  p99TimesBaseline: 1.5,
  extraStatements: 1,
} as const;
export const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');
export const RESULTS_FILE = path.join(REPOSITORY_ROOT, '.test-results', 'bench.json');
/** Linux reports process CPU time in clock ticks of 1/100 s (USER_HZ) on every architecture Node runs on. */
export const USER_HZ = 100;

export type ServerName = 'ours' | 'baseline';
export type Scenario = 'myHouseholds' | 'household' | 'myStats' | 'submitHelpRecord' | 'mix';
export const SCENARIOS: Scenario[] = ['myHouseholds', 'household', 'myStats', 'submitHelpRecord', 'mix'];

export interface Settings {
  duration: number;
  rounds: number;
  connections: number;
  warmup: number;
  households: number;
  pool: number;
  only: ServerName | null;
  /** The scenarios to run (BENCH_SCENARIOS, comma-separated; all by default). */
  scenarios: Scenario[];
  /** Rate limits in this Redis (BENCH_REDIS_URL), for both servers; otherwise in each server's memory. */
  redisUrl: string | null;
  secret: string;
  /** The built server to measure: server/dist unless BENCH_SERVER_MAIN names another build (to compare two). */
  serverMain: string;
}

export function settingsFrom(environment: NodeJS.ProcessEnv, runSecret: string): Settings {
  const number = (name: string, fallback: number) => {
    const value = Number(environment[name] || fallback);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name}: must be a non-negative number`);
    return value;
  };
  const only = environment.BENCH_ONLY?.trim() || null;
  if (only !== null && only !== 'ours' && only !== 'baseline') throw new Error('BENCH_ONLY: must be ours or baseline');
  const scenarios = environment.BENCH_SCENARIOS?.trim() ? environment.BENCH_SCENARIOS.split(',').map((name) => name.trim()) : SCENARIOS;
  for (const name of scenarios) if (!SCENARIOS.includes(name as Scenario)) throw new Error(`BENCH_SCENARIOS: ${name} is not one of ${SCENARIOS.join(', ')}`);
  return {
    scenarios: scenarios as Scenario[],
    redisUrl: environment.BENCH_REDIS_URL?.trim() || null,
    duration: number('BENCH_DURATION', 10),
    rounds: Math.max(1, Math.round(number('BENCH_ROUNDS', 3))),
    connections: Math.max(1, Math.round(number('BENCH_CONNECTIONS', 50))),
    warmup: number('BENCH_WARMUP', 3),
    households: Math.round(number('BENCH_HOUSEHOLDS', DEFAULT_HOUSEHOLDS)),
    pool: Math.max(1, Math.round(number('BENCH_POOL', 10))),
    only,
    secret: environment.JWT_SECRET?.trim() || runSecret,
    // Relative to where `pnpm bench` was typed (pnpm runs the script in tests/ and says where in INIT_CWD).
    serverMain: environment.BENCH_SERVER_MAIN?.trim() ? path.resolve(environment.INIT_CWD ?? process.cwd(), environment.BENCH_SERVER_MAIN.trim()) : SERVER_MAIN,
  };
}
