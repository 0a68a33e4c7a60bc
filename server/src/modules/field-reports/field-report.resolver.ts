import { FieldReportStatus, Role, birthYearOf, maskIdNumber, maskPhone } from '@wanjia/shared';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Actor } from '../../core/caller';
import { parseId } from '../../core/errors';
import { PageArgs, type Connection } from '../../core/pagination';
import { callerOf, type GraphQLContext } from '../../graphql/context';
import type { ResidentWriter } from '../households/duplicate-id-guard';
import { Household } from '../households/household.entity';
import { Region } from '../regions/region.entity';
import { FieldReport } from './field-report.entity';
import { ApproveFieldReportInput, FieldReportFilter, RejectFieldReportInput, ReportFieldChangeInput, WithdrawFieldReportInput } from './field-report.inputs';
import { fieldReportPolicy } from './field-report.policy';
import { appliedOf, fieldReportService, proposalOf } from './field-report.service';
import { FieldReportConnection, FieldReportProposal, type ProposalValues } from './field-report.types';

/** The approval's writes go through the households service, with the duplicate-ID-number check's budget. */
function residentWriter(ctx: GraphQLContext): ResidentWriter {
  return { ...callerOf(ctx), duplicateIds: { hitsPerDay: ctx.config.duplicateIdHitsPerDay, secret: ctx.config.auth.jwtSecret } };
}

type SensitiveField = 'phone' | 'birthDate' | 'idNumber';

/**
 * The values as this caller may see them: the reporting cadre in full what it typed itself (`typed`),
 * anyone else masked as on the household's file. An administrator's correction on approval is not what
 * the cadre typed: the cadre sees it masked, as Resident.idNumber is for everyone.
 */
function shown(values: ProposalValues, report: FieldReport, actor: Actor | null, typed: (field: SensitiveField) => boolean = () => true): FieldReportProposal {
  const reporter = actor !== null && fieldReportPolicy.seesProposalInFull(actor, { reporterCadreId: report.reporterCadre.id });
  const full = (field: SensitiveField) => reporter && typed(field);
  return {
    phone: values.phone ? (full('phone') ? values.phone : maskPhone(values.phone)) : null,
    name: values.name ?? null,
    gender: values.gender ?? null,
    relation: values.relation ?? null,
    birthYear: birthYearOf(values.birthDate),
    birthDate: full('birthDate') ? (values.birthDate ?? null) : null,
    idNumber: values.idNumber ? (full('idNumber') ? values.idNumber : maskIdNumber(values.idNumber)) : null,
    leftOn: values.leftOn ?? null,
    address: values.address ?? null,
    regionId: values.regionId ?? null,
    regionName: values.regionName ?? null,
    headName: values.headName ?? null,
    targetGroups: values.targetGroups ?? null,
    hardshipReasons: values.hardshipReasons ?? null,
    residentId: values.residentId ?? null,
    residentName: values.residentName ?? null,
    note: values.note ?? null,
  };
}

@Resolver(() => FieldReport)
export class FieldReportResolver {
  @Authorized(Role.CADRE)
  @Mutation(() => FieldReport, { description: 'Report a change found on a visit; idempotent on clientId. The household is one the caller looks after.' })
  async reportFieldChange(@Arg('input', () => ReportFieldChangeInput) input: ReportFieldChangeInput, @Ctx() ctx: GraphQLContext): Promise<FieldReport> {
    return fieldReportService.report(ctx.em, callerOf(ctx), input);
  }

