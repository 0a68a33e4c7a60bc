import { DemandCategory, DemandStatus } from '@wanjia/shared';
import { IsEnum, IsOptional } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';

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
