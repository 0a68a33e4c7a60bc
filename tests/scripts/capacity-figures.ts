import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import sharp from 'sharp';
import { makeThumbnail, reencodePhoto } from '@wanjia/server/dist/modules/photos/photo-image';
import { ensureCityData, ensureServerBuilt } from '../bench/city-data';
import { signCadreToken, type MysqlTarget } from '../bench/common';
import { CORRECT_HELP_RECORD, HOUSEHOLD_FILE, MY_HOUSEHOLDS, MY_STATS, SUBMIT_HELP_RECORD, callGraphql, newVisit, type HelpRecordInput } from '../support/cadre-client';
import { MariadbInstance } from '../support/mariadb-instance';
import { REPOSITORY_ROOT, startServer, type ServerProcess } from '../support/server-process';
import { measuredTables, modelTable, type MeasuredFigures, type OperationFigures, type OperationName } from './capacity-model';

/**
 * The measured figures behind docs/scaling.md. On a MariaDB server of its own (so that its CPU, its
 * status counters and its general log are this run's alone; binlog on, as a primary with replicas has
 * it) it builds the benchmark's city data set (tests/bench/city-data.ts: 50,000 households, 500,000
 * help records), reads bytes per row and per index after ANALYZE TABLE, starts the built server in
 * production mode and sends each operation of the mini-program's mix (tests/soak/soak.ts) under a
 * fixed load, counting per request the server's SQL statements (COUNT_SQL), the API's and mariadbd's
 * CPU (/proc), rows inserted and updated, redo-log writes and fsyncs; for submissions also the rows
 * written per table, the growth of the tables and of the binlog. A phone-sized JPEG goes through the
 * server's own re-encoding (PHOTO_MAX_EDGE 2560) and thumbnail. The figures go to
 * tests/scripts/capacity-figures.json and the model's table is printed.
 *
 * Run: `flock /tmp/wanjia-bench.lock pnpm --filter @wanjia/tests exec tsx scripts/capacity-figures.ts`
 * (a load test: under the benchmarks' lock). Settings: CAPACITY_REQUESTS (per read operation, 1500;
 * submissions twice that), CAPACITY_CONCURRENCY (4), CAPACITY_HOUSEHOLDS (50000). With `--print` it
 * prints the last run's figures (capacity-figures.json) through the current model, measuring nothing.
 */

const COMMAND = 'flock /tmp/wanjia-bench.lock pnpm --filter @wanjia/tests exec tsx scripts/capacity-figures.ts';
const OUTPUT = path.join(__dirname, 'capacity-figures.json');
const SECRET = 'capacity-figures-secret-not-for-production-0123456789';
const CLOCK_TICKS_PER_SECOND = 100;
const CADRES = 400;
/** Tables the model sizes; the rest hold configuration or queues. */
const MAIN_TABLES = ['help_record', 'household', 'resident', 'assignment', 'demand', 'cadre', 'user_account', 'petition_case', 'audit_entry', 'photo', 'help_record_monthly'];
/** Submissions sampled into the general log to count their write statements by table. */
const LOGGED_SUBMISSIONS = 40;

