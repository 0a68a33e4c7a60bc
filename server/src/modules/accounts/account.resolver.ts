import { Role } from '@wanjia/shared';
import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { callerOf, type GraphQLContext } from '../../graphql/context';
import { PageArgs, type Connection } from '../../core/pagination';
import { AccountFilter, AccountIdArgs, DeactivateAccountArgs } from './account.inputs';
import { accountService } from './account.service';
import { PasswordResetPayload, UserAccountConnection } from './account.types';
import { UserAccount } from './user-account.entity';

@Resolver(() => UserAccount)
export class AccountResolver {
  @Authorized(Role.ADMIN)
  @Query(() => UserAccountConnection, { description: "The administrator and analyst accounts the caller manages: those whose scope lies in the caller's." })
  async accounts(
    @Args() page: PageArgs,
    @Arg('filter', () => AccountFilter, { nullable: true }) filter: AccountFilter | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<UserAccount>> {
    return accountService.list(ctx.em, ctx.actor!, filter, page);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => PasswordResetPayload, {
    description:
      'Gives an account in scope (below the caller’s scope, or an analyst of the same scope: not a peer administrator) a one-time password, returned once, that must be changed at the next sign-in; every sign-in of the account ends and its sign-in lock is lifted. Not for one’s own account (changePassword).',
  })
  async resetPassword(@Args() args: AccountIdArgs, @Ctx() ctx: GraphQLContext): Promise<PasswordResetPayload> {
    return accountService.resetPasswordInScope(ctx.em, args, callerOf(ctx));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => UserAccount, { description: 'Lifts the sign-in lock (LOGIN_MAX_FAILURES) of an account in scope, a peer administrator’s included.' })
  async unlockAccount(@Args() args: AccountIdArgs, @Ctx() ctx: GraphQLContext): Promise<UserAccount> {
    return accountService.unlockInScope(ctx.em, args, callerOf(ctx));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => UserAccount, {
    description: 'Switches an account in scope off (below the caller’s scope, or an analyst of the same scope): it cannot sign in, and its sign-ins end within 5 s on every instance. Not one’s own.',
  })
  async deactivateAccount(@Args() args: DeactivateAccountArgs, @Ctx() ctx: GraphQLContext): Promise<UserAccount> {
    return accountService.deactivateInScope(ctx.em, args, callerOf(ctx));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => UserAccount, { description: 'Lets a deactivated account in scope (below the caller’s scope, or an analyst of the same scope) sign in again (its earlier sign-ins stay ended).' })
  async reactivateAccount(@Args() args: AccountIdArgs, @Ctx() ctx: GraphQLContext): Promise<UserAccount> {
    return accountService.reactivateInScope(ctx.em, args, callerOf(ctx));
  }

  @FieldResolver(() => Date, { nullable: true, description: 'Until when sign-in with this username is locked after failed attempts; null when it is not.' })
  async signInLockedUntil(@Root() account: UserAccount, @Ctx() { loaders }: GraphQLContext): Promise<Date | null> {
    return account.username ? loaders.signInLockedUntil.load(account.username) : null;
  }
}
