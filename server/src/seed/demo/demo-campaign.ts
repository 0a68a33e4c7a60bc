import { CadreRank, RegionLevel, Role, UnitKind, UnitLevel } from '@wanjia/shared';
import { shanghaiDate } from '../../core/time';
import { hashPassword } from '../../modules/accounts/password.service';
import { DEMO_PASSWORDS } from '../../modules/accounts/published-passwords';
import { UserAccount } from '../../modules/accounts/user-account.entity';
import type { Assignment } from '../../modules/assignments/assignment.entity';
import { Cadre } from '../../modules/cadres/cadre.entity';
import { ContactPointKind } from '../../modules/contact-points/contact-point-kind.entity';
import { ContactPoint } from '../../modules/contact-points/contact-point.entity';
import type { Household } from '../../modules/households/household.entity';
import type { PetitionCase } from '../../modules/petition-cases/petition-case.entity';
import { Region, childPath } from '../../modules/regions/region.entity';
import { Round } from '../../modules/rounds/round.entity';
import { UnitPairing } from '../../modules/unit-pairings/unit-pairing.entity';
import { Unit } from '../../modules/units/unit.entity';
import { BENXI, BENXI_COUNTIES, COMMUNITY_STEMS, CONTACT_POINT_KINDS, UNITS, VILLAGE_STEMS } from './benxi-geography';
import { DAY_MS, type DemoRandom } from './demo-random';

/** On the reference day 2026-11-20 these give 2023-08-01 → 2026-07-31 and 2026-05-01 → 2029-04-30. */
const NEW_ROUND_AGE_DAYS = 203;
const FIRST_ROUND_LEAD_DAYS = 1004;
const ROUNDS_OVERLAP_DAYS = 91;

/** The campaign's frame: rounds, the region tree, units and their pairings, cadres, contact points, accounts. */
export class DemoCampaign {
  constructor(private readonly random: DemoRandom) {}

  // --- rounds and the region tree -------------------------------------------------------------

  /**
   * The article's shape placed around the demo's today: a three-year round that began in August, and
   * the new three-year round launched the following May, overlapping it by three months. Measured in
   * days from today (as on the reference day, 2026-11-20), so that a demo written on any day shows a
   * campaign seven months into its new round.
   */
  rounds(): [Round, Round] {
    const day = (offsetDays: number, from = this.random.options.today) => shanghaiDate(new Date(from.getTime() + offsetDays * DAY_MS));
    const launch = new Date(this.random.options.today.getTime() - NEW_ROUND_AGE_DAYS * DAY_MS);
    const first = new Round();
    first.name = '第一轮';
    first.startsOn = day(-FIRST_ROUND_LEAD_DAYS, launch);
    first.endsOn = day(ROUNDS_OVERLAP_DAYS, launch);
    const second = new Round();
    second.name = '新一轮';
    second.startsOn = day(0, launch);
    const threeYearsOn = new Date(`${second.startsOn}T00:00:00Z`);
    threeYearsOn.setUTCFullYear(threeYearsOn.getUTCFullYear() + 3);
    second.endsOn = new Date(threeYearsOn.getTime() - DAY_MS).toISOString().slice(0, 10);
    return [first, second];
  }

  private region(code: string, name: string, level: RegionLevel, parent: Region | null): Region {
    const region = new Region();
    region.code = code;
    region.name = name;
    region.level = level;
    region.parent = parent ?? undefined;
    region.path = childPath(parent, code);
    region.depth = parent ? parent.depth + 1 : 0;
    return region;
  }

