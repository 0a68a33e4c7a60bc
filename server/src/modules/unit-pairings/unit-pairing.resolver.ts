import { Role } from '@wanjia/shared';
import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { callerOf, type GraphQLContext } from '../../graphql/context';
import { PageArgs, type Connection } from '../../core/pagination';
import { Region } from '../regions/region.entity';
import { Round } from '../rounds/round.entity';
import { Unit } from '../units/unit.entity';
import { UnitPairing } from './unit-pairing.entity';
import { EndUnitPairingArgs, StartUnitPairingArgs, UnitPairingFilter } from './unit-pairing.inputs';
import { unitPairingService } from './unit-pairing.service';
import { UnitPairingConnection } from './unit-pairing.types';

@Resolver(() => UnitPairing)
export class UnitPairingResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => UnitPairingConnection, { description: "Unit pairings with villages and communities in the caller's subtree." })
  async unitPairings(
    @Args() page: PageArgs,
    @Arg('filter', () => UnitPairingFilter, { nullable: true }) filter: UnitPairingFilter | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<UnitPairing>> {
    return unitPairingService.list(ctx.em, ctx.actor!, filter, page);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => UnitPairing)
  async startUnitPairing(@Args() args: StartUnitPairingArgs, @Ctx() ctx: GraphQLContext): Promise<UnitPairing> {
    return unitPairingService.start(ctx.em, args, callerOf(ctx));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => UnitPairing)
  async endUnitPairing(@Args() args: EndUnitPairingArgs, @Ctx() ctx: GraphQLContext): Promise<UnitPairing> {
    return unitPairingService.end(ctx.em, args, callerOf(ctx));
  }

  @FieldResolver(() => Unit)
  async unit(@Root() pairing: UnitPairing, @Ctx() { loaders }: GraphQLContext): Promise<Unit> {
    return (await loaders.unitById.load(pairing.unit.id))!;
  }

  @FieldResolver(() => Region)
  async region(@Root() pairing: UnitPairing, @Ctx() { loaders }: GraphQLContext): Promise<Region> {
    return (await loaders.regionById.load(pairing.region.id))!;
  }

  @FieldResolver(() => Round)
  async round(@Root() pairing: UnitPairing, @Ctx() { loaders }: GraphQLContext): Promise<Round> {
    return (await loaders.roundById.load(pairing.round.id))!;
  }
}
