import { Entity, Index, PrimaryKey, Property, type Opt } from '@mikro-orm/core';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';

/** 轮次: a three-year round of the campaign. Every pairing, record and figure belongs to one. */
@Entity({ tableName: 'round' })
@ObjectType({ description: 'A round (轮次) of the campaign.' })
export class Round {
  @Field(() => ID)
  @PrimaryKey()
  id!: number;

  @Field()
  @Property({ length: 64, unique: true })
  name!: string;

  /** Indexed: the current round is found by date. */
  @Field(() => LocalDateResolver)
  @Property({ type: 'date' })
  @Index()
  startsOn!: string;

  @Field(() => LocalDateResolver)
  @Property({ type: 'date' })
  endsOn!: string;

  @Property({ type: 'Date', length: 3 })
  createdAt: Date & Opt = new Date();
}
