import { DemandCategory } from '@wanjia/shared';
import { IsEnum, IsInt, IsOptional, Length, Matches, Max, Min, Validate } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int } from 'type-graphql';
import { PlainText } from '../../core/validation';

@InputType({ description: "Which open escalations (督办) to list; all of them in the caller's scope when empty." })
export class SupervisionFilter {
  @Field(() => Int, { nullable: true, description: 'Only escalations at this rung of the ladder.' })
  @IsOptional()
  @IsInt()
  level?: number;

  @Field(() => Boolean, { nullable: true, description: "Only escalations whose target region is the caller's own scope region (the caller's level)." })
  atMyLevel?: boolean;

  @Field(() => ID, { nullable: true, description: 'Only escalations of a referral to this unit.' })
  unitId?: string;

  @Field(() => DemandCategory, { nullable: true })
  @IsOptional()
  @IsEnum(DemandCategory)
  category?: DemandCategory;
}

@InputType({ description: '督办批示: an instruction on an escalated demand, with the new due date it sets.' })
export class InstructDemandInput {
  @Field(() => ID)
  demandId!: string;

  @Field(() => String, { description: 'Made by the client once per instruction; a resend with the same clientId returns the same outcome.' })
  @Matches(/^[A-Za-z0-9_-]{8,64}$/, { message: 'clientId must be 8-64 letters, digits, dashes or underscores (a UUID)' })
  clientId!: string;

  @Field(() => String, { description: 'The instruction, 1 to 500 characters.' })
  @Length(1, 500)
  @Validate(PlainText)
  note!: string;

  @Field(() => LocalDateResolver, { description: 'The new due date (Asia/Shanghai): after today, at most 90 days ahead.' })
  newDueOn!: string;
}

@InputType({ description: "A category's time limits (时限), in calendar days." })
export class SetDemandDeadlineInput {
  @Field(() => DemandCategory)
  @IsEnum(DemandCategory)
  category!: DemandCategory;

  @Field(() => Int, { description: 'Days from raising a demand to its due date, 1 to 180.' })
  @IsInt()
  @Min(1)
  @Max(180)
  demandDays!: number;

  @Field(() => Int, { description: "Days from referring a demand to the referral's default due date, 1 to 90." })
  @IsInt()
  @Min(1)
  @Max(90)
  referralDays!: number;
}

@InputType({ description: 'A rung of the escalation ladder: its name and threshold.' })
export class SetEscalationRungInput {
  @Field(() => Int)
  @IsInt()
  level!: number;

  @Field(() => String, { description: '1 to 32 characters, e.g. 乡镇街道.' })
  @Length(1, 32)
  @Validate(PlainText)
  name!: string;

  @Field(() => Int, {
    description:
      'Days past the effective due date at which the rung is reached, 1 to 365 (a rung is reached only when overdue), strictly increasing with the level.',
  })
  @IsInt()
  @Min(1)
  @Max(365)
  afterDays!: number;
}
