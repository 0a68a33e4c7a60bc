import { DemandCategory, DemandStatus, Satisfaction } from '@wanjia/shared';
import { IsDate, IsEnum, IsOptional, Length, Matches, Validate } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { PlainText } from '../../core/validation';

@InputType()
export class DemandFilter {
  @Field(() => ID, { nullable: true })
  householdId?: string;

  @Field(() => DemandStatus, { nullable: true })
  @IsOptional()
  @IsEnum(DemandStatus)
  status?: DemandStatus;

  @Field(() => DemandCategory, { nullable: true })
  @IsOptional()
  @IsEnum(DemandCategory)
  category?: DemandCategory;

  @Field(() => Boolean, { nullable: true, description: 'Only open demands past their due date.' })
  overdueOnly?: boolean;
}

@InputType({ description: "The household's answer, on a later visit (回访), to a demand's resolution." })
export class DemandConfirmationInput {
  @Field(() => ID)
  demandId!: string;

  @Field(() => String, { description: 'Made by the client once per answer (a UUID); a resend with the same clientId returns the same outcome.' })
  @Matches(/^[A-Za-z0-9_-]{8,64}$/, { message: 'clientId must be 8-64 letters, digits, dashes or underscores (a UUID)' })
  clientId!: string;

  @Field(() => Satisfaction)
  @IsEnum(Satisfaction)
  satisfaction!: Satisfaction;

  @Field(() => String, { nullable: true, description: 'Optional, up to 500 characters; required (non-empty) for DISSATISFIED.' })
  @IsOptional()
  @Length(0, 500)
  @Validate(PlainText)
  note?: string | null;

  @Field(() => Date, { nullable: true, description: 'When the household answered (the visit); defaults to now; not in the future.' })
  @IsOptional()
  @IsDate()
  answeredAt?: Date | null;
}
