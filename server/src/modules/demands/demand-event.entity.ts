import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, type Opt, type Rel } from '@mikro-orm/core';
import { DemandEventKind, Satisfaction } from '@wanjia/shared';
import { Field, ID, ObjectType } from 'type-graphql';
import { UserAccount } from '../accounts/user-account.entity';
import { HelpRecord } from '../help-records/help-record.entity';
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

  /**
   * The client's id of an answer; unique per account, so that a resent confirmation is recognised.
   * Null for steps written as part of a help record (the record's own clientId guards those).
   */
  @Property({ type: 'string', length: 64, nullable: true })
  clientId?: string | null;

  @Property({ type: 'Date', length: 3 })
  createdAt: Date & Opt = new Date();
}
