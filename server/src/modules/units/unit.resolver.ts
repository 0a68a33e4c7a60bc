import { Role } from '@wanjia/shared';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { callerOf, type GraphQLContext } from '../../graphql/context';
import { parseId } from '../../core/errors';
import { PageArgs, type Connection } from '../../core/pagination';
import { Region } from '../regions/region.entity';
import { Unit } from './unit.entity';
import { unitService } from './unit.service';
import { UnitFilter, UnitInput } from './unit.inputs';
import { UnitConnection } from './unit.types';

@Resolver(() => Unit)
export class UnitResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => UnitConnection, { description: "Units of the caller's region subtree." })
  async units(
    @Args() page: PageArgs,
    @Arg('filter', () => UnitFilter, { nullable: true }) filter: UnitFilter | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<Unit>> {
    return unitService.list(ctx.em, ctx.actor!, filter, page);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Unit)
  async createUnit(@Arg('input', () => UnitInput) input: UnitInput, @Ctx() ctx: GraphQLContext): Promise<Unit> {
    return unitService.create(ctx.em, input, callerOf(ctx));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Unit)
  async updateUnit(@Arg('id', () => ID) id: string, @Arg('input', () => UnitInput) input: UnitInput, @Ctx() ctx: GraphQLContext): Promise<Unit> {
    return unitService.update(ctx.em, parseId(id, 'id'), input, callerOf(ctx));
  }

  @FieldResolver(() => Region)
  async region(@Root() unit: Unit, @Ctx() { loaders }: GraphQLContext): Promise<Region> {
    return (await loaders.regionById.load(unit.region.id))!;
  }
}
