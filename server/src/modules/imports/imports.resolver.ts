import { ImportProblemSeverity, Role } from '@wanjia/shared';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs, type Connection } from '../../core/pagination';
import { callerOf, type GraphQLContext } from '../../graphql/context';
import { DataImport, DataImportProblem } from './data-import.entity';
import { importEngineOf } from './import-engine';
import { AcceptImportWarningsInput, CancelImportInput, CommitImportInput, DataImportFilter } from './imports.inputs';
import { importPolicy } from './imports.policy';
import { importsService } from './imports.service';
import { DataImportConnection, DataImportCounts, DataImportProblemConnection, ImportTemplate } from './imports.types';

/** Spreadsheet imports (issue 16): upload at POST /imports, then these. Administrators only, in their scope. */
@Resolver(() => DataImport)
export class DataImportResolver {
  @Authorized(Role.ADMIN)
  @Query(() => DataImport, { description: 'One import of your scope: state, counts, progress, problems.' })
  async dataImport(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<DataImport> {
    return importsService.get(ctx.em, callerOf(ctx).actor, id);
  }

  @Authorized(Role.ADMIN)
  @Query(() => DataImportConnection, { description: 'The imports of your scope, newest first.' })
  async dataImports(
    @Args() page: PageArgs,
    @Arg('filter', () => DataImportFilter, { nullable: true }) filter: DataImportFilter | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<DataImport>> {
    return importsService.list(ctx.em, callerOf(ctx).actor, filter, page);
  }

  @Authorized(Role.ADMIN)
  @Query(() => [ImportTemplate], { description: 'The import kinds, their columns, and where their .xlsx templates are.' })
  importTemplates(@Ctx() ctx: GraphQLContext): ImportTemplate[] {
    callerOf(ctx);
    return importsService.templates(importEngineOf(ctx.config));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => DataImport, { description: "Accepts a checked import's warnings (listed rows, or all). Errors cannot be accepted." })
  async acceptImportWarnings(@Arg('input', () => AcceptImportWarningsInput) input: AcceptImportWarningsInput, @Ctx() ctx: GraphQLContext): Promise<DataImport> {
    return importsService.acceptWarnings(ctx.em, callerOf(ctx), input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => DataImport, {
    description: 'Writes a checked import in batches (state COMMITTING, rowsDone the progress); resumes one that was interrupted.',
  })
  async commitImport(@Arg('input', () => CommitImportInput) input: CommitImportInput, @Ctx() ctx: GraphQLContext): Promise<DataImport> {
    return importsService.commit(ctx.em, callerOf(ctx), importEngineOf(ctx.config), input.importId);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => DataImport, { description: 'Cancels an import that has written nothing.' })
  async cancelImport(@Arg('input', () => CancelImportInput) input: CancelImportInput, @Ctx() ctx: GraphQLContext): Promise<DataImport> {
    return importsService.cancel(ctx.em, callerOf(ctx), input.importId);
  }

  @FieldResolver(() => DataImportCounts)
  counts(@Root() dataImport: DataImport): DataImportCounts {
    return importsService.counts(dataImport);
  }

  @FieldResolver(() => DataImportProblemConnection, { description: 'The problems in row order; severity and unacceptedOnly narrow them.' })
  async problems(
    @Root() dataImport: DataImport,
    @Args() page: PageArgs,
    @Arg('severity', () => ImportProblemSeverity, { nullable: true }) severity: ImportProblemSeverity | undefined,
    @Arg('unacceptedOnly', () => Boolean, { nullable: true }) unacceptedOnly: boolean | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<DataImportProblem>> {
    return importsService.problems(ctx.em, dataImport, { severity, unacceptedOnly }, page);
  }
}

@Resolver(() => DataImportProblem)
export class DataImportProblemResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description: "Where the duplicate elsewhere in the city is (DUPLICATE_ELSEWHERE): for the city's administrators only, null for everyone else.",
  })
  elsewhere(@Root() problem: DataImportProblem, @Ctx() ctx: GraphQLContext): string | null {
    return ctx.actor && importPolicy.seesElsewhere(ctx.actor) ? (problem.cityDetail ?? null) : null;
  }
}
