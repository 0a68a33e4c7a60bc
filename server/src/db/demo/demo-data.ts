import { createHash } from 'node:crypto';
import { Faker, zh_CN, base, en } from '@faker-js/faker';
import {
  AssignmentKind,
  CadreRank,
  DemandCategory,
  DemandStatus,
  Gender,
  HardshipReason,
  HelpKind,
  HouseholdStatus,
  KeyFocusReason,
  PetitionCaseStatus,
  RegionLevel,
  ResidentRelation,
  Role,
  TargetGroup,
  UnitKind,
  UnitLevel,
  idNumberCheckCharacter,
} from '@wanjia/shared';
import { UserAccount } from '../../modules/accounts/user-account.entity';
import { hashPassword } from '../../modules/accounts/password';
import { DEMO_PASSWORDS } from '../../modules/accounts/published-passwords';
import { Assignment } from '../../modules/assignments/assignment.entity';
import { AuditEntry } from '../../modules/audit/audit-entry.entity';
import { Cadre } from '../../modules/cadres/cadre.entity';
import { ContactPointKind } from '../../modules/contact-points/contact-point-kind.entity';
import { ContactPoint } from '../../modules/contact-points/contact-point.entity';
import { Demand } from '../../modules/demands/demand.entity';
import { HelpRecord } from '../../modules/help-records/help-record.entity';
import { rebuildAnalyticsSummaries } from '../../modules/help-records/help-record-summary';
import { Household } from '../../modules/households/household.entity';
import { Resident } from '../../modules/households/resident.entity';
import { PetitionCase } from '../../modules/petition-cases/petition-case.entity';
import { Region, childPath } from '../../modules/regions/region.entity';
import { Round } from '../../modules/rounds/round.entity';
import { UnitPairing } from '../../modules/unit-pairings/unit-pairing.entity';
import { Unit } from '../../modules/units/unit.entity';
import { shanghaiDate } from '../../core/time';
import type { Em } from '../../core/entity-manager';
import { BENXI, BENXI_COUNTIES, COMMUNITY_STEMS, CONTACT_POINT_KINDS, UNITS, VILLAGE_STEMS } from './benxi-geography';
import { DEMAND_TEXTS, HELP_SUMMARIES, PETITION_TITLES } from './demo-texts';

/**
 * The demo data set: Benxi's real districts and counties, made-up villages, units, cadres and
 * households, and two rounds of assignments and help records. The same seed gives the same rows.
 *
 * The rounds follow the article's shape (a three-year round from August, a new three-year round
 * launched the following May, overlapping) but are placed around `today` so that the demo's
 * overdue visits and open demands look like a campaign in progress rather than 2011's archive.
 */

export interface DemoOptions {
  seed: number;
  households: number;
  /** The demo's "today": help records stop here. */
  today: Date;
  onStep?: (step: string) => void;
}

export const DEFAULT_DEMO_OPTIONS: Omit<DemoOptions, 'onStep'> = {
  seed: 20_110_501,
  households: 1000,
  today: new Date('2026-11-20T04:00:00Z'),
};

export const DEMO_STEPS = [
  'rounds and regions',
  'units and pairings',
  'cadres',
  'households and residents',
  'petition cases',
  'assignments',
  'help records',
  'demands',
  'contact points',
  'accounts',
  'writing to the database',
] as const;

export interface DemoAccount {
  username: string | null;
  password: string | null;
  role: Role;
  scope: string;
  cadreName?: string;
}

/** Demo-only credentials: printed at start, and meant to be replaced before real use. */
// The demo passwords live with the accounts module, which refuses them (production, password changes).
export { DEMO_PASSWORDS };

const DAY_MS = 24 * 60 * 60 * 1000;

interface Built {
  rounds: [Round, Round];
  city: Region;
  counties: Region[];
  townships: Region[];
  places: Region[];
  units: Unit[];
  pairings: UnitPairing[];
  cadres: Cadre[];
  leaders: Cadre[];
  households: Household[];
  residents: Resident[];
  petitionCases: PetitionCase[];
  assignments: Assignment[];
  helpRecords: HelpRecord[];
  demands: Demand[];
  contactPointKinds: ContactPointKind[];
  contactPoints: ContactPoint[];
  accounts: UserAccount[];
}

