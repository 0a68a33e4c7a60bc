import { wrap } from '@mikro-orm/core';
import { Role } from '@wanjia/shared';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { callerOf, type GraphQLContext } from '../../graphql/context';
import type { Actor } from '../../core/caller';
import { UnauthenticatedError, parseId, tokenProblemMessage } from '../../core/errors';
import { UserAccount } from '../accounts/user-account.entity';
import { Cadre } from '../cadres/cadre.entity';
import { Region } from '../regions/region.entity';
import { BindWechatArgs, ChangePasswordArgs, CreateAccountInput, LoginArgs, RefreshArgs, WechatLoginArgs } from './auth.inputs';
import { authService } from './auth.service';
import { AuthPayload, BindCodePayload, WechatLoginResult, WechatLoginStatus } from './auth.types';

/**
 * The caller of `me` and `changePassword`, the two operations a password-change token serves too: the
 * signed-in actor, else the token's holder (the context keeps the holder out of `actor`, so every
 * other operation refuses it). Nobody: UNAUTHENTICATED as everywhere.
 */
function selfOf(ctx: GraphQLContext): Actor {
  if (ctx.actor) return ctx.actor;
  if (ctx.passwordChangeActor) return ctx.passwordChangeActor;
  // A password-change token is itself the self here; what is left is a missing or refused token.
  throw new UnauthenticatedError(tokenProblemMessage(ctx.tokenProblem === 'password-change-required' ? 'invalid' : ctx.tokenProblem));
}

@Resolver(() => UserAccount)
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: 'Password sign-in for administrators and analysts.' })
  async login(@Args() { username, password }: LoginArgs, @Ctx() ctx: GraphQLContext): Promise<AuthPayload> {
    return authService.login(ctx.em, username, password, ctx);
  }

  @Mutation(() => AuthPayload, { description: 'Exchanges a refresh token for new tokens; the old refresh token stops working.' })
  async refreshToken(@Args() { refreshToken }: RefreshArgs, @Ctx() ctx: GraphQLContext): Promise<AuthPayload> {
    return authService.refresh(ctx.em, refreshToken, ctx);
  }

  @Mutation(() => Boolean, { description: 'Ends the sign-in the refresh token belongs to.' })
  async logout(@Args() { refreshToken }: RefreshArgs, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return authService.logout(ctx.em, refreshToken);
  }

  @Mutation(() => WechatLoginResult, { description: 'Cadre sign-in from the mini-program with the code of wx.login.' })
  async wechatLogin(@Args() { code }: WechatLoginArgs, @Ctx() ctx: GraphQLContext): Promise<WechatLoginResult> {
    const auth = await authService.wechatLogin(ctx.em, code, ctx);
    return auth ? { status: WechatLoginStatus.SIGNED_IN, auth } : { status: WechatLoginStatus.BIND_REQUIRED, auth: null };
  }

  @Mutation(() => AuthPayload, { description: 'Binds the WeChat user to a cadre account with a one-time bind code.' })
  async bindWechat(@Args() { code, bindCode }: BindWechatArgs, @Ctx() ctx: GraphQLContext): Promise<AuthPayload> {
    return authService.bindWechat(ctx.em, code, bindCode, ctx);
  }

  @Mutation(() => AuthPayload, { description: 'Development only (DEV_SIGN_IN): sign in as a demo cadre without WeChat.' })
  async developmentSignIn(@Arg('cadreId', () => ID) cadreId: string, @Ctx() ctx: GraphQLContext): Promise<AuthPayload> {
    return authService.developmentSignIn(ctx.em, parseId(cadreId, 'cadreId'), ctx);
  }

  @Query(() => [Cadre], { description: 'Development only (DEV_SIGN_IN): the demo cadres one can sign in as.' })
  async developmentCadres(@Ctx() ctx: GraphQLContext): Promise<Cadre[]> {
    return authService.developmentCadres(ctx.em, ctx.config);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => BindCodePayload, { description: 'Issues a one-time bind code (72 hours) for a cadre in scope.' })
  async issueBindCode(@Arg('cadreId', () => ID) cadreId: string, @Ctx() ctx: GraphQLContext): Promise<BindCodePayload> {
    return authService.issueBindCode(ctx.em, parseId(cadreId, 'cadreId'), callerOf(ctx));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => UserAccount, { description: "Creates an administrator or analyst account within the caller's scope." })
  async createAccount(@Arg('input', () => CreateAccountInput) input: CreateAccountInput, @Ctx() ctx: GraphQLContext): Promise<UserAccount> {
    return authService.createAccount(ctx.em, input, callerOf(ctx));
  }

  // Not @Authorized: a password-change token may read it too (selfOf checks the sign-in).
  @Query(() => UserAccount, { description: 'The signed-in account, its role, scope region and, for a cadre, the cadre.' })
  async me(@Ctx() ctx: GraphQLContext): Promise<UserAccount> {
    return authService.me(ctx.em, selfOf(ctx));
  }

  // Not @Authorized: the one operation besides me and logout that a password-change token may call.
  @Mutation(() => AuthPayload, {
    description:
      "Changes one's own password (administrators and analysts), with the current one; every other sign-in of the account ends. Returns new tokens. Replaces a one-time password from resetPassword.",
  })
  async changePassword(@Args() args: ChangePasswordArgs, @Ctx() ctx: GraphQLContext): Promise<AuthPayload> {
    return authService.changePassword(ctx.em, args, { actor: selfOf(ctx), clientAddress: ctx.clientAddress }, ctx.config);
  }

  @FieldResolver(() => Region, { nullable: true })
  async scopeRegion(@Root() account: UserAccount, @Ctx() { loaders }: GraphQLContext): Promise<Region | null> {
    return account.scopeRegion ? loaders.regionById.load(account.scopeRegion.id) : null;
  }

  @FieldResolver(() => Cadre, { nullable: true })
  async cadre(@Root() account: UserAccount, @Ctx() { loaders }: GraphQLContext): Promise<Cadre | null> {
    if (!account.cadre) return null;
    // me() reads the cadre with the account (populate): no second read.
    if (wrap(account.cadre).isInitialized()) return account.cadre;
    return loaders.cadreById.load(account.cadre.id);
  }

  @FieldResolver(() => Boolean, { description: 'Whether a WeChat user is bound to this account.' })
  wechatBound(@Root() account: UserAccount): boolean {
    return Boolean(account.wechatOpenid);
  }
}
