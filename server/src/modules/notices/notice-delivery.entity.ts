import { Entity, Enum, Index, OneToOne, PrimaryKey, Property, type Opt, type Rel } from '@mikro-orm/core';
import { NoticeKind } from '@wanjia/shared';
import { Notice } from './notice.entity';

/** Where one WeChat subscribe message stands. */
export enum DeliveryStatus {
  /** Waiting for the worker (first try or a retry at next_attempt_at). */
  PENDING = 'PENDING',
  /** WeChat accepted it. */
  SENT = 'SENT',
  /** Not sent, and never will be: no subscription credit (43101), no template, no openid. */
  SKIPPED = 'SKIPPED',
  /** Gave up: a permanent refusal, or every attempt failed. */
  FAILED = 'FAILED',
}

/**
 * The WeChat outbox: one row per notice that should also reach the recipient's WeChat, written with
 * the notice in the event's transaction and sent later by `deliverPendingNotices` under a row lease
 * (lease_owner, lease_until), so that any number of instances compete and each row is sent once.
 */
@Entity({ tableName: 'notice_delivery' })
// The worker's scan: pending rows whose time has come, oldest first.
@Index({ properties: ['status', 'nextAttemptAt'], name: 'notice_delivery_status_next_index' })
export class NoticeDelivery {
  @PrimaryKey()
  id!: number;

  @OneToOne(() => Notice, { owner: true, unique: true })
  notice!: Rel<Notice>;

  /** The kind whose template (WECHAT_TEMPLATE_<KIND>) the message uses. */
  @Enum({ items: () => NoticeKind })
  templateKey!: NoticeKind;

  @Enum({ items: () => DeliveryStatus })
  status: DeliveryStatus & Opt = DeliveryStatus.PENDING;

  @Property({ type: 'integer' })
  attempts: number & Opt = 0;

  @Property({ type: 'Date', length: 3 })
  nextAttemptAt!: Date;

  /** The worker run holding the row; with lease_until, a claim another run may take once it lapses. */
  @Property({ type: 'string', length: 64, nullable: true })
  leaseOwner?: string | null;

  @Property({ type: 'Date', length: 3, nullable: true })
  leaseUntil?: Date | null;

  /** WeChat's errcode and errmsg or the network error: never the openid or the message. */
  @Property({ type: 'string', length: 200, nullable: true })
  lastError?: string | null;

  @Property({ type: 'Date', length: 3, nullable: true })
  sentAt?: Date | null;
}