function wholeNumber(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  const value = raw ? Number(raw) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}: must be a whole number above 0 (got ${raw})`);
  return value;
}

/** User + system CPU of a process so far, in ms (from /proc/<pid>/stat). */
function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** MariaDB 10.11 has no Innodb_rows_*: Handler_write and Handler_update count rows of real tables (temporary ones have Handler_tmp_*). */
const STATUS_COUNTERS = ['Handler_write', 'Handler_update', 'Handler_delete', 'Rows_read', 'Innodb_log_writes', 'Innodb_data_fsyncs', 'Innodb_os_log_written'] as const;
type Status = Record<(typeof STATUS_COUNTERS)[number], number>;

async function status(connection: mysql.Connection): Promise<Status> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>(`show global status where Variable_name in (${STATUS_COUNTERS.map(() => '?').join(',')})`, [...STATUS_COUNTERS]);
  const result = Object.fromEntries(STATUS_COUNTERS.map((name) => [name, 0])) as Status;
  for (const row of rows) result[row.Variable_name as keyof Status] = Number(row.Value);
  return result;
}

async function binlogBytes(connection: mysql.Connection): Promise<number> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>('show binary logs');
  return rows.reduce((sum, row) => sum + Number(row.File_size), 0);
}

async function sqlCount(server: ServerProcess): Promise<number> {
  const response = await fetch(`${server.url}/debug/sql-count`);
  return ((await response.json()) as { statements: number }).statements;
}

interface TableSize {
  rows: number;
  data: number;
  index: number;
}

async function tableSizes(connection: mysql.Connection, database: string): Promise<Record<string, TableSize>> {
  const [tables] = await connection.query<mysql.RowDataPacket[]>('select table_name as name from information_schema.tables where table_schema = ?', [database]);
  const names = tables.map((row) => String(row.name));
  await connection.query(`analyze table ${names.map((name) => `\`${name}\``).join(', ')}`);
  const [sizes] = await connection.query<mysql.RowDataPacket[]>(
    'select table_name as name, data_length as data, index_length as `index` from information_schema.tables where table_schema = ?',
    [database],
  );
  const result: Record<string, TableSize> = {};
  for (const row of sizes) {
    const [[count]] = await connection.query<mysql.RowDataPacket[]>(`select count(*) as n from \`${String(row.name)}\``);
    result[String(row.name)] = { rows: Number(count!.n), data: Number(row.data), index: Number(row.index) };
  }
  return result;
}

/** Bytes of each secondary index and of the clustered one (mysql.innodb_index_stats 'size', in pages). */
async function indexSizes(connection: mysql.Connection, database: string, table: string): Promise<Record<string, number>> {
  const [[page]] = await connection.query<mysql.RowDataPacket[]>('select @@innodb_page_size as bytes');
  const [rows] = await connection.query<mysql.RowDataPacket[]>(
    "select index_name as name, stat_value as pages from mysql.innodb_index_stats where database_name = ? and table_name = ? and stat_name = 'size'",
    [database, table],
  );
  return Object.fromEntries(rows.map((row) => [String(row.name), Number(row.pages) * Number(page!.bytes)]));
}

interface Cadre {
  token: string;
  households: string[];
}

type Step = (cadre: Cadre, serial: number) => Promise<void>;

/** Sends `requests` calls of one operation (`step`) from `concurrency` workers and measures what they cost. */
async function measure(
  requests: number,
  concurrency: number,
  step: Step,
  cadres: Cadre[],
  server: ServerProcess,
  database: MariadbInstance,
  connection: mysql.Connection,
): Promise<OperationFigures> {
  const warmup = Math.min(50, requests);
  let serial = 0;
  const run = async (count: number, latencies: number[]) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          const index = next++;
          const started = performance.now();
          await step(cadres[index % cadres.length]!, ++serial);
          latencies.push(performance.now() - started);
        }
      }),
    );
  };
  await run(warmup, []);
  const before = { status: await status(connection), statements: await sqlCount(server), server: cpuMs(server.child.pid!), database: cpuMs(database.pid!) };
  const latencies: number[] = [];
  await run(requests, latencies);
  const after = { status: await status(connection), statements: await sqlCount(server), server: cpuMs(server.child.pid!), database: cpuMs(database.pid!) };
  latencies.sort((a, b) => a - b);
  // The figures' own calls: two SHOW STATUS on mariadbd, two sql-count reads (not SQL) on the server.
  return {
    requests,
    statements: after.statements - before.statements,
    serverCpuMs: after.server - before.server,
    databaseCpuMs: after.database - before.database,
    rowsInserted: after.status.Handler_write - before.status.Handler_write,
    rowsUpdated: after.status.Handler_update - before.status.Handler_update,
    rowsRead: after.status.Rows_read - before.status.Rows_read,
    logWrites: after.status.Innodb_log_writes - before.status.Innodb_log_writes,
    fsyncs: after.status.Innodb_data_fsyncs - before.status.Innodb_data_fsyncs,
    p50Ms: Number(latencies[Math.floor(latencies.length / 2)]!.toFixed(1)),
  };
}

function ok<T>(outcome: Awaited<ReturnType<typeof callGraphql<T>>>, what: string): T {
  if (!outcome.ok) throw new Error(`${what} failed: ${outcome.code} ${outcome.message}`);
  return outcome.data;
}

