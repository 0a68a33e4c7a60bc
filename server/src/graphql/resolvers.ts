import { BulkRunItemResolver, BulkRunResolver } from '../modules/bulk-runs/bulk-run.resolver';
import { AccountResolver } from '../modules/accounts/account.resolver';
import { AnalyticsResolver } from '../modules/analytics/analytics.resolver';
import { AssignmentResolver } from '../modules/assignments/assignment.resolver';
import { AuditResolver } from '../modules/audit/audit.resolver';
import { AuthResolver } from '../modules/auth/auth.resolver';
import { CadreResolver } from '../modules/cadres/cadre.resolver';
import { ContactPointResolver } from '../modules/contact-points/contact-point.resolver';
import { DemandEventResolver, DemandResolver } from '../modules/demands/demand.resolver';
import { DemandEventLoopResolver, DemandLoopResolver, DemandReferralResolver } from '../modules/demands/demand-loop.resolver';
import { HelpRecordResolver } from '../modules/help-records/help-record.resolver';
import { MyWorkResolver } from '../modules/my-work/my-work.resolver';
import { NoticeResolver } from '../modules/notices/notice.resolver';
import { HouseholdResolver, ResidentResolver } from '../modules/households/household.resolver';
import { PetitionCaseResolver } from '../modules/petition-cases/petition-case.resolver';
import { RegionResolver } from '../modules/regions/region.resolver';
import { RoundResolver } from '../modules/rounds/round.resolver';
import { UnitPairingResolver } from '../modules/unit-pairings/unit-pairing.resolver';
import { UnitResolver } from '../modules/units/unit.resolver';
import { UnitHandlerResolver } from '../modules/units/unit-handler.resolver';
import { DemandDeadlineResolver } from '../modules/demands/demand-deadline.resolver';
import { SupervisionResolver } from '../modules/demands/supervision.resolver';
import { FieldReportResolver } from '../modules/field-reports/field-report.resolver';
import { MyContactPointsResolver } from '../modules/contact-points/my-contact-points.resolver';
import { DataImportProblemResolver, DataImportResolver } from '../modules/imports/imports.resolver';
import { RecordListResolver } from '../modules/record-lists/record-list.resolver';

/**
 * Composition file: the resolver list, one of the three places a new feature is registered (with the
 * entity list in db/entities.ts and the loader list in graphql/loaders.ts; README "Adding a feature").
 * It imports every feature's resolver by design; nothing else in graphql/ depends on a feature.
 */
export const RESOLVERS = [
  AuthResolver,
  AccountResolver,
  RegionResolver,
  RoundResolver,
  UnitResolver,
  UnitPairingResolver,
  CadreResolver,
  HouseholdResolver,
  ResidentResolver,
  PetitionCaseResolver,
  DemandResolver,
  DemandEventResolver,
  AssignmentResolver,
  ContactPointResolver,
  AuditResolver,
  HelpRecordResolver,
  MyWorkResolver,
  AnalyticsResolver,
  DemandDeadlineResolver,
  SupervisionResolver,
  MyContactPointsResolver,
  NoticeResolver,
  DemandLoopResolver,
  DemandReferralResolver,
  DemandEventLoopResolver,
  UnitHandlerResolver,
  FieldReportResolver,
  RecordListResolver,
  BulkRunResolver,
  BulkRunItemResolver,
  DataImportResolver,
  DataImportProblemResolver,
] as const;
