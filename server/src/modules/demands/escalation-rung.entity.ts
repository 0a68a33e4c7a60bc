import { Entity, PrimaryKey, Property, type Opt } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { LOCK_VERSION_PROPERTY } from '../../core/locking';

/**
 * A rung of the escalation ladder (督办层级), as data: level 1..4 (UNIT, TOWNSHIP, DISTRICT, CITY) and the
 * days past a demand's effective due date at which it is reached. Seeded by the migration (and on SQLite
 * by db/sqlite-defaults.ts); city administrators rename rungs and move their thresholds.
 */
@Entity({ tableName: 'escalation_rung' })
@ObjectType({ description: 'A rung of the escalation ladder (督办层级).' })
export class EscalationRung {
  @Field(() => Int)
  @PrimaryKey({ autoincrement: false })
  level!: number;

  /** UNIT / TOWNSHIP / DISTRICT / CITY: how the rung's target region is found. */
  @Field()
  @Property({ length: 16, unique: true })
  code!: string;

  @Field()
  @Property({ length: 32 })
  name!: string;

  @Field(() => Int, { description: 'Days past the effective due date at which a demand reaches this rung.' })
  @Property({ type: 'integer' })
  afterDays!: number;

  @Property({ type: 'Date', length: 3, onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();

  /** Written only by core/locking.ts lockRows: the row lock that Galera certifies too. */
  @Property(LOCK_VERSION_PROPERTY)
  lockVersion?: number;
}
