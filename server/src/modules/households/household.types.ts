import { KeyFocusReason } from '@wanjia/shared';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../core/pagination';
import { Household } from './household.entity';

export const HouseholdConnection = ConnectionType(Household, 'HouseholdConnection');

@ObjectType({ description: "A resident's unmasked sensitive fields, returned by an audited reveal." })
export class RevealedResident {
  @Field(() => ID)
  id!: number;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  idNumber!: string | null;

  @Field(() => LocalDateResolver, { nullable: true, description: 'The full birth date (elsewhere only the birth year is shown).' })
  birthDate!: string | null;

  @Field(() => KeyFocusReason, { nullable: true })
  keyFocusReason!: KeyFocusReason | null;

  @Field(() => String, { nullable: true, description: "The household's phone number." })
  householdPhone!: string | null;
}
