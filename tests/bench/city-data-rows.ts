import { createHash } from 'node:crypto';
import mysql from 'mysql2/promise';
import {
  AssignmentKind,
  CadreRank,
  DemandCategory,
  DemandStatus,
  Gender,
  HelpKind,
  HouseholdStatus,
  KeyFocusReason,
  PetitionCaseStatus,
  RegionLevel,
  ResidentRelation,
  Role,
} from '@wanjia/shared';
import * as tables from '@wanjia/server/dist/seed/city/city-tables';
import * as people from '@wanjia/server/dist/seed/city/person-details';
import { Sink, TableWriter } from '@wanjia/server/dist/seed/city/sink';
import { DAY_MS, HOUR_MS, shanghaiDay, sqlDatetime } from '@wanjia/server/dist/seed/city/sql-time';
import { cityUnitSeeds, placeNameAndCode, writeBenxiTree } from '@wanjia/server/dist/seed/city/stage-regions-and-units';
import { DEMAND_TEXTS, HELP_SUMMARIES, PETITION_TITLES } from '@wanjia/server/dist/seed/demo/demo-texts';
import { Random, type MysqlTarget } from './common';

/**
 * The benchmark's rows (city-data.ts builds the database around them): the city generator's tables,
 * region tree, units and people (server/src/seed/city, from the server's build), in the benchmark's
 * own shape. One PRNG is drawn from in a fixed order, so a seed and size give the same rows.
 */

/** The data set's "today": help records stop here. Fixed, so that every run writes the same rows. */
const TODAY = Date.parse('2026-11-20T04:00:00Z');
const CREATED = Date.parse('2026-04-20T01:00:00Z');

export const HOUSEHOLDS_PER_PLACE = 100;
const HOUSEHOLDS_PER_CADRE = 5;
const CADRES_PER_UNIT = HOUSEHOLDS_PER_PLACE / HOUSEHOLDS_PER_CADRE;
export const HELP_RECORDS_PER_HOUSEHOLD = 10;

const ROUNDS = [
  { id: 1, name: '第一轮', startsOn: '2023-08-01', endsOn: '2026-07-31' },
  { id: 2, name: '新一轮', startsOn: '2026-05-01', endsOn: '2029-04-30' },
] as const;
const FIRST_ROUND_END = Date.parse('2026-07-31T10:00:00Z');

interface Place {
  id: number;
  code: string;
  name: string;
  level: RegionLevel.VILLAGE | RegionLevel.COMMUNITY;
  townshipName: string;
  countyCode: string;
}

type BenchWriters = ReturnType<typeof benchWriters>;

/** What the writing steps share: the PRNG (drawn from in one fixed order), the writers and the ids handed out. */
interface BenchBuild {
  random: Random;
  writers: BenchWriters;
  createdAt: string;
  idNumbers: people.IdNumberIssuer;
  places: Place[];
  /** City-level leaders: responsible for the major petition cases. */
  leaders: number[];
  ids: { resident: number; petitionCase: number; assignment: number; helpRecord: number; demand: number };
}

/** The benchmark's household: its place, its new-round cadre and its target groups. */
interface BenchHousehold {
  id: number;
  placeIndex: number;
  place: Place;
  cadreId: number;
  isHardship: boolean;
  isKeyFocus: boolean;
  isPetitioner: boolean;
}

interface BenchVisit {
  at: number;
  assignmentId: number;
  cadreId: number;
  roundId: number;
}

function benchWriters(sink: Sink) {
  return {
    round: new TableWriter(sink, tables.ROUND_TABLE),
    region: new TableWriter(sink, tables.REGION_TABLE),
    unit: new TableWriter(sink, tables.UNIT_TABLE),
    pairing: new TableWriter(sink, tables.UNIT_PAIRING_TABLE),
    cadre: new TableWriter(sink, tables.CADRE_TABLE),
    account: new TableWriter(sink, tables.USER_ACCOUNT_TABLE),
    household: new TableWriter(sink, tables.HOUSEHOLD_TABLE),
    resident: new TableWriter(sink, tables.RESIDENT_TABLE),
    petitionCase: new TableWriter(sink, tables.PETITION_CASE_TABLE),
    assignment: new TableWriter(sink, tables.ASSIGNMENT_TABLE),
    helpRecord: new TableWriter(sink, tables.HELP_RECORD_TABLE),
    demand: new TableWriter(sink, tables.DEMAND_TABLE),
  };
}

