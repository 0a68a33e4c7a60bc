import { Role } from '@wanjia/shared';
import { IsBoolean, IsEnum, IsOptional, Length, Matches, Validate } from 'class-validator';
import { ArgsType, Field, ID, InputType, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../core/pagination';
import { PlainText } from '../../core/validation';
import { UserAccount } from './user-account.entity';

export const UserAccountConnection = ConnectionType(UserAccount, 'UserAccountConnection');

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

@ObjectType({ description: 'A one-time password from resetPassword. It is shown once and never stored in clear.' })
export class PasswordResetPayload {
  @Field(() => String, { description: 'Hand it to the account holder: it signs in only to choose a new password (changePassword).' })
  oneTimePassword!: string;

  @Field(() => UserAccount)
  account!: UserAccount;
}
