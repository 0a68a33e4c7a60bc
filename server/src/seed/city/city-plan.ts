/**
 * The city-scale data set's parameters: the article's figures for Benxi (see docs/domain.md), as
 * named constants, and the same plan shrunk by a scale factor for tests.
 *
 * Every figure the article gives is reproduced exactly at scale 1 (and proportionally, rounded, at
 * smaller scales): the generator builds the rows so that these counts and sums come out by
 * construction, not by chance.
 */

/** 287 villages and 209 communities, paired with 530 units in round one. */
export const VILLAGES = 287;
export const COMMUNITIES = 209;
export const UNITS = 530;

/** Round one (2008-08-01, three years): 31,000+ cadres helped 42,000+ hardship households. */
export const ROUND_ONE = {
  name: '第一轮',
  startsOn: '2008-08-01',
  endsOn: '2011-07-31',
  cadres: 31_200,
  /** Funds and materials (资金和物资) in yuan: 107 million, over the round's latest help-record versions. */
  fundsAndMaterialsYuan: 107_000_000,
  /** Practical problems solved (解决实际问题, 件次). */
  problemsSolved: 45_300,
} as const;

/** Round two (May 2011, three years): ~50,000 cadres; 400+ major cases, 2,100+ petitioners, 4,800+ key-focus persons, ~50,000 hardship households. */
export const ROUND_TWO = {
  name: '新一轮',
  startsOn: '2011-05-01',
  endsOn: '2014-04-30',
  cadres: 49_800,
  majorBacklogCases: 420,
} as const;

/**
 * The households, by what they are and in which rounds they were helped. Round one helped hardship
 * households only; 6,300 of them were lifted out of hardship by its end (status LIFTED, not assigned in
 * round two), the other 36,000 carried over into round two, which added 13,600 hardship households
 * and the petitioner and key-focus households. A household can be in more than one target group.
 *
 * Sums: round one 42,300 hardship households; round two 49,600 hardship, 4,850 key-focus (one
 * key-focus person each), 2,150 petitioner households (one petition case each), 54,900 in all.
 */
export interface HouseholdProfile {
  key: string;
  households: number;
  hardship: boolean;
  keyFocus: boolean;
  petitioner: boolean;
  roundOne: boolean;
  roundTwo: boolean;
}

const profile = (key: string, households: number, groups: string, rounds: '1' | '2' | '12'): HouseholdProfile => ({
  key,
  households,
  hardship: groups.includes('H'),
  keyFocus: groups.includes('K'),
  petitioner: groups.includes('P'),
  roundOne: rounds.includes('1'),
  roundTwo: rounds.includes('2'),
});

export const HOUSEHOLD_PROFILES: readonly HouseholdProfile[] = [
  profile('hardship, lifted after round one', 6_300, 'H', '1'),
  profile('hardship, both rounds', 35_000, 'H', '12'),
  profile('hardship and key-focus, both rounds', 700, 'HK', '12'),
  profile('hardship and petitioner, both rounds', 300, 'HP', '12'),
  profile('hardship, round two', 13_000, 'H', '2'),
  profile('hardship and key-focus, round two', 400, 'HK', '2'),
  profile('hardship and petitioner, round two', 200, 'HP', '2'),
  profile('key-focus, round two', 3_650, 'K', '2'),
  profile('petitioner, round two', 1_550, 'P', '2'),
  profile('key-focus and petitioner, round two', 100, 'KP', '2'),
];

/** City-level leaders, each with the eight kinds of contact points ("八个一") in both rounds. */
export const CITY_LEADERS = 24;
/** District and county leaders per district/county: they take most major backlog cases in their area (包案). */
export const COUNTY_LEADERS_PER_COUNTY = 5;

/** Help records per assignment (uniform, both ends included), before corrections. */
export const VISITS_PER_ROUND_ONE_HOUSEHOLD = [10, 18] as const;
export const VISITS_PER_ROUND_TWO_HOUSEHOLD = { hardship: [6, 12], keyFocus: [14, 22], petitioner: [18, 30] } as const;
/** Share of help records corrected later: the old version stays, superseded (is_latest = 0). */
export const CORRECTED_SHARE = 0.02;
/** Share of round-two households handed to another cadre of the same place during the round (工作调动). */
export const TRANSFERRED_SHARE = 0.01;
/** The data set's "today": help records and demands stop here (late in round two). */
export const DATA_SET_TODAY = '2014-04-20T04:00:00Z';

export const FULL_CITY_HELP_RECORDS_AT_LEAST = 1_000_000;

