import 'reflect-metadata';
import { createHash } from 'node:crypto';
import mysql, { type Connection, type ConnectionOptions, type RowDataPacket } from 'mysql2/promise';
import {
  AssignmentKind,
  CadreRank,
  DemandCategory,
  DemandStatus,
  Gender,
  HardshipReason,
  HelpKind,
  HouseholdStatus,
  KeyFocusReason,
  PetitionCaseStatus,
  RegionLevel,
  ResidentRelation,
  Role,
  UnitKind,
  UnitLevel,
  idNumberCheckCharacter,
} from '@wanjia/shared';
import { mysqlFlavorOf, type DatabaseConfig } from '../../config';
import { BENXI, BENXI_COUNTIES, CONTACT_POINT_KINDS } from '../demo/benxi-geography';
import { DEMAND_TEXTS, PETITION_TITLES } from '../demo/demo-texts';
import { createOrm, prepareSchema } from '../../db/orm';
import { rebuildAnalyticsSummaries } from '../../modules/help-records/help-record-summary.service';
import {
  CORRECTED_SHARE,
  DATA_SET_TODAY,
  DEFAULT_CITY_SEED,
  TRANSFERRED_SHARE,
  VISITS_PER_ROUND_ONE_HOUSEHOLD,
  VISITS_PER_ROUND_TWO_HOUSEHOLD,
  cityPlan,
  type CityPlan,
  type HouseholdProfile,
  type RoundPlan,
} from './city-plan';
import { CITY_UNITS, COMMUNITY_STEMS, COUNTY_BUREAUS, GIVEN, HELP_SUMMARIES_BY_KIND, NAME_PREFIXES, SURNAMES, VILLAGE_STEMS } from './city-names';
import { Random, apportion } from './random';
import { Sink, TableWriter } from './sink';

/**
 * The city-scale data set (issue 6): Benxi at the article's size, written straight into MySQL with
 * multi-row INSERTs from a seeded PRNG (the approach of tests/bench/city-data.ts). The ORM's unit of
 * work would need far too long and too much memory for a million help records; the schema still comes
 * from the server's own migrations (`prepareSchema`), so the tables are production's.
 *
 * Every id is assigned here, so that the rows do not depend on which connection inserts first: the
 * same seed and scale give the same rows, byte for byte (`cityChecksum`).
 *
 * Interrupted runs are rebuilt, not resumed: a run first writes a "started" marker, and a database
 * that holds a marker but no "finished" one is dropped and generated again from the start.
 */

/** Bump when the generated rows change, so that a database from an older generator is rebuilt. */
export const CITY_GENERATOR_VERSION = 1;
export const CITY_MARKER_OPERATION = 'generateCity';

/** The generator will not write here (foreign data, or a bad target): the message says why and what to do. */
export class CityRefusal extends Error {
  override name = 'CityRefusal';
}

export const CITY_STAGES = ['schema', 'regions and units', 'cadres', 'households', 'leaders and accounts', 'analytics summaries', 'statistics'] as const;
export type CityStage = (typeof CITY_STAGES)[number];

export interface CityProgress {
  stage: CityStage;
  done: number;
  total: number;
}

export interface GenerateCityOptions {
  /** mysql://… or mariadb://…, naming the database to fill (created when missing). */
  databaseUrl: string;
  /** 1 for the full city (the default); smaller for tests. */
  scale?: number;
  seed?: number;
  onProgress?: (progress: CityProgress) => void;
  log?: (line: string) => void;
  /** Connections inserting in parallel; 2 suits a 2-core machine. */
  parallel?: number;
}

export interface CityCounts {
  regions: number;
  villages: number;
  communities: number;
  units: number;
  unitPairingsRoundOne: number;
  unitPairingsRoundTwo: number;
  placesPairedRoundOne: number;
  cadres: number;
  accounts: number;
  households: number;
  residents: number;
  petitionCases: number;
  assignments: number;
  activeAssignments: number;
  helpRecords: number;
  supersededHelpRecords: number;
  demands: number;
  openDemands: number;
  overdueDemands: number;
  contactPoints: number;
}

/** What the database says for a round, by the same definitions as the plan's `RoundPlan`. */
export interface RoundFigures extends Omit<RoundPlan, 'name' | 'startsOn' | 'endsOn' | 'fundsAndMaterialsFen' | 'problemsSolved'> {
  fundsAndMaterialsFen: number;
  problemsSolved: number;
  /** Latest help-record versions in the round. */
  helpRecords: number;
}

export interface CityResult {
  database: string;
  /** True when the database already held this city: nothing was written. */
  reused: boolean;
  /** True when an interrupted or different generated city was dropped first. */
  rebuilt: boolean;
  seconds: number;
  stageSeconds: Partial<Record<CityStage, number>>;
  plan: CityPlan;
  counts: CityCounts;
  figures: { roundOne: RoundFigures; roundTwo: RoundFigures };
}

// --- the database: where, what it holds -----------------------------------------------------------------

interface Target {
  url: string;
  database: string;
  connection: ConnectionOptions;
}

export function cityTarget(databaseUrl: string): Target {
  let parsed: URL;
  try {
    parsed = new URL(databaseUrl);
  } catch {
    throw new CityRefusal(`DATABASE_URL: not a URL: ${databaseUrl}`);
  }
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw new CityRefusal(
      'DATABASE_URL: the city-scale data set is generated into MySQL or MariaDB only (mysql://… or mariadb://…); the embedded SQLite database holds the demo data set (`seed` without --scale)',
    );
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]{1,64}$/.test(database)) throw new CityRefusal(`DATABASE_URL: name the database to fill (letters, digits, _), got "${database}"`);
  return {
    url: databaseUrl,
    database,
    connection: {
      host: parsed.hostname,
      port: Number(parsed.port || 3306),
      user: decodeURIComponent(parsed.username || 'root'),
      password: decodeURIComponent(parsed.password),
      charset: 'utf8mb4',
      timezone: 'Z',
    },
  };
}

interface Marker {
  generator: number;
  seed: number;
  scale: number;
  state: 'started' | 'finished';
}

type DatabaseState =
  | { kind: 'missing' | 'empty' }
  | { kind: 'finished'; marker: Marker; foreignAuditEntries: number }
  | { kind: 'generated'; marker: Marker; foreignAuditEntries: number }
  | { kind: 'foreign'; reason: string };

/** Tables whose rows mean somebody put data here. */
const DATA_TABLES = ['region', 'round', 'unit', 'cadre', 'household', 'user_account', 'contact_point_kind', 'audit_entry'];

async function inspect(admin: Connection, database: string): Promise<DatabaseState> {
  const [schemas] = await admin.query<RowDataPacket[]>('select 1 from information_schema.schemata where schema_name = ?', [database]);
  if (schemas.length === 0) return { kind: 'missing' };
  const [tables] = await admin.query<RowDataPacket[]>('select table_name as name from information_schema.tables where table_schema = ?', [database]);
  const names = new Set(tables.map((row) => String(row.name)));
  if (names.size === 0) return { kind: 'empty' };
  if (!names.has('audit_entry')) return { kind: 'foreign', reason: `it holds tables (${[...names].slice(0, 5).join(', ')}…) that are not Wanjia's` };
  const [markers] = await admin.query<RowDataPacket[]>(`select changes from \`${database}\`.audit_entry where operation = ? order by id`, [
    CITY_MARKER_OPERATION,
  ]);
  if (markers.length > 0) {
    const parsed = markers.map((row) => JSON.parse(String(row.changes)) as Marker);
    const [foreign] = await admin.query<RowDataPacket[]>(`select count(*) as n from \`${database}\`.audit_entry where operation <> ?`, [CITY_MARKER_OPERATION]);
    const foreignAuditEntries = Number(foreign[0]!.n);
    const finished = parsed.find((marker) => marker.state === 'finished');
    return finished ? { kind: 'finished', marker: finished, foreignAuditEntries } : { kind: 'generated', marker: parsed[0]!, foreignAuditEntries };
  }
  for (const table of DATA_TABLES) {
    if (!names.has(table)) continue;
    const [rows] = await admin.query<RowDataPacket[]>(`select exists(select 1 from \`${database}\`.\`${table}\`) as filled`);
    if (Number(rows[0]!.filled) === 1) return { kind: 'foreign', reason: `its ${table} table holds rows that the city generator did not write` };
  }
  return { kind: 'empty' };
}

