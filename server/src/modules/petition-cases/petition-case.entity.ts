import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Opt, type Rel } from '@mikro-orm/core';
import { PetitionCaseStatus } from '@wanjia/shared';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { Cadre } from '../cadres/cadre.entity';
import { Household } from '../households/household.entity';
import { Resident } from '../households/resident.entity';
import { LOCK_VERSION_PROPERTY } from '../../core/locking';

/** 信访案件: a petition case of a household's member. Its details are sensitive and masked by role. */
@Entity({ tableName: 'petition_case' })
@Index({ properties: ['status', 'majorBacklog'], name: 'petition_case_status_major_index' })
@ObjectType({ description: 'A petition case (信访案件).' })
export class PetitionCase {
  @Field(() => ID)
  @PrimaryKey()
  id!: number;

  /** Foreign key, indexed: a household's file shows its case. */
  @ManyToOne(() => Household)
  household!: Rel<Household>;

  /** Foreign key, indexed: the petitioner, when known. */
  @ManyToOne(() => Resident, { nullable: true })
  resident?: Rel<Resident> | null;

  /** Sensitive together with the demand: masked for roles without need. */
  @Property({ length: 200 })
  title!: string;

  @Property({ type: 'text' })
  demand!: string;

  @Field(() => LocalDateResolver)
  @Property({ type: 'date' })
  receivedOn!: string;

  /** 重大积访案件: has a responsible leader. Part of the (status, majorBacklog) index for the leaders' list. */
  @Field(() => Boolean)
  @Property({ type: 'boolean' })
  majorBacklog: boolean & Opt = false;

  /** 包案领导. Foreign key, indexed: a leader's cases. */
  @ManyToOne(() => Cadre, { nullable: true })
  responsibleLeader?: Rel<Cadre> | null;

  @Field(() => PetitionCaseStatus)
  @Enum({ items: () => PetitionCaseStatus })
  status: PetitionCaseStatus & Opt = PetitionCaseStatus.REGISTERED;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'Date', length: 3, nullable: true })
  resolvedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  resolution?: string | null;

  @Property({ type: 'Date', length: 3 })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'Date', length: 3, onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();

  /** Written only by core/locking.ts lockRows: the row lock that Galera certifies too. */
  @Property(LOCK_VERSION_PROPERTY)
  lockVersion?: number;
}
