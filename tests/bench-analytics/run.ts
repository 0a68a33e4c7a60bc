import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import mysql from 'mysql2/promise';

/**
 * `pnpm bench:analytics`: the analysts' figures on the full city, our GraphQL API against the same
 * aggregates written by hand and run through mysql2, alternating request by request, medians and the
 * ratio ours / hand-written. A measurement: targets missed print FAIL but exit 0; a crash exits 1.
 *
 * Scenarios: campaignOverview for the city and for one district (the newest round), and
 * campaignBreakdown by REGION_CHILDREN and by MONTH for the city (the newest round). Targets: ratio
 * ≤ 1.3 everywhere, city overview median ≤ 150 ms.
 *
 * Settings (environment): BENCH_ANALYTICS_DATABASE_URL (mariadb://root@127.0.0.1:3306/wanjia_city),
 * BENCH_ITERATIONS (timed calls per scenario and side, 15), BENCH_WARMUP (3), BENCH_SCENARIOS (parts of
 * scenario names, comma-separated: only those), BENCH_SERVER_MAIN, BENCH_BUFFER_POOL_MB (2048: the
 * InnoDB buffer pool for the run, restored afterwards).
 *
 * Two baselines: the report by hand over the detail tables, one statement after another (what one
 * would write without our summary), and — for the overviews — the same figures by hand over the very
 * tables our server reads, sent side by side over a pool; the target ratio is judged against the
 * second, the stricter one, where there is one.
 * The server is measured as built: run `pnpm build` first (the root script does).
 */

const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');
const DATABASE_URL = process.env.BENCH_ANALYTICS_DATABASE_URL?.trim() || 'mariadb://root@127.0.0.1:3306/wanjia_city';
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 15);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
/** Comma-separated parts of scenario names to run (all when unset), e.g. `overview`. */
const ONLY = (process.env.BENCH_SCENARIOS ?? '')
  .split(',')
  .map((part) => part.trim())
  .filter(Boolean);
const SERVER_MAIN = process.env.BENCH_SERVER_MAIN?.trim() || path.join(REPOSITORY_ROOT, 'server', 'dist', 'main.js');
const ANALYST = { username: 'bench-analyst', password: 'bench-analyst-password' };
const TARGET_RATIO = 1.3;
const BUFFER_POOL_MB = Number(process.env.BENCH_BUFFER_POOL_MB ?? 2048);
const TARGET_CITY_OVERVIEW_MS = 150;

interface Scenario {
  name: string;
  query: string;
  variables: Record<string, unknown>;
  /** The same figures, by hand: SQL statements whose rows together answer the query. */
  baseline: (connection: mysql.Connection) => Promise<unknown>;
  /** The same figures by hand over the same tables our server reads (its monthly summary), in parallel. */
  summaryBaseline?: (pool: mysql.Pool) => Promise<unknown>;
}

// --- the hand-written aggregates -------------------------------------------------------------------------

interface Slice {
  /** Null for the whole city: no region condition at all. */
  path: string | null;
  roundId: number;
}

const OPEN_DEMANDS = "d.status in ('OPEN', 'IN_PROGRESS', 'REFERRED', 'ESCALATED')";
/** The household's answers (回访), counted in the same demand statement as the server does; the rates are divisions of these. */
const ANSWER_COUNTS =
  "sum(d.status = 'RESOLVED'), sum(d.satisfaction is not null), sum(d.satisfaction = 'SATISFIED'), sum(d.satisfaction = 'BASICALLY_SATISFIED'), sum(d.reopen_count > 0)";

function pathCondition(slice: Slice, column = 'r.path'): string {
  return slice.path === null ? '1 = 1' : `${column} like ${mysql.escape(`${slice.path}%`)}`;
}

/** One statement per kind of record, as a developer would write the report by hand. */
async function overviewByHand(connection: mysql.Connection, slice: Slice, round: { startsOn: string; endsOn: string }, today: string): Promise<unknown[]> {
  const statements = overviewStatements(slice, round, today, false);
  const results: unknown[] = [];
  for (const statement of statements) results.push((await connection.query(statement))[0]);
  return results;
}