/**
 * Fills the database with the city at `scale`: idempotent (a finished city with the same seed and
 * scale is left as it is and reported), and never touches a database holding anything else.
 */
export async function generateCity(options: GenerateCityOptions): Promise<CityResult> {
  const started = Date.now();
  const target = cityTarget(options.databaseUrl);
  const plan = cityPlan(options.scale ?? 1, options.seed ?? DEFAULT_CITY_SEED);
  const log = options.log ?? (() => undefined);
  const marker: Marker = { generator: CITY_GENERATOR_VERSION, seed: plan.seed, scale: plan.scale, state: 'started' };
  const stageSeconds: Partial<Record<CityStage, number>> = {};
  let rebuilt = false;

  const admin = await mysql.createConnection(target.connection);
  try {
    const state = await inspect(admin, target.database);
    if (state.kind === 'foreign')
      throw new CityRefusal(`refusing to generate the city into ${target.database}: ${state.reason}; choose an empty or new database`);
    if (state.kind === 'finished' && sameCity(state.marker, marker)) {
      log(`city: ${target.database} already holds this city (seed ${plan.seed}, scale ${plan.scale}); nothing to do`);
      return {
        ...(await measure(admin, target.database)),
        database: target.database,
        reused: true,
        rebuilt,
        seconds: secondsSince(started),
        stageSeconds,
        plan,
      };
    }
    if (state.kind === 'finished' || state.kind === 'generated') {
      if (state.foreignAuditEntries > 0) {
        throw new CityRefusal(
          `refusing to rebuild ${target.database}: it holds a generated city (seed ${state.marker.seed}, scale ${state.marker.scale}) and ${state.foreignAuditEntries} audit entries written since; drop it yourself if it may go`,
        );
      }
      log(
        state.kind === 'finished'
          ? `city: ${target.database} holds another generated city (seed ${state.marker.seed}, scale ${state.marker.scale}); rebuilding`
          : `city: ${target.database} holds an interrupted generation; rebuilding from the start`,
      );
      await admin.query(`drop database \`${target.database}\``);
      rebuilt = true;
    }
    if (state.kind === 'missing' || rebuilt) await admin.query(`create database \`${target.database}\` character set utf8mb4`);
  } finally {
    await admin.end();
  }

  const stage = async (name: CityStage, work: () => Promise<void>) => {
    const at = Date.now();
    options.onProgress?.({ stage: name, done: 0, total: 1 });
    await work();
    stageSeconds[name] = secondsSince(at);
    log(`city: ${name} in ${stageSeconds[name]!.toFixed(1)} s`);
  };

  await stage('schema', async () => {
    const database: DatabaseConfig = { kind: 'mysql', flavor: mysqlFlavorOf(target.url), url: target.url, poolMax: 2 };
    const orm = await createOrm({ database });
    try {
      await prepareSchema(orm, database);
    } finally {
      await orm.close(true);
    }
  });

  const connection = { ...target.connection, database: target.database };
  const markerConnection = await mysql.createConnection(connection);
  try {
    await writeMarker(markerConnection, marker);
    const generator = new CityGenerator(plan, options.onProgress ?? (() => undefined));
    const sink = await Sink.open(connection, options.parallel ?? 2);
    try {
      await stage('regions and units', async () => generator.regionsAndUnits(sink));
      await stage('cadres', async () => generator.cadres(sink));
      await stage('households', async () => generator.households(sink));
      await stage('leaders and accounts', async () => {
        generator.leadersAndAccounts(sink);
        await sink.drain();
      });
    } finally {
      await sink.close();
    }
    await stage('analytics summaries', async () => {
      // The rows went in around the help-record service, so the analysts' monthly summary is built from them here.
      const database: DatabaseConfig = { kind: 'mysql', flavor: mysqlFlavorOf(target.url), url: target.url, poolMax: 2 };
      const orm = await createOrm({ database });
      try {
        await rebuildAnalyticsSummaries(orm.em.fork());
      } finally {
        await orm.close(true);
      }
    });
    await stage('statistics', async () => {
      // Fresh statistics, so that the first analytics queries are planned on the real sizes.
      await markerConnection.query(
        'analyze table region, unit, unit_pairing, cadre, user_account, household, resident, petition_case, assignment, help_record, help_record_monthly, demand, contact_point',
      );
    });
    await writeMarker(markerConnection, { ...marker, state: 'finished' });
    const measured = await measure(markerConnection, target.database);
    return { ...measured, database: target.database, reused: false, rebuilt, seconds: secondsSince(started), stageSeconds, plan };
  } finally {
    await markerConnection.end();
  }
}

function sameCity(a: Marker, b: Marker): boolean {
  return a.generator === b.generator && a.seed === b.seed && a.scale === b.scale;
}

async function writeMarker(connection: Connection, marker: Marker): Promise<void> {
  await connection.query(
    `insert into audit_entry (actor_id, at, operation, entity_name, entity_id, changes) values (NULL, utc_timestamp(3), ?, 'Database', 'city', ?)`,
    [CITY_MARKER_OPERATION, JSON.stringify(marker)],
  );
}

function secondsSince(start: number): number {
  return Math.round((Date.now() - start) / 100) / 10;
}

// --- measuring what is there -------------------------------------------------------------------------------

async function measure(connection: Connection, database: string): Promise<Pick<CityResult, 'counts' | 'figures'>> {
  const db = `\`${database}\``;
  const [rows] = await connection.query<RowDataPacket[]>(
    `select (select count(*) from ${db}.region) as regions,
            (select count(*) from ${db}.region where level = 'VILLAGE') as villages,
            (select count(*) from ${db}.region where level = 'COMMUNITY') as communities,
            (select count(*) from ${db}.unit) as units,
            (select count(*) from ${db}.unit_pairing where round_id = 1) as pairings_one,
            (select count(*) from ${db}.unit_pairing where round_id = 2) as pairings_two,
            (select count(distinct region_id) from ${db}.unit_pairing where round_id = 1) as places_paired_one,
            (select count(*) from ${db}.cadre) as cadres,
            (select count(*) from ${db}.user_account) as accounts,
            (select count(*) from ${db}.household) as households,
            (select count(*) from ${db}.resident) as residents,
            (select count(*) from ${db}.petition_case) as petition_cases,
            (select count(*) from ${db}.assignment) as assignments,
            (select count(*) from ${db}.assignment where ended_at is null) as active_assignments,
            (select count(*) from ${db}.help_record) as help_records,
            (select count(*) from ${db}.help_record where is_latest = 0) as superseded,
            (select count(*) from ${db}.demand) as demands,
            (select count(*) from ${db}.demand where status in ('OPEN', 'IN_PROGRESS', 'ESCALATED')) as open_demands,
            (select count(*) from ${db}.demand where status in ('OPEN', 'IN_PROGRESS', 'ESCALATED') and due_on < ?) as overdue_demands,
            (select count(*) from ${db}.contact_point) as contact_points`,
    [DATA_SET_TODAY.slice(0, 10)],
  );
  const row = rows[0]!;
  const counts: CityCounts = {
    regions: Number(row.regions),
    villages: Number(row.villages),
    communities: Number(row.communities),
    units: Number(row.units),
    unitPairingsRoundOne: Number(row.pairings_one),
    unitPairingsRoundTwo: Number(row.pairings_two),
    placesPairedRoundOne: Number(row.places_paired_one),
    cadres: Number(row.cadres),
    accounts: Number(row.accounts),
    households: Number(row.households),
    residents: Number(row.residents),
    petitionCases: Number(row.petition_cases),
    assignments: Number(row.assignments),
    activeAssignments: Number(row.active_assignments),
    helpRecords: Number(row.help_records),
    supersededHelpRecords: Number(row.superseded),
    demands: Number(row.demands),
    openDemands: Number(row.open_demands),
    overdueDemands: Number(row.overdue_demands),
    contactPoints: Number(row.contact_points),
  };
  return { counts, figures: { roundOne: await roundFigures(connection, db, 1), roundTwo: await roundFigures(connection, db, 2) } };
}

