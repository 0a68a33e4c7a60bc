import type {
  AssignmentKind,
  CadreRank,
  DemandCategory,
  DemandEventKind,
  DemandStatus,
  Gender,
  HouseholdStatus,
  KeyFocusReason,
  PetitionCaseStatus,
  RegionLevel,
  ResidentRelation,
  Role,
  Satisfaction,
  UnitKind,
  UnitLevel,
} from '@wanjia/shared';
import { defineTable } from './sink';

/**
 * The tables the city generator and the benchmark's data builder write, column by column, as typed
 * rows. Instants are `sqlDatetime` text and days `YYYY-MM-DD` (sql-time.ts); every id is given by the
 * writer, so that no statement waits for another's insert id and the same seed gives the same rows.
 */

export interface RoundRow {
  id: number;
  name: string;
  startsOn: string;
  endsOn: string;
  createdAt: string;
}
export const ROUND_TABLE = defineTable<RoundRow>('round', { id: 'id', name: 'name', startsOn: 'starts_on', endsOn: 'ends_on', createdAt: 'created_at' });

export interface RegionRow {
  id: number;
  code: string;
  name: string;
  level: RegionLevel;
  parentId: number | null;
  path: string;
  depth: number;
  createdAt: string;
  updatedAt: string;
}
export const REGION_TABLE = defineTable<RegionRow>('region', {
  id: 'id',
  code: 'code',
  name: 'name',
  level: 'level',
  parentId: 'parent_id',
  path: 'path',
  depth: 'depth',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
});

export interface UnitTableRow {
  id: number;
  name: string;
  kind: UnitKind;
  level: UnitLevel;
  regionId: number;
  createdAt: string;
}
export const UNIT_TABLE = defineTable<UnitTableRow>('unit', {
  id: 'id',
  name: 'name',
  kind: 'kind',
  level: 'level',
  regionId: 'region_id',
  createdAt: 'created_at',
});

export interface UnitPairingRow {
  id: number;
  unitId: number;
  regionId: number;
  roundId: number;
  startedOn: string;
  endedOn: string | null;
  endReason: string | null;
}
export const UNIT_PAIRING_TABLE = defineTable<UnitPairingRow>('unit_pairing', {
  id: 'id',
  unitId: 'unit_id',
  regionId: 'region_id',
  roundId: 'round_id',
  startedOn: 'started_on',
  endedOn: 'ended_on',
  endReason: 'end_reason',
});

export interface CadreRow {
  id: number;
  name: string;
  unitId: number;
  post: string;
  rank: CadreRank;
  partyMember: boolean;
  phone: string;
  active: boolean;
  householdCapacity: number;
  createdAt: string;
  updatedAt: string;
}
export const CADRE_TABLE = defineTable<CadreRow>('cadre', {
  id: 'id',
  name: 'name',
  unitId: 'unit_id',
  post: 'post',
  rank: 'rank',
  partyMember: 'party_member',
  phone: 'phone',
  active: 'active',
  householdCapacity: 'household_capacity',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
});

/** A cadre's sign-in account, to be bound to WeChat (no password). */
export interface CadreAccountRow {
  id: number;
  role: Role;
  cadreId: number;
  active: boolean;
  createdAt: string;
}
export const USER_ACCOUNT_TABLE = defineTable<CadreAccountRow>('user_account', {
  id: 'id',
  role: 'role',
  cadreId: 'cadre_id',
  active: 'active',
  createdAt: 'created_at',
});

export interface HouseholdRow {
  id: number;
  regionId: number;
  address: string;
  headName: string;
  phone: string;
  isHardship: boolean;
  isKeyFocus: boolean;
  isPetitioner: boolean;
  /** Comma-separated HardshipReason values; empty for a household not in hardship. */
  hardshipReasons: string;
  status: HouseholdStatus;
  lastVisitAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}
export const HOUSEHOLD_TABLE = defineTable<HouseholdRow>('household', {
  id: 'id',
  regionId: 'region_id',
  address: 'address',
  headName: 'head_name',
  phone: 'phone',
  isHardship: 'is_hardship',
  isKeyFocus: 'is_key_focus',
  isPetitioner: 'is_petitioner',
  hardshipReasons: 'hardship_reasons',
  status: 'status',
  lastVisitAt: 'last_visit_at',
  version: 'version',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
});

export interface ResidentRow {
  id: number;
  householdId: number;
  name: string;
  relation: ResidentRelation;
  gender: Gender;
  birthDate: string;
  idNumber: string | null;
  keyFocusReason: KeyFocusReason | null;
  isPetitioner: boolean;
  createdAt: string;
  updatedAt: string;
}
export const RESIDENT_TABLE = defineTable<ResidentRow>('resident', {
  id: 'id',
  householdId: 'household_id',
  name: 'name',
  relation: 'relation',
  gender: 'gender',
  birthDate: 'birth_date',
  idNumber: 'id_number',
  keyFocusReason: 'key_focus_reason',
  isPetitioner: 'is_petitioner',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
});

export interface PetitionCaseRow {
  id: number;
  householdId: number;
  residentId: number;
  title: string;
  demand: string;
  receivedOn: string;
  majorBacklog: boolean;
  responsibleLeaderId: number | null;
  status: PetitionCaseStatus;
  resolvedAt: string | null;
  resolution: string | null;
  createdAt: string;
  updatedAt: string;
}
export const PETITION_CASE_TABLE = defineTable<PetitionCaseRow>('petition_case', {
  id: 'id',
  householdId: 'household_id',
  residentId: 'resident_id',
  title: 'title',
  demand: 'demand',
  receivedOn: 'received_on',
  majorBacklog: 'major_backlog',
  responsibleLeaderId: 'responsible_leader_id',
  status: 'status',
  resolvedAt: 'resolved_at',
  resolution: 'resolution',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
});

