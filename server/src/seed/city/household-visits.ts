import { createHash } from 'node:crypto';
import { AssignmentKind, HelpKind } from '@wanjia/shared';
import {
  ROUND_ONE_END,
  ROUND_ONE_START,
  ROUND_TWO_START,
  TODAY,
  type CityBuild,
  type HouseholdInBuild,
  type HouseholdWriters,
  type RowIds,
  type Visit,
} from './city-build';
import { HELP_SUMMARIES_BY_KIND } from './city-names';
import { CORRECTED_SHARE, TRANSFERRED_SHARE, VISITS_PER_ROUND_ONE_HOUSEHOLD, VISITS_PER_ROUND_TWO_HOUSEHOLD, type HouseholdProfile } from './city-plan';
import type { HelpRecordRow } from './city-tables';
import { apportion, type Random } from './random';
import { DAY_MS, HOUR_MS, SHANGHAI_OFFSET_MS, sqlDatetime, utcMs } from './sql-time';

/** A household's assignments in each round it is helped in, their visits, and a help record for each visit. */

/** Visits by month (Shanghai): busiest around the Spring Festival and before winter (送温暖), quiet in summer. */
const MONTH_WEIGHT = [1.5, 1.35, 1.0, 0.9, 0.9, 0.8, 0.7, 0.75, 1.0, 1.0, 1.1, 1.3];
/** Visits by weekday (Sunday first): cadres visit on working days, fewer at weekends. */
const WEEKDAY_WEIGHT = [0.25, 1, 1, 1, 1, 1, 0.4];
const MAX_DAY_WEIGHT = Math.max(...MONTH_WEIGHT) * Math.max(...WEEKDAY_WEIGHT);

/** Writes the household's assignments and returns its visits over both rounds, in time order. */
export function planVisits(build: CityBuild, writers: HouseholdWriters, household: HouseholdInBuild, ids: RowIds): Visit[] {
  const kind = household.profile.keyFocus ? AssignmentKind.ONE_TO_ONE : AssignmentKind.REGULAR;
  const visits: Visit[] = [];
  if (household.profile.roundOne) visits.push(...roundOneVisits(build, writers, household, kind, ids));
  if (household.profile.roundTwo) visits.push(...roundTwoVisits(build, writers, household, kind, ids));
  return visits.sort((a, b) => a.at - b.at);
}

/** Round one: one assignment to its end, and the household's share of the round's funds, materials and problems spread over its visits. */
function roundOneVisits(build: CityBuild, writers: HouseholdWriters, household: HouseholdInBuild, kind: AssignmentKind, ids: RowIds): Visit[] {
  const { random } = build;
  const cadreId = build.cadreOf[0][household.index]!;
  const startedAt = random.int(ROUND_ONE_START, utcMs('2008-10-31'));
  const id = ++ids.assignment;
  writers.assignment.add({
    id,
    cadreId,
    householdId: household.id,
    roundId: 1,
    kind,
    startedAt: sqlDatetime(startedAt),
    endedAt: sqlDatetime(ROUND_ONE_END),
    endReason: '本轮结束',
    transferredFromId: null,
    createdAt: sqlDatetime(startedAt),
  });
  const count = random.int(VISITS_PER_ROUND_ONE_HOUSEHOLD[0], VISITS_PER_ROUND_ONE_HOUSEHOLD[1]);
  const times = visitTimes(random, startedAt, ROUND_ONE_END, count);
  const visits = times.map((time) => ({ at: time, assignmentId: id, cadreId, roundId: 1, fundsFen: 0, materialsFen: 0, problemsSolved: 0 }));
  shareRoundOneHelp(random, visits, build.fundsYuanOf[household.index]!, build.problemsOf[household.index]!);
  return visits;
}

/**
 * Round two: an assignment that is still active, or (a transfer: the cadre was moved to other work) one
 * that ended and its successor with a colleague of the same pairing. Help per visit about as generous as
 * in round one (~180 yuan a visit on average), and about as many problems solved per visit.
 */
