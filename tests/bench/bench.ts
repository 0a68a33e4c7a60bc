import fs from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { compareAnswers, compareSubmissions, probe, statementsAtPageSizes } from './answer-checks';
import { ensureCityData, ensureServerBuilt, type CityDataResult } from './city-data';
import { benchDatabase, type MysqlTarget } from './common';
import { findDatabasePid } from './gauges';
import { loadCadres, measure, type Cadre, type Context, type Measurement } from './load';
import { HEADER, row, summarise, table } from './report';
import { sleep, startBaseline, startOurs, type Running } from './server-processes';
import { RESULTS_FILE, TARGETS, type Scenario, type ServerName, type Settings } from './settings';

/**
 * One benchmark run: the real server against the hand-written baseline (baseline-server.ts) on the
 * city data set (city-data.ts), alternating, scenario by scenario. `pnpm bench` (run.ts) prints it in
 * full; the guard (tests/bench-guard) runs it short and compares the ratios with references.
 */

export type Summary = NonNullable<ReturnType<typeof summarise>>;

export interface ScenarioVerdict {
  scenario: Scenario;
  /** Ours' req/s over the baseline's (medians of the rounds); null when one side has no figures. */
  ratio: number | null;
  ratioTarget: number;
  p99: { ours: number; baseline: number } | null;
  sql: { ours: number | null; baseline: number | null } | null;
}

export interface BenchResult {
  data: CityDataResult;
  notes: string[];
  /** Answer checks: name → differences (empty: identical). */
  checks: Record<string, string[]>;
  /** Statements of one request at a small and a large page, per server. */
  pageSizes: { scenario: 'myHouseholds' | 'household'; sizes: [number, number]; ours: number[] | null; baseline: number[] | null }[];
  measurements: Measurement[];
  summaries: Summary[];
  verdicts: ScenarioVerdict[];
  lines: string[];
  crashed: unknown;
}

export interface BenchOptions {
  database?: MysqlTarget;
  log?: (line: string) => void;
  /** Pause between two runs, so that one run's tail does not fall into the next (ms). */
  pauseMs?: number;
  /** Write .test-results/bench.json. */
  writeResults?: boolean;
}

