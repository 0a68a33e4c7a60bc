import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysqlClient from 'mysql2/promise';
import { ensureCityData, ensureServerBuilt } from '../bench/city-data';
import { signCadreToken, type MysqlTarget } from '../bench/common';
import {
  CORRECT_HELP_RECORD,
  HOUSEHOLD_FILE,
  MY_HOUSEHOLDS,
  MY_STATS,
  SUBMIT_HELP_RECORD,
  callGraphql,
  isRefusal,
  newVisit,
  sleep,
  tally,
  type CallOutcome,
  type HelpRecordInput,
  type SubmittedRecord,
} from '../support/cadre-client';
import { mysqlServer } from '../support/mysql';
import { checkRecords, type AcknowledgedRecord, type RecordCheck } from '../support/record-check';
import { startServer, type ServerProcess } from '../support/server-process';
import { median, memoryAfterCollection, percentile, printReport, rssMb, type SoakReport } from './soak-report';

export { printReport, type SoakReport } from './soak-report';

/**
 * The soak: simulated cadres work the built server for a while, on loopback, with the mix a phone
 * sends (their household list, a household's file, their statistics, records submitted — some sent
 * twice under the same clientId, as a retry after a lost answer — and some corrected), and the run
 * reports throughput, errors by code, latency per operation, the server's memory at start and end,
 * and whether every acknowledged record is in the database exactly once.
 *
 * `pnpm soak` (root) builds and runs it for SOAK_SECONDS (300) with SOAK_CADRES (100) cadres; CI runs
 * soak.test.ts, the same code for 30 s (SOAK_CI_SECONDS) with 50 cadres. Settings (environment): SOAK_SECONDS,
 * SOAK_CADRES, SOAK_WARMUP_SECONDS (30), SOAK_THINK_MS (think time between a cadre's requests, a
 * random wait up to this, 100), SOAK_POOL (the server's DB_POOL_MAX, 10), TEST_DATABASE_URL (the
 * MariaDB server; the soak builds its own database `<name>_soak` there and drops it afterwards unless
 * SOAK_KEEP_DATABASE=true), SOAK_REDIS_URL (rate limits in Redis rather than in the server's memory).
 */

const HOUSEHOLDS_PER_CADRE = 5;
const SECRET = 'soak-run-secret-not-for-production-0123456789';
const PROBE = path.join(__dirname, 'memory-probe.cjs');
/**
 * RSS is sampled this often from /proc while the load runs; start and end are the medians of the
 * first and last quarter of the samples (one sample swings by tens of MB with the garbage waiting
 * for collection). The live heap is read after a forced collection at start and end.
 */
const RSS_SAMPLE_MS = 1_000;
/** Budgets far above what the soak sends, so that rate limiting stays on but refuses nothing meant. */
const GENEROUS_BUDGET = '1000000/60';

export interface SoakSettings {
  seconds: number;
  cadres: number;
  warmupSeconds: number;
  thinkMs: number;
  pool: number;
  keepDatabase: boolean;
  redisUrl: string | null;
  log: (line: string) => void;
}

