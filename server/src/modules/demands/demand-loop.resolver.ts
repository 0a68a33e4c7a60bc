import { OPEN_DEMAND_STATUSES, OPEN_REFERRAL_STATUSES, ReferralStatus, Role } from '@wanjia/shared';
import { LocalDateResolver } from 'graphql-scalars';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs, type Connection } from '../../core/pagination';
import { shanghaiDate } from '../../core/time';
import { callerOf, type GraphQLContext } from '../../graphql/context';
import { DemandEvent } from './demand-event.entity';
import {
  AcceptReferralInput,
  DemandReferralFilter,
  NoteDemandProgressInput,
  ReferDemandInput,
  ResolveReferralInput,
  ReturnReferralInput,
  StartDemandWorkInput,
} from './demand-loop.inputs';
import { demandLoopService, effectiveDueOn, isOverdue } from './demand-loop.service';
import { DemandReferralConnection, MyLoopSummary, ReferralHousehold, ReferralUnit } from './demand-loop.types';
import { DemandReferral } from './demand-referral.entity';
import { Demand } from './demand.entity';

/** The demand loop's operations (交办 / 签收 / 退回 / 办结) and the loop's fields on Demand. Thin: one service call each. */
@Resolver(() => Demand)
export class DemandLoopResolver {
  @Authorized(Role.CADRE)
  @Mutation(() => Demand, { description: 'OPEN → IN_PROGRESS: the household’s cadre starts work on the demand (办理中).' })
  async startDemandWork(@Arg('input', () => StartDemandWorkInput) input: StartDemandWorkInput, @Ctx() ctx: GraphQLContext): Promise<Demand> {
    return demandLoopService.startWork(ctx.em, input, callerOf(ctx), ctx.clock.now());
  }

  @Authorized(Role.CADRE)
  @Mutation(() => DemandReferral, {
    description: 'OPEN | IN_PROGRESS (no open referral) → REFERRED: the household’s cadre refers (交办) the demand to a unit from referralTargets.',
  })
  async referDemand(@Arg('input', () => ReferDemandInput) input: ReferDemandInput, @Ctx() ctx: GraphQLContext): Promise<DemandReferral> {
    return demandLoopService.refer(ctx.em, input, callerOf(ctx), ctx.clock.now());
  }

  @Authorized(Role.CADRE)
  @Mutation(() => DemandReferral, { description: 'PENDING → ACCEPTED (demand REFERRED → IN_PROGRESS): a handler of the unit signs for it (签收).' })
  async acceptReferral(@Arg('input', () => AcceptReferralInput) input: AcceptReferralInput, @Ctx() ctx: GraphQLContext): Promise<DemandReferral> {
    return demandLoopService.accept(ctx.em, input, callerOf(ctx), ctx.clock.now());
  }

  @Authorized(Role.CADRE)
  @Mutation(() => DemandReferral, { description: 'PENDING | ACCEPTED → RETURNED (demand → OPEN): a handler sends it back with a reason (退回).' })
  async returnReferral(@Arg('input', () => ReturnReferralInput) input: ReturnReferralInput, @Ctx() ctx: GraphQLContext): Promise<DemandReferral> {
    return demandLoopService.returnReferral(ctx.em, input, callerOf(ctx), ctx.clock.now());
  }

  @Authorized(Role.CADRE)
  @Mutation(() => Demand, {
    description: 'A progress note on an open demand by whoever holds the work: the household’s cadre while no referral is open, the handler once accepted.',
  })
  async noteDemandProgress(@Arg('input', () => NoteDemandProgressInput) input: NoteDemandProgressInput, @Ctx() ctx: GraphQLContext): Promise<Demand> {
    return demandLoopService.noteProgress(ctx.em, input, callerOf(ctx), ctx.clock.now());
  }

  @Authorized(Role.CADRE)
  @Mutation(() => DemandReferral, {
    description: 'ACCEPTED → RESOLVED (demand IN_PROGRESS → RESOLVED): a handler reports it done (办结); the household’s cadre then asks the household.',
  })
  async resolveReferral(@Arg('input', () => ResolveReferralInput) input: ResolveReferralInput, @Ctx() ctx: GraphQLContext): Promise<DemandReferral> {
    return demandLoopService.resolveReferral(ctx.em, input, callerOf(ctx), ctx.clock.now());
  }

  @Authorized(Role.CADRE)
  @Query(() => [ReferralUnit], {
    description: 'The units the household’s cadre may refer this demand to: in reach of the household (its region or above), with an active handler.',
  })
  async referralTargets(@Arg('demandId', () => ID) demandId: string, @Ctx() ctx: GraphQLContext): Promise<ReferralUnit[]> {
    return demandLoopService.referralTargets(ctx.em, ctx.actor!, demandId);
  }

