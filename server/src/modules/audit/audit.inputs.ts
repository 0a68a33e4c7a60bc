import { IsOptional, Length, Validate } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { PlainText } from '../../core/validation';

@InputType()
export class AuditEntryFilter {
  @Field(() => ID, { nullable: true, description: 'The account that acted.' })
  actorId?: string;

  @Field(() => String, { nullable: true, description: 'e.g. Household, Resident, Assignment.' })
  @IsOptional()
  @Length(1, 64)
  @Validate(PlainText)
  entityName?: string;

  @Field(() => ID, { nullable: true })
  entityId?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 64)
  @Validate(PlainText)
  operation?: string;

  @Field(() => Date, { nullable: true })
  from?: Date;

  @Field(() => Date, { nullable: true })
  to?: Date;
}