export function soakSettings(environment: NodeJS.ProcessEnv = process.env, overrides: Partial<SoakSettings> = {}): SoakSettings {
  const number = (name: string, fallback: number, min: number, max: number) => {
    const raw = environment[name]?.trim();
    const value = raw ? Number(raw) : fallback;
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name}: must be a whole number from ${min} to ${max} (got ${raw})`);
    return value;
  };
  return {
    seconds: number('SOAK_SECONDS', 300, 5, 86_400),
    cadres: number('SOAK_CADRES', 100, 1, 1_000),
    warmupSeconds: number('SOAK_WARMUP_SECONDS', 30, 0, 3_600),
    thinkMs: number('SOAK_THINK_MS', 100, 0, 60_000),
    pool: number('SOAK_POOL', 10, 1, 500),
    keepDatabase: environment.SOAK_KEEP_DATABASE === 'true',
    redisUrl: environment.SOAK_REDIS_URL?.trim() || null,
    log: (line) => console.log(line),
    ...overrides,
  };
}

type Operation = 'myHouseholds' | 'household' | 'myStats' | 'submitHelpRecord' | 'submitHelpRecord (retry)' | 'correctHelpRecord';

/** What a cadre does next, and how often (out of 100). */
const MIX: readonly (readonly [number, 'myHouseholds' | 'household' | 'myStats' | 'submit' | 'correct'])[] = [
  [30, 'myHouseholds'],
  [25, 'household'],
  [15, 'myStats'],
  [25, 'submit'],
  [5, 'correct'],
];
/** One submission in ten is sent a second time with the same clientId (the phone never saw the first answer). */
const RESEND_EVERY = 10;

interface OperationStats {
  requests: number;
  ok: number;
  latenciesMs: number[];
  errors: string[];
}

class Recorder {
  readonly stats = new Map<Operation, OperationStats>();
  measuring = false;

  record(operation: Operation, outcome: CallOutcome<unknown>): void {
    if (!this.measuring) return;
    let stats = this.stats.get(operation);
    if (!stats) this.stats.set(operation, (stats = { requests: 0, ok: 0, latenciesMs: [], errors: [] }));
    stats.requests += 1;
    stats.latenciesMs.push(outcome.ms);
    if (outcome.ok) stats.ok += 1;
    else stats.errors.push(outcome.code);
  }
}

interface CadreState {
  token: string;
  households: string[];
  /** This run's records of the cadre that are still the latest version, for corrections. */
  latest: { id: string; input: HelpRecordInput }[];
}

interface Ledger {
  acknowledged: AcknowledgedRecord[];
  /** Records the phone still holds when the run ends (never acknowledged): must be none. */
  unsent: string[];
  refused: string[];
  corrections: number;
}

/** Runs one soak end to end: database, server, load, checks; the report is printed and returned. */
export async function runSoak(settings: SoakSettings): Promise<SoakReport> {
  const { log } = settings;
  await ensureServerBuilt(log);
  const mysql = mysqlServer();
  const name = `${mysql.baseName}_soak`.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 64);
  const credentials = `${encodeURIComponent(mysql.user)}${mysql.password ? `:${encodeURIComponent(mysql.password)}` : ''}`;
  const target: MysqlTarget = {
    host: mysql.host,
    port: mysql.port,
    user: mysql.user,
    password: mysql.password,
    database: name,
    url: `mariadb://${credentials}@${mysql.host}:${mysql.port}/${name}`,
  };
  // The benchmark's generator (its own migrations, then rows): 5 households with an active assignment
  // per cadre, cadre n signing in as account n.
  const households = Math.ceil((settings.cadres * HOUSEHOLDS_PER_CADRE) / 100) * 100;
  const data = await ensureCityData({ database: target, households, rebuild: true, log });
  log(`soak: database ${name} with ${data.counts.cadres} cadres and ${data.counts.households} households (${data.seconds.toFixed(1)} s)`);

  const probeFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-soak-')), 'memory.json');
  const server = await startServer({
    DATABASE_URL: target.url,
    NODE_ENV: 'production',
    JWT_SECRET: SECRET,
    LOG_LEVEL: 'warn',
    DB_POOL_MAX: String(settings.pool),
    HOST: '127.0.0.1',
    // correctHelpRecord is not among the mini-program's persisted operations; the soak sends its own documents.
    SAFELIST_MODE: 'off',
    RATE_LIMITS: 'true',
    ...(settings.redisUrl ? { REDIS_URL: settings.redisUrl, RATE_LIMIT_KEY_PREFIX: `soak:${process.pid}` } : {}),
    RATE_LIMIT_SIGN_IN_PER_ADDRESS: GENEROUS_BUDGET,
    RATE_LIMIT_SIGN_IN_PER_ACCOUNT: GENEROUS_BUDGET,
    RATE_LIMIT_WRITES_PER_ACCOUNT: GENEROUS_BUDGET,
    RATE_LIMIT_RECORDS_PER_ACCOUNT: GENEROUS_BUDGET,
    RATE_LIMIT_WRITES_PER_ADDRESS: GENEROUS_BUDGET,
    RATE_LIMIT_QUERIES_PER_ACCOUNT: GENEROUS_BUDGET,
    // Above the cadre's cost limit (2,500,000), which a budget must hold once.
    RATE_LIMIT_QUERIES_PER_CADRE: '100000000/60',
    RATE_LIMIT_QUERIES_PER_ADDRESS: GENEROUS_BUDGET,
    NODE_OPTIONS: `--expose-gc --require ${PROBE}`,
    WANJIA_MEMORY_PROBE: probeFile,
  });
  let report: SoakReport;
  try {
    try {
      report = await drive(server, settings, probeFile, target);
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGTERM');
    }
    report.serverExitCode = await server.exited;
  } finally {
    if (!settings.keepDatabase) await dropDatabase(target);
  }
  printReport(report, log);
  return report;
}

