import { PetitionCaseStatus } from '@wanjia/shared';
import { IsBoolean, IsEnum, IsOptional, Length, Matches, Validate } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { PlainText } from '../../core/validation';

@InputType()
export class PetitionCaseFilter {
  @Field(() => PetitionCaseStatus, { nullable: true })
  @IsOptional()
  @IsEnum(PetitionCaseStatus)
  status?: PetitionCaseStatus;

  @Field(() => Boolean, { nullable: true })
  majorBacklog?: boolean;

  @Field(() => ID, { nullable: true })
  householdId?: string;

  @Field(() => ID, { nullable: true })
  responsibleLeaderId?: string;
}

@InputType()
export class CreatePetitionCaseInput {
  @Field(() => ID)
  householdId!: string;

  @Field(() => ID, { nullable: true, description: 'The petitioner, a member of the household.' })
  residentId?: string;

  @Field(() => String)
  @Length(2, 200)
  @Validate(PlainText)
  title!: string;

  @Field(() => String)
  @Length(2, 5000)
  @Validate(PlainText)
  demand!: string;

  @Field(() => LocalDateResolver)
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  receivedOn!: string;

  @Field(() => Boolean, { defaultValue: false })
  @IsBoolean()
  majorBacklog!: boolean;
}

@ArgsType()
export class ChangePetitionCaseStatusArgs {
  @Field(() => ID)
  id!: string;

  @Field(() => PetitionCaseStatus)
  @IsEnum(PetitionCaseStatus)
  status!: PetitionCaseStatus;

  @Field(() => String, { description: 'Why; becomes the resolution when the case is resolved or closed.' })
  @Length(2, 2000)
  @Validate(PlainText)
  reason!: string;
}