function roundTwoVisits(build: CityBuild, writers: HouseholdWriters, household: HouseholdInBuild, kind: AssignmentKind, ids: RowIds): Visit[] {
  const { random } = build;
  const cadreId = build.cadreOf[1][household.index]!;
  const startedAt = ROUND_TWO_START + random.int(0, 45) * DAY_MS + random.int(0, 8) * HOUR_MS;
  const [low, high] = visitsPerRoundTwo(household.profile);
  const times = visitTimes(random, startedAt, TODAY, random.int(low, high));
  const firstId = ++ids.assignment;
  let transferAt = Infinity;
  let successor = cadreId;
  const colleague = colleagueOf(build, cadreId, household.index);
  if (colleague !== null && random.chance(TRANSFERRED_SHARE)) {
    transferAt = random.int(startedAt + 120 * DAY_MS, TODAY - 200 * DAY_MS);
    successor = colleague;
  }
  const assignment = { householdId: household.id, roundId: 2, kind };
  if (transferAt === Infinity) {
    writers.assignment.add({
      ...assignment,
      id: firstId,
      cadreId,
      startedAt: sqlDatetime(startedAt),
      endedAt: null,
      endReason: null,
      transferredFromId: null,
      createdAt: sqlDatetime(startedAt),
    });
  } else {
    writers.assignment.add({
      ...assignment,
      id: firstId,
      cadreId,
      startedAt: sqlDatetime(startedAt),
      endedAt: sqlDatetime(transferAt),
      endReason: '工作调动',
      transferredFromId: null,
      createdAt: sqlDatetime(startedAt),
    });
    const secondId = ++ids.assignment;
    writers.assignment.add({
      ...assignment,
      id: secondId,
      cadreId: successor,
      startedAt: sqlDatetime(transferAt),
      endedAt: null,
      endReason: null,
      transferredFromId: firstId,
      createdAt: sqlDatetime(transferAt),
    });
  }
  return times.map((time) => {
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
    if (random.chance(0.12)) visit.fundsFen = random.int(20, 150) * 1000;
    if (random.chance(0.12)) visit.materialsFen = random.int(10, 80) * 1000;
    if (random.chance(0.06)) visit.problemsSolved = random.int(1, 2);
    return visit;
  });
}

function visitsPerRoundTwo(profile: HouseholdProfile): readonly [number, number] {
  if (profile.petitioner) return VISITS_PER_ROUND_TWO_HOUSEHOLD.petitioner;
  return profile.keyFocus ? VISITS_PER_ROUND_TWO_HOUSEHOLD.keyFocus : VISITS_PER_ROUND_TWO_HOUSEHOLD.hardship;
}

