import { Length, Matches, Validate } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, InputType } from 'type-graphql';
import { PlainText } from '../../core/validation';

@InputType()
export class CreateRoundInput {
  @Field(() => String)
  @Length(2, 64)
  @Validate(PlainText)
  name!: string;

  @Field(() => LocalDateResolver)
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  startsOn!: string;

  @Field(() => LocalDateResolver)
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  endsOn!: string;
}
