import { BeforeDelete, BeforeUpdate, Entity, Index, ManyToOne, PrimaryKey, Property, type Opt, type Rel } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { UserAccount } from '../accounts/user-account.entity';

/** One mutation or sensitive read: who, when, what, on which row, and what changed. Append-only. */
@Entity({ tableName: 'audit_entry' })
@Index({ properties: ['entityName', 'entityId'], name: 'audit_entry_entity_index' })
@Index({ properties: ['actor', 'at'], name: 'audit_entry_actor_at_index' })
@ObjectType({ description: 'An entry of the audit trail.' })
export class AuditEntry {
  @Field(() => ID)
  @PrimaryKey()
  id!: number;

  /** Null for the system itself (seeding, migrations). The (actor, at) index serves "what did X do". */
  @ManyToOne(() => UserAccount, { nullable: true })
  actor?: Rel<UserAccount> | null;

  /** Indexed: the trail is read by time range. */
  @Field(() => Date)
  @Property({ type: 'Date', length: 3 })
  @Index()
  at: Date & Opt = new Date();

  @Field({ description: 'The mutation or read, e.g. submitHelpRecord or revealResident.' })
  @Property({ length: 64 })
  operation!: string;

  /** With entityId in the (entityName, entityId) index: the trail of one row. */
  @Field()
  @Property({ length: 64 })
  entityName!: string;

  @Field()
  @Property({ length: 64 })
  entityId!: string;

  /** JSON of what changed (field → [before, after]) or what was created. */
  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  changes?: string | null;

  @Field(() => String, { nullable: true, description: 'Why, for reads of sensitive data.' })
  @Property({ type: 'string', length: 255, nullable: true })
  reason?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  clientAddress?: string | null;

  /**
   * Path of the region the affected row belongs to (null for city-wide rows such as rounds), so that
   * a district administrator reads the trail of the district only. Indexed for that prefix scan.
   */
  @Property({ type: 'string', length: 255, nullable: true })
  @Index()
  regionPath?: string | null;

  /**
   * Append-only in the code as well as in the API: a flush that would change or delete an entry
   * fails (and rolls back its transaction). A database trigger would also stop raw SQL, but needs a
   * migration on MySQL.
   */
  @BeforeUpdate()
  @BeforeDelete()
  refuseChange(): never {
    throw new Error(`audit entry ${this.id} is append-only`);
  }
}
