import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { ImportKind } from '@wanjia/shared';
import { importKinds } from '@wanjia/server/dist/modules/imports/kinds';
import { benchDatabase, type MysqlTarget } from '../bench/common';
import { ensureServerBuilt } from '../bench/city-data';
import { procStatus, resetPeakRss } from '../bench/gauges';
import { fixed, megabytes } from '../bench/report';
import { startProcess, sleep, type Running } from '../bench/server-processes';
import { REPOSITORY_ROOT } from '../bench/settings';
import { measureFloor, FLOOR_BATCH, type FloorResult } from './floor';
import { benchHouseholds, writeHouseholdsFile, type TemplateColumn } from './households-file';
import { freshWorld, IMPORTER, type World } from './world';

/**
 * `pnpm bench:import`: a district's screening list of BENCH_IMPORT_HOUSEHOLDS households (50,000, with
 * ~120,000 residents) imported into MariaDB through the built server over HTTP, as an office would:
 * POST /imports, the dry run followed through GraphQL (dataImport) until CHECKED, commitImport, followed
 * until COMMITTED. Measured: the dry run's and the commit's wall time and the server process's peak RSS
 * in each; the floor in the same run is the same rows written again by plain multi-row INSERTs (floor.ts).
 * It runs at a second, smaller size too (10,000 households), so that the two peaks show whether memory
 * grows with the file (it must not: the file is read as a stream and written in batches).
 * A measurement, not a test: a missed target prints FAIL and exits 0; only a crash exits non-zero.
 */

const RESULTS_FILE = path.join(REPOSITORY_ROOT, '.test-results', 'bench-import.json');
const SEED = 20_261_205;
const TARGET_COMMIT_SECONDS = 30;
/** The target's size: the ≤ 30 s commit is judged only at it. */
const FULL_SIZE = 50_000;
const POLL_MS = 250;

interface Settings {
  households: number;
  secondHouseholds: number;
  database: MysqlTarget;
  floorDatabase: MysqlTarget;
}

function settingsFrom(environment: NodeJS.ProcessEnv): Settings {
  const count = (name: string, fallback: number): number => {
    const value = Number(environment[name] || fallback);
    if (!Number.isInteger(value) || value < 10) throw new Error(`${name}: must be a whole number of households, at least 10`);
    return value;
  };
  const households = count('BENCH_IMPORT_HOUSEHOLDS', FULL_SIZE);
  // The second size for the memory comparison: 10,000 at full size, a fifth of a smaller run.
  const secondHouseholds = count('BENCH_IMPORT_SECOND_HOUSEHOLDS', households > 10_000 ? 10_000 : Math.max(10, Math.round(households / 5)));
  const url = environment.BENCH_IMPORT_DATABASE_URL?.trim() || 'mariadb://root@127.0.0.1:3306/wanjia_bench_import';
  const database = benchDatabase({ BENCH_DATABASE_URL: url });
  const floorUrl = new URL(url);
  floorUrl.pathname = `/${database.database}_floor`;
  return { households, secondHouseholds, database, floorDatabase: benchDatabase({ BENCH_DATABASE_URL: floorUrl.toString() }) };
}

/** The households template's columns in its order, from the built server's own kind (the headers an office's file has). */
function templateColumns(): TemplateColumn[] {
  const kind = importKinds({ elsewherePerDay: 0, now: () => new Date() })[ImportKind.HOUSEHOLDS];
  if (!kind) throw new Error('the built server has no HOUSEHOLDS import kind: run pnpm build');
  return kind.columns.map((column) => ({ key: column.key, header: column.header }));
}

/** The peak RSS of a phase: the kernel's high-water mark since it was reset, or the highest sample where it cannot be reset. */
class PeakMemory {
  private sampled = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly resettable: boolean;

  constructor(private readonly pid: number) {
    this.resettable = resetPeakRss(pid);
    this.timer = setInterval(() => {
      this.sampled = Math.max(this.sampled, procStatus(pid, 'VmRSS') ?? 0);
    }, 50);
  }

  stop(): number {
    clearInterval(this.timer);
    const mark = this.resettable ? procStatus(this.pid, 'VmHWM') : null;
    return Math.max(mark ?? 0, this.sampled, procStatus(this.pid, 'VmRSS') ?? 0);
  }
}

interface ImportView {
  id: string;
  state: string;
  rowsDone: number;
  rowsTotal: number | null;
  failure: string | null;
  counts: { rows: number; ready: number; warnings: number; accepted: number; refused: number; created: number; updated: number; unchanged: number };
}

const IMPORT_FIELDS = 'id state rowsDone rowsTotal failure counts { rows ready warnings accepted refused created updated unchanged }';

async function graphql<T>(server: Running, token: string | null, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length || !body.data) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** A phase that has not ended by then is stuck, not slow: the run stops rather than hang the lead's machine. */
const PHASE_DEADLINE_MS = 30 * 60 * 1000;