/**
 * The same figures as a careful developer would write them with the monthly summary the server keeps
 * (help_record_monthly) and send them side by side over a pool: the baseline that shows what our
 * GraphQL layer adds on top of the same SQL work.
 */
async function overviewWithSummaryByHand(pool: mysql.Pool, slice: Slice, round: { startsOn: string; endsOn: string }, today: string): Promise<unknown[]> {
  return Promise.all(overviewStatements(slice, round, today, true).map(async (statement) => (await pool.query(statement))[0]));
}

function overviewStatements(slice: Slice, round: { startsOn: string; endsOn: string }, today: string, summary: boolean): string[] {
  const regionJoin = slice.path === null ? '' : 'join household ho on ho.id = h.household_id join region r on r.id = ho.region_id';
  const dateRange = (column: string) => `${column} >= '${round.startsOn}' and ${column} < date_add('${round.endsOn}', interval 1 day)`;
  return [
    `select count(distinct p.unit_id), count(distinct case when r.level = 'VILLAGE' then p.region_id end), count(distinct case when r.level = 'COMMUNITY' then p.region_id end)
       from unit_pairing p join region r on r.id = p.region_id where p.round_id = ${slice.roundId} and ${pathCondition(slice)}`,
    `select count(distinct a.cadre_id), count(distinct a.household_id), count(distinct case when ho.is_hardship = 1 then a.household_id end),
            count(distinct case when ho.is_key_focus = 1 then a.household_id end), count(distinct case when ho.is_petitioner = 1 then a.household_id end)
       from assignment a join household ho on ho.id = a.household_id ${slice.path === null ? '' : 'join region r on r.id = ho.region_id'}
      where a.round_id = ${slice.roundId} and ${pathCondition(slice)}`,
    `select sum(rs.key_focus_reason is not null), sum(rs.is_petitioner = 1) from resident rs
      where rs.household_id in (select a.household_id from assignment a ${slice.path === null ? '' : 'join household ho on ho.id = a.household_id join region r on r.id = ho.region_id'}
                                 where a.round_id = ${slice.roundId} and ${pathCondition(slice)})`,
    `select count(*), sum(pc.major_backlog), sum(pc.status in ('REGISTERED', 'IN_PROGRESS')), sum(pc.status in ('RESOLVED', 'CLOSED'))
       from petition_case pc ${slice.path === null ? '' : 'join household ho on ho.id = pc.household_id join region r on r.id = ho.region_id'}
      where pc.received_on <= '${round.endsOn}' and (pc.resolved_at is null or pc.resolved_at >= convert_tz('${round.startsOn}', '+08:00', '+00:00'))
        and exists (select 1 from assignment ra where ra.household_id = pc.household_id and ra.round_id = ${slice.roundId}) and ${pathCondition(slice)}`,
    `select count(*), sum(d.status in ('RESOLVED', 'CONFIRMED')), sum(d.status = 'CONFIRMED'), ${ANSWER_COUNTS}, sum(${OPEN_DEMANDS} and d.due_on < '${today}')
       from demand d ${slice.path === null ? '' : 'join household ho on ho.id = d.household_id join region r on r.id = ho.region_id'}
      where ${dateRange("convert_tz(d.raised_at, '+00:00', '+08:00')")} and ${pathCondition(slice)}`,
    summary
      ? `select sum(s.records), sum(s.funds_fen), sum(s.materials_fen), sum(s.funds_fen + s.materials_fen), sum(s.problems_solved)
           from help_record_monthly s ${slice.path === null ? '' : 'join region r on r.id = s.region_id'} where s.round_id = ${slice.roundId} and ${pathCondition(slice)}`
      : `select count(*), sum(h.funds_fen), sum(h.materials_fen), sum(h.funds_fen + h.materials_fen), sum(h.problems_solved)
           from help_record h ${regionJoin} where h.is_latest = 1 and h.round_id = ${slice.roundId} and ${pathCondition(slice)}`,
  ];
}

