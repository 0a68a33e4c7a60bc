import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Opt, type Rel } from '@mikro-orm/core';
import { AssignmentKind } from '@wanjia/shared';
import { Field, ID, ObjectType } from 'type-graphql';
import { Cadre } from '../cadres/cadre.entity';
import { Household } from '../households/household.entity';
import { Round } from '../rounds/round.entity';

/**
 * 联系帮扶: a cadre looking after a household in a round. Ended with a date and a reason, never
 * deleted, so a household keeps one history across transfers.
 */
@Entity({ tableName: 'assignment' })
@Index({ properties: ['cadre', 'endedAt'], name: 'assignment_cadre_ended_index' })
@Index({ properties: ['household', 'endedAt'], name: 'assignment_household_ended_index' })
@ObjectType({ description: 'A cadre paired with a household (联系帮扶).' })
export class Assignment {
  @Field(() => ID)
  @PrimaryKey()
  id!: number;

  /** Foreign key; the (cadre, endedAt) index gives a cadre's active households, the hottest read. */
  @ManyToOne(() => Cadre)
  cadre!: Rel<Cadre>;

  /** Foreign key; the (household, endedAt) index finds a household's current cadre and its history. */
  @ManyToOne(() => Household)
  household!: Rel<Household>;

  /** Foreign key, indexed: figures are reported per round. */
  @ManyToOne(() => Round)
  round!: Rel<Round>;

  @Field(() => AssignmentKind)
  @Enum({ items: () => AssignmentKind })
  kind!: AssignmentKind;

  @Field()
  @Property({ length: 3 })
  startedAt!: Date;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', length: 3, nullable: true })
  endedAt?: Date | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 255, nullable: true })
  endReason?: string | null;

  /** Foreign key, indexed: the assignment this one took over from in a transfer. */
  @ManyToOne(() => Assignment, { nullable: true })
  transferredFrom?: Rel<Assignment> | null;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date & Opt = new Date();
}