export interface RoundPlan {
  name: string;
  startsOn: string;
  endsOn: string;
  /** Distinct cadres with an assignment in the round. */
  cadres: number;
  /** Distinct households with an assignment in the round, and by target group. */
  households: number;
  hardshipHouseholds: number;
  keyFocusHouseholds: number;
  /** Residents with a key-focus reason in households helped in the round. */
  keyFocusPersons: number;
  petitionerHouseholds: number;
  /** Major backlog petition cases of households helped in the round (each has a responsible leader). */
  majorBacklogCases: number;
  /** Sum of funds and materials over the round's latest help-record versions; null where the article gives no figure. */
  fundsAndMaterialsFen: number | null;
  problemsSolved: number | null;
}

export interface CityPlan {
  scale: number;
  seed: number;
  villages: number;
  communities: number;
  units: number;
  cityLeaders: number;
  countyLeadersPerCounty: number;
  profiles: HouseholdProfile[];
  households: number;
  roundOne: RoundPlan;
  roundTwo: RoundPlan;
}

export const DEFAULT_CITY_SEED = 20_080_801;
/** `--scale small`: about 2 % of the city (10 villages and communities, ~1,200 households, ~25,000 help records). */
export const SMALL_SCALE = 0.02;

/** Reads `--scale`: `city` (1), `small` (0.02) or a number in (0, 1]. */
export function parseScale(text: string): number {
  if (text === 'city') return 1;
  if (text === 'small') return SMALL_SCALE;
  const scale = Number(text);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 1) {
    throw new Error(`--scale: expected "city", "small" or a number in (0, 1], got "${text}"`);
  }
  return scale;
}

const scaled = (figure: number, scale: number, minimum = 1): number => Math.max(minimum, Math.round(figure * scale));

/** The plan at a scale: every count rounded, never below one, so that a small city still has every kind of row. */
export function cityPlan(scale: number, seed: number = DEFAULT_CITY_SEED): CityPlan {
  if (!(scale > 0 && scale <= 1)) throw new Error(`scale: expected a number in (0, 1], got ${scale}`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`seed: expected a non-negative integer, got ${seed}`);
  const profiles = HOUSEHOLD_PROFILES.map((entry) => ({ ...entry, households: scaled(entry.households, scale) }));
  const sum = (filter: (entry: HouseholdProfile) => boolean) => profiles.filter(filter).reduce((total, entry) => total + entry.households, 0);
  const villages = scaled(VILLAGES, scale);
  const communities = scaled(COMMUNITIES, scale);
  const petitionerRoundTwo = sum((entry) => entry.roundTwo && entry.petitioner);
  return {
    scale,
    seed,
    villages,
    communities,
    units: Math.max(villages + communities, scaled(UNITS, scale)),
    cityLeaders: scale === 1 ? CITY_LEADERS : Math.max(3, Math.round(CITY_LEADERS * Math.sqrt(scale))),
    countyLeadersPerCounty: scale === 1 ? COUNTY_LEADERS_PER_COUNTY : Math.max(1, Math.round(COUNTY_LEADERS_PER_COUNTY * Math.sqrt(scale))),
    profiles,
    households: sum(() => true),
    roundOne: {
      name: ROUND_ONE.name,
      startsOn: ROUND_ONE.startsOn,
      endsOn: ROUND_ONE.endsOn,
      cadres: scaled(ROUND_ONE.cadres, scale),
      households: sum((entry) => entry.roundOne),
      hardshipHouseholds: sum((entry) => entry.roundOne && entry.hardship),
      keyFocusHouseholds: sum((entry) => entry.roundOne && entry.keyFocus),
      keyFocusPersons: sum((entry) => entry.roundOne && entry.keyFocus),
      petitionerHouseholds: sum((entry) => entry.roundOne && entry.petitioner),
      // Petition cases belong to petitioner households; those helped in round one are all hardship households too.
      majorBacklogCases: 0,
      fundsAndMaterialsFen: scaled(ROUND_ONE.fundsAndMaterialsYuan, scale) * 100,
      problemsSolved: scaled(ROUND_ONE.problemsSolved, scale),
    },
    roundTwo: {
      name: ROUND_TWO.name,
      startsOn: ROUND_TWO.startsOn,
      endsOn: ROUND_TWO.endsOn,
      cadres: scaled(ROUND_TWO.cadres, scale),
      households: sum((entry) => entry.roundTwo),
      hardshipHouseholds: sum((entry) => entry.roundTwo && entry.hardship),
      keyFocusHouseholds: sum((entry) => entry.roundTwo && entry.keyFocus),
      keyFocusPersons: sum((entry) => entry.roundTwo && entry.keyFocus),
      petitionerHouseholds: petitionerRoundTwo,
      majorBacklogCases: Math.min(petitionerRoundTwo, scaled(ROUND_TWO.majorBacklogCases, scale)),
      fundsAndMaterialsFen: null,
      problemsSolved: null,
    },
  };
}
