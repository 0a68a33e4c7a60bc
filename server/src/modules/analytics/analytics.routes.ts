import express, { type Request } from 'express';
import { TargetGroup } from '@wanjia/shared';
import type { AppConfig } from '../../config';
import type { Orm } from '../../core/entity-manager';
import type { Logger } from '../../logger';
import { BadUserInputError } from '../../core/errors';
import { sendProblem } from '../../http/problem-response';
import { FIELD_COSTS } from '../../graphql/limits/query-cost';
import { actorFromRequest } from '../auth/ide-session';
import type { RateLimits } from '../../graphql/limits/rate-limits';
import { analyticsReportService } from './analytics-report.service';
import {
  REPORT_QUERY_PARAMETERS,
  reportQuery,
  toCsv,
  toXlsx,
  type ReportFormat,
  type ReportName,
  type ReportQueryParameter,
  type ReportRequest,
} from './analytics.export';
import type { AnalyticsSliceArgs } from './analytics.inputs';
import { BreakdownDimension, ReportKind } from './analytics.types';
import { verifyReportDownloadTicket } from './report-download-ticket';
import { freshnessHeader, readFromReplica } from '../../core/read-replicas';

/**
 * What a download costs against the caller's query budget: the figure sheet it is computed from, as
 * the GraphQL cost prices it (the same work, the whole slice aggregated). Each GET recomputed the
 * report uncharged and unaudited; only the exportReport mutation was.
 */
export const REPORT_DOWNLOAD_COSTS: Readonly<Record<ReportKind, number>> = {
  [ReportKind.OVERVIEW]: FIELD_COSTS['Query.campaignOverview']!,
  [ReportKind.BREAKDOWN]: FIELD_COSTS['Query.campaignBreakdown']!,
  [ReportKind.COVERAGE_GAPS]: FIELD_COSTS['Query.coverageGaps']!,
};

/** The parameters a report download reads: the report's, and its ticket. */
type ReportParameters = Partial<Record<ReportQueryParameter | 'ticket', string>>;

function oneOf<T extends string>(values: readonly T[], value: unknown, field: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !values.includes(value as T)) throw new BadUserInputError(field, `${field} must be one of ${values.join(', ')}`);
  return value as T;
}

function text(value: unknown, field: string, pattern: RegExp): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) throw new BadUserInputError(field, `${field} is malformed`);
  return value;
}

/**
 * The report's parameters from the URL's search, read with URLSearchParams (every parameter, as the
 * safelist gate reads /graphql): Express's parser drops what follows the 1,000th parameter, which
 * silently widened the slice. A parameter given twice is refused, naming it.
 */
function reportParametersOf(request: Request): ReportParameters {
  const search = new URLSearchParams(request.originalUrl.includes('?') ? request.originalUrl.slice(request.originalUrl.indexOf('?') + 1) : '');
  const parameters: ReportParameters = {};
  for (const name of [...REPORT_QUERY_PARAMETERS, 'ticket'] as const) {
    const values = search.getAll(name);
    if (values.length > 1) throw new BadUserInputError(name, `${name} may be given once`);
    if (values.length === 1) parameters[name] = values[0];
  }
  return parameters;
}

/** The report a download names, from its query string; the same checks as the GraphQL arguments. */
function reportRequestOf(query: ReportParameters): ReportRequest {
  const kind = oneOf(Object.values(ReportKind), query.kind, 'kind');
  if (!kind) throw new BadUserInputError('kind', 'kind is required');
  const id = /^\d{1,15}$/;
  const day = /^\d{4}-\d{2}-\d{2}$/;
  const slice: AnalyticsSliceArgs = {
    regionId: text(query.regionId, 'regionId', id),
    roundId: text(query.roundId, 'roundId', id),
    from: text(query.from, 'from', day),
    to: text(query.to, 'to', day),
    unitId: text(query.unitId, 'unitId', id),
    targetGroup: oneOf(Object.values(TargetGroup), query.targetGroup, 'targetGroup'),
  };
  return { kind, dimension: oneOf(Object.values(BreakdownDimension), query.dimension, 'dimension') ?? null, slice };
}

/**
 * `attachment` with the ASCII name as `filename` (clients that read only that one) and the Chinese name
 * in RFC 5987 form as `filename*`, which browsers and Excel prefer.
 */
function contentDisposition(name: ReportName): string {
  return `attachment; filename="${name.ascii}"; filename*=UTF-8''${encodeURIComponent(name.chinese)}`;
}

/**
 * GET /exports/report.xlsx and /exports/report.csv: the links exportReport answers (the report's
 * canonical query string and a ticket), opened by the same caller, who is the Bearer token's or the IDE
 * session's. The ticket must be of this caller's account and sign-in, for this format and exactly these
 * report parameters, and unexpired (report-download-ticket.ts); otherwise 401 or 403 naming `ticket`.
 * The report is computed again for the caller, so the scope is checked on every download and nothing
 * is kept on the server between the two requests. Each download is charged to the caller's query
 * budget at its figure sheet's cost before any work (a spent budget answers 429 with Retry-After) and
 * audited (`downloadReport`: who, which report, format and slice) before the file is sent. Refusals
 * (a bad parameter, a bad ticket) cost nothing and are not audited.
 */
export function analyticsRoutes(orm: Orm, config: AppConfig, logger: Logger, rateLimits: RateLimits): express.Router {
  const router = express.Router();
  router.get(/^\/exports\/report\.(xlsx|csv)$/, async (request, response) => {
    try {
      // A link opened in the IDE's browser carries no header: the IDE session's cookie is its caller.
      const actor = await actorFromRequest(request, config, orm.em.fork(), { allowIdeCookie: true });
      const format: ReportFormat = request.path.endsWith('.xlsx') ? 'xlsx' : 'csv';
      const parameters = reportParametersOf(request);
      const report = reportRequestOf(parameters);
      await verifyReportDownloadTicket(
        parameters.ticket,
        { accountId: actor.accountId, sessionGeneration: actor.sessionGeneration ?? 0, format, query: reportQuery(report) },
        config.auth.jwtSecret,
      );
      const clientAddress = request.ip ?? request.socket.remoteAddress ?? 'unknown';
      await rateLimits.consume({ kind: 'query', rootFields: [], cost: REPORT_DOWNLOAD_COSTS[report.kind] }, actor, clientAddress);
      // Computed on a read replica when one is fit (issue 17); the header says how old the data may be.
      const em = orm.em.fork();
      const { value: downloaded, freshness } = await readFromReplica(em, () => analyticsReportService.download(em, { actor, clientAddress }, report, format));
      const { table, name } = downloaded;
      response
        .set('Content-Disposition', contentDisposition(name))
        .set('Cache-Control', 'private, no-store')
        .set('X-Data-Freshness', freshnessHeader(freshness));
      if (format === 'xlsx') {
        response.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await toXlsx(table));
      } else {
        response.type('text/csv; charset=utf-8').send(toCsv(table));
      }
    } catch (error) {
      sendProblem(response, error, { logger, logMessage: 'report download failed' });
    }
  });
  return router;
}
