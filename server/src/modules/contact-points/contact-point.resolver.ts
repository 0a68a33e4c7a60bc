import { Role } from '@wanjia/shared';
import { LocalDateResolver } from 'graphql-scalars';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { callerOf, type GraphQLContext } from '../../graphql/context';
import { parseId } from '../../core/errors';
import { PageArgs, type Connection } from '../../core/pagination';
import { Cadre } from '../cadres/cadre.entity';
import { ContactPointKind } from './contact-point-kind.entity';
import { ContactPoint } from './contact-point.entity';
import { ContactPointFilter, ContactPointKindInput, CreateContactPointInput } from './contact-point.inputs';
import { contactPointService } from './contact-point.service';
import { ContactPointConnection } from './contact-point.types';

@Resolver(() => ContactPoint)
export class ContactPointResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => ContactPointConnection, { description: "Leaders' contact points whose target lies in the caller's subtree." })
  async contactPoints(
    @Args() page: PageArgs,
    @Arg('filter', () => ContactPointFilter, { nullable: true }) filter: ContactPointFilter | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<ContactPoint>> {
    return contactPointService.list(ctx.em, ctx.actor!, filter, page);
  }

  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => [ContactPointKind], { description: 'The kinds of contact point (the "eight ones"), in order.' })
  async contactPointKinds(@Ctx() ctx: GraphQLContext): Promise<ContactPointKind[]> {
    return contactPointService.listKinds(ctx.em);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ContactPoint, { description: 'Adds a contact point for a leader (administrators of the city only).' })
  async createContactPoint(@Arg('input', () => CreateContactPointInput) input: CreateContactPointInput, @Ctx() ctx: GraphQLContext): Promise<ContactPoint> {
    return contactPointService.create(ctx.em, input, callerOf(ctx));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ContactPoint)
  async endContactPoint(
    @Arg('id', () => ID) id: string,
    @Arg('endedOn', () => LocalDateResolver) endedOn: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ContactPoint> {
    return contactPointService.end(ctx.em, parseId(id, 'id'), endedOn, callerOf(ctx));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ContactPointKind)
  async createContactPointKind(@Arg('input', () => ContactPointKindInput) input: ContactPointKindInput, @Ctx() ctx: GraphQLContext): Promise<ContactPointKind> {
    return contactPointService.saveKind(ctx.em, null, input, callerOf(ctx));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ContactPointKind)
  async updateContactPointKind(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => ContactPointKindInput) input: ContactPointKindInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ContactPointKind> {
    return contactPointService.saveKind(ctx.em, parseId(id, 'id'), input, callerOf(ctx));
  }

  @FieldResolver(() => Cadre)
  async leader(@Root() point: ContactPoint, @Ctx() { loaders }: GraphQLContext): Promise<Cadre> {
    return (await loaders.cadreById.load(point.leader.id))!;
  }

  @FieldResolver(() => ContactPointKind)
  async kind(@Root() point: ContactPoint, @Ctx() { em }: GraphQLContext): Promise<ContactPointKind> {
    return contactPointService.kindOf(em, point);
  }

  @FieldResolver(() => String, { description: 'What the point is: a region, unit, household or petition case, by name.' })
  async targetLabel(@Root() point: ContactPoint, @Ctx() { loaders }: GraphQLContext): Promise<string> {
    if (point.targetRegion) return (await loaders.regionById.load(point.targetRegion.id))?.name ?? '';
    if (point.unit) return (await loaders.unitById.load(point.unit.id))?.name ?? '';
    if (point.household) return (await loaders.householdById.load(point.household.id))?.headName ?? '';
    return point.petitionCase ? `信访案件 #${point.petitionCase.id}` : '';
  }
}
