import { CadreRank } from '@wanjia/shared';
import { IsBoolean, IsEnum, IsInt, IsOptional, Length, Max, Min, Validate } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { PhoneNumber, PlainText } from '../../core/validation';

@InputType()
export class CadreFilter {
  @Field(() => ID, { nullable: true })
  unitId?: string;

  @Field(() => Boolean, { nullable: true })
  active?: boolean;

  @Field(() => Boolean, { nullable: true, description: 'Only cadres with fewer active households than their capacity (true) or full ones (false).' })
  hasCapacity?: boolean;

  @Field(() => String, { nullable: true, description: 'Part of the name.' })
  @IsOptional()
  @Length(1, 64)
  @Validate(PlainText)
  search?: string;
}

@InputType()
export class CreateCadreInput {
  @Field(() => String)
  @Length(1, 64)
  @Validate(PlainText)
  name!: string;

  @Field(() => ID)
  unitId!: string;

  @Field(() => String)
  @Length(1, 64)
  @Validate(PlainText)
  post!: string;

  @Field(() => CadreRank)
  @IsEnum(CadreRank)
  rank!: CadreRank;

  @Field(() => Boolean, { defaultValue: true })
  @IsBoolean()
  partyMember!: boolean;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Validate(PhoneNumber)
  phone?: string | null;

  @Field(() => Int, { defaultValue: 5 })
  @IsInt()
  @Min(0)
  @Max(50)
  householdCapacity!: number;
}

@InputType()
export class UpdateCadreInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 64)
  @Validate(PlainText)
  name?: string;

  @Field(() => ID, { nullable: true })
  unitId?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 64)
  @Validate(PlainText)
  post?: string;

  @Field(() => CadreRank, { nullable: true })
  @IsOptional()
  @IsEnum(CadreRank)
  rank?: CadreRank;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @IsBoolean()
  partyMember?: boolean;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Validate(PhoneNumber)
  phone?: string | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(50)
  householdCapacity?: number;
}

@ArgsType()
export class DeactivateCadreArgs {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  @Length(2, 255)
  @Validate(PlainText)
  reason!: string;

  @Field(() => Boolean, { defaultValue: false, description: "Also end the cadre's active assignments (their households become unassigned)." })
  @IsBoolean()
  endActiveAssignments!: boolean;
}
