import { Role } from '@wanjia/shared';
import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { callerOf, type GraphQLContext } from '../../graphql/context';
import { parseId } from '../../core/errors';
import { Cadre } from '../cadres/cadre.entity';
import { Demand } from '../demands/demand.entity';
import { HelpRecord } from './help-record.entity';
import { helpRecordService, type RecordWriter } from './help-record.service';
import { HelpRecordContentInput, HelpRecordInput } from './help-record.inputs';

function recordWriter(ctx: GraphQLContext): RecordWriter {
  return { ...callerOf(ctx), lateGraceDays: ctx.config.helpRecordLateGraceDays };
}

@Resolver(() => HelpRecord)
export class HelpRecordResolver {
  @Authorized(Role.CADRE)
  @Mutation(() => HelpRecord, { description: 'Records one occasion of help. Sending the same clientId again returns the first record.' })
  async submitHelpRecord(@Arg('input', () => HelpRecordInput) input: HelpRecordInput, @Ctx() ctx: GraphQLContext): Promise<HelpRecord> {
    return helpRecordService.submit(ctx.em, input, recordWriter(ctx));
  }

  @Authorized(Role.CADRE)
  @Mutation(() => HelpRecord, { description: 'Corrects a record: a new version supersedes it; totals count only the latest.' })
  async correctHelpRecord(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => HelpRecordContentInput) input: HelpRecordContentInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<HelpRecord> {
    return helpRecordService.correct(ctx.em, parseId(id, 'id'), input, recordWriter(ctx));
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
}