export interface DemoCounts {
  regions: number;
  villagesAndCommunities: number;
  units: number;
  unitPairings: number;
  cadres: number;
  households: number;
  householdsByTargetGroup: Record<TargetGroup, number>;
  residents: number;
  petitionCases: number;
  majorPetitionCases: number;
  demands: number;
  assignments: number;
  activeAssignments: number;
  helpRecords: number;
  contactPoints: number;
  accounts: number;
}

export interface DemoResult {
  counts: DemoCounts;
  accounts: DemoAccount[];
}

/** Writes the demo data set in one transaction: either all of it is there, or none. */
export async function seedDemoData(em: Em, options: DemoOptions = DEFAULT_DEMO_OPTIONS): Promise<DemoResult> {
  const faker = new Faker({ locale: [zh_CN, en, base] });
  faker.seed(options.seed);
  const generator = new DemoGenerator(faker, options);
  const built = await generator.build();
  options.onStep?.('writing to the database');
  await em.transactional(async (tx) => {
    const all: object[] = [
      ...built.rounds,
      built.city,
      ...built.counties,
      ...built.townships,
      ...built.places,
      ...built.units,
      ...built.pairings,
      ...built.cadres,
      ...built.households,
      ...built.residents,
      ...built.petitionCases,
      ...built.assignments,
      ...built.helpRecords,
      ...built.demands,
      ...built.contactPointKinds,
      ...built.contactPoints,
      ...built.accounts,
    ];
    tx.persist(all);
    await tx.flush();
    tx.persist(
      tx.create(AuditEntry, {
        operation: 'seedDemoData',
        entityName: 'Database',
        entityId: 'demo',
        changes: JSON.stringify({ seed: options.seed, households: built.households.length }),
      }),
    );
  });
  // The records were persisted around the help-record service: attribute them and build the analysts' monthly summary.
  await rebuildAnalyticsSummaries(em);
  return { counts: countsOf(built), accounts: generator.demoAccounts(built) };
}

function countsOf(built: Built): DemoCounts {
  const byGroup = { [TargetGroup.HARDSHIP]: 0, [TargetGroup.KEY_FOCUS]: 0, [TargetGroup.PETITIONER]: 0 };
  for (const household of built.households) {
    for (const group of household.targetGroups) byGroup[group] += 1;
  }
  return {
    regions: 1 + built.counties.length + built.townships.length + built.places.length,
    villagesAndCommunities: built.places.length,
    units: built.units.length,
    unitPairings: built.pairings.length,
    cadres: built.cadres.length,
    households: built.households.length,
    householdsByTargetGroup: byGroup,
    residents: built.residents.length,
    petitionCases: built.petitionCases.length,
    majorPetitionCases: built.petitionCases.filter((c) => c.majorBacklog).length,
    demands: built.demands.length,
    assignments: built.assignments.length,
    activeAssignments: built.assignments.filter((a) => !a.endedAt).length,
    helpRecords: built.helpRecords.length,
    contactPoints: built.contactPoints.length,
    accounts: built.accounts.length,
  };
}

class DemoGenerator {
  private readonly usedIdNumbers = new Set<string>();
  private readonly usedPhones = new Set<string>();

  constructor(
    private readonly faker: Faker,
    private readonly options: DemoOptions,
  ) {}

