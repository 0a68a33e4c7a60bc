/**
 * The campaign's vocabulary. Both the server (database columns, GraphQL enums) and the mini-program
 * (labels, filters) use these, so a value is spelled once.
 */

export enum RegionLevel {
  CITY = 'CITY',
  DISTRICT = 'DISTRICT',
  COUNTY = 'COUNTY',
  TOWNSHIP = 'TOWNSHIP',
  STREET = 'STREET',
  VILLAGE = 'VILLAGE',
  COMMUNITY = 'COMMUNITY',
}

/** Households live only in the lowest tier of the tree. */
export const HOUSEHOLD_REGION_LEVELS: readonly RegionLevel[] = [RegionLevel.VILLAGE, RegionLevel.COMMUNITY];

/** Which levels may sit directly under which: city → district/county → township/street → village/community. */
export const ALLOWED_CHILD_LEVELS: Readonly<Record<RegionLevel, readonly RegionLevel[]>> = {
  [RegionLevel.CITY]: [RegionLevel.DISTRICT, RegionLevel.COUNTY],
  [RegionLevel.DISTRICT]: [RegionLevel.TOWNSHIP, RegionLevel.STREET],
  [RegionLevel.COUNTY]: [RegionLevel.TOWNSHIP, RegionLevel.STREET],
  [RegionLevel.TOWNSHIP]: [RegionLevel.VILLAGE, RegionLevel.COMMUNITY],
  [RegionLevel.STREET]: [RegionLevel.VILLAGE, RegionLevel.COMMUNITY],
  [RegionLevel.VILLAGE]: [],
  [RegionLevel.COMMUNITY]: [],
};

export enum UnitKind {
  AGENCY = 'AGENCY',
  STATE_ENTERPRISE = 'STATE_ENTERPRISE',
  PUBLIC_INSTITUTION = 'PUBLIC_INSTITUTION',
}

/** The administrative level a unit answers to (市直 / 区县直 / 乡镇街道). */
export enum UnitLevel {
  CITY = 'CITY',
  COUNTY = 'COUNTY',
  TOWNSHIP = 'TOWNSHIP',
}

/** 职级: city-level leaders hold the "eight ones" contact points. */
export enum CadreRank {
  BUREAU = 'BUREAU',
  DIVISION = 'DIVISION',
  SECTION = 'SECTION',
  STAFF = 'STAFF',
}

export enum TargetGroup {
  HARDSHIP = 'HARDSHIP',
  KEY_FOCUS = 'KEY_FOCUS',
  PETITIONER = 'PETITIONER',
}

export enum HardshipReason {
  ILLNESS = 'ILLNESS',
  DISABILITY = 'DISABILITY',
  UNEMPLOYMENT = 'UNEMPLOYMENT',
  ELDERLY_ALONE = 'ELDERLY_ALONE',
  SINGLE_PARENT = 'SINGLE_PARENT',
  EDUCATION_COST = 'EDUCATION_COST',
  DISASTER = 'DISASTER',
  OTHER = 'OTHER',
}

export enum HouseholdStatus {
  ACTIVE = 'ACTIVE',
  /** 脱困: no longer needs help; kept with its history. */
  LIFTED = 'LIFTED',
  MOVED_AWAY = 'MOVED_AWAY',
  CLOSED = 'CLOSED',
}

export enum ResidentRelation {
  HEAD = 'HEAD',
  SPOUSE = 'SPOUSE',
  CHILD = 'CHILD',
  PARENT = 'PARENT',
  GRANDPARENT = 'GRANDPARENT',
  GRANDCHILD = 'GRANDCHILD',
  SIBLING = 'SIBLING',
  OTHER = 'OTHER',
}

export enum Gender {
  MALE = 'MALE',
  FEMALE = 'FEMALE',
}