/** Writes the data set into the migrated, empty bench database, ending with its marker (an audit entry). */
export async function writeBenchRows(target: MysqlTarget, householdCount: number, seed: number, marker: string, log: (line: string) => void): Promise<void> {
  const random = new Random(seed);
  const sink = await Sink.open({ host: target.host, port: target.port, user: target.user, password: target.password, database: target.database }, 2);
  try {
    const build: BenchBuild = {
      random,
      writers: benchWriters(sink),
      createdAt: sqlDatetime(CREATED),
      idNumbers: new people.IdNumberIssuer(random),
      places: [],
      leaders: [],
      ids: { resident: 0, petitionCase: 0, assignment: 0, helpRecord: 0, demand: 0 },
    };
    for (const round of ROUNDS)
      build.writers.round.add({ id: round.id, name: round.name, startsOn: round.startsOn, endsOn: round.endsOn, createdAt: build.createdAt });
    const placeCount = householdCount / HOUSEHOLDS_PER_PLACE;
    const regions = writeRegionsAndUnits(build, placeCount);
    const cadreCount = householdCount / HOUSEHOLDS_PER_CADRE;
    writeCadres(build, cadreCount);
    log(`bench data: ${regions} regions, ${placeCount} units, ${cadreCount} cadres`);

    for (let householdId = 1; householdId <= householdCount; householdId += 1) {
      writeHousehold(build, householdId);
      if (householdId % 500 === 0) await sink.drain();
      if (householdId % 10_000 === 0)
        log(`bench data: ${householdId.toLocaleString('en')} households, ${build.ids.helpRecord.toLocaleString('en')} help records queued`);
    }

    for (const writer of Object.values(build.writers)) writer.flush();
    sink.send(
      `insert into audit_entry (actor_id, at, operation, entity_name, entity_id, changes) values (NULL, ${mysql.escape(sqlDatetime(Date.now()))}, 'seedCityData', 'Database', 'bench', ${mysql.escape(marker)})`,
    );
  } finally {
    await sink.close();
  }
}

/**
 * The region tree (the city generator's Benxi, then `placeCount` villages and communities spread over
 * its streets and towns), one unit per place so that unit u's 20 cadres look after the 100 households of
 * place u, and both rounds' pairings. Returns the number of regions.
 */
function writeRegionsAndUnits(build: BenchBuild, placeCount: number): number {
  const { writers, createdAt } = build;
  const tree = writeBenxiTree(writers.region, createdAt);
  let regionId = tree.nextRegionId - 1;
  const ordinals = new Map<number, number>();
  for (let index = 0; index < placeCount; index += 1) {
    const township = tree.townships[index % tree.townships.length]!;
    const ordinal = ordinals.get(township.id) ?? 0;
    ordinals.set(township.id, ordinal + 1);
    // Streets hold communities; towns mostly villages, with a community every fourth place (the town seat).
    const level = township.level === RegionLevel.STREET || ordinal % 4 === 0 ? RegionLevel.COMMUNITY : RegionLevel.VILLAGE;
    const { name, code } = placeNameAndCode(township, level, ordinal);
    const place: Place = { id: ++regionId, code, name, level, townshipName: township.name, countyCode: township.code.slice(0, 6) };
    build.places.push(place);
    writers.region.add({ id: place.id, code, name, level, parentId: township.id, path: `${township.path}${code}/`, depth: 3, createdAt, updatedAt: createdAt });
  }

  const units = cityUnitSeeds(placeCount, tree.city, tree.counties, tree.townships);
  units.forEach((unit, index) => writers.unit.add({ id: index + 1, name: unit.name, kind: unit.kind, level: unit.level, regionId: unit.regionId, createdAt }));
  let pairingId = 0;
  const [first, next] = ROUNDS;
  build.places.forEach((place, index) => {
    // The first round's pairings were another unit's; the new round pairs unit u with place u.
    writers.pairing.add({
      id: ++pairingId,
      unitId: ((index + 7) % placeCount) + 1,
      regionId: place.id,
      roundId: 1,
      startedOn: first.startsOn,
      endedOn: first.endsOn,
      endReason: '本轮结束',
    });
    writers.pairing.add({ id: ++pairingId, unitId: index + 1, regionId: place.id, roundId: 2, startedOn: next.startsOn, endedOn: null, endReason: null });
  });
  return regionId;
}

