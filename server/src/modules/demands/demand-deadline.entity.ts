import { Entity, Enum, PrimaryKey, Property, type Opt } from '@mikro-orm/core';
import { DemandCategory } from '@wanjia/shared';
import { Field, Int, ObjectType } from 'type-graphql';

/**
 * 时限: how many calendar days a demand of a category has from being raised, and a referral of it from
 * being referred. One row per category, seeded with defaults by the migration (and on SQLite by
 * db/sqlite-defaults.ts); city administrators change them.
 */
@Entity({ tableName: 'demand_deadline' })
@ObjectType({ description: 'The time limits (时限) of a demand category, in calendar days.' })
export class DemandDeadline {
  @PrimaryKey()
  id!: number;

  @Field(() => DemandCategory)
  @Enum({ items: () => DemandCategory, unique: true })
  category!: DemandCategory;

  @Field(() => Int, { description: 'Days from raising a demand to its due date.' })
  @Property({ type: 'integer' })
  demandDays!: number;

  @Field(() => Int, { description: 'Days from referring a demand to the referral’s default due date.' })
  @Property({ type: 'integer' })
  referralDays!: number;

  @Property({ type: 'Date', length: 3, onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}
