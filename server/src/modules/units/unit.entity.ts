import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Opt, type Rel } from '@mikro-orm/core';
import { UnitKind, UnitLevel } from '@wanjia/shared';
import { Field, ID, ObjectType } from 'type-graphql';
import { Region } from '../regions/region.entity';
import { LOCK_VERSION_PROPERTY } from '../../core/locking';

/** A party or government agency, state enterprise or public institution that sends cadres. */
@Entity({ tableName: 'unit' })
@ObjectType({ description: 'An agency, state enterprise or public institution (单位).' })
export class Unit {
  @Field(() => ID)
  @PrimaryKey()
  id!: number;

  /** Indexed: administrators look units up by name. */
  @Field()
  @Property({ length: 128 })
  @Index()
  name!: string;

  /** Indexed: reports break figures down by kind of unit. */
  @Field(() => UnitKind)
  @Enum({ items: () => UnitKind })
  @Index()
  kind!: UnitKind;

  @Field(() => UnitLevel)
  @Enum({ items: () => UnitLevel })
  level!: UnitLevel;

  /** Foreign key, indexed: a unit belongs to the region whose administrators manage it. */
  @ManyToOne(() => Region)
  region!: Rel<Region>;

  @Property({ type: 'Date', length: 3 })
  createdAt: Date & Opt = new Date();

  /** Written only by core/locking.ts lockRows: the row lock that Galera certifies too. */
  @Property(LOCK_VERSION_PROPERTY)
  lockVersion?: number;
}
