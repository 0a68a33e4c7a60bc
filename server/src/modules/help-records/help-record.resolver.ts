import { Role } from '@wanjia/shared';
import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { callerOf, type GraphQLContext } from '../../graphql/context';
import { parseId } from '../../core/errors';
import { DAY_MS } from '../../core/time';
import { Cadre } from '../cadres/cadre.entity';
import { Demand } from '../demands/demand.entity';
import { HelpRecord } from './help-record.entity';
import { helpRecordService, type RecordWriter } from './help-record.service';
import { HelpRecordCorrectionInput, HelpRecordInput } from './help-record.inputs';
import { helpRecordPolicy } from './help-record.policy';

function recordWriter(ctx: GraphQLContext): RecordWriter {
  return { ...callerOf(ctx), lateGraceDays: ctx.config.helpRecordLateGraceDays };
}

@Resolver(() => HelpRecord)
export class HelpRecordResolver {
  @Authorized(Role.CADRE)
  @Mutation(() => HelpRecord, { description: 'Records one occasion of help. Sending the same clientId again returns the first record.' })
  async submitHelpRecord(@Arg('input', () => HelpRecordInput) input: HelpRecordInput, @Ctx() ctx: GraphQLContext): Promise<HelpRecord> {
    return helpRecordService.submit(ctx.em, input, recordWriter(ctx), ctx.clock.now());
  }

  @Authorized(Role.CADRE)
  @Mutation(() => HelpRecord, {
    description:
      'Corrects a record (更正): a new version supersedes it, made of the latest version overlaid by what the input gives (an omitted field stays); totals count only the latest.',
  })
  async correctHelpRecord(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => HelpRecordCorrectionInput) input: HelpRecordCorrectionInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<HelpRecord> {
    return helpRecordService.correct(ctx.em, parseId(id, 'id'), input, recordWriter(ctx), ctx.clock.now());
  }

  @FieldResolver(() => String)
  clientId(@Root() record: HelpRecord): string {
    return record.clientId;
  }

  @FieldResolver(() => ID, { nullable: true, description: 'The version this one corrects.' })
  supersedesId(@Root() record: HelpRecord): number | null {
    return record.supersedes?.id ?? null;
  }

  @FieldResolver(() => Cadre)
  async cadre(@Root() record: HelpRecord, @Ctx() { loaders }: GraphQLContext): Promise<Cadre> {
    return (await loaders.cadreById.load(record.cadre.id))!;
  }

  @FieldResolver(() => [Demand], { description: 'Demands heard on this occasion.' })
  async demandsRaised(@Root() record: HelpRecord, @Ctx() { loaders }: GraphQLContext): Promise<Demand[]> {
    return loaders.demandsRaisedIn.load(record.id);
  }

  @FieldResolver(() => [Demand], { description: 'Demands this occasion resolved.' })
  async demandsResolved(@Root() record: HelpRecord, @Ctx() { loaders }: GraphQLContext): Promise<Demand[]> {
    return loaders.demandsResolvedBy.load(record.id);
  }

  @FieldResolver(() => Boolean, { description: 'Whether this occasion was corrected (versionNumber > 1): the history marks it 已更正.' })
  corrected(@Root() record: HelpRecord): boolean {
    return record.versionNumber > 1;
  }

  @FieldResolver(() => [HelpRecord], {
    description:
      'The earlier versions of this occasion, newest first, listed on its latest version only (empty for an uncorrected record and on an earlier version).',
  })
  async earlierVersions(@Root() record: HelpRecord, @Ctx() { loaders }: GraphQLContext): Promise<HelpRecord[]> {
    // On the latest version only: an earlier version listing the others again let one request nest the
    // history into itself, k levels deep, and hand back versions^k objects (a 45-version history five
    // levels deep: 1.2 million objects, 13 s; seven levels ran the server out of memory).
    return record.isLatest && record.versionNumber > 1 ? loaders.earlierVersionsOf.load(record.id) : [];
  }

  @FieldResolver(() => Boolean, { description: 'Whether the caller may correct it (their own latest version, inside the grace period).' })
  async correctable(@Root() record: HelpRecord, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    const { actor, loaders, config } = ctx;
    const facts = { authorCadreId: record.cadre.id, isLatest: record.isLatest, lateGraceOver: false };
    // The assignment's end is read (batched) only for the caller's own latest versions.
    if (!actor || !helpRecordPolicy.mayCorrectNow(actor, facts)) return false;
    const endedAt = await loaders.assignmentEndedAt.load(record.assignment.id);
    const lateGraceOver = endedAt !== null && Date.now() - endedAt.getTime() > config.helpRecordLateGraceDays * DAY_MS;
    return helpRecordPolicy.mayCorrectNow(actor, { ...facts, lateGraceOver });
  }
}
