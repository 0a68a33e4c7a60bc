import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs, type Connection } from '../../core/pagination';
import { callerOf, type GraphQLContext } from '../../graphql/context';
import { MarkNoticesReadInput, NoticeSubscriptionsInput } from './notice.inputs';
import { Notice } from './notice.entity';
import { noticeService } from './notice.service';
import { NoticeConnection } from './notice.types';

@Resolver(() => Notice)
export class NoticeResolver {
  @Authorized()
  @Query(() => NoticeConnection, { description: 'Your notices (消息), newest first; unreadOnly: only those not yet read.' })
  async myNotices(
    @Args() page: PageArgs,
    @Arg('unreadOnly', () => Boolean, { nullable: true }) unreadOnly: boolean | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<Notice>> {
    return noticeService.myNotices(ctx.em, callerOf(ctx).actor, unreadOnly === true, page);
  }

  @Authorized()
  @Mutation(() => Int, { description: 'Marks your notices read (the listed ids, or all); answers how many changed.' })
  async markNoticesRead(@Arg('input', () => MarkNoticesReadInput) input: MarkNoticesReadInput, @Ctx() ctx: GraphQLContext): Promise<number> {
    return noticeService.markRead(ctx.em, callerOf(ctx), input, ctx.clock.now());
  }

  @Authorized()
  @Mutation(() => Int, {
    description: 'Cadres: what wx.requestSubscribeMessage answered. Each accepted kind lets one WeChat message through; answers how many were added.',
  })
  async recordNoticeSubscriptions(@Arg('input', () => NoticeSubscriptionsInput) input: NoticeSubscriptionsInput, @Ctx() ctx: GraphQLContext): Promise<number> {
    return noticeService.recordSubscriptions(ctx.em, callerOf(ctx), input, ctx.clock.now());
  }

  @FieldResolver(() => ID, { nullable: true, description: 'The demand it tells of.' })
  demandId(@Root() notice: Notice): number | null {
    return notice.demand?.id ?? null;
  }

  @FieldResolver(() => ID, { nullable: true, description: 'The referral it tells of.' })
  referralId(@Root() notice: Notice): number | null {
    return notice.referralId ?? null;
  }
}
