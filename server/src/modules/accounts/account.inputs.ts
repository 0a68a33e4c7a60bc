import { Role } from '@wanjia/shared';
import { IsBoolean, IsEnum, IsOptional, Length, Matches, Validate } from 'class-validator';
import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { PlainText } from '../../core/validation';

@InputType()
export class AccountFilter {
  @Field(() => Role, { nullable: true, description: 'ADMIN or ANALYST (cadres are listed as cadres).' })
  @IsOptional()
  @IsEnum(Role)
  role?: Role;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @Field(() => String, { nullable: true, description: 'The beginning of the username.' })
  @IsOptional()
  @Matches(/^[a-z0-9._-]{1,64}$/, { message: 'search must be the beginning of a username: lower-case letters, digits, dots, dashes or underscores' })
  search?: string;
}

@ArgsType()
export class AccountIdArgs {
  @Field(() => ID)
  accountId!: string;
}

@ArgsType()
export class DeactivateAccountArgs extends AccountIdArgs {
  @Field(() => String, { description: 'Why, for the audit trail (2 to 255 characters).' })
  @Length(2, 255)
  @Validate(PlainText)
  reason!: string;
}