async function childrenByHand(connection: mysql.Connection, slice: Slice & { path: string }): Promise<unknown[]> {
  const key = `substr(r.path, 1, ${slice.path.length + 13})`;
  const statements = [
    `select ${key} k, count(distinct p.unit_id), count(distinct case when r.level = 'VILLAGE' then p.region_id end), count(distinct case when r.level = 'COMMUNITY' then p.region_id end)
       from unit_pairing p join region r on r.id = p.region_id where p.round_id = ${slice.roundId} group by k`,
    `select ${key} k, count(distinct a.cadre_id), count(distinct a.household_id), count(distinct case when ho.is_hardship = 1 then a.household_id end),
            count(distinct case when ho.is_key_focus = 1 then a.household_id end), count(distinct case when ho.is_petitioner = 1 then a.household_id end)
       from assignment a join household ho on ho.id = a.household_id join region r on r.id = ho.region_id where a.round_id = ${slice.roundId} group by k`,
    `select g.k, sum(rs.key_focus_reason is not null), sum(rs.is_petitioner = 1) from resident rs
       join (select distinct ${key} k, a.household_id from assignment a join household ho on ho.id = a.household_id join region r on r.id = ho.region_id
              where a.round_id = ${slice.roundId}) g on g.household_id = rs.household_id group by g.k`,
    `select ${key} k, count(*), sum(pc.major_backlog), sum(pc.status in ('REGISTERED', 'IN_PROGRESS')), sum(pc.status in ('RESOLVED', 'CLOSED'))
       from petition_case pc join household ho on ho.id = pc.household_id join region r on r.id = ho.region_id group by k`,
    `select ${key} k, count(*), sum(d.status in ('RESOLVED', 'CONFIRMED')), sum(d.status = 'CONFIRMED'), ${ANSWER_COUNTS}, sum(${OPEN_DEMANDS})
       from demand d join household ho on ho.id = d.household_id join region r on r.id = ho.region_id group by k`,
    `select ${key} k, count(*), sum(h.funds_fen), sum(h.materials_fen), sum(h.funds_fen + h.materials_fen), sum(h.problems_solved)
       from help_record h join household ho on ho.id = h.household_id join region r on r.id = ho.region_id
      where h.is_latest = 1 and h.round_id = ${slice.roundId} group by k`,
  ];
  const results: unknown[] = [];
  for (const statement of statements) results.push((await connection.query(statement))[0]);
  return results;
}

async function monthsByHand(connection: mysql.Connection, slice: Slice, months: { key: string; first: string; last: string }[]): Promise<unknown[]> {
  const table = months
    .map(
      (month) =>
        `select '${month.key}' k, '${month.first}' sd, '${month.last}' ed, convert_tz('${month.first}', '+08:00', '+00:00') s, convert_tz(date_add('${month.last}', interval 1 day), '+08:00', '+00:00') e`,
    )
    .join(' union all ');
  const month = (column: string) => `date_format(convert_tz(${column}, '+00:00', '+08:00'), '%Y-%m')`;
  const statements = [
    `select m.k, count(distinct p.unit_id), count(distinct case when r.level = 'VILLAGE' then p.region_id end), count(distinct case when r.level = 'COMMUNITY' then p.region_id end)
       from unit_pairing p join region r on r.id = p.region_id join (${table}) m on p.started_on <= m.ed and (p.ended_on is null or p.ended_on >= m.sd)
      where p.round_id = ${slice.roundId} group by m.k`,
    `select m.k, count(distinct a.cadre_id), count(distinct a.household_id), count(distinct case when ho.is_hardship = 1 then a.household_id end),
            count(distinct case when ho.is_key_focus = 1 then a.household_id end), count(distinct case when ho.is_petitioner = 1 then a.household_id end)
       from assignment a join household ho on ho.id = a.household_id join (${table}) m on a.started_at < m.e and (a.ended_at is null or a.ended_at >= m.s)
      where a.round_id = ${slice.roundId} group by m.k`,
    `select m.k, sum(rs.key_focus_reason is not null), sum(rs.is_petitioner = 1) from resident rs join (${table}) m
      where (rs.key_focus_reason is not null or rs.is_petitioner = 1)
        and exists (select 1 from assignment a where a.household_id = rs.household_id and a.round_id = ${slice.roundId}
                       and a.started_at < m.e and (a.ended_at is null or a.ended_at >= m.s))
      group by m.k`,
    `select substr(pc.received_on, 1, 7) k, count(*), sum(pc.major_backlog), sum(pc.status in ('REGISTERED', 'IN_PROGRESS')), sum(pc.status in ('RESOLVED', 'CLOSED'))
       from petition_case pc where pc.received_on between '${months[0]!.first}' and '${months[months.length - 1]!.last}' group by k`,
    `select ${month('d.raised_at')} k, count(*), sum(d.status in ('RESOLVED', 'CONFIRMED')), sum(d.status = 'CONFIRMED'), ${ANSWER_COUNTS}, sum(${OPEN_DEMANDS})
       from demand d where d.raised_at >= convert_tz('${months[0]!.first}', '+08:00', '+00:00') group by k`,
    `select ${month('h.occurred_at')} k, count(*), sum(h.funds_fen), sum(h.materials_fen), sum(h.funds_fen + h.materials_fen), sum(h.problems_solved)
       from help_record h where h.is_latest = 1 and h.round_id = ${slice.roundId} group by k`,
  ];
  const results: unknown[] = [];
  for (const statement of statements) results.push((await connection.query(statement))[0]);
  return results;
}

