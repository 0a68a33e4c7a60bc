import { Role } from '@wanjia/shared';
import { Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { callerOf, type GraphQLContext } from '../../graphql/context';
import { myContactPointsService } from './my-contact-points.service';
import { MyContactPoints } from './my-contact-points.types';

@Resolver()
export class MyContactPointsResolver {
  @Authorized(Role.CADRE)
  @Query(() => MyContactPoints, {
    description:
      "我的联系点: the caller's active contact points and the open petition cases they lead (包案), with open, overdue and escalated demands — masked: nothing of the households' files.",
  })
  async myContactPoints(@Ctx() ctx: GraphQLContext): Promise<MyContactPoints> {
    return myContactPointsService.mine(ctx.em, callerOf(ctx).actor, ctx.clock.now());
  }
}
