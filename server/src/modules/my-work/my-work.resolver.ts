import { Role } from '@wanjia/shared';
import { Arg, Args, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context';
import { parseId } from '../../core/errors';
import { PageArgs } from '../../core/pagination';
import { myWorkService } from './my-work.service';
import { MyHouseholdFilter } from './my-work.inputs';
import { MyHouseholdConnection, MyStats } from './my-work.types';

@Resolver()
export class MyWorkResolver {
  @Authorized(Role.CADRE)
  @Query(() => MyHouseholdConnection, { description: 'The households assigned to the signed-in cadre, most overdue first.' })
  async myHouseholds(
    @Args() page: PageArgs,
    @Arg('filter', () => MyHouseholdFilter, { nullable: true }) filter: MyHouseholdFilter | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<MyHouseholdConnection> {
    return myWorkService.myHouseholds(ctx.em, ctx.actor!, ctx.config, filter, page);
  }

  @Authorized(Role.CADRE)
  @Query(() => MyStats, { description: "The signed-in cadre's visits, funds, materials and problems solved this month and this round." })
  async myStats(@Arg('roundId', () => ID, { nullable: true }) roundId: string | undefined, @Ctx() ctx: GraphQLContext): Promise<MyStats> {
    return myWorkService.myStats(ctx.em, ctx.actor!, ctx.config, roundId ? parseId(roundId, 'roundId') : null);
  }
}
