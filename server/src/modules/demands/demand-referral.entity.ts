import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Opt, type Rel } from '@mikro-orm/core';
import { ReferralStatus } from '@wanjia/shared';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { UserAccount } from '../accounts/user-account.entity';
import { Cadre } from '../cadres/cadre.entity';
import { Unit } from '../units/unit.entity';
import { Demand } from './demand.entity';

/**
 * 交办: one hand-over of a demand to a unit. A demand has at most one open (PENDING/ACCEPTED) referral at a
 * time — the demand's conditional status update (OPEN/IN_PROGRESS → REFERRED) is the guard — and keeps every
 * closed one as history. Rows are never deleted: a return or a withdrawal closes the row.
 */
@Entity({ tableName: 'demand_referral' })
@Index({ properties: ['demand', 'status'], name: 'demand_referral_demand_status_index' })
@Index({ properties: ['unit', 'status', 'dueOn'], name: 'demand_referral_unit_status_due_index' })
@Index({ properties: ['status', 'dueOn'], name: 'demand_referral_status_due_index' })
@ObjectType({ description: 'A referral (交办) of a demand to a unit.' })
export class DemandReferral {
  @Field(() => ID)
  @PrimaryKey()
  id!: number;

  /** Foreign key; with status in the (demand, status) index: a demand's open referral is one lookup. */
  @ManyToOne(() => Demand)
  demand!: Rel<Demand>;

  /** Foreign key; the (unit, status, dueOn) index is a handler's inbox, oldest due first. */
  @ManyToOne(() => Unit)
  unit!: Rel<Unit>;

  @Field(() => ReferralStatus)
  @Enum({ items: () => ReferralStatus })
  status: ReferralStatus & Opt = ReferralStatus.PENDING;

  /** The referring cadre's note to the unit. */
  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 500, nullable: true })
  note?: string | null;

  /** Calendar day in Asia/Shanghai; moved by an instruction (督办). */
  @Field(() => LocalDateResolver)
  @Property({ type: 'date' })
  dueOn!: string;

  @Field(() => Date)
  @Property({ type: 'Date', length: 3 })
  referredAt!: Date;

  /** Foreign key, indexed: the account that referred it (the household's cadre then). */
  @ManyToOne(() => UserAccount)
  referredByAccount!: Rel<UserAccount>;

  /** Foreign key, indexed: the referring cadre, whose name the unit sees and who hears of a return. */
  @ManyToOne(() => Cadre)
  referredByCadre!: Rel<Cadre>;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'Date', length: 3, nullable: true })
  acceptedAt?: Date | null;

  /** Foreign key, indexed: the handler who signed for it. */
  @ManyToOne(() => Cadre, { nullable: true })
  acceptedByCadre?: Rel<Cadre> | null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'Date', length: 3, nullable: true })
  returnedAt?: Date | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 500, nullable: true })
  returnReason?: string | null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'Date', length: 3, nullable: true })
  resolvedAt?: Date | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 1000, nullable: true })
  resolution?: string | null;

  /** Foreign key, indexed: the handler who returned or resolved it. */
  @ManyToOne(() => Cadre, { nullable: true })
  closedByCadre?: Rel<Cadre> | null;

  /** Set when the referral was closed without the unit (WITHDRAWN). */
  @Property({ type: 'Date', length: 3, nullable: true })
  withdrawnAt?: Date | null;

  @Property({ type: 'Date', length: 3 })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'Date', length: 3, onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}