/**
 * A stand-in for a 12-megapixel phone photo (none ships with the repository): smooth shapes at a
 * photo's scale with fine grain over them, saved as a phone saves it (JPEG quality 92). Its size lands
 * where a phone's ordinary photo does (2-5 MB); pure noise would be far larger, flat colour far smaller.
 */
async function phonePhoto(): Promise<Buffer> {
  const width = 4032;
  const height = 3024;
  const shapes = await sharp({ create: { width: width / 16, height: height / 16, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 70 } } })
    .png()
    .toBuffer();
  const grain = await sharp({ create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 18 } } })
    .png()
    .toBuffer();
  return sharp(shapes)
    .resize(width, height, { kernel: 'cubic' })
    .composite([{ input: grain, blend: 'soft-light' }])
    .jpeg({ quality: 92 })
    .toBuffer();
}

async function photoFigures(): Promise<MeasuredFigures['photo']> {
  const input = await phonePhoto();
  const inputMeta = await sharp(input).metadata();
  const runs: { cpu: number; stored: Awaited<ReturnType<typeof reencodePhoto>>; thumbnail: Buffer }[] = [];
  for (let run = 0; run < 5; run += 1) {
    const started = process.cpuUsage();
    const stored = await reencodePhoto(input, 2_560);
    const thumbnail = await makeThumbnail(stored.bytes);
    const used = process.cpuUsage(started);
    runs.push({ cpu: (used.user + used.system) / 1000, stored, thumbnail });
  }
  runs.sort((a, b) => a.cpu - b.cpu);
  const median = runs[Math.floor(runs.length / 2)]!;
  return {
    inputBytes: input.length,
    inputPixels: `${inputMeta.width}×${inputMeta.height}`,
    storedBytes: median.stored.bytes.length,
    storedPixels: `${median.stored.width}×${median.stored.height}`,
    thumbnailBytes: median.thumbnail.length,
    // sharp's worker threads count in this process's CPU; the median of five.
    cpuMs: Math.round(median.cpu),
  };
}

