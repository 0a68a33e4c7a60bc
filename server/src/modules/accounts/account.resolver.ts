import { Role } from '@wanjia/shared';
import DataLoader from 'dataloader';
import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context';
import { parseId } from '../../core/errors';
import { PageArgs, type Connection } from '../../core/pagination';
import { accountCareService } from './account.service';
import { AccountFilter, AccountIdArgs, DeactivateAccountArgs, PasswordResetPayload, UserAccountConnection } from './account.types';
import { UserAccount } from './user-account.entity';

/** One lookup of sign-in locks per request, however many accounts a page shows. */
const lockLoaders = new WeakMap<GraphQLContext, DataLoader<string, Date | null>>();

function lockLoaderOf(ctx: GraphQLContext): DataLoader<string, Date | null> {
  let loader = lockLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader((usernames: readonly string[]) => accountCareService.lockedUntil(ctx.em, usernames));
    lockLoaders.set(ctx, loader);
  }
  return loader;
}

const careRequest = (ctx: GraphQLContext) => ({ actor: ctx.actor!, clientAddress: ctx.clientAddress });

@Resolver(() => UserAccount)
export class AccountResolver {
  @Authorized(Role.ADMIN)
  @Query(() => UserAccountConnection, { description: "The administrator and analyst accounts the caller manages: those whose scope lies in the caller's." })
  async accounts(
    @Args() page: PageArgs,
    @Arg('filter', () => AccountFilter, { nullable: true }) filter: AccountFilter | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<UserAccount>> {
    return accountCareService.list(ctx.em, ctx.actor!, filter, page);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => PasswordResetPayload, {
    description:
      'Gives an account in scope (below the caller’s scope, or an analyst of the same scope: not a peer administrator) a one-time password, returned once, that must be changed at the next sign-in; every sign-in of the account ends and its sign-in lock is lifted. Not for one’s own account (changePassword).',
  })
  async resetPassword(@Args() { accountId }: AccountIdArgs, @Ctx() ctx: GraphQLContext): Promise<PasswordResetPayload> {
    const account = await accountCareService.findManaged(ctx.em, ctx.actor!, parseId(accountId, 'accountId'), 'resetPassword');
    const result = await accountCareService.resetPassword(ctx.em, account, careRequest(ctx));
    return { oneTimePassword: result.oneTimePassword!, account: result.account };
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => UserAccount, { description: 'Lifts the sign-in lock (LOGIN_MAX_FAILURES) of an account in scope, a peer administrator’s included.' })
  async unlockAccount(@Args() { accountId }: AccountIdArgs, @Ctx() ctx: GraphQLContext): Promise<UserAccount> {
    const account = await accountCareService.findManaged(ctx.em, ctx.actor!, parseId(accountId, 'accountId'), 'unlock');
    return accountCareService.unlock(ctx.em, account, careRequest(ctx));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => UserAccount, {
    description: 'Switches an account in scope off (below the caller’s scope, or an analyst of the same scope): it cannot sign in, and its sign-ins end within 5 s on every instance. Not one’s own.',
  })
  async deactivateAccount(@Args() { accountId, reason }: DeactivateAccountArgs, @Ctx() ctx: GraphQLContext): Promise<UserAccount> {
    const account = await accountCareService.findManaged(ctx.em, ctx.actor!, parseId(accountId, 'accountId'), 'deactivate');
    return accountCareService.deactivate(ctx.em, account, reason, careRequest(ctx));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => UserAccount, { description: 'Lets a deactivated account in scope (below the caller’s scope, or an analyst of the same scope) sign in again (its earlier sign-ins stay ended).' })
  async reactivateAccount(@Args() { accountId }: AccountIdArgs, @Ctx() ctx: GraphQLContext): Promise<UserAccount> {
    const account = await accountCareService.findManaged(ctx.em, ctx.actor!, parseId(accountId, 'accountId'), 'reactivate');
    return accountCareService.reactivate(ctx.em, account, careRequest(ctx));
  }

  @FieldResolver(() => Date, { nullable: true, description: 'Until when sign-in with this username is locked after failed attempts; null when it is not.' })
  async signInLockedUntil(@Root() account: UserAccount, @Ctx() ctx: GraphQLContext): Promise<Date | null> {
    return account.username ? lockLoaderOf(ctx).load(account.username) : null;
  }
}
