import { Role } from '@wanjia/shared';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { parseId } from '../../core/errors';
import { PageArgs, type Connection } from '../../core/pagination';
import { callerOf, type GraphQLContext } from '../../graphql/context';
import { Cadre } from '../cadres/cadre.entity';
import { Household } from '../households/household.entity';
import { Region } from '../regions/region.entity';
import { Round } from '../rounds/round.entity';
import { Unit } from '../units/unit.entity';
import { BulkRunItem } from './bulk-run-item.entity';
import { BulkRun } from './bulk-run.entity';
import { BULK_RUN_LABELS_ZH, BulkRunItemOutcome, BulkRunSkipReason } from './bulk-run.enums';
import { countsOf } from './bulk-run.counts';
import { BulkRunFilter, BulkRunIdInput, PlanBulkReassignmentInput, PlanRoundRolloverInput } from './bulk-run.inputs';
import { bulkRunService } from './bulk-run.service';
import { BulkRunConnection, BulkRunCounts, BulkRunItemConnection, BulkRunReasonCount } from './bulk-run.types';

@Resolver(() => BulkRun)
export class BulkRunResolver {
  @Authorized(Role.ADMIN)
  @Mutation(() => BulkRun, {
    description: 'Dry run of carrying a round into the next: a PLANNED run whose items say what would be carried and what not, and why. Changes nothing else.',
  })
  async planRoundRollover(@Arg('input', () => PlanRoundRolloverInput) input: PlanRoundRolloverInput, @Ctx() ctx: GraphQLContext): Promise<BulkRun> {
    return bulkRunService.planRoundRollover(ctx.em, input, callerOf(ctx));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => BulkRun, { description: 'Dry run of moving households to other cadres: a PLANNED run with one item per household. Changes nothing else.' })
  async planBulkReassignment(@Arg('input', () => PlanBulkReassignmentInput) input: PlanBulkReassignmentInput, @Ctx() ctx: GraphQLContext): Promise<BulkRun> {
    return bulkRunService.planBulkReassignment(ctx.em, input, callerOf(ctx));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => BulkRun, {
    description: 'Starts a planned run (RUNNING); the server works it in resumable batches, re-checking each item. Starting it again does nothing twice.',
  })
  async startBulkRun(@Arg('input', () => BulkRunIdInput) input: BulkRunIdInput, @Ctx() ctx: GraphQLContext): Promise<BulkRun> {
    return bulkRunService.start(ctx.em, parseId(input.runId, 'input.runId'), callerOf(ctx), ctx.clock.now());
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => BulkRun, { description: 'Cancels a planned run, or stops a running one after its current batch (what it wrote stays).' })
  async cancelBulkRun(@Arg('input', () => BulkRunIdInput) input: BulkRunIdInput, @Ctx() ctx: GraphQLContext): Promise<BulkRun> {
    return bulkRunService.cancel(ctx.em, parseId(input.runId, 'input.runId'), callerOf(ctx), ctx.clock.now());
  }

