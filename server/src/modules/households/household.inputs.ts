import { Gender, HardshipReason, HouseholdStatus, KeyFocusReason, ResidentRelation, TargetGroup } from '@wanjia/shared';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsBoolean, IsEnum, IsInt, IsOptional, Length, Matches, Min, Validate, ValidateNested } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { IdNumber, PhoneNumber, PlainText } from '../../core/validation';

@InputType()
export class HouseholdFilter {
  @Field(() => ID, { nullable: true, description: "Households in this region's subtree (within the caller's)." })
  regionId?: string;

  @Field(() => TargetGroup, { nullable: true })
  @IsOptional()
  @IsEnum(TargetGroup)
  targetGroup?: TargetGroup;

  @Field(() => Boolean, { nullable: true, description: 'With (true) or without (false) an active cadre assignment.' })
  assigned?: boolean;

  @Field(() => HouseholdStatus, { nullable: true })
  @IsOptional()
  @IsEnum(HouseholdStatus)
  status?: HouseholdStatus;

  @Field(() => String, { nullable: true, description: "Part of the head's name or of the address." })
  @IsOptional()
  @Length(1, 64)
  @Validate(PlainText)
  search?: string;
}

@InputType()
export class ResidentInput {
  @Field(() => String)
  @Length(1, 64)
  @Validate(PlainText)
  name!: string;

  @Field(() => ResidentRelation)
  @IsEnum(ResidentRelation)
  relation!: ResidentRelation;

  @Field(() => Gender)
  @IsEnum(Gender)
  gender!: Gender;

  @Field(() => LocalDateResolver, { nullable: true })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  birthDate?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Validate(IdNumber)
  idNumber?: string | null;

  @Field(() => KeyFocusReason, { nullable: true })
  @IsOptional()
  @IsEnum(KeyFocusReason)
  keyFocusReason?: KeyFocusReason | null;

  @Field(() => Boolean, { defaultValue: false })
  @IsBoolean()
  isPetitioner!: boolean;
}

@InputType()
export class CreateHouseholdInput {
  @Field(() => ID, { description: 'A village or community.' })
  regionId!: string;

  @Field(() => String)
  @Length(2, 255)
  @Validate(PlainText)
  address!: string;

  @Field(() => String)
  @Length(1, 64)
  @Validate(PlainText)
  headName!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Validate(PhoneNumber)
  phone?: string | null;

  @Field(() => [TargetGroup])
  @ArrayMinSize(1, { message: 'targetGroups must name at least one target group' })
  @ArrayUnique()
  @IsEnum(TargetGroup, { each: true })
  targetGroups!: TargetGroup[];

  @Field(() => [HardshipReason], { defaultValue: [] })
  @ArrayUnique()
  @IsEnum(HardshipReason, { each: true })
  hardshipReasons!: HardshipReason[];

  @Field(() => [ResidentInput], { defaultValue: [] })
  @ArrayMaxSize(30)
  @ValidateNested({ each: true })
  residents!: ResidentInput[];
}

@InputType()
export class UpdateHouseholdInput {
  @Field(() => Int, { description: 'The version you read; a stale one is refused with CONFLICT.' })
  @IsInt()
  @Min(1)
  expectedVersion!: number;

  @Field(() => ID, { nullable: true })
  regionId?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(2, 255)
  @Validate(PlainText)
  address?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 64)
  @Validate(PlainText)
  headName?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Validate(PhoneNumber)
  phone?: string | null;

  @Field(() => [TargetGroup], { nullable: true })
  @IsOptional()
  @ArrayMinSize(1, { message: 'targetGroups must name at least one target group' })
  @ArrayUnique()
  @IsEnum(TargetGroup, { each: true })
  targetGroups?: TargetGroup[];

  @Field(() => [HardshipReason], { nullable: true })
  @IsOptional()
  @ArrayUnique()
  @IsEnum(HardshipReason, { each: true })
  hardshipReasons?: HardshipReason[];

  @Field(() => HouseholdStatus, { nullable: true })
  @IsOptional()
  @IsEnum(HouseholdStatus)
  status?: HouseholdStatus;
}

@ArgsType()
export class RevealResidentArgs {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Why the unmasked values are needed; kept in the audit trail.' })
  @Length(4, 255, { message: 'reason must say why, in 4 to 255 characters' })
  @Validate(PlainText)
  reason!: string;
}

@ArgsType()
export class ResidentChangeArgs {
  @Field(() => Int, { description: 'The household version you read; a stale one is refused with CONFLICT.' })
  @IsInt()
  @Min(1)
  householdVersion!: number;

  /** Without ValidateNested the resident's own rules (ID number, name) were skipped on these mutations. */
  @Field(() => ResidentInput)
  @ValidateNested()
  input!: ResidentInput;
}
