import { Role } from '@wanjia/shared';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { callerOf, type GraphQLContext } from '../../graphql/context';
import { parseId } from '../../core/errors';
import { PageArgs, type Connection } from '../../core/pagination';
import { Cadre } from '../cadres/cadre.entity';
import { Household } from '../households/household.entity';
import { Round } from '../rounds/round.entity';
import { Assignment } from './assignment.entity';
import { AssignCadreArgs, AssignmentFilter, EndAssignmentArgs, TransferAssignmentArgs } from './assignment.inputs';
import { assignmentService } from './assignment.service';
import { AssignmentConnection } from './assignment.types';

@Resolver(() => Assignment)
export class AssignmentResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => AssignmentConnection, { description: "Assignments of households in the caller's subtree, ended ones included." })
  async assignments(
    @Args() page: PageArgs,
    @Arg('filter', () => AssignmentFilter, { nullable: true }) filter: AssignmentFilter | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<Assignment>> {
    return assignmentService.list(ctx.em, ctx.actor!, filter, page);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Assignment, { description: 'Pairs a cadre with a household that has none.' })
  async assignCadre(@Args() args: AssignCadreArgs, @Ctx() ctx: GraphQLContext): Promise<Assignment> {
    return assignmentService.assign(ctx.em, args, callerOf(ctx));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Assignment, { description: 'Hands a household to another cadre: ends the assignment with a reason and starts the new one.' })
  async transferAssignment(@Args() args: TransferAssignmentArgs, @Ctx() ctx: GraphQLContext): Promise<Assignment> {
    return assignmentService.transfer(ctx.em, parseId(args.assignmentId, 'assignmentId'), parseId(args.toCadreId, 'toCadreId'), args.reason.trim(), callerOf(ctx));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Assignment, { description: 'Ends an assignment with a reason; it stays in the history.' })
  async endAssignment(@Args() args: EndAssignmentArgs, @Ctx() ctx: GraphQLContext): Promise<Assignment> {
    return assignmentService.end(ctx.em, parseId(args.assignmentId, 'assignmentId'), args.reason.trim(), callerOf(ctx));
  }

  @FieldResolver(() => Cadre)
  async cadre(@Root() assignment: Assignment, @Ctx() { loaders }: GraphQLContext): Promise<Cadre> {
    return (await loaders.cadreById.load(assignment.cadre.id))!;
  }

  @FieldResolver(() => Household)
  async household(@Root() assignment: Assignment, @Ctx() { loaders }: GraphQLContext): Promise<Household> {
    return (await loaders.householdById.load(assignment.household.id))!;
  }

  @FieldResolver(() => Round)
  async round(@Root() assignment: Assignment, @Ctx() { loaders }: GraphQLContext): Promise<Round> {
    return (await loaders.roundById.load(assignment.round.id))!;
  }

  @FieldResolver(() => ID, { nullable: true, description: 'The assignment this one took over from in a transfer.' })
  transferredFromId(@Root() assignment: Assignment): number | null {
    return assignment.transferredFrom?.id ?? null;
  }
}
