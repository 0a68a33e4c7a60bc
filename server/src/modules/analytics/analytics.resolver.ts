import { Role } from '@wanjia/shared';
import { Arg, Args, Authorized, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import { callerOf, type GraphQLContext } from '../../graphql/context';
import { PageArgs } from '../../core/pagination';
import { withFreshness } from '../../core/read-replicas';
import { Cadre } from '../cadres/cadre.entity';
import { DemandReferral } from '../demands/demand-referral.entity';
import { Demand } from '../demands/demand.entity';
import { HelpRecord } from '../help-records/help-record.entity';
import { Household } from '../households/household.entity';
import { Resident } from '../households/resident.entity';
import { PetitionCase } from '../petition-cases/petition-case.entity';
import { Region } from '../regions/region.entity';
import { Unit } from '../units/unit.entity';
import { analyticsReportService } from './analytics-report.service';
import { AnalyticsSliceArgs, ExportArgs, RegionArgs } from './analytics.inputs';
import { analyticsService } from './analytics.service';
import {
  AnalyticsConnectionType,
  AnalyticsMeasure,
  AnalyticsRecordType,
  BreakdownDimension,
  type AnalyticsConnection,
  CadreWorkload,
  CampaignBreakdown,
  CampaignOverview,
  CoverageGaps,
  DemandAging,
  OverdueVisitConnection,
  ReportExport,
} from './analytics.types';
import { cadreWorkloadService } from './cadre-workload.service';
import { coverageGapsService } from './coverage-gaps.service';
import { demandAgingService } from './demand-aging.service';
import { demandLoopService } from './demand-loop.service';
import {
  DemandLoopDimension,
  DemandLoopFigures,
  DemandLoopMeasure,
  DemandLoopSliceArgs,
  ReferralLoopMeasure,
  ReferralUnitFiguresConnection,
  ReferralUnitOrder,
} from './demand-loop.types';
import { overdueVisitsService } from './overdue-visits.service';

// Their own names: the feature lists' connection types are private to their resolvers, and a drill-down's
// page also says how old its data may be (it reads a replica when one is fit; the feature lists never do).
const AnalyticsHouseholdConnection = AnalyticsConnectionType(Household, 'AnalyticsHouseholdConnection');
const AnalyticsResidentConnection = AnalyticsConnectionType(Resident, 'AnalyticsResidentConnection');
const AnalyticsCadreConnection = AnalyticsConnectionType(Cadre, 'AnalyticsCadreConnection');
const AnalyticsUnitConnection = AnalyticsConnectionType(Unit, 'AnalyticsUnitConnection');
const AnalyticsRegionConnection = AnalyticsConnectionType(Region, 'AnalyticsRegionConnection');
const AnalyticsDemandConnection = AnalyticsConnectionType(Demand, 'AnalyticsDemandConnection');
const AnalyticsReferralConnection = AnalyticsConnectionType(DemandReferral, 'AnalyticsReferralConnection');
const AnalyticsPetitionCaseConnection = AnalyticsConnectionType(PetitionCase, 'AnalyticsPetitionCaseConnection');
const AnalyticsHelpRecordConnection = AnalyticsConnectionType(HelpRecord, 'AnalyticsHelpRecordConnection');

const STAFF = [Role.ADMIN, Role.ANALYST];
const measureArg = { description: 'The figure whose records to list.' };

/**
 * The analysts' queries (issue 6): figures of the campaign within the caller's region subtree, each
 * with a drill-down to the records it counts, and exports. Totals are computed from the records on
 * every call, on a read replica when one is fit to read from (issue 17: core/read-replicas.ts), and
 * every answer says how old its data may be (`freshness`).
 */
@Resolver()
export class AnalyticsResolver {
  @Authorized(...STAFF)
  @Query(() => CampaignOverview, { description: 'Every figure of the campaign for a region subtree, round and window.' })
  async campaignOverview(@Args() slice: AnalyticsSliceArgs, @Ctx() ctx: GraphQLContext): Promise<CampaignOverview> {
    return withFreshness(ctx.em, () => analyticsService.overview(ctx.em, ctx.actor!, slice));
  }

  @Authorized(...STAFF)
  @Query(() => CampaignBreakdown, { description: 'The same figures per child region, unit, target group, month or round.' })
  async campaignBreakdown(
    @Arg('dimension', () => BreakdownDimension) dimension: BreakdownDimension,
    @Args() slice: AnalyticsSliceArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CampaignBreakdown> {
    return withFreshness(ctx.em, () => analyticsService.breakdown(ctx.em, ctx.actor!, dimension, slice));
  }

  @Authorized(...STAFF)
  @Query(() => CoverageGaps, { description: 'Active households in a target group with no active assignment, per village or community.' })
  async coverageGaps(@Args() region: RegionArgs, @Ctx() ctx: GraphQLContext): Promise<CoverageGaps> {
    return withFreshness(ctx.em, () => coverageGapsService.list(ctx.em, ctx.actor!, region));
  }

  @Authorized(...STAFF)
  @Query(() => OverdueVisitConnection, { description: 'Assigned households whose next visit is past due, most overdue first.' })
  async overdueVisits(@Args() region: RegionArgs, @Args() page: PageArgs, @Ctx() ctx: GraphQLContext): Promise<OverdueVisitConnection> {
    return withFreshness(ctx.em, () => overdueVisitsService.list(ctx.em, ctx.actor!, ctx.config.visitIntervals, region, page));
  }

  @Authorized(...STAFF)
  @Query(() => CadreWorkload, { description: 'How many households each active cadre looks after, and who is over capacity.' })
  async cadreWorkload(@Args() region: RegionArgs, @Ctx() ctx: GraphQLContext): Promise<CadreWorkload> {
    return withFreshness(ctx.em, () => cadreWorkloadService.workload(ctx.em, ctx.actor!, region));
  }

  @Authorized(...STAFF)
  @Query(() => DemandAging, { description: 'Open demands by how long ago they were raised.' })
  async demandAging(@Args() region: RegionArgs, @Ctx() ctx: GraphQLContext): Promise<DemandAging> {
    return withFreshness(ctx.em, () => demandAgingService.aging(ctx.em, ctx.actor!, region));
  }

  @Authorized(...STAFF)
  @Query(() => AnalyticsHouseholdConnection, { description: 'The households a HOUSEHOLD figure counts.' })
  async analyticsHouseholds(
    @Arg('measure', () => AnalyticsMeasure, measureArg) measure: AnalyticsMeasure,
    @Args() slice: AnalyticsSliceArgs,
    @Args() page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AnalyticsConnection<Household>> {
    return withFreshness(ctx.em, () => analyticsService.drillDown<Household>(ctx.em, ctx.actor!, AnalyticsRecordType.HOUSEHOLD, measure, slice, page));
  }

  @Authorized(...STAFF)
  @Query(() => AnalyticsResidentConnection, { description: 'The residents a RESIDENT figure counts (key-focus reasons stay hidden from analysts).' })
  async analyticsResidents(
    @Arg('measure', () => AnalyticsMeasure, measureArg) measure: AnalyticsMeasure,
    @Args() slice: AnalyticsSliceArgs,
    @Args() page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AnalyticsConnection<Resident>> {
    return withFreshness(ctx.em, () => analyticsService.drillDown<Resident>(ctx.em, ctx.actor!, AnalyticsRecordType.RESIDENT, measure, slice, page));
  }

  @Authorized(...STAFF)
  @Query(() => AnalyticsCadreConnection, { description: 'The cadres a CADRE figure counts.' })
  async analyticsCadres(
    @Arg('measure', () => AnalyticsMeasure, measureArg) measure: AnalyticsMeasure,
    @Args() slice: AnalyticsSliceArgs,
    @Args() page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AnalyticsConnection<Cadre>> {
    return withFreshness(ctx.em, () => analyticsService.drillDown<Cadre>(ctx.em, ctx.actor!, AnalyticsRecordType.CADRE, measure, slice, page));
  }

  @Authorized(...STAFF)
  @Query(() => AnalyticsUnitConnection, { description: 'The units a UNIT figure counts.' })
  async analyticsUnits(
    @Arg('measure', () => AnalyticsMeasure, measureArg) measure: AnalyticsMeasure,
    @Args() slice: AnalyticsSliceArgs,
    @Args() page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AnalyticsConnection<Unit>> {
    return withFreshness(ctx.em, () => analyticsService.drillDown<Unit>(ctx.em, ctx.actor!, AnalyticsRecordType.UNIT, measure, slice, page));
  }

  @Authorized(...STAFF)
  @Query(() => AnalyticsRegionConnection, { description: 'The villages or communities a REGION figure counts.' })
  async analyticsRegions(
    @Arg('measure', () => AnalyticsMeasure, measureArg) measure: AnalyticsMeasure,
    @Args() slice: AnalyticsSliceArgs,
    @Args() page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AnalyticsConnection<Region>> {
    return withFreshness(ctx.em, () => analyticsService.drillDown<Region>(ctx.em, ctx.actor!, AnalyticsRecordType.REGION, measure, slice, page));
  }

  @Authorized(...STAFF)
  @Query(() => AnalyticsPetitionCaseConnection, { description: 'The petition cases a PETITION_CASE figure counts (details hidden from analysts).' })
  async analyticsPetitionCases(
    @Arg('measure', () => AnalyticsMeasure, measureArg) measure: AnalyticsMeasure,
    @Args() slice: AnalyticsSliceArgs,
    @Args() page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AnalyticsConnection<PetitionCase>> {
    return withFreshness(ctx.em, () => analyticsService.drillDown<PetitionCase>(ctx.em, ctx.actor!, AnalyticsRecordType.PETITION_CASE, measure, slice, page));
  }

  @Authorized(...STAFF)
  @Query(() => AnalyticsDemandConnection, { description: 'The demands a DEMAND figure counts.' })
  async analyticsDemands(
    @Arg('measure', () => AnalyticsMeasure, measureArg) measure: AnalyticsMeasure,
    @Args() slice: AnalyticsSliceArgs,
    @Args() page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AnalyticsConnection<Demand>> {
    return withFreshness(ctx.em, () => analyticsService.drillDown<Demand>(ctx.em, ctx.actor!, AnalyticsRecordType.DEMAND, measure, slice, page));
  }

  @Authorized(...STAFF)
  @Query(() => AnalyticsHelpRecordConnection, { description: 'The help records (latest versions) a HELP_RECORD figure counts.' })
  async analyticsHelpRecords(
    @Arg('measure', () => AnalyticsMeasure, measureArg) measure: AnalyticsMeasure,
    @Args() slice: AnalyticsSliceArgs,
    @Args() page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AnalyticsConnection<HelpRecord>> {
    return withFreshness(ctx.em, () => analyticsService.drillDown<HelpRecord>(ctx.em, ctx.actor!, AnalyticsRecordType.HELP_RECORD, measure, slice, page));
  }

  @Authorized(...STAFF)
  @Query(() => DemandLoopFigures, {
    description:
      'The demand loop (issue 15): resolution, timeliness, referrals, escalations and the households’ answers, for one slice or per group of a dimension. loopDemands lists what each figure counts.',
  })
  async demandLoopFigures(
    @Arg('dimension', () => DemandLoopDimension, { nullable: true }) dimension: DemandLoopDimension | null | undefined,
    @Args() slice: DemandLoopSliceArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DemandLoopFigures> {
    return withFreshness(ctx.em, () => demandLoopService.figures(ctx.em, ctx.actor!, dimension ?? null, slice, ctx.clock.now()));
  }

  @Authorized(...STAFF)
  @Query(() => AnalyticsDemandConnection, { description: 'The demands a demandLoopFigures figure counts (a rate or a median: its denominator).' })
  async loopDemands(
    @Arg('measure', () => DemandLoopMeasure, measureArg) measure: DemandLoopMeasure,
    @Arg('rung', () => Int, { nullable: true, description: 'With ESCALATED: only demands that reached this level of the ladder.' })
    rung: number | null | undefined,
    @Args() slice: DemandLoopSliceArgs,
    @Args() page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AnalyticsConnection<Demand>> {
    return withFreshness(ctx.em, () => demandLoopService.demands(ctx.em, ctx.actor!, measure, rung ?? null, slice, page, ctx.clock.now()));
  }

  @Authorized(...STAFF)
  @Query(() => ReferralUnitFiguresConnection, {
    description:
      'Referrals per receiving unit — which departments are slow: counts, on-time acceptance and resolution, medians, overdue open. loopReferrals lists each.',
  })
  async referralFiguresByUnit(
    @Arg('orderBy', () => ReferralUnitOrder, { defaultValue: ReferralUnitOrder.SLOWEST }) orderBy: ReferralUnitOrder,
    @Args() slice: DemandLoopSliceArgs,
    @Args() page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ReferralUnitFiguresConnection> {
    return withFreshness(ctx.em, () => demandLoopService.byUnit(ctx.em, ctx.actor!, orderBy, slice, page, ctx.clock.now()));
  }

  @Authorized(...STAFF)
  @Query(() => AnalyticsReferralConnection, { description: 'The referrals a referralFiguresByUnit figure counts (pass the row’s slice).' })
  async loopReferrals(
    @Arg('measure', () => ReferralLoopMeasure, measureArg) measure: ReferralLoopMeasure,
    @Args() slice: DemandLoopSliceArgs,
    @Args() page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AnalyticsConnection<DemandReferral>> {
    return withFreshness(ctx.em, () => demandLoopService.referrals(ctx.em, ctx.actor!, measure, slice, page, ctx.clock.now()));
  }

  @Authorized(...STAFF)
  @Mutation(() => ReportExport, {
    description:
      "Prepares a report for download as .xlsx and .csv (Chinese headers): absolute links that open in the browser signed in to the IDE (or GET with the same Authorization header), for this caller only, for 10 minutes. The download is computed then, within the caller's scope. Audited.",
  })
  async exportReport(@Args() report: ExportArgs, @Args() slice: AnalyticsSliceArgs, @Ctx() ctx: GraphQLContext): Promise<ReportExport> {
    return analyticsReportService.prepareExport(ctx.em, callerOf(ctx), report, slice, { origin: ctx.requestOrigin, secret: ctx.config.auth.jwtSecret });
  }
}
