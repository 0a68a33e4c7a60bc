import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Opt, type Rel } from '@mikro-orm/core';
import { BulkRunState, TargetGroup } from '@wanjia/shared';
import { Field, ID, ObjectType } from 'type-graphql';
import { UserAccount } from '../accounts/user-account.entity';
import { Cadre } from '../cadres/cadre.entity';
import { Region } from '../regions/region.entity';
import { Round } from '../rounds/round.entity';
import { Unit } from '../units/unit.entity';
import { BulkRunKind, RolloverCarry } from './bulk-run.enums';

/**
 * A bulk run: a new round's carry-over (新一轮结对) or a bulk reassignment, planned as a dry run (one
 * item per candidate with its verdict) and then executed as one resumable operation in batches. The
 * counters are kept on the row in the same transactions as the items, so progress costs no count.
 */
@Entity({ tableName: 'bulk_run' })
@Index({ properties: ['state', 'leaseUntil'], name: 'bulk_run_state_lease_index' })
@ObjectType({ description: 'A round rollover or bulk reassignment: its plan (dry run), then one resumable run (administrators in scope).' })
export class BulkRun {
  @Field(() => ID)
  @PrimaryKey()
  id!: number;

  @Field(() => BulkRunKind)
  @Enum({ items: () => BulkRunKind })
  kind!: BulkRunKind;

  @Field(() => BulkRunState)
  @Enum({ items: () => BulkRunState })
  state: BulkRunState & Opt = BulkRunState.PLANNED;

  /** The region the run acts in; its path decides who reads and starts it. Foreign key. */
  @ManyToOne(() => Region)
  region!: Rel<Region>;

  /** Indexed: the list of runs is the caller's subtree, one range on the path. */
  @Property({ length: 255 })
  @Index()
  regionPath!: string;

  /**
   * The planner's scope root when the plan was made: the run re-checks every item with the reach the
   * plan was made with (an instance resuming the run has no signed-in caller).
   */
  @Property({ length: 255 })
  scopePath!: string;

  @ManyToOne(() => UserAccount)
  plannedBy!: Rel<UserAccount>;

  @ManyToOne(() => UserAccount, { nullable: true })
  startedBy?: Rel<UserAccount> | null;

  /** Rollover: the round carried from and the round carried into. */
  @ManyToOne(() => Round, { nullable: true })
  fromRound?: Rel<Round> | null;

  @ManyToOne(() => Round, { nullable: true })
  toRound?: Rel<Round> | null;

  @Field(() => RolloverCarry, { nullable: true })
  @Enum({ items: () => RolloverCarry, nullable: true })
  carry?: RolloverCarry | null;

  /** Rollover: the unit it is narrowed to; reassignment: the unit whose cadres' households move. */
  @ManyToOne(() => Unit, { nullable: true })
  unit?: Rel<Unit> | null;

  /** Reassignment: the cadre whose households move. */
  @ManyToOne(() => Cadre, { nullable: true })
  fromCadre?: Rel<Cadre> | null;

  @Field(() => TargetGroup, { nullable: true, description: 'Rollover: the target group its assignments are narrowed to.' })
  @Enum({ items: () => TargetGroup, nullable: true })
  targetGroup?: TargetGroup | null;

  @Field({ description: 'The end reason written on every assignment or pairing the run ends (新一轮结对 for a rollover).' })
  @Property({ length: 255 })
  reason!: string;

  /** Items in the plan, and those the plan would carry or move (the rest were skipped by the plan). */
  @Property({ type: 'integer' })
  itemsTotal: number & Opt = 0;

  @Property({ type: 'integer' })
  itemsPlanned: number & Opt = 0;

  /** Of the planned items: written, and skipped at run time (the world changed since the plan). */
  @Property({ type: 'integer' })
  itemsDone: number & Opt = 0;

  @Property({ type: 'integer' })
  itemsSkippedAtRun: number & Opt = 0;

  /** The worker's lease on the run (like job_lease): an instance that dies leaves it to lapse. */
  @Property({ type: 'string', length: 64, nullable: true })
  leaseOwner?: string | null;

  @Property({ type: 'Date', length: 3, nullable: true })
  leaseUntil?: Date | null;

  /** Batches that failed in a row; the run is FAILED after a few (a batch that cannot be written). */
  @Property({ type: 'integer' })
  failures: number & Opt = 0;

  @Field(() => String, { nullable: true, description: 'Why the last batch failed, when it did.' })
  @Property({ type: 'string', length: 255, nullable: true })
  failure?: string | null;

  @Field(() => Date)
  @Property({ type: 'Date', length: 3 })
  plannedAt!: Date;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'Date', length: 3, nullable: true })
  startedAt?: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was done, cancelled or failed.' })
  @Property({ type: 'Date', length: 3, nullable: true })
  finishedAt?: Date | null;
}
