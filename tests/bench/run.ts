import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { compareMyHouseholds, compareSubmissions, probe } from './answer-checks';
import { ensureCityData, ensureServerBuilt } from './city-data';
import { benchDatabase } from './common';
import { findDatabasePid } from './gauges';
import { loadCadres, measure, type Context, type Measurement } from './load';
import { HEADER, row, summarise, table } from './report';
import { sleep, startBaseline, startOurs, type Running } from './server-processes';
import { RESULTS_FILE, SCENARIOS, TARGETS, settingsFrom, type Scenario, type ServerName } from './settings';


/**
 * `pnpm bench`: the real server against the hand-written baseline (baseline-server.ts) on the city
 * data set (city-data.ts), in one run, alternating, for the two operations a cadre's phone calls
 * most: myHouseholds and submitHelpRecord. Both servers run as their own processes on the same
 * database with the same pool size and the same secret; autocannon drives them in turn with the
 * same request sequence (a random cadre's token per request, one of that cadre's households for a
 * submission). The figures are ratios measured side by side, never absolute promises: the load
 * generator, both servers and MariaDB share this machine's cores.
 *
 * It is a measurement, not a test: a missed target prints FAIL and still exits 0; only a crash
 * (a server dying, the data set not building) exits non-zero.
 *
 * Settings (environment): BENCH_DURATION seconds per run (10), BENCH_ROUNDS (3), BENCH_CONNECTIONS
 * (50), BENCH_WARMUP seconds (3), BENCH_HOUSEHOLDS (50000), BENCH_POOL (10, both servers' pool),
 * BENCH_ONLY=baseline|ours, BENCH_DATABASE_URL (mariadb://root@127.0.0.1:3306/wanjia_bench),
 * BENCH_SERVER_MAIN (another build's main.js), JWT_SECRET (else a random one for this run: production
 * refuses the development secret).
 */