/** `count` visit times between two instants, weighted by month and weekday, in office hours (Shanghai), sorted. */
function visitTimes(random: Random, from: number, to: number, count: number): number[] {
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
function shareRoundOneHelp(random: Random, visits: Visit[], fundsYuan: number, problems: number): void {
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
function colleagueOf(build: CityBuild, cadreId: number, index: number): number | null {
  const { placeOf, places } = build;
  const roundTwo = build.cadreOf[1];
  const place = placeOf[index]!;
  for (let offset = 1; offset < 40; offset += 1) {
    const candidate = roundTwo[(index + offset * places.length) % roundTwo.length]!;
    if (placeOf[(index + offset * places.length) % placeOf.length] === place && candidate !== cadreId && candidate !== 0) return candidate;
  }
  return null;
}

/**
 * A help record for each visit; now and then a record is corrected later (the first version had the
 * amount or the count wrong), and the first version stays, superseded. Returns the latest version's id
 * of each visit, in visit order.
 */
export function writeHelpRecords(build: CityBuild, writers: HouseholdWriters, household: HouseholdInBuild, visits: readonly Visit[], ids: RowIds): number[] {
  const { random } = build;
  const { place } = household;
  const latestIds: number[] = [];
  for (const visit of visits) {
    const kinds = helpKindsOf(random, visit);
    const summary = random.pick(HELP_SUMMARIES_BY_KIND[summaryKindOf(random, visit, household.profile, kinds)]);
    const latitude = Math.round((place.latitude + (random.next() - 0.5) * 0.01) * 1e6) / 1e6;
    const longitude = Math.round((place.longitude + (random.next() - 0.5) * 0.01) * 1e6) / 1e6;
    const submittedAt = visit.at + random.int(5, 600) * 60_000;
    const record = { householdId: household.id, visit, kinds, latitude, longitude };
    let supersedes: number | null = null;
    if (random.chance(CORRECTED_SHARE)) {
      supersedes = ++ids.helpRecord;
      const wrongFunds = visit.fundsFen > 0 ? visit.fundsFen + random.int(1, 20) * 1000 : 0;
      const first = { ...record, id: supersedes, summary, fundsFen: wrongFunds, supersedesId: null, versionNumber: 1, isLatest: false, createdAt: submittedAt };
      writers.helpRecord.add(helpRecordRow(random, first));
    }
    const id = ++ids.helpRecord;
    latestIds.push(id);
    const correctedAt = supersedes === null ? submittedAt : submittedAt + random.int(1, 5) * DAY_MS;
    writers.helpRecord.add(
      helpRecordRow(random, {
        ...record,
        id,
        summary: supersedes === null ? summary : `${summary}（更正）`,
        fundsFen: visit.fundsFen,
        supersedesId: supersedes,
        versionNumber: supersedes === null ? 1 : 2,
        isLatest: true,
        createdAt: correctedAt,
      }),
    );
  }
  return latestIds;
}

function helpKindsOf(random: Random, visit: Visit): HelpKind[] {
  const kinds: HelpKind[] = [HelpKind.VISIT];
  if (random.chance(0.5)) kinds.push(HelpKind.POLICY_EXPLANATION);
  if (visit.problemsSolved > 0) kinds.push(HelpKind.PROBLEM_SOLVED);
  if (visit.fundsFen > 0) kinds.push(HelpKind.FUNDS);
  if (visit.materialsFen > 0) kinds.push(HelpKind.MATERIALS);
  if (random.chance(0.05)) kinds.push(HelpKind.REFERRAL);
  return kinds;
}

/** The record's main kind, which picks the list its summary comes from. */
function summaryKindOf(random: Random, visit: Visit, profile: HouseholdProfile, kinds: readonly HelpKind[]): keyof typeof HELP_SUMMARIES_BY_KIND {
  if (visit.fundsFen > 0) return 'FUNDS';
  if (visit.materialsFen > 0) return 'MATERIALS';
  if (visit.problemsSolved > 0) return 'PROBLEM_SOLVED';
  if (profile.petitioner && random.chance(0.6)) return 'PETITION';
  if (profile.keyFocus && random.chance(0.5)) return 'KEY_FOCUS';
  return kinds.includes(HelpKind.POLICY_EXPLANATION) ? 'POLICY_EXPLANATION' : 'VISIT';
}

interface HelpRecordVersion {
  id: number;
  householdId: number;
  visit: Visit;
  kinds: readonly HelpKind[];
  summary: string;
  fundsFen: number;
  latitude: number;
  longitude: number;
  supersedesId: number | null;
  versionNumber: number;
  isLatest: boolean;
  /** When this version was submitted (epoch ms). */
  createdAt: number;
}

function helpRecordRow(random: Random, version: HelpRecordVersion): HelpRecordRow {
  const { id, householdId, visit, kinds, summary, fundsFen, latitude, longitude, supersedesId } = version;
  // UUID-shaped client ids (version 8: custom) that begin with the record's id, so that the unique
  // index fills in order instead of at random places; the rest is random as a phone's would be.
  const clientId = `${id.toString(16).padStart(8, '0')}-${random.hex(4)}-8${random.hex(3)}-${(8 + random.int(0, 3)).toString(16)}${random.hex(3)}-${random.hex(12)}`;
  const occurredAt = sqlDatetime(visit.at);
  const contentHash = createHash('sha256')
    .update(JSON.stringify([householdId, occurredAt, kinds, summary, fundsFen, visit.materialsFen, visit.problemsSolved, latitude, longitude, supersedesId]))
    .digest('hex');
  return {
    id,
    householdId,
    cadreId: visit.cadreId,
    assignmentId: visit.assignmentId,
    roundId: visit.roundId,
    occurredAt,
    kinds: kinds.join(','),
    summary,
    fundsFen,
    materialsFen: visit.materialsFen,
    problemsSolved: visit.problemsSolved,
    photoIds: '',
    latitude,
    longitude,
    clientId,
    contentHash,
    supersedesId,
    versionNumber: version.versionNumber,
    isLatest: version.isLatest,
    createdAt: sqlDatetime(version.createdAt),
  };
}
