import { Role } from '@wanjia/shared';
import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { callerOf, type GraphQLContext } from '../../graphql/context';
import { DesignateUnitHandlerInput, EndUnitHandlerInput } from './unit-handler.inputs';
import { UnitHandler } from './unit-handler.entity';
import { unitHandlerService } from './unit-handler.service';

@Resolver(() => UnitHandler)
export class UnitHandlerResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => [UnitHandler], { description: "A unit's handlers (联络员), active first; with includeEnded, the ended ones too." })
  async unitHandlers(
    @Arg('unitId', () => ID) unitId: string,
    @Arg('includeEnded', () => Boolean, { nullable: true }) includeEnded: boolean | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UnitHandler[]> {
    return unitHandlerService.list(ctx.em, ctx.actor!, unitId, includeEnded ?? false);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => UnitHandler, { description: "Designate an active cadre of the unit as its handler of referred demands (the unit's administrators)." })
  async designateUnitHandler(
    @Arg('input', () => DesignateUnitHandlerInput) input: DesignateUnitHandlerInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UnitHandler> {
    return unitHandlerService.designate(ctx.em, input, callerOf(ctx), ctx.clock.now());
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => UnitHandler, { description: "End a handler's designation, with the reason; their reading of the unit's referrals ends with it." })
  async endUnitHandler(@Arg('input', () => EndUnitHandlerInput) input: EndUnitHandlerInput, @Ctx() ctx: GraphQLContext): Promise<UnitHandler> {
    return unitHandlerService.end(ctx.em, input, callerOf(ctx), ctx.clock.now());
  }

  @FieldResolver(() => ID)
  unitId(@Root() handler: UnitHandler): number {
    return handler.unit.id;
  }

  @FieldResolver(() => String)
  async unitName(@Root() handler: UnitHandler, @Ctx() { loaders }: GraphQLContext): Promise<string> {
    return (await loaders.unitById.load(handler.unit.id))?.name ?? '';
  }

  @FieldResolver(() => ID)
  cadreId(@Root() handler: UnitHandler): number {
    return handler.cadre.id;
  }

  @FieldResolver(() => String)
  async cadreName(@Root() handler: UnitHandler, @Ctx() { loaders }: GraphQLContext): Promise<string> {
    return (await loaders.cadreById.load(handler.cadre.id))?.name ?? '';
  }
}
