import { CadreRank, UnitLevel } from '@wanjia/shared';
import { CITY_CREATED_AT, type CityBuild, type PerRound } from './city-build';
import { CADRE_TABLE } from './city-tables';
import { assignCadres, planHouseholds, planPetitionCases, shareRoundOneFigures } from './household-plan';
import { mobilePhone, personName } from './person-details';
import { apportion } from './random';
import { TableWriter, type Sink } from './sink';

/** Each unit's cadres, by round: the ids of those who help households in round one and in round two. */
interface UnitStaff {
  roundOne: number[];
  roundTwo: number[];
}

interface Staffing {
  staffOf: UnitStaff[];
  unitOfCadre: number[];
  activeOfCadre: boolean[];
  inRoundTwo: boolean[];
  lastCadreId: number;
}

interface LeaderRow {
  id: number;
  unitId: number;
  post: string;
}

/**
 * Stage "cadres": the households are decided first (what each is, where it lives), then each round's
 * pool of cadres per unit is sized to the households of its paired place, the cadres and leaders are
 * written, and every household gets its cadre in each round it is helped in, its share of round one's
 * figures and its petition case.
 */
export async function writeCadres(build: CityBuild, sink: Sink): Promise<void> {
  planHouseholds(build);
  const { unitPool, householdsByPlace } = cadrePools(build);
  const staffing = staffUnits(build, unitPool);
  const leaders = appointLeaders(build, staffing.lastCadreId);
  build.cadreCount = staffing.lastCadreId + leaders.length;
  build.cadreUnit = Int32Array.from({ length: build.cadreCount + 1 }, (_, id) => staffing.unitOfCadre[id] ?? 0);
  build.inRoundTwo = Uint8Array.from({ length: build.cadreCount + 1 }, (_, id) => (staffing.inRoundTwo[id] ? 1 : 0));
  await writeCadreRows(build, sink, staffing, leaders);
  assignCadres(build, staffing.staffOf, householdsByPlace);
  shareRoundOneFigures(build);
  planPetitionCases(build);
}

/**
 * Each round's cadres shared out over places in proportion to the households helped there (at least
 * one per place with households, never more than its households, so that every cadre gets one), and a
 * place's share over the units paired with it.
 */
function cadrePools(build: CityBuild): { unitPool: PerRound<Int32Array>; householdsByPlace: PerRound<number[][]> } {
  const { plan, places, units, profileOf } = build;
  const roundPlans = [plan.roundOne, plan.roundTwo] as const;
  const helpedIn = (round: 0 | 1, index: number) => (round === 0 ? profileOf[index]!.roundOne : profileOf[index]!.roundTwo);
  const unitPool: PerRound<Int32Array> = [new Int32Array(units.length), new Int32Array(units.length)];
  const householdsByPlace: PerRound<number[][]> = [[], []];
  for (const round of [0, 1] as const) {
    const byPlace: number[][] = Array.from({ length: places.length }, () => []);
    for (let index = 0; index < profileOf.length; index += 1) if (helpedIn(round, index)) byPlace[build.placeOf[index]!]!.push(index);
    householdsByPlace[round] = byPlace;
    const placePool = boundedApportion(
      roundPlans[round].cadres,
      byPlace.map((list) => list.length),
    );
    const unitsOfPlace: number[][] = Array.from({ length: places.length }, () => []);
    build.pairedPlace[round].forEach((place, unitIndex) => unitsOfPlace[place]!.push(unitIndex));
    unitsOfPlace.forEach((unitIndexes, place) => {
      const shares = apportion(
        placePool[place]!,
        unitIndexes.map(() => 1),
      );
      unitIndexes.forEach((unitIndex, k) => (unitPool[round][unitIndex] = shares[k]!));
    });
  }
  return { unitPool, householdsByPlace };
}

/**
 * A unit's cadres: round one's pool first, round two's last, overlapping (most cadres served in both);
 * the first few served in round one only (retired or moved: inactive), and one to three at the end had
 * no household (new staff).
 */
