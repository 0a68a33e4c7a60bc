import { RegionLevel, Role, UnitKind } from '@wanjia/shared';
import { CONTACT_POINT_KINDS } from '../demo/benxi-geography';
import { CITY_CREATED_AT, type CityBuild } from './city-build';
import type { RoundPlan } from './city-plan';
import { CONTACT_POINT_KIND_TABLE, CONTACT_POINT_TABLE, USER_ACCOUNT_TABLE } from './city-tables';
import { TableWriter, type Sink } from './sink';

/** What a contact point is kept with: a region, a unit, a household or a petition case (one of them). */
type ContactTarget = [kindCode: string, regionId: number | null, unitId: number | null, householdId: number | null, petitionCaseId: number | null];

/** Stage "leaders and accounts": the city leaders' contact points (八个一) in both rounds, and the cadres' sign-in accounts. */
export function writeLeadersAndAccounts(build: CityBuild, sink: Sink): void {
  const kinds = new TableWriter(sink, CONTACT_POINT_KIND_TABLE);
  CONTACT_POINT_KINDS.forEach((kind, index) => kinds.add({ id: index + 1, code: kind.code, name: kind.name, sortOrder: index + 1, active: true }));
  kinds.flush();
  writeContactPoints(build, sink, new Map<string, number>(CONTACT_POINT_KINDS.map((kind, index) => [kind.code, index + 1])));
  writeAccounts(build, sink);
}

function writeContactPoints(build: CityBuild, sink: Sink, kindId: ReadonlyMap<string, number>): void {
  const targetsOf = contactTargets(build);
  const points = new TableWriter(sink, CONTACT_POINT_TABLE);
  let pointId = 0;
  const rounds: { id: number; plan: RoundPlan; endedOn: string | null }[] = [
    { id: 1, plan: build.plan.roundOne, endedOn: build.plan.roundOne.endsOn },
    { id: 2, plan: build.plan.roundTwo, endedOn: null },
  ];
  for (const round of rounds) {
    build.cityLeaders.forEach((leader, i) => {
      for (const [code, region, unit, household, petitionCase] of targetsOf(leader, i + round.id * 5)) {
        if (region === null && unit === null && household === null && petitionCase === null) continue;
        points.add({
          id: ++pointId,
          leaderId: leader,
          kindId: kindId.get(code)!,
          roundId: round.id,
          targetRegionId: region,
          unitId: unit,
          householdId: household,
          petitionCaseId: petitionCase,
          note: null,
          startedOn: round.plan.startsOn,
          endedOn: round.endedOn,
          createdAt: CITY_CREATED_AT,
        });
      }
    });
  }
  points.flush();
}

/**
 * The eight targets of a leader's contact points: a county, a township, a village, a community, an
 * enterprise, a school, a hardship household and a petition case (the leader's own major case when
 * there is one), spread over the city by `k`. A kind with nothing to point at is left out.
 */
function contactTargets(build: CityBuild): (leader: number, k: number) => ContactTarget[] {
  const { counties, townships, places, units } = build;
  const villages = places.filter((place) => place.level === RegionLevel.VILLAGE);
  const communities = places.filter((place) => place.level === RegionLevel.COMMUNITY);
  const enterprises = units.filter((unit) => unit.kind === UnitKind.STATE_ENTERPRISE);
  const schools = units.filter((unit) => /学|校/.test(unit.name));
  const hardshipHouseholds: number[] = [];
  for (let index = 0; index < build.profileOf.length && hardshipHouseholds.length < 5000; index += 1) {
    const profile = build.profileOf[index]!;
    if (profile.hardship && profile.roundOne && profile.roundTwo) hardshipHouseholds.push(index + 1);
  }
  const majorCaseOf = new Map<number, number>();
  const anyMajor: number[] = [];
  for (const [index, leader] of build.majorLeaderOf) {
    const caseId = build.petitionCaseIdOf.get(index)!;
    if (!majorCaseOf.has(leader)) majorCaseOf.set(leader, caseId);
    anyMajor.push(caseId);
  }
  anyMajor.sort((a, b) => a - b);
  const nth = <T>(items: readonly T[], n: number): T | null => (items.length ? items[n % items.length]! : null);
  return (leader, k) => [
    ['COUNTY', counties[k % counties.length]!.id, null, null, null],
    ['TOWNSHIP', townships[(k * 2) % townships.length]!.id, null, null, null],
    ['VILLAGE', nth(villages, k * 7)?.id ?? null, null, null, null],
    ['COMMUNITY', nth(communities, k * 5)?.id ?? null, null, null, null],
    ['ENTERPRISE', null, nth(enterprises, k)?.id ?? null, null, null],
    ['SCHOOL', null, nth(schools, k)?.id ?? null, null, null],
    ['HARDSHIP_HOUSEHOLD', null, null, nth(hardshipHouseholds, k * 13), null],
    ['PETITION_CASE', null, null, null, majorCaseOf.get(leader) ?? nth(anyMajor, k)],
  ];
}

/** Every cadre of the current round and every leader has a sign-in account, to be bound to WeChat. */
function writeAccounts(build: CityBuild, sink: Sink): void {
  const accounts = new TableWriter(sink, USER_ACCOUNT_TABLE);
  let accountId = 0;
  for (let id = 1; id <= build.cadreCount; id += 1) {
    // Leaders belong to no unit's pool (cadreUnit 0).
    if (build.inRoundTwo[id] || build.cadreUnit[id] === 0)
      accounts.add({ id: ++accountId, role: Role.CADRE, cadreId: id, active: true, createdAt: CITY_CREATED_AT });
  }
  accounts.flush();
}
