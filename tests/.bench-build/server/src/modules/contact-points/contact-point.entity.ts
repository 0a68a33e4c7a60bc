import { Entity, Index, ManyToOne, PrimaryKey, Property, type Opt, type Rel } from '@mikro-orm/core';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { Cadre } from '../cadres/cadre.entity';
import { ContactPointKind } from './contact-point-kind.entity';
import { Household } from '../households/household.entity';
import { PetitionCase } from '../petition-cases/petition-case.entity';
import { Region } from '../regions/region.entity';
import { Round } from '../rounds/round.entity';
import { Unit } from '../units/unit.entity';

/**
 * A leader's contact point (联系点): a region, a unit, a household or a petition case, depending on
 * its kind. Every reference is a foreign key and so indexed: each is looked up from its target too.
 */
@Entity({ tableName: 'contact_point' })
@Index({ properties: ['leader', 'round'], name: 'contact_point_leader_round_index' })
@ObjectType({ description: 'A city-level leader\'s contact point (联系点).' })
export class ContactPoint {
  @Field(() => ID)
  @PrimaryKey()
  id!: number;

  /** Foreign key; the (leader, round) index lists a leader's eight points. */
  @ManyToOne(() => Cadre)
  leader!: Rel<Cadre>;

  @ManyToOne(() => ContactPointKind)
  kind!: Rel<ContactPointKind>;

  @ManyToOne(() => Round)
  round!: Rel<Round>;

  @ManyToOne(() => Region, { nullable: true })
  targetRegion?: Rel<Region> | null;

  @ManyToOne(() => Unit, { nullable: true })
  unit?: Rel<Unit> | null;

  @ManyToOne(() => Household, { nullable: true })
  household?: Rel<Household> | null;

  @ManyToOne(() => PetitionCase, { nullable: true })
  petitionCase?: Rel<PetitionCase> | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 255, nullable: true })
  note?: string | null;

  @Field(() => LocalDateResolver)
  @Property({ type: 'date' })
  startedOn!: string;

  @Field(() => LocalDateResolver, { nullable: true })
  @Property({ type: 'date', nullable: true })
  endedOn?: string | null;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date & Opt = new Date();
}
