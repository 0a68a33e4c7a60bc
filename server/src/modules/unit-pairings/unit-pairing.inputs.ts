import { Length, Matches, Validate } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { PlainText } from '../../core/validation';

@InputType()
export class UnitPairingFilter {
  @Field(() => ID, { nullable: true })
  unitId?: string;

  @Field(() => ID, { nullable: true })
  regionId?: string;

  @Field(() => ID, { nullable: true })
  roundId?: string;

  @Field(() => Boolean, { nullable: true })
  active?: boolean;
}

@ArgsType()
export class StartUnitPairingArgs {
  @Field(() => ID)
  unitId!: string;

  @Field(() => ID, { description: 'A village or community.' })
  regionId!: string;

  @Field(() => ID)
  roundId!: string;

  @Field(() => LocalDateResolver)
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  startedOn!: string;
}

@ArgsType()
export class EndUnitPairingArgs {
  @Field(() => ID)
  id!: string;

  @Field(() => LocalDateResolver)
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  endedOn!: string;

  @Field(() => String)
  @Length(2, 255)
  @Validate(PlainText)
  reason!: string;
}
