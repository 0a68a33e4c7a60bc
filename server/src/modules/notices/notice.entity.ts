import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, type Opt, type Rel } from '@mikro-orm/core';
import { NoticeKind } from '@wanjia/shared';
import { Field, ID, ObjectType } from 'type-graphql';
import { UserAccount } from '../accounts/user-account.entity';
import { Demand } from '../demands/demand.entity';

/**
 * An in-app message (消息) to one account, written in the transaction of the event it tells of. Its
 * title and body are all the recipient reads of it: they never carry an ID number, a phone number or
 * a key-focus reason, and the demand it points to is read through the demand's own scope.
 */
@Entity({ tableName: 'notice' })
// The recipient's list, unread first or all, newest first: one index range whatever the page.
@Index({ properties: ['recipientAccount', 'readAt', 'id'], name: 'notice_recipient_read_index' })
// A periodic notice (VISITS_DUE, keyed by ISO week) exists once per recipient and period; other kinds
// leave period_key null, which a unique index does not compare.
@Unique({ properties: ['recipientAccount', 'kind', 'periodKey'], name: 'notice_recipient_kind_period_unique' })
@ObjectType({ description: 'A message to the signed-in account (消息).' })
export class Notice {
  @Field(() => ID)
  @PrimaryKey()
  id!: number;

  @ManyToOne(() => UserAccount)
  recipientAccount!: Rel<UserAccount>;

  @Field(() => NoticeKind)
  @Enum({ items: () => NoticeKind })
  kind!: NoticeKind;

  /** Foreign key, indexed: the demand the notice tells of (its page in the app). */
  @ManyToOne(() => Demand, { nullable: true })
  demand?: Rel<Demand> | null;

  /** The referral it tells of; a plain column, the referral's own rows carry its integrity. */
  @Property({ type: 'integer', unsigned: true, nullable: true })
  referralId?: number | null;

  @Field(() => String)
  @Property({ type: 'string', length: 40 })
  title!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 200 })
  body!: string;

  /** ISO week (2026-W49) of a VISITS_DUE notice: with the unique index, one per cadre per week. */
  @Property({ type: 'string', length: 16, nullable: true })
  periodKey?: string | null;

  @Field(() => Date)
  @Property({ type: 'Date', length: 3 })
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'Date', length: 3, nullable: true })
  readAt?: (Date & Opt) | null = null;
}
