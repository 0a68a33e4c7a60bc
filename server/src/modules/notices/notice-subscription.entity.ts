import { Entity, Enum, ManyToOne, PrimaryKey, Property, Unique, type Opt, type Rel } from '@mikro-orm/core';
import { NoticeKind } from '@wanjia/shared';
import { UserAccount } from '../accounts/user-account.entity';

/**
 * A cadre's one-time WeChat subscriptions (一次性订阅) for one kind: every "accept" in
 * wx.requestSubscribeMessage allows WeChat to deliver one message, so the credits count accepts not
 * yet used. A message sent takes one; WeChat's 43101 (the user has no subscription) zeroes them.
 */
@Entity({ tableName: 'notice_subscription' })
@Unique({ properties: ['account', 'kind'], name: 'notice_subscription_account_kind_unique' })
export class NoticeSubscription {
  @PrimaryKey()
  id!: number;

  @ManyToOne(() => UserAccount)
  account!: Rel<UserAccount>;

  @Enum({ items: () => NoticeKind })
  kind!: NoticeKind;

  @Property({ type: 'integer' })
  credits: number & Opt = 0;

  @Property({ type: 'Date', length: 3 })
  updatedAt!: Date;
}
