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

/**
 * Who holds a demand's work. Escalation (督办) is not a status: a demand at any open status can be past
 * its due date and on the ladder (`Demand.escalationRung`).
 */
export enum DemandStatus {
  /** With the household's cadre, work not started. */
  OPEN = 'OPEN',
  /** The cadre started work, or the receiving unit accepted (签收) the referral. */
  IN_PROGRESS = 'IN_PROGRESS',
  /** Referred (交办) to a unit, waiting for its handler to accept or return it. */
  REFERRED = 'REFERRED',
  /** Resolved, waiting for the household's answer (回访). */
  RESOLVED = 'RESOLVED',
  /** Kept for rows written before the demand loop; nothing sets it (escalation is `escalationRung`). */
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
  /** The household's cadre started work on it (办理中). */
  WORK_STARTED = 'WORK_STARTED',
  /** Referred (交办) to a unit, with a note and a due date. */
  REFERRED = 'REFERRED',
  /** The receiving unit's handler signed for it (签收). */
  ACCEPTED = 'ACCEPTED',
  /** The receiving unit sent it back with a reason (退回). */
  RETURNED = 'RETURNED',
  /** A note of progress by whoever holds the work. */
  PROGRESS_NOTED = 'PROGRESS_NOTED',
  /** Past its due date, it reached a rung of the escalation ladder (督办). */
  ESCALATED = 'ESCALATED',
  /** An instruction from a higher level, with a note and a new due date (督办). */
  INSTRUCTED = 'INSTRUCTED',
}

/** A referral's life at the receiving unit. */
export enum ReferralStatus {
  /** Waiting for the unit's handler (待签收). */
  PENDING = 'PENDING',
  /** Signed for, being worked (办理中). */
  ACCEPTED = 'ACCEPTED',
  /** Sent back to the referring cadre with a reason (已退回). */
  RETURNED = 'RETURNED',
  /** Reported done (已办结); the household's cadre then asks the household. */
  RESOLVED = 'RESOLVED',
  /** Closed without the unit: the cadre resolved the demand otherwise (已撤回). */
  WITHDRAWN = 'WITHDRAWN',
}

export const OPEN_REFERRAL_STATUSES: readonly ReferralStatus[] = [ReferralStatus.PENDING, ReferralStatus.ACCEPTED];

/** What a notice (消息) is about; each kind can also go out as a WeChat subscribe message. */
export enum NoticeKind {
  /** A demand was referred to a unit this cadre handles. */
  REFERRED_TO_UNIT = 'REFERRED_TO_UNIT',
  /** A unit returned a demand this cadre referred. */
  REFERRAL_RETURNED = 'REFERRAL_RETURNED',
  /** A demand this person answers for went past its due date and climbed the ladder. */
  DEMAND_ESCALATED = 'DEMAND_ESCALATED',
  /** A higher level instructed (督办) on a demand this person answers for. */
  DEMAND_INSTRUCTED = 'DEMAND_INSTRUCTED',
  /** A unit resolved a demand of this cadre's household: ask the household (回访). */
  AWAITING_CONFIRMATION = 'AWAITING_CONFIRMATION',
  /** Households due for a visit this week. */
  VISITS_DUE = 'VISITS_DUE',
  /** An administrator decided on a change this cadre reported from the field. */
  FIELD_REPORT_DECIDED = 'FIELD_REPORT_DECIDED',
}

export const OPEN_DEMAND_STATUSES: readonly DemandStatus[] = [DemandStatus.OPEN, DemandStatus.IN_PROGRESS, DemandStatus.REFERRED, DemandStatus.ESCALATED];
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