/** The cadres and their sign-in accounts (bound to WeChat in real life; the benchmark signs tokens itself). */
function writeCadres(build: BenchBuild, cadreCount: number): void {
  const { random, writers, createdAt } = build;
  for (let cadreId = 1; cadreId <= cadreCount; cadreId += 1) {
    const unitIndex = Math.floor((cadreId - 1) / CADRES_PER_UNIT);
    const first = (cadreId - 1) % CADRES_PER_UNIT === 0;
    const isLeader = first && unitIndex < 8;
    if (isLeader) build.leaders.push(cadreId);
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
    writers.cadre.add({
      id: cadreId,
      name: people.personName(random),
      unitId: unitIndex + 1,
      post,
      rank,
      partyMember: random.chance(0.94),
      phone: people.mobilePhone(random),
      active: true,
      householdCapacity: 5,
      createdAt,
      updatedAt: createdAt,
    });
    writers.account.add({ id: cadreId, role: Role.CADRE, cadreId, active: true, createdAt });
  }
}

/** A household with its residents, petition case, assignments, help records and demands. */
function writeHousehold(build: BenchBuild, householdId: number): void {
  const placeIndex = Math.floor((householdId - 1) / HOUSEHOLDS_PER_PLACE);
  const [isHardship, isKeyFocus, isPetitioner] = build.random.weighted([
    [62, [true, false, false]],
    [15, [false, true, false]],
    [8, [false, false, true]],
    [7, [true, true, false]],
    [5, [true, false, true]],
    [3, [false, true, true]],
  ] as const);
  const household: BenchHousehold = {
    id: householdId,
    placeIndex,
    place: build.places[placeIndex]!,
    cadreId: Math.floor((householdId - 1) / HOUSEHOLDS_PER_CADRE) + 1,
    isHardship,
    isKeyFocus,
    isPetitioner,
  };
  const { headName, headId } = writeResidents(build, household);
  if (isPetitioner) writePetitionCase(build, household, headId);
  const { visits, lastVisit } = planVisits(build, household);
  const firstRecordId = writeHelpRecords(build, household, visits);
  const { random, createdAt } = build;
  build.writers.household.add({
    id: householdId,
    regionId: household.place.id,
    address: people.householdAddress(random, household.place),
    headName,
    phone: people.householdPhone(random),
    isHardship,
    isKeyFocus,
    isPetitioner,
    hardshipReasons: isHardship ? people.hardshipReasons(random) : '',
    status: HouseholdStatus.ACTIVE,
    lastVisitAt: sqlDatetime(lastVisit),
    version: 1,
    createdAt,
    updatedAt: createdAt,
  });
  writeDemands(build, household, visits, firstRecordId);
}

