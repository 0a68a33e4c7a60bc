import { TargetGroup } from '@wanjia/shared';
import { IsEnum, IsOptional, Length, Validate } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { PlainText } from '../../core/validation';

@InputType()
export class MyHouseholdFilter {
  @Field(() => TargetGroup, { nullable: true })
  @IsOptional()
  @IsEnum(TargetGroup)
  targetGroup?: TargetGroup;

  @Field(() => Boolean, { nullable: true })
  overdueOnly?: boolean;

  @Field(() => String, { nullable: true, description: "Part of the head's name or the address." })
  @IsOptional()
  @Length(1, 64)
  @Validate(PlainText)
  search?: string;
}
