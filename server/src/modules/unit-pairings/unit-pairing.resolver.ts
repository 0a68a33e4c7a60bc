import { Role } from '@wanjia/shared';
import { Length, Matches, Validate } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, InputType, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context';
import { parseId } from '../../core/errors';
import { ConnectionType, PageArgs, type Connection } from '../../core/pagination';
import { PlainText } from '../../core/validation';
import { Region } from '../regions/region.entity';
import { Round } from '../rounds/round.entity';
import { Unit } from '../units/unit.entity';
import { UnitPairing } from './unit-pairing.entity';
import { unitPairingService } from './unit-pairing.service';

const UnitPairingConnection = ConnectionType(UnitPairing, 'UnitPairingConnection');

@InputType()
class UnitPairingFilter {
  @Field(() => ID, { nullable: true })
  unitId?: string;

  @Field(() => ID, { nullable: true })
  regionId?: string;

  @Field(() => ID, { nullable: true })
  roundId?: string;

  @Field(() => Boolean, { nullable: true })
  active?: boolean;
}

@ArgsType()
class StartUnitPairingArgs {
  @Field(() => ID)
  unitId!: string;

  @Field(() => ID, { description: 'A village or community.' })
  regionId!: string;

  @Field(() => ID)
  roundId!: string;

  @Field(() => LocalDateResolver)
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  startedOn!: string;
}

@ArgsType()
class EndUnitPairingArgs {
  @Field(() => ID)
  id!: string;

  @Field(() => LocalDateResolver)
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  endedOn!: string;

  @Field(() => String)
  @Length(2, 255)
  @Validate(PlainText)
  reason!: string;
}

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
    return unitPairingService.start(
      ctx.em,
      {
        unitId: parseId(args.unitId, 'unitId'),
        regionId: parseId(args.regionId, 'regionId'),
        roundId: parseId(args.roundId, 'roundId'),
        startedOn: args.startedOn,
      },
      { actor: ctx.actor!, clientAddress: ctx.clientAddress },
    );
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => UnitPairing)
  async endUnitPairing(@Args() args: EndUnitPairingArgs, @Ctx() ctx: GraphQLContext): Promise<UnitPairing> {
    return unitPairingService.end(ctx.em, parseId(args.id, 'id'), args.endedOn, args.reason.trim(), { actor: ctx.actor!, clientAddress: ctx.clientAddress });
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
