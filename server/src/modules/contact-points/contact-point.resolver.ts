import { Role } from '@wanjia/shared';
import { IsBoolean, IsInt, IsOptional, Length, Matches, Max, Min, Validate } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { Arg, Args, Authorized, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context';
import { parseId } from '../../core/errors';
import { ConnectionType, PageArgs, type Connection } from '../../core/pagination';
import { PlainText } from '../../core/validation';
import { Cadre } from '../cadres/cadre.entity';
import { ContactPointKind } from './contact-point-kind.entity';
import { ContactPoint } from './contact-point.entity';
import { contactPointService } from './contact-point.service';

const ContactPointConnection = ConnectionType(ContactPoint, 'ContactPointConnection');

@InputType()
class ContactPointFilter {
  @Field(() => ID, { nullable: true })
  leaderId?: string;

  @Field(() => ID, { nullable: true })
  roundId?: string;

  @Field(() => Boolean, { nullable: true })
  active?: boolean;
}

@InputType()
class CreateContactPointInput {
  @Field(() => ID)
  leaderId!: string;

  @Field(() => ID)
  kindId!: string;

  @Field(() => ID)
  roundId!: string;

  @Field(() => ID, { nullable: true })
  targetRegionId?: string;

  @Field(() => ID, { nullable: true })
  unitId?: string;

  @Field(() => ID, { nullable: true })
  householdId?: string;

  @Field(() => ID, { nullable: true })
  petitionCaseId?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 255)
  @Validate(PlainText)
  note?: string | null;

  @Field(() => LocalDateResolver)
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  startedOn!: string;
}

@InputType()
class ContactPointKindInput {
  @Field(() => String)
  @Matches(/^[A-Z][A-Z0-9_]{1,31}$/, { message: 'code must be 2-32 upper-case letters, digits or underscores' })
  code!: string;

  @Field(() => String)
  @Length(1, 64)
  @Validate(PlainText)
  name!: string;

  @Field(() => Int, { defaultValue: 0 })
  @IsInt()
  @Min(0)
  @Max(1000)
  sortOrder!: number;

  @Field(() => Boolean, { defaultValue: true })
  @IsBoolean()
  active!: boolean;
}

const optionalId = (value: string | undefined, field: string) => (value ? parseId(value, field) : undefined);

@Resolver(() => ContactPoint)
export class ContactPointResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => ContactPointConnection, { description: "Leaders' contact points whose target lies in the caller's subtree." })
  async contactPoints(
    @Args() page: PageArgs,
    @Arg('filter', () => ContactPointFilter, { nullable: true }) filter: ContactPointFilter | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<ContactPoint>> {
    return contactPointService.list(
      ctx.em,
      ctx.actor!,
      { leaderId: optionalId(filter?.leaderId, 'filter.leaderId'), roundId: optionalId(filter?.roundId, 'filter.roundId'), active: filter?.active },
      page,
    );
  }

  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => [ContactPointKind], { description: 'The kinds of contact point (the "eight ones"), in order.' })
  async contactPointKinds(@Ctx() ctx: GraphQLContext): Promise<ContactPointKind[]> {
    return ctx.em.find(ContactPointKind, {}, { orderBy: { sortOrder: 'asc', id: 'asc' } });
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ContactPoint, { description: 'Adds a contact point for a leader (administrators of the city only).' })
  async createContactPoint(@Arg('input', () => CreateContactPointInput) input: CreateContactPointInput, @Ctx() ctx: GraphQLContext): Promise<ContactPoint> {
    return contactPointService.create(
      ctx.em,
      {
        leaderId: parseId(input.leaderId, 'input.leaderId'),
        kindId: parseId(input.kindId, 'input.kindId'),
        roundId: parseId(input.roundId, 'input.roundId'),
        targetRegionId: optionalId(input.targetRegionId, 'input.targetRegionId'),
        unitId: optionalId(input.unitId, 'input.unitId'),
        householdId: optionalId(input.householdId, 'input.householdId'),
        petitionCaseId: optionalId(input.petitionCaseId, 'input.petitionCaseId'),
        note: input.note,
        startedOn: input.startedOn,
      },
      { actor: ctx.actor!, clientAddress: ctx.clientAddress },
    );
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ContactPoint)
  async endContactPoint(
    @Arg('id', () => ID) id: string,
    @Arg('endedOn', () => LocalDateResolver) endedOn: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ContactPoint> {
    return contactPointService.end(ctx.em, parseId(id, 'id'), endedOn, { actor: ctx.actor!, clientAddress: ctx.clientAddress });
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ContactPointKind)
  async createContactPointKind(@Arg('input', () => ContactPointKindInput) input: ContactPointKindInput, @Ctx() ctx: GraphQLContext): Promise<ContactPointKind> {
    return contactPointService.saveKind(ctx.em, null, input, { actor: ctx.actor!, clientAddress: ctx.clientAddress });
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ContactPointKind)
  async updateContactPointKind(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => ContactPointKindInput) input: ContactPointKindInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ContactPointKind> {
    return contactPointService.saveKind(ctx.em, parseId(id, 'id'), input, { actor: ctx.actor!, clientAddress: ctx.clientAddress });
  }

  @FieldResolver(() => Cadre)
  async leader(@Root() point: ContactPoint, @Ctx() { loaders }: GraphQLContext): Promise<Cadre> {
    return (await loaders.cadreById.load(point.leader.id))!;
  }

  @FieldResolver(() => ContactPointKind)
  async kind(@Root() point: ContactPoint, @Ctx() { em }: GraphQLContext): Promise<ContactPointKind> {
    // Eight rows at most, cached by the request's identity map after the first read.
    return em.findOneOrFail(ContactPointKind, point.kind.id);
  }

  @FieldResolver(() => String, { description: 'What the point is: a region, unit, household or petition case, by name.' })
  async targetLabel(@Root() point: ContactPoint, @Ctx() { loaders }: GraphQLContext): Promise<string> {
    if (point.targetRegion) return (await loaders.regionById.load(point.targetRegion.id))?.name ?? '';
    if (point.unit) return (await loaders.unitById.load(point.unit.id))?.name ?? '';
    if (point.household) return (await loaders.householdById.load(point.household.id))?.headName ?? '';
    return point.petitionCase ? `信访案件 #${point.petitionCase.id}` : '';
  }
}
