import { DemandCategory, TargetGroup } from '@wanjia/shared';
import { IsEnum, IsOptional, Matches } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { PageInfo } from '../../core/pagination';
import { ArgsType, Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DataFreshness, FRESHNESS_DESCRIPTION } from '../../core/read-replicas';

/**
 * The demand loop in the analysts' figures (issue 15): how demands are resolved, referred, escalated
 * and answered, per group of a breakdown, each figure with a drill-down to the demands or referrals
 * it counts. Definitions: docs/demand-loop.md, "Figures".
 */

export enum DemandLoopMeasure {
  RAISED = 'RAISED',
  RESOLVED = 'RESOLVED',
  RESOLUTION_RATE = 'RESOLUTION_RATE',
  MEDIAN_DAYS_TO_RESOLVE = 'MEDIAN_DAYS_TO_RESOLVE',
  OPEN = 'OPEN',
  OVERDUE = 'OVERDUE',
  REFERRED = 'REFERRED',
  ESCALATED = 'ESCALATED',
  INSTRUCTED = 'INSTRUCTED',
  CONFIRMED = 'CONFIRMED',
  SATISFIED = 'SATISFIED',
  BASICALLY_SATISFIED = 'BASICALLY_SATISFIED',
  DISSATISFIED = 'DISSATISFIED',
  REOPENED = 'REOPENED',
}

export enum DemandLoopDimension {
  REGION_CHILDREN = 'REGION_CHILDREN',
  CATEGORY = 'CATEGORY',
  TARGET_GROUP = 'TARGET_GROUP',
  MONTH = 'MONTH',
  ROUND = 'ROUND',
  /** The units the demands were referred to (a demand referred to two units counts in both). */
  UNIT = 'UNIT',
}

export enum ReferralLoopMeasure {
  REFERRALS = 'REFERRALS',
  PENDING = 'PENDING',
  ACCEPTED = 'ACCEPTED',
  ACCEPTED_ON_TIME = 'ACCEPTED_ON_TIME',
  RESOLVED = 'RESOLVED',
  RESOLVED_ON_TIME = 'RESOLVED_ON_TIME',
  RETURNED = 'RETURNED',
  WITHDRAWN = 'WITHDRAWN',
  OVERDUE_OPEN = 'OVERDUE_OPEN',
}

export enum ReferralUnitOrder {
  /** Slowest median to resolve first, then slowest to accept, then most overdue open. */
  SLOWEST = 'SLOWEST',
  MOST_OVERDUE = 'MOST_OVERDUE',
  MOST_REFERRALS = 'MOST_REFERRALS',
}

