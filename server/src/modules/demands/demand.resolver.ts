import { DemandCategory, DemandStatus, Role } from '@wanjia/shared';
import type { FilterQuery } from '@mikro-orm/core';
import { IsEnum, IsOptional } from 'class-validator';
import { Arg, Args, Authorized, Ctx, Field, FieldResolver, ID, InputType, Mutation, Query, Resolver, Root } from 'type-graphql';
import { paginateById } from '../../core/pagination';
import type { GraphQLContext } from '../../graphql/context';
import { parseId } from '../../core/errors';
import { ConnectionType, PageArgs, type Connection } from '../../core/pagination';
import { regionSubtree } from '../../core/region-scope';
import { Household } from '../households/household.entity';
import { shanghaiDate } from '../../core/time';
import { Demand } from './demand.entity';
import { demandService } from './demand.service';

const DemandConnection = ConnectionType(Demand, 'DemandConnection');

@InputType()
class DemandFilter {
  @Field(() => ID, { nullable: true })
  householdId?: string;

  @Field(() => DemandStatus, { nullable: true })
  @IsOptional()
  @IsEnum(DemandStatus)
  status?: DemandStatus;

  @Field(() => DemandCategory, { nullable: true })
  @IsOptional()
  @IsEnum(DemandCategory)
  category?: DemandCategory;

  @Field(() => Boolean, { nullable: true, description: 'Only open demands past their due date.' })
  overdueOnly?: boolean;
}

@Resolver(() => Demand)
export class DemandResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => DemandConnection, { description: "Demands of households in the caller's subtree." })
  async demands(
    @Args() page: PageArgs,
    @Arg('filter', () => DemandFilter, { nullable: true }) filter: DemandFilter | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<Demand>> {
    const conditions: FilterQuery<Demand>[] = [{ household: { region: regionSubtree(ctx.actor!) } }];
    if (filter?.householdId) conditions.push({ household: parseId(filter.householdId, 'filter.householdId') });
    if (filter?.status) conditions.push({ status: filter.status });
    if (filter?.category) conditions.push({ category: filter.category });
    if (filter?.overdueOnly) {
      conditions.push({ status: { $in: [DemandStatus.OPEN, DemandStatus.IN_PROGRESS, DemandStatus.ESCALATED] }, dueOn: { $lt: shanghaiDate(new Date()) } });
    }
    return paginateById(ctx.em, Demand, { $and: conditions }, page);
  }

  @Authorized(Role.CADRE)
  @Mutation(() => Demand, { description: 'Records that the household confirmed, on a later visit, that the demand is solved.' })
  async confirmDemandResolved(@Arg('demandId', () => ID) demandId: string, @Ctx() ctx: GraphQLContext): Promise<Demand> {
    return demandService.confirmResolved(ctx.em, parseId(demandId, 'demandId'), { actor: ctx.actor!, clientAddress: ctx.clientAddress });
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
