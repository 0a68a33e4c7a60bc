import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Opt, type Rel } from '@mikro-orm/core';
import { Gender, KeyFocusReason, ResidentRelation } from '@wanjia/shared';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { Household } from './household.entity';

/** A member of a household. Identity number and key-focus reason are sensitive and masked by role. */
@Entity({ tableName: 'resident' })
@ObjectType({ description: 'A member of a household.' })
export class Resident {
  @Field(() => ID)
  @PrimaryKey()
  id!: number;

  /** Foreign key, indexed: a household's file lists its members. */
  @ManyToOne(() => Household)
  household!: Rel<Household>;

  @Field()
  @Property({ length: 64 })
  name!: string;

  @Field(() => ResidentRelation)
  @Enum({ items: () => ResidentRelation })
  relation!: ResidentRelation;

  @Field(() => Gender)
  @Enum({ items: () => Gender })
  gender!: Gender;

  @Field(() => LocalDateResolver, { nullable: true })
  @Property({ type: 'date', nullable: true })
  birthDate?: string | null;

  /** Sensitive. Unique: one person appears in one household, which catches duplicates in screening imports. */
  @Property({ type: 'string', length: 18, nullable: true, unique: true })
  idNumber?: string | null;

  /** Sensitive: why the person is on a key-focus list. Indexed: screening reports count by reason. */
  @Enum({ items: () => KeyFocusReason, nullable: true })
  @Index()
  keyFocusReason?: KeyFocusReason | null;

  @Field(() => Boolean, { description: 'Whether this person is a petitioner (信访人).' })
  @Property({ type: 'boolean' })
  isPetitioner: boolean & Opt = false;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'datetime', length: 3, onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}