export interface AssignmentRow {
  id: number;
  cadreId: number;
  householdId: number;
  roundId: number;
  kind: AssignmentKind;
  startedAt: string;
  endedAt: string | null;
  endReason: string | null;
  transferredFromId: number | null;
  createdAt: string;
}
export const ASSIGNMENT_TABLE = defineTable<AssignmentRow>('assignment', {
  id: 'id',
  cadreId: 'cadre_id',
  householdId: 'household_id',
  roundId: 'round_id',
  kind: 'kind',
  startedAt: 'started_at',
  endedAt: 'ended_at',
  endReason: 'end_reason',
  transferredFromId: 'transferred_from_id',
  createdAt: 'created_at',
});

export interface HelpRecordRow {
  id: number;
  householdId: number;
  cadreId: number;
  assignmentId: number;
  roundId: number;
  occurredAt: string;
  /** Comma-separated HelpKind values. */
  kinds: string;
  summary: string;
  fundsFen: number;
  materialsFen: number;
  problemsSolved: number;
  /** Comma-separated photo ids; the generators attach none. */
  photoIds: string;
  latitude: number;
  longitude: number;
  clientId: string;
  contentHash: string;
  supersedesId: number | null;
  versionNumber: number;
  isLatest: boolean;
  createdAt: string;
}
export const HELP_RECORD_TABLE = defineTable<HelpRecordRow>(
  'help_record',
  {
    id: 'id',
    householdId: 'household_id',
    cadreId: 'cadre_id',
    assignmentId: 'assignment_id',
    roundId: 'round_id',
    occurredAt: 'occurred_at',
    kinds: 'kinds',
    summary: 'summary',
    fundsFen: 'funds_fen',
    materialsFen: 'materials_fen',
    problemsSolved: 'problems_solved',
    photoIds: 'photo_ids',
    latitude: 'latitude',
    longitude: 'longitude',
    clientId: 'client_id',
    contentHash: 'content_hash',
    supersedesId: 'supersedes_id',
    versionNumber: 'version_number',
    isLatest: 'is_latest',
    createdAt: 'created_at',
  },
  2500,
);

export interface DemandRow {
  id: number;
  householdId: number;
  category: DemandCategory;
  text: string;
  raisedAt: string;
  dueOn: string;
  status: DemandStatus;
  raisedInId: number;
  resolvedById: number | null;
  resolvedAt: string | null;
  confirmedAt: string | null;
  satisfaction: Satisfaction | null;
  confirmationNote: string | null;
  reopenCount: number;
  createdAt: string;
  updatedAt: string;
}
export const DEMAND_TABLE = defineTable<DemandRow>('demand', {
  id: 'id',
  householdId: 'household_id',
  category: 'category',
  text: 'text',
  raisedAt: 'raised_at',
  dueOn: 'due_on',
  status: 'status',
  raisedInId: 'raised_in_id',
  resolvedById: 'resolved_by_id',
  resolvedAt: 'resolved_at',
  confirmedAt: 'confirmed_at',
  satisfaction: 'satisfaction',
  confirmationNote: 'confirmation_note',
  reopenCount: 'reopen_count',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
});

/** A step of a demand's timeline, as the services write them (no actor: the generator is nobody's account). */
export interface DemandEventRow {
  id: number;
  demandId: number;
  kind: DemandEventKind;
  at: string;
  helpRecordId: number | null;
  satisfaction: Satisfaction | null;
  note: string | null;
  createdAt: string;
}
export const DEMAND_EVENT_TABLE = defineTable<DemandEventRow>('demand_event', {
  id: 'id',
  demandId: 'demand_id',
  kind: 'kind',
  at: 'at',
  helpRecordId: 'help_record_id',
  satisfaction: 'satisfaction',
  note: 'note',
  createdAt: 'created_at',
});

export interface ContactPointKindRow {
  id: number;
  code: string;
  name: string;
  sortOrder: number;
  active: boolean;
}
export const CONTACT_POINT_KIND_TABLE = defineTable<ContactPointKindRow>('contact_point_kind', {
  id: 'id',
  code: 'code',
  name: 'name',
  sortOrder: 'sort_order',
  active: 'active',
});

/** One of a leader's contact points (八个一): exactly one of the four targets is set. */
export interface ContactPointRow {
  id: number;
  leaderId: number;
  kindId: number;
  roundId: number;
  targetRegionId: number | null;
  unitId: number | null;
  householdId: number | null;
  petitionCaseId: number | null;
  note: string | null;
  startedOn: string;
  endedOn: string | null;
  createdAt: string;
}
export const CONTACT_POINT_TABLE = defineTable<ContactPointRow>('contact_point', {
  id: 'id',
  leaderId: 'leader_id',
  kindId: 'kind_id',
  roundId: 'round_id',
  targetRegionId: 'target_region_id',
  unitId: 'unit_id',
  householdId: 'household_id',
  petitionCaseId: 'petition_case_id',
  note: 'note',
  startedOn: 'started_on',
  endedOn: 'ended_on',
  createdAt: 'created_at',
});
