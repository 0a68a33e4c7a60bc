import { BulkRunItem } from '../modules/bulk-runs/bulk-run-item.entity';
import { BulkRun } from '../modules/bulk-runs/bulk-run.entity';
import { UserAccount } from '../modules/accounts/user-account.entity';
import { ReplicaHeartbeat } from './replica-heartbeat.entity';
import { JobLease } from '../modules/jobs/job-lease.entity';
import { DataImport, DataImportKey, DataImportProblem, DataImportRow } from '../modules/imports/data-import.entity';
import { NoticeDelivery } from '../modules/notices/notice-delivery.entity';
import { NoticeSubscription } from '../modules/notices/notice-subscription.entity';
import { Notice } from '../modules/notices/notice.entity';
import { FieldReport } from '../modules/field-reports/field-report.entity';
import { WechatAccessToken } from '../modules/notices/wechat-access-token.entity';
import { Assignment } from '../modules/assignments/assignment.entity';
import { AuditEntry } from '../modules/audit/audit-entry.entity';
import { LoginThrottle } from '../modules/auth/login-throttle.entity';
import { RefreshToken } from '../modules/auth/refresh-token.entity';
import { Cadre } from '../modules/cadres/cadre.entity';
import { ContactPointKind } from '../modules/contact-points/contact-point-kind.entity';
import { ContactPoint } from '../modules/contact-points/contact-point.entity';
import { DemandDeadline } from '../modules/demands/demand-deadline.entity';
import { DemandEscalation } from '../modules/demands/demand-escalation.entity';
import { DemandEvent } from '../modules/demands/demand-event.entity';
import { DemandReferral } from '../modules/demands/demand-referral.entity';
import { Demand } from '../modules/demands/demand.entity';
import { EscalationRung } from '../modules/demands/escalation-rung.entity';
import { HelpRecordMonthly } from '../modules/help-records/help-record-monthly.entity';
import { HelpRecord } from '../modules/help-records/help-record.entity';
import { Household } from '../modules/households/household.entity';
import { Resident } from '../modules/households/resident.entity';
import { PetitionCase } from '../modules/petition-cases/petition-case.entity';
import { Photo } from '../modules/photos/photo.entity';
import { Region } from '../modules/regions/region.entity';
import { Round } from '../modules/rounds/round.entity';
import { UnitPairing } from '../modules/unit-pairings/unit-pairing.entity';
import { UnitHandler } from '../modules/units/unit-handler.entity';
import { Unit } from '../modules/units/unit.entity';

/**
 * Composition file: the entity list, one of the three places a new feature is registered (with the
 * resolver list in graphql/resolvers.ts and the loader list in graphql/loaders.ts; README "Adding a
 * feature"). Every entity is listed rather than discovered by glob so that jest, tsc output and
 * bundlers agree.
 */
export const ENTITIES = [
  Region,
  Round,
  Unit,
  UnitPairing,
  Cadre,
  Household,
  Resident,
  PetitionCase,
  Demand,
  DemandEvent,
  Assignment,
  HelpRecord,
  HelpRecordMonthly,
  Photo,
  ContactPointKind,
  ContactPoint,
  UserAccount,
  RefreshToken,
  LoginThrottle,
  AuditEntry,
  // The demand loop (issue 15): referrals, handlers, time limits, the escalation ladder.
  DemandReferral,
  UnitHandler,
  DemandDeadline,
  EscalationRung,
  DemandEscalation,
  // Notices and scheduled work (issue 15): the in-app messages, the WeChat outbox, subscriptions, the shared token, job leases.
  Notice,
  NoticeDelivery,
  NoticeSubscription,
  WechatAccessToken,
  JobLease,
  // Imports (issue 16): the uploads, their rows (what each became), their keys for duplicates within the file, their problems.
  DataImport,
  DataImportRow,
  DataImportKey,
  DataImportProblem,
  // Changes reported from the field (issue 16): a cadre's proposals, reviewed by administrators in scope.
  FieldReport,
  // A new round's carry-over and bulk reassignment (issue 16): the runs and their items.
  BulkRun,
  BulkRunItem,
  // The read replicas' heartbeat (issue 17).
  ReplicaHeartbeat,
];
