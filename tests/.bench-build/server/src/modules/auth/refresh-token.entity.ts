import { Entity, Index, ManyToOne, PrimaryKey, Property, type Opt, type Rel } from '@mikro-orm/core';
import { UserAccount } from '../accounts/user-account.entity';

/**
 * A refresh token, stored only as a hash. Each use rotates it: the old row is revoked and a new one
 * joins the same family; presenting a revoked token again means it was stolen, and the whole family
 * is revoked.
 */
@Entity({ tableName: 'refresh_token' })
export class RefreshToken {
  @PrimaryKey()
  id!: number;

  /** Foreign key, indexed: an account's sessions are revoked together. */
  @ManyToOne(() => UserAccount)
  account!: Rel<UserAccount>;

  /** Unique, and so indexed: presenting a token is one lookup. */
  @Property({ type: 'string', length: 64, unique: true })
  tokenHash!: string;

  /** Indexed: reuse of a rotated token revokes every token of its family. */
  @Property({ type: 'string', length: 36 })
  @Index()
  familyId!: string;

  @Property({ type: 'datetime', length: 3 })
  expiresAt!: Date;

  @Property({ type: 'datetime', length: 3, nullable: true })
  revokedAt?: Date | null;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date & Opt = new Date();
}
