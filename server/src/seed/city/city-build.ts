import type { RegionLevel, UnitKind, UnitLevel } from '@wanjia/shared';
import { DATA_SET_TODAY, type CityPlan, type HouseholdProfile } from './city-plan';
import type { AssignmentRow, DemandEventRow, DemandRow, HelpRecordRow, HouseholdRow, PetitionCaseRow, ResidentRow } from './city-tables';
import { IdNumberIssuer } from './person-details';
import { Random } from './random';
import type { TableWriter } from './sink';
import { sqlDatetime, utcMs } from './sql-time';

/**
 * The state the generator's stages share, filled stage by stage: each stage reads what the earlier
 * ones decided (the places, the units' pairings, which cadre helps which household) and adds its own.
 * One seeded PRNG is drawn from in stage order, so the same seed gives the same rows.
 */

export const CITY_STAGES = ['schema', 'regions and units', 'cadres', 'households', 'leaders and accounts', 'analytics summaries', 'statistics'] as const;
export type CityStage = (typeof CITY_STAGES)[number];

export interface CityProgress {
  stage: CityStage;
  done: number;
  total: number;
}

/** When the campaign's rows were entered, and the rounds' edges (UTC instants). */
export const CITY_CREATED_AT = sqlDatetime(utcMs('2008-07-01', '01:00:00'));
export const ROUND_ONE_START = utcMs('2008-08-01', '01:00:00');
export const ROUND_ONE_END = utcMs('2011-07-31', '10:00:00');
export const ROUND_TWO_START = utcMs('2011-05-01', '01:00:00');
/** The data set's "today": help records and demands stop here. */
export const TODAY = Date.parse(DATA_SET_TODAY);

export interface BuiltRegion {
  id: number;
  code: string;
  name: string;
  level: RegionLevel;
  path: string;
}

export interface BuiltCounty extends BuiltRegion {
  /** The name units use: 本溪县 for 本溪满族自治县. */
  short: string;
}

export interface BuiltTownship extends BuiltRegion {
  countyIndex: number;
}

/** A village or community: where households live. */
export interface Place extends BuiltRegion {
  township: BuiltTownship;
  countyIndex: number;
  latitude: number;
  longitude: number;
}

export interface BuiltUnit {
  id: number;
  name: string;
  kind: UnitKind;
  level: UnitLevel;
  regionId: number;
  /** The district or county of a county-level or township unit; null for the city's own units. */
  countyIndex: number | null;
}

/** Round one and round two, in that order (round id = index + 1). */
export type PerRound<T> = [T, T];

export interface CityBuild {
  readonly plan: CityPlan;
  readonly random: Random;
  readonly idNumbers: IdNumberIssuer;
  readonly onProgress: (progress: CityProgress) => void;

  // Regions and units.
  counties: BuiltCounty[];
  townships: BuiltTownship[];
  places: Place[];
  units: BuiltUnit[];
  /** The place each unit is paired with, per round (index into places). */
  pairedPlace: PerRound<number[]>;

  // Households, decided up front so that quotas come out exactly (index = household id - 1).
  profileOf: HouseholdProfile[];
  /** Index into places. */
  placeOf: Int32Array;
  /** The cadre helping each household, per round (0: not helped in that round). */
  cadreOf: PerRound<Int32Array>;
  /** Round one's funds and materials (yuan) and problems solved, per household. */
  fundsYuanOf: Float64Array;
  problemsOf: Int32Array;
  petitionCaseIdOf: Map<number, number>;
  /** The responsible leader of each major backlog case, by household index. */
  majorLeaderOf: Map<number, number>;

  // Cadres (index = cadre id).
  cadreCount: number;
  /** The unit of each cadre; 0 for leaders, who belong to no unit's pool. */
  cadreUnit: Int32Array;
  inRoundTwo: Uint8Array;
  cityLeaders: number[];
  /** Per district or county. */
  countyLeaders: number[][];
}

export function newCityBuild(plan: CityPlan, onProgress: (progress: CityProgress) => void): CityBuild {
  const random = new Random(plan.seed);
  return {
    plan,
    random,
    idNumbers: new IdNumberIssuer(random),
    onProgress,
    counties: [],
    townships: [],
    places: [],
    units: [],
    pairedPlace: [[], []],
    profileOf: [],
    placeOf: new Int32Array(0),
    cadreOf: [new Int32Array(0), new Int32Array(0)],
    fundsYuanOf: new Float64Array(0),
    problemsOf: new Int32Array(0),
    petitionCaseIdOf: new Map(),
    majorLeaderOf: new Map(),
    cadreCount: 0,
    cadreUnit: new Int32Array(0),
    inRoundTwo: new Uint8Array(0),
    cityLeaders: [],
    countyLeaders: [],
  };
}

// --- the households stage's working set ---------------------------------------------------------------

export interface HouseholdWriters {
  household: TableWriter<HouseholdRow>;
  resident: TableWriter<ResidentRow>;
  petitionCase: TableWriter<PetitionCaseRow>;
  assignment: TableWriter<AssignmentRow>;
  helpRecord: TableWriter<HelpRecordRow>;
  demand: TableWriter<DemandRow>;
  demandEvent: TableWriter<DemandEventRow>;
}

/** The household being written. */
export interface HouseholdInBuild {
  index: number;
  id: number;
  profile: HouseholdProfile;
  place: Place;
  createdAt: string;
}

/** The last id handed out in each table the households stage writes (each numbers its rows from 1). */
export interface RowIds {
  resident: number;
  assignment: number;
  helpRecord: number;
  demand: number;
  demandEvent: number;
  /** How many resolutions the households have answered so far (the next answer's position). */
  answers: number;
}

/** A visit of a cadre to the household, with what was given and solved; a help record is written for each. */
export interface Visit {
  at: number;
  assignmentId: number;
  cadreId: number;
  roundId: number;
  fundsFen: number;
  materialsFen: number;
  problemsSolved: number;
}
