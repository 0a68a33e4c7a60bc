import express, { type Request } from 'express';
import { RecordList } from '@wanjia/shared';
import type { AppConfig } from '../../config';
import type { Orm } from '../../core/entity-manager';
import { BadUserInputError } from '../../core/errors';
import { FIELD_COSTS } from '../../graphql/limits/query-cost';
import type { RateLimits } from '../../graphql/limits/rate-limits';
import { sendProblem } from '../../http/problem-response';
import type { Logger } from '../../logger';
import { systemClock, type Clock } from '../../core/clock';
import { actorFromRequest } from '../auth/ide-session';
import { IMPORT_PROBLEM_RECORDS } from './record-list.import-problems';
import { checkedRequest, RECORD_LIST_FILTERS, recordListQuery, type GivenFilters } from './record-list.request';
import { recordListService, type ListFileName } from './record-list.service';
import { verifyRecordListTicket } from './record-list-ticket';
import type { FileExtension } from './record-list.types';
import { writeRecordList } from './record-list.writer';
import { freshnessHeader, readFromReplica, type DataFreshness } from '../../core/read-replicas';

/**
 * What a record-list download costs against the caller's query budget: a figure sheet's (the subtree's
 * rows read once, as a figure sheet aggregates them), whatever the list. Charged before any work.
 */
export const RECORD_LIST_DOWNLOAD_COST = FIELD_COSTS['Query.coverageGaps']!;

/**
 * The download's parameters from the URL's search, read with URLSearchParams (every parameter: Express's
 * parser drops what follows the 1,000th, which would silently widen the list). One given twice is refused, naming it.
 */
function parametersOf(request: Request): GivenFilters & { ticket?: string } {
  const search = new URLSearchParams(request.originalUrl.includes('?') ? request.originalUrl.slice(request.originalUrl.indexOf('?') + 1) : '');
  const parameters: GivenFilters & { ticket?: string } = {};
  for (const name of [...RECORD_LIST_FILTERS, 'ticket'] as const) {
    const values = search.getAll(name);
    if (values.length > 1) throw new BadUserInputError(name, `${name} may be given once`);
    if (values.length === 1) parameters[name] = values[0];
  }
  return parameters;
}

function contentDisposition(name: ListFileName): string {
  return `attachment; filename="${name.ascii}"; filename*=UTF-8''${encodeURIComponent(name.chinese)}`;
}

const CONTENT_TYPES: Record<FileExtension, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};

/**
 * GET /exports/records/<LIST>.xlsx and .csv: the links exportRecordList answers (the list's filters and a
 * ticket), opened by the same caller (the Bearer token's, or the IDE session's cookie). The ticket must be
 * of this caller's account and sign-in, for this list, format and exactly these filters, and unexpired
 * (record-list-ticket.ts): otherwise 401 or 403 naming `ticket`. Then, in this order: the download is
 * charged to the caller's query budget (429 with Retry-After when spent), the list is opened for the
 * caller (scope checked again, first page read) and audited (`downloadRecordList`), and the file is
 * streamed as its rows are read. Refusals cost nothing and are not audited. A failure once the file has
 * begun can no longer be answered as a problem: the response is cut off (the client sees an incomplete
 * download) and the failure logged.
 */
export function recordListRoutes(orm: Orm, config: AppConfig, logger: Logger, rateLimits: RateLimits, clock: Clock = systemClock): express.Router {
  const router = express.Router();
  router.get(/^\/exports\/records\/([A-Za-z_]+)\.(xlsx|csv)$/, async (request, response) => {
    let streaming = false;
    try {
      const actor = await actorFromRequest(request, config, orm.em.fork(), { allowIdeCookie: true });
      const match = /^\/exports\/records\/([A-Za-z_]+)\.(xlsx|csv)$/.exec(request.path)!;
      const list = match[1] as RecordList;
      const format = match[2] as FileExtension;
      if (!Object.values(RecordList).includes(list)) throw new BadUserInputError('list', `list must be one of ${Object.values(RecordList).join(', ')}`);
      const parameters = parametersOf(request);
      const listRequest = checkedRequest(list, parameters);
      await verifyRecordListTicket(
        parameters.ticket,
        { accountId: actor.accountId, sessionGeneration: actor.sessionGeneration ?? 0, format, query: recordListQuery(listRequest) },
        config.auth.jwtSecret,
      );
      const clientAddress = request.ip ?? request.socket.remoteAddress ?? 'unknown';
      await rateLimits.consume({ kind: 'query', rootFields: [], cost: RECORD_LIST_DOWNLOAD_COST }, actor, clientAddress);
      const em = orm.em.fork();
      const download = async (freshness: DataFreshness | null) => {
        const opened = await recordListService.openDownload(
          em,
          { actor, clientAddress },
          listRequest,
          format,
          {
            intervals: config.visitIntervals,
            importProblems: IMPORT_PROBLEM_RECORDS,
          },
          clock.now(),
        );
        response.set('Content-Disposition', contentDisposition(opened.name)).set('Cache-Control', 'private, no-store').type(CONTENT_TYPES[format]);
        if (freshness) response.set('X-Data-Freshness', freshnessHeader(freshness));
        streaming = true;
        return writeRecordList(response, format, opened.title, opened.sheet);
      };
      // The offices' lists read a replica when one is fit (issue 17), streamed from it page by page; an
      // import's problems are the uploader's own fresh writes and stay on the primary.
      const written =
        list === RecordList.IMPORT_PROBLEMS
          ? await download(null)
          : (await readFromReplica(em, (freshness) => download(freshness), { rerunOnPrimary: false })).value;
      logger.info({ list, format, rows: written.rows, aborted: written.aborted, accountId: actor.accountId }, 'record list downloaded');
    } catch (error) {
      if (!streaming) {
        sendProblem(response, error, { logger, logMessage: 'record list download failed' });
        return;
      }
      logger.error({ err: error }, 'record list download failed while streaming');
      response.destroy();
    }
  });
  return router;
}
