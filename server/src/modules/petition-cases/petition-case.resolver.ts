import { Role } from '@wanjia/shared';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { callerOf, type GraphQLContext } from '../../graphql/context';
import { parseId } from '../../core/errors';
import { PageArgs, type Connection } from '../../core/pagination';
import { Cadre } from '../cadres/cadre.entity';
import { Household } from '../households/household.entity';
import { PetitionCase } from './petition-case.entity';
import { ChangePetitionCaseStatusArgs, CreatePetitionCaseInput, PetitionCaseFilter } from './petition-case.inputs';
import { petitionCasePolicy } from './petition-case.policy';
import { petitionCaseService } from './petition-case.service';
import { PetitionCaseConnection } from './petition-case.types';
const HIDDEN = '（已隐藏）';

@Resolver(() => PetitionCase)
export class PetitionCaseResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => PetitionCaseConnection, { description: "Petition cases of households in the caller's subtree." })
  async petitionCases(
    @Args() page: PageArgs,
    @Arg('filter', () => PetitionCaseFilter, { nullable: true }) filter: PetitionCaseFilter | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<PetitionCase>> {
    return petitionCaseService.list(ctx.em, ctx.actor!, filter, page);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => PetitionCase)
  async createPetitionCase(@Arg('input', () => CreatePetitionCaseInput) input: CreatePetitionCaseInput, @Ctx() ctx: GraphQLContext): Promise<PetitionCase> {
    return petitionCaseService.create(ctx.em, input, callerOf(ctx));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => PetitionCase, { description: 'Names the responsible leader (包案领导) of a case.' })
  async assignCaseLeader(@Arg('id', () => ID) id: string, @Arg('cadreId', () => ID) cadreId: string, @Ctx() ctx: GraphQLContext): Promise<PetitionCase> {
    return petitionCaseService.assignLeader(ctx.em, parseId(id, 'id'), parseId(cadreId, 'cadreId'), callerOf(ctx));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => PetitionCase, { description: 'Moves a case to another status, with the reason.' })
  async changePetitionCaseStatus(@Args() { id, status, reason }: ChangePetitionCaseStatusArgs, @Ctx() ctx: GraphQLContext): Promise<PetitionCase> {
    return petitionCaseService.changeStatus(ctx.em, parseId(id, 'id'), status, reason.trim(), callerOf(ctx));
  }

  @FieldResolver(() => String, { description: 'Hidden from analysts.' })
  title(@Root() petitionCase: PetitionCase, @Ctx() { actor }: GraphQLContext): string {
    return actor && petitionCasePolicy.seesDetails(actor) ? petitionCase.title : HIDDEN;
  }

  @FieldResolver(() => String, { description: 'Hidden from analysts.' })
  demand(@Root() petitionCase: PetitionCase, @Ctx() { actor }: GraphQLContext): string {
    return actor && petitionCasePolicy.seesDetails(actor) ? petitionCase.demand : HIDDEN;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Hidden from analysts.' })
  resolution(@Root() petitionCase: PetitionCase, @Ctx() { actor }: GraphQLContext): string | null {
    if (!petitionCase.resolution) return null;
    return actor && petitionCasePolicy.seesDetails(actor) ? petitionCase.resolution : HIDDEN;
  }

  @FieldResolver(() => Household)
  async household(@Root() petitionCase: PetitionCase, @Ctx() { loaders }: GraphQLContext): Promise<Household> {
    return (await loaders.householdById.load(petitionCase.household.id))!;
  }

  @FieldResolver(() => Cadre, { nullable: true })
  async responsibleLeader(@Root() petitionCase: PetitionCase, @Ctx() { loaders }: GraphQLContext): Promise<Cadre | null> {
    return petitionCase.responsibleLeader ? loaders.cadreById.load(petitionCase.responsibleLeader.id) : null;
  }
}
