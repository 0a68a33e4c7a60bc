import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import autocannon from 'autocannon';
import mysql from 'mysql2/promise';
import { DEFAULT_HOUSEHOLDS, SERVER_MAIN, ensureCityData, ensureServerBuilt } from './city-data';
import { MY_HOUSEHOLDS_QUERY, Random, SQL_COUNT_PATH, SUBMIT_HELP_RECORD_MUTATION, benchDatabase, signCadreToken, type MysqlTarget } from './common';

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

const TARGETS = { myHouseholds: 0.8, submitHelpRecord: 0.7, p99Ms: 50 } as const;
const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');
const RESULTS_FILE = path.join(REPOSITORY_ROOT, '.test-results', 'bench.json');
/** Linux reports process CPU time in clock ticks of 1/100 s (USER_HZ) on every architecture Node runs on. */
const USER_HZ = 100;

type ServerName = 'ours' | 'baseline';
type Scenario = 'myHouseholds' | 'submitHelpRecord';
const SCENARIOS: Scenario[] = ['myHouseholds', 'submitHelpRecord'];

interface Settings {
  duration: number;
  rounds: number;
  connections: number;
  warmup: number;
  households: number;
  pool: number;
  only: ServerName | null;
  secret: string;
  /** The built server to measure: server/dist unless BENCH_SERVER_MAIN names another build (to compare two). */
  serverMain: string;
}