// --- processes ---------------------------------------------------------------------------------------------

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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function startServer(secret: string): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER_MAIN], {
    cwd: REPOSITORY_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATABASE_URL,
      DEMO_DATA: 'false',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      NODE_ENV: 'production',
      JWT_SECRET: secret,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 300_000;
  while (exited === undefined && Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return { url, child, output: () => output };
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  child.kill('SIGKILL');
  throw new Error(`the server did not become ready (exit ${exited}):\n${output}`);
}

/** The analyst the benchmark signs in as, scoped to the city; written straight into user_account (no audit entry). */
async function ensureAnalyst(connection: mysql.Connection, cityRegionId: number): Promise<void> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>('select id from user_account where username = ?', [ANALYST.username]);
  if (rows.length > 0) return;
  const { hashPassword } = (await import(path.join(REPOSITORY_ROOT, 'server', 'dist', 'modules', 'accounts', 'password.service.js'))) as {
    hashPassword(password: string): Promise<string>;
  };
  await connection.query(
    "insert into user_account (username, role, scope_region_id, password_hash, active, created_at) values (?, 'ANALYST', ?, ?, 1, utc_timestamp(3))",
    [ANALYST.username, cityRegionId, await hashPassword(ANALYST.password)],
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function main(): Promise<void> {
  const parsed = new URL(DATABASE_URL);
  if (!['127.0.0.1', 'localhost'].includes(parsed.hostname)) throw new Error('the benchmark only talks to a database on this machine');
  const connection = await mysql.createConnection({
    host: '127.0.0.1',
    port: Number(parsed.port || 3306),
    user: decodeURIComponent(parsed.username || 'root'),
    password: decodeURIComponent(parsed.password),
    database: parsed.pathname.slice(1),
    timezone: 'Z',
  });
  const pool = mysql.createPool({
    host: '127.0.0.1',
    port: Number(parsed.port || 3306),
    user: decodeURIComponent(parsed.username || 'root'),
    password: decodeURIComponent(parsed.password),
    database: parsed.pathname.slice(1),
    timezone: 'Z',
    connectionLimit: 10,
  });
  const secret = randomBytes(32).toString('hex');
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  // A database holding a 1 GB help-record table is given a buffer pool to match in production; MariaDB's
  // default 128 MB makes every detail scan of the baseline evict the pages both sides then re-read.
  const [[pool0]] = await connection.query<mysql.RowDataPacket[]>('select @@innodb_buffer_pool_size as size');
  const originalBufferPool = Number(pool0!.size);
  const wantedBufferPool = BUFFER_POOL_MB * 1024 * 1024;
  if (originalBufferPool < wantedBufferPool) await connection.query('set global innodb_buffer_pool_size = ?', [wantedBufferPool]);
  const [[pool1]] = await connection.query<mysql.RowDataPacket[]>('select @@innodb_buffer_pool_size as size');
  console.log(
    `InnoDB buffer pool for the run: ${Math.round(Number(pool1!.size) / 1048576)} MB (was ${Math.round(originalBufferPool / 1048576)} MB; BENCH_BUFFER_POOL_MB)`,
  );
  try {
    const [[counts]] = await connection.query<mysql.RowDataPacket[]>(
      'select (select count(*) from help_record) records, (select count(*) from household) households, (select count(*) from cadre) cadres',
    );
    console.log(
      `Wanjia analytics benchmark on ${parsed.pathname.slice(1)}: ${Number(counts!.records).toLocaleString('en')} help records, ` +
        `${Number(counts!.households).toLocaleString('en')} households, ${Number(counts!.cadres).toLocaleString('en')} cadres; ${ITERATIONS} timed calls per side`,
    );
    server = await startServer(secret);
    const [[city]] = await connection.query<mysql.RowDataPacket[]>('select id, path from region where parent_id is null');
    const [[district]] = await connection.query<mysql.RowDataPacket[]>(
      'select r.id, r.path, r.name from region r where r.depth = 1 order by (select count(*) from household ho join region v on v.id = ho.region_id where v.path like concat(r.path, "%")) desc limit 1',
    );
    const [[round]] = await connection.query<mysql.RowDataPacket[]>(
      "select id, date_format(starts_on, '%Y-%m-%d') starts_on, date_format(ends_on, '%Y-%m-%d') ends_on from round order by starts_on desc limit 1",
    );
    await ensureAnalyst(connection, Number(city!.id));
    const login = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `mutation { login(username: "${ANALYST.username}", password: "${ANALYST.password}") { accessToken } }` }),
    });
    const token = ((await login.json()) as { data?: { login?: { accessToken: string } } }).data?.login?.accessToken;
    if (!token) throw new Error('the analyst could not sign in');

    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const roundDates = { startsOn: String(round!.starts_on), endsOn: String(round!.ends_on) };
    const last = roundDates.endsOn < today ? roundDates.endsOn : today;
    const months: { key: string; first: string; last: string }[] = [];
    for (let cursor = `${roundDates.startsOn.slice(0, 7)}-01`; cursor <= last;) {
      const [year, month] = cursor.split('-').map(Number) as [number, number];
      const next = month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
      const monthLast = new Date(Date.parse(`${next}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
      months.push({ key: cursor.slice(0, 7), first: cursor < roundDates.startsOn ? roundDates.startsOn : cursor, last: monthLast > last ? last : monthLast });
      cursor = next;
    }
    const roundId = Number(round!.id);
    const figures = 'figures { measure value }';
    const scenarios: Scenario[] = [
      {
        name: 'campaignOverview, city',
        query: `query ($roundId: ID) { campaignOverview(roundId: $roundId) { ${figures} } }`,
        variables: { roundId: String(roundId) },
        baseline: (c) => overviewByHand(c, { path: null, roundId }, roundDates, today),
        summaryBaseline: (p) => overviewWithSummaryByHand(p, { path: null, roundId }, roundDates, today),
      },
      {
        name: `campaignOverview, ${district!.name}`,
        query: `query ($roundId: ID, $regionId: ID) { campaignOverview(roundId: $roundId, regionId: $regionId) { ${figures} } }`,
        variables: { roundId: String(roundId), regionId: String(district!.id) },
        baseline: (c) => overviewByHand(c, { path: String(district!.path), roundId }, roundDates, today),
        summaryBaseline: (p) => overviewWithSummaryByHand(p, { path: String(district!.path), roundId }, roundDates, today),
      },
      {
        name: 'campaignBreakdown REGION_CHILDREN, city',
        query: `query ($roundId: ID) { campaignBreakdown(dimension: REGION_CHILDREN, roundId: $roundId) { groups { key ${figures} } } }`,
        variables: { roundId: String(roundId) },
        baseline: (c) => childrenByHand(c, { path: String(city!.path), roundId }),
      },
      {
        name: 'campaignBreakdown MONTH, city',
        query: `query ($roundId: ID) { campaignBreakdown(dimension: MONTH, roundId: $roundId) { groups { key ${figures} } } }`,
        variables: { roundId: String(roundId) },
        baseline: (c) => monthsByHand(c, { path: null, roundId }, months),
      },
    ];

    const ours = async (scenario: Scenario) => {
      const response = await fetch(`${server!.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: scenario.query, variables: scenario.variables }),
      });
      const body = (await response.json()) as { errors?: unknown[] };
      if (body.errors) throw new Error(`${scenario.name}: ${JSON.stringify(body.errors).slice(0, 500)}`);
    };
    const rows: string[][] = [];
    let failed = false;
    for (const scenario of scenarios.filter((entry) => ONLY.length === 0 || ONLY.some((part) => entry.name.includes(part)))) {
      try {
        const sides = scenario.summaryBaseline ? (['ours', 'baseline', 'summary'] as const) : (['ours', 'baseline'] as const);
        const run = async (side: (typeof sides)[number]) => {
          if (side === 'ours') await ours(scenario);
          else if (side === 'baseline') await scenario.baseline(connection);
          else await scenario.summaryBaseline!(pool);
        };
        for (let index = 0; index < WARMUP; index += 1) for (const side of sides) await run(side);
        const timings = { ours: [] as number[], baseline: [] as number[], summary: [] as number[] };
        for (let index = 0; index < ITERATIONS; index += 1) {
          // Rotate which side goes first, so that none always finds the caches another warmed.
          const order = sides.map((_, offset) => sides[(index + offset) % sides.length]!);
          for (const side of order) {
            const started = process.hrtime.bigint();
            await run(side);
            timings[side].push(Number(process.hrtime.bigint() - started) / 1e6);
          }
        }
        const oursMedian = median(timings.ours);
        const baselineMedian = median(timings.baseline);
        const ratio = oursMedian / baselineMedian;
        const summaryMedian = timings.summary.length > 0 ? median(timings.summary) : null;
        const summaryRatio = summaryMedian === null ? null : oursMedian / summaryMedian;
        const cityOverview = scenario.name === 'campaignOverview, city';
        // Judged against the strictest baseline there is: the same summary SQL, by hand and in parallel.
        const pass = (summaryRatio ?? ratio) <= TARGET_RATIO && (!cityOverview || oursMedian <= TARGET_CITY_OVERVIEW_MS);
        failed ||= !pass;
        rows.push([
          scenario.name,
          oursMedian.toFixed(1),
          baselineMedian.toFixed(1),
          ratio.toFixed(2),
          summaryMedian === null ? '-' : summaryMedian.toFixed(1),
          summaryRatio === null ? '-' : summaryRatio.toFixed(2),
          pass ? 'PASS' : 'FAIL',
        ]);
      } catch (error) {
        // A scenario our server cannot answer is a result too: the others are still measured.
        failed = true;
        rows.push([scenario.name, 'error', '-', '-', '-', '-', `FAIL: ${String(error).slice(0, 160)}`]);
      }
      console.log(`  measured: ${rows[rows.length - 1]!.join('  ')}`);
    }
    const header = [
      'scenario',
      'ours p50 ms',
      'by hand p50 ms',
      'ratio',
      'by hand, summary, parallel p50 ms',
      'ratio',
      `target ≤ ${TARGET_RATIO} (city overview ≤ ${TARGET_CITY_OVERVIEW_MS} ms)`,
    ];
    if (rows.length === 0) throw new Error(`no scenario matches BENCH_SCENARIOS=${ONLY.join(',')}`);
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
    for (const row of [header, ...rows]) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
    console.log(failed ? '\nsome targets missed (a measurement: exit 0)' : '\nall targets met');
  } finally {
    server?.child.kill('SIGTERM');
    if (originalBufferPool < wantedBufferPool) await connection.query('set global innodb_buffer_pool_size = ?', [originalBufferPool]);
    await pool.end();
    await connection.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
