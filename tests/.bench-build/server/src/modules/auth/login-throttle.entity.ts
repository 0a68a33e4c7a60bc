import { Entity, PrimaryKey, Property, type Opt } from '@mikro-orm/core';

/**
 * Failed sign-in attempts per account name and per client address, in the database so that every
 * API instance sees the same counts.
 */
@Entity({ tableName: 'login_throttle' })
export class LoginThrottle {
  @PrimaryKey()
  id!: number;

  /** `account:<name>` or `address:<ip>`; unique, and so indexed: each attempt reads its two keys. */
  @Property({ type: 'string', length: 191, unique: true })
  key!: string;

  @Property({ type: 'integer' })
  failures: number & Opt = 0;

  @Property({ type: 'datetime', length: 3 })
  windowStartedAt!: Date;

  @Property({ type: 'datetime', length: 3, nullable: true })
  lockedUntil?: Date | null;
}