async function waitFor(server: Running, token: string, id: string, done: ReadonlySet<string>): Promise<ImportView> {
  const deadline = Date.now() + PHASE_DEADLINE_MS;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`import ${id} did not reach ${[...done].join('/')} within ${PHASE_DEADLINE_MS / 60_000} minutes`);
    if (server.exitCode !== undefined) throw new Error(`the server exited (${server.exitCode}):\n${server.output()}`);
    const { dataImport } = await graphql<{ dataImport: ImportView }>(server, token, `query ($id: ID!) { dataImport(id: $id) { ${IMPORT_FIELDS} } }`, { id });
    if (done.has(dataImport.state)) return dataImport;
    await sleep(POLL_MS);
  }
}

interface SizeResult {
  households: number;
  residents: number;
  fileMegabytes: number;
  generateSeconds: number;
  dryRunSeconds: number;
  dryRunPeakRss: number;
  commitSeconds: number;
  commitPeakRss: number;
  counts: ImportView['counts'];
  floor: FloorResult;
}

/**
 * Text the import wrote with a replacement character: a character the reader lost (a UTF-8 sequence
 * split between two chunks of the file). The generated file has none, so every one is the engine's.
 */
async function mangledTextCount(target: MysqlTarget): Promise<number> {
  const connection = await mysql.createConnection({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    charset: 'utf8mb4',
  });
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>(
      `select (select count(*) from household where head_name like ? or address like ?) + (select count(*) from resident where name like ?) as mangled`,
      ['%\uFFFD%', '%\uFFFD%', '%\uFFFD%'],
    );
    return Number(rows[0]!.mangled);
  } finally {
    await connection.end();
  }
}

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

