import { Entity, Index, ManyToOne, PrimaryKey, Property, Unique, type Rel } from '@mikro-orm/core';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Cadre } from '../cadres/cadre.entity';
import { Region } from '../regions/region.entity';
import { DemandReferral } from './demand-referral.entity';
import { Demand } from './demand.entity';

/**
 * One rung a lapse reached: a lapse is (demand, the effective due date that passed); each rung it climbs
 * is one row, written by the escalation sweep. The unique (demand, lapsed_due_on, level) key makes the
 * sweep idempotent: nothing escalates twice for the same lapse. Settled (settled_at) when the demand
 * resolves, is returned, or an instruction gives it a new due date; never deleted.
 */
@Entity({ tableName: 'demand_escalation' })
@Unique({ properties: ['demand', 'lapsedDueOn', 'level'], name: 'demand_escalation_lapse_unique' })
@Index({ properties: ['demand', 'settledAt'], name: 'demand_escalation_demand_settled_index' })
@Index({ properties: ['targetRegion', 'settledAt', 'escalatedAt'], name: 'demand_escalation_target_settled_index' })
@Index({ properties: ['leaderCadre', 'settledAt'], name: 'demand_escalation_leader_settled_index' })
@ObjectType({ description: 'A rung of the escalation ladder a lapsed demand reached (督办).' })
export class DemandEscalation {
  @Field(() => ID)
  @PrimaryKey()
  id!: number;

  @ManyToOne(() => Demand)
  demand!: Rel<Demand>;

  /** Foreign key, indexed: the open referral whose due date lapsed, if it was a referral's. */
  @ManyToOne(() => DemandReferral, { nullable: true })
  referral?: Rel<DemandReferral> | null;

  @Field(() => Int)
  @Property({ type: 'integer' })
  level!: number;

  /** The region whose staff supervise this rung (the cadre's unit's region, the township, district, city). */
  @ManyToOne(() => Region)
  targetRegion!: Rel<Region>;

  /** 包案领导: the responsible leader of the household's open petition case, attached from rung 1. */
  @ManyToOne(() => Cadre, { nullable: true })
  leaderCadre?: Rel<Cadre> | null;

  @Field(() => LocalDateResolver)
  @Property({ type: 'date' })
  lapsedDueOn!: string;

  @Field(() => Date)
  @Property({ type: 'Date', length: 3 })
  escalatedAt!: Date;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'Date', length: 3, nullable: true })
  settledAt?: Date | null;
}
