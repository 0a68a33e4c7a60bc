import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Opt, type Rel } from '@mikro-orm/core';
import { RegionLevel } from '@wanjia/shared';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { LOCK_VERSION_PROPERTY } from '../../core/locking';

/** A node of the administrative division tree (行政区划): city → district/county → township/street → village/community. */
@Entity({ tableName: 'region' })
@ObjectType({ description: 'A node of the administrative division tree (行政区划).' })
export class Region {
  @Field(() => ID)
  @PrimaryKey()
  id!: number;

  /** GB/T 2260 division code extended to 12 digits down to village level; unique, so imports can match on it. */
  @Field({ description: '12-digit administrative division code.' })
  @Property({ length: 12, unique: true })
  code!: string;

  @Field()
  @Property({ length: 64 })
  name!: string;

  /** Indexed: reports group and filter regions by level (all villages and communities of a subtree). */
  @Field(() => RegionLevel)
  @Enum({ items: () => RegionLevel })
  @Index()
  level!: RegionLevel;

  /** Foreign key, indexed: children of a node are listed by parent. */
  @ManyToOne(() => Region, { nullable: true })
  parent?: Rel<Region>;

  /**
   * Materialized path of division codes from the root, each followed by a slash
   * ("210500000000/210502000000/"). Indexed: "everything under X" is `path LIKE 'X.path%'`, one index
   * range scan, never a recursive walk in application code.
   */
  @Field({ description: 'Materialized path of division codes from the root; a subtree shares its prefix.' })
  @Property({ length: 255 })
  @Index()
  path!: string;

  @Field(() => Int, { description: '0 for the city, 1 for a district or county, and so on.' })
  @Property()
  depth!: number;

  @Field(() => Date)
  @Property({ type: 'Date', length: 3 })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'Date', length: 3, onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();

  /** Written only by core/locking.ts lockRows: the row lock that Galera certifies too. */
  @Property(LOCK_VERSION_PROPERTY)
  lockVersion?: number;
}

export function childPath(parent: Pick<Region, 'path'> | null | undefined, code: string): string {
  return `${parent?.path ?? ''}${code}/`;
}