async function main(): Promise<void> {
  await ensureServerBuilt();
  const settings = settingsFrom(process.env, randomBytes(32).toString('hex'));
  const database = benchDatabase();
  console.log(
    `Wanjia benchmark: ${settings.rounds} rounds × ${settings.duration} s per operation and server, ${settings.connections} connections, pool ${settings.pool}`,
  );
  console.log(`real server: ${path.relative(process.cwd(), settings.serverMain)}\n`);
  const data = await ensureCityData({ database, households: settings.households });
  console.log(
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
  let crashed: unknown = null;
  try {
    const cadres = await loadCadres(admin, settings.secret);
    console.log(`tokens: ${cadres.length.toLocaleString('en')} cadres signed in (HS256, the server's claims)\n`);
    const context: Context = { settings, cadres, admin, databasePid: findDatabasePid(), runTag: Date.now().toString(36) };

    const baseline = settings.only === 'ours' ? null : await startBaseline(settings, database);
    if (baseline) servers.push(baseline);
    let ours: Running | null = null;
    if (settings.only !== 'baseline') {
      try {
        ours = await startOurs(settings, database);
        servers.push(ours);
      } catch (error) {
        // Still measure the baseline, but a real server that cannot start is a crash: the run exits 1.
        crashed = error;
        console.error(`the real server did not start; measuring the baseline alone.\n${String(error).slice(0, 2000)}`);
      }
    }

    // Which operations the real server has: until it has them, the baseline is measured alone.
    const available: Record<Scenario, ServerName[]> = { myHouseholds: [], submitHelpRecord: [] };
    const notes: string[] = [];
    for (const scenario of SCENARIOS) {
      for (const server of servers) {
        const problem = await probe(server, cadres[0]!, scenario);
        if (problem === null) available[scenario].push(server.name);
        else notes.push(`${server.name} ${scenario}: not measured — ${problem.slice(0, 200)}`);
      }
    }
    for (const note of notes) console.log(note);

    if (ours && baseline) {
      if (available.myHouseholds.length === 2) {
        const sample = Array.from({ length: 25 }, (_, index) => cadres[Math.floor((index * cadres.length) / 25)]!);
        const differences = await compareMyHouseholds(ours, baseline, sample);
        console.log(
          differences.length === 0
            ? `check: myHouseholds identical on both servers for ${sample.length} cadres`
            : `check: myHouseholds DIFFERS:\n  ${differences.slice(0, 3).join('\n  ')}`,
        );
      }
      if (available.submitHelpRecord.length === 2) {
        const differences = await compareSubmissions(context, ours, baseline);
        console.log(
          differences.length === 0
            ? 'check: submitHelpRecord writes the same rows on both servers'
            : `check: submitHelpRecord rows DIFFER:\n  ${differences.join('\n  ')}`,
        );
      }
    }

    const byName = new Map(servers.map((server) => [server.name, server]));
    if (settings.warmup > 0) {
      for (const scenario of SCENARIOS) {
        for (const name of available[scenario]) await measure(context, byName.get(name)!, scenario, 0, settings.warmup);
      }
    }

    const measurements: Measurement[] = [];
    const [title, rule] = table(HEADER, []).split('\n');
    console.log(`\nround  ${title}\n-----  ${rule}`);
    for (let round = 1; round <= settings.rounds; round += 1) {
      for (const scenario of SCENARIOS) {
        // Alternate who goes first, so that neither always runs on a database the other just warmed or dirtied.
        const order = round % 2 === 1 ? available[scenario] : [...available[scenario]].reverse();
        for (const name of order) {
          await sleep(1000);
          const m = await measure(context, byName.get(name)!, scenario, round, settings.duration);
          measurements.push(m);
          console.log(`${String(round).padStart(5)}  ${table(HEADER, [row(m)]).split('\n')[2]}`);
          if (m.failures > 0) console.log(`       first failure: ${m.firstError}`);
        }
      }
    }

    const summaries = SCENARIOS.flatMap((scenario) => (['ours', 'baseline'] as const).map((server) => summarise(measurements, scenario, server))).filter(
      (summary): summary is NonNullable<typeof summary> => summary !== null,
    );
    console.log(`\nmedians of ${settings.rounds} rounds (failures summed, highest peak RSS):\n`);
    console.log(table(HEADER, summaries.map(row)));
    console.log('');

    const verdicts: string[] = [];
    for (const scenario of SCENARIOS) {
      const ourSummary = summaries.find((s) => s.scenario === scenario && s.server === 'ours');
      const baseSummary = summaries.find((s) => s.scenario === scenario && s.server === 'baseline');
      if (!ourSummary || !baseSummary) {
        verdicts.push(`${scenario}: ratio not measured (${!ourSummary ? 'ours' : 'the baseline'} has no figures)`);
      } else {
        const ratio = ourSummary.requestsPerSecond / baseSummary.requestsPerSecond;
        const target = TARGETS[scenario];
        verdicts.push(`${scenario}: ours/baseline throughput ${ratio.toFixed(2)}× (target ≥ ${target}×) ${ratio >= target ? 'PASS' : 'FAIL'}`);
      }
      if (ourSummary) {
        const beside = baseSummary ? `; the baseline's ${baseSummary.p99} ms` : '';
        verdicts.push(
          `${scenario}: ours p99 ${ourSummary.p99} ms at ${settings.connections} connections (target ≤ ${TARGETS.p99Ms} ms${beside}) ${ourSummary.p99 <= TARGETS.p99Ms ? 'PASS' : 'FAIL'}`,
        );
      }
    }
    for (const verdict of verdicts) console.log(verdict);
    console.log(
      [
        '',
        'SQL/req: statements the server counted itself (/debug/sql-count), transaction control included.',
        "db stmts/req and db CPU ms/req: MariaDB's own statement count and CPU during the run, from every client of this",
        'MariaDB: a check on SQL/req, and noisy when something else (a test suite) uses the database at the same time.',
      ].join('\n'),
    );

    fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
    fs.writeFileSync(
      RESULTS_FILE,
      `${JSON.stringify({ at: new Date().toISOString(), settings: { ...settings, secret: undefined }, data, notes, measurements, summaries, verdicts }, null, 2)}\n`,
    );
    console.log(`results: ${path.relative(process.cwd(), RESULTS_FILE)}`);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await admin.end();
  }
  if (crashed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
