import { PetitionCaseStatus, Role } from '@wanjia/shared';
import { IsBoolean, IsEnum, IsOptional, Length, Matches, Validate } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, InputType, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context';
import { parseId } from '../../core/errors';
import { ConnectionType, PageArgs, type Connection } from '../../core/pagination';
import { PlainText } from '../../core/validation';
import { Cadre } from '../cadres/cadre.entity';
import { Household } from '../households/household.entity';
import { householdPolicy } from '../households/household.policy';
import { PetitionCase } from './petition-case.entity';
import { petitionCaseService } from './petition-case.service';

const PetitionCaseConnection = ConnectionType(PetitionCase, 'PetitionCaseConnection');
const HIDDEN = '（已隐藏）';

@InputType()
class PetitionCaseFilter {
  @Field(() => PetitionCaseStatus, { nullable: true })
  @IsOptional()
  @IsEnum(PetitionCaseStatus)
  status?: PetitionCaseStatus;

  @Field(() => Boolean, { nullable: true })
  majorBacklog?: boolean;

  @Field(() => ID, { nullable: true })
  householdId?: string;

  @Field(() => ID, { nullable: true })
  responsibleLeaderId?: string;
}

@InputType()
class CreatePetitionCaseInput {
  @Field(() => ID)
  householdId!: string;

  @Field(() => ID, { nullable: true, description: 'The petitioner, a member of the household.' })
  residentId?: string;

  @Field(() => String)
  @Length(2, 200)
  @Validate(PlainText)
  title!: string;

  @Field(() => String)
  @Length(2, 5000)
  @Validate(PlainText)
  demand!: string;

  @Field(() => LocalDateResolver)
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  receivedOn!: string;

  @Field(() => Boolean, { defaultValue: false })
  @IsBoolean()
  majorBacklog!: boolean;
}

@ArgsType()
class ChangeStatusArgs {
  @Field(() => ID)
  id!: string;

  @Field(() => PetitionCaseStatus)
  @IsEnum(PetitionCaseStatus)
  status!: PetitionCaseStatus;

  @Field(() => String, { description: 'Why; becomes the resolution when the case is resolved or closed.' })
  @Length(2, 2000)
  @Validate(PlainText)
  reason!: string;
}

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
    return petitionCaseService.create(
      ctx.em,
      {
        ...input,
        householdId: parseId(input.householdId, 'input.householdId'),
        residentId: input.residentId ? parseId(input.residentId, 'input.residentId') : undefined,
      },
      { actor: ctx.actor!, clientAddress: ctx.clientAddress },
    );
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => PetitionCase, { description: 'Names the responsible leader (包案领导) of a case.' })
  async assignCaseLeader(@Arg('id', () => ID) id: string, @Arg('cadreId', () => ID) cadreId: string, @Ctx() ctx: GraphQLContext): Promise<PetitionCase> {
    return petitionCaseService.assignLeader(ctx.em, parseId(id, 'id'), parseId(cadreId, 'cadreId'), { actor: ctx.actor!, clientAddress: ctx.clientAddress });
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => PetitionCase, { description: 'Moves a case to another status, with the reason.' })
  async changePetitionCaseStatus(@Args() args: ChangeStatusArgs, @Ctx() ctx: GraphQLContext): Promise<PetitionCase> {
    return petitionCaseService.changeStatus(ctx.em, parseId(args.id, 'id'), args.status, args.reason.trim(), {
      actor: ctx.actor!,
      clientAddress: ctx.clientAddress,
    });
  }

  @FieldResolver(() => String, { description: 'Hidden from analysts.' })
  title(@Root() petitionCase: PetitionCase, @Ctx() { actor }: GraphQLContext): string {
    return actor && householdPolicy.seesPetitionDetails(actor) ? petitionCase.title : HIDDEN;
  }

  @FieldResolver(() => String, { description: 'Hidden from analysts.' })
  demand(@Root() petitionCase: PetitionCase, @Ctx() { actor }: GraphQLContext): string {
    return actor && householdPolicy.seesPetitionDetails(actor) ? petitionCase.demand : HIDDEN;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Hidden from analysts.' })
  resolution(@Root() petitionCase: PetitionCase, @Ctx() { actor }: GraphQLContext): string | null {
    if (!petitionCase.resolution) return null;
    return actor && householdPolicy.seesPetitionDetails(actor) ? petitionCase.resolution : HIDDEN;
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