async function main(): Promise<void> {
  if (process.argv.includes('--print')) {
    // The last run's figures through the current model, without measuring again.
    printFigures(JSON.parse(fs.readFileSync(OUTPUT, 'utf8')) as MeasuredFigures);
    return;
  }
  const requests = wholeNumber('CAPACITY_REQUESTS', 1_500);
  const concurrency = wholeNumber('CAPACITY_CONCURRENCY', 4);
  const households = wholeNumber('CAPACITY_HOUSEHOLDS', 50_000);
  const log = (line: string) => console.log(line);
  await ensureServerBuilt(log);

  log('capacity: photo re-encoding');
  const photo = await photoFigures();

  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-capacity-'));
  const database = await MariadbInstance.create({
    name: 'capacity',
    root,
    settings: { server_id: 1, log_bin: 'capacity-bin', binlog_format: 'ROW', innodb_buffer_pool_size: '512M', innodb_log_file_size: '256M' },
  });
  let server: ServerProcess | null = null;
  try {
    await database.start();
    const name = 'capacity_bench';
    const target: MysqlTarget = { host: '127.0.0.1', port: database.port, user: 'root', password: '', database: name, url: database.url(name) };
    const data = await ensureCityData({ database: target, households, rebuild: true, log });
    log(`capacity: data set built in ${data.seconds.toFixed(0)} s (${data.counts.households} households, ${data.counts.helpRecords} help records)`);
    const connection = await database.connect(name);
    try {
      const sizes = await tableSizes(connection, name);
      const helpRecordIndexes = await indexSizes(connection, name, 'help_record');

      server = await startServer({
        DATABASE_URL: target.url,
        NODE_ENV: 'production',
        JWT_SECRET: SECRET,
        HOST: '127.0.0.1',
        DB_POOL_MAX: '10',
        RATE_LIMITS: 'false',
        // correctHelpRecord is not among the mini-program's persisted operations (the soak does the same).
        SAFELIST_MODE: 'off',
        COUNT_SQL: 'true',
        PHOTO_DIR: path.join(root, 'photos'),
        IMPORT_DIR: path.join(root, 'imports'),
      });

      const [assignments] = await connection.query<mysql.RowDataPacket[]>(
        'select cadre_id as cadre, household_id as household from assignment where ended_at is null and cadre_id <= ? order by cadre_id, household_id',
        [CADRES],
      );
      const cadres: Cadre[] = [];
      for (let id = 1; id <= CADRES; id += 1) {
        const own = assignments.filter((row) => Number(row.cadre) === id).map((row) => String(row.household));
        if (own.length > 0) cadres.push({ token: await signCadreToken({ accountId: id, cadreId: id }, SECRET), households: own });
      }
      const url = server.url;
      const submitted: { id: string; input: HelpRecordInput; token: string }[] = [];
      const pick = (cadre: Cadre, serial: number) => cadre.households[serial % cadre.households.length]!;
      const steps: Record<OperationName, Step> = {
        myHouseholds: async (cadre) => void ok(await callGraphql(url, MY_HOUSEHOLDS, { first: 20 }, cadre.token), 'myHouseholds'),
        household: async (cadre, serial) => void ok(await callGraphql(url, HOUSEHOLD_FILE, { id: pick(cadre, serial), recordsFirst: 10 }, cadre.token), 'household'),
        myStats: async (cadre) => void ok(await callGraphql(url, MY_STATS, {}, cadre.token), 'myStats'),
        submitHelpRecord: async (cadre, serial) => {
          const input = newVisit(pick(cadre, serial), serial);
          const data = ok(await callGraphql<{ submitHelpRecord: { id: string } }>(url, SUBMIT_HELP_RECORD, { input }, cadre.token), 'submitHelpRecord');
          submitted.push({ id: data.submitHelpRecord.id, input, token: cadre.token });
        },
        correctHelpRecord: async () => {
          const target = submitted.shift();
          if (!target) throw new Error('correctHelpRecord: no submitted record left to correct');
          const { householdId: _householdId, ...content } = target.input;
          const input = { ...content, clientId: randomUUID(), fundsFen: content.fundsFen + 100, summary: `${content.summary}（更正）` };
          ok(await callGraphql(url, CORRECT_HELP_RECORD, { id: target.id, input }, target.token), 'correctHelpRecord');
        },
      };

      const operations = {} as Record<OperationName, OperationFigures>;
      for (const operation of ['myHouseholds', 'household', 'myStats'] as const) {
        log(`capacity: ${operation} × ${requests}`);
        operations[operation] = await measure(requests, concurrency, steps[operation], cadres, server, database, connection);
      }

      const submissions = requests * 2;
      log(`capacity: submitHelpRecord × ${submissions} (tables and binlog measured around it)`);
      const binlogBefore = await binlogBytes(connection);
      const redoBefore = (await status(connection)).Innodb_os_log_written;
      operations.submitHelpRecord = await measure(submissions, concurrency, steps.submitHelpRecord, cadres, server, database, connection);
      const binlogAfter = await binlogBytes(connection);
      const redoAfter = (await status(connection)).Innodb_os_log_written;
      const recordsWritten = submissions + Math.min(50, submissions); // the warm-up's submissions wrote too
      const grown = await tableSizes(connection, name);
      const rowsInserted: Record<string, number> = {};
      let growth = 0;
      for (const [table, after] of Object.entries(grown)) {
        const before = sizes[table]!;
        if (after.rows !== before.rows) rowsInserted[table] = Number(((after.rows - before.rows) / recordsWritten).toFixed(3));
        growth += after.data + after.index - before.data - before.index;
      }

      log(`capacity: ${LOGGED_SUBMISSIONS} submissions into the general log`);
      await connection.query("set global log_output = 'TABLE'");
      await connection.query('truncate table mysql.general_log');
      await connection.query('set global general_log = ON');
      for (let index = 0; index < LOGGED_SUBMISSIONS; index += 1) await steps.submitHelpRecord(cadres[index % cadres.length]!, 1_000_000 + index);
      await connection.query('set global general_log = OFF');
      const [logged] = await connection.query<mysql.RowDataPacket[]>(
        "select convert(argument using utf8mb4) as statement from mysql.general_log where command_type in ('Query', 'Execute') and convert(argument using utf8mb4) regexp '^(insert|update|delete|replace)'",
      );
      const writeStatements: Record<string, number> = {};
      for (const row of logged) {
        const match = /^(insert|update|delete|replace)\s+(?:ignore\s+)?(?:into\s+)?`?(\w+)`?/i.exec(String(row.statement));
        if (!match) continue;
        const key = `${match[1]!.toLowerCase()} ${match[2]}`;
        writeStatements[key] = (writeStatements[key] ?? 0) + 1 / LOGGED_SUBMISSIONS;
      }
      for (const key of Object.keys(writeStatements)) writeStatements[key] = Number(writeStatements[key]!.toFixed(2));

      log(`capacity: correctHelpRecord × ${Math.floor(requests / 2)}`);
      operations.correctHelpRecord = await measure(Math.floor(requests / 2), concurrency, steps.correctHelpRecord, cadres, server, database, connection);

      const tables: MeasuredFigures['tables'] = {};
      for (const table of MAIN_TABLES) {
        const size = sizes[table];
        // A table of a few rows is a few 16 KB pages: no per-row figure.
        if (!size || size.rows < 100) continue;
        tables[table] = { rows: size.rows, dataBytesPerRow: Math.round(size.data / size.rows), indexBytesPerRow: Math.round(size.index / size.rows) };
      }
      // audit_entry and help_record_monthly are empty in the generated set: sized from what the submissions wrote.
      for (const table of ['audit_entry', 'help_record_monthly', 'photo']) {
        const size = grown[table];
        if (size && size.rows > (sizes[table]?.rows ?? 0) && size.rows >= 200) {
          tables[table] = { rows: size.rows, dataBytesPerRow: Math.round(size.data / size.rows), indexBytesPerRow: Math.round(size.index / size.rows) };
        }
      }

      const figures: MeasuredFigures & { helpRecordIndexBytes: Record<string, number>; concurrency: number } = {
        measuredAt: new Date().toISOString(),
        command: COMMAND,
        dataSet: { households: data.counts.households, helpRecords: data.counts.helpRecords, cadres: data.counts.cadres },
        tables,
        operations,
        perSubmittedRecord: {
          rowsInserted,
          writeStatements,
          growthBytes: Math.round(growth / recordsWritten),
          binlogBytes: Math.round((binlogAfter - binlogBefore) / submissions),
          redoBytes: Math.round((redoAfter - redoBefore) / submissions),
        },
        photo,
        helpRecordIndexBytes: helpRecordIndexes,
        concurrency,
      };
      fs.writeFileSync(OUTPUT, `${JSON.stringify(figures, null, 2)}\n`);
      log(`capacity: figures written to ${path.relative(REPOSITORY_ROOT, OUTPUT)}`);
      printFigures(figures);
    } finally {
      await connection.end();
    }
  } finally {
    if (server) await server.stop();
    await database.destroy();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function printFigures(figures: MeasuredFigures): void {
  const tables = measuredTables(figures);
  console.log(`\nper request (fixed load, ${CADRES} cadres):\n${tables.operations}\n\nbytes per row (ANALYZE TABLE on the data set):\n${tables.tables}\n\n${tables.record}\n\nphoto: ${tables.photo}`);
  console.log('\nthe same per request, unrounded:');
  console.table(
    Object.fromEntries(
      Object.entries(figures.operations).map(([name, operation]) => [
        name,
        {
          'SQL statements': Number((operation.statements / operation.requests).toFixed(2)),
          'API CPU ms': Number((operation.serverCpuMs / operation.requests).toFixed(2)),
          'DB CPU ms': Number((operation.databaseCpuMs / operation.requests).toFixed(2)),
          'rows inserted': Number((operation.rowsInserted / operation.requests).toFixed(2)),
          'rows updated': Number((operation.rowsUpdated / operation.requests).toFixed(2)),
          'rows read': Number((operation.rowsRead / operation.requests).toFixed(1)),
          'redo writes': Number((operation.logWrites / operation.requests).toFixed(2)),
          'InnoDB fsyncs': Number((operation.fsyncs / operation.requests).toFixed(2)),
          'p50 ms': operation.p50Ms,
        },
      ]),
    ),
  );
  console.log(`\nthe model (docs/scaling.md):\n${modelTable(figures)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
