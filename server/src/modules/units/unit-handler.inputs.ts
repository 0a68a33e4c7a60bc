import { Length, Validate } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { PlainText } from '../../core/validation';

@InputType({ description: "Designate an active cadre of a unit as the unit's handler (联络员) of referred demands." })
export class DesignateUnitHandlerInput {
  @Field(() => ID)
  unitId!: string;

  @Field(() => ID, { description: 'An active cadre of that unit.' })
  cadreId!: string;
}

@InputType({ description: "End a handler's designation, with the reason." })
export class EndUnitHandlerInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: '1 to 200 characters.' })
  @Length(1, 200)
  @Validate(PlainText)
  reason!: string;
}
