import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import mysql, { type Connection } from 'mysql2/promise';
import { HELP_RECORDS_PER_HOUSEHOLD, HOUSEHOLDS_PER_PLACE, writeBenchRows } from './city-data-rows';
import { benchDatabase, type MysqlTarget } from './common';

/**
 * A city-sized campaign for the benchmark: Benxi's real districts, counties, streets and towns, ~500
 * made-up villages and communities, ~500 units with 20 cadres each, 50,000 households (5 per cadre,
 * one active assignment each), ~2 residents each, petition cases, open and settled demands and
 * 500,000 help records.
 *
 * It is written with multi-row INSERTs straight from a seeded PRNG, not through the ORM: the ORM's
 * unit of work would need minutes and gigabytes for half a million rows, and the benchmark wants the
 * rows, not a test of the seeder. Ids are assigned here, so no statement waits for another's insert id.
 * The tables, the region tree, the units, people's names, ID numbers, phones and addresses are the
 * city generator's (server/src/seed/city), taken from the server's build; the campaign's shape (100
 * households a place, 5 a cadre, the rounds' dates) is the benchmark's own.
 *
 * Run alone: `pnpm --filter @wanjia/tests exec tsx bench/city-data.ts` (BENCH_HOUSEHOLDS to scale).
 */

/** Bump when the generated rows change shape, so that an older bench database is rebuilt, not reused. */
export const GENERATOR_VERSION = 2;
export const DEFAULT_SEED = 20_261_128;
export const DEFAULT_HOUSEHOLDS = 50_000;

export interface CityCounts {
  regions: number;
  villagesAndCommunities: number;
  units: number;
  cadres: number;
  accounts: number;
  households: number;
  residents: number;
  petitionCases: number;
  assignments: number;
  activeAssignments: number;
  helpRecords: number;
  demands: number;
  openDemands: number;
}

export interface CityDataResult {
  database: MysqlTarget;
  reused: boolean;
  /** Wall time of this call: generation when built, the checks when reused. */
  seconds: number;
  counts: CityCounts;
}

export interface CityDataOptions {
  database?: MysqlTarget;
  households?: number;
  seed?: number;
  /** Rebuild even when the database already holds the data set. */
  rebuild?: boolean;
  log?: (line: string) => void;
}

/**
 * Makes sure the bench database holds the data set: reuses it when a previous run built the same one
 * (same generator version, seed and size, and the rows are all there), otherwise drops it, creates it,
 * applies the server's migrations and generates.
 */
export async function ensureCityData(options: CityDataOptions = {}): Promise<CityDataResult> {
  const target = options.database ?? benchDatabase();
  const households = options.households ?? DEFAULT_HOUSEHOLDS;
  const seed = options.seed ?? DEFAULT_SEED;
  const log = options.log ?? ((line: string) => console.log(line));
  if (households < HOUSEHOLDS_PER_PLACE || households % HOUSEHOLDS_PER_PLACE !== 0) {
    throw new Error(`households must be a positive multiple of ${HOUSEHOLDS_PER_PLACE} (got ${households})`);
  }
  const started = Date.now();
  const marker = JSON.stringify({ generator: GENERATOR_VERSION, seed, households });

  const admin = await mysql.createConnection({ host: target.host, port: target.port, user: target.user, password: target.password, charset: 'utf8mb4' });
  try {
    if (!options.rebuild && (await holdsDataSet(admin, target.database, marker, households))) {
      const counts = await countRows(admin, target.database);
      return { database: target, reused: true, seconds: (Date.now() - started) / 1000, counts };
    }
    log(`bench data: building ${households.toLocaleString('en')} households in ${target.database} (seed ${seed})`);
    await admin.query(`drop database if exists \`${target.database}\``);
    await admin.query(`create database \`${target.database}\` character set utf8mb4`);
  } finally {
    await admin.end();
  }

  await migrate(target);
  log(`bench data: schema migrated in ${seconds(started)} s`);
  const generation = Date.now();
  await writeBenchRows(target, households, seed, marker, log);
  log(`bench data: rows written in ${seconds(generation)} s`);

  const check = await mysql.createConnection({ host: target.host, port: target.port, user: target.user, password: target.password, database: target.database });
  try {
    // Fresh statistics, so that both servers' queries are planned on the real sizes from the first request.
    await check.query('analyze table household, assignment, help_record, demand, petition_case, resident, region, cadre, user_account');
    const counts = await countRows(check, target.database);
    return { database: target, reused: false, seconds: (Date.now() - started) / 1000, counts };
  } finally {
    await check.end();
  }
}

