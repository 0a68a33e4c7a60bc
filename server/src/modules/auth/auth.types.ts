import { Role } from '@wanjia/shared';
import { IsEnum, IsNotEmpty, Length, Matches, Validate } from 'class-validator';
import { ArgsType, Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { UserAccount } from '../accounts/user-account.entity';
import { PlainText } from '../../core/validation';

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

@ArgsType()
export class LoginArgs {
  @Field(() => String)
  @Length(1, 64)
  @Validate(PlainText)
  username!: string;

  @Field(() => String)
  @Length(1, 200)
  password!: string;
}

@ArgsType()
export class RefreshArgs {
  @Field(() => String)
  @Length(10, 200)
  refreshToken!: string;
}

@ArgsType()
export class WechatLoginArgs {
  @Field(() => String, { description: 'The code wx.login returned.' })
  @IsNotEmpty()
  @Length(1, 128)
  code!: string;
}

@ArgsType()
export class BindWechatArgs extends WechatLoginArgs {
  @Field(() => String)
  @Length(6, 20)
  bindCode!: string;
}

@ArgsType()
export class ChangePasswordArgs {
  @Field(() => String)
  @Length(1, 200)
  oldPassword!: string;

  @Field(() => String, { description: 'At least 12 characters, not a published (demo) password, not the current one.' })
  @Length(12, 200, { message: 'newPassword must be at least 12 characters' })
  newPassword!: string;
}

@InputType()
export class CreateAccountInput {
  @Field(() => String)
  @Matches(/^[a-z][a-z0-9._-]{2,63}$/, { message: 'username must be 3-64 lower-case letters, digits, dots, dashes or underscores, starting with a letter' })
  username!: string;

  @Field(() => String)
  @Length(12, 200, { message: 'password must be at least 12 characters' })
  password!: string;

  @Field(() => Role)
  @IsEnum(Role)
  role!: Role;

  @Field(() => ID)
  scopeRegionId!: string;
}
