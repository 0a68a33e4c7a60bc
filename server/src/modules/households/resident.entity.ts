import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Opt, type Rel } from '@mikro-orm/core';
import { Gender, KeyFocusReason, ResidentDeparture, ResidentRelation } from '@wanjia/shared';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { Household } from './household.entity';

/** A member of a household. Identity number and key-focus reason are sensitive and masked by role. */
@Entity({ tableName: 'resident' })
@ObjectType({ description: 'A member of a household.' })
export class Resident {
  @Field(() => ID)
  @PrimaryKey()
  id!: number;

  /** Foreign key, indexed: a household's file lists its members. */
  @ManyToOne(() => Household)
  household!: Rel<Household>;

  @Field()
  @Property({ length: 64 })
  name!: string;

  @Field(() => ResidentRelation)
  @Enum({ items: () => ResidentRelation })
  relation!: ResidentRelation;

  @Field(() => Gender)
  @Enum({ items: () => Gender })
  gender!: Gender;

  /**
   * Sensitive: with the address code it is most of the ID number. Exposed as the birth year only
   * (resolver); the full date comes with revealResident.
   */
  @Property({ type: 'date', nullable: true })
  birthDate?: string | null;

  /**
   * Sensitive. Indexed but deliberately not unique: a uniqueness error would tell a district's
   * administrator that a person is on another district's lists. Duplicates are refused within the
   * administrator's own scope (household service) and found city-wide by the city's reports.
   */
  @Property({ type: 'string', length: 18, nullable: true })
  @Index()
  idNumber?: string | null;

  /** Sensitive: why the person is on a key-focus list. Indexed: screening reports count by reason. */
  @Enum({ items: () => KeyFocusReason, nullable: true })
  @Index()
  keyFocusReason?: KeyFocusReason | null;

  @Field(() => Boolean, { description: 'Whether this person is a petitioner (信访人).' })
  @Property({ type: 'boolean' })
  isPetitioner: boolean & Opt = false;

  /**
   * A member who died or moved out is not deleted (history, not deletes): the day and why, set when an
   * administrator approves a cadre's field report. The household's members still list them, marked.
   */
  @Field(() => LocalDateResolver, { nullable: true, description: 'The day the member died or moved out (null while a member).' })
  @Property({ type: 'date', nullable: true })
  leftOn?: string | null;

  @Field(() => ResidentDeparture, { nullable: true, description: 'Why the member is no longer in the household (已故/已迁出); null while a member.' })
  @Enum({ items: () => ResidentDeparture, nullable: true })
  departure?: ResidentDeparture | null;

  @Property({ type: 'Date', length: 3 })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'Date', length: 3, onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}
