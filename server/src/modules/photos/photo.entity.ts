import { Entity, Index, ManyToOne, PrimaryKey, Property, type Opt, type Rel } from '@mikro-orm/core';
import { UserAccount } from '../accounts/user-account.entity';

/**
 * An uploaded photo, as the server re-encoded it. Its id is the SHA-256 of the stored bytes (re-encoding
 * is deterministic), so the same photo uploaded twice is stored once.
 */
@Entity({ tableName: 'photo' })
// The upload quota sums an account's photos of the last 24 hours: one range scan on this index.
@Index({ properties: ['uploadedBy', 'createdAt'] })
export class Photo {
  @PrimaryKey({ type: 'string', length: 64 })
  id!: string;

  @Property({ type: 'string', length: 32 })
  mimeType!: string;

  @Property({ type: 'integer' })
  sizeBytes!: number;

  /** Foreign key, and so indexed: a record may only attach photos its author uploaded. */
  @ManyToOne(() => UserAccount)
  uploadedBy!: Rel<UserAccount>;

  @Property({ type: 'Date', length: 3 })
  createdAt: Date & Opt = new Date();
}
