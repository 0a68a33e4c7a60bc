import { AssignmentKind } from '@wanjia/shared';
import { IsEnum, Length, Validate } from 'class-validator';
import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { PlainText } from '../../core/validation';

@InputType()
export class AssignmentFilter {
  @Field(() => ID, { nullable: true })
  householdId?: string;

  @Field(() => ID, { nullable: true })
  cadreId?: string;

  @Field(() => ID, { nullable: true })
  roundId?: string;

  @Field(() => Boolean, { nullable: true, description: 'Only active (true) or only ended (false) assignments.' })
  active?: boolean;
}

@ArgsType()
export class AssignCadreArgs {
  @Field(() => ID)
  householdId!: string;

  @Field(() => ID)
  cadreId!: string;

  @Field(() => AssignmentKind)
  @IsEnum(AssignmentKind)
  kind!: AssignmentKind;

  @Field(() => ID, { nullable: true, description: 'Defaults to the round running today.' })
  roundId?: string;
}

@ArgsType()
export class TransferAssignmentArgs {
  @Field(() => ID)
  assignmentId!: string;

  @Field(() => ID)
  toCadreId!: string;

  @Field(() => String)
  @Length(2, 255)
  @Validate(PlainText)
  reason!: string;
}

@ArgsType()
export class EndAssignmentArgs {
  @Field(() => ID)
  assignmentId!: string;

  @Field(() => String)
  @Length(2, 255)
  @Validate(PlainText)
  reason!: string;
}