registerEnumType(DemandLoopMeasure, {
  name: 'DemandLoopMeasure',
  description: 'A figure of the demand loop; each drills down (loopDemands) to the demands it counts, a rate or median to its denominator.',
  valuesConfig: {
    RAISED: { description: 'Demands raised in the slice (by the day raised).' },
    RESOLVED: { description: 'Resolved: status RESOLVED (awaiting the answer) or CONFIRMED.' },
    RESOLUTION_RATE: { description: 'Percent (two decimals): RESOLVED / RAISED; null when none raised. Drills down to RAISED.' },
    MEDIAN_DAYS_TO_RESOLVE: {
      description: 'Median of resolvedAt − raisedAt in days (one decimal) over RESOLVED demands; null when none. Drills down to RESOLVED.',
    },
    OPEN: { description: 'Still open: OPEN, IN_PROGRESS, REFERRED.' },
    OVERDUE: { description: "Open and past the effective due date (the open referral's dueOn, else the demand's), Asia/Shanghai today." },
    REFERRED: { description: 'Referred to a unit at least once (any referral status).' },
    ESCALATED: { description: 'Escalated at least once (a demand_escalation row, settled or not); with `rung`, reached that level.' },
    INSTRUCTED: { description: 'Given at least one instruction (督办, an INSTRUCTED event).' },
    CONFIRMED: { description: 'Confirmed by the household (status CONFIRMED).' },
    SATISFIED: { description: "Household's latest answer 满意." },
    BASICALLY_SATISFIED: { description: "Household's latest answer 基本满意." },
    DISSATISFIED: { description: "Household's latest answer 不满意." },
    REOPENED: { description: 'Reopened at least once after a 不满意 answer (reopenCount > 0).' },
  },
});
registerEnumType(DemandLoopDimension, {
  name: 'DemandLoopDimension',
  description:
    'How demandLoopFigures groups: per child region, category, target group, month raised, round, or unit referred to (a demand referred to two units counts in both).',
});
registerEnumType(ReferralLoopMeasure, {
  name: 'ReferralLoopMeasure',
  description: 'A figure of referralFiguresByUnit; loopReferrals lists the referrals it counts.',
  valuesConfig: {
    REFERRALS: { description: 'Referrals made in the slice (by the day referred).' },
    PENDING: { description: 'Waiting for the unit to accept (PENDING).' },
    ACCEPTED: { description: 'Accepted at some point (acceptedAt set), whatever happened next.' },
    ACCEPTED_ON_TIME: { description: 'Accepted on or before the referral’s dueOn (Asia/Shanghai day).' },
    RESOLVED: { description: 'Resolved by the unit (RESOLVED).' },
    RESOLVED_ON_TIME: { description: 'Resolved on or before the referral’s dueOn (as it stood when resolved: an instruction may have moved it).' },
    RETURNED: { description: 'Returned by the unit (RETURNED).' },
    WITHDRAWN: { description: 'Withdrawn (WITHDRAWN).' },
    OVERDUE_OPEN: { description: 'Open (PENDING or ACCEPTED) and past its dueOn.' },
  },
});
registerEnumType(ReferralUnitOrder, {
  name: 'ReferralUnitOrder',
  valuesConfig: {
    SLOWEST: { description: 'Slowest median days to resolve first (units with none last), then to accept, then most overdue open.' },
    MOST_OVERDUE: { description: 'Most overdue open referrals first.' },
    MOST_REFERRALS: { description: 'Most referrals first.' },
  },
});

/** Which demands (and their referrals) a loop figure covers. Everything is within the caller's region subtree. */
@ArgsType()
export class DemandLoopSliceArgs {
  @Field(() => ID, { nullable: true, description: "A region in the caller's subtree (default: the caller's scope); the household's region." })
  regionId?: string;

  @Field(() => ID, { nullable: true, description: "Demands raised (referrals made) within the round's dates." })
  roundId?: string;