  @Authorized(Role.CADRE)
  @Mutation(() => FieldReport, { description: 'Withdraw one of your pending reports.' })
  async withdrawFieldReport(@Arg('input', () => WithdrawFieldReportInput) input: WithdrawFieldReportInput, @Ctx() ctx: GraphQLContext): Promise<FieldReport> {
    return fieldReportService.withdraw(ctx.em, callerOf(ctx), input.reportId);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => FieldReport, {
    description:
      "Approve a pending report in your scope, optionally with edits: the change is applied to the household's file (expectedVersion: the household's version).",
  })
  async approveFieldReport(@Arg('input', () => ApproveFieldReportInput) input: ApproveFieldReportInput, @Ctx() ctx: GraphQLContext): Promise<FieldReport> {
    return fieldReportService.approve(ctx.em, residentWriter(ctx), input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => FieldReport, { description: 'Reject a pending report in your scope, with the reason the cadre reads.' })
  async rejectFieldReport(@Arg('input', () => RejectFieldReportInput) input: RejectFieldReportInput, @Ctx() ctx: GraphQLContext): Promise<FieldReport> {
    return fieldReportService.reject(ctx.em, callerOf(ctx), input);
  }

  @Authorized(Role.CADRE)
  @Query(() => FieldReportConnection, { description: 'Your own reports, newest first (also of households you no longer look after).' })
  async myFieldReports(
    @Args() page: PageArgs,
    @Arg('status', () => FieldReportStatus, { nullable: true }) status: FieldReportStatus | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<FieldReport>> {
    return fieldReportService.mine(ctx.em, ctx.actor!, status ?? undefined, page);
  }

  @Authorized(Role.ADMIN)
  @Query(() => FieldReportConnection, { description: 'The reports of your subtree to review: pending first, oldest first.' })
  async fieldReports(
    @Args() page: PageArgs,
    @Arg('filter', () => FieldReportFilter, { nullable: true }) filter: FieldReportFilter | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<FieldReport>> {
    return fieldReportService.inbox(ctx.em, ctx.actor!, filter ?? {}, page);
  }

  @Authorized(Role.ADMIN, Role.CADRE)
  @Query(() => FieldReport, { description: 'A report of your subtree (administrators) or one of your own (cadres).' })
  async fieldReport(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<FieldReport> {
    return fieldReportService.findReadable(ctx.em, ctx.actor!, parseId(id, 'id'));
  }

  @FieldResolver(() => FieldReportProposal, { description: 'What the cadre reported.' })
  proposal(@Root() report: FieldReport, @Ctx() { actor }: GraphQLContext): FieldReportProposal {
    return shown(proposalOf(report), report, actor);
  }

  @FieldResolver(() => FieldReportProposal, { nullable: true, description: "The values applied, when the administrator edited the cadre's before approving." })
  applied(@Root() report: FieldReport, @Ctx() { actor }: GraphQLContext): FieldReportProposal | null {
    const values = appliedOf(report);
    if (!values) return null;
    const proposed = proposalOf(report);
    return shown(values, report, actor, (field) => (values[field] ?? null) === (proposed[field] ?? null));
  }

  @FieldResolver(() => Boolean, { description: 'Whether the administrator changed any of the reported values on approval.' })
  edited(@Root() report: FieldReport): boolean {
    return report.applied != null;
  }

  @FieldResolver(() => Household, {
    nullable: true,
    description: 'The household (null for NEW_HOUSEHOLD until approved, and for a cadre who no longer looks after it).',
  })
  async household(@Root() report: FieldReport, @Ctx() { loaders }: GraphQLContext): Promise<Household | null> {
    // The object scope guard drops it to null for a caller who may no longer read the household.
    return report.household ? loaders.householdById.load(report.household.id) : null;
  }

  @FieldResolver(() => Region, { description: 'Where the report is reviewed: the household’s village when reported, or the new household’s.' })
  async region(@Root() report: FieldReport, @Ctx() { loaders }: GraphQLContext): Promise<Region> {
    return (await loaders.regionById.load(report.region.id))!;
  }

  @FieldResolver(() => String, { description: "The reporting cadre's name." })
  async reporterName(@Root() report: FieldReport, @Ctx() { loaders }: GraphQLContext): Promise<string> {
    return (await loaders.cadreById.load(report.reporterCadre.id))?.name ?? '';
  }

  @FieldResolver(() => ID, { nullable: true, description: "The visit's help record, if the cadre linked one." })
  helpRecordId(@Root() report: FieldReport): number | null {
    return report.helpRecord?.id ?? null;
  }
}
