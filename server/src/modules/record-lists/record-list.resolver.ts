import { Role } from '@wanjia/shared';
import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { callerOf, type GraphQLContext } from '../../graphql/context';
import { IMPORT_PROBLEM_RECORDS } from './record-list.import-problems';
import { ExportRecordListInput } from './record-list.inputs';
import { recordListService } from './record-list.service';
import { RecordListDownload } from './record-list.types';

@Resolver()
export class RecordListResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Mutation(() => RecordListDownload, {
    description:
      "Prepares a record list (one line per household, demand, assignment or import problem) for download as .xlsx or .csv with Chinese headers: an absolute link that opens in the browser signed in to the IDE (or GET with the same Authorization header), for this caller only, for 10 minutes. The rows are read at download, within the caller's scope, masked as the API masks them. Audited (exportRecordList, and downloadRecordList at each download).",
  })
  async exportRecordList(@Arg('input', () => ExportRecordListInput) input: ExportRecordListInput, @Ctx() ctx: GraphQLContext): Promise<RecordListDownload> {
    return recordListService.prepareExport(
      ctx.em,
      callerOf(ctx),
      input,
      { origin: ctx.requestOrigin, secret: ctx.config.auth.jwtSecret },
      IMPORT_PROBLEM_RECORDS,
    );
  }
}