  async build(): Promise<Built> {
    const step = (name: (typeof DEMO_STEPS)[number]) => this.options.onStep?.(name);
    step('rounds and regions');
    const rounds = this.rounds();
    const { city, counties, townships, places } = this.regions();
    step('units and pairings');
    const units = this.units(city, counties);
    const pairings = this.pairings(units, places, rounds);
    step('cadres');
    const { cadres, leaders } = this.cadres(units);
    step('households and residents');
    const { households, residents } = this.households(places);
    step('petition cases');
    const petitionCases = this.petitionCases(households, residents, leaders);
    step('assignments');
    const assignments = this.assignments(households, cadres, rounds);
    step('help records');
    const helpRecords = this.helpRecords(assignments);
    step('demands');
    const demands = this.demands(households, helpRecords);
    step('contact points');
    const { contactPointKinds, contactPoints } = this.contactPoints(leaders, rounds[1], { counties, townships, places, units, households, petitionCases });
    step('accounts');
    const accounts = await this.accounts(city, counties, assignments);
    return {
      rounds,
      city,
      counties,
      townships,
      places,
      units,
      pairings,
      cadres,
      leaders,
      households,
      residents,
      petitionCases,
      assignments,
      helpRecords,
      demands,
      contactPointKinds,
      contactPoints,
      accounts,
    };
  }

  demoAccounts(built: Built): DemoAccount[] {
    return built.accounts.map((account) => ({
      username: account.username ?? null,
      password: account.username ? (DEMO_PASSWORDS[account.username as keyof typeof DEMO_PASSWORDS] ?? null) : null,
      role: account.role,
      scope: account.scopeRegion?.name ?? '本人联系的户',
      cadreName: account.cadre?.name,
    }));
  }

  // --- rounds and the region tree -------------------------------------------------------------

