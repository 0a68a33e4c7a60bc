import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * WeChat's access token for the mini-program, shared by every instance (WeChat issues a new one on
 * each request and the old one stops working five minutes later, so instances must not each fetch
 * their own). One row per app id.
 */
@Entity({ tableName: 'wechat_access_token' })
export class WechatAccessToken {
  @PrimaryKey({ type: 'string', length: 64 })
  appId!: string;

  @Property({ type: 'string', length: 600, hidden: true })
  accessToken!: string;

  @Property({ type: 'Date', length: 3 })
  expiresAt!: Date;

  @Property({ type: 'Date', length: 3 })
  fetchedAt!: Date;
}