/** The residents, the head first, whose name is the household's. */
function writeResidents(build: BenchBuild, household: BenchHousehold): { headName: string; headId: number } {
  const { random, createdAt } = build;
  const size = random.weighted([
    [3, 1],
    [4, 2],
    [3, 3],
  ] as const);
  const familyName = people.surname(random);
  const headGender = random.chance(0.5) ? Gender.MALE : Gender.FEMALE;
  const headBirthYear = random.int(1940, 1985);
  const headName = familyName + people.givenName(random);
  const headId = build.ids.resident + 1;
  for (let member = 0; member < size; member += 1) {
    const relation = member === 0 ? ResidentRelation.HEAD : member === 1 ? ResidentRelation.SPOUSE : ResidentRelation.CHILD;
    const otherGender = headGender === Gender.MALE ? Gender.FEMALE : Gender.MALE;
    const gender = member === 0 ? headGender : member === 1 ? otherGender : random.chance(0.5) ? Gender.MALE : Gender.FEMALE;
    const birthYear = member === 0 ? headBirthYear : member === 1 ? headBirthYear + random.int(-3, 3) : Math.min(headBirthYear + random.int(22, 32), 2015);
    const birthDate = `${birthYear}-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}`;
    const name = member === 0 ? headName : member === 1 ? people.personName(random) : familyName + people.givenName(random);
    // Children born after 2010 are not issued an ID number yet.
    const idNumber = birthYear <= 2010 ? build.idNumbers.issue(household.place.countyCode, birthDate, gender) : null;
    const keyFocusReason =
      member === 0 && household.isKeyFocus
        ? random.weighted([
            [2, KeyFocusReason.RELEASED_PRISONER],
            [4, KeyFocusReason.UNEMPLOYED],
            [2, KeyFocusReason.GRIEVANCE],
            [2, KeyFocusReason.SUDDEN_MISFORTUNE],
            [1, KeyFocusReason.DISASTER_VICTIM],
          ] as const)
        : null;
    const isPetitioner = member === 0 && household.isPetitioner;
    build.writers.resident.add({
      id: ++build.ids.resident,
      householdId: household.id,
      name,
      relation,
      gender,
      birthDate,
      idNumber,
      keyFocusReason,
      isPetitioner,
      createdAt,
      updatedAt: createdAt,
    });
  }
  return { headName, headId };
}

function writePetitionCase(build: BenchBuild, household: BenchHousehold, residentId: number): void {
  const { random, createdAt } = build;
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
  build.writers.petitionCase.add({
    id: ++build.ids.petitionCase,
    householdId: household.id,
    residentId,
    title: title!,
    demand: demand!,
    receivedOn: shanghaiDay(receivedAt),
    majorBacklog: major,
    responsibleLeaderId: major ? build.leaders[household.id % build.leaders.length]! : null,
    status,
    resolvedAt: settled ? sqlDatetime(random.int(receivedAt, TODAY)) : null,
    resolution: settled ? '经协调落实相关政策，当事人表示满意' : null,
    createdAt,
    updatedAt: createdAt,
  });
}

/**
 * Assignments and their visits: six in ten households were helped in the first round by the
 * then-paired unit's cadre; every household has its active one in the new round, whose latest visit
 * lies 0-75 days back, skewed to recent (with 7/14/30-day intervals a good share is overdue).
 */
function planVisits(build: BenchBuild, household: BenchHousehold): { visits: BenchVisit[]; lastVisit: number } {
  const { random, writers } = build;
  const kind = household.isKeyFocus ? AssignmentKind.ONE_TO_ONE : AssignmentKind.REGULAR;
  const assignment = { householdId: household.id, kind, transferredFromId: null };
  const visits: BenchVisit[] = [];
  let newRoundVisits = HELP_RECORDS_PER_HOUSEHOLD;
  if (household.id % 5 < 3) {
    const cadreId = ((household.placeIndex + 7) % build.places.length) * CADRES_PER_UNIT + ((household.id - 1) % CADRES_PER_UNIT) + 1;
    const startedAt = random.int(Date.parse(`${ROUNDS[0].startsOn}T01:00:00Z`), Date.parse('2023-12-31T00:00:00Z'));
    const id = ++build.ids.assignment;
    writers.assignment.add({
      ...assignment,
      id,
      cadreId,
      roundId: 1,
      startedAt: sqlDatetime(startedAt),
      endedAt: sqlDatetime(FIRST_ROUND_END),
      endReason: '本轮结束',
      createdAt: sqlDatetime(startedAt),
    });
    const count = HELP_RECORDS_PER_HOUSEHOLD / 2;
    for (let i = 0; i < count; i += 1) visits.push({ at: random.int(startedAt, FIRST_ROUND_END), assignmentId: id, cadreId, roundId: 1 });
    newRoundVisits -= count;
  }
  const { cadreId } = household;
  const startedAt = Date.parse(`${ROUNDS[1].startsOn}T01:00:00Z`) + random.int(0, 45) * DAY_MS;
  const id = ++build.ids.assignment;
  writers.assignment.add({
    ...assignment,
    id,
    cadreId,
    roundId: 2,
    startedAt: sqlDatetime(startedAt),
    endedAt: null,
    endReason: null,
    createdAt: sqlDatetime(startedAt),
  });
  const lastVisit = Math.max(startedAt + DAY_MS, TODAY - Math.floor(random.next() ** 1.6 * 75 * DAY_MS));
  visits.push({ at: lastVisit, assignmentId: id, cadreId, roundId: 2 });
  for (let i = 1; i < newRoundVisits; i += 1) visits.push({ at: random.int(startedAt, lastVisit - HOUR_MS), assignmentId: id, cadreId, roundId: 2 });
  return { visits: visits.sort((a, b) => a.at - b.at), lastVisit };
}