  private rounds(): [Round, Round] {
    const year = this.options.today.getUTCFullYear();
    // The new round is launched in May of the current campaign year; the first ran three years from August.
    const launchYear = this.options.today.getUTCMonth() >= 4 ? year : year - 1;
    const first = new Round();
    first.name = '第一轮';
    first.startsOn = `${launchYear - 3}-08-01`;
    first.endsOn = `${launchYear}-07-31`;
    const second = new Round();
    second.name = '新一轮';
    second.startsOn = `${launchYear}-05-01`;
    second.endsOn = `${launchYear + 3}-04-30`;
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

  private regions() {
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

  private units(city: Region, counties: Region[]): Unit[] {
    return UNITS.map((seed) => {
      const unit = new Unit();
      unit.name = seed.name;
      unit.kind = UnitKind[seed.kind];
      unit.level = seed.county ? UnitLevel.COUNTY : UnitLevel.CITY;
      unit.region = seed.county ? counties.find((county) => county.code.startsWith(seed.county!))! : city;
      return unit;
    });
  }

  private pairings(units: Unit[], places: Region[], rounds: [Round, Round]): UnitPairing[] {
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

  private cadres(units: Unit[]): { cadres: Cadre[]; leaders: Cadre[] } {
    const cadres: Cadre[] = [];
    const leaders: Cadre[] = [];
    units.forEach((unit, unitIndex) => {
      const size = 7 + (unitIndex % 2);
      for (let i = 0; i < size; i += 1) {
        const cadre = new Cadre();
        cadre.name = this.faker.person.fullName();
        cadre.unit = unit;
        // The head of each of the first eight city agencies is a city-level leader with contact points.
        const isLeader = i === 0 && unitIndex < 8;
        cadre.rank = isLeader
          ? CadreRank.BUREAU
          : i === 0
            ? CadreRank.DIVISION
            : this.faker.helpers.weightedArrayElement([
                { weight: 1, value: CadreRank.DIVISION },
                { weight: 4, value: CadreRank.SECTION },
                { weight: 6, value: CadreRank.STAFF },
              ]);
        cadre.post = isLeader ? '市级领导' : cadre.rank === CadreRank.DIVISION ? '副局长' : cadre.rank === CadreRank.SECTION ? '科长' : '科员';
        cadre.partyMember = this.faker.number.int(100) < 94;
        cadre.phone = this.mobile();
        cadre.active = isLeader || (cadres.length + 1) % 37 !== 0;
        cadre.householdCapacity = isLeader ? 2 : 5;
        cadres.push(cadre);
        if (isLeader) leaders.push(cadre);
      }
    });
    return { cadres, leaders };
  }

  // --- households, residents and petition cases -------------------------------------------------

  private households(places: Region[]) {
    const households: Household[] = [];
    const residents: Resident[] = [];
    const countyCodeOf = (place: Region) => place.code.slice(0, 6);
    for (let index = 0; index < this.options.households; index += 1) {
      const place = places[index % places.length]!;
      const household = new Household();
      household.region = place;
      household.targetGroups = this.faker.helpers.weightedArrayElement([
        { weight: 62, value: [TargetGroup.HARDSHIP] },
        { weight: 15, value: [TargetGroup.KEY_FOCUS] },
        { weight: 8, value: [TargetGroup.PETITIONER] },
        { weight: 7, value: [TargetGroup.HARDSHIP, TargetGroup.KEY_FOCUS] },
        { weight: 5, value: [TargetGroup.HARDSHIP, TargetGroup.PETITIONER] },
        { weight: 3, value: [TargetGroup.KEY_FOCUS, TargetGroup.PETITIONER] },
      ]);
      household.hardshipReasons = household.isHardship ? this.faker.helpers.arrayElements(Object.values(HardshipReason), { min: 1, max: 2 }) : [];
      household.status = this.faker.number.int(100) < 96 ? HouseholdStatus.ACTIVE : HouseholdStatus.LIFTED;
      household.phone = this.faker.number.int(10) < 8 ? this.mobile() : `0414-${this.faker.string.numeric({ length: 7, allowLeadingZeros: false })}`;
      const isCommunity = place.level === RegionLevel.COMMUNITY;
      household.address = isCommunity
        ? `${place.parent!.name}${place.name}${this.faker.number.int({ min: 1, max: 40 })}号楼${this.faker.number.int({ min: 1, max: 6 })}单元${this.faker.number.int({ min: 101, max: 602 })}室`
        : `${place.parent!.name}${place.name}${this.faker.number.int({ min: 1, max: 9 })}组${this.faker.number.int({ min: 1, max: 80 })}号`;

      const members = this.members(household, countyCodeOf(place));
      household.headName = members[0]!.name;
      residents.push(...members);
      households.push(household);
    }
    return { households, residents };
  }

  private members(household: Household, countyCode: string): Resident[] {
    const size = this.faker.helpers.weightedArrayElement([
      { weight: 3, value: 1 },
      { weight: 4, value: 2 },
      { weight: 4, value: 3 },
      { weight: 2, value: 4 },
      { weight: 1, value: 5 },
    ]);
    const surname = this.faker.person.lastName();
    const headGender = this.faker.helpers.arrayElement([Gender.MALE, Gender.FEMALE]);
    const headBirthYear = this.faker.number.int({ min: 1940, max: 1985 });
    const members: Resident[] = [];
    const add = (relation: ResidentRelation, gender: Gender, birthYear: number, name: string) => {
      const resident = new Resident();
      resident.household = household;
      resident.relation = relation;
      resident.gender = gender;
      resident.name = name;
      const month = this.faker.number.int({ min: 1, max: 12 });
      const day = this.faker.number.int({ min: 1, max: 28 });
      resident.birthDate = `${birthYear}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
      // Children born after 2010 in the demo are not issued an ID number yet.
      resident.idNumber = birthYear <= 2010 ? this.idNumber(countyCode, resident.birthDate, gender) : null;
      members.push(resident);
      return resident;
    };
    add(ResidentRelation.HEAD, headGender, headBirthYear, `${surname}${this.faker.person.firstName()}`);
    if (size >= 2) {
      add(
        ResidentRelation.SPOUSE,
        headGender === Gender.MALE ? Gender.FEMALE : Gender.MALE,
        headBirthYear + this.faker.number.int({ min: -3, max: 3 }),
        this.faker.person.fullName(),
      );
    }
    for (let i = 2; i < size; i += 1) {
      const gender = this.faker.helpers.arrayElement([Gender.MALE, Gender.FEMALE]);
      const isElder = i === 4;
      add(
        isElder ? ResidentRelation.PARENT : ResidentRelation.CHILD,
        gender,
        isElder ? headBirthYear - 26 : Math.min(headBirthYear + this.faker.number.int({ min: 22, max: 32 }), 2020),
        `${surname}${this.faker.person.firstName()}`,
      );
    }
    const adults = members.filter((member) => Number(member.birthDate!.slice(0, 4)) <= 2006);
    if (household.isKeyFocus) {
      const person = this.faker.helpers.arrayElement(adults);
      person.keyFocusReason = this.faker.helpers.weightedArrayElement([
        { weight: 2, value: KeyFocusReason.RELEASED_PRISONER },
        { weight: 4, value: KeyFocusReason.UNEMPLOYED },
        { weight: 2, value: KeyFocusReason.GRIEVANCE },
        { weight: 2, value: KeyFocusReason.SUDDEN_MISFORTUNE },
        { weight: 1, value: KeyFocusReason.DISASTER_VICTIM },
      ]);
    }
    if (household.isPetitioner) {
      this.faker.helpers.arrayElement(adults).isPetitioner = true;
    }
    return members;
  }

  private petitionCases(households: Household[], residents: Resident[], leaders: Cadre[]): PetitionCase[] {
    const petitionerOf = new Map<Household, Resident>();
    for (const resident of residents) {
      if (resident.isPetitioner) petitionerOf.set(resident.household, resident);
    }
    const cases: PetitionCase[] = [];
    for (const household of households) {
      if (!household.isPetitioner) continue;
      const [title, demand] = this.faker.helpers.arrayElement(PETITION_TITLES);
      const petitionCase = new PetitionCase();
      petitionCase.household = household;
      petitionCase.resident = petitionerOf.get(household) ?? null;
      petitionCase.title = title!;
      petitionCase.demand = demand!;
      petitionCase.receivedOn = shanghaiDate(this.between(new Date('2018-01-01T00:00:00Z'), this.options.today));
      petitionCase.majorBacklog = this.faker.number.int(100) < 20;
      if (petitionCase.majorBacklog) petitionCase.responsibleLeader = leaders[cases.length % leaders.length]!;
      petitionCase.status = this.faker.helpers.weightedArrayElement([
        { weight: 3, value: PetitionCaseStatus.REGISTERED },
        { weight: 4, value: PetitionCaseStatus.IN_PROGRESS },
        { weight: 2, value: PetitionCaseStatus.RESOLVED },
        { weight: 1, value: PetitionCaseStatus.CLOSED },
      ]);
      if (petitionCase.status === PetitionCaseStatus.RESOLVED || petitionCase.status === PetitionCaseStatus.CLOSED) {
        petitionCase.resolvedAt = this.between(new Date(`${petitionCase.receivedOn}T00:00:00Z`), this.options.today);
        petitionCase.resolution = '经协调落实相关政策，当事人表示满意';
      }
      cases.push(petitionCase);
    }
    return cases;
  }

  // --- assignments, help records and demands ------------------------------------------------------

  private assignments(households: Household[], cadres: Cadre[], rounds: [Round, Round]): Assignment[] {
    const [first, second] = rounds;
    const active = cadres.filter((cadre) => cadre.active);
    const assignments: Assignment[] = [];
    const firstEnd = new Date(`${first.endsOn}T10:00:00Z`);
    const secondStart = new Date(`${second.startsOn}T01:00:00Z`);
    let next = 0;
    households.forEach((household, index) => {
      const kind = household.isKeyFocus ? AssignmentKind.ONE_TO_ONE : AssignmentKind.REGULAR;
      // Six in ten households were already helped in the first round, by any cadre of the time.
      if (index % 5 < 3) {
        const cadre = cadres[(index * 7) % cadres.length]!;
        const started = this.between(new Date(`${first.startsOn}T01:00:00Z`), new Date(`${first.startsOn.slice(0, 4)}-12-31T00:00:00Z`));
        assignments.push(this.assignment(cadre, household, first, kind, started, firstEnd, '本轮结束'));
      }
      // One in twenty active households has no cadre yet in the new round: the coverage gap analysts look for.
      if (household.status !== HouseholdStatus.ACTIVE || index % 20 === 19) return;
      let cadre = active[next++ % active.length]!;
      const started = new Date(secondStart.getTime() + this.faker.number.int({ min: 0, max: 45 }) * DAY_MS);
      if (index % 33 === 0) {
        // A transfer: the first cadre was moved to other work and handed the household on.
        const transferredAt = new Date(started.getTime() + 60 * DAY_MS);
        const before = this.assignment(cadre, household, second, kind, started, transferredAt, '工作调动');
        assignments.push(before);
        cadre = active[next++ % active.length]!;
        const after = this.assignment(cadre, household, second, kind, transferredAt, null, null);
        after.transferredFrom = before;
        assignments.push(after);
        return;
      }
      assignments.push(this.assignment(cadre, household, second, kind, started, null, null));
    });
    return assignments;
  }

  private assignment(cadre: Cadre, household: Household, round: Round, kind: AssignmentKind, startedAt: Date, endedAt: Date | null, endReason: string | null) {
    const assignment = new Assignment();
    assignment.cadre = cadre;
    assignment.household = household;
    assignment.round = round;
    assignment.kind = kind;
    assignment.startedAt = startedAt;
    assignment.endedAt = endedAt;
    assignment.endReason = endReason;
    return assignment;
  }

  private helpRecords(assignments: Assignment[]): HelpRecord[] {
    const records: HelpRecord[] = [];
    const lastVisit = new Map<Household, Date>();
    for (const assignment of assignments) {
      const until = assignment.endedAt ?? this.options.today;
      const isFirstRound = assignment.round.name === '第一轮';
      const count = isFirstRound ? this.faker.number.int({ min: 3, max: 6 }) : this.faker.number.int({ min: 0, max: 4 });
      const times = Array.from({ length: count }, () => this.between(assignment.startedAt, until)).sort((a, b) => a.getTime() - b.getTime());
      for (const occurredAt of times) {
        const record = this.helpRecord(assignment, occurredAt);
        records.push(record);
        const previous = lastVisit.get(assignment.household);
        if (!previous || previous < occurredAt) lastVisit.set(assignment.household, occurredAt);
        // About one record in fifty is corrected later: a new version supersedes it.
        if (this.faker.number.int(50) === 0) {
          const correction = this.helpRecord(assignment, occurredAt);
          correction.kinds = record.kinds;
          correction.summary = `${record.summary}（更正金额）`;
          correction.fundsFen = record.fundsFen + 10_000;
          correction.supersedes = record;
          correction.versionNumber = 2;
          record.isLatest = false;
          records.push(correction);
        }
      }
    }
    for (const [household, at] of lastVisit) household.lastVisitAt = at;
    return records;
  }

  private helpRecord(assignment: Assignment, occurredAt: Date): HelpRecord {
    const record = new HelpRecord();
    record.household = assignment.household;
    record.cadre = assignment.cadre;
    record.assignment = assignment;
    record.round = assignment.round;
    record.occurredAt = occurredAt;
    const kinds = new Set<HelpKind>([HelpKind.VISIT]);
    if (this.faker.number.int(10) < 5) kinds.add(HelpKind.POLICY_EXPLANATION);
    if (this.faker.number.int(10) < 3) {
      kinds.add(HelpKind.FUNDS);
      record.fundsFen = this.faker.number.int({ min: 20, max: 300 }) * 1000;
    }
    if (this.faker.number.int(10) < 3) {
      kinds.add(HelpKind.MATERIALS);
      record.materialsFen = this.faker.number.int({ min: 10, max: 150 }) * 1000;
    }
    if (this.faker.number.int(10) < 4) {
      kinds.add(HelpKind.PROBLEM_SOLVED);
      record.problemsSolved = this.faker.number.int({ min: 1, max: 2 });
    }
    if (this.faker.number.int(20) === 0) kinds.add(HelpKind.REFERRAL);
    record.kinds = [...kinds];
    record.summary = this.faker.helpers.arrayElement(HELP_SUMMARIES);
    // Around Benxi's centre (41.29°N, 123.77°E).
    record.latitude = Number((41.29 + this.faker.number.float({ min: -0.35, max: 0.35 })).toFixed(6));
    record.longitude = Number((123.77 + this.faker.number.float({ min: -0.5, max: 0.9 })).toFixed(6));
    record.clientId = this.faker.string.uuid();
    record.contentHash = createHash('sha256').update(`${record.clientId}:${record.summary}`).digest('hex');
    return record;
  }

  private demands(households: Household[], records: HelpRecord[]): Demand[] {
    const latestByHousehold = new Map<Household, HelpRecord[]>();
    for (const record of records) {
      if (!record.isLatest) continue;
      const list = latestByHousehold.get(record.household) ?? [];
      list.push(record);
      latestByHousehold.set(record.household, list);
    }
    const demands: Demand[] = [];
    for (const household of households) {
      const history = latestByHousehold.get(household) ?? [];
      const howMany = this.faker.helpers.weightedArrayElement([
        { weight: 5, value: 0 },
        { weight: 3, value: 1 },
        { weight: 2, value: 2 },
      ]);
      for (let i = 0; i < howMany; i += 1) {
        const category = this.faker.helpers.arrayElement(Object.values(DemandCategory));
        const demand = new Demand();
        demand.household = household;
        demand.category = category;
        demand.text = this.faker.helpers.arrayElement(DEMAND_TEXTS[category]);
        const raisedIndex = history.length > 0 ? this.faker.number.int(history.length - 1) : -1;
        const raisedIn = raisedIndex >= 0 ? history[raisedIndex]! : null;
        demand.raisedIn = raisedIn;
        demand.raisedAt = raisedIn?.occurredAt ?? this.between(new Date(this.options.today.getTime() - 120 * DAY_MS), this.options.today);
        demand.dueOn = shanghaiDate(new Date(demand.raisedAt.getTime() + 30 * DAY_MS));
        const later = history.slice(raisedIndex + 1);
        const resolver = later.length > 0 && this.faker.number.int(10) < 7 ? later[0]! : null;
        if (resolver) {
          demand.resolvedBy = resolver;
          demand.resolvedAt = resolver.occurredAt;
          const confirmer = later[1];
          if (confirmer) {
            demand.status = DemandStatus.CONFIRMED;
            demand.confirmedAt = confirmer.occurredAt;
          } else {
            demand.status = DemandStatus.RESOLVED;
          }
        } else {
          demand.status = this.faker.helpers.weightedArrayElement([
            { weight: 5, value: DemandStatus.OPEN },
            { weight: 3, value: DemandStatus.IN_PROGRESS },
            { weight: 1, value: DemandStatus.ESCALATED },
          ]);
        }
        demands.push(demand);
      }
    }
    return demands;
  }

  // --- contact points and accounts ------------------------------------------------------------------

  private contactPoints(
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

  private async accounts(city: Region, counties: Region[], assignments: Assignment[]): Promise<UserAccount[]> {
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

  // --- helpers ------------------------------------------------------------------------------------------

  private between(from: Date, to: Date): Date {
    if (to.getTime() <= from.getTime()) return new Date(from.getTime());
    return this.faker.date.between({ from, to });
  }

  private mobile(): string {
    for (;;) {
      const phone = `1${this.faker.helpers.arrayElement(['3', '5', '8', '9'])}${this.faker.string.numeric(9)}`;
      if (!this.usedPhones.has(phone)) {
        this.usedPhones.add(phone);
        return phone;
      }
    }
  }

  private idNumber(countyCode: string, birthDate: string, gender: Gender): string {
    const birth = birthDate.replaceAll('-', '');
    for (;;) {
      let sequence = this.faker.number.int({ min: 0, max: 998 });
      // The sequence's last digit is odd for men and even for women.
      if ((sequence % 2 === 1) !== (gender === Gender.MALE)) sequence += 1;
      const first17 = `${countyCode}${birth}${String(sequence).padStart(3, '0')}`;
      const idNumber = first17 + idNumberCheckCharacter(first17);
      if (!this.usedIdNumbers.has(idNumber)) {
        this.usedIdNumbers.add(idNumber);
        return idNumber;
      }
    }
  }
}