export async function runBenchmark(settings: Settings, options: BenchOptions = {}): Promise<BenchResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const pauseMs = options.pauseMs ?? 1000;
  await ensureServerBuilt(log);
  const database = options.database ?? benchDatabase();
  log(
    `Wanjia benchmark: ${settings.rounds} rounds × ${settings.duration} s per scenario and server, ${settings.connections} connections, pool ${settings.pool}, rate limits in ${settings.redisUrl ? 'Redis' : "each server's memory"}`,
  );
  log(`real server: ${path.relative(process.cwd(), settings.serverMain)}\n`);
  const data = await ensureCityData({ database, households: settings.households, log });
  log(
    `data set ${database.database}: ${data.reused ? 'reused' : 'generated'} in ${data.seconds.toFixed(1)} s — ` +
      Object.entries(data.counts)
        .map(([name, count]) => `${name} ${count.toLocaleString('en')}`)
        .join(', '),
  );

  const admin = await mysql.createConnection({
    host: database.host,
    port: database.port,
    user: database.user,
    password: database.password,
    database: database.database,
  });
  const servers: Running[] = [];
  const result: BenchResult = { data, notes: [], checks: {}, pageSizes: [], measurements: [], summaries: [], verdicts: [], lines: [], crashed: null };
  try {
    const cadres = await loadCadres(admin, settings.secret);
    log(`tokens: ${cadres.length.toLocaleString('en')} cadres signed in (HS256, the server's claims)\n`);
    const context: Context = { settings, cadres, admin, databasePid: findDatabasePid(), runTag: Date.now().toString(36) };

    const baseline = settings.only === 'ours' ? null : await startBaseline(settings, database);
    if (baseline) servers.push(baseline);
    let ours: Running | null = null;
    if (settings.only !== 'baseline') {
      try {
        ours = await startOurs(settings, database);
        servers.push(ours);
      } catch (error) {
        // Still measure the baseline, but a real server that cannot start is a crash.
        result.crashed = error;
        log(`the real server did not start; measuring the baseline alone.\n${String(error).slice(0, 2000)}`);
      }
    }

    // Which scenarios each server answers: a scenario a server refuses is measured on the other alone.
    const available = Object.fromEntries(settings.scenarios.map((scenario) => [scenario, [] as ServerName[]])) as Record<Scenario, ServerName[]>;
    for (const scenario of settings.scenarios) {
      for (const server of servers) {
        const problem = await probe(server, cadres[0]!, scenario);
        if (problem === null) available[scenario].push(server.name);
        else result.notes.push(`${server.name} ${scenario}: not measured — ${problem.slice(0, 200)}`);
      }
    }
    for (const note of result.notes) log(note);

    if (ours && baseline) {
      const sample = Array.from({ length: 12 }, (_, index) => cadres[Math.floor((index * cadres.length) / 12)]!);
      result.checks = await compareAnswers(ours, baseline, sample, settings.scenarios);
      if (settings.scenarios.includes('submitHelpRecord') || settings.scenarios.includes('mix')) {
        result.checks.submitHelpRecord = await compareSubmissions(context, ours, baseline);
      }
      for (const [name, differences] of Object.entries(result.checks)) {
        log(
          differences.length === 0
            ? `check: ${name} answers the same on both servers${name === 'submitHelpRecord' ? ' (rows written, monthly summary, audit, resend)' : ` (${sample.length} cadres)`}`
            : `check: ${name} DIFFERS (${differences.length}):\n  ${differences.slice(0, 2).join('\n  ')}`,
        );
      }
    }
    result.pageSizes = await pageSizeStatements(servers, cadres[1] ?? cadres[0]!, settings.scenarios);
    for (const entry of result.pageSizes) {
      const show = (counts: number[] | null) => (counts ? counts.join(' → ') : 'n/a');
      log(`SQL per request at page size ${entry.sizes.join(' → ')} (${entry.scenario}): ours ${show(entry.ours)}, baseline ${show(entry.baseline)}`);
    }

    const byName = new Map(servers.map((server) => [server.name, server]));
    if (settings.warmup > 0) {
      for (const scenario of settings.scenarios) {
        for (const name of available[scenario]) await measure(context, byName.get(name)!, scenario, 0, settings.warmup);
      }
    }

    const [title, rule] = table(HEADER, []).split('\n');
    log(`\nround  ${title}\n-----  ${rule}`);
    for (let round = 1; round <= settings.rounds; round += 1) {
      for (const scenario of settings.scenarios) {
        // Alternate who goes first, so that neither always runs on a database the other just warmed or dirtied.
        const order = round % 2 === 1 ? available[scenario] : [...available[scenario]].reverse();
        for (const name of order) {
          await sleep(pauseMs);
          const m = await measure(context, byName.get(name)!, scenario, round, settings.duration);
          result.measurements.push(m);
          log(`${String(round).padStart(5)}  ${table(HEADER, [row(m)]).split('\n')[2]}`);
          if (m.failures > 0) log(`       first failure: ${m.firstError}`);
        }
      }
    }

    result.summaries = settings.scenarios
      .flatMap((scenario) => (['ours', 'baseline'] as const).map((server) => summarise(result.measurements, scenario, server)))
      .filter((summary): summary is Summary => summary !== null);
    log(`\nmedians of ${settings.rounds} rounds (failures summed, highest peak RSS):\n`);
    log(table(HEADER, result.summaries.map(row)));
    log('');
    result.verdicts = settings.scenarios.map((scenario) => verdictOf(scenario, result.summaries));
    result.lines = verdictLines(result.verdicts, result.pageSizes, settings.connections);
    for (const line of result.lines) log(line);
    log(
      [
        '',
        'SQL/req: statements the server counted itself (/debug/sql-count), transaction control and the account-standing read included.',
        "db stmts/req and db CPU ms/req: MariaDB's own statement count and CPU during the run, from every client of this",
        'MariaDB: a check on SQL/req, and noisy when something else (a test suite) uses the database at the same time.',
      ].join('\n'),
    );
    if (options.writeResults !== false) {
      fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
      fs.writeFileSync(
        RESULTS_FILE,
        `${JSON.stringify({ at: new Date().toISOString(), settings: { ...settings, secret: undefined }, ...result, crashed: result.crashed ? String(result.crashed) : null }, null, 2)}\n`,
      );
      log(`results: ${path.relative(process.cwd(), RESULTS_FILE)}`);
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await admin.end();
  }
  return result;
}