/** A help record per visit, in visit order; returns the first one's id. */
function writeHelpRecords(build: BenchBuild, household: BenchHousehold, visits: readonly BenchVisit[]): number {
  const { random } = build;
  const firstRecordId = build.ids.helpRecord + 1;
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
      .update(JSON.stringify([household.id, visit.at, kinds, summary, fundsFen, materialsFen, problemsSolved, latitude, longitude]))
      .digest('hex');
    build.writers.helpRecord.add({
      id: ++build.ids.helpRecord,
      householdId: household.id,
      cadreId: visit.cadreId,
      assignmentId: visit.assignmentId,
      roundId: visit.roundId,
      occurredAt: sqlDatetime(visit.at),
      kinds: kinds.join(','),
      summary,
      fundsFen,
      materialsFen,
      problemsSolved,
      photoIds: '',
      latitude,
      longitude,
      clientId: random.uuid(),
      contentHash,
      supersedesId: null,
      versionNumber: 1,
      isLatest: true,
      createdAt: sqlDatetime(visit.at + random.int(1, 600) * 60_000),
    });
  }
  return firstRecordId;
}

/** Demands: half the households raised one or two on a visit; most raised long ago are settled by a later visit. */
function writeDemands(build: BenchBuild, household: BenchHousehold, visits: readonly BenchVisit[], firstRecordId: number): void {
  const { random, createdAt } = build;
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
    let resolvedById: number | null = null;
    let resolvedAt: string | null = null;
    let confirmedAt: string | null = null;
    if (later > 0 && random.chance(0.7)) {
      resolvedById = firstRecordId + raisedIndex + 1;
      resolvedAt = sqlDatetime(visits[raisedIndex + 1]!.at);
      if (later > 1) {
        status = DemandStatus.CONFIRMED;
        confirmedAt = sqlDatetime(visits[raisedIndex + 2]!.at);
      } else {
        status = DemandStatus.RESOLVED;
      }
    } else {
      status = random.weighted([
        [5, DemandStatus.OPEN],
        [3, DemandStatus.IN_PROGRESS],
        // Once ESCALATED, no status any more (issue 15: the ladder is rows, and a referral names an account this data
        // set has none for); the draw is kept, so the random stream and every later row stay as they were.
        [1, DemandStatus.OPEN],
      ] as const);
    }
    build.writers.demand.add({
      id: ++build.ids.demand,
      householdId: household.id,
      category,
      text: random.pick(DEMAND_TEXTS[category]),
      raisedAt: sqlDatetime(raisedAt),
      dueOn: shanghaiDay(raisedAt + 30 * DAY_MS),
      status,
      raisedInId: firstRecordId + raisedIndex,
      resolvedById,
      resolvedAt,
      confirmedAt,
      // The households' answers are the analysts' business; the cadres' paths measured here do not read them.
      satisfaction: null,
      confirmationNote: null,
      reopenCount: 0,
      createdAt: sqlDatetime(raisedAt),
      updatedAt: createdAt,
    });
  }
}