function settingsFrom(environment: NodeJS.ProcessEnv, runSecret: string): Settings {
  const number = (name: string, fallback: number) => {
    const value = Number(environment[name] || fallback);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name}: must be a non-negative number`);
    return value;
  };
  const only = environment.BENCH_ONLY?.trim() || null;
  if (only !== null && only !== 'ours' && only !== 'baseline') throw new Error('BENCH_ONLY: must be ours or baseline');
  return {
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

// --- server processes ------------------------------------------------------------------------------------

interface Running {
  name: ServerName;
  child: ChildProcess;
  pid: number;
  url: string;
  output(): string;
  /** Set once the process exits; a benchmark run with a dead server is a crash. */
  exitCode: number | null | undefined;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Spawns a server as its own node process (so its memory and CPU are its own) and waits for /readyz. */
async function startProcess(name: ServerName, args: string[], environment: Record<string, string>): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    cwd: REPOSITORY_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...environment, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const running: Running = {
    name,
    child,
    pid: child.pid!,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    exitCode: undefined,
    async stop() {
      if (running.exitCode !== undefined) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  child.once('exit', (code) => (running.exitCode = code));
  const deadline = Date.now() + 120_000;
  while (running.exitCode === undefined && Date.now() < deadline) {
    try {
      if ((await fetch(`${running.url}/readyz`)).ok) return running;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  await running.stop();
  throw new Error(`${name} server did not become ready (exit ${running.exitCode}):\n${output}`);
}

function startOurs(settings: Settings, database: MysqlTarget): Promise<Running> {
  return startProcess('ours', [settings.serverMain], {
    DATABASE_URL: database.url,
    DEMO_DATA: 'false',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    JWT_SECRET: settings.secret,
    DB_POOL_MAX: String(settings.pool),
    // The load comes from one address and the benchmark's hand-written operations are not the mini-program's safelist.
    RATE_LIMITS: 'false',
    SAFELIST_MODE: 'off',
    // The server counts its SQL statements and serves the count at /debug/sql-count when asked to.
    COUNT_SQL: 'true',
  });
}

function startBaseline(settings: Settings, database: MysqlTarget): Promise<Running> {
  // `node --import tsx` keeps the baseline in one process (the tsx CLI would add a parent process).
  return startProcess('baseline', ['--import', 'tsx', path.join(__dirname, 'baseline-server.ts')], {
    DATABASE_URL: database.url,
    JWT_SECRET: settings.secret,
    DB_POOL_MAX: String(settings.pool),
  });
}

// --- process and database gauges --------------------------------------------------------------------------

function procStatus(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Resets the kernel's peak-RSS mark to the current RSS, so each run's peak is its own. False where not allowed. */
function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** User + system CPU seconds a process has used. */
function cpuSeconds(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return null;
  }
}

/** MariaDB's process, for its CPU per request; null where the database runs elsewhere or is not visible. */
function findDatabasePid(): number | null {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const name = fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (name === 'mariadbd' || name === 'mysqld') return Number(entry);
    } catch {
      // the process went away
    }
  }
  return null;
}

async function serverStatementCount(server: Running): Promise<number | null> {
  try {
    const response = await fetch(`${server.url}${SQL_COUNT_PATH}`);
    if (!response.ok) return null;
    const body = (await response.json()) as { statements?: unknown };
    return typeof body.statements === 'number' ? body.statements : null;
  } catch {
    return null;
  }
}

/** MariaDB's own count of statements from every client: the check on what a server says it sent. */
async function databaseQuestions(admin: mysql.Connection): Promise<number> {
  const [rows] = await admin.query<mysql.RowDataPacket[]>(`show global status like 'Questions'`);
  return Number(rows[0]!.Value);
}

// --- the load -----------------------------------------------------------------------------------------------

interface Cadre {
  cadreId: number;
  accountId: number;
  households: number[];
  authorization: string;
}

async function loadCadres(admin: mysql.Connection, secret: string): Promise<Cadre[]> {
  const [rows] = await admin.query<mysql.RowDataPacket[]>(
    `select a.cadre_id, u.id as account_id, group_concat(a.household_id order by a.household_id) as households
     from assignment a join user_account u on u.cadre_id = a.cadre_id and u.role = 'CADRE' and u.active = 1
     where a.ended_at is null group by a.cadre_id, u.id order by a.cadre_id`,
  );
  return Promise.all(
    rows.map(async (row) => ({
      cadreId: Number(row.cadre_id),
      accountId: Number(row.account_id),
      households: String(row.households).split(',').map(Number),
      authorization: `Bearer ${await signCadreToken({ accountId: Number(row.account_id), cadreId: Number(row.cadre_id) }, secret)}`,
    })),
  );
}

const MY_HOUSEHOLDS_BODY = JSON.stringify({ query: MY_HOUSEHOLDS_QUERY, variables: { first: 20 } });
const SUMMARIES = ['入户走访，了解家庭近况和生活需求', '宣讲低保、医保和临时救助政策', '送去米面油等生活物资', '协助办理医疗救助申请'];

/** What a phone submits after a visit; one in ten raises a demand, as visits do. */
function submission(clientId: string, householdId: number, sequence: number, occurredAt = new Date(Date.now() - 10 * 60_000)): string {
  const funds = sequence % 4 === 0;
  return JSON.stringify({
    query: SUBMIT_HELP_RECORD_MUTATION,
    variables: {
      input: {
        clientId,
        householdId: String(householdId),
        occurredAt: occurredAt.toISOString(),
        kinds: funds ? ['VISIT', 'FUNDS'] : ['VISIT', 'POLICY_EXPLANATION'],
        summary: SUMMARIES[sequence % SUMMARIES.length],
        fundsFen: funds ? 50_000 : 0,
        materialsFen: 0,
        problemsSolved: sequence % 3 === 0 ? 1 : 0,
        latitude: 41.29,
        longitude: 123.77,
        demandsRaised: sequence % 10 === 0 ? [{ category: 'LIVELIHOOD', text: '冬季取暖费用困难' }] : [],
      },
    },
  });
}

interface Measurement {
  round: number;
  scenario: Scenario;
  server: ServerName;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  sent: number;
  responses: number;
  /** Socket errors and timeouts, non-2xx answers, and 200s whose body carries GraphQL errors. */
  failures: number;
  firstError: string | null;
  sqlPerRequest: number | null;
  databaseStatementsPerRequest: number;
  serverCpuMsPerRequest: number | null;
  databaseCpuMsPerRequest: number | null;
  peakRssBytes: number | null;
}

interface Context {
  settings: Settings;
  cadres: Cadre[];
  admin: mysql.Connection;
  databasePid: number | null;
  runTag: string;
}

/**
 * One autocannon run against one server. The request sequence depends on the seed only, so ours and
 * the baseline receive the same cadres in the same order within a round.
 */
async function measure(context: Context, server: Running, scenario: Scenario, round: number, seconds: number): Promise<Measurement> {
  const random = new Random(1000 * round + SCENARIOS.indexOf(scenario));
  let sequence = 0;
  let responses = 0;
  let graphqlErrors = 0;
  let firstError: string | null = null;
  const idPrefix = `b-${context.runTag}-${server.name[0]}${round}-`;

  const statementsBefore = await serverStatementCount(server);
  const questionsBefore = await databaseQuestions(context.admin);
  const serverCpuBefore = cpuSeconds(server.pid);
  const databaseCpuBefore = cpuSeconds(context.databasePid);
  const peakResettable = resetPeakRss(server.pid);
  let polledPeak = procStatus(server.pid, 'VmRSS') ?? 0;
  const poller = setInterval(() => (polledPeak = Math.max(polledPeak, procStatus(server.pid, 'VmRSS') ?? 0)), 100);

  const result = await autocannon({
    url: server.url,
    connections: context.settings.connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/graphql',
        setupRequest: (request) => {
          const cadre = context.cadres[Math.floor(random.next() * context.cadres.length)]!;
          sequence += 1;
          const body =
            scenario === 'myHouseholds'
              ? MY_HOUSEHOLDS_BODY
              : submission(`${idPrefix}${sequence}`, cadre.households[Math.floor(random.next() * cadre.households.length)]!, sequence);
          return { ...request, headers: { 'content-type': 'application/json', authorization: cadre.authorization }, body };
        },
        onResponse: (status, body) => {
          responses += 1;
          if (status === 200 && body.includes('"errors"')) {
            graphqlErrors += 1;
            firstError ??= body.slice(0, 300);
          } else if (status !== 200) {
            firstError ??= `HTTP ${status}: ${body.slice(0, 300)}`;
          }
        },
      },
    ],
  });
  clearInterval(poller);
  // Requests cut off at the end may still be finishing on the server: let their statements land.
  await sleep(300);

  const sent = Math.max(result.requests.sent, 1);
  const statementsAfter = await serverStatementCount(server);
  const questions = (await databaseQuestions(context.admin)) - questionsBefore - 1;
  const serverCpu = cpuSeconds(server.pid);
  const databaseCpu = cpuSeconds(context.databasePid);
  const hwm = procStatus(server.pid, 'VmHWM');
  if (server.exitCode !== undefined) throw new Error(`${server.name} server died during ${scenario} (exit ${server.exitCode}):\n${server.output()}`);
  return {
    round,
    scenario,
    server: server.name,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    sent: result.requests.sent,
    responses,
    failures: result.errors + result.non2xx + graphqlErrors,
    firstError,
    sqlPerRequest: statementsBefore !== null && statementsAfter !== null ? (statementsAfter - statementsBefore) / sent : null,
    databaseStatementsPerRequest: questions / sent,
    serverCpuMsPerRequest: serverCpuBefore !== null && serverCpu !== null ? ((serverCpu - serverCpuBefore) * 1000) / sent : null,
    databaseCpuMsPerRequest: databaseCpuBefore !== null && databaseCpu !== null ? ((databaseCpu - databaseCpuBefore) * 1000) / sent : null,
    peakRssBytes: peakResettable ? Math.max(hwm ?? 0, polledPeak) : polledPeak || hwm,
  };
}

// --- checks that both servers answer the same -------------------------------------------------------------------

interface GraphqlAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function graphqlCall(server: Running, authorization: string, body: string): Promise<GraphqlAnswer> {
  const response = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body });
  return (await response.json()) as GraphqlAnswer;
}

/** Whether the real server has the operation yet; a missing field is "not built yet", anything else is reported. */
async function probe(server: Running, cadre: Cadre, scenario: Scenario): Promise<string | null> {
  const body = scenario === 'myHouseholds' ? MY_HOUSEHOLDS_BODY : submission(`probe-${Date.now().toString(36)}-${server.name}`, cadre.households[0]!, 1);
  const answer = await graphqlCall(server, cadre.authorization, body);
  if (!answer.errors) return null;
  return answer.errors.map((error) => `${error.extensions?.code ?? ''} ${error.message}`.trim()).join('; ');
}

/** The same cadres' lists from both servers must be the same list: otherwise the two do different work. */
async function compareMyHouseholds(ours: Running, baseline: Running, cadres: Cadre[]): Promise<string[]> {
  const differences: string[] = [];
  const body = JSON.stringify({ query: MY_HOUSEHOLDS_QUERY, variables: { first: 100 } });
  for (const cadre of cadres) {
    const [a, b] = await Promise.all([graphqlCall(ours, cadre.authorization, body), graphqlCall(baseline, cadre.authorization, body)]);
    const normalise = (answer: GraphqlAnswer) => {
      const connection = answer.data?.myHouseholds as { nodes: Record<string, unknown>[] } | undefined;
      return JSON.stringify(
        connection?.nodes.map((node) => ({
          ...node,
          lastVisitAt: node.lastVisitAt ? new Date(String(node.lastVisitAt)).toISOString() : null,
          targetGroups: [...(node.targetGroups as string[])].sort(),
        })) ?? answer.errors,
      );
    };
    const [left, right] = [normalise(a), normalise(b)];
    if (left !== right) differences.push(`cadre ${cadre.cadreId}:\n    ours     ${left.slice(0, 400)}\n    baseline ${right.slice(0, 400)}`);
  }
  return differences;
}

/** One identical submission to each server (same household, other clientIds): the rows written must match. */
async function compareSubmissions(context: Context, ours: Running, baseline: Running): Promise<string[]> {
  const cadre = context.cadres[Math.floor(context.cadres.length / 2)]!;
  const householdId = cadre.households[0]!;
  const written: Record<ServerName, Record<string, unknown>> = { ours: {}, baseline: {} };
  const occurredAt = new Date(Date.now() - 10 * 60_000);
  for (const server of [ours, baseline]) {
    const clientId = `check-${context.runTag}-${server.name}`;
    const answer = await graphqlCall(server, cadre.authorization, submission(clientId, householdId, 10, occurredAt));
    if (answer.errors) return [`${server.name} refused the check submission: ${JSON.stringify(answer.errors).slice(0, 300)}`];
    const id = Number((answer.data?.submitHelpRecord as { id: string }).id);
    const [[record]] = await context.admin.query<mysql.RowDataPacket[]>(
      `select household_id, cadre_id, assignment_id, round_id, kinds, summary, funds_fen, materials_fen, problems_solved, photo_ids, latitude,
              longitude, supersedes_id, version_number, is_latest, content_hash from help_record where id = ?`,
      [id],
    );
    const [[audit]] = await context.admin.query<mysql.RowDataPacket[]>(
      `select actor_id, operation, entity_name, changes, reason, client_address, region_path from audit_entry where entity_name = 'HelpRecord' and entity_id = ?`,
      [String(id)],
    );
    const [demands] = await context.admin.query<mysql.RowDataPacket[]>(
      'select household_id, category, text, due_on is not null as has_due, status from demand where raised_in_id = ?',
      [id],
    );
    written[server.name] = { record, audit, demands };
  }
  const differences: string[] = [];
  for (const part of ['record', 'audit', 'demands']) {
    // The audit's changes are JSON: compare them as values, not text.
    const canonical = (value: unknown) =>
      JSON.stringify(value, (key, inner: unknown) => (key === 'changes' && typeof inner === 'string' ? JSON.parse(inner) : inner));
    const [left, right] = [canonical(written.ours[part]), canonical(written.baseline[part])];
    if (left !== right) differences.push(`${part}:\n    ours     ${left}\n    baseline ${right}`);
  }
  return differences;
}

// --- reporting -------------------------------------------------------------------------------------------------------

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function fixed(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits);
}

function megabytes(bytes: number | null): string {
  return bytes ? `${(bytes / 1024 / 1024).toFixed(0)} MB` : 'n/a';
}

/** Fixed minimum widths for the name columns, so that rows printed one at a time line up under the header. */
const NAME_WIDTHS = ['submitHelpRecord'.length, 'baseline'.length];

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, NAME_WIDTHS[column] ?? 0, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

const HEADER = ['operation', 'server', 'req/s', 'p50 ms', 'p99 ms', 'failures', 'SQL/req', 'db stmts/req', 'server CPU ms/req', 'db CPU ms/req', 'peak RSS'];

function row(m: Pick<Measurement, Exclude<keyof Measurement, 'round' | 'firstError' | 'sent' | 'responses'>>): string[] {
  return [
    m.scenario,
    m.server,
    fixed(m.requestsPerSecond, 0),
    fixed(m.p50, 0),
    fixed(m.p99, 0),
    String(m.failures),
    fixed(m.sqlPerRequest, 2),
    fixed(m.databaseStatementsPerRequest, 2),
    fixed(m.serverCpuMsPerRequest, 2),
    fixed(m.databaseCpuMsPerRequest, 2),
    megabytes(m.peakRssBytes),
  ];
}

/** Medians over the rounds for rates and latencies; sums for failures; the highest peak. */
function summarise(measurements: Measurement[], scenario: Scenario, server: ServerName) {
  const runs = measurements.filter((m) => m.scenario === scenario && m.server === server);
  if (runs.length === 0) return null;
  const medianOf = (pick: (m: Measurement) => number | null) => {
    const values = runs.map(pick).filter((value): value is number => value !== null);
    return values.length ? median(values) : null;
  };
  return {
    scenario,
    server,
    requestsPerSecond: median(runs.map((m) => m.requestsPerSecond)),
    p50: median(runs.map((m) => m.p50)),
    p99: median(runs.map((m) => m.p99)),
    failures: runs.reduce((sum, m) => sum + m.failures, 0),
    sqlPerRequest: medianOf((m) => m.sqlPerRequest),
    databaseStatementsPerRequest: median(runs.map((m) => m.databaseStatementsPerRequest)),
    serverCpuMsPerRequest: medianOf((m) => m.serverCpuMsPerRequest),
    databaseCpuMsPerRequest: medianOf((m) => m.databaseCpuMsPerRequest),
    peakRssBytes: Math.max(...runs.map((m) => m.peakRssBytes ?? 0)) || null,
  };
}

// --- main ------------------------------------------------------------------------------------------------------------

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

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
