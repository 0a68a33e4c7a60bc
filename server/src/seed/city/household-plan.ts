import type { CityBuild, PerRound } from './city-build';
import { apportion } from './random';

/**
 * What is decided about the households before any is written (index = household id - 1), so that the
 * plan's quotas come out exactly: what each household is, where it lives, which cadre helps it in each
 * round, its share of round one's figures and its petition case.
 */

/** The profiles' counts, shuffled over the city; household i lives in place i mod P. */
export function planHouseholds(build: CityBuild): void {
  for (const entry of build.plan.profiles) for (let k = 0; k < entry.households; k += 1) build.profileOf.push(entry);
  build.random.shuffle(build.profileOf);
  const placeCount = build.places.length;
  build.placeOf = Int32Array.from({ length: build.profileOf.length }, (_, index) => index % placeCount);
}

/**
 * Which cadre helps which household: a place's households in id order, round-robin over the cadres of
 * the unit(s) paired with the place in that round.
 */
export function assignCadres(build: CityBuild, staffOf: readonly { roundOne: number[]; roundTwo: number[] }[], householdsByPlace: PerRound<number[][]>): void {
  const householdCount = build.profileOf.length;
  build.cadreOf = [new Int32Array(householdCount), new Int32Array(householdCount)];
  for (const round of [0, 1] as const) {
    const poolOfPlace: number[][] = Array.from({ length: build.places.length }, () => []);
    build.pairedPlace[round].forEach((place, unitIndex) => {
      const ids = round === 0 ? staffOf[unitIndex]!.roundOne : staffOf[unitIndex]!.roundTwo;
      poolOfPlace[place]!.push(...ids);
    });
    householdsByPlace[round].forEach((households, place) => {
      const pool = poolOfPlace[place]!;
      households.forEach((index, k) => (build.cadreOf[round][index] = pool[k % pool.length]!));
    });
  }
}

/** Round one's funds and materials and problems solved, shared out over its households so that the totals are the article's figures exactly. */
export function shareRoundOneFigures(build: CityBuild): void {
  const { random, plan } = build;
  const householdCount = build.profileOf.length;
  const roundOneIndexes: number[] = [];
  for (let index = 0; index < householdCount; index += 1) if (build.profileOf[index]!.roundOne) roundOneIndexes.push(index);
  const funds = apportion(
    plan.roundOne.fundsAndMaterialsFen! / 100,
    roundOneIndexes.map(() => 0.3 + random.next() * 1.4),
  );
  const problems = apportion(
    plan.roundOne.problemsSolved!,
    roundOneIndexes.map(() => 0.2 + random.next()),
  );
  build.fundsYuanOf = new Float64Array(householdCount);
  build.problemsOf = new Int32Array(householdCount);
  roundOneIndexes.forEach((index, k) => {
    build.fundsYuanOf[index] = funds[k]!;
    build.problemsOf[index] = problems[k]!;
  });
}

/**
 * Petition cases: one per petitioner household, numbered in household order; the major backlog cases
 * are drawn from the households that come to the campaign in round two, each with a responsible leader
 * (two in three a district or county leader of the case's area, one in three a city leader).
 */
export function planPetitionCases(build: CityBuild): void {
  const { random, cityLeaders } = build;
  const candidates: number[] = [];
  let caseId = 0;
  for (let index = 0; index < build.profileOf.length; index += 1) {
    const entry = build.profileOf[index]!;
    if (!entry.petitioner) continue;
    build.petitionCaseIdOf.set(index, ++caseId);
    if (!entry.roundOne && entry.roundTwo) candidates.push(index);
  }
  random.shuffle(candidates);
  candidates.slice(0, build.plan.roundTwo.majorBacklogCases).forEach((index, k) => {
    const local = build.countyLeaders[build.places[build.placeOf[index]!]!.countyIndex]!;
    build.majorLeaderOf.set(index, k % 3 === 0 || local.length === 0 ? cityLeaders[k % cityLeaders.length]! : local[k % local.length]!);
  });
}