export enum KeyFocusReason {
  RELEASED_PRISONER = 'RELEASED_PRISONER',
  UNEMPLOYED = 'UNEMPLOYED',
  GRIEVANCE = 'GRIEVANCE',
  SUDDEN_MISFORTUNE = 'SUDDEN_MISFORTUNE',
  DISASTER_VICTIM = 'DISASTER_VICTIM',
}

export enum PetitionCaseStatus {
  REGISTERED = 'REGISTERED',
  IN_PROGRESS = 'IN_PROGRESS',
  RESOLVED = 'RESOLVED',
  /** 息访: the petitioner has stopped petitioning; terminal. */
  CLOSED = 'CLOSED',
}

/** Cases still being worked on (not yet resolved or closed): what "an open case" means everywhere. */
export const OPEN_CASE_STATUSES: readonly PetitionCaseStatus[] = [PetitionCaseStatus.REGISTERED, PetitionCaseStatus.IN_PROGRESS];
/** Cases that are settled: resolved, or closed (息访). */
export const SETTLED_CASE_STATUSES: readonly PetitionCaseStatus[] = [PetitionCaseStatus.RESOLVED, PetitionCaseStatus.CLOSED];

export enum DemandCategory {
  LIVELIHOOD = 'LIVELIHOOD',
  HOUSING = 'HOUSING',
  MEDICAL = 'MEDICAL',
  EMPLOYMENT = 'EMPLOYMENT',
  EDUCATION = 'EDUCATION',
  SOCIAL_SECURITY = 'SOCIAL_SECURITY',
  LEGAL = 'LEGAL',
  INFRASTRUCTURE = 'INFRASTRUCTURE',
  OTHER = 'OTHER',
}

export enum DemandStatus {
  OPEN = 'OPEN',
  IN_PROGRESS = 'IN_PROGRESS',
  RESOLVED = 'RESOLVED',
  ESCALATED = 'ESCALATED',
  /** The household confirmed the resolution on a later visit. */
  CONFIRMED = 'CONFIRMED',
}

/** The household's answer when a cadre asks, on a later visit, whether a resolved demand is solved (回访). */
export enum Satisfaction {
  SATISFIED = 'SATISFIED',
  BASICALLY_SATISFIED = 'BASICALLY_SATISFIED',
  /** Not solved in the household's eyes: the demand goes back to open. */
  DISSATISFIED = 'DISSATISFIED',
}

/** Answers that count as the household confirming the resolution. */
export const CONFIRMING_SATISFACTIONS: readonly Satisfaction[] = [Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED];

/** A step in a demand's timeline (the demand loop adds its own kinds). */
export enum DemandEventKind {
  RAISED = 'RAISED',
  RESOLVED = 'RESOLVED',
  CONFIRMED = 'CONFIRMED',
  REOPENED = 'REOPENED',
  /** A correction of the resolving help record no longer claims it: the demand is open again. */
  RESOLUTION_WITHDRAWN = 'RESOLUTION_WITHDRAWN',
}

export const OPEN_DEMAND_STATUSES: readonly DemandStatus[] = [DemandStatus.OPEN, DemandStatus.IN_PROGRESS, DemandStatus.ESCALATED];
/** Demands that are settled: resolved by a help record, or that resolution confirmed by the household. */
export const SETTLED_DEMAND_STATUSES: readonly DemandStatus[] = [DemandStatus.RESOLVED, DemandStatus.CONFIRMED];

export enum AssignmentKind {
  ONE_TO_ONE = 'ONE_TO_ONE',
  REGULAR = 'REGULAR',
}

export enum HelpKind {
  VISIT = 'VISIT',
  POLICY_EXPLANATION = 'POLICY_EXPLANATION',
  PROBLEM_SOLVED = 'PROBLEM_SOLVED',
  FUNDS = 'FUNDS',
  MATERIALS = 'MATERIALS',
  REFERRAL = 'REFERRAL',
}

export enum Role {
  ADMIN = 'ADMIN',
  ANALYST = 'ANALYST',
  CADRE = 'CADRE',
}
