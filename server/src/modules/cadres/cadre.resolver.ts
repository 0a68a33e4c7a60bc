import { wrap } from '@mikro-orm/core';
import { Role, maskPhone } from '@wanjia/shared';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { callerOf, type GraphQLContext } from '../../graphql/context';
import { parseId } from '../../core/errors';
import { PageArgs, type Connection } from '../../core/pagination';
import { Unit } from '../units/unit.entity';
import { Cadre } from './cadre.entity';
import { CadreFilter, CreateCadreInput, DeactivateCadreArgs, UpdateCadreInput } from './cadre.inputs';
import { cadrePolicy } from './cadre.policy';
import { cadreService } from './cadre.service';
import { CadreConnection } from './cadre.types';

@Resolver(() => Cadre)
export class CadreResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => CadreConnection, { description: "Cadres of units in the caller's region subtree." })
  async cadres(
    @Args() page: PageArgs,
    @Arg('filter', () => CadreFilter, { nullable: true }) filter: CadreFilter | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<Cadre>> {
    return cadreService.list(ctx.em, ctx.actor!, filter, page);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Cadre)
  async createCadre(@Arg('input', () => CreateCadreInput) input: CreateCadreInput, @Ctx() ctx: GraphQLContext): Promise<Cadre> {
    return cadreService.create(ctx.em, input, callerOf(ctx));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Cadre)
  async updateCadre(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateCadreInput) input: UpdateCadreInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Cadre> {
    return cadreService.update(ctx.em, parseId(id, 'id'), input, callerOf(ctx));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Cadre, { description: 'Deactivates a cadre; refused while the cadre has active households unless endActiveAssignments is true.' })
  async deactivateCadre(@Args() args: DeactivateCadreArgs, @Ctx() ctx: GraphQLContext): Promise<Cadre> {
    return cadreService.deactivate(ctx.em, args, callerOf(ctx));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Cadre)
  async reactivateCadre(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Cadre> {
    return cadreService.reactivate(ctx.em, parseId(id, 'id'), callerOf(ctx));
  }

  @FieldResolver(() => Unit)
  async unit(@Root() cadre: Cadre, @Ctx() { loaders }: GraphQLContext): Promise<Unit> {
    // Read with the cadre where the query populated it (me): no second read.
    if (wrap(cadre.unit).isInitialized()) return cadre.unit;
    return (await loaders.unitById.load(cadre.unit.id))!;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: "Masked (138****5678) except to the cadre and to administrators whose subtree holds the cadre's unit.",
  })
  async phone(@Root() cadre: Cadre, @Ctx() { actor, loaders }: GraphQLContext): Promise<string | null> {
    if (!cadre.phone) return null;
    if (!actor) return maskPhone(cadre.phone);
    // Scope, not the role alone: the same answer however the Cadre was reached. The scope is asked
    // (batched, in SQL) only where the role could see a managed cadre's phone and it is not one's own.
    const asked = actor.cadreId !== cadre.id && cadrePolicy.seesManagedPhones(actor);
    const managed = asked && (await loaders.cadrePhoneVisible.load(cadre.id));
    return cadrePolicy.seesPhone(actor, { id: cadre.id, managed }) ? cadre.phone : maskPhone(cadre.phone);
  }
}
