import { AssignmentKind, TargetGroup } from '@wanjia/shared';
import { SafeIntResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../../core/pagination';

@ObjectType({ description: "A household on the signed-in cadre's list, with what the list screen shows." })
export class MyHousehold {
  @Field(() => ID)
  id!: number;

  @Field(() => String)
  headName!: string;

  @Field(() => String)
  address!: string;

  @Field(() => String, { description: 'The village or community.' })
  regionName!: string;

  @Field(() => [TargetGroup])
  targetGroups!: TargetGroup[];

  @Field(() => AssignmentKind)
  assignmentKind!: AssignmentKind;

  @Field(() => Date, { nullable: true })
  lastVisitAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'Whole days since the last visit; null before the first.' })
  daysSinceLastVisit!: number | null;

  @Field(() => Int, { description: 'How often this household is to be visited.' })
  visitIntervalDays!: number;

  @Field(() => Date)
  nextVisitDueAt!: Date;

  @Field(() => Boolean)
  visitOverdue!: boolean;

  @Field(() => Int, { description: 'Demands still open, in progress or escalated.' })
  openDemandCount!: number;
}

@ObjectType()
export class MyHouseholdConnection {
  @Field(() => [MyHousehold])
  nodes!: MyHousehold[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}

@ObjectType({ description: 'What a cadre did over a period: latest versions of help records only.' })
export class HelpTotals {
  @Field(() => Int, { description: 'Help records (visits and other help) in the period.' })
  visits!: number;

  @Field(() => SafeIntResolver, { description: 'Funds handed over, in fen.' })
  fundsFen!: number;

  @Field(() => SafeIntResolver, { description: 'Value of materials handed over, in fen.' })
  materialsFen!: number;

  @Field(() => Int)
  problemsSolved!: number;
}

@ObjectType()
export class MyStats {
  @Field(() => HelpTotals)
  thisMonth!: HelpTotals;

  @Field(() => HelpTotals)
  thisRound!: HelpTotals;

  @Field(() => Int)
  households!: number;

  @Field(() => Int)
  householdsOverdue!: number;
}
