import { IsBoolean, IsInt, IsOptional, Length, Matches, Max, Min, Validate } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int } from 'type-graphql';
import { PlainText } from '../../core/validation';

@InputType()
export class ContactPointFilter {
  @Field(() => ID, { nullable: true })
  leaderId?: string;

  @Field(() => ID, { nullable: true })
  roundId?: string;

  @Field(() => Boolean, { nullable: true })
  active?: boolean;
}

@InputType()
export class CreateContactPointInput {
  @Field(() => ID)
  leaderId!: string;

  @Field(() => ID)
  kindId!: string;

  @Field(() => ID)
  roundId!: string;

  @Field(() => ID, { nullable: true })
  targetRegionId?: string;

  @Field(() => ID, { nullable: true })
  unitId?: string;

  @Field(() => ID, { nullable: true })
  householdId?: string;

  @Field(() => ID, { nullable: true })
  petitionCaseId?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 255)
  @Validate(PlainText)
  note?: string | null;

  @Field(() => LocalDateResolver)
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  startedOn!: string;
}

@InputType()
export class ContactPointKindInput {
  @Field(() => String)
  @Matches(/^[A-Z][A-Z0-9_]{1,31}$/, { message: 'code must be 2-32 upper-case letters, digits or underscores' })
  code!: string;

  @Field(() => String)
  @Length(1, 64)
  @Validate(PlainText)
  name!: string;

  @Field(() => Int, { defaultValue: 0 })
  @IsInt()
  @Min(0)
  @Max(1000)
  sortOrder!: number;

  @Field(() => Boolean, { defaultValue: true })
  @IsBoolean()
  active!: boolean;
}
