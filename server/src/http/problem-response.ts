import type { Response } from 'express';
import { DomainError, ErrorCode, databaseUnavailableError, isDatabaseUnavailable } from '../core/errors';
import type { Logger } from '../logger';

export interface ProblemOptions {
  logger: Logger;
  /** What the log line says when the error is a bug (logged with its stack, never shown). */
  logMessage: string;
  /** An upload route's form field: what its input and budget refusals are about, when they name no field. */
  uploadField?: string;
}

/**
 * Answers a plain HTTP route's failure the way the GraphQL API answers it: the domain error's code,
 * message, field and details as JSON under `error`, with its HTTP status (and Retry-After when it says
 * when to come back); a database outage as UNAVAILABLE (503); anything else logged and answered 500
 * without a word about it.
 */
export function sendProblem(response: Response, error: unknown, options: ProblemOptions): void {
  let problem: DomainError;
  if (error instanceof DomainError) {
    problem = error;
  } else if (isDatabaseUnavailable(error)) {
    options.logger.error({ err: error }, `${options.logMessage}: database unavailable`);
    problem = databaseUnavailableError(error);
  } else {
    options.logger.error({ err: error }, options.logMessage);
    response.status(500).json({ error: { code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'Internal server error' } });
    return;
  }
  const aboutTheUpload = problem.code === ErrorCode.BAD_USER_INPUT || problem.code === ErrorCode.TOO_MANY_REQUESTS;
  const field = problem.field ?? (aboutTheUpload ? options.uploadField : undefined);
  if (problem.retryAfterSeconds !== undefined) response.set('Retry-After', String(problem.retryAfterSeconds));
  // `http` is Apollo's instruction for a GraphQL answer's status and headers, not something to tell the client.
  const { http: _graphqlResponse, ...details } = problem.details;
  response.status(problem.httpStatus).json({ error: { code: problem.code, message: problem.message, field, ...details } });
}