function seconds(since: number): string {
  return ((Date.now() - since) / 1000).toFixed(1);
}

async function holdsDataSet(connection: Connection, database: string, marker: string, households: number): Promise<boolean> {
  const [schemas] = await connection.query<mysql.RowDataPacket[]>('select 1 from information_schema.schemata where schema_name = ?', [database]);
  if (schemas.length === 0) return false;
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>(
      `select (select count(*) from \`${database}\`.audit_entry where operation = 'seedCityData' and changes = ?) as marked,
              (select count(*) from \`${database}\`.household) as households,
              (select count(*) from \`${database}\`.help_record) as help_records`,
      [marker],
    );
    const row = rows[0]!;
    // Benchmark runs add help records (submitHelpRecord), never households: more records is still the data set.
    return Number(row.marked) === 1 && Number(row.households) === households && Number(row.help_records) >= households * HELP_RECORDS_PER_HOUSEHOLD;
  } catch {
    return false; // a half-built or foreign schema
  }
}

async function countRows(connection: Connection, database: string): Promise<CityCounts> {
  const q = (sql: string) => `(${sql.replaceAll('{db}', `\`${database}\``)})`;
  const [rows] = await connection.query<mysql.RowDataPacket[]>(
    `select ${q('select count(*) from {db}.region')} as regions,
            ${q(`select count(*) from {db}.region where level in ('VILLAGE', 'COMMUNITY')`)} as places,
            ${q('select count(*) from {db}.unit')} as units,
            ${q('select count(*) from {db}.cadre')} as cadres,
            ${q('select count(*) from {db}.user_account')} as accounts,
            ${q('select count(*) from {db}.household')} as households,
            ${q('select count(*) from {db}.resident')} as residents,
            ${q('select count(*) from {db}.petition_case')} as petition_cases,
            ${q('select count(*) from {db}.assignment')} as assignments,
            ${q('select count(*) from {db}.assignment where ended_at is null')} as active_assignments,
            ${q('select count(*) from {db}.help_record')} as help_records,
            ${q('select count(*) from {db}.demand')} as demands,
            ${q(`select count(*) from {db}.demand where status in ('OPEN', 'IN_PROGRESS', 'REFERRED', 'ESCALATED')`)} as open_demands`,
  );
  const row = rows[0]!;
  return {
    regions: Number(row.regions),
    villagesAndCommunities: Number(row.places),
    units: Number(row.units),
    cadres: Number(row.cadres),
    accounts: Number(row.accounts),
    households: Number(row.households),
    residents: Number(row.residents),
    petitionCases: Number(row.petition_cases),
    assignments: Number(row.assignments),
    activeAssignments: Number(row.active_assignments),
    helpRecords: Number(row.help_records),
    demands: Number(row.demands),
    openDemands: Number(row.open_demands),
  };
}

// --- schema ---------------------------------------------------------------------------------------------

const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');
export const SERVER_CLI = path.join(REPOSITORY_ROOT, 'server', 'dist', 'cli.js');
export const SERVER_MAIN = path.join(REPOSITORY_ROOT, 'server', 'dist', 'main.js');

/** Builds the workspace when the server has never been built; the benchmark measures the built server. */
export async function ensureServerBuilt(log: (line: string) => void = console.log): Promise<void> {
  if (fs.existsSync(SERVER_CLI) && fs.existsSync(SERVER_MAIN)) return;
  log('server/dist is missing: running `pnpm build` at the repository root');
  await run('pnpm', ['build'], {}, 'pnpm build');
}

/** The schema comes from the server's own migrations, so the benchmark's tables are production's. */
async function migrate(target: MysqlTarget): Promise<void> {
  await ensureServerBuilt();
  await run(process.execPath, [SERVER_CLI, 'migrate'], { DATABASE_URL: target.url, LOG_LEVEL: 'warn' }, 'server migrations');
}

function run(command: string, args: string[], environment: Record<string, string>, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: REPOSITORY_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${what} failed (exit ${code}):\n${output}`))));
  });
}
if (require.main === module) {
  const households = Number(process.env.BENCH_HOUSEHOLDS || DEFAULT_HOUSEHOLDS);
  ensureCityData({ households, rebuild: process.argv.includes('--rebuild') })
    .then((result) => {
      console.log(`${result.reused ? 'reused' : 'built'} ${result.database.database} in ${result.seconds.toFixed(1)} s`);
      console.log(result.counts);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
