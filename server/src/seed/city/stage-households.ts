import {
  DemandCategory,
  DemandEventKind,
  DemandStatus,
  Gender,
  HouseholdStatus,
  KeyFocusReason,
  PetitionCaseStatus,
  ResidentRelation,
  Satisfaction,
} from '@wanjia/shared';
import { DEMAND_TEXTS, PETITION_TITLES, householdAnswer } from '../demo/demo-texts';
import { ROUND_TWO_START, TODAY, type CityBuild, type HouseholdInBuild, type HouseholdWriters, type RowIds, type Visit } from './city-build';
import { ASSIGNMENT_TABLE, DEMAND_EVENT_TABLE, DEMAND_TABLE, HELP_RECORD_TABLE, HOUSEHOLD_TABLE, PETITION_CASE_TABLE, RESIDENT_TABLE } from './city-tables';
import { planVisits, writeHelpRecords } from './household-visits';
import { givenName, hardshipReasons, householdAddress, householdPhone, personName, surname } from './person-details';
import { DAY_MS, shanghaiDay, sqlDatetime, utcMs } from './sql-time';
import { TableWriter, type Sink } from './sink';

const ROUND_ONE_REGISTERED = sqlDatetime(utcMs('2008-07-15', '01:00:00'));
const ROUND_TWO_REGISTERED = sqlDatetime(utcMs('2011-04-15', '01:00:00'));

function householdWriters(sink: Sink): HouseholdWriters {
  return {
    household: new TableWriter(sink, HOUSEHOLD_TABLE),
    resident: new TableWriter(sink, RESIDENT_TABLE),
    petitionCase: new TableWriter(sink, PETITION_CASE_TABLE),
    assignment: new TableWriter(sink, ASSIGNMENT_TABLE),
    helpRecord: new TableWriter(sink, HELP_RECORD_TABLE),
    demand: new TableWriter(sink, DEMAND_TABLE),
    demandEvent: new TableWriter(sink, DEMAND_EVENT_TABLE),
  };
}

/** Stage "households": each household with its residents, petition case, assignments, help records and demands. */
export async function writeHouseholds(build: CityBuild, sink: Sink): Promise<void> {
  const writers = householdWriters(sink);
  const householdCount = build.profileOf.length;
  const ids: RowIds = { resident: 0, assignment: 0, helpRecord: 0, demand: 0, demandEvent: 0, answers: 0 };
  for (let index = 0; index < householdCount; index += 1) {
    const profile = build.profileOf[index]!;
    const household: HouseholdInBuild = {
      index,
      id: index + 1,
      profile,
      place: build.places[build.placeOf[index]!]!,
      createdAt: profile.roundOne ? ROUND_ONE_REGISTERED : ROUND_TWO_REGISTERED,
    };
    const { headName, petitionerResidentId } = writeResidents(build, writers, household, ids);
    writePetitionCase(build, writers, household, petitionerResidentId);
    const visits = planVisits(build, writers, household, ids);
    const latestIds = writeHelpRecords(build, writers, household, visits, ids);
    writeHouseholdRow(build, writers, household, headName, visits.at(-1)?.at ?? null);
    writeDemands(build, writers, household, visits, latestIds, ids);
    if (household.id % 250 === 0) {
      await sink.drain();
      build.onProgress({ stage: 'households', done: household.id, total: householdCount });
    }
  }
  for (const writer of Object.values(writers)) writer.flush();
  await sink.drain();
  build.onProgress({ stage: 'households', done: householdCount, total: householdCount });
}

/**
 * The residents, the head first, whose name is the household's. The key-focus person and the
 * petitioner are adults: the head, or the spouse when there is one.
 */
