import { DemandCategory, DemandStatus, PetitionCaseStatus } from '@wanjia/shared';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';

/**
 * What a leader (包案领导, a contact point's holder) reads of a demand: what it is about and where it
 * stands — never the household's file (names, address, phone, residents, ID numbers, key-focus reasons)
 * nor the timeline's notes. Its own type, not Demand: a leader is seldom the household's cadre, and the
 * household-file guard rightly keeps Demand from them.
 */
@ObjectType({ description: "A demand as a leader reads it: what it is about and where it stands, nothing of the household's file." })
export class LeaderDemand {
  @Field(() => ID)
  id!: number;

  @Field(() => DemandCategory)
  category!: DemandCategory;

  @Field()
  text!: string;

  @Field(() => DemandStatus)
  status!: DemandStatus;

  @Field(() => Date)
  raisedAt!: Date;

  @Field(() => LocalDateResolver, { nullable: true })
  dueOn!: string | null;

  @Field(() => LocalDateResolver, { nullable: true, description: "The open referral's due date if there is one, else the demand's." })
  effectiveDueOn!: string | null;

  @Field(() => Boolean)
  overdue!: boolean;

  @Field(() => Int)
  escalationRung!: number;
}

@ObjectType({ description: 'An escalation (督办) as a leader reads it; the demand as a LeaderDemand.' })
export class LeaderEscalation {
  @Field(() => ID)
  id!: number;

  @Field(() => Int)
  level!: number;

  @Field()
  rungName!: string;

  @Field()
  targetRegionName!: string;

  @Field(() => String, { nullable: true })
  leaderName!: string | null;

  @Field(() => LocalDateResolver)
  lapsedDueOn!: string;

  @Field(() => Date)
  escalatedAt!: Date;

  @Field(() => Date, { nullable: true })
  settledAt!: Date | null;

  @Field(() => Int)
  daysOverdue!: number;

  @Field(() => LeaderDemand)
  demand!: LeaderDemand;
}

@ObjectType({ description: "One of the leader's active contact points (联系点) with its open, late and escalated demands." })
export class LeaderContactPoint {
  @Field(() => ID)
  id!: number;

  @Field({ description: 'The kind of point, e.g. 联系县区.' })
  kindName!: string;

  @Field({ description: 'A region’s or unit’s name; a household or case is named by its region only (联系户（东兴社区）).' })
  targetName!: string;

  @Field(() => Int, { description: 'Open demands of the point (a region: its households; a unit: referred to it; a household or case: its household).' })
  openDemands!: number;

  @Field(() => Int)
  overdueDemands!: number;

  @Field(() => [LeaderEscalation], { description: 'Open escalations of those demands, highest rung first, at most 20.' })
  escalations!: LeaderEscalation[];
}

@ObjectType({ description: 'A petition case (包案) the caller is responsible leader of, masked: no title, no petitioner.' })
export class LeaderCase {
  @Field(() => ID)
  id!: number;

  @Field({ description: 'e.g. 信访案件 #12 东兴社区 — the case’s details are the household file’s.' })
  caseLabel!: string;

  @Field(() => PetitionCaseStatus)
  status!: PetitionCaseStatus;

  @Field(() => Boolean)
  majorBacklog!: boolean;

  @Field(() => [LeaderDemand], { description: "The household's open demands, oldest first." })
  openDemands!: LeaderDemand[];

  @Field(() => [LeaderEscalation], { description: 'Their open escalations, highest rung first.' })
  escalations!: LeaderEscalation[];
}

@ObjectType({ description: "我的联系点: the caller's active contact points and the open petition cases they lead (包案)." })
export class MyContactPoints {
  @Field(() => [LeaderContactPoint])
  points!: LeaderContactPoint[];

  @Field(() => [LeaderCase])
  cases!: LeaderCase[];
}
