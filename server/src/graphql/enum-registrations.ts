import {
  AssignmentKind,
  BulkRunState,
  FieldReportKind,
  FieldReportStatus,
  ImportKind,
  ImportMode,
  ImportProblemSeverity,
  ImportState,
  RecordList,
  ResidentDeparture,
  CadreRank,
  DemandCategory,
  DemandEventKind,
  DemandStatus,
  Gender,
  HardshipReason,
  HelpKind,
  HouseholdStatus,
  KeyFocusReason,
  NoticeKind,
  PetitionCaseStatus,
  ReferralStatus,
  RegionLevel,
  ResidentRelation,
  Role,
  Satisfaction,
  TargetGroup,
  UnitKind,
  UnitLevel,
} from '@wanjia/shared';
import { registerEnumType } from 'type-graphql';

let registered = false;

/** Registers the shared enums with type-graphql once, under the names the SDL shows. */
export function registerEnums(): void {
  if (registered) return;
  registered = true;
  const enums = {
    AssignmentKind,
    BulkRunState,
    FieldReportKind,
    FieldReportStatus,
    ImportKind,
    ImportMode,
    ImportProblemSeverity,
    ImportState,
    RecordList,
    ResidentDeparture,

    CadreRank,
    DemandCategory,
    DemandEventKind,
    DemandStatus,
    Gender,
    HardshipReason,
    HelpKind,
    HouseholdStatus,
    KeyFocusReason,
    NoticeKind,
    PetitionCaseStatus,
    ReferralStatus,
    RegionLevel,
    ResidentRelation,
    Role,
    Satisfaction,
    TargetGroup,
    UnitKind,
    UnitLevel,
  };
  for (const [name, enumObject] of Object.entries(enums)) {
    registerEnumType(enumObject, {
      name,
      ...(enumObject === DemandStatus
        ? { valuesConfig: { ESCALATED: { deprecationReason: 'Escalation is not a status since the demand loop: read Demand.escalationRung.' } } }
        : {}),
    });
  }
}

registerEnums();
