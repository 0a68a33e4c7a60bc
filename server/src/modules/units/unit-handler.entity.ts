import { Entity, Index, ManyToOne, PrimaryKey, Property, type Opt, type Rel } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { UserAccount } from '../accounts/user-account.entity';
import { Cadre } from '../cadres/cadre.entity';
import { Unit } from './unit.entity';

/**
 * 联络员: a cadre of a unit designated to receive the demands referred to it. Ended (with a date and reason),
 * never deleted; one active row per (unit, cadre), enforced by the service.
 */
@Entity({ tableName: 'unit_handler' })
@Index({ properties: ['unit', 'endedAt'], name: 'unit_handler_unit_ended_index' })
@Index({ properties: ['cadre', 'endedAt'], name: 'unit_handler_cadre_ended_index' })
@ObjectType({ description: "A unit's handler (联络员) of referred demands." })
export class UnitHandler {
  @Field(() => ID)
  @PrimaryKey()
  id!: number;

  @ManyToOne(() => Unit)
  unit!: Rel<Unit>;

  @ManyToOne(() => Cadre)
  cadre!: Rel<Cadre>;

  /** Foreign key, indexed: the administrator who designated the handler. */
  @ManyToOne(() => UserAccount)
  designatedByAccount!: Rel<UserAccount>;

  @Field(() => Date)
  @Property({ type: 'Date', length: 3 })
  startedAt!: Date;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'Date', length: 3, nullable: true })
  endedAt?: Date | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 200, nullable: true })
  endedReason?: string | null;

  @Property({ type: 'Date', length: 3 })
  createdAt: Date & Opt = new Date();
}
