import { Role } from '@wanjia/shared';
import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { callerOf, type GraphQLContext } from '../../graphql/context';
import { DemandDeadline } from './demand-deadline.entity';
import { demandDeadlineService, type DeadlineChange } from './demand-deadline.service';
import { EscalationRung } from './escalation-rung.entity';
import { SetDemandDeadlineInput, SetEscalationRungInput } from './supervision.inputs';

@Resolver()
export class DemandDeadlineResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => [DemandDeadline], { description: '时限: every demand category’s time limits, in calendar days.' })
  async demandDeadlines(@Ctx() ctx: GraphQLContext): Promise<DeadlineChange[]> {
    return demandDeadlineService.list(ctx.em, callerOf(ctx));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => DemandDeadline, {
    description:
      'Sets a category’s time limits (demandDays 1–180, referralDays 1–90) for demands raised and referrals made from now on. City administrators only.',
  })
  async setDemandDeadline(@Arg('input', () => SetDemandDeadlineInput) input: SetDemandDeadlineInput, @Ctx() ctx: GraphQLContext): Promise<DeadlineChange> {
    return demandDeadlineService.set(ctx.em, input, callerOf(ctx));
  }

  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => [EscalationRung], { description: '督办层级: the escalation ladder, lowest rung first.' })
  async escalationRungs(@Ctx() ctx: GraphQLContext): Promise<EscalationRung[]> {
    return demandDeadlineService.rungs(ctx.em, callerOf(ctx));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => EscalationRung, {
    description: 'Renames a rung and moves its threshold (afterDays 0–365, strictly increasing with the level). City administrators only.',
  })
  async setEscalationRung(@Arg('input', () => SetEscalationRungInput) input: SetEscalationRungInput, @Ctx() ctx: GraphQLContext): Promise<EscalationRung> {
    return demandDeadlineService.setRung(ctx.em, input, callerOf(ctx));
  }
}
