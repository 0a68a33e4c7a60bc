import { Entity, Index, ManyToOne, PrimaryKey, Property, type Rel } from '@mikro-orm/core';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { Region } from '../regions/region.entity';
import { Round } from '../rounds/round.entity';
import { Unit } from '../units/unit.entity';

/** 单位结对帮扶: a unit paired with a village or community for a round. Ended, never deleted. */
@Entity({ tableName: 'unit_pairing' })
@Index({ properties: ['round', 'region'], name: 'unit_pairing_round_region_index' })
@Index({ properties: ['unit', 'endedOn'], name: 'unit_pairing_unit_ended_index' })
@ObjectType({ description: 'A unit paired with a village or community (单位结对帮扶).' })
export class UnitPairing {
  @Field(() => ID)
  @PrimaryKey()
  id!: number;

  /** Foreign key; the (unit, endedOn) index finds a unit's active pairings. */
  @ManyToOne(() => Unit)
  unit!: Rel<Unit>;

  /** Foreign key: the village or community; the (round, region) index lists a round's pairings by place. */
  @ManyToOne(() => Region)
  region!: Rel<Region>;

  @ManyToOne(() => Round)
  round!: Rel<Round>;

  @Field(() => LocalDateResolver)
  @Property({ type: 'date' })
  startedOn!: string;

  @Field(() => LocalDateResolver, { nullable: true })
  @Property({ type: 'date', nullable: true })
  endedOn?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 255, nullable: true })
  endReason?: string | null;
}
