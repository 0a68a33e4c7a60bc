import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, type Opt, type Rel } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { BulkRun } from './bulk-run.entity';
import { BulkRunItemOutcome, BulkRunSkipReason, BulkRunSubject } from './bulk-run.enums';

/**
 * One candidate of a bulk run: the existing pairing or assignment it acts on, its verdict, and what it
 * became (`resultId`: the new pairing or assignment, so every row a run writes is traceable to it).
 * The unique (run, subject) is what makes "nothing twice" hold however often a batch is retried.
 *
 * The household, cadres, unit and place are plain ids (no foreign keys): the item is a record of the
 * plan, read through the loaders, and 50,000 of them are written in multi-row inserts.
 */
@Entity({ tableName: 'bulk_run_item' })
@Unique({ properties: ['run', 'subjectKind', 'subjectId'], name: 'bulk_run_item_subject_unique' })
@Index({ properties: ['run', 'outcome', 'id'], name: 'bulk_run_item_run_outcome_index' })
@ObjectType({ description: 'A candidate of a bulk run and what became of it.' })
export class BulkRunItem {
  @Field(() => ID)
  @PrimaryKey()
  id!: number;

  /** Foreign key; the (run, outcome, id) index serves the worker's next batch and the filtered pages. */
  @ManyToOne(() => BulkRun)
  run!: Rel<BulkRun>;

  @Field(() => BulkRunSubject)
  @Enum({ items: () => BulkRunSubject })
  subjectKind!: BulkRunSubject;

  /** The id of the pairing or assignment the item acts on. */
  @Property({ type: 'integer', unsigned: true })
  subjectId!: number;

  @Field(() => BulkRunItemOutcome)
  @Enum({ items: () => BulkRunItemOutcome })
  outcome!: BulkRunItemOutcome;

  @Field(() => BulkRunSkipReason, { nullable: true })
  @Enum({ items: () => BulkRunSkipReason, nullable: true })
  reason?: BulkRunSkipReason | null;

  @Field(() => Boolean, { description: 'Skipped by the run (re-checked at run time), not by the plan.' })
  @Property({ type: 'boolean' })
  skippedAtRun: boolean & Opt = false;

  @Property({ type: 'integer', unsigned: true, nullable: true })
  householdId?: number | null;

  /** The cadre who has the household now (assignments). */
  @Property({ type: 'integer', unsigned: true, nullable: true })
  cadreId?: number | null;

  /** The cadre the household goes to: the same cadre in a rollover, the receiving one in a reassignment. */
  @Property({ type: 'integer', unsigned: true, nullable: true })
  toCadreId?: number | null;

  /** Pairings: the unit and the village or community. */
  @Property({ type: 'integer', unsigned: true, nullable: true })
  unitId?: number | null;

  @Property({ type: 'integer', unsigned: true, nullable: true })
  regionId?: number | null;

  /** The pairing or assignment the run wrote for this item. */
  @Property({ type: 'integer', unsigned: true, nullable: true })
  resultId?: number | null;
}