async function pageSizeStatements(servers: Running[], cadre: Cadre, scenarios: Scenario[]): Promise<BenchResult['pageSizes']> {
  const entries: BenchResult['pageSizes'] = [];
  const wanted: ['myHouseholds' | 'household', [number, number]][] = [
    ['myHouseholds', [1, 100]],
    ['household', [1, 100]],
  ];
  for (const [scenario, sizes] of wanted) {
    if (!scenarios.includes(scenario) && !scenarios.includes('mix')) continue;
    const counts: Record<ServerName, number[] | null> = { ours: null, baseline: null };
    for (const server of servers) counts[server.name] = await statementsAtPageSizes(server, cadre, scenario, sizes);
    entries.push({ scenario, sizes, ours: counts.ours, baseline: counts.baseline });
  }
  return entries;
}

export function verdictOf(scenario: Scenario, summaries: Summary[]): ScenarioVerdict {
  const ours = summaries.find((s) => s.scenario === scenario && s.server === 'ours');
  const baseline = summaries.find((s) => s.scenario === scenario && s.server === 'baseline');
  return {
    scenario,
    ratio: ours && baseline ? ours.requestsPerSecond / baseline.requestsPerSecond : null,
    ratioTarget: TARGETS.ratio[scenario],
    p99: ours && baseline ? { ours: ours.p99, baseline: baseline.p99 } : null,
    sql: ours || baseline ? { ours: ours?.sqlPerRequest ?? null, baseline: baseline?.sqlPerRequest ?? null } : null,
  };
}

/** The targets, each PASS or FAIL: a missed target is printed, never hidden (the run still exits 0). */
export function verdictLines(verdicts: ScenarioVerdict[], pageSizes: BenchResult['pageSizes'], connections: number): string[] {
  const lines: string[] = [];
  const mark = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  for (const v of verdicts) {
    lines.push(
      v.ratio === null
        ? `${v.scenario}: ratio not measured`
        : `${v.scenario}: ours/baseline throughput ${v.ratio.toFixed(2)}× (target ≥ ${v.ratioTarget}×) ${mark(v.ratio >= v.ratioTarget)}`,
    );
    if (v.p99) {
      const limit = v.p99.baseline * TARGETS.p99TimesBaseline;
      lines.push(
        `${v.scenario}: ours p99 ${v.p99.ours} ms at ${connections} connections (target ≤ ${TARGETS.p99TimesBaseline}× the baseline's ${v.p99.baseline} ms = ${limit.toFixed(0)} ms) ${mark(v.p99.ours <= limit)}`,
      );
    }
    if (v.sql && v.sql.ours !== null && v.sql.baseline !== null) {
      const limit = v.sql.baseline + TARGETS.extraStatements;
      lines.push(
        `${v.scenario}: SQL/req ours ${v.sql.ours.toFixed(2)}, baseline ${v.sql.baseline.toFixed(2)} (target ≤ the baseline's + ${TARGETS.extraStatements}) ${mark(v.sql.ours <= limit + 0.005)}`,
      );
    }
  }
  for (const entry of pageSizes) {
    if (!entry.ours) continue;
    const constant = entry.ours[0] === entry.ours[1];
    lines.push(
      `${entry.scenario}: SQL per request constant in page size (ours ${entry.ours.join(' → ')} at ${entry.sizes.join(' → ')}; baseline ${entry.baseline?.join(' → ') ?? 'n/a'}) ${mark(constant)}`,
    );
  }
  return lines;
}
