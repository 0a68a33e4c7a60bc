import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import mysql, { type Connection } from 'mysql2/promise';
import {
  AssignmentKind,
  CadreRank,
  DemandCategory,
  DemandStatus,
  Gender,
  HardshipReason,
  HelpKind,
  KeyFocusReason,
  PetitionCaseStatus,
  RegionLevel,
  ResidentRelation,
  UnitKind,
  UnitLevel,
  idNumberCheckCharacter,
} from '@wanjia/shared';
import { COMMUNITY_STEMS, NAME_PREFIXES, VILLAGE_STEMS } from '../../server/src/seed/city/city-names';
import { Sink, TableWriter } from '../../server/src/seed/city/sink';
import { DEMAND_TEXTS, HELP_SUMMARIES, PETITION_TITLES } from '../../server/src/seed/demo/demo-texts';
import { Random, benchDatabase, type MysqlTarget } from './common';

/**
 * A city-sized campaign for the benchmark: Benxi's real districts, counties, streets and towns, ~500
 * made-up villages and communities, ~500 units with 20 cadres each, 50,000 households (5 per cadre,
 * one active assignment each), ~2 residents each, petition cases, open and settled demands and
 * 500,000 help records.
 *
 * It is written with multi-row INSERTs straight from a seeded PRNG, not through the ORM: the ORM's
 * unit of work would need minutes and gigabytes for half a million rows, and the benchmark wants the
 * rows, not a test of the seeder. Ids are assigned here, so no statement waits for another's insert id.
 *
 * Run alone: `pnpm --filter @wanjia/tests exec tsx bench/city-data.ts` (BENCH_HOUSEHOLDS to scale).
 */

/** Bump when the generated rows change shape, so that an older bench database is rebuilt, not reused. */
export const GENERATOR_VERSION = 1;
export const DEFAULT_SEED = 20_261_128;
export const DEFAULT_HOUSEHOLDS = 50_000;

/** The data set's "today": help records stop here. Fixed, so that every run writes the same rows. */
const TODAY = Date.parse('2026-11-20T04:00:00Z');
const CREATED = Date.parse('2026-04-20T01:00:00Z');
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

const HOUSEHOLDS_PER_PLACE = 100;
const HOUSEHOLDS_PER_CADRE = 5;
const CADRES_PER_UNIT = HOUSEHOLDS_PER_PLACE / HOUSEHOLDS_PER_CADRE;
const HELP_RECORDS_PER_HOUSEHOLD = 10;

