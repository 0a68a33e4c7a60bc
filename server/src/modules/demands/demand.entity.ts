import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Opt, type Rel } from '@mikro-orm/core';
import { DemandCategory, DemandStatus, Satisfaction } from '@wanjia/shared';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { HelpRecord } from '../help-records/help-record.entity';
import { Household } from '../households/household.entity';
import { LOCK_VERSION_PROPERTY } from '../../core/locking';

/** 诉求: something a household asked for, raised on a visit and resolved by a later help record. */
@Entity({ tableName: 'demand' })
@Index({ properties: ['household', 'status'], name: 'demand_household_status_index' })
@Index({ properties: ['status', 'dueOn'], name: 'demand_status_due_index' })
@ObjectType({ description: 'A demand (诉求) a household raised.' })
export class Demand {
  @Field(() => ID)
  @PrimaryKey()
  id!: number;

  /** Foreign key; the (household, status) index gives a household's open demands. */
  @ManyToOne(() => Household)
  household!: Rel<Household>;

  /** Indexed: resolution rates are reported by category. */
  @Field(() => DemandCategory)
  @Enum({ items: () => DemandCategory })
  @Index()
  category!: DemandCategory;

  @Field()
  @Property({ type: 'text' })
  text!: string;

  @Field()
  @Property({ length: 3 })
  raisedAt!: Date;

  /** With status in the (status, dueOn) index: the overdue-demands report is a range scan. */
  @Field(() => LocalDateResolver, { nullable: true })
  @Property({ type: 'date', nullable: true })
  dueOn?: string | null;

  @Field(() => DemandStatus)
  @Enum({ items: () => DemandStatus })
  status: DemandStatus & Opt = DemandStatus.OPEN;

  /** Foreign key, indexed: the help record on which the demand was heard, when there was one. */
  @ManyToOne(() => HelpRecord, { nullable: true })
  raisedIn?: Rel<HelpRecord> | null;

  /** Foreign key, indexed: the help record that resolved it. */
  @ManyToOne(() => HelpRecord, { nullable: true })
  resolvedBy?: Rel<HelpRecord> | null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'Date', length: 3, nullable: true })
  resolvedAt?: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the household confirmed the resolution on a later visit.' })
  @Property({ type: 'Date', length: 3, nullable: true })
  confirmedAt?: Date | null;

  /** The household's latest answer to a resolution (null before the first 回访). */
  @Field(() => Satisfaction, { nullable: true, description: "The household's latest answer to a resolution, if any (null before the first 回访)." })
  @Enum({ items: () => Satisfaction, nullable: true })
  satisfaction?: Satisfaction | null;

  @Field(() => String, { nullable: true, description: 'The note of that answer.' })
  @Property({ type: 'string', length: 500, nullable: true })
  confirmationNote?: string | null;

  @Field(() => Int, { description: 'How many times the household said 不满意 and the demand went back to open.' })
  @Property({ type: 'integer', default: 0 })
  reopenCount: number & Opt = 0;

  /**
   * The highest open rung of the escalation ladder (督办) this demand reached; 0 when nothing is escalated
   * or its escalations were settled. Kept here so that lists filter and sort on it without a join.
   */
  @Field(() => Int, { description: 'The highest open rung of the escalation ladder reached (0: none).' })
  @Property({ type: 'integer', default: 0 })
  escalationRung: number & Opt = 0;

  @Property({ type: 'Date', length: 3 })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'Date', length: 3, onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();

  /** Written only by core/locking.ts lockRows: the row lock that Galera certifies too. */
  @Property(LOCK_VERSION_PROPERTY)
  lockVersion?: number;
}