async function drive(server: ServerProcess, settings: SoakSettings, probeFile: string, target: MysqlTarget): Promise<SoakReport> {
  const { log } = settings;
  const pid = server.child.pid!;
  const cadres: CadreState[] = [];
  for (let id = 1; id <= settings.cadres; id += 1) {
    cadres.push({ token: await signCadreToken({ accountId: id, cadreId: id }, SECRET), households: [], latest: [] });
  }
  const recorder = new Recorder();
  const ledger: Ledger = { acknowledged: [], unsent: [], refused: [], corrections: 0 };

  const rssSamples: number[] = [];
  const warmupEndsAt = Date.now() + settings.warmupSeconds * 1000;
  const endsAt = warmupEndsAt + settings.seconds * 1000;
  let running = true;
  log(`soak: ${settings.cadres} cadres for ${settings.warmupSeconds} s warm-up + ${settings.seconds} s measured, think time up to ${settings.thinkMs} ms`);

  const cadreLoops = cadres.map((cadre, index) => cadreLoop(server.url, cadre, index, recorder, ledger, settings, () => running));
  if (settings.warmupSeconds > 0) await sleep(settings.warmupSeconds * 1000);
  recorder.measuring = true;
  const measuredFrom = Date.now();
  const afterGcStart = await memoryAfterCollection(pid, probeFile);
  const sampler = (async () => {
    while (running) {
      rssSamples.push(rssMb(pid));
      await sleep(Math.min(RSS_SAMPLE_MS, Math.max(0, endsAt - Date.now())));
      if (Date.now() >= endsAt) break;
    }
  })();
  let nextProgress = measuredFrom + 60_000;
  while (Date.now() < endsAt) {
    await sleep(Math.min(1_000, endsAt - Date.now()));
    if (Date.now() >= nextProgress) {
      nextProgress += 60_000;
      const requests = [...recorder.stats.values()].reduce((sum, stats) => sum + stats.requests, 0);
      log(`soak: ${Math.round((Date.now() - measuredFrom) / 1000)} s, ${requests} requests, RSS ${rssMb(pid).toFixed(1)} MB`);
    }
  }
  const afterGcEnd = await memoryAfterCollection(pid, probeFile);
  const measuredSeconds = (Date.now() - measuredFrom) / 1000;
  recorder.measuring = false;
  running = false;
  await sampler;
  // Each cadre finishes what it was doing, sending any record it holds until the server takes it.
  await Promise.all(cadreLoops);

  const connection = await mysqlClient.createConnection({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
  });
  let check: RecordCheck;
  try {
    check = await checkRecords(connection, ledger.acknowledged);
  } finally {
    await connection.end();
  }

  const operations: SoakReport['operations'] = {};
  let requests = 0;
  const allErrors: string[] = [];
  for (const [operation, stats] of [...recorder.stats.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    requests += stats.requests;
    allErrors.push(...stats.errors);
    const sorted = [...stats.latenciesMs].sort((a, b) => a - b);
    operations[operation] = {
      requests: stats.requests,
      ok: stats.ok,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      errors: tally(stats.errors),
    };
  }
  const quarter = Math.max(1, Math.floor(rssSamples.length / 4));
  const rssStart = median(rssSamples.slice(0, quarter));
  const rssEnd = median(rssSamples.slice(-quarter));
  const { log: _log, ...shownSettings } = settings;
  return {
    settings: shownSettings,
    seconds: measuredSeconds,
    requests,
    throughput: requests / measuredSeconds,
    errorsByCode: tally(allErrors.filter((code) => code !== 'TOO_MANY_REQUESTS' && code !== 'HTTP_429')),
    rateLimited: allErrors.filter((code) => code === 'TOO_MANY_REQUESTS' || code === 'HTTP_429').length,
    serverErrors: allErrors.filter((code) => code === 'INTERNAL_SERVER_ERROR' || /^HTTP_5\d\d$/.test(code)).length,
    operations,
    memory: {
      rssStartMb: rssStart,
      rssEndMb: rssEnd,
      rssMaxMb: Math.max(...rssSamples),
      rssGrowthPercent: ((rssEnd - rssStart) / rssStart) * 100,
      heapStartMb: afterGcStart?.heapUsed ?? null,
      heapEndMb: afterGcEnd?.heapUsed ?? null,
      heapGrowthPercent: afterGcStart && afterGcEnd ? ((afterGcEnd.heapUsed - afterGcStart.heapUsed) / afterGcStart.heapUsed) * 100 : null,
      afterGcStart,
      afterGcEnd,
      rssSamplesMb: rssSamples,
    },
    records: { ...check, unsent: ledger.unsent.length, refused: ledger.refused.length, corrections: ledger.corrections },
    serverExitCode: null,
  };
}

/** One cadre's phone: first the household list, then the mix until the run ends; records are never dropped. */
async function cadreLoop(
  url: string,
  cadre: CadreState,
  index: number,
  recorder: Recorder,
  ledger: Ledger,
  settings: SoakSettings,
  running: () => boolean,
): Promise<void> {
  let serial = index * 1_000_000;
  let random = (index + 1) * 2_654_435_761;
  const next = (below: number) => {
    random = (Math.imul(random ^ (random >>> 15), 2_246_822_519) + 0x6d2b79f5) >>> 0;
    return random % below;
  };
  const call = async <T>(operation: Operation, query: string, variables: Record<string, unknown>): Promise<CallOutcome<T>> => {
    const outcome = await callGraphql<T>(url, query, variables, cadre.token);
    recorder.record(operation, outcome);
    return outcome;
  };
  // Sends until the server stores it or refuses it, as the outbox does; the run waits for it.
  const deliver = async <T>(operation: Operation, query: string, variables: Record<string, unknown>): Promise<CallOutcome<T>> => {
    const stopTryingAt = () => !running() && Date.now() > stoppedAt() + 60_000;
    for (;;) {
      const outcome = await call<T>(operation, query, variables);
      if (outcome.ok || isRefusal(outcome) || stopTryingAt()) return outcome;
      await sleep(250);
    }
  };
  let stopped = 0;
  const stoppedAt = () => (stopped ||= Date.now());

  while (running() && cadre.households.length === 0) {
    const listed = await call<{ myHouseholds: { nodes: { id: string }[] } }>('myHouseholds', MY_HOUSEHOLDS, { first: 20 });
    if (listed.ok) cadre.households = listed.data.myHouseholds.nodes.map((node) => node.id);
    else await sleep(500);
  }
  while (running()) {
    if (settings.thinkMs > 0) await sleep(next(settings.thinkMs + 1));
    if (!running()) break;
    const roll = next(100);
    let action = MIX[MIX.length - 1]![1];
    for (let bound = 0, i = 0; i < MIX.length; i += 1) {
      bound += MIX[i]![0];
      if (roll < bound) {
        action = MIX[i]![1];
        break;
      }
    }
    if (action === 'correct' && cadre.latest.length === 0) action = 'submit';
    const household = cadre.households[next(cadre.households.length)]!;
    switch (action) {
      case 'myHouseholds':
        await call('myHouseholds', MY_HOUSEHOLDS, { first: 20 });
        break;
      case 'household':
        await call('household', HOUSEHOLD_FILE, { id: household, recordsFirst: 10 });
        break;
      case 'myStats':
        await call('myStats', MY_STATS, {});
        break;
      case 'submit': {
        const input = newVisit(household, ++serial);
        const outcome = await deliver<{ submitHelpRecord: SubmittedRecord }>('submitHelpRecord', SUBMIT_HELP_RECORD, { input });
        if (outcome.ok) {
          ledger.acknowledged.push({ clientId: input.clientId, recordId: outcome.data.submitHelpRecord.id, operation: 'submitHelpRecord' });
          cadre.latest.push({ id: outcome.data.submitHelpRecord.id, input });
          if (cadre.latest.length > 20) cadre.latest.shift();
          if (next(RESEND_EVERY) === 0) {
            // The same record again: the server must answer with the same record and store nothing new.
            const again = await deliver<{ submitHelpRecord: SubmittedRecord }>('submitHelpRecord (retry)', SUBMIT_HELP_RECORD, { input });
            if (again.ok && again.data.submitHelpRecord.id !== outcome.data.submitHelpRecord.id) {
              ledger.acknowledged.push({ clientId: input.clientId, recordId: again.data.submitHelpRecord.id, operation: 'submitHelpRecord' });
            }
          }
        } else if (isRefusal(outcome)) ledger.refused.push(input.clientId);
        else ledger.unsent.push(input.clientId);
        break;
      }
      case 'correct': {
        const target = cadre.latest.splice(next(cadre.latest.length), 1)[0]!;
        const { householdId: _householdId, ...content } = target.input;
        const input = { ...content, clientId: randomUUID(), fundsFen: content.fundsFen + 100, summary: `${content.summary}（更正）` };
        const outcome = await deliver<{ correctHelpRecord: SubmittedRecord }>('correctHelpRecord', CORRECT_HELP_RECORD, { id: target.id, input });
        if (outcome.ok) {
          ledger.corrections += 1;
          ledger.acknowledged.push({ clientId: input.clientId, recordId: outcome.data.correctHelpRecord.id, operation: 'correctHelpRecord' });
          cadre.latest.push({ id: outcome.data.correctHelpRecord.id, input: { ...input, householdId: target.input.householdId } });
        } else if (isRefusal(outcome)) ledger.refused.push(input.clientId);
        else ledger.unsent.push(input.clientId);
        break;
      }
    }
  }
}

async function dropDatabase(target: MysqlTarget): Promise<void> {
  const admin = await mysqlClient.createConnection({ host: target.host, port: target.port, user: target.user, password: target.password });
  try {
    await admin.query(`drop database if exists \`${target.database}\``);
  } finally {
    await admin.end();
  }
}

if (require.main === module) {
  runSoak(soakSettings())
    .then((report) => {
      const bad = report.records.lost.length + report.records.duplicated.length + report.records.wrongId.length + report.records.unsent;
      process.exit(bad > 0 || report.serverErrors > 0 || report.serverExitCode !== 0 ? 1 : 0);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