function writeResidents(
  build: CityBuild,
  writers: HouseholdWriters,
  household: HouseholdInBuild,
  ids: RowIds,
): { headName: string; petitionerResidentId: number } {
  const { random } = build;
  const { profile, createdAt } = household;
  const size = random.weighted([
    [3, 1],
    [4, 2],
    [4, 3],
    [2, 4],
    [1, 5],
  ] as const);
  const familyName = surname(random);
  const headGender = random.chance(0.5) ? Gender.MALE : Gender.FEMALE;
  const headBirthYear = random.int(1940, 1980);
  const headName = familyName + givenName(random);
  const keyFocusMember = profile.keyFocus ? (size >= 2 && random.chance(0.3) ? 1 : 0) : -1;
  const petitionerMember = profile.petitioner ? (size >= 2 && random.chance(0.2) ? 1 : 0) : -1;
  let petitionerResidentId = 0;
  for (let member = 0; member < size; member += 1) {
    const relation =
      member === 0 ? ResidentRelation.HEAD : member === 1 ? ResidentRelation.SPOUSE : member === 4 ? ResidentRelation.PARENT : ResidentRelation.CHILD;
    const gender = member === 0 ? headGender : member === 1 ? otherGender(headGender) : random.chance(0.5) ? Gender.MALE : Gender.FEMALE;
    const birthYear =
      member === 0
        ? headBirthYear
        : member === 1
          ? headBirthYear + random.int(-3, 3)
          : member === 4
            ? headBirthYear - random.int(24, 30)
            : Math.min(headBirthYear + random.int(22, 32), 2010);
    const birthDate = `${birthYear}-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}`;
    const name = member === 0 ? headName : member === 1 ? personName(random) : familyName + givenName(random);
    // Children born after 2004 had no ID card when the campaign registered them.
    const idNumber = birthYear <= 2004 ? build.idNumbers.issue(household.place.code.slice(0, 6), birthDate, gender) : null;
    const keyFocusReason = member === keyFocusMember ? keyFocusReasonOf(build) : null;
    const id = ++ids.resident;
    if (member === petitionerMember) petitionerResidentId = id;
    const isPetitioner = member === petitionerMember;
    writers.resident.add({
      id,
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
  return { headName, petitionerResidentId };
}

function otherGender(gender: Gender): Gender {
  return gender === Gender.MALE ? Gender.FEMALE : Gender.MALE;
}

function keyFocusReasonOf(build: CityBuild): KeyFocusReason {
  return build.random.weighted([
    [2, KeyFocusReason.RELEASED_PRISONER],
    [4, KeyFocusReason.UNEMPLOYED],
    [2, KeyFocusReason.GRIEVANCE],
    [2, KeyFocusReason.SUDDEN_MISFORTUNE],
    [1, KeyFocusReason.DISASTER_VICTIM],
  ] as const);
}

/** The petition case of a petitioner household: received before round two was launched (积访 are old cases). */
function writePetitionCase(build: CityBuild, writers: HouseholdWriters, household: HouseholdInBuild, residentId: number): void {
  const caseId = build.petitionCaseIdOf.get(household.index);
  if (caseId === undefined) return;
  const { random } = build;
  const [title, demand] = random.pick(PETITION_TITLES);
  const receivedAt = random.int(utcMs('2003-01-01'), utcMs('2011-04-20'));
  const leader = build.majorLeaderOf.get(household.index) ?? null;
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
  writers.petitionCase.add({
    id: caseId,
    householdId: household.id,
    residentId,
    title: title!,
    demand: demand!,
    receivedOn: shanghaiDay(receivedAt),
    majorBacklog: leader !== null,
    responsibleLeaderId: leader,
    status,
    resolvedAt: settled ? sqlDatetime(random.int(Math.max(receivedAt, ROUND_TWO_START), TODAY)) : null,
    resolution: settled ? '经包案领导协调，落实相关政策，当事人息诉罢访' : null,
    createdAt: household.createdAt,
    updatedAt: household.createdAt,
  });
}

function writeHouseholdRow(build: CityBuild, writers: HouseholdWriters, household: HouseholdInBuild, headName: string, lastVisit: number | null): void {
  const { random } = build;
  const { profile, place, createdAt } = household;
  const phone = householdPhone(random);
  const address = householdAddress(random, { level: place.level, name: place.name, townshipName: place.township.name });
  writers.household.add({
    id: household.id,
    regionId: place.id,
    address,
    headName,
    phone,
    isHardship: profile.hardship,
    isKeyFocus: profile.keyFocus,
    isPetitioner: profile.petitioner,
    hardshipReasons: profile.hardship ? hardshipReasons(random) : '',
    status: profile.roundTwo ? HouseholdStatus.ACTIVE : HouseholdStatus.LIFTED,
    lastVisitAt: lastVisit === null ? null : sqlDatetime(lastVisit),
    version: 1,
    createdAt,
    updatedAt: lastVisit === null ? createdAt : sqlDatetime(lastVisit),
  });
}

/**
 * Demands, raised on a visit: most are resolved on the next visit and confirmed on the one after; a
 * household lifted out of hardship has none left open.
 */
function writeDemands(
  build: CityBuild,
  writers: HouseholdWriters,
  household: HouseholdInBuild,
  visits: readonly Visit[],
  latestIds: readonly number[],
  ids: RowIds,
): void {
  const { random } = build;
  const { roundTwo } = household.profile;
  const demandCount = random.weighted([
    [5, 0],
    [3, 1],
    [2, 2],
  ] as const);
  for (let k = 0; k < demandCount && visits.length >= 3; k += 1) {
    const category = random.pick(Object.values(DemandCategory));
    const raisedIndex = roundTwo ? random.int(0, visits.length - 1) : random.int(0, visits.length - 3);
    const raisedAt = visits[raisedIndex]!.at;
    const later = visits.length - 1 - raisedIndex;
    let status: DemandStatus;
    let resolvedById: number | null = null;
    let resolvedAt: string | null = null;
    let confirmedAt: string | null = null;
    // The resolution and the household's answer to it (回访), for the demand's timeline too.
    let resolution: { helpRecordId: number; at: string } | null = null;
    let answer: (ReturnType<typeof householdAnswer> & { at: string }) | null = null;
    if (!roundTwo || (later > 0 && random.chance(0.7))) {
      resolvedById = latestIds[raisedIndex + 1]!;
      resolvedAt = sqlDatetime(visits[raisedIndex + 1]!.at);
      resolution = { helpRecordId: resolvedById, at: resolvedAt };
      if (later > 1) {
        // Chosen by position, not drawn: the random stream, and every other row, stays as it was.
        answer = { ...householdAnswer(ids.answers), at: sqlDatetime(visits[raisedIndex + 2]!.at) };
        ids.answers += 1;
        if (answer.satisfaction === Satisfaction.DISSATISFIED) {
          status = DemandStatus.OPEN;
          resolvedById = null;
          resolvedAt = null;
        } else {
          status = DemandStatus.CONFIRMED;
          confirmedAt = answer.at;
        }
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
    const text = random.pick(DEMAND_TEXTS[category]);
    writers.demand.add({
      id: ++ids.demand,
      householdId: household.id,
      category,
      text,
      raisedAt: sqlDatetime(raisedAt),
      dueOn: shanghaiDay(raisedAt + 30 * DAY_MS),
      status,
      raisedInId: latestIds[raisedIndex]!,
      resolvedById,
      resolvedAt,
      confirmedAt,
      satisfaction: answer?.satisfaction ?? null,
      confirmationNote: answer?.note ?? null,
      reopenCount: answer?.satisfaction === Satisfaction.DISSATISFIED ? 1 : 0,
      createdAt: sqlDatetime(raisedAt),
      updatedAt: answer?.at ?? resolvedAt ?? sqlDatetime(raisedAt),
    });
    const demandId = ids.demand;
    const step = (kind: DemandEventKind, at: string, helpRecordId: number | null, answered: typeof answer = null) =>
      writers.demandEvent.add({
        id: ++ids.demandEvent,
        demandId,
        kind,
        at,
        helpRecordId,
        satisfaction: answered?.satisfaction ?? null,
        note: answered?.note ?? null,
        createdAt: at,
      });
    step(DemandEventKind.RAISED, sqlDatetime(raisedAt), latestIds[raisedIndex]!);
    if (resolution) step(DemandEventKind.RESOLVED, resolution.at, resolution.helpRecordId);
    if (resolution && answer) {
      const kind = answer.satisfaction === Satisfaction.DISSATISFIED ? DemandEventKind.REOPENED : DemandEventKind.CONFIRMED;
      step(kind, answer.at, resolution.helpRecordId, answer);
    }
  }
}