async function roundFigures(connection: Connection, db: string, roundId: number): Promise<RoundFigures> {
  const helped = `(select distinct household_id from ${db}.assignment where round_id = ${roundId})`;
  const [rows] = await connection.query<RowDataPacket[]>(
    `select (select count(distinct cadre_id) from ${db}.assignment where round_id = ${roundId}) as cadres,
            (select count(*) from ${db}.household where id in ${helped}) as households,
            (select count(*) from ${db}.household where is_hardship = 1 and id in ${helped}) as hardship,
            (select count(*) from ${db}.household where is_key_focus = 1 and id in ${helped}) as key_focus,
            (select count(*) from ${db}.resident where key_focus_reason is not null and household_id in ${helped}) as key_focus_persons,
            (select count(*) from ${db}.household where is_petitioner = 1 and id in ${helped}) as petitioner,
            (select count(*) from ${db}.petition_case where major_backlog = 1 and household_id in ${helped}) as major_cases`,
  );
  // One pass over the round's latest versions for the three help-record figures.
  const [help] = await connection.query<RowDataPacket[]>(
    `select coalesce(sum(funds_fen + materials_fen), 0) as funds, coalesce(sum(problems_solved), 0) as problems, count(*) as records
       from ${db}.help_record where round_id = ${roundId} and is_latest = 1`,
  );
  const row = rows[0]!;
  return {
    cadres: Number(row.cadres),
    households: Number(row.households),
    hardshipHouseholds: Number(row.hardship),
    keyFocusHouseholds: Number(row.key_focus),
    keyFocusPersons: Number(row.key_focus_persons),
    petitionerHouseholds: Number(row.petitioner),
    majorBacklogCases: Number(row.major_cases),
    fundsAndMaterialsFen: Number(help[0]!.funds),
    problemsSolved: Number(help[0]!.problems),
    helpRecords: Number(help[0]!.records),
  };
}

/** The generated tables' contents (CHECKSUM TABLE), for telling whether two runs wrote the same rows. */
export const CITY_TABLES = [
  'round',
  'region',
  'unit',
  'unit_pairing',
  'cadre',
  'user_account',
  'household',
  'resident',
  'petition_case',
  'assignment',
  'help_record',
  'demand',
  'contact_point_kind',
  'contact_point',
] as const;

