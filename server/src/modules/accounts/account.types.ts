import { Field, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../core/pagination';
import { UserAccount } from './user-account.entity';

export const UserAccountConnection = ConnectionType(UserAccount, 'UserAccountConnection');

@ObjectType({ description: 'A one-time password from resetPassword. It is shown once and never stored in clear.' })
export class PasswordResetPayload {
  @Field(() => String, { description: 'Hand it to the account holder: it signs in only to choose a new password (changePassword).' })
  oneTimePassword!: string;

  @Field(() => UserAccount)
  account!: UserAccount;
}
