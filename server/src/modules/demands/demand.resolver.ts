import { Role } from '@wanjia/shared';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { callerOf, type GraphQLContext } from '../../graphql/context';
import { PageArgs, type Connection } from '../../core/pagination';
import { Household } from '../households/household.entity';
import { Demand } from './demand.entity';
import { DemandEvent } from './demand-event.entity';
import { DemandConfirmationInput, DemandFilter } from './demand.inputs';
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
    return demandService.list(ctx.em, ctx.actor!, filter, page, ctx.clock.now());
  }

  @Authorized(Role.CADRE)
  @Mutation(() => Demand, {
    description:
      "The household's answer to a resolution. SATISFIED / BASICALLY_SATISFIED: status CONFIRMED. DISSATISFIED: the demand reopens (status OPEN, resolvedBy/resolvedAt cleared on the demand; the earlier resolution stays in `events`). Only the cadre assigned to the household, only for a RESOLVED demand.",
  })
  async confirmDemandResolved(@Arg('input', () => DemandConfirmationInput) input: DemandConfirmationInput, @Ctx() ctx: GraphQLContext): Promise<Demand> {
    return demandService.confirmResolved(ctx.em, input, callerOf(ctx), ctx.clock.now());
  }

  @FieldResolver(() => [DemandEvent], { description: 'Every step, oldest first; kept forever.' })
  async events(@Root() demand: Demand, @Ctx() { loaders }: GraphQLContext): Promise<DemandEvent[]> {
    return loaders.demandEventsByDemand.load(demand.id);
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

@Resolver(() => DemandEvent)
export class DemandEventResolver {
  @FieldResolver(() => ID, { nullable: true, description: 'The help record of a RAISED or RESOLVED step.' })
  helpRecordId(@Root() event: DemandEvent): number | null {
    return event.helpRecord?.id ?? null;
  }
}
