import { Role } from '@wanjia/shared';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { callerOf, type GraphQLContext } from '../../graphql/context';
import { parseId } from '../../core/errors';
import { PageArgs, type Connection } from '../../core/pagination';
import { Household } from '../households/household.entity';
import { Demand } from './demand.entity';
import { DemandFilter } from './demand.inputs';
import { demandService } from './demand.service';
import { DemandConnection } from './demand.types';

@Resolver(() => Demand)
export class DemandResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => DemandConnection, { description: "Demands of households in the caller's subtree." })
  async demands(
    @Args() page: PageArgs,
    @Arg('filter', () => DemandFilter, { nullable: true }) filter: DemandFilter | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<Demand>> {
    return demandService.list(ctx.em, ctx.actor!, filter, page);
  }

  @Authorized(Role.CADRE)
  @Mutation(() => Demand, { description: 'Records that the household confirmed, on a later visit, that the demand is solved.' })
  async confirmDemandResolved(@Arg('demandId', () => ID) demandId: string, @Ctx() ctx: GraphQLContext): Promise<Demand> {
    return demandService.confirmResolved(ctx.em, parseId(demandId, 'demandId'), callerOf(ctx));
  }

  @FieldResolver(() => ID, { nullable: true, description: 'The help record on which the demand was heard.' })
  raisedInId(@Root() demand: Demand): number | null {
    return demand.raisedIn?.id ?? null;
  }

  @FieldResolver(() => ID, { nullable: true, description: 'The help record that resolved it.' })
  resolvedById(@Root() demand: Demand): number | null {
    return demand.resolvedBy?.id ?? null;
  }

  @FieldResolver(() => Household)
  async household(@Root() demand: Demand, @Ctx() { loaders }: GraphQLContext): Promise<Household> {
    return (await loaders.householdById.load(demand.household.id))!;
  }
}
