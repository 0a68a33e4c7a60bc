import { ReferralStatus } from '@wanjia/shared';
import { IsEnum, IsOptional, Length, Matches, Validate } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, InputType } from 'type-graphql';
import { PlainText } from '../../core/validation';

const CLIENT_ID = /^[A-Za-z0-9_-]{8,64}$/;
const CLIENT_ID_MESSAGE = 'clientId must be 8-64 letters, digits, dashes or underscores (a UUID)';
const CLIENT_ID_DESCRIPTION = 'Made by the client once per action (a UUID); a resend with the same clientId answers the same outcome.';

@InputType({ description: 'Start work (办理中) on an open demand: the household’s cadre.' })
export class StartDemandWorkInput {
  @Field(() => ID)
  demandId!: string;

  @Field(() => String, { description: CLIENT_ID_DESCRIPTION })
  @Matches(CLIENT_ID, { message: CLIENT_ID_MESSAGE })
  clientId!: string;

  @Field(() => String, { nullable: true, description: 'Optional, up to 500 characters.' })
  @IsOptional()
  @Length(0, 500)
  @Validate(PlainText)
  note?: string | null;
}

@InputType({ description: 'Refer (交办) a demand to a unit in reach of the household: the household’s cadre.' })
export class ReferDemandInput {
  @Field(() => ID)
  demandId!: string;

  @Field(() => String, { description: CLIENT_ID_DESCRIPTION })
  @Matches(CLIENT_ID, { message: CLIENT_ID_MESSAGE })
  clientId!: string;

  @Field(() => ID, { description: 'A unit from referralTargets(demandId).' })
  unitId!: string;

  @Field(() => String, { nullable: true, description: 'What the unit should know, up to 500 characters.' })
  @IsOptional()
  @Length(0, 500)
  @Validate(PlainText)
  note?: string | null;

  @Field(() => LocalDateResolver, {
    nullable: true,
    description: "The referral's due date (Shanghai calendar day): today to 90 days ahead; defaults to today + the category's referralDays.",
  })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  dueOn?: string | null;
}

@InputType({ description: 'Accept (签收) a referral: a handler of the unit.' })
export class AcceptReferralInput {
  @Field(() => ID)
  referralId!: string;

  @Field(() => String, { description: CLIENT_ID_DESCRIPTION })
  @Matches(CLIENT_ID, { message: CLIENT_ID_MESSAGE })
  clientId!: string;
}

@InputType({ description: 'Return (退回) a referral to the referring cadre, with the reason: a handler of the unit.' })
export class ReturnReferralInput {
  @Field(() => ID)
  referralId!: string;

  @Field(() => String, { description: CLIENT_ID_DESCRIPTION })
  @Matches(CLIENT_ID, { message: CLIENT_ID_MESSAGE })
  clientId!: string;

  @Field(() => String, { description: '1 to 500 characters: why the unit cannot take it.' })
  @Length(1, 500)
  @Validate(PlainText)
  reason!: string;
}

@InputType({ description: 'Note progress on an open demand: whoever holds the work (the cadre, or the handler once accepted).' })
export class NoteDemandProgressInput {
  @Field(() => ID)
  demandId!: string;

  @Field(() => String, { description: CLIENT_ID_DESCRIPTION })
  @Matches(CLIENT_ID, { message: CLIENT_ID_MESSAGE })
  clientId!: string;

  @Field(() => String, { description: '1 to 500 characters.' })
  @Length(1, 500)
  @Validate(PlainText)
  note!: string;
}

@InputType({ description: 'Report an accepted referral done (办结): a handler of the unit. The household’s cadre then asks the household (回访).' })
export class ResolveReferralInput {
  @Field(() => ID)
  referralId!: string;

  @Field(() => String, { description: CLIENT_ID_DESCRIPTION })
  @Matches(CLIENT_ID, { message: CLIENT_ID_MESSAGE })
  clientId!: string;

  @Field(() => String, { description: '1 to 1000 characters: what the unit did.' })
  @Length(1, 1000)
  @Validate(PlainText)
  resolution!: string;
}

@InputType({ description: 'Which referrals of households in the caller’s subtree to list.' })
export class DemandReferralFilter {
  @Field(() => ID, { nullable: true })
  unitId?: string;

  @Field(() => ReferralStatus, { nullable: true })
  @IsOptional()
  @IsEnum(ReferralStatus)
  status?: ReferralStatus;

  @Field(() => Boolean, { nullable: true, description: 'Only open (PENDING/ACCEPTED) referrals past their due date.' })
  overdueOnly?: boolean;
}
