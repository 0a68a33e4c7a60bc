import { Entity, PrimaryKey, Property, type Opt } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';

/**
 * One of the "eight ones" (八个一) a city-level leader keeps as contact points. The article names the
 * rule, not the list, so the kinds are rows an administrator can change, not an enum.
 */
@Entity({ tableName: 'contact_point_kind' })
@ObjectType({ description: 'A kind of leader contact point (one of the "eight ones").' })
export class ContactPointKind {
  @Field(() => ID)
  @PrimaryKey()
  id!: number;

  @Field({ description: 'Stable key, e.g. COUNTY or PETITION_CASE.' })
  @Property({ length: 32, unique: true })
  code!: string;

  @Field()
  @Property({ length: 64 })
  name!: string;

  @Field(() => Int)
  @Property({ type: 'integer' })
  sortOrder: number & Opt = 0;

  @Field(() => Boolean)
  @Property({ type: 'boolean' })
  active: boolean & Opt = true;
}
