import 'reflect-metadata';
import mysql, { type Connection } from 'mysql2/promise';
import { mysqlFlavorOf, type DatabaseConfig } from '../../config';
import type { Orm } from '../../core/entity-manager';
import { createOrm, prepareSchema } from '../../db/orm';
import { rebuildAnalyticsSummaries } from '../../modules/help-records/help-record-summary.service';
import { newCityBuild, type CityProgress, type CityStage } from './city-build';
import { measureCity, type CityMeasures } from './city-measure';
import { DEFAULT_CITY_SEED, cityPlan, type CityPlan } from './city-plan';
import { CITY_GENERATOR_VERSION, CityRefusal, cityTarget, inspectTarget, sameCity, writeMarker, type CityMarker, type CityTarget } from './city-target';
import { Sink } from './sink';
import { writeCadres } from './stage-cadres';
import { writeHouseholds } from './stage-households';
import { writeLeadersAndAccounts } from './stage-leaders-and-accounts';
import { writeRegionsAndUnits } from './stage-regions-and-units';

/**
 * The city-scale data set (issue 6): Benxi at the article's size, written straight into MySQL with
 * multi-row INSERTs from a seeded PRNG. The ORM's unit of work would need far too long and too much
 * memory for a million help records; the schema still comes from the server's own migrations
 * (`prepareSchema`), so the tables are production's.
 *
 * Every id is assigned here, so that the rows do not depend on which connection inserts first: the
 * same seed and scale give the same rows, byte for byte (`cityChecksum`). The stages run in order over
 * one shared state (city-build.ts); README.md says what each writes.
 */

export { CITY_STAGES, type CityProgress, type CityStage } from './city-build';
export { CITY_TABLES, cityChecksum, type CityCounts, type RoundFigures } from './city-measure';
export { CITY_GENERATOR_VERSION, CITY_MARKER_OPERATION, CityRefusal, cityTarget } from './city-target';

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

export interface CityResult extends CityMeasures {
  database: string;
  /** True when the database already held this city: nothing was written. */
  reused: boolean;
  /** True when an interrupted or different generated city was dropped first. */
  rebuilt: boolean;
  seconds: number;
  stageSeconds: Partial<Record<CityStage, number>>;
  plan: CityPlan;
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
  const marker: CityMarker = { generator: CITY_GENERATOR_VERSION, seed: plan.seed, scale: plan.scale, state: 'started' };
  const stageSeconds: Partial<Record<CityStage, number>> = {};
  const result = (measures: CityMeasures, reused: boolean, rebuilt: boolean): CityResult => ({
    ...measures,
    database: target.database,
    reused,
    rebuilt,
    seconds: secondsSince(started),
    stageSeconds,
    plan,
  });

  const admin = await mysql.createConnection(target.connection);
  let rebuilt: boolean;
  try {
    const preparation = await prepareTarget(admin, target, marker, log);
    if (preparation === 'reused') return result(await measureCity(admin, target.database), true, false);
    rebuilt = preparation === 'rebuilt';
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
  await stage('schema', async () => withOrm(target, async (orm, database) => prepareSchema(orm, database)));

  const markerConnection = await mysql.createConnection({ ...target.connection, database: target.database });
  try {
    await writeMarker(markerConnection, marker);
    await writeRows(options, plan, target, stage);
    await stage('analytics summaries', async () =>
      // The rows went in around the help-record service, so the analysts' monthly summary is built from them here.
      withOrm(target, async (orm) => rebuildAnalyticsSummaries(orm.em.fork())),
    );
    await stage('statistics', async () => {
      // Fresh statistics, so that the first analytics queries are planned on the real sizes.
      await markerConnection.query(
        'analyze table region, unit, unit_pairing, cadre, user_account, household, resident, petition_case, assignment, help_record, help_record_monthly, demand, demand_event, contact_point',
      );
    });
    await writeMarker(markerConnection, { ...marker, state: 'finished' });
    return result(await measureCity(markerConnection, target.database), false, rebuilt);
  } finally {
    await markerConnection.end();
  }
}

/**
 * Makes the target ready to be filled: 'reused' when it holds this city already, 'rebuilt' when an
 * interrupted or other generated city was dropped, 'fresh' when it was missing or empty. Refuses
 * (CityRefusal) a database holding data the generator did not write.
 */
async function prepareTarget(admin: Connection, target: CityTarget, marker: CityMarker, log: (line: string) => void): Promise<'reused' | 'rebuilt' | 'fresh'> {
  const state = await inspectTarget(admin, target.database);
  if (state.kind === 'foreign')
    throw new CityRefusal(`refusing to generate the city into ${target.database}: ${state.reason}; choose an empty or new database`);
  if (state.kind === 'finished' && sameCity(state.marker, marker)) {
    log(`city: ${target.database} already holds this city (seed ${marker.seed}, scale ${marker.scale}); nothing to do`);
    return 'reused';
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
  }
  if (state.kind !== 'empty') await admin.query(`create database \`${target.database}\` character set utf8mb4`);
  return state.kind === 'finished' || state.kind === 'generated' ? 'rebuilt' : 'fresh';
}

/** The four stages that write rows, over one sink and one shared state. */
async function writeRows(
  options: GenerateCityOptions,
  plan: CityPlan,
  target: CityTarget,
  stage: (name: CityStage, work: () => Promise<void>) => Promise<void>,
): Promise<void> {
  const build = newCityBuild(plan, options.onProgress ?? (() => undefined));
  const sink = await Sink.open({ ...target.connection, database: target.database }, options.parallel ?? 2);
  try {
    await stage('regions and units', async () => writeRegionsAndUnits(build, sink));
    await stage('cadres', async () => writeCadres(build, sink));
    await stage('households', async () => writeHouseholds(build, sink));
    await stage('leaders and accounts', async () => {
      writeLeadersAndAccounts(build, sink);
      await sink.drain();
    });
  } finally {
    await sink.close();
  }
}

async function withOrm(target: CityTarget, work: (orm: Orm, database: DatabaseConfig) => Promise<unknown>): Promise<void> {
  const database: DatabaseConfig = { kind: 'mysql', flavor: mysqlFlavorOf(target.url), url: target.url, poolMax: 2, replicaUrls: [], replicaMaxLagSeconds: 30, conflictRetries: 4 };
  const orm = await createOrm({ database });
  try {
    await work(orm, database);
  } finally {
    await orm.close(true);
  }
}

function secondsSince(start: number): number {
  return Math.round((Date.now() - start) / 100) / 10;
}
