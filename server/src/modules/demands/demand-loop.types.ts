import { UnitKind, UnitLevel } from '@wanjia/shared';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../core/pagination';
import { DemandReferral } from './demand-referral.entity';

export const DemandReferralConnection = ConnectionType(DemandReferral, 'DemandReferralConnection');

@ObjectType({ description: 'A unit a demand is or may be referred to.' })
export class ReferralUnit {
  @Field(() => ID)
  id!: number;

  @Field()
  name!: string;

  @Field(() => UnitKind)
  kind!: UnitKind;

  @Field(() => UnitLevel)
  level!: UnitLevel;

  @Field({ description: "The name of the unit's region." })
  regionName!: string;
}

@ObjectType({
  description: "What a referral's unit knows of the household: enough to reach it, no more (no ID numbers, no residents, no petition cases, the phone masked).",
})
export class ReferralHousehold {
  @Field()
  headName!: string;

  @Field()
  address!: string;

  @Field(() => String, { nullable: true })
  maskedPhone!: string | null;

  @Field()
  regionName!: string;
}

@ObjectType({ description: "The caller's place in the demand loop, for the mini-program's home screen." })
export class MyLoopSummary {
  @Field(() => [ReferralUnit], { description: 'The units the caller is an active handler (联络员) of.' })
  handlerUnits!: ReferralUnit[];

  @Field(() => Int, { description: 'Referrals to those units waiting to be accepted.' })
  inboxPending!: number;

  @Field(() => Int, { description: 'Referrals to those units accepted and being worked.' })
  inboxAccepted!: number;

  @Field(() => Int, { description: 'Open referrals to those units past their due date.' })
  inboxOverdue!: number;

  @Field(() => Int)
  unreadNotices!: number;

  @Field(() => Boolean, { description: 'A responsible leader (包案领导) of a petition case or the leader of a contact point: myContactPoints has something.' })
  isLeader!: boolean;
}
