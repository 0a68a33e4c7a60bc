import { UnitKind, UnitLevel } from '@wanjia/shared';
import { IsEnum, IsOptional, Length, Validate } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { PlainText } from '../../core/validation';

@InputType()
export class UnitFilter {
  @Field(() => UnitKind, { nullable: true })
  @IsOptional()
  @IsEnum(UnitKind)
  kind?: UnitKind;

  @Field(() => ID, { nullable: true, description: "Units of this region's subtree (within the caller's)." })
  regionId?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 64)
  @Validate(PlainText)
  search?: string;
}

@InputType()
export class UnitInput {
  @Field(() => String)
  @Length(2, 128)
  @Validate(PlainText)
  name!: string;

  @Field(() => UnitKind)
  @IsEnum(UnitKind)
  kind!: UnitKind;

  @Field(() => UnitLevel)
  @IsEnum(UnitLevel)
  level!: UnitLevel;

  @Field(() => ID)
  regionId!: string;
}