  @Authorized(Role.CADRE)
  @Query(() => DemandReferralConnection, {
    description: 'Referrals to the units the caller handles: PENDING first, then ACCEPTED, then closed; oldest due first.',
  })
  async myInbox(
    @Arg('status', () => ReferralStatus, { nullable: true }) status: ReferralStatus | undefined,
    @Args() page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<DemandReferral>> {
    return demandLoopService.inbox(ctx.em, ctx.actor!, status, page);
  }

  @Authorized(Role.CADRE, Role.ADMIN, Role.ANALYST)
  @Query(() => DemandReferral, {
    nullable: true,
    description: 'One referral: to a unit the caller handles, of a household the caller may read; otherwise null.',
  })
  async referral(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<DemandReferral | null> {
    return demandLoopService.referral(ctx.em, ctx.actor!, id);
  }

  @Authorized(Role.CADRE)
  @Query(() => MyLoopSummary)
  async myLoopSummary(@Ctx() ctx: GraphQLContext): Promise<MyLoopSummary> {
    return demandLoopService.mySummary(ctx.em, ctx.actor!, ctx.clock.now());
  }

  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => DemandReferralConnection, { description: "Referrals of demands of households in the caller's subtree, oldest first." })
  async demandReferrals(
    @Arg('filter', () => DemandReferralFilter, { nullable: true }) filter: DemandReferralFilter | undefined,
    @Args() page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<DemandReferral>> {
    return demandLoopService.listForStaff(ctx.em, ctx.actor!, filter, page, ctx.clock.now());
  }

  @FieldResolver(() => LocalDateResolver, { nullable: true, description: "The open referral's due date while one is open, else the demand's own." })
  async effectiveDueOn(@Root() demand: Demand, @Ctx() { loaders }: GraphQLContext): Promise<string | null> {
    const due = await loaders.openReferralDueByDemand.load(demand.id);
    return effectiveDueOn(demand, due === null ? null : { dueOn: due });
  }

  @FieldResolver(() => Boolean, { description: 'Open, and its effective due date is before today (Asia/Shanghai).' })
  async overdue(@Root() demand: Demand, @Ctx() { loaders, clock }: GraphQLContext): Promise<boolean> {
    if (!OPEN_DEMAND_STATUSES.includes(demand.status)) return false;
    const due = await loaders.openReferralDueByDemand.load(demand.id);
    return isOverdue(demand, due === null ? null : { dueOn: due }, clock.now());
  }

  @FieldResolver(() => DemandReferral, { nullable: true, description: 'The open (PENDING or ACCEPTED) referral, if the caller may read it.' })
  async currentReferral(@Root() demand: Demand, @Ctx() { loaders }: GraphQLContext): Promise<DemandReferral | null> {
    const referrals = await loaders.referralsByDemand.load(demand.id);
    return referrals.find((referral) => OPEN_REFERRAL_STATUSES.includes(referral.status)) ?? null;
  }

  @FieldResolver(() => [DemandReferral], { description: 'Its referrals the caller may read, oldest first (a unit’s handler: only those to their units).' })
  async referrals(@Root() demand: Demand, @Ctx() { loaders }: GraphQLContext): Promise<DemandReferral[]> {
    return loaders.referralsByDemand.load(demand.id);
  }
}

@Resolver(() => DemandReferral)
export class DemandReferralResolver {
  @FieldResolver(() => ID)
  demandId(@Root() referral: DemandReferral): number {
    return referral.demand.id;
  }

  @FieldResolver(() => Demand, { description: 'The demand (a handler reads it without its household’s file).' })
  async demand(@Root() referral: DemandReferral, @Ctx() { loaders }: GraphQLContext): Promise<Demand> {
    return (await loaders.demandById.load(referral.demand.id))!;
  }

  @FieldResolver(() => ReferralUnit)
  async unit(@Root() referral: DemandReferral, @Ctx() { loaders }: GraphQLContext): Promise<ReferralUnit> {
    return (await loaders.referralUnitById.load(referral.unit.id))!;
  }

  @FieldResolver(() => Boolean, { description: 'Open, and its due date is before today (Asia/Shanghai).' })
  overdue(@Root() referral: DemandReferral, @Ctx() { clock }: GraphQLContext): boolean {
    return OPEN_REFERRAL_STATUSES.includes(referral.status) && referral.dueOn < shanghaiDate(clock.now());
  }

  @FieldResolver(() => String, { description: 'The referring cadre’s name.' })
  async referredByName(@Root() referral: DemandReferral, @Ctx() { loaders }: GraphQLContext): Promise<string> {
    return (await loaders.cadreById.load(referral.referredByCadre.id))?.name ?? '';
  }

  @FieldResolver(() => ReferralHousehold, { description: 'What the unit knows of the household: head, address, masked phone, region.' })
  async household(@Root() referral: DemandReferral, @Ctx() { loaders }: GraphQLContext): Promise<ReferralHousehold> {
    return (await loaders.referralHouseholdByDemand.load(referral.demand.id))!;
  }
}

@Resolver(() => DemandEvent)
export class DemandEventLoopResolver {
  @FieldResolver(() => ID, { nullable: true, description: 'The referral of a REFERRED, ACCEPTED, RETURNED or unit-RESOLVED step.' })
  referralId(@Root() event: DemandEvent): number | null {
    return event.referral?.id ?? null;
  }

  @FieldResolver(() => String, { nullable: true, description: 'The unit of a referral step.' })
  async unitName(@Root() event: DemandEvent, @Ctx() { loaders }: GraphQLContext): Promise<string | null> {
    return event.referral ? loaders.unitNameByReferral.load(event.referral.id) : null;
  }

  @FieldResolver(() => String, { description: 'Who did it, e.g. "干部 张三", "平山区民政局 联络员 李四", "平山区管理员", "系统".' })
  async actorLabel(@Root() event: DemandEvent, @Ctx() { loaders }: GraphQLContext): Promise<string> {
    if (event.actorLabel) return event.actorLabel;
    return event.actorAccount ? loaders.actorLabelByAccount.load(event.actorAccount.id) : '系统';
  }
}
