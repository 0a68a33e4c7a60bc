import { Role } from '@wanjia/shared';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context';
import { NotFoundError, parseId } from '../../core/errors';
import { PageArgs } from '../../core/pagination';
import { myWorkService } from './my-work.service';
import { MyHouseholdFilter } from './my-work.inputs';
import { Household } from '../households/household.entity';
import { MyHousehold, MyHouseholdConnection, MyStats } from './my-work.types';

// Of MyHousehold: its `file` is resolved here (and the class needs no entry of its own in the resolver list).
@Resolver(() => MyHousehold)
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
    const currentRound = (day: string) => ctx.loaders.currentRoundOn.load(day);
    return myWorkService.myStats(ctx.em, ctx.actor!, ctx.config, roundId ? parseId(roundId, 'roundId') : null, new Date(), currentRound);
  }

  @FieldResolver(() => Household, {
    description:
      "The household's file as the cadre may see it (the same object `household(id)` answers). A caseload refresh reads every file in one request per page: the nested lists are batched, so its statements do not grow with the number of households.",
  })
  async file(@Root() household: MyHousehold, @Ctx() { loaders }: GraphQLContext): Promise<Household> {
    // Through the request's loader (one statement for the page) and the object scope guard, which checks
    // every Household an answer carries for the caller exactly as it checks household(id)'s.
    const file = await loaders.householdById.load(household.id);
    if (!file) throw new NotFoundError('household');
    return file;
  }
}
