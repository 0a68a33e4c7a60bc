import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, type Opt, type Rel } from '@mikro-orm/core';
import { DemandEventKind, Satisfaction } from '@wanjia/shared';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { UserAccount } from '../accounts/user-account.entity';
import { HelpRecord } from '../help-records/help-record.entity';
import { DemandReferral } from './demand-referral.entity';
import { Demand } from './demand.entity';

/**
 * One step of a demand's life (raised, resolved, confirmed, reopened, resolution withdrawn). Append-only
 * and kept forever: the demand row holds only the latest state, this table holds how it got there.
 */
@Entity({ tableName: 'demand_event' })
@Index({ properties: ['demand', 'at'], name: 'demand_event_demand_at_index' })
@Unique({ properties: ['actorAccount', 'clientId'], name: 'demand_event_actor_client_unique' })
@ObjectType({ description: 'A step in the life of a demand.' })
export class DemandEvent {
  @Field(() => ID)
  @PrimaryKey()
  id!: number;

  /** Foreign key; with `at` in the (demand, at) index: one demand's timeline, oldest first. */
  @ManyToOne(() => Demand)
  demand!: Rel<Demand>;

  @Field(() => DemandEventKind)
  @Enum({ items: () => DemandEventKind })
  kind!: DemandEventKind;

  /** When it happened (for an answer: when the household answered, which may precede the request). */
  @Field(() => Date)
  @Property({ type: 'Date', length: 3 })
  at!: Date;

  /** Who recorded it; null for steps the migration reconstructed from existing demands. */
  @ManyToOne(() => UserAccount, { nullable: true })
  actorAccount?: Rel<UserAccount> | null;

  /** Foreign key, indexed: the help record of a RAISED or RESOLVED step (and the resolution a REOPENED one undid). */
  @ManyToOne(() => HelpRecord, { nullable: true })
  helpRecord?: Rel<HelpRecord> | null;

  @Field(() => Satisfaction, { nullable: true, description: "CONFIRMED and REOPENED: the household's answer." })
  @Enum({ items: () => Satisfaction, nullable: true })
  satisfaction?: Satisfaction | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 500, nullable: true })
  note?: string | null;

  /** Foreign key, indexed: the referral of a REFERRED, ACCEPTED, RETURNED or unit-RESOLVED step (and of an escalation of it). */
  @ManyToOne(() => DemandReferral, { nullable: true })
  referral?: Rel<DemandReferral> | null;

  /** REFERRED: the referral's due date; INSTRUCTED: the new due date. */
  @Field(() => LocalDateResolver, { nullable: true, description: 'REFERRED and INSTRUCTED: the due date set.' })
  @Property({ type: 'date', nullable: true })
  dueOn?: string | null;

  /** ESCALATED: the rung reached. */
  @Field(() => Int, { nullable: true, description: 'ESCALATED: the rung of the ladder reached.' })
  @Property({ type: 'integer', nullable: true })
  rung?: number | null;

  /**
   * Who did it, as the timeline shows it ("干部 张三", "平山区民政局 联络员 李四", "平山区管理员", "系统"), fixed
   * when the step is written so that a later change of name, unit or role does not rewrite history.
   * Null on steps written before the demand loop; the field resolver derives those from the actor.
   */
  @Property({ type: 'string', length: 100, nullable: true })
  actorLabel?: string | null;

  /**
   * The client's id of an answer; unique per account, so that a resent confirmation is recognised.
   * Null for steps written as part of a help record (the record's own clientId guards those).
   */
  @Property({ type: 'string', length: 64, nullable: true })
  clientId?: string | null;

  @Property({ type: 'Date', length: 3 })
  createdAt: Date & Opt = new Date();
}