async function runSize(settings: Settings, households: number, columns: TemplateColumn[], workDir: string): Promise<SizeResult> {
  const log = (line: string) => console.log(`[${households.toLocaleString('en')}] ${line}`);
  const world: World = await freshWorld(settings.database);
  log(`world ready in ${settings.database.database}: ${world.places.length} villages and communities in district ${world.districtCode}`);

  const generating = process.hrtime.bigint();
  const file = await writeHouseholdsFile(path.join(workDir, `households-${households}.xlsx`), columns, benchHouseholds(households, world.places, SEED));
  const generateSeconds = seconds(generating);
  log(`file: ${file.residents.toLocaleString('en')} rows, ${(file.bytes / 1024 / 1024).toFixed(1)} MB, written in ${fixed(generateSeconds)} s`);

  const importDir = path.join(workDir, `store-${households}`);
  const server = await startProcess('ours', [path.join(REPOSITORY_ROOT, 'server', 'dist', 'main.js')], {
    DATABASE_URL: settings.database.url,
    DEMO_DATA: 'false',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    JWT_SECRET: randomBytes(32).toString('hex'),
    RATE_LIMITS: 'false',
    // One sign-in for the whole run: a slow full-size dry run must not outlive the token that follows it.
    ACCESS_TOKEN_TTL_SECONDS: '86400',
    SAFELIST_MODE: 'off',
    IMPORT_DIR: importDir,
    // The full-size file is over the office default; the limits themselves are tested elsewhere.
    IMPORT_MAX_BYTES: String(Math.max(file.bytes * 2, 20 * 1024 * 1024)),
    IMPORT_MAX_ROWS: String(Math.max(file.residents + 10, 200_000)),
  });
  try {
    const { login } = await graphql<{ login: { accessToken: string } }>(
      server,
      null,
      'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }',
      { u: IMPORTER.username, p: IMPORTER.password },
    );
    const token = login.accessToken;

    // The dry run: from the upload's first byte until the import says CHECKED.
    const dryRunMemory = new PeakMemory(server.pid);
    const uploading = process.hrtime.bigint();
    const form = new FormData();
    form.append('kind', ImportKind.HOUSEHOLDS);
    form.append('mode', 'CREATE_ONLY');
    form.append('file', await fs.openAsBlob(file.path), path.basename(file.path));
    const uploaded = await fetch(`${server.url}/imports`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    if (uploaded.status !== 201) throw new Error(`upload refused (${uploaded.status}): ${await uploaded.text()}`);
    const { id } = (await uploaded.json()) as { id: string };
    const checked = await waitFor(server, token, id, new Set(['CHECKED', 'FAILED', 'CANCELLED']));
    const dryRunSeconds = seconds(uploading);
    const dryRunPeakRss = dryRunMemory.stop();
    if (checked.state !== 'CHECKED') throw new Error(`the dry run ended ${checked.state}: ${checked.failure}`);
    log(`dry run: ${fixed(dryRunSeconds)} s, peak RSS ${megabytes(dryRunPeakRss)}; counts ${JSON.stringify(checked.counts)}`);
    if (checked.counts.refused > 0) log(`WARNING: ${checked.counts.refused} rows refused by the check: the generated file should have none`);
    if (checked.counts.warnings > checked.counts.accepted) {
      await graphql(
        server,
        token,
        `
          mutation ($input: AcceptImportWarningsInput!) {
            acceptImportWarnings(input: $input) {
              id
            }
          }
        `,
        { input: { importId: id, all: true } },
      );
    }

    const commitMemory = new PeakMemory(server.pid);
    const committing = process.hrtime.bigint();
    await graphql(
      server,
      token,
      `
        mutation ($input: CommitImportInput!) {
          commitImport(input: $input) {
            id
            state
          }
        }
      `,
      { input: { importId: id } },
    );
    const committed = await waitFor(server, token, id, new Set(['COMMITTED', 'FAILED', 'CANCELLED']));
    const commitSeconds = seconds(committing);
    const commitPeakRss = commitMemory.stop();
    if (committed.state !== 'COMMITTED') throw new Error(`the commit ended ${committed.state}: ${committed.failure}`);
    log(`commit: ${fixed(commitSeconds)} s, peak RSS ${megabytes(commitPeakRss)}; counts ${JSON.stringify(committed.counts)}`);

    const mangled = await mangledTextCount(settings.database);
    if (mangled > 0) log(`FAIL: ${mangled} households or residents were written with U+FFFD (a character lost in reading the file)`);

    await server.stop();
    await freshWorld(settings.floorDatabase);
    const floor = await measureFloor(settings.database, settings.floorDatabase);
    log(
      `floor: ${floor.rows.household.toLocaleString('en')} households + ${floor.rows.resident.toLocaleString('en')} residents in ${fixed(floor.seconds, 2)} s (${floor.statements} INSERT statements of up to ${FLOOR_BATCH} rows)`,
    );
    if (floor.rows.household !== households || floor.rows.resident !== file.residents) {
      log(
        `WARNING: the import wrote ${floor.rows.household} households and ${floor.rows.resident} residents, the file has ${households} and ${file.residents}`,
      );
    }
    return {
      households,
      residents: file.residents,
      fileMegabytes: file.bytes / 1024 / 1024,
      generateSeconds,
      dryRunSeconds,
      dryRunPeakRss,
      commitSeconds,
      commitPeakRss,
      counts: committed.counts,
      floor,
    };
  } finally {
    await server.stop();
    fs.rmSync(importDir, { recursive: true, force: true });
  }
}

function report(results: SizeResult[]): void {
  const header = ['households', 'residents', 'file MB', 'dry run s', 'commit s', 'floor s', 'commit/floor', 'dry-run peak RSS', 'commit peak RSS'];
  const rows = results.map((r) => [
    r.households.toLocaleString('en'),
    r.residents.toLocaleString('en'),
    fixed(r.fileMegabytes),
    fixed(r.dryRunSeconds, 2),
    fixed(r.commitSeconds, 2),
    fixed(r.floor.seconds, 2),
    `${fixed(r.commitSeconds / r.floor.seconds)}×`,
    megabytes(r.dryRunPeakRss),
    megabytes(r.commitPeakRss),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padStart(widths[column]!)).join('  ');
  console.log(`\n${line(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}\n${rows.map(line).join('\n')}\n`);

  const largest = results[results.length - 1]!;
  const smallest = results[0]!;
  if (largest.households >= FULL_SIZE) {
    const pass = largest.commitSeconds <= TARGET_COMMIT_SECONDS;
    console.log(
      `${pass ? 'PASS' : 'FAIL'}: commit of ${largest.households.toLocaleString('en')} households in ${fixed(largest.commitSeconds)} s (target ≤ ${TARGET_COMMIT_SECONDS} s)`,
    );
  } else {
    console.log(`(the ≤ ${TARGET_COMMIT_SECONDS} s commit target is judged at ${FULL_SIZE.toLocaleString('en')} households; this run was smaller)`);
  }
  const growth = (peak: (r: SizeResult) => number) => peak(largest) / Math.max(peak(smallest), 1);
  console.log(
    `memory: ${largest.households / smallest.households}× the households took ${fixed(
      growth((r) => r.dryRunPeakRss),
      2,
    )}× the dry run's peak RSS ` +
      `and ${fixed(
        growth((r) => r.commitPeakRss),
        2,
      )}× the commit's (flat is ~1×)`,
  );
}

async function main(): Promise<void> {
  const settings = settingsFrom(process.env);
  await ensureServerBuilt();
  const columns = templateColumns();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-bench-import-'));
  try {
    const sizes = [...new Set([settings.secondHouseholds, settings.households])].sort((a, b) => a - b);
    console.log(
      `bench:import: ${sizes.map((size) => size.toLocaleString('en')).join(' and ')} households into ${settings.database.database} (floor in ${settings.floorDatabase.database})`,
    );
    const results: SizeResult[] = [];
    for (const size of sizes) results.push(await runSize(settings, size, columns, workDir));
    report(results);
    fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
    fs.writeFileSync(
      RESULTS_FILE,
      `${JSON.stringify({ at: new Date().toISOString(), machine: { cpus: os.cpus().length, memory: os.totalmem() }, results }, null, 2)}\n`,
    );
    console.log(`figures written to ${path.relative(REPOSITORY_ROOT, RESULTS_FILE)}`);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