const ROUNDS = [
  { id: 1, name: '第一轮', startsOn: '2023-08-01', endsOn: '2026-07-31' },
  { id: 2, name: '新一轮', startsOn: '2026-05-01', endsOn: '2029-04-30' },
] as const;
const FIRST_ROUND_END = Date.parse('2026-07-31T10:00:00Z');

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
  await generate(target, households, seed, marker, log);
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
            ${q(`select count(*) from {db}.demand where status in ('OPEN', 'IN_PROGRESS', 'ESCALATED')`)} as open_demands`,
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

// --- writing ----------------------------------------------------------------------------------------------

/** A UTC instant as MySQL datetime(3) text. */
function at(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** The Asia/Shanghai calendar day of an instant. */
function shanghaiDay(ms: number): string {
  return new Date(ms + 8 * HOUR_MS).toISOString().slice(0, 10);
}

// --- the data set ------------------------------------------------------------------------------------------

/** Benxi's districts and counties with GB/T 2260 codes and some of their real streets and towns (as in the demo data). */
const COUNTIES = [
  {
    code: '210502',
    name: '平山区',
    short: '平山区',
    level: RegionLevel.DISTRICT,
    townships: [
      ['001', '站前街道'],
      ['002', '平山街道'],
      ['005', '北台街道'],
      ['101', '桥头镇'],
    ],
  },
  {
    code: '210503',
    name: '溪湖区',
    short: '溪湖区',
    level: RegionLevel.DISTRICT,
    townships: [
      ['001', '河东街道'],
      ['003', '彩屯街道'],
      ['101', '歪头山镇'],
    ],
  },
  {
    code: '210504',
    name: '明山区',
    short: '明山区',
    level: RegionLevel.DISTRICT,
    townships: [
      ['001', '新明街道'],
      ['004', '牛心台街道'],
      ['006', '卧龙街道'],
    ],
  },
  {
    code: '210505',
    name: '南芬区',
    short: '南芬区',
    level: RegionLevel.DISTRICT,
    townships: [
      ['001', '铁山街道'],
      ['003', '思山岭街道'],
    ],
  },
  {
    code: '210521',
    name: '本溪满族自治县',
    short: '本溪县',
    level: RegionLevel.COUNTY,
    townships: [
      ['100', '小市镇'],
      ['102', '草河口镇'],
      ['104', '碱厂镇'],
    ],
  },
  {
    code: '210522',
    name: '桓仁满族自治县',
    short: '桓仁县',
    level: RegionLevel.COUNTY,
    townships: [
      ['100', '桓仁镇'],
      ['103', '二棚甸子镇'],
      ['106', '五里甸子镇'],
    ],
  },
] as const;

const CITY_UNITS: [string, UnitKind][] = [
  ['中共本溪市委办公室', UnitKind.AGENCY],
  ['本溪市人民政府办公室', UnitKind.AGENCY],
  ['中共本溪市委组织部', UnitKind.AGENCY],
  ['中共本溪市委宣传部', UnitKind.AGENCY],
  ['本溪市信访局', UnitKind.AGENCY],
  ['本溪市民政局', UnitKind.AGENCY],
  ['本溪市财政局', UnitKind.AGENCY],
  ['本溪市人力资源和社会保障局', UnitKind.AGENCY],
  ['本溪市住房和城乡建设局', UnitKind.AGENCY],
  ['本溪市卫生健康委员会', UnitKind.AGENCY],
  ['本溪市教育局', UnitKind.AGENCY],
  ['本溪市公安局', UnitKind.AGENCY],
  ['本溪市司法局', UnitKind.AGENCY],
  ['本溪市农业农村局', UnitKind.AGENCY],
  ['本溪市应急管理局', UnitKind.AGENCY],
  ['本溪市总工会', UnitKind.AGENCY],
  ['本溪市市场监督管理局', UnitKind.AGENCY],
  ['本溪市自然资源局', UnitKind.AGENCY],
  ['本溪市生态环境局', UnitKind.AGENCY],
  ['本溪市交通运输局', UnitKind.AGENCY],
  ['本溪市水务局', UnitKind.AGENCY],
  ['本溪市统计局', UnitKind.AGENCY],
  ['本溪市审计局', UnitKind.AGENCY],
  ['本溪市医疗保障局', UnitKind.AGENCY],
  ['本溪市退役军人事务局', UnitKind.AGENCY],
  ['本溪市城市管理综合行政执法局', UnitKind.AGENCY],
  ['本溪钢铁（集团）有限责任公司', UnitKind.STATE_ENTERPRISE],
  ['国网本溪供电公司', UnitKind.STATE_ENTERPRISE],
  ['本溪市水务集团', UnitKind.STATE_ENTERPRISE],
  ['本溪市公共交通公司', UnitKind.STATE_ENTERPRISE],
  ['本溪市中心医院', UnitKind.PUBLIC_INSTITUTION],
  ['本溪市第一人民医院', UnitKind.PUBLIC_INSTITUTION],
  ['本溪市高级中学', UnitKind.PUBLIC_INSTITUTION],
  ['辽宁科技学院', UnitKind.PUBLIC_INSTITUTION],
];
const COUNTY_BUREAUS = [
  '民政局',
  '信访局',
  '人力资源和社会保障局',
  '卫生健康局',
  '教育局',
  '住房和城乡建设局',
  '农业农村局',
  '司法局',
  '财政局',
  '应急管理局',
  '市场监督管理局',
  '自然资源分局',
  '交通运输局',
  '水利局',
  '医疗保障局',
  '退役军人事务局',
  '统计局',
  '审计局',
  '文化旅游和广播电视局',
  '城市管理局',
];

const SURNAMES =
  '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文关佟';
const GIVEN =
  '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥玲芬燕彩春菊凤洁梅琳素云莲真环雪荣爱妹香月莺媛瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷';

interface Place {
  id: number;
  code: string;
  name: string;
  level: RegionLevel.VILLAGE | RegionLevel.COMMUNITY;
  township: string;
  countyCode: string;
}

async function generate(target: MysqlTarget, householdCount: number, seed: number, marker: string, log: (line: string) => void): Promise<void> {
  const random = new Random(seed);
  const sink = await Sink.open({ host: target.host, port: target.port, user: target.user, password: target.password, database: target.database }, 2);
  const createdAt = at(CREATED);
  const writers = {
    round: new TableWriter(sink, 'round', ['id', 'name', 'starts_on', 'ends_on', 'created_at']),
    region: new TableWriter(sink, 'region', ['id', 'code', 'name', 'level', 'parent_id', 'path', 'depth', 'created_at', 'updated_at']),
    unit: new TableWriter(sink, 'unit', ['id', 'name', 'kind', 'level', 'region_id', 'created_at']),
    pairing: new TableWriter(sink, 'unit_pairing', ['unit_id', 'region_id', 'round_id', 'started_on', 'ended_on', 'end_reason']),
    cadre: new TableWriter(sink, 'cadre', [
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
    ]),
    account: new TableWriter(sink, 'user_account', ['id', 'role', 'cadre_id', 'active', 'created_at']),
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
        'version_number',
        'is_latest',
        'created_at',
      ],
      2500,
    ),
    demand: new TableWriter(sink, 'demand', [
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

  try {
    for (const round of ROUNDS) writers.round.add(round.id, round.name, round.startsOn, round.endsOn, createdAt);

    // --- the region tree: city → districts/counties → streets/towns → ~500 villages and communities
    const placeCount = householdCount / HOUSEHOLDS_PER_PLACE;
    let regionId = 0;
    const cityId = ++regionId;
    const cityCode = '210500000000';
    writers.region.add(cityId, cityCode, '本溪市', RegionLevel.CITY, null, `${cityCode}/`, 0, createdAt, createdAt);
    const counties: { id: number; code: string; short: string; path: string }[] = [];
    const townships: { id: number; code: string; name: string; level: RegionLevel; path: string; countyCode: string; places: number }[] = [];
    for (const county of COUNTIES) {
      const code = `${county.code}000000`;
      const entry = { id: ++regionId, code, short: county.short, path: `${cityCode}/${code}/` };
      counties.push(entry);
      writers.region.add(entry.id, code, county.name, county.level, cityId, entry.path, 1, createdAt, createdAt);
      for (const [suffix, name] of county.townships) {
        const townshipCode = `${county.code}${suffix}000`;
        const level = name.endsWith('街道') ? RegionLevel.STREET : RegionLevel.TOWNSHIP;
        const township = { id: ++regionId, code: townshipCode, name, level, path: `${entry.path}${townshipCode}/`, countyCode: county.code, places: 0 };
        townships.push(township);
        writers.region.add(township.id, townshipCode, name, level, entry.id, township.path, 2, createdAt, createdAt);
      }
    }
    const places: Place[] = [];
    for (let index = 0; index < placeCount; index += 1) {
      const township = townships[index % townships.length]!;
      const ordinal = township.places++;
      // Streets hold communities; towns mostly villages, with a community every fourth place (the town seat).
      const isCommunity = township.level === RegionLevel.STREET || ordinal % 4 === 0;
      const stems = isCommunity ? COMMUNITY_STEMS : VILLAGE_STEMS;
      const name = `${NAME_PREFIXES[Math.floor(ordinal / stems.length) % NAME_PREFIXES.length]}${stems[(ordinal + township.id) % stems.length]}${isCommunity ? '社区' : '村'}`;
      const code = `${township.code.slice(0, 9)}${String((isCommunity ? 1 : 200) + ordinal).padStart(3, '0')}`;
      const place: Place = {
        id: ++regionId,
        code,
        name,
        level: isCommunity ? RegionLevel.COMMUNITY : RegionLevel.VILLAGE,
        township: township.name,
        countyCode: township.countyCode,
      };
      places.push(place);
      writers.region.add(place.id, code, name, place.level, township.id, `${township.path}${code}/`, 3, createdAt, createdAt);
    }

    // --- units: one per place, so that unit u's 20 cadres look after the 100 households of place u
    const units = unitSeeds(placeCount, counties, townships, cityId);
    units.forEach((unit, index) => writers.unit.add(index + 1, unit.name, unit.kind, unit.level, unit.regionId, createdAt));
    places.forEach((place, index) => {
      // The first round's pairings were another unit's; the new round pairs unit u with place u.
      writers.pairing.add(((index + 7) % placeCount) + 1, place.id, 1, ROUNDS[0].startsOn, ROUNDS[0].endsOn, '本轮结束');
      writers.pairing.add(index + 1, place.id, 2, ROUNDS[1].startsOn, null, null);
    });

    // --- cadres and their sign-in accounts (bound to WeChat in real life; the benchmark signs tokens itself)
    const cadreCount = householdCount / HOUSEHOLDS_PER_CADRE;
    const leaders: number[] = [];
    for (let cadreId = 1; cadreId <= cadreCount; cadreId += 1) {
      const unitIndex = Math.floor((cadreId - 1) / CADRES_PER_UNIT);
      const first = (cadreId - 1) % CADRES_PER_UNIT === 0;
      const isLeader = first && unitIndex < 8;
      if (isLeader) leaders.push(cadreId);
      const rank = isLeader
        ? CadreRank.BUREAU
        : first
          ? CadreRank.DIVISION
          : random.weighted([
              [1, CadreRank.DIVISION],
              [4, CadreRank.SECTION],
              [6, CadreRank.STAFF],
            ] as const);
      const post = isLeader ? '市级领导' : rank === CadreRank.DIVISION ? '副局长' : rank === CadreRank.SECTION ? '科长' : '科员';
      writers.cadre.add(cadreId, personName(random), unitIndex + 1, post, rank, random.chance(0.94), mobile(random), true, 5, createdAt, createdAt);
      writers.account.add(cadreId, 'CADRE', cadreId, true, createdAt);
    }
    log(`bench data: ${regionId} regions, ${units.length} units, ${cadreCount} cadres`);

    // --- households with their residents, petition cases, assignments, help records and demands
    const usedIdNumbers = new Set<string>();
    let residentId = 0;
    let assignmentId = 0;
    let helpRecordId = 0;
    const firstRoundStart = Date.parse(`${ROUNDS[0].startsOn}T01:00:00Z`);
    const newRoundStart = Date.parse(`${ROUNDS[1].startsOn}T01:00:00Z`);
    for (let householdId = 1; householdId <= householdCount; householdId += 1) {
      const placeIndex = Math.floor((householdId - 1) / HOUSEHOLDS_PER_PLACE);
      const place = places[placeIndex]!;
      const cadreId = Math.floor((householdId - 1) / HOUSEHOLDS_PER_CADRE) + 1;
      const [isHardship, isKeyFocus, isPetitioner] = random.weighted([
        [62, [true, false, false]],
        [15, [false, true, false]],
        [8, [false, false, true]],
        [7, [true, true, false]],
        [5, [true, false, true]],
        [3, [false, true, true]],
      ] as const);

      // Residents: the head first, whose name is the household's.
      const size = random.weighted([
        [3, 1],
        [4, 2],
        [3, 3],
      ] as const);
      const surname = SURNAMES[random.int(0, SURNAMES.length - 1)]!;
      const headGender = random.chance(0.5) ? Gender.MALE : Gender.FEMALE;
      const headBirthYear = random.int(1940, 1985);
      const headName = surname + givenName(random);
      const headId = residentId + 1;
      for (let member = 0; member < size; member += 1) {
        const relation = member === 0 ? ResidentRelation.HEAD : member === 1 ? ResidentRelation.SPOUSE : ResidentRelation.CHILD;
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
        const birthYear = member === 0 ? headBirthYear : member === 1 ? headBirthYear + random.int(-3, 3) : Math.min(headBirthYear + random.int(22, 32), 2015);
        const birthDate = `${birthYear}-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}`;
        const name = member === 0 ? headName : member === 1 ? personName(random) : surname + givenName(random);
        // Children born after 2010 are not issued an ID number yet.
        const idNumber = birthYear <= 2010 ? uniqueIdNumber(random, usedIdNumbers, place.countyCode, birthDate, gender) : null;
        const keyFocusReason =
          member === 0 && isKeyFocus
            ? random.weighted([
                [2, KeyFocusReason.RELEASED_PRISONER],
                [4, KeyFocusReason.UNEMPLOYED],
                [2, KeyFocusReason.GRIEVANCE],
                [2, KeyFocusReason.SUDDEN_MISFORTUNE],
                [1, KeyFocusReason.DISASTER_VICTIM],
              ] as const)
            : null;
        writers.resident.add(
          ++residentId,
          householdId,
          name,
          relation,
          gender,
          birthDate,
          idNumber,
          keyFocusReason,
          member === 0 && isPetitioner,
          createdAt,
          createdAt,
        );
      }

      if (isPetitioner) {
        const [title, demand] = random.pick(PETITION_TITLES);
        const receivedAt = random.int(Date.parse('2018-01-01T00:00:00Z'), TODAY - 30 * DAY_MS);
        const major = random.chance(0.2);
        const status = random.weighted([
          [3, PetitionCaseStatus.REGISTERED],
          [4, PetitionCaseStatus.IN_PROGRESS],
          [2, PetitionCaseStatus.RESOLVED],
          [1, PetitionCaseStatus.CLOSED],
        ] as const);
        const settled = status === PetitionCaseStatus.RESOLVED || status === PetitionCaseStatus.CLOSED;
        writers.petitionCase.add(
          householdId,
          headId,
          title,
          demand,
          shanghaiDay(receivedAt),
          major,
          major ? leaders[householdId % leaders.length]! : null,
          status,
          settled ? at(random.int(receivedAt, TODAY)) : null,
          settled ? '经协调落实相关政策，当事人表示满意' : null,
          createdAt,
          createdAt,
        );
      }

      // Assignments: six in ten households were helped in the first round by the then-paired unit's cadre;
      // every household has its active one in the new round.
      const kind = isKeyFocus ? AssignmentKind.ONE_TO_ONE : AssignmentKind.REGULAR;
      const visits: { at: number; assignmentId: number; cadreId: number; roundId: number }[] = [];
      let newRoundVisits = HELP_RECORDS_PER_HOUSEHOLD;
      if (householdId % 5 < 3) {
        const firstCadre = ((placeIndex + 7) % placeCount) * CADRES_PER_UNIT + ((householdId - 1) % CADRES_PER_UNIT) + 1;
        const startedAt = random.int(firstRoundStart, Date.parse('2023-12-31T00:00:00Z'));
        writers.assignment.add(++assignmentId, firstCadre, householdId, 1, kind, at(startedAt), at(FIRST_ROUND_END), '本轮结束', at(startedAt));
        const count = HELP_RECORDS_PER_HOUSEHOLD / 2;
        for (let i = 0; i < count; i += 1) visits.push({ at: random.int(startedAt, FIRST_ROUND_END), assignmentId, cadreId: firstCadre, roundId: 1 });
        newRoundVisits -= count;
      }
      const startedAt = newRoundStart + random.int(0, 45) * DAY_MS;
      writers.assignment.add(++assignmentId, cadreId, householdId, 2, kind, at(startedAt), null, null, at(startedAt));
      // The latest visit lies 0-75 days back, skewed to recent: with 7/14/30-day intervals a good share is overdue.
      const lastVisit = Math.max(startedAt + DAY_MS, TODAY - Math.floor(random.next() ** 1.6 * 75 * DAY_MS));
      visits.push({ at: lastVisit, assignmentId, cadreId, roundId: 2 });
      for (let i = 1; i < newRoundVisits; i += 1) visits.push({ at: random.int(startedAt, lastVisit - HOUR_MS), assignmentId, cadreId, roundId: 2 });
      visits.sort((a, b) => a.at - b.at);

      const firstRecordId = helpRecordId + 1;
      for (const visit of visits) {
        const kinds: HelpKind[] = [HelpKind.VISIT];
        let fundsFen = 0;
        let materialsFen = 0;
        let problemsSolved = 0;
        if (random.chance(0.5)) kinds.push(HelpKind.POLICY_EXPLANATION);
        if (random.chance(0.4)) {
          kinds.push(HelpKind.PROBLEM_SOLVED);
          problemsSolved = random.int(1, 2);
        }
        if (random.chance(0.3)) {
          kinds.push(HelpKind.FUNDS);
          fundsFen = random.int(20, 300) * 1000;
        }
        if (random.chance(0.3)) {
          kinds.push(HelpKind.MATERIALS);
          materialsFen = random.int(10, 150) * 1000;
        }
        if (random.chance(0.05)) kinds.push(HelpKind.REFERRAL);
        const summary = random.pick(HELP_SUMMARIES);
        const latitude = Math.round((41.29 + (random.next() - 0.5) * 0.7) * 1e6) / 1e6;
        const longitude = Math.round((123.77 + random.next() * 1.4 - 0.5) * 1e6) / 1e6;
        // The server fingerprints what was submitted so that a retry can be told from a different record.
        const contentHash = createHash('sha256')
          .update(JSON.stringify([householdId, visit.at, kinds, summary, fundsFen, materialsFen, problemsSolved, latitude, longitude]))
          .digest('hex');
        writers.helpRecord.add(
          ++helpRecordId,
          householdId,
          visit.cadreId,
          visit.assignmentId,
          visit.roundId,
          at(visit.at),
          kinds.join(','),
          summary,
          fundsFen,
          materialsFen,
          problemsSolved,
          '',
          latitude,
          longitude,
          random.uuid(),
          contentHash,
          1,
          true,
          at(visit.at + random.int(1, 600) * 60_000),
        );
      }

      writers.household.add(
        householdId,
        place.id,
        address(random, place),
        headName,
        random.chance(0.8) ? mobile(random) : `0414-${random.int(2_000_000, 8_999_999)}`,
        isHardship,
        isKeyFocus,
        isPetitioner,
        isHardship ? hardshipReasons(random) : '',
        'ACTIVE',
        at(lastVisit),
        1,
        createdAt,
        createdAt,
      );

      // Demands: half the households raised one or two on a visit; most raised long ago are settled by a later visit.
      const demandCount = random.weighted([
        [5, 0],
        [3, 1],
        [2, 2],
      ] as const);
      for (let i = 0; i < demandCount; i += 1) {
        const category = random.pick(Object.values(DemandCategory));
        const raisedIndex = random.int(0, visits.length - 1);
        const raisedAt = visits[raisedIndex]!.at;
        const later = visits.length - 1 - raisedIndex;
        let status: DemandStatus;
        let resolvedBy: number | null = null;
        let resolvedAt: string | null = null;
        let confirmedAt: string | null = null;
        if (later > 0 && random.chance(0.7)) {
          resolvedBy = firstRecordId + raisedIndex + 1;
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
          householdId,
          category,
          random.pick(DEMAND_TEXTS[category]),
          at(raisedAt),
          shanghaiDay(raisedAt + 30 * DAY_MS),
          status,
          firstRecordId + raisedIndex,
          resolvedBy,
          resolvedAt,
          confirmedAt,
          at(raisedAt),
          createdAt,
        );
      }

      if (householdId % 500 === 0) await sink.drain();
      if (householdId % 10_000 === 0)
        log(`bench data: ${householdId.toLocaleString('en')} households, ${helpRecordId.toLocaleString('en')} help records queued`);
    }

    for (const writer of Object.values(writers)) writer.flush();
    sink.send(
      `insert into audit_entry (actor_id, at, operation, entity_name, entity_id, changes) values (NULL, ${mysql.escape(at(Date.now()))}, 'seedCityData', 'Database', 'bench', ${mysql.escape(marker)})`,
    );
  } finally {
    await sink.close();
  }
}

function unitSeeds(count: number, counties: { id: number; short: string }[], townships: { id: number; name: string; level: RegionLevel }[], cityId: number) {
  const seeds: { name: string; kind: UnitKind; level: UnitLevel; regionId: number }[] = [];
  for (const [name, kind] of CITY_UNITS) seeds.push({ name, kind, level: UnitLevel.CITY, regionId: cityId });
  for (const bureau of COUNTY_BUREAUS) {
    for (const county of counties) seeds.push({ name: `${county.short}${bureau}`, kind: UnitKind.AGENCY, level: UnitLevel.COUNTY, regionId: county.id });
  }
  for (const township of townships) {
    seeds.push({
      name: `${township.name}${township.level === RegionLevel.STREET ? '办事处' : '人民政府'}`,
      kind: UnitKind.AGENCY,
      level: UnitLevel.TOWNSHIP,
      regionId: township.id,
    });
  }
  // Schools, clinics and enterprise branches make up the rest, as in a real city's list of pairing units.
  for (let n = 1; seeds.length < count; n += 1) {
    const county = counties[n % counties.length]!;
    seeds.push({ name: `本溪市第${n}中学`, kind: UnitKind.PUBLIC_INSTITUTION, level: UnitLevel.CITY, regionId: cityId });
    seeds.push({ name: `${county.short}第${n}小学`, kind: UnitKind.PUBLIC_INSTITUTION, level: UnitLevel.COUNTY, regionId: county.id });
    seeds.push({ name: `本钢集团第${n}分公司`, kind: UnitKind.STATE_ENTERPRISE, level: UnitLevel.CITY, regionId: cityId });
    seeds.push({ name: `${county.short}第${n}卫生院`, kind: UnitKind.PUBLIC_INSTITUTION, level: UnitLevel.COUNTY, regionId: county.id });
  }
  return seeds.slice(0, count);
}

function givenName(random: Random): string {
  return random.chance(0.7) ? GIVEN[random.int(0, GIVEN.length - 1)]! + GIVEN[random.int(0, GIVEN.length - 1)]! : GIVEN[random.int(0, GIVEN.length - 1)]!;
}

function personName(random: Random): string {
  return SURNAMES[random.int(0, SURNAMES.length - 1)]! + givenName(random);
}

function mobile(random: Random): string {
  return `1${random.pick(['3', '5', '8', '9'])}${String(random.int(0, 999_999_999)).padStart(9, '0')}`;
}

function address(random: Random, place: Place): string {
  return place.level === RegionLevel.COMMUNITY
    ? `${place.township}${place.name}${random.int(1, 40)}号楼${random.int(1, 6)}单元${random.int(1, 6)}0${random.int(1, 2)}室`
    : `${place.township}${place.name}${random.int(1, 9)}组${random.int(1, 80)}号`;
}

function hardshipReasons(random: Random): string {
  const all = Object.values(HardshipReason);
  const first = random.pick(all);
  const second = random.chance(0.4) ? random.pick(all) : first;
  return first === second ? first : `${first},${second}`;
}

function uniqueIdNumber(random: Random, used: Set<string>, countyCode: string, birthDate: string, gender: Gender): string {
  const birth = birthDate.replaceAll('-', '');
  for (;;) {
    let sequence = random.int(0, 998);
    // The sequence's last digit is odd for men and even for women.
    if ((sequence % 2 === 1) !== (gender === Gender.MALE)) sequence += 1;
    const first17 = `${countyCode}${birth}${String(sequence).padStart(3, '0')}`;
    const idNumber = first17 + idNumberCheckCharacter(first17);
    if (!used.has(idNumber)) {
      used.add(idNumber);
      return idNumber;
    }
  }
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
