import { Role } from '@wanjia/shared';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context';
import { ForbiddenError, UnauthenticatedError, parseId } from '../../core/errors';
import { UserAccount } from '../accounts/user-account.entity';
import { Cadre } from '../cadres/cadre.entity';
import { cadreService } from '../cadres/cadre.service';
import { Region } from '../regions/region.entity';
import { pathInScope, type Actor } from '../../core/caller';
import { authService } from './auth.service';
import { tokenProblemMessage } from '../../core/errors';
import {
  AuthPayload,
  BindCodePayload,
  BindWechatArgs,
  ChangePasswordArgs,
  CreateAccountInput,
  LoginArgs,
  RefreshArgs,
  WechatLoginArgs,
  WechatLoginResult,
  WechatLoginStatus,
} from './auth.types';

/**
 * The caller for what a password-change token may do as well (changePassword, me): the signed-in
 * actor, or the holder of a one-time password's sign-in. Nobody: UNAUTHENTICATED as everywhere.
 */
function selfOf(ctx: GraphQLContext): Actor {
  const self = ctx.actor ?? ctx.passwordChangeActor ?? null;
  if (self) return self;
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
    const cadre = await cadreService.findInScope(ctx.em, ctx.actor!, parseId(cadreId, 'cadreId'));
    return authService.issueBindCode(ctx.em, cadre, ctx.actor!, ctx);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => UserAccount, { description: "Creates an administrator or analyst account within the caller's scope." })
  async createAccount(@Arg('input', () => CreateAccountInput) input: CreateAccountInput, @Ctx() ctx: GraphQLContext): Promise<UserAccount> {
    const region = await ctx.em.findOne(Region, { id: parseId(input.scopeRegionId, 'scopeRegionId') });
    if (!region || !pathInScope(ctx.actor!, region.path)) throw new ForbiddenError();
    return authService.createStaffAccount(ctx.em, { ...input, scopeRegion: region }, ctx.actor, ctx.clientAddress);
  }

  // Not @Authorized: a password-change token may read it too (selfOf checks the sign-in).
  @Query(() => UserAccount, { description: 'The signed-in account, its role, scope region and, for a cadre, the cadre.' })
  async me(@Ctx() ctx: GraphQLContext): Promise<UserAccount> {
    const account = await ctx.em.findOne(UserAccount, { id: selfOf(ctx).accountId, active: true });
    if (!account) throw new ForbiddenError();
    return account;
  }

  // Not @Authorized: the one operation besides me and logout that a password-change token may call.
  @Mutation(() => AuthPayload, {
    description:
      "Changes one's own password (administrators and analysts), with the current one; every other sign-in of the account ends. Returns new tokens. Replaces a one-time password from resetPassword.",
  })
  async changePassword(@Args() { oldPassword, newPassword }: ChangePasswordArgs, @Ctx() ctx: GraphQLContext): Promise<AuthPayload> {
    const self = selfOf(ctx);
    if (self.role !== Role.ADMIN && self.role !== Role.ANALYST) throw new ForbiddenError();
    return authService.changePassword(ctx.em, self, oldPassword, newPassword, ctx);
  }

  @FieldResolver(() => Region, { nullable: true })
  async scopeRegion(@Root() account: UserAccount, @Ctx() { loaders }: GraphQLContext): Promise<Region | null> {
    return account.scopeRegion ? loaders.regionById.load(account.scopeRegion.id) : null;
  }

  @FieldResolver(() => Cadre, { nullable: true })
  async cadre(@Root() account: UserAccount, @Ctx() { loaders }: GraphQLContext): Promise<Cadre | null> {
    return account.cadre ? loaders.cadreById.load(account.cadre.id) : null;
  }

  @FieldResolver(() => Boolean, { description: 'Whether a WeChat user is bound to this account.' })
  wechatBound(@Root() account: UserAccount): boolean {
    return Boolean(account.wechatOpenid);
  }
}