  regions() {
    const city = this.region(BENXI.code, BENXI.name, RegionLevel.CITY, null);
    const counties: Region[] = [];
    const townships: Region[] = [];
    const places: Region[] = [];
    let communityStem = 0;
    let villageStem = 0;
    for (const countySeed of BENXI_COUNTIES) {
      const county = this.region(`${countySeed.code}000000`, countySeed.name, countySeed.level, city);
      counties.push(county);
      countySeed.townships.forEach((townshipSeed, index) => {
        const township = this.region(`${countySeed.code}${townshipSeed.code}000`, townshipSeed.name, townshipSeed.level, county);
        townships.push(township);
        const isStreet = townshipSeed.level === RegionLevel.STREET;
        // Streets hold communities; towns hold villages, and the first town of a county also its seat's community.
        const communities = isStreet ? 2 : index === 0 ? 1 : 0;
        const villages = isStreet ? 0 : 2;
        for (let c = 1; c <= communities; c += 1) {
          const stem = COMMUNITY_STEMS[communityStem++ % COMMUNITY_STEMS.length]!;
          places.push(this.region(`${township.code.slice(0, 9)}${String(c).padStart(3, '0')}`, `${stem}社区`, RegionLevel.COMMUNITY, township));
        }
        for (let v = 1; v <= villages; v += 1) {
          const stem = VILLAGE_STEMS[villageStem++ % VILLAGE_STEMS.length]!;
          places.push(this.region(`${township.code.slice(0, 9)}${String(200 + v)}`, `${stem}村`, RegionLevel.VILLAGE, township));
        }
      });
    }
    return { city, counties, townships, places };
  }

  // --- units, pairings and cadres ---------------------------------------------------------------

  units(city: Region, counties: Region[]): Unit[] {
    return UNITS.map((seed) => {
      const unit = new Unit();
      unit.name = seed.name;
      unit.kind = UnitKind[seed.kind];
      unit.level = seed.county ? UnitLevel.COUNTY : UnitLevel.CITY;
      unit.region = seed.county ? counties.find((county) => county.code.startsWith(seed.county!))! : city;
      return unit;
    });
  }

  pairings(units: Unit[], places: Region[], rounds: [Round, Round]): UnitPairing[] {
    const pairings: UnitPairing[] = [];
    places.forEach((place, index) => {
      // County units pair inside their own county; city units anywhere.
      const local = units.filter((unit) => unit.level === UnitLevel.COUNTY && place.path.startsWith(unit.region.path));
      const cityUnits = units.filter((unit) => unit.level === UnitLevel.CITY);
      const firstRoundUnit = cityUnits[index % cityUnits.length]!;
      const newRoundUnit = local.length > 0 && index % 2 === 0 ? local[index % local.length]! : cityUnits[(index + 7) % cityUnits.length]!;
      const [first, second] = rounds;
      pairings.push(this.pairing(firstRoundUnit, place, first, first.startsOn, first.endsOn, '本轮结束'));
      pairings.push(this.pairing(newRoundUnit, place, second, second.startsOn, null, null));
    });
    return pairings;
  }

  private pairing(unit: Unit, region: Region, round: Round, startedOn: string, endedOn: string | null, endReason: string | null) {
    const pairing = new UnitPairing();
    pairing.unit = unit;
    pairing.region = region;
    pairing.round = round;
    pairing.startedOn = startedOn;
    pairing.endedOn = endedOn;
    pairing.endReason = endReason;
    return pairing;
  }

  cadres(units: Unit[]): { cadres: Cadre[]; leaders: Cadre[] } {
    const cadres: Cadre[] = [];
    const leaders: Cadre[] = [];
    units.forEach((unit, unitIndex) => {
      const size = 7 + (unitIndex % 2);
      for (let i = 0; i < size; i += 1) {
        const cadre = new Cadre();
        cadre.name = this.random.faker.person.fullName();
        cadre.unit = unit;
        // The head of each of the first eight city agencies is a city-level leader with contact points.
        const isLeader = i === 0 && unitIndex < 8;
        cadre.rank = isLeader
          ? CadreRank.BUREAU
          : i === 0
            ? CadreRank.DIVISION
            : this.random.faker.helpers.weightedArrayElement([
                { weight: 1, value: CadreRank.DIVISION },
                { weight: 4, value: CadreRank.SECTION },
                { weight: 6, value: CadreRank.STAFF },
              ]);
        cadre.post = isLeader ? '市级领导' : cadre.rank === CadreRank.DIVISION ? '副局长' : cadre.rank === CadreRank.SECTION ? '科长' : '科员';
        cadre.partyMember = this.random.faker.number.int(100) < 94;
        cadre.phone = this.random.mobile();
        cadre.active = isLeader || (cadres.length + 1) % 37 !== 0;
        cadre.householdCapacity = isLeader ? 2 : 5;
        cadres.push(cadre);
        if (isLeader) leaders.push(cadre);
      }
    });
    return { cadres, leaders };
  }

