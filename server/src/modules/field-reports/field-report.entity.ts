import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, type Opt, type Rel } from '@mikro-orm/core';
import { FieldReportKind, FieldReportStatus } from '@wanjia/shared';
import { Field, ID, ObjectType } from 'type-graphql';
import { UserAccount } from '../accounts/user-account.entity';
import { Cadre } from '../cadres/cadre.entity';
import { HelpRecord } from '../help-records/help-record.entity';
import { Household } from '../households/household.entity';
import { Region } from '../regions/region.entity';
import { LOCK_VERSION_PROPERTY } from '../../core/locking';

/**
 * 现场变更报告: what a cadre found on a visit and proposes to change in the household file (a new
 * phone, a member born, died or moved out, the household moved or no longer in hardship, a new
 * household to screen in). It changes nothing by itself: an administrator in scope approves it (the
 * change then goes through the households service, with its checks, lock, version and audit) or
 * rejects it with a reason. Never deleted: withdrawn and decided reports stay as history.
 */
@Entity({ tableName: 'field_report' })
// The administrators' inbox: reports of a region, pending first (decided = false), oldest first.
@Index({ properties: ['region', 'decided', 'id'], name: 'field_report_inbox_index' })
// The cadre's own list, newest first, and the resend lookup by clientId.
@Index({ properties: ['reporterCadre', 'id'], name: 'field_report_reporter_index' })
@Unique({ properties: ['reporterAccount', 'clientId'], name: 'field_report_reporter_client_unique' })
@ObjectType({ description: 'A change a cadre reported from the field (现场变更报告), for an administrator to approve or reject.' })
export class FieldReport {
  @Field(() => ID)
  @PrimaryKey()
  id!: number;

  @Field(() => FieldReportKind)
  @Enum({ items: () => FieldReportKind })
  kind!: FieldReportKind;

  @Field(() => FieldReportStatus)
  @Enum({ items: () => FieldReportStatus })
  status: FieldReportStatus & Opt = FieldReportStatus.PENDING;

  /**
   * Whether the report left the inbox's queue (approved, rejected or withdrawn): the inbox sorts
   * pending reports first on this flag with the id, one keyset over the (region, decided, id) index.
   */
  @Property({ type: 'boolean' })
  decided: boolean & Opt = false;

  /** The household the report is about; null for NEW_HOUSEHOLD until its approval creates one. */
  @ManyToOne(() => Household, { nullable: true })
  household?: Rel<Household> | null;

  /**
   * Where the report is reviewed: the household's village when reported (a move's new village is
   * in the proposal), the reported village for NEW_HOUSEHOLD. Administrators whose subtree holds it decide.
   */
  @ManyToOne(() => Region)
  region!: Rel<Region>;

  /** The head's name when reported: the cadre's list still names the household after the assignment ended. */
  @Field({ description: "The head of household's name when reported (for NEW_HOUSEHOLD: the proposed head)." })
  @Property({ length: 64 })
  headName!: string;

  @ManyToOne(() => Cadre)
  reporterCadre!: Rel<Cadre>;

  @ManyToOne(() => UserAccount)
  reporterAccount!: Rel<UserAccount>;

  /** Made by the app once per report: a resend with the same clientId and content answers the same report. */
  @Property({ length: 64 })
  clientId!: string;

  /** A fingerprint of what was sent (kind, household, values): a resend must match it, other content under the same clientId is refused. */
  @Property({ length: 64 })
  contentHash!: string;

  /** The visit the cadre found it on (optional; one of the cadre's own records of this household). */
  @ManyToOne(() => HelpRecord, { nullable: true })
  helpRecord?: Rel<HelpRecord> | null;

  /**
   * What the cadre proposes, as JSON (FieldReportProposal's fields for the kind). Text, not a JSON
   * column: it is only ever read whole with its report, and MariaDB's JSON is text with a check anyway.
   * Holds a phone or an ID number: exposed only through the masking resolvers.
   */
  @Property({ type: 'text' })
  proposal!: string;

  /** The proposal's values as applied, when the administrator edited them before approving (JSON). */
  @Property({ type: 'text', nullable: true })
  applied?: string | null;

  @Field(() => Date)
  @Property({ type: 'Date', length: 3 })
  reportedAt!: Date;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'Date', length: 3, nullable: true })
  decidedAt?: Date | null;

  @ManyToOne(() => UserAccount, { nullable: true })
  decidedBy?: Rel<UserAccount> | null;

  /** The administrator's note on an approval, or the reason of a rejection (required then). */
  @Field(() => String, { nullable: true, description: "The administrator's note on an approval, or the reason of a rejection." })
  @Property({ type: 'string', length: 500, nullable: true })
  decisionNote?: string | null;

  @Property({ type: 'Date', length: 3, onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();

  /** Written only by core/locking.ts lockRows: the row lock that Galera certifies too. */
  @Property(LOCK_VERSION_PROPERTY)
  lockVersion?: number;
}
