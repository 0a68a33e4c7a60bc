import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Opt, type Rel } from '@mikro-orm/core';
import { CadreRank } from '@wanjia/shared';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Unit } from '../units/unit.entity';
import { LOCK_VERSION_PROPERTY } from '../../core/locking';

/** 党员干部: a person a unit sends to households. Deactivated, never deleted. */
@Entity({ tableName: 'cadre' })
@Index({ properties: ['unit', 'active'], name: 'cadre_unit_active_index' })
@ObjectType({ description: 'A cadre (党员干部) who visits households.' })
export class Cadre {
  @Field(() => ID)
  @PrimaryKey()
  id!: number;

  /** Indexed: administrators search cadres by name. */
  @Field()
  @Property({ length: 64 })
  @Index()
  name!: string;

  /** Foreign key; the (unit, active) index lists a unit's active cadres. */
  @ManyToOne(() => Unit)
  unit!: Rel<Unit>;

  @Field({ description: '职务, e.g. 副局长.' })
  @Property({ length: 64 })
  post!: string;

  @Field(() => CadreRank)
  @Enum({ items: () => CadreRank })
  rank!: CadreRank;

  @Field(() => Boolean)
  @Property({ type: 'boolean' })
  partyMember: boolean & Opt = true;

  /** Sensitive: exposed through a masking field resolver, not as a plain field. */
  @Property({ type: 'string', length: 20, nullable: true })
  phone?: string | null;

  @Field(() => Boolean)
  @Property({ type: 'boolean' })
  active: boolean & Opt = true;

  @Field(() => Int, { description: 'How many households this cadre can look after at once.' })
  @Property({ type: 'integer' })
  householdCapacity: number & Opt = 5;

  @Property({ type: 'Date', length: 3 })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'Date', length: 3, onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();

  /** Written only by core/locking.ts lockRows: the row lock that Galera certifies too. */
  @Property(LOCK_VERSION_PROPERTY)
  lockVersion?: number;
}