export async function cityChecksum(databaseUrl: string): Promise<Record<string, string>> {
  const target = cityTarget(databaseUrl);
  const connection = await mysql.createConnection({ ...target.connection, database: target.database });
  try {
    const [rows] = await connection.query<RowDataPacket[]>(`checksum table ${CITY_TABLES.map((table) => `\`${table}\``).join(', ')}`);
    return Object.fromEntries(rows.map((row) => [String(row.Table).split('.').pop()!, String(row.Checksum)]));
  } finally {
    await connection.end();
  }
}

// --- generating -----------------------------------------------------------------------------------------------

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const SHANGHAI_OFFSET_MS = 8 * HOUR_MS;
const TODAY = Date.parse(DATA_SET_TODAY);
/** Visits by month (Shanghai): busiest around the Spring Festival and before winter (送温暖), quiet in summer. */
const MONTH_WEIGHT = [1.5, 1.35, 1.0, 0.9, 0.9, 0.8, 0.7, 0.75, 1.0, 1.0, 1.1, 1.3];
/** Visits by weekday (Sunday first): cadres visit on working days, fewer at weekends. */
const WEEKDAY_WEIGHT = [0.25, 1, 1, 1, 1, 1, 0.4];
const MAX_DAY_WEIGHT = Math.max(...MONTH_WEIGHT) * Math.max(...WEEKDAY_WEIGHT);

/** A UTC instant as MySQL datetime(3) text. */
function at(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** The Asia/Shanghai calendar day of an instant. */
function shanghaiDay(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

const utcMs = (day: string, time = '00:00:00') => Date.parse(`${day}T${time}Z`);

interface Region {
  id: number;
  code: string;
  name: string;
  level: RegionLevel;
  path: string;
}

interface Place extends Region {
  township: Region;
  countyIndex: number;
  latitude: number;
  longitude: number;
}

type TownshipRow = Region & { countyIndex: number };

interface UnitRow {
  id: number;
  name: string;
  kind: UnitKind;
  level: UnitLevel;
  regionId: number;
  countyIndex: number | null;
}

interface Visit {
  at: number;
  assignmentId: number;
  cadreId: number;
  roundId: number;
  fundsFen: number;
  materialsFen: number;
  problemsSolved: number;
}

class CityGenerator {
  private readonly random: Random;
  private readonly createdAt = at(utcMs('2008-07-01', '01:00:00'));
  private readonly roundOneStart = utcMs('2008-08-01', '01:00:00');
  private readonly roundOneEnd = utcMs('2011-07-31', '10:00:00');
  private readonly roundTwoStart = utcMs('2011-05-01', '01:00:00');

  private counties: (Region & { short: string })[] = [];
  private townships: TownshipRow[] = [];
  private places: Place[] = [];
  private units: UnitRow[] = [];
  /** The place each unit is paired with, per round (index into places). */
  private pairedPlace: [number[], number[]] = [[], []];

  // Households, decided up front so that quotas come out exactly (index = household id - 1).
  private profileOf: HouseholdProfile[] = [];
  private placeOf: Int32Array = new Int32Array(0);
  private cadreOf: [Int32Array, Int32Array] = [new Int32Array(0), new Int32Array(0)];
  private fundsYuanOf: Float64Array = new Float64Array(0);
  private problemsOf: Int32Array = new Int32Array(0);
  private petitionCaseIdOf = new Map<number, number>();
  private majorLeaderOf = new Map<number, number>();

  private cadreCount = 0;
  private cadreUnit: Int32Array = new Int32Array(0);
  private inRoundTwo: Uint8Array = new Uint8Array(0);
  private cityLeaders: number[] = [];
  private countyLeaders: number[][] = [];
  private readonly usedIdNumbers = new Set<string>();

  constructor(
    private readonly plan: CityPlan,
    private readonly onProgress: (progress: CityProgress) => void,
  ) {
    this.random = new Random(plan.seed);
  }

  // --- regions, units and pairings ---------------------------------------------------------------------------

  regionsAndUnits(sink: Sink): void {
    const random = this.random;
    const createdAt = this.createdAt;
    const rounds = new TableWriter(sink, 'round', ['id', 'name', 'starts_on', 'ends_on', 'created_at']);
    rounds.add(1, this.plan.roundOne.name, this.plan.roundOne.startsOn, this.plan.roundOne.endsOn, createdAt);
    rounds.add(2, this.plan.roundTwo.name, this.plan.roundTwo.startsOn, this.plan.roundTwo.endsOn, createdAt);
    rounds.flush();

    const regions = new TableWriter(sink, 'region', ['id', 'code', 'name', 'level', 'parent_id', 'path', 'depth', 'created_at', 'updated_at']);
    let regionId = 0;
    const city: Region = { id: ++regionId, code: BENXI.code, name: BENXI.name, level: RegionLevel.CITY, path: `${BENXI.code}/` };
    regions.add(city.id, city.code, city.name, city.level, null, city.path, 0, createdAt, createdAt);
    BENXI_COUNTIES.forEach((seed, countyIndex) => {
      const code = `${seed.code}000000`;
      const county = { id: ++regionId, code, name: seed.name, level: seed.level, path: `${city.path}${code}/`, short: seed.name.replace('满族自治县', '县') };
      this.counties.push(county);
      regions.add(county.id, code, county.name, county.level, city.id, county.path, 1, createdAt, createdAt);
      for (const townshipSeed of seed.townships) {
        const townshipCode = `${seed.code}${townshipSeed.code}000`;
        const township = {
          id: ++regionId,
          code: townshipCode,
          name: townshipSeed.name,
          level: townshipSeed.level,
          path: `${county.path}${townshipCode}/`,
          countyIndex,
        };
        this.townships.push(township);
        regions.add(township.id, townshipCode, township.name, township.level, county.id, township.path, 2, createdAt, createdAt);
      }
    });

    // Villages lie in towns; communities in streets, and a few in each town's seat (two per street for one per town).
    const towns = this.townships.filter((township) => township.level === RegionLevel.TOWNSHIP);
    const streets = this.townships.filter((township) => township.level === RegionLevel.STREET);
    const communityHosts = [...streets, ...streets, ...towns];
    const ordinals = new Map<number, { communities: number; villages: number }>();
    const addPlace = (township: TownshipRow, level: RegionLevel.VILLAGE | RegionLevel.COMMUNITY) => {
      const count = ordinals.get(township.id) ?? { communities: 0, villages: 0 };
      ordinals.set(township.id, count);
      const ordinal = level === RegionLevel.COMMUNITY ? count.communities++ : count.villages++;
      const stems = level === RegionLevel.COMMUNITY ? COMMUNITY_STEMS : VILLAGE_STEMS;
      // Unique within the township: the prefix changes each time the stems run out.
      const name = `${NAME_PREFIXES[Math.floor(ordinal / stems.length) % NAME_PREFIXES.length]}${stems[(ordinal + township.id * 3) % stems.length]}${level === RegionLevel.COMMUNITY ? '社区' : '村'}`;
      // GB/T 2260 style: communities (居委会) 001–199, villages (村委会) 200–399 under the township's nine digits.
      const code = `${township.code.slice(0, 9)}${String((level === RegionLevel.COMMUNITY ? 1 : 200) + ordinal).padStart(3, '0')}`;
      const place: Place = {
        id: ++regionId,
        code,
        name,
        level,
        path: `${township.path}${code}/`,
        township,
        countyIndex: township.countyIndex,
        // Around Benxi's centre (41.29°N, 123.77°E); the rural counties lie to the east.
        latitude: 41.29 + (random.next() - 0.5) * 0.7,
        longitude: 123.77 + (township.countyIndex >= 4 ? 0.4 : 0) + (random.next() - 0.5) * 0.6,
      };
      this.places.push(place);
      regions.add(place.id, code, name, level, township.id, place.path, 3, createdAt, createdAt);
    };
    for (let k = 0; k < this.plan.communities; k += 1) addPlace(communityHosts[k % communityHosts.length]!, RegionLevel.COMMUNITY);
    for (let k = 0; k < this.plan.villages; k += 1) addPlace(towns[k % towns.length]!, RegionLevel.VILLAGE);
    regions.flush();

    // Units: city agencies, enterprises and institutions; each district's and county's bureaus; township
    // governments; then schools, hospitals and enterprise branches until the plan's number is reached.
    const seeds: Omit<UnitRow, 'id'>[] = [];
    for (const [name, kind] of CITY_UNITS) seeds.push({ name, kind, level: UnitLevel.CITY, regionId: city.id, countyIndex: null });
    for (const bureau of COUNTY_BUREAUS) {
      this.counties.forEach((county, countyIndex) =>
        seeds.push({ name: `${county.short}${bureau}`, kind: UnitKind.AGENCY, level: UnitLevel.COUNTY, regionId: county.id, countyIndex }),
      );
    }
    for (const township of this.townships) {
      seeds.push({
        name: `${township.name}${township.level === RegionLevel.STREET ? '办事处' : '人民政府'}`,
        kind: UnitKind.AGENCY,
        level: UnitLevel.TOWNSHIP,
        regionId: township.id,
        countyIndex: township.countyIndex,
      });
    }
    for (let n = 2; seeds.length < this.plan.units; n += 1) {
      const countyIndex = n % this.counties.length;
      const county = this.counties[countyIndex]!;
      seeds.push({ name: `本溪市第${n}中学`, kind: UnitKind.PUBLIC_INSTITUTION, level: UnitLevel.CITY, regionId: city.id, countyIndex: null });
      seeds.push({ name: `${county.short}第${n}小学`, kind: UnitKind.PUBLIC_INSTITUTION, level: UnitLevel.COUNTY, regionId: county.id, countyIndex });
      seeds.push({ name: `本钢集团第${n}分公司`, kind: UnitKind.STATE_ENTERPRISE, level: UnitLevel.CITY, regionId: city.id, countyIndex: null });
      seeds.push({ name: `${county.short}第${n}卫生院`, kind: UnitKind.PUBLIC_INSTITUTION, level: UnitLevel.COUNTY, regionId: county.id, countyIndex });
    }
    this.units = seeds.slice(0, this.plan.units).map((seed, index) => ({ ...seed, id: index + 1 }));
    const units = new TableWriter(sink, 'unit', ['id', 'name', 'kind', 'level', 'region_id', 'created_at']);
    for (const unit of this.units) units.add(unit.id, unit.name, unit.kind, unit.level, unit.regionId, createdAt);
    units.flush();

    // Pairings: in round one unit u takes place u mod P, so the first P units cover every place and the
    // rest double up; round two shifts the pairing by a third of the city.
    const placeCount = this.places.length;
    const shift = Math.floor(placeCount / 3) + 1;
    const pairings = new TableWriter(sink, 'unit_pairing', ['id', 'unit_id', 'region_id', 'round_id', 'started_on', 'ended_on', 'end_reason']);
    let pairingId = 0;
    this.units.forEach((unit, index) => {
      const first = index % placeCount;
      const second = (index + shift) % placeCount;
      this.pairedPlace[0].push(first);
      this.pairedPlace[1].push(second);
      pairings.add(++pairingId, unit.id, this.places[first]!.id, 1, this.plan.roundOne.startsOn, this.plan.roundOne.endsOn, '本轮结束');
      pairings.add(++pairingId, unit.id, this.places[second]!.id, 2, this.plan.roundTwo.startsOn, null, null);
    });
    pairings.flush();
  }

  // --- cadres: each round's pool per unit sized to the households of its paired place -------------------------

  async cadres(sink: Sink): Promise<void> {
    const random = this.random;
    const placeCount = this.places.length;
    // Households: the profiles' counts, shuffled over the city; household i lives in place i mod P.
    for (const entry of this.plan.profiles) for (let k = 0; k < entry.households; k += 1) this.profileOf.push(entry);
    random.shuffle(this.profileOf);
    const householdCount = this.profileOf.length;
    this.placeOf = Int32Array.from({ length: householdCount }, (_, index) => index % placeCount);

    // Each round's cadres are shared out over places in proportion to the households helped there (at least
    // one per place with households, never more than its households, so that every cadre gets one).
    const roundPlans = [this.plan.roundOne, this.plan.roundTwo] as const;
    const helpedIn = (round: 0 | 1, index: number) => (round === 0 ? this.profileOf[index]!.roundOne : this.profileOf[index]!.roundTwo);
    const unitPool: [Int32Array, Int32Array] = [new Int32Array(this.units.length), new Int32Array(this.units.length)];
    const householdsByPlace: [number[][], number[][]] = [[], []];
    for (const round of [0, 1] as const) {
      const byPlace: number[][] = Array.from({ length: placeCount }, () => []);
      for (let index = 0; index < householdCount; index += 1) if (helpedIn(round, index)) byPlace[this.placeOf[index]!]!.push(index);
      householdsByPlace[round] = byPlace;
      const placePool = boundedApportion(
        roundPlans[round].cadres,
        byPlace.map((list) => list.length),
      );
      const unitsOfPlace: number[][] = Array.from({ length: placeCount }, () => []);
      this.pairedPlace[round].forEach((place, unitIndex) => unitsOfPlace[place]!.push(unitIndex));
      unitsOfPlace.forEach((unitIndexes, place) => {
        const shares = apportion(
          placePool[place]!,
          unitIndexes.map(() => 1),
        );
        unitIndexes.forEach((unitIndex, k) => (unitPool[round][unitIndex] = shares[k]!));
      });
    }

    // A unit's cadres: round one's pool first, round two's last, overlapping (most cadres served in both);
    // the first few served in round one only (retired or moved: inactive), and one to three at the end had
    // no household (new staff).
    const cadreIdsOf: { roundOne: number[]; roundTwo: number[] }[] = [];
    const unitOfCadre: number[] = [];
    const activeOfCadre: boolean[] = [];
    const inRoundTwo: boolean[] = [];
    let cadreId = 0;
    this.units.forEach((unit, unitIndex) => {
      const spare = 1 + (unitIndex % 3);
      const one = unitPool[0][unitIndex]!;
      const two = unitPool[1][unitIndex]!;
      const size = Math.max(one, two) + spare;
      const ids = { roundOne: [] as number[], roundTwo: [] as number[] };
      for (let k = 0; k < size; k += 1) {
        const id = ++cadreId;
        const servesTwo = k >= size - spare - two && k < size - spare;
        unitOfCadre[id] = unit.id;
        inRoundTwo[id] = servesTwo;
        activeOfCadre[id] = servesTwo || k >= size - spare;
        if (k < one) ids.roundOne.push(id);
        if (servesTwo) ids.roundTwo.push(id);
      }
      cadreIdsOf.push(ids);
    });

    // Leaders: city-level leaders in the first city agencies, district and county leaders in each area's bureaus.
    const leaderRows: { id: number; unitId: number; post: string }[] = [];
    const cityUnits = this.units.filter((unit) => unit.level === UnitLevel.CITY);
    for (let k = 0; k < this.plan.cityLeaders; k += 1) {
      const id = ++cadreId;
      this.cityLeaders.push(id);
      leaderRows.push({ id, unitId: cityUnits[k % cityUnits.length]!.id, post: '市级领导' });
    }
    this.counties.forEach((county, countyIndex) => {
      const local = this.units.filter((unit) => unit.countyIndex === countyIndex && unit.level === UnitLevel.COUNTY);
      const leaders: number[] = [];
      for (let k = 0; k < this.plan.countyLeadersPerCounty; k += 1) {
        const id = ++cadreId;
        leaders.push(id);
        leaderRows.push({ id, unitId: (local[k % Math.max(1, local.length)] ?? cityUnits[0]!).id, post: `${county.short}领导` });
      }
      this.countyLeaders.push(leaders);
    });
    this.cadreCount = cadreId;
    this.cadreUnit = Int32Array.from({ length: cadreId + 1 }, (_, id) => unitOfCadre[id] ?? 0);
    this.inRoundTwo = Uint8Array.from({ length: cadreId + 1 }, (_, id) => (inRoundTwo[id] ? 1 : 0));

    const cadres = new TableWriter(sink, 'cadre', [
      'id',
      'name',
      'unit_id',
      'post',
      'rank',
      'party_member',
      'phone',
      'active',
      'household_capacity',
      'created_at',
      'updated_at',
    ]);
    const leaderById = new Map(leaderRows.map((row) => [row.id, row]));
    for (let id = 1; id <= cadreId; id += 1) {
      const leader = leaderById.get(id);
      const createdAt = this.createdAt;
      if (leader) {
        cadres.add(id, personName(random), leader.unitId, leader.post, CadreRank.BUREAU, true, mobile(random), true, 2, this.createdAt, this.createdAt);
        continue;
      }
      const rank = random.weighted([
        [1, CadreRank.DIVISION],
        [4, CadreRank.SECTION],
        [6, CadreRank.STAFF],
      ] as const);
      const post =
        rank === CadreRank.DIVISION ? random.pick(['副局长', '处长', '副处长']) : rank === CadreRank.SECTION ? random.pick(['科长', '副科长']) : '科员';
      cadres.add(id, personName(random), unitOfCadre[id]!, post, rank, random.chance(0.94), mobile(random), activeOfCadre[id]!, 5, createdAt, createdAt);
      if (id % 5000 === 0) await sink.drain();
    }
    cadres.flush();

    // Which cadre helps which household: a place's households in id order, round-robin over the cadres of
    // the unit(s) paired with the place in that round.
    this.cadreOf = [new Int32Array(householdCount), new Int32Array(householdCount)];
    for (const round of [0, 1] as const) {
      const poolOfPlace: number[][] = Array.from({ length: placeCount }, () => []);
      this.pairedPlace[round].forEach((place, unitIndex) => {
        const ids = round === 0 ? cadreIdsOf[unitIndex]!.roundOne : cadreIdsOf[unitIndex]!.roundTwo;
        poolOfPlace[place]!.push(...ids);
      });
      householdsByPlace[round].forEach((households, place) => {
        const pool = poolOfPlace[place]!;
        households.forEach((index, k) => (this.cadreOf[round][index] = pool[k % pool.length]!));
      });
    }

    // Round one's funds and materials and problems solved, shared out over its households so that the
    // totals are the article's figures exactly.
    const roundOneIndexes: number[] = [];
    for (let index = 0; index < householdCount; index += 1) if (this.profileOf[index]!.roundOne) roundOneIndexes.push(index);
    const funds = apportion(
      this.plan.roundOne.fundsAndMaterialsFen! / 100,
      roundOneIndexes.map(() => 0.3 + random.next() * 1.4),
    );
    const problems = apportion(
      this.plan.roundOne.problemsSolved!,
      roundOneIndexes.map(() => 0.2 + random.next()),
    );
    this.fundsYuanOf = new Float64Array(householdCount);
    this.problemsOf = new Int32Array(householdCount);
    roundOneIndexes.forEach((index, k) => {
      this.fundsYuanOf[index] = funds[k]!;
      this.problemsOf[index] = problems[k]!;
    });

    // Petition cases: one per petitioner household, numbered in household order; the major backlog cases
    // are drawn from the households that come to the campaign in round two, each with a responsible
    // leader (two in three a district or county leader of the case's area, one in three a city leader).
    const candidates: number[] = [];
    let caseId = 0;
    for (let index = 0; index < householdCount; index += 1) {
      const entry = this.profileOf[index]!;
      if (!entry.petitioner) continue;
      this.petitionCaseIdOf.set(index, ++caseId);
      if (!entry.roundOne && entry.roundTwo) candidates.push(index);
    }
    random.shuffle(candidates);
    candidates.slice(0, this.plan.roundTwo.majorBacklogCases).forEach((index, k) => {
      const local = this.countyLeaders[this.places[this.placeOf[index]!]!.countyIndex]!;
      this.majorLeaderOf.set(index, k % 3 === 0 || local.length === 0 ? this.cityLeaders[k % this.cityLeaders.length]! : local[k % local.length]!);
    });
  }

  // --- households with residents, petition cases, assignments, help records and demands ------------------------

  async households(sink: Sink): Promise<void> {
    const random = this.random;
    const writers = {
      household: new TableWriter(sink, 'household', [
        'id',
        'region_id',
        'address',
        'head_name',
        'phone',
        'is_hardship',
        'is_key_focus',
        'is_petitioner',
        'hardship_reasons',
        'status',
        'last_visit_at',
        'version',
        'created_at',
        'updated_at',
      ]),
      resident: new TableWriter(sink, 'resident', [
        'id',
        'household_id',
        'name',
        'relation',
        'gender',
        'birth_date',
        'id_number',
        'key_focus_reason',
        'is_petitioner',
        'created_at',
        'updated_at',
      ]),
      petitionCase: new TableWriter(sink, 'petition_case', [
        'id',
        'household_id',
        'resident_id',
        'title',
        'demand',
        'received_on',
        'major_backlog',
        'responsible_leader_id',
        'status',
        'resolved_at',
        'resolution',
        'created_at',
        'updated_at',
      ]),
      assignment: new TableWriter(sink, 'assignment', [
        'id',
        'cadre_id',
        'household_id',
        'round_id',
        'kind',
        'started_at',
        'ended_at',
        'end_reason',
        'transferred_from_id',
        'created_at',
      ]),
      helpRecord: new TableWriter(
        sink,
        'help_record',
        [
          'id',
          'household_id',
          'cadre_id',
          'assignment_id',
          'round_id',
          'occurred_at',
          'kinds',
          'summary',
          'funds_fen',
          'materials_fen',
          'problems_solved',
          'photo_ids',
          'latitude',
          'longitude',
          'client_id',
          'content_hash',
          'supersedes_id',
          'version_number',
          'is_latest',
          'created_at',
        ],
        2500,
      ),
      demand: new TableWriter(sink, 'demand', [
        'id',
        'household_id',
        'category',
        'text',
        'raised_at',
        'due_on',
        'status',
        'raised_in_id',
        'resolved_by_id',
        'resolved_at',
        'confirmed_at',
        'created_at',
        'updated_at',
      ]),
    };
    const householdCount = this.profileOf.length;
    let residentId = 0;
    let assignmentId = 0;
    let helpRecordId = 0;
    let demandId = 0;
    const roundOneCreated = at(utcMs('2008-07-15', '01:00:00'));
    const roundTwoCreated = at(utcMs('2011-04-15', '01:00:00'));

    for (let index = 0; index < householdCount; index += 1) {
      const householdId = index + 1;
      const entry = this.profileOf[index]!;
      const place = this.places[this.placeOf[index]!]!;
      const createdAt = entry.roundOne ? roundOneCreated : roundTwoCreated;
      const countyCode = place.code.slice(0, 6);

      // Residents: the head first, whose name is the household's.
      const size = random.weighted([
        [3, 1],
        [4, 2],
        [4, 3],
        [2, 4],
        [1, 5],
      ] as const);
      const surname = SURNAMES[random.int(0, SURNAMES.length - 1)]!;
      const headGender = random.chance(0.5) ? Gender.MALE : Gender.FEMALE;
      const headBirthYear = random.int(1940, 1980);
      const headName = surname + givenName(random);
      // The key-focus person and the petitioner are adults: the head, or the spouse when there is one.
      const keyFocusMember = entry.keyFocus ? (size >= 2 && random.chance(0.3) ? 1 : 0) : -1;
      const petitionerMember = entry.petitioner ? (size >= 2 && random.chance(0.2) ? 1 : 0) : -1;
      let petitionerResidentId = 0;
      for (let member = 0; member < size; member += 1) {
        const relation =
          member === 0 ? ResidentRelation.HEAD : member === 1 ? ResidentRelation.SPOUSE : member === 4 ? ResidentRelation.PARENT : ResidentRelation.CHILD;
        const gender =
          member === 0
            ? headGender
            : member === 1
              ? headGender === Gender.MALE
                ? Gender.FEMALE
                : Gender.MALE
              : random.chance(0.5)
                ? Gender.MALE
                : Gender.FEMALE;
        const birthYear =
          member === 0
            ? headBirthYear
            : member === 1
              ? headBirthYear + random.int(-3, 3)
              : member === 4
                ? headBirthYear - random.int(24, 30)
                : Math.min(headBirthYear + random.int(22, 32), 2010);
        const birthDate = `${birthYear}-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}`;
        const name = member === 0 ? headName : member === 1 ? personName(random) : surname + givenName(random);
        // Children born after 2004 had no ID card when the campaign registered them.
        const idNumber = birthYear <= 2004 ? this.idNumber(countyCode, birthDate, gender) : null;
        const keyFocusReason =
          member === keyFocusMember
            ? random.weighted([
                [2, KeyFocusReason.RELEASED_PRISONER],
                [4, KeyFocusReason.UNEMPLOYED],
                [2, KeyFocusReason.GRIEVANCE],
                [2, KeyFocusReason.SUDDEN_MISFORTUNE],
                [1, KeyFocusReason.DISASTER_VICTIM],
              ] as const)
            : null;
        const id = ++residentId;
        if (member === petitionerMember) petitionerResidentId = id;
        writers.resident.add(id, householdId, name, relation, gender, birthDate, idNumber, keyFocusReason, member === petitionerMember, createdAt, createdAt);
      }

      // The petition case: received before round two was launched (积访 are old cases).
      const caseId = this.petitionCaseIdOf.get(index);
      if (caseId !== undefined) {
        const [title, demand] = random.pick(PETITION_TITLES);
        const receivedAt = random.int(utcMs('2003-01-01'), utcMs('2011-04-20'));
        const leader = this.majorLeaderOf.get(index) ?? null;
        const status =
          leader !== null
            ? random.weighted([
                [2, PetitionCaseStatus.IN_PROGRESS],
                [1, PetitionCaseStatus.REGISTERED],
                [3, PetitionCaseStatus.RESOLVED],
                [2, PetitionCaseStatus.CLOSED],
              ] as const)
            : random.weighted([
                [3, PetitionCaseStatus.REGISTERED],
                [4, PetitionCaseStatus.IN_PROGRESS],
                [2, PetitionCaseStatus.RESOLVED],
                [1, PetitionCaseStatus.CLOSED],
              ] as const);
        const settled = status === PetitionCaseStatus.RESOLVED || status === PetitionCaseStatus.CLOSED;
        writers.petitionCase.add(
          caseId,
          householdId,
          petitionerResidentId,
          title!,
          demand!,
          shanghaiDay(receivedAt),
          leader !== null,
          leader,
          status,
          settled ? at(random.int(Math.max(receivedAt, this.roundTwoStart), TODAY)) : null,
          settled ? '经包案领导协调，落实相关政策，当事人息诉罢访' : null,
          createdAt,
          createdAt,
        );
      }

      // Assignments and their visits.
      const kind = entry.keyFocus ? AssignmentKind.ONE_TO_ONE : AssignmentKind.REGULAR;
      const visits: Visit[] = [];
      if (entry.roundOne) {
        const cadreId = this.cadreOf[0][index]!;
        const startedAt = random.int(this.roundOneStart, utcMs('2008-10-31'));
        const id = ++assignmentId;
        writers.assignment.add(id, cadreId, householdId, 1, kind, at(startedAt), at(this.roundOneEnd), '本轮结束', null, at(startedAt));
        const count = random.int(VISITS_PER_ROUND_ONE_HOUSEHOLD[0], VISITS_PER_ROUND_ONE_HOUSEHOLD[1]);
        const times = this.visitTimes(startedAt, this.roundOneEnd, count);
        const added = times.map((time) => ({ at: time, assignmentId: id, cadreId, roundId: 1, fundsFen: 0, materialsFen: 0, problemsSolved: 0 }));
        this.shareRoundOneHelp(added, this.fundsYuanOf[index]!, this.problemsOf[index]!);
        visits.push(...added);
      }
      if (entry.roundTwo) {
        const cadreId = this.cadreOf[1][index]!;
        const startedAt = this.roundTwoStart + random.int(0, 45) * DAY_MS + random.int(0, 8) * HOUR_MS;
        const [low, high] = entry.petitioner
          ? VISITS_PER_ROUND_TWO_HOUSEHOLD.petitioner
          : entry.keyFocus
            ? VISITS_PER_ROUND_TWO_HOUSEHOLD.keyFocus
            : VISITS_PER_ROUND_TWO_HOUSEHOLD.hardship;
        const times = this.visitTimes(startedAt, TODAY, random.int(low, high));
        const firstId = ++assignmentId;
        let transferAt = Infinity;
        let successor = cadreId;
        // A transfer: the cadre was moved to other work and handed the household to a colleague of the same pairing.
        const colleague = this.colleagueOf(cadreId, index);
        if (colleague !== null && random.chance(TRANSFERRED_SHARE)) {
          transferAt = random.int(startedAt + 120 * DAY_MS, TODAY - 200 * DAY_MS);
          successor = colleague;
        }
        if (transferAt === Infinity) {
          writers.assignment.add(firstId, cadreId, householdId, 2, kind, at(startedAt), null, null, null, at(startedAt));
        } else {
          writers.assignment.add(firstId, cadreId, householdId, 2, kind, at(startedAt), at(transferAt), '工作调动', null, at(startedAt));
          const secondId = ++assignmentId;
          writers.assignment.add(secondId, successor, householdId, 2, kind, at(transferAt), null, null, firstId, at(transferAt));
        }
        for (const time of times) {
          const after = time >= transferAt;
          const visit: Visit = {
            at: time,
            assignmentId: after ? firstId + 1 : firstId,
            cadreId: after ? successor : cadreId,
            roundId: 2,
            fundsFen: 0,
            materialsFen: 0,
            problemsSolved: 0,
          };
          // Round two's help is about as generous per visit as round one's (~180 yuan a visit on average).
          if (random.chance(0.12)) visit.fundsFen = random.int(20, 150) * 1000;
          if (random.chance(0.12)) visit.materialsFen = random.int(10, 80) * 1000;
          // About as many problems solved per visit as in round one (45,000 over ~590,000 records).
          if (random.chance(0.06)) visit.problemsSolved = random.int(1, 2);
          visits.push(visit);
        }
      }
      visits.sort((a, b) => a.at - b.at);

      // Help records; now and then a record is corrected later, and the first version stays, superseded.
      const latestIds: number[] = [];
      for (const visit of visits) {
        const kinds: HelpKind[] = [HelpKind.VISIT];
        if (random.chance(0.5)) kinds.push(HelpKind.POLICY_EXPLANATION);
        if (visit.problemsSolved > 0) kinds.push(HelpKind.PROBLEM_SOLVED);
        if (visit.fundsFen > 0) kinds.push(HelpKind.FUNDS);
        if (visit.materialsFen > 0) kinds.push(HelpKind.MATERIALS);
        if (random.chance(0.05)) kinds.push(HelpKind.REFERRAL);
        const summary = random.pick(
          HELP_SUMMARIES_BY_KIND[
            visit.fundsFen > 0
              ? 'FUNDS'
              : visit.materialsFen > 0
                ? 'MATERIALS'
                : visit.problemsSolved > 0
                  ? 'PROBLEM_SOLVED'
                  : entry.petitioner && random.chance(0.6)
                    ? 'PETITION'
                    : entry.keyFocus && random.chance(0.5)
                      ? 'KEY_FOCUS'
                      : kinds.includes(HelpKind.POLICY_EXPLANATION)
                        ? 'POLICY_EXPLANATION'
                        : 'VISIT'
          ],
        );
        const latitude = Math.round((place.latitude + (random.next() - 0.5) * 0.01) * 1e6) / 1e6;
        const longitude = Math.round((place.longitude + (random.next() - 0.5) * 0.01) * 1e6) / 1e6;
        const submittedAt = visit.at + random.int(5, 600) * 60_000;
        let supersedes: number | null = null;
        if (random.chance(CORRECTED_SHARE)) {
          // The first version had the amount or the count wrong.
          supersedes = ++helpRecordId;
          const wrongFunds = visit.fundsFen > 0 ? visit.fundsFen + random.int(1, 20) * 1000 : 0;
          this.addHelpRecord(
            writers.helpRecord,
            random,
            supersedes,
            householdId,
            visit,
            kinds,
            summary,
            wrongFunds,
            visit.problemsSolved,
            latitude,
            longitude,
            null,
            1,
            false,
            submittedAt,
          );
        }
        const id = ++helpRecordId;
        latestIds.push(id);
        const correctedAt = supersedes === null ? submittedAt : submittedAt + random.int(1, 5) * DAY_MS;
        this.addHelpRecord(
          writers.helpRecord,
          random,
          id,
          householdId,
          visit,
          kinds,
          supersedes === null ? summary : `${summary}（更正）`,
          visit.fundsFen,
          visit.problemsSolved,
          latitude,
          longitude,
          supersedes,
          supersedes === null ? 1 : 2,
          true,
          correctedAt,
        );
      }
      const lastVisit = visits.length > 0 ? visits[visits.length - 1]!.at : null;

      const phone = random.chance(0.8) ? mobile(random) : `0414-${random.int(2_000_000, 8_999_999)}`;
      const isCommunity = place.level === RegionLevel.COMMUNITY;
      const address = isCommunity
        ? `${place.township.name}${place.name}${random.int(1, 40)}号楼${random.int(1, 6)}单元${random.int(1, 6)}0${random.int(1, 2)}室`
        : `${place.township.name}${place.name}${random.int(1, 9)}组${random.int(1, 80)}号`;
      writers.household.add(
        householdId,
        place.id,
        address,
        headName,
        phone,
        entry.hardship,
        entry.keyFocus,
        entry.petitioner,
        entry.hardship ? hardshipReasons(random) : '',
        entry.roundTwo ? HouseholdStatus.ACTIVE : HouseholdStatus.LIFTED,
        lastVisit === null ? null : at(lastVisit),
        1,
        createdAt,
        lastVisit === null ? createdAt : at(lastVisit),
      );

      // Demands, raised on a visit: most are resolved on the next visit and confirmed on the one after; a
      // household lifted out of hardship has none left open.
      const demandCount = random.weighted([
        [5, 0],
        [3, 1],
        [2, 2],
      ] as const);
      for (let k = 0; k < demandCount && visits.length >= 3; k += 1) {
        const category = random.pick(Object.values(DemandCategory));
        const raisedIndex = entry.roundTwo ? random.int(0, visits.length - 1) : random.int(0, visits.length - 3);
        const raisedAt = visits[raisedIndex]!.at;
        const later = visits.length - 1 - raisedIndex;
        let status: DemandStatus;
        let resolvedBy: number | null = null;
        let resolvedAt: string | null = null;
        let confirmedAt: string | null = null;
        if (!entry.roundTwo || (later > 0 && random.chance(0.7))) {
          resolvedBy = latestIds[raisedIndex + 1]!;
          resolvedAt = at(visits[raisedIndex + 1]!.at);
          if (later > 1) {
            status = DemandStatus.CONFIRMED;
            confirmedAt = at(visits[raisedIndex + 2]!.at);
          } else {
            status = DemandStatus.RESOLVED;
          }
        } else {
          status = random.weighted([
            [5, DemandStatus.OPEN],
            [3, DemandStatus.IN_PROGRESS],
            [1, DemandStatus.ESCALATED],
          ] as const);
        }
        writers.demand.add(
          ++demandId,
          householdId,
          category,
          random.pick(DEMAND_TEXTS[category]),
          at(raisedAt),
          shanghaiDay(raisedAt + 30 * DAY_MS),
          status,
          latestIds[raisedIndex]!,
          resolvedBy,
          resolvedAt,
          confirmedAt,
          at(raisedAt),
          resolvedAt ?? at(raisedAt),
        );
      }

      if (householdId % 250 === 0) {
        await sink.drain();
        this.onProgress({ stage: 'households', done: householdId, total: householdCount });
      }
    }
    for (const writer of Object.values(writers)) writer.flush();
    await sink.drain();
    this.onProgress({ stage: 'households', done: householdCount, total: householdCount });
  }

  private addHelpRecord(
    writer: TableWriter,
    random: Random,
    id: number,
    householdId: number,
    visit: Visit,
    kinds: HelpKind[],
    summary: string,
    fundsFen: number,
    problemsSolved: number,
    latitude: number,
    longitude: number,
    supersedes: number | null,
    versionNumber: number,
    isLatest: boolean,
    createdAt: number,
  ): void {
    // UUID-shaped client ids (version 8: custom) that begin with the record's id, so that the unique
    // index fills in order instead of at random places; the rest is random as a phone's would be.
    const clientId = `${id.toString(16).padStart(8, '0')}-${random.hex(4)}-8${random.hex(3)}-${(8 + random.int(0, 3)).toString(16)}${random.hex(3)}-${random.hex(12)}`;
    const occurredAt = at(visit.at);
    const contentHash = createHash('sha256')
      .update(JSON.stringify([householdId, occurredAt, kinds, summary, fundsFen, visit.materialsFen, problemsSolved, latitude, longitude, supersedes]))
      .digest('hex');
    writer.add(
      id,
      householdId,
      visit.cadreId,
      visit.assignmentId,
      visit.roundId,
      occurredAt,
      kinds.join(','),
      summary,
      fundsFen,
      visit.materialsFen,
      problemsSolved,
      '',
      latitude,
      longitude,
      clientId,
      contentHash,
      supersedes,
      versionNumber,
      isLatest,
      at(createdAt),
    );
  }

  /** `count` visit times between two instants, weighted by month and weekday, in office hours (Shanghai), sorted. */
  private visitTimes(from: number, to: number, count: number): number[] {
    const random = this.random;
    const firstDay = Math.floor((from + SHANGHAI_OFFSET_MS) / DAY_MS) + 1;
    const lastDay = Math.floor((to + SHANGHAI_OFFSET_MS) / DAY_MS) - 1;
    const times: number[] = [];
    if (lastDay < firstDay) return times;
    while (times.length < count) {
      const day = random.int(firstDay, lastDay);
      const date = new Date(day * DAY_MS);
      if (random.next() * MAX_DAY_WEIGHT >= MONTH_WEIGHT[date.getUTCMonth()]! * WEEKDAY_WEIGHT[date.getUTCDay()]!) continue;
      // 08:30–17:30 in Shanghai.
      times.push(day * DAY_MS - SHANGHAI_OFFSET_MS + 8.5 * HOUR_MS + random.int(0, 9 * 60) * 60_000);
    }
    return times.sort((a, b) => a - b);
  }

  /** Spreads a round-one household's share of funds and materials (yuan) and problems over some of its visits. */
  private shareRoundOneHelp(visits: Visit[], fundsYuan: number, problems: number): void {
    const random = this.random;
    if (visits.length === 0) {
      if (fundsYuan > 0 || problems > 0) throw new Error('a round-one household with help to record has no visits');
      return;
    }
    if (fundsYuan > 0) {
      const order = random.shuffle(visits.map((_, index) => index));
      const carriers = order.slice(0, Math.min(visits.length, random.int(1, Math.max(1, Math.floor(visits.length / 3)))));
      const parts = apportion(
        fundsYuan,
        carriers.map(() => 0.2 + random.next()),
      );
      carriers.forEach((visitIndex, k) => {
        const part = parts[k]!;
        const roll = random.next();
        // Cash, goods (rice, oil, coal, clothes) or both.
        const fundsPart = roll < 0.35 ? part : roll < 0.6 ? 0 : Math.round(part * random.next());
        visits[visitIndex]!.fundsFen += fundsPart * 100;
        visits[visitIndex]!.materialsFen += (part - fundsPart) * 100;
      });
    }
    for (let k = 0; k < problems; k += 1) visits[random.int(0, visits.length - 1)]!.problemsSolved += 1;
  }

  /** Another round-two cadre of the household's place, to hand it to on a transfer; null when there is none. */
  private colleagueOf(cadreId: number, index: number): number | null {
    const place = this.placeOf[index]!;
    for (let offset = 1; offset < 40; offset += 1) {
      const candidate = this.cadreOf[1][(index + offset * this.places.length) % this.cadreOf[1].length]!;
      if (this.placeOf[(index + offset * this.places.length) % this.placeOf.length] === place && candidate !== cadreId && candidate !== 0) return candidate;
    }
    return null;
  }

  // --- leaders' contact points and the cadres' sign-in accounts -------------------------------------------------

  leadersAndAccounts(sink: Sink): void {
    const kinds = new TableWriter(sink, 'contact_point_kind', ['id', 'code', 'name', 'sort_order', 'active']);
    CONTACT_POINT_KINDS.forEach((kind, index) => kinds.add(index + 1, kind.code, kind.name, index + 1, true));
    kinds.flush();
    const kindId = new Map<string, number>(CONTACT_POINT_KINDS.map((kind, index) => [kind.code, index + 1]));

    const villages = this.places.filter((place) => place.level === RegionLevel.VILLAGE);
    const communities = this.places.filter((place) => place.level === RegionLevel.COMMUNITY);
    const enterprises = this.units.filter((unit) => unit.kind === UnitKind.STATE_ENTERPRISE);
    const schools = this.units.filter((unit) => /学|校/.test(unit.name));
    const hardshipHouseholds: number[] = [];
    for (let index = 0; index < this.profileOf.length && hardshipHouseholds.length < 5000; index += 1) {
      if (this.profileOf[index]!.hardship && this.profileOf[index]!.roundOne && this.profileOf[index]!.roundTwo) hardshipHouseholds.push(index + 1);
    }
    const majorCaseOf = new Map<number, number>();
    const anyMajor: number[] = [];
    for (const [index, leader] of this.majorLeaderOf) {
      const caseId = this.petitionCaseIdOf.get(index)!;
      if (!majorCaseOf.has(leader)) majorCaseOf.set(leader, caseId);
      anyMajor.push(caseId);
    }
    anyMajor.sort((a, b) => a - b);

    const points = new TableWriter(sink, 'contact_point', [
      'id',
      'leader_id',
      'kind_id',
      'round_id',
      'target_region_id',
      'unit_id',
      'household_id',
      'petition_case_id',
      'note',
      'started_on',
      'ended_on',
      'created_at',
    ]);
    let pointId = 0;
    const rounds = [
      { id: 1, plan: this.plan.roundOne, endedOn: this.plan.roundOne.endsOn },
      { id: 2, plan: this.plan.roundTwo, endedOn: null },
    ];
    for (const round of rounds) {
      this.cityLeaders.forEach((leader, i) => {
        const k = i + round.id * 5;
        const targets: [string, number | null, number | null, number | null, number | null][] = [
          ['COUNTY', this.counties[k % this.counties.length]!.id, null, null, null],
          ['TOWNSHIP', this.townships[(k * 2) % this.townships.length]!.id, null, null, null],
          ['VILLAGE', villages.length ? villages[(k * 7) % villages.length]!.id : null, null, null, null],
          ['COMMUNITY', communities.length ? communities[(k * 5) % communities.length]!.id : null, null, null, null],
          ['ENTERPRISE', null, enterprises.length ? enterprises[k % enterprises.length]!.id : null, null, null],
          ['SCHOOL', null, schools.length ? schools[k % schools.length]!.id : null, null, null],
          ['HARDSHIP_HOUSEHOLD', null, null, hardshipHouseholds.length ? hardshipHouseholds[(k * 13) % hardshipHouseholds.length]! : null, null],
          ['PETITION_CASE', null, null, null, majorCaseOf.get(leader) ?? (anyMajor.length ? anyMajor[k % anyMajor.length]! : null)],
        ];
        for (const [code, region, unit, household, petitionCase] of targets) {
          if (region === null && unit === null && household === null && petitionCase === null) continue;
          points.add(
            ++pointId,
            leader,
            kindId.get(code)!,
            round.id,
            region,
            unit,
            household,
            petitionCase,
            null,
            round.plan.startsOn,
            round.endedOn,
            this.createdAt,
          );
        }
      });
    }
    points.flush();

    // Every cadre of the current round and every leader has a sign-in account, to be bound to WeChat.
    const accounts = new TableWriter(sink, 'user_account', ['id', 'role', 'cadre_id', 'active', 'created_at']);
    let accountId = 0;
    for (let id = 1; id <= this.cadreCount; id += 1) {
      // Leaders belong to no unit's pool (cadreUnit 0).
      if (this.inRoundTwo[id] || this.cadreUnit[id] === 0) accounts.add(++accountId, Role.CADRE, id, true, this.createdAt);
    }
    accounts.flush();
  }

  private idNumber(countyCode: string, birthDate: string, gender: Gender): string {
    const birth = birthDate.replaceAll('-', '');
    for (;;) {
      let sequence = this.random.int(0, 998);
      // GB 11643: the sequence's last digit is odd for men and even for women.
      if ((sequence % 2 === 1) !== (gender === Gender.MALE)) sequence += 1;
      const first17 = `${countyCode}${birth}${String(sequence).padStart(3, '0')}`;
      const idNumber = first17 + idNumberCheckCharacter(first17);
      if (!this.usedIdNumbers.has(idNumber)) {
        this.usedIdNumbers.add(idNumber);
        return idNumber;
      }
    }
  }
}

/**
 * Shares `total` out over places in proportion to `sizes`, with at least one for every place of nonzero
 * size and never more than its size (the caller guarantees that the total fits).
 */
function boundedApportion(total: number, sizes: readonly number[]): number[] {
  const capacity = sizes.reduce((sum, size) => sum + size, 0);
  const occupied = sizes.filter((size) => size > 0).length;
  if (total > capacity || total < occupied) throw new Error(`cannot share ${total} over ${occupied} places holding ${capacity}`);
  const shares = sizes.map((size) => (size > 0 ? 1 : 0));
  const rest =
    total > occupied
      ? apportion(
          total - occupied,
          sizes.map((size) => Math.max(0, size - 1)),
        )
      : sizes.map(() => 0);
  rest.forEach((extra, index) => (shares[index]! += extra));
  // Rounding can push a share past its size by one; move the excess to places with room.
  for (let index = 0; index < shares.length; index += 1) {
    while (shares[index]! > sizes[index]!) {
      const room = shares.findIndex((share, other) => share < sizes[other]!);
      shares[index]! -= 1;
      shares[room]! += 1;
    }
  }
  return shares;
}

function givenName(random: Random): string {
  const one = () => GIVEN[random.int(0, GIVEN.length - 1)]!;
  return random.chance(0.7) ? one() + one() : one();
}

function personName(random: Random): string {
  return SURNAMES[random.int(0, SURNAMES.length - 1)]! + givenName(random);
}

function mobile(random: Random): string {
  return `1${random.pick(['3', '5', '8'])}${String(random.int(0, 999_999_999)).padStart(9, '0')}`;
}

function hardshipReasons(random: Random): string {
  const all = Object.values(HardshipReason);
  const first = random.pick(all);
  const second = random.chance(0.4) ? random.pick(all) : first;
  return first === second ? first : `${first},${second}`;
}
