import { Gender, HardshipReason, HouseholdStatus, KeyFocusReason, PetitionCaseStatus, RegionLevel, ResidentRelation, TargetGroup } from '@wanjia/shared';
import { shanghaiDate } from '../../core/time';
import type { Cadre } from '../../modules/cadres/cadre.entity';
import { Household } from '../../modules/households/household.entity';
import { Resident } from '../../modules/households/resident.entity';
import { PetitionCase } from '../../modules/petition-cases/petition-case.entity';
import type { Region } from '../../modules/regions/region.entity';
import type { DemoRandom } from './demo-random';
import { PETITION_TITLES } from './demo-texts';

/** Who lives together: the reasons a household is in hardship follow from it. */
export enum HouseholdMakeup {
  ELDERLY_ALONE = 'ELDERLY_ALONE',
  ELDERLY_COUPLE = 'ELDERLY_COUPLE',
  SINGLE_ADULT = 'SINGLE_ADULT',
  COUPLE_WITH_CHILDREN = 'COUPLE_WITH_CHILDREN',
  SINGLE_PARENT = 'SINGLE_PARENT',
  THREE_GENERATIONS = 'THREE_GENERATIONS',
}

/** From 60 a person counts as elderly (老年人); school age runs from 6 to 18 (primary to senior high school). */
export const ELDERLY_FROM_AGE = 60;
export const SCHOOL_AGE = { from: 6, to: 18 } as const;

const ID_NUMBER_FROM_AGE = 16;
const CHILD_RELATIONS: readonly ResidentRelation[] = [ResidentRelation.CHILD, ResidentRelation.GRANDCHILD];

export interface DemoHouseholds {
  households: Household[];
  residents: Resident[];
  /** Households with a child of school age: the only ones that get school help or ask for it. */
  withSchoolChildren: Set<Household>;
}

/** Households, the people in them, and the petition cases of the petitioners among them. */
export class DemoPeople {
  private readonly year: number;

  constructor(private readonly random: DemoRandom) {
    this.year = random.options.today.getUTCFullYear();
  }

  households(places: Region[], howMany: number): DemoHouseholds {
    const { faker } = this.random;
    const households: Household[] = [];
    const residents: Resident[] = [];
    const withSchoolChildren = new Set<Household>();
    for (let index = 0; index < howMany; index += 1) {
      const place = places[index % places.length]!;
      const household = new Household();
      household.region = place;
      household.targetGroups = faker.helpers.weightedArrayElement([
        { weight: 62, value: [TargetGroup.HARDSHIP] },
        { weight: 15, value: [TargetGroup.KEY_FOCUS] },
        { weight: 8, value: [TargetGroup.PETITIONER] },
        { weight: 7, value: [TargetGroup.HARDSHIP, TargetGroup.KEY_FOCUS] },
        { weight: 5, value: [TargetGroup.HARDSHIP, TargetGroup.PETITIONER] },
        { weight: 3, value: [TargetGroup.KEY_FOCUS, TargetGroup.PETITIONER] },
      ]);
      household.status = faker.number.int(100) < 96 ? HouseholdStatus.ACTIVE : HouseholdStatus.LIFTED;
      // A key-focus household is reached on a mobile phone; others have a landline now and then.
      const landline = faker.number.int(10) >= 8 && !household.isKeyFocus;
      household.phone = landline ? `0414-${faker.string.numeric({ length: 7, allowLeadingZeros: false })}` : this.random.mobile();
      household.address =
        place.level === RegionLevel.COMMUNITY
          ? `${place.parent!.name}${place.name}${faker.number.int({ min: 1, max: 40 })}号楼${faker.number.int({ min: 1, max: 6 })}单元${faker.number.int({ min: 101, max: 602 })}室`
          : `${place.parent!.name}${place.name}${faker.number.int({ min: 1, max: 9 })}组${faker.number.int({ min: 1, max: 80 })}号`;
      // Key-focus and petitioner households need an adult to carry the reason: nobody there lives alone past 88.
      const makeup = faker.helpers.weightedArrayElement([
        { weight: 14, value: HouseholdMakeup.ELDERLY_ALONE },
        { weight: 14, value: HouseholdMakeup.ELDERLY_COUPLE },
        { weight: 8, value: HouseholdMakeup.SINGLE_ADULT },
        { weight: 34, value: HouseholdMakeup.COUPLE_WITH_CHILDREN },
        { weight: 10, value: HouseholdMakeup.SINGLE_PARENT },
        { weight: 20, value: HouseholdMakeup.THREE_GENERATIONS },
      ]);
      const members = this.members(household, makeup, place.code.slice(0, 6));
      const schoolChildren = members.some((member) => CHILD_RELATIONS.includes(member.relation) && this.isSchoolAge(member));
      if (schoolChildren) withSchoolChildren.add(household);
      household.hardshipReasons = household.isHardship ? this.hardshipReasons(makeup, members, schoolChildren) : [];
      this.markTargets(household, members);
      household.headName = members[0]!.name;
      residents.push(...members);
      households.push(household);
    }
    return { households, residents, withSchoolChildren };
  }