  @Field(() => LocalDateResolver, { nullable: true, description: 'First day (Asia/Shanghai), inclusive: demands raised, referrals made, from this day.' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  from?: string;

  @Field(() => LocalDateResolver, { nullable: true, description: 'Last day (Asia/Shanghai), inclusive.' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  to?: string;

  @Field(() => ID, { nullable: true, description: 'Only demands referred to this unit at least once (referral figures: only referrals to it).' })
  unitId?: string;

  @Field(() => TargetGroup, { nullable: true, description: 'Only households of this target group.' })
  @IsOptional()
  @IsEnum(TargetGroup)
  targetGroup?: TargetGroup;

  @Field(() => DemandCategory, { nullable: true })
  @IsOptional()
  @IsEnum(DemandCategory)
  category?: DemandCategory;
}

@ObjectType({ description: 'The slice a loop figure covers: pass these values back to loopDemands / loopReferrals.' })
export class DemandLoopSlice {
  @Field(() => ID)
  regionId!: string;

  @Field(() => ID, { nullable: true })
  roundId!: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  from!: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  to!: string | null;

  @Field(() => ID, { nullable: true })
  unitId!: string | null;

  @Field(() => TargetGroup, { nullable: true })
  targetGroup!: TargetGroup | null;

  @Field(() => DemandCategory, { nullable: true })
  category!: DemandCategory | null;
}

@ObjectType({ description: 'One loop figure with its Chinese label.' })
export class DemandLoopFigure {
  @Field(() => DemandLoopMeasure)
  measure!: DemandLoopMeasure;

  @Field(() => String)
  label!: string;

  @Field(() => Float, { nullable: true, description: 'A count, a percent (two decimals) or days (one decimal); null for a rate or median of nothing.' })
  value!: number | null;
}

@ObjectType({ description: 'Demands that reached one rung of the escalation ladder.' })
export class DemandLoopRungFigure {
  @Field(() => Int)
  level!: number;

  @Field(() => String)
  name!: string;

  @Field(() => Int, { description: 'Demands that reached this rung at least once; loopDemands(measure: ESCALATED, rung: level) lists them.' })
  demands!: number;

  @Field(() => Int, { description: 'Of those, with the escalation still open (not settled).' })
  open!: number;
}

@ObjectType()
export class DemandLoopGroup {
  @Field(() => String, { description: 'A region code, category, target group, YYYY-MM, round id, or ALL without a dimension.' })
  key!: string;

  @Field(() => String)
  label!: string;

  @Field(() => DemandLoopSlice, { description: 'The slice narrowed to this group.' })
  slice!: DemandLoopSlice;

  @Field(() => [DemandLoopFigure])
  figures!: DemandLoopFigure[];

  @Field(() => [DemandLoopRungFigure], { description: 'Every rung of the ladder, lowest first.' })
  escalations!: DemandLoopRungFigure[];
}

@ObjectType({ description: 'The demand loop’s figures for a slice, computed from the records at query time (on a read replica, as of freshness.asOf).' })
export class DemandLoopFigures {
  @Field(() => DataFreshness, { description: FRESHNESS_DESCRIPTION })
  freshness!: DataFreshness;

  @Field(() => DemandLoopDimension, { nullable: true })
  dimension!: DemandLoopDimension | null;

  @Field(() => DemandLoopSlice)
  slice!: DemandLoopSlice;

  @Field(() => [DemandLoopGroup])
  groups!: DemandLoopGroup[];
}

@ObjectType({ description: 'Referrals received by one unit in the slice: how quickly it accepts and resolves them.' })
export class ReferralUnitFigures {
  @Field(() => ID)
  unitId!: string;

  @Field(() => String)
  unitName!: string;

  @Field(() => String, { description: "The unit's region." })
  regionName!: string;

  @Field(() => DemandLoopSlice, { description: 'The slice narrowed to this unit, for loopReferrals.' })
  slice!: DemandLoopSlice;

  @Field(() => Int)
  referrals!: number;

  @Field(() => Int)
  pending!: number;

  @Field(() => Int)
  accepted!: number;

  @Field(() => Int)
  acceptedOnTime!: number;

  @Field(() => Int)
  resolved!: number;

  @Field(() => Int)
  resolvedOnTime!: number;

  @Field(() => Int)
  returned!: number;

  @Field(() => Int)
  withdrawn!: number;

  @Field(() => Int)
  overdueOpen!: number;

  @Field(() => Float, { nullable: true, description: 'Median of acceptedAt − referredAt in days (one decimal) over accepted referrals.' })
  medianDaysToAccept!: number | null;

  @Field(() => Float, { nullable: true, description: 'Median of resolvedAt − referredAt in days (one decimal) over resolved referrals.' })
  medianDaysToResolve!: number | null;
}

@ObjectType()
export class ReferralUnitFiguresConnection {
  @Field(() => DataFreshness, { description: FRESHNESS_DESCRIPTION })
  freshness!: DataFreshness;

  @Field(() => [ReferralUnitFigures])
  nodes!: ReferralUnitFigures[];

  @Field(() => Int, { description: 'Units that received a referral in the slice.' })
  totalCount!: number;

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
