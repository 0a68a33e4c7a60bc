import { Entity, Enum, Index, ManyToOne, OneToOne, PrimaryKey, Property, type Opt, type Rel } from '@mikro-orm/core';
import { Role } from '@wanjia/shared';
import { Field, ID, ObjectType } from 'type-graphql';
import { Cadre } from '../cadres/cadre.entity';
import { Region } from '../regions/region.entity';

/**
 * Who signs in. Administrators and analysts use a username and password and carry a scope region;
 * a cadre's account is bound once to a WeChat openid with a one-time code an administrator issues.
 */
@Entity({ tableName: 'user_account' })
@ObjectType({ description: 'A sign-in account.' })
export class UserAccount {
  @Field(() => ID)
  @PrimaryKey()
  id!: number;

  /** Indexed: administrators list accounts by role. */
  @Field(() => Role)
  @Enum({ items: () => Role })
  @Index()
  role!: Role;

  /** Foreign key, indexed: the root of the subtree this account may see (null only for cadres). */
  @ManyToOne(() => Region, { nullable: true })
  scopeRegion?: Rel<Region> | null;

  /** One account per cadre; unique, and so indexed for the cadre → account lookup. */
  @OneToOne(() => Cadre, { nullable: true, owner: true, unique: true })
  cadre?: Rel<Cadre> | null;

  /** Unique, and so indexed: the sign-in lookup. */
  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true, unique: true })
  username?: string | null;

  @Property({ type: 'string', length: 255, nullable: true, hidden: true })
  passwordHash?: string | null;

  /** Unique, and so indexed: the WeChat sign-in lookup. */
  @Property({ type: 'string', length: 64, nullable: true, unique: true, hidden: true })
  wechatOpenid?: string | null;

  /** Only a hash of the one-time bind code is stored; unique so that redeeming it is one lookup. */
  @Property({ type: 'string', length: 128, nullable: true, unique: true, hidden: true })
  bindCodeHash?: string | null;

  @Property({ type: 'Date', length: 3, nullable: true })
  bindCodeExpiresAt?: Date | null;

  @Field(() => Boolean)
  @Property({ type: 'boolean' })
  active: boolean & Opt = true;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'Date', length: 3, nullable: true })
  lastLoginAt?: Date | null;

  /** Set by resetPassword: the one-time password signs in only to change it (a password-change token). */
  @Field(() => Boolean, { description: 'The password is a one-time password from resetPassword and must be changed before anything else.' })
  @Property({ type: 'boolean' })
  mustChangePassword: boolean & Opt = false;

  @Field(() => Date, { nullable: true, description: 'When the password was last set by changePassword or resetPassword.' })
  @Property({ type: 'Date', length: 3, nullable: true })
  passwordChangedAt?: Date | null;

  /**
   * Raised whenever every sign-in of the account must end (password changed or reset, deactivated):
   * access tokens carry the value they were issued under, and the account-standing check refuses older ones.
   */
  @Property({ type: 'integer' })
  sessionGeneration: number & Opt = 0;

  @Field(() => Date)
  @Property({ type: 'Date', length: 3 })
  createdAt: Date & Opt = new Date();
}