function staffUnits(build: CityBuild, unitPool: PerRound<Int32Array>): Staffing {
  const staffOf: UnitStaff[] = [];
  const unitOfCadre: number[] = [];
  const activeOfCadre: boolean[] = [];
  const inRoundTwo: boolean[] = [];
  let cadreId = 0;
  build.units.forEach((unit, unitIndex) => {
    const spare = 1 + (unitIndex % 3);
    const one = unitPool[0][unitIndex]!;
    const two = unitPool[1][unitIndex]!;
    const size = Math.max(one, two) + spare;
    const staff: UnitStaff = { roundOne: [], roundTwo: [] };
    for (let k = 0; k < size; k += 1) {
      const id = ++cadreId;
      const servesTwo = k >= size - spare - two && k < size - spare;
      unitOfCadre[id] = unit.id;
      inRoundTwo[id] = servesTwo;
      activeOfCadre[id] = servesTwo || k >= size - spare;
      if (k < one) staff.roundOne.push(id);
      if (servesTwo) staff.roundTwo.push(id);
    }
    staffOf.push(staff);
  });
  return { staffOf, unitOfCadre, activeOfCadre, inRoundTwo, lastCadreId: cadreId };
}

/** City-level leaders in the first city agencies, district and county leaders in each area's bureaus; ids after `lastCadreId`. */
function appointLeaders(build: CityBuild, lastCadreId: number): LeaderRow[] {
  const { plan, units } = build;
  let cadreId = lastCadreId;
  const leaders: LeaderRow[] = [];
  const cityUnits = units.filter((unit) => unit.level === UnitLevel.CITY);
  for (let k = 0; k < plan.cityLeaders; k += 1) {
    const id = ++cadreId;
    build.cityLeaders.push(id);
    leaders.push({ id, unitId: cityUnits[k % cityUnits.length]!.id, post: '市级领导' });
  }
  build.counties.forEach((county, countyIndex) => {
    const local = units.filter((unit) => unit.countyIndex === countyIndex && unit.level === UnitLevel.COUNTY);
    const ids: number[] = [];
    for (let k = 0; k < plan.countyLeadersPerCounty; k += 1) {
      const id = ++cadreId;
      ids.push(id);
      leaders.push({ id, unitId: (local[k % Math.max(1, local.length)] ?? cityUnits[0]!).id, post: `${county.short}领导` });
    }
    build.countyLeaders.push(ids);
  });
  return leaders;
}

async function writeCadreRows(build: CityBuild, sink: Sink, staffing: Staffing, leaders: readonly LeaderRow[]): Promise<void> {
  const { random } = build;
  const createdAt = CITY_CREATED_AT;
  const cadres = new TableWriter(sink, CADRE_TABLE);
  const leaderById = new Map(leaders.map((row) => [row.id, row]));
  for (let id = 1; id <= build.cadreCount; id += 1) {
    const leader = leaderById.get(id);
    if (leader) {
      const name = personName(random);
      cadres.add({
        id,
        name,
        unitId: leader.unitId,
        post: leader.post,
        rank: CadreRank.BUREAU,
        partyMember: true,
        phone: mobilePhone(random),
        active: true,
        householdCapacity: 2,
        createdAt,
        updatedAt: createdAt,
      });
      continue;
    }
    const rank = random.weighted([
      [1, CadreRank.DIVISION],
      [4, CadreRank.SECTION],
      [6, CadreRank.STAFF],
    ] as const);
    const post =
      rank === CadreRank.DIVISION ? random.pick(['副局长', '处长', '副处长']) : rank === CadreRank.SECTION ? random.pick(['科长', '副科长']) : '科员';
    const name = personName(random);
    const partyMember = random.chance(0.94);
    cadres.add({
      id,
      name,
      unitId: staffing.unitOfCadre[id]!,
      post,
      rank,
      partyMember,
      phone: mobilePhone(random),
      active: staffing.activeOfCadre[id]!,
      householdCapacity: 5,
      createdAt,
      updatedAt: createdAt,
    });
    if (id % 5000 === 0) await sink.drain();
  }
  cadres.flush();
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
