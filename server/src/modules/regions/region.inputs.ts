import { RegionLevel } from '@wanjia/shared';
import { IsEnum, Length, Matches, Validate } from 'class-validator';
import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { PlainText } from '../../core/validation';

@InputType()
export class CreateRegionInput {
  @Field(() => String, { description: '12-digit administrative division code.' })
  @Matches(/^\d{12}$/, { message: 'code must be the 12-digit division code' })
  code!: string;

  @Field(() => String)
  @Length(1, 64)
  @Validate(PlainText)
  name!: string;

  @Field(() => RegionLevel)
  @IsEnum(RegionLevel)
  level!: RegionLevel;

  @Field(() => ID)
  parentId!: string;
}

/** The new name is checked like a created region's: an empty or 10,000-character name was written as is. */
@ArgsType()
export class RenameRegionArgs {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  @Length(1, 64)
  @Matches(/\S/, { message: 'name must not be blank' })
  @Validate(PlainText)
  name!: string;
}
