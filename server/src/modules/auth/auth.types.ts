import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { UserAccount } from '../accounts/user-account.entity';

@ObjectType({ description: 'Tokens of a sign-in. Send the access token as `Authorization: Bearer <token>`.' })
export class AuthPayload {
  @Field(() => String)
  accessToken!: string;

  @Field(() => Date)
  accessTokenExpiresAt!: Date;

  @Field(() => String, { description: 'Single use: refreshToken returns a new one with the new access token.' })
  refreshToken!: string;

  @Field(() => Date)
  refreshTokenExpiresAt!: Date;

  @Field(() => UserAccount)
  account!: UserAccount;

  @Field(() => Boolean, {
    description:
      'Signed in with a one-time password: the access token serves only changePassword, me and logout (anything else answers PASSWORD_CHANGE_REQUIRED).',
  })
  passwordChangeRequired!: boolean;
}

export enum WechatLoginStatus {
  SIGNED_IN = 'SIGNED_IN',
  /** The WeChat user is not bound to an account yet: ask for the bind code an administrator issued. */
  BIND_REQUIRED = 'BIND_REQUIRED',
}
registerEnumType(WechatLoginStatus, { name: 'WechatLoginStatus' });

@ObjectType()
export class WechatLoginResult {
  @Field(() => WechatLoginStatus)
  status!: WechatLoginStatus;

  @Field(() => AuthPayload, { nullable: true })
  auth!: AuthPayload | null;
}

@ObjectType({ description: 'A one-time code a cadre types in the mini-program to bind WeChat to the account.' })
export class BindCodePayload {
  @Field(() => String)
  code!: string;

  @Field(() => Date)
  expiresAt!: Date;

  @Field(() => UserAccount)
  account!: UserAccount;
}