  // --- contact points and accounts ------------------------------------------------------------------

  contactPoints(
    leaders: Cadre[],
    round: Round,
    targets: { counties: Region[]; townships: Region[]; places: Region[]; units: Unit[]; households: Household[]; petitionCases: PetitionCase[] },
  ) {
    const contactPointKinds = CONTACT_POINT_KINDS.map((seed, index) => {
      const kind = new ContactPointKind();
      kind.code = seed.code;
      kind.name = seed.name;
      kind.sortOrder = index + 1;
      return kind;
    });
    const kindByCode = new Map(contactPointKinds.map((kind) => [kind.code, kind]));
    const villages = targets.places.filter((place) => place.level === RegionLevel.VILLAGE);
    const communities = targets.places.filter((place) => place.level === RegionLevel.COMMUNITY);
    const enterprises = targets.units.filter((unit) => unit.kind === UnitKind.STATE_ENTERPRISE);
    const schools = targets.units.filter((unit) => /学|校/.test(unit.name));
    const hardship = targets.households.filter((household) => household.isHardship);
    const contactPoints: ContactPoint[] = [];
    leaders.forEach((leader, i) => {
      const majorCase =
        targets.petitionCases.find((petitionCase) => petitionCase.responsibleLeader === leader) ?? targets.petitionCases[i % targets.petitionCases.length];
      const plan: [string, Partial<Pick<ContactPoint, 'targetRegion' | 'unit' | 'household' | 'petitionCase'>>][] = [
        ['COUNTY', { targetRegion: targets.counties[i % targets.counties.length] }],
        ['TOWNSHIP', { targetRegion: targets.townships[(i * 2) % targets.townships.length] }],
        ['VILLAGE', { targetRegion: villages[i % villages.length] }],
        ['COMMUNITY', { targetRegion: communities[i % communities.length] }],
        ['ENTERPRISE', { unit: enterprises[i % enterprises.length] }],
        ['SCHOOL', { unit: schools[i % schools.length] }],
        ['HARDSHIP_HOUSEHOLD', { household: hardship[(i * 13) % hardship.length] }],
        ['PETITION_CASE', { petitionCase: majorCase }],
      ];
      for (const [code, target] of plan) {
        const point = new ContactPoint();
        point.leader = leader;
        point.kind = kindByCode.get(code)!;
        point.round = round;
        Object.assign(point, target);
        point.startedOn = round.startsOn;
        contactPoints.push(point);
      }
    });
    return { contactPointKinds, contactPoints };
  }

  async accounts(city: Region, counties: Region[], assignments: Assignment[]): Promise<UserAccount[]> {
    const pingshan = counties.find((county) => county.name === '平山区')!;
    const passwordAccount = async (username: keyof typeof DEMO_PASSWORDS, role: Role, scope: Region) => {
      const account = new UserAccount();
      account.username = username;
      account.role = role;
      account.scopeRegion = scope;
      account.passwordHash = await hashPassword(DEMO_PASSWORDS[username]);
      return account;
    };
    const accounts = [
      await passwordAccount('admin', Role.ADMIN, city),
      await passwordAccount('pingshan-admin', Role.ADMIN, pingshan),
      await passwordAccount('analyst', Role.ANALYST, city),
    ];
    // Three cadres with households in the new round get accounts, to be bound to WeChat.
    const withHouseholds: Cadre[] = [];
    for (const assignment of assignments) {
      if (!assignment.endedAt && !withHouseholds.includes(assignment.cadre)) withHouseholds.push(assignment.cadre);
      if (withHouseholds.length === 3) break;
    }
    for (const cadre of withHouseholds) {
      const account = new UserAccount();
      account.role = Role.CADRE;
      account.cadre = cadre;
      accounts.push(account);
    }
    return accounts;
  }
}