  @Authorized(Role.ADMIN)
  @Query(() => BulkRun, { description: "A bulk run of the caller's subtree." })
  async bulkRun(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<BulkRun> {
    return bulkRunService.findManageable(ctx.em, ctx.actor!, parseId(id, 'id'));
  }

  @Authorized(Role.ADMIN)
  @Query(() => BulkRunConnection, { description: "The bulk runs of the caller's subtree, newest first." })
  async bulkRuns(
    @Args() page: PageArgs,
    @Arg('filter', () => BulkRunFilter, { nullable: true }) filter: BulkRunFilter | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<BulkRun>> {
    return bulkRunService.list(ctx.em, ctx.actor!, filter, page);
  }

  @FieldResolver(() => String, { description: 'What the run does, in Chinese.' })
  kindLabel(@Root() run: BulkRun): string {
    return BULK_RUN_LABELS_ZH.BulkRunKind[run.kind];
  }

  @FieldResolver(() => BulkRunCounts)
  counts(@Root() run: BulkRun): BulkRunCounts {
    return countsOf(run);
  }

  @FieldResolver(() => [BulkRunReasonCount], { description: 'Skipped items by reason, by the plan and by the run.' })
  async skippedByReason(@Root() run: BulkRun, @Ctx() { loaders }: GraphQLContext): Promise<BulkRunReasonCount[]> {
    return loaders.bulkRunReasonCounts.load(run.id);
  }

  @FieldResolver(() => BulkRunItemConnection, { description: 'The items in plan order, by outcome or reason if asked.' })
  async items(
    @Root() run: BulkRun,
    @Args() page: PageArgs,
    @Arg('outcome', () => BulkRunItemOutcome, { nullable: true }) outcome: BulkRunItemOutcome | undefined,
    @Arg('reason', () => BulkRunSkipReason, { nullable: true }) reason: BulkRunSkipReason | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<BulkRunItem>> {
    return bulkRunService.items(ctx.em, run, { outcome, reason }, page);
  }

  @FieldResolver(() => Region, { description: 'The region the run acts in.' })
  async region(@Root() run: BulkRun, @Ctx() { loaders }: GraphQLContext): Promise<Region> {
    return (await loaders.regionById.load(run.region.id))!;
  }

  @FieldResolver(() => Round, { nullable: true })
  async fromRound(@Root() run: BulkRun, @Ctx() { loaders }: GraphQLContext): Promise<Round | null> {
    return run.fromRound ? loaders.roundById.load(run.fromRound.id) : null;
  }

  @FieldResolver(() => Round, { nullable: true })
  async toRound(@Root() run: BulkRun, @Ctx() { loaders }: GraphQLContext): Promise<Round | null> {
    return run.toRound ? loaders.roundById.load(run.toRound.id) : null;
  }

  @FieldResolver(() => Unit, { nullable: true, description: "Rollover: the unit it is narrowed to; reassignment: the unit whose cadres' households move." })
  async unit(@Root() run: BulkRun, @Ctx() { loaders }: GraphQLContext): Promise<Unit | null> {
    return run.unit ? loaders.unitById.load(run.unit.id) : null;
  }

  @FieldResolver(() => Cadre, { nullable: true, description: 'Reassignment: the cadre whose households move.' })
  async fromCadre(@Root() run: BulkRun, @Ctx() { loaders }: GraphQLContext): Promise<Cadre | null> {
    return run.fromCadre ? loaders.cadreById.load(run.fromCadre.id) : null;
  }
}

@Resolver(() => BulkRunItem)
export class BulkRunItemResolver {
  @FieldResolver(() => ID, { description: 'The pairing, assignment or household the item acts on.' })
  subjectId(@Root() item: BulkRunItem): number {
    return item.subjectId;
  }

  @FieldResolver(() => ID, { nullable: true, description: 'The pairing or assignment the run wrote for it.' })
  resultId(@Root() item: BulkRunItem): number | null {
    return item.resultId ?? null;
  }

  @FieldResolver(() => String, { nullable: true, description: 'The reason in Chinese, for the office.' })
  reasonLabel(@Root() item: BulkRunItem): string | null {
    return item.reason ? BULK_RUN_LABELS_ZH.BulkRunSkipReason[item.reason] : null;
  }

  @FieldResolver(() => Household, { nullable: true })
  async household(@Root() item: BulkRunItem, @Ctx() { loaders }: GraphQLContext): Promise<Household | null> {
    return item.householdId ? loaders.householdById.load(item.householdId) : null;
  }

  @FieldResolver(() => Cadre, { nullable: true, description: 'The cadre the household is with (as planned).' })
  async cadre(@Root() item: BulkRunItem, @Ctx() { loaders }: GraphQLContext): Promise<Cadre | null> {
    return item.cadreId ? loaders.cadreById.load(item.cadreId) : null;
  }

  @FieldResolver(() => Cadre, { nullable: true, description: 'The cadre the household goes to.' })
  async toCadre(@Root() item: BulkRunItem, @Ctx() { loaders }: GraphQLContext): Promise<Cadre | null> {
    return item.toCadreId ? loaders.cadreById.load(item.toCadreId) : null;
  }

  @FieldResolver(() => Unit, { nullable: true, description: "The pairing's unit, or the cadre's." })
  async unit(@Root() item: BulkRunItem, @Ctx() { loaders }: GraphQLContext): Promise<Unit | null> {
    return item.unitId ? loaders.unitById.load(item.unitId) : null;
  }

  @FieldResolver(() => Region, { nullable: true, description: "The pairing's village or community." })
  async place(@Root() item: BulkRunItem, @Ctx() { loaders }: GraphQLContext): Promise<Region | null> {
    return item.regionId ? loaders.regionById.load(item.regionId) : null;
  }
}
