import { Role } from '@wanjia/shared';
import { IsEnum, IsNotEmpty, Length, Matches, Validate } from 'class-validator';
import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { PlainText } from '../../core/validation';

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
