import { Role } from '@wanjia/shared';
import { Arg, Args, Authorized, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ConnectionType, PageArgs, type Connection } from '../../core/pagination';
import { shanghaiDate } from '../../core/time';
import { callerOf, type GraphQLContext } from '../../graphql/context';
import { DemandEscalation } from './demand-escalation.entity';
import { Demand } from './demand.entity';
import { ladder } from './demand-deadline.service';
import { daysBetween } from './escalation.service';
import { InstructDemandInput, SupervisionFilter } from './supervision.inputs';
import { supervisionService } from './supervision.service';

export const DemandEscalationConnection = ConnectionType(DemandEscalation, 'DemandEscalationConnection');

/**
 * The ladder's rung names for one request, read once however many escalations an answer carries (the
 * ladder is four rows; a DataLoader would batch nothing more).
 */
const rungNamesOfRequest = new WeakMap<object, Promise<Map<number, string>>>();

export function rungNames(ctx: GraphQLContext): Promise<Map<number, string>> {
  let names = rungNamesOfRequest.get(ctx);
  if (!names) {
    names = ladder(ctx.em.fork()).then((rungs) => new Map(rungs.map((rung) => [rung.level, rung.name])));
    rungNamesOfRequest.set(ctx, names);
  }
  return names;
}

/** Days from the lapsed due date to today (an open escalation) or to the day it was settled. */
export function daysOverdueOf(escalation: Pick<DemandEscalation, 'lapsedDueOn' | 'settledAt'>, now: Date): number {
  return daysBetween(escalation.lapsedDueOn, shanghaiDate(escalation.settledAt ?? now));
}

@Resolver(() => DemandEscalation)
export class SupervisionResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => DemandEscalationConnection, {
    description:
      "督办清单: open escalations whose target region and household are in the caller's subtree, oldest escalation first. atMyLevel: only those whose target region is the caller's own scope region.",
  })
  async supervisionList(
    @Args() page: PageArgs,
    @Arg('filter', () => SupervisionFilter, { nullable: true }) filter: SupervisionFilter | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<DemandEscalation>> {
    return supervisionService.list(ctx.em, callerOf(ctx), filter, page);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Demand, {
    description:
      '督办批示 on an escalated demand: sets the new due date (on the open referral and the demand), settles its open escalations, tells the cadre and the handlers. Administrators whose subtree holds the household and an open escalation’s target region.',
  })
  async instructDemand(@Arg('input', () => InstructDemandInput) input: InstructDemandInput, @Ctx() ctx: GraphQLContext): Promise<Demand> {
    return supervisionService.instruct(ctx.em, input, callerOf(ctx), ctx.clock.now());
  }

  @FieldResolver(() => Demand)
  demand(@Root() escalation: DemandEscalation): Demand {
    // Populated by the list's query (one statement for the page); the object-scope guard checks it.
    return escalation.demand;
  }

  @FieldResolver(() => String, { description: 'The rung’s name, e.g. 乡镇街道.' })
  async rungName(@Root() escalation: DemandEscalation, @Ctx() ctx: GraphQLContext): Promise<string> {
    return (await rungNames(ctx)).get(escalation.level) ?? String(escalation.level);
  }

  @FieldResolver(() => String, { description: 'The region whose staff supervise this rung.' })
  targetRegionName(@Root() escalation: DemandEscalation): string {
    return escalation.targetRegion.name;
  }

  @FieldResolver(() => String, { nullable: true, description: '包案领导: the responsible leader of the household’s open petition case, attached from rung 1.' })
  leaderName(@Root() escalation: DemandEscalation): string | null {
    return escalation.leaderCadre?.name ?? null;
  }

  @FieldResolver(() => Int, { description: 'Days past the lapsed due date: to today while open, to the day it was settled.' })
  daysOverdue(@Root() escalation: DemandEscalation, @Ctx() ctx: GraphQLContext): number {
    return daysOverdueOf(escalation, ctx.clock.now());
  }
}