  isSchoolAge(resident: Resident): boolean {
    const age = this.random.ageOn(resident.birthDate!);
    return age >= SCHOOL_AGE.from && age <= SCHOOL_AGE.to;
  }

  private members(household: Household, makeup: HouseholdMakeup, countyCode: string): Resident[] {
    const { faker } = this.random;
    const members: Resident[] = [];
    const surname = faker.person.lastName();
    const add = (relation: ResidentRelation, gender: Gender, birthYear: number, name = `${surname}${faker.person.firstName()}`) => {
      const resident = new Resident();
      resident.household = household;
      resident.relation = relation;
      resident.gender = gender;
      resident.name = name;
      const month = faker.number.int({ min: 1, max: 12 });
      const day = faker.number.int({ min: 1, max: 28 });
      resident.birthDate = `${birthYear}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
      // Nobody under 16 in the demo has been issued an ID number yet (counted in years, not birthdays,
      // so that the draws do not depend on the demo's day of the year).
      resident.idNumber = this.year - birthYear >= ID_NUMBER_FROM_AGE ? this.random.idNumber(countyCode, resident.birthDate, gender) : null;
      members.push(resident);
      return resident;
    };
    const anyGender = () => faker.helpers.arrayElement([Gender.MALE, Gender.FEMALE]);
    const aged = (min: number, max: number) => this.year - faker.number.int({ min, max });
    const spouseOf = (head: Resident) =>
      add(
        ResidentRelation.SPOUSE,
        head.gender === Gender.MALE ? Gender.FEMALE : Gender.MALE,
        Number(head.birthDate!.slice(0, 4)) + faker.number.int({ min: -3, max: 3 }),
        faker.person.fullName(),
      );
    // A child is born to a parent aged 21 to 36, and is at least a year old on the demo's today.
    const childOf = (parentBirthYear: number, relation = ResidentRelation.CHILD) =>
      add(relation, anyGender(), Math.min(parentBirthYear + faker.number.int({ min: 21, max: 36 }), this.year - 1));

    const head = (min: number, max: number) => add(ResidentRelation.HEAD, anyGender(), aged(min, max));
    switch (makeup) {
      case HouseholdMakeup.ELDERLY_ALONE:
        head(ELDERLY_FROM_AGE + 2, 88);
        break;
      case HouseholdMakeup.ELDERLY_COUPLE:
        spouseOf(head(ELDERLY_FROM_AGE + 3, 86));
        break;
      case HouseholdMakeup.SINGLE_ADULT:
        head(30, 58);
        break;
      case HouseholdMakeup.COUPLE_WITH_CHILDREN: {
        const first = head(28, 55);
        spouseOf(first);
        const children = faker.helpers.weightedArrayElement([
          { weight: 5, value: 1 },
          { weight: 4, value: 2 },
          { weight: 1, value: 3 },
        ]);
        for (let i = 0; i < children; i += 1) childOf(Number(first.birthDate!.slice(0, 4)));
        break;
      }
      case HouseholdMakeup.SINGLE_PARENT: {
        const parent = head(26, 50);
        const children = faker.number.int({ min: 1, max: 2 });
        for (let i = 0; i < children; i += 1) childOf(Number(parent.birthDate!.slice(0, 4)));
        break;
      }
      case HouseholdMakeup.THREE_GENERATIONS: {
        const first = head(45, 62);
        spouseOf(first);
        const headYear = Number(first.birthDate!.slice(0, 4));
        const child = childOf(headYear);
        const childYear = Number(child.birthDate!.slice(0, 4));
        // With a grown-up child the third generation is a grandchild; otherwise it is the head's parent.
        if (this.year - childYear >= 22) childOf(childYear, ResidentRelation.GRANDCHILD);
        else add(ResidentRelation.PARENT, anyGender(), Math.max(headYear - faker.number.int({ min: 22, max: 30 }), this.year - 95));
        break;
      }
    }
    return members;
  }

  /** One or two reasons that the household's makeup bears out: living alone, one parent, school costs. */
  private hardshipReasons(makeup: HouseholdMakeup, members: Resident[], schoolChildren: boolean): HardshipReason[] {
    const { faker } = this.random;
    const hasWorkingAge = members.some((member) => {
      const age = this.random.ageOn(member.birthDate!);
      return age >= 18 && age < ELDERLY_FROM_AGE;
    });
    const general = [HardshipReason.ILLNESS, HardshipReason.DISABILITY, HardshipReason.DISASTER, HardshipReason.OTHER];
    if (hasWorkingAge) general.push(HardshipReason.UNEMPLOYMENT);
    if (schoolChildren) general.push(HardshipReason.EDUCATION_COST);
    const fitting =
      makeup === HouseholdMakeup.ELDERLY_ALONE ? HardshipReason.ELDERLY_ALONE : makeup === HouseholdMakeup.SINGLE_PARENT ? HardshipReason.SINGLE_PARENT : null;
    const reasons = new Set<HardshipReason>();
    if (fitting && faker.number.int(10) < 8) reasons.add(fitting);
    else reasons.add(faker.helpers.arrayElement(general));
    if (faker.number.int(10) < 4) reasons.add(faker.helpers.arrayElement(fitting ? [...general, fitting] : general));
    return [...reasons];
  }

  private markTargets(household: Household, members: Resident[]): void {
    const { faker } = this.random;
    // Adults by the year of birth: whether a teenager counts must not hang on the demo's day of the year.
    const adults = members.filter((member) => this.year - Number(member.birthDate!.slice(0, 4)) >= 18);
    if (household.isKeyFocus) {
      faker.helpers.arrayElement(adults).keyFocusReason = faker.helpers.weightedArrayElement([
        { weight: 2, value: KeyFocusReason.RELEASED_PRISONER },
        { weight: 4, value: KeyFocusReason.UNEMPLOYED },
        { weight: 2, value: KeyFocusReason.GRIEVANCE },
        { weight: 2, value: KeyFocusReason.SUDDEN_MISFORTUNE },
        { weight: 1, value: KeyFocusReason.DISASTER_VICTIM },
      ]);
    }
    if (household.isPetitioner) faker.helpers.arrayElement(adults).isPetitioner = true;
  }

  petitionCases(households: Household[], residents: Resident[], leaders: Cadre[]): PetitionCase[] {
    const petitionerOf = new Map<Household, Resident>();
    for (const resident of residents) {
      if (resident.isPetitioner) petitionerOf.set(resident.household, resident);
    }
    const cases: PetitionCase[] = [];
    for (const household of households) {
      if (!household.isPetitioner) continue;
      const [title, demand] = this.random.faker.helpers.arrayElement(PETITION_TITLES);
      const petitionCase = new PetitionCase();
      petitionCase.household = household;
      petitionCase.resident = petitionerOf.get(household) ?? null;
      petitionCase.title = title!;
      petitionCase.demand = demand!;
      petitionCase.receivedOn = shanghaiDate(this.random.between(new Date('2018-01-01T00:00:00Z'), this.random.options.today));
      petitionCase.majorBacklog = this.random.faker.number.int(100) < 20;
      if (petitionCase.majorBacklog) petitionCase.responsibleLeader = leaders[cases.length % leaders.length]!;
      petitionCase.status = this.random.faker.helpers.weightedArrayElement([
        { weight: 3, value: PetitionCaseStatus.REGISTERED },
        { weight: 4, value: PetitionCaseStatus.IN_PROGRESS },
        { weight: 2, value: PetitionCaseStatus.RESOLVED },
        { weight: 1, value: PetitionCaseStatus.CLOSED },
      ]);
      if (petitionCase.status === PetitionCaseStatus.RESOLVED || petitionCase.status === PetitionCaseStatus.CLOSED) {
        petitionCase.resolvedAt = this.random.between(new Date(`${petitionCase.receivedOn}T00:00:00Z`), this.random.options.today);
        petitionCase.resolution = '经协调落实相关政策，当事人表示满意';
      }
      cases.push(petitionCase);
    }
    return cases;
  }
}
