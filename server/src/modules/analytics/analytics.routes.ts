import express, { type Request, type Response } from 'express';
import { GraphQLError } from 'graphql';
import { TargetGroup } from '@wanjia/shared';
import type { AppConfig } from '../../config';
import type { Orm } from '../../db/orm';
import type { Logger } from '../../logger';
import { ErrorCode } from '../../graphql/errors';
import { HttpProblem, actorFromBearer } from '../auth/http-auth';
import { buildReport, reportFileName, toCsv, toXlsx, type ReportRequest } from './analytics.export';
import { BreakdownDimension, ReportKind, type AnalyticsSliceArgs } from './analytics.types';

const STATUS_OF: Partial<Record<string, number>> = {
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
};

function oneOf<T extends string>(values: readonly T[], value: unknown, field: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !values.includes(value as T))
    throw new HttpProblem(400, ErrorCode.BAD_USER_INPUT, `${field} must be one of ${values.join(', ')}`, field);
  return value as T;
}

function text(value: unknown, field: string, pattern: RegExp): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) throw new HttpProblem(400, ErrorCode.BAD_USER_INPUT, `${field} is malformed`, field);
  return value;
}

/** The report a download names, from its query string; the same checks as the GraphQL arguments. */
function reportRequestOf(query: Request['query']): ReportRequest {
  const kind = oneOf(Object.values(ReportKind), query.kind, 'kind');
  if (!kind) throw new HttpProblem(400, ErrorCode.BAD_USER_INPUT, 'kind is required', 'kind');
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

function sendProblem(response: Response, logger: Logger, error: unknown): void {
  if (error instanceof GraphQLError) {
    const code = String(error.extensions.code);
    const status = STATUS_OF[code];
    if (status) {
      response.status(status).json({ error: { code, message: error.message, field: error.extensions.field } });
      return;
    }
  }
  if (error instanceof HttpProblem) {
    response.status(error.status).json({ error: { code: error.code, message: error.message, field: error.field } });
    return;
  }
  logger.error({ err: error }, 'report download failed');
  response.status(500).json({ error: { code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'Internal server error' } });
}

/** `attachment` with an ASCII fallback and the Chinese name in RFC 5987 form, which browsers and Excel honour. */
function contentDisposition(name: string): string {
  return `attachment; filename="wanjia-report.${name.split('.').pop()}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * GET /exports/report.xlsx and /exports/report.csv with the report's query string (what exportReport
 * returns) and the caller's Bearer token: the report is computed again for the caller, so the scope is
 * checked on every download and nothing is kept on the server between the two requests.
 */
export function analyticsRoutes(orm: Orm, config: AppConfig, logger: Logger): express.Router {
  const router = express.Router();
  router.get(/^\/exports\/report\.(xlsx|csv)$/, async (request, response) => {
    try {
      const actor = await actorFromBearer(request, config, orm.em.fork());
      const format = request.path.endsWith('.xlsx') ? 'xlsx' : 'csv';
      const report = reportRequestOf(request.query);
      const now = new Date();
      const table = await buildReport(orm.em.fork(), actor, report, now);
      const name = `${reportFileName(report, now)}.${format}`;
      response.set('Content-Disposition', contentDisposition(name)).set('Cache-Control', 'private, no-store');
      if (format === 'xlsx') {
        response.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await toXlsx(table));
      } else {
        response.type('text/csv; charset=utf-8').send(toCsv(table));
      }
    } catch (error) {
      sendProblem(response, logger, error);
    }
  });
  return router;
}
