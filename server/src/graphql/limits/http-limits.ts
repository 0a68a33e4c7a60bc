import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { ErrorCode } from '../../core/errors';

/**
 * The HTTP side of the request limits on /graphql: what the body may be before GraphQL sees it. Every
 * refusal is a GraphQL-shaped JSON body with a code, so that clients handle it like any other error.
 */

function refuse(response: Response, status: number, message: string, extensions: Record<string, unknown>): void {
  response.status(status).json({ errors: [{ message, extensions }] });
}

/**
 * POSTs must be JSON. Form posts and text/plain are what a cross-site page can send without a CORS
 * preflight; Apollo's CSRF prevention refuses them too, this only says so more plainly, with 415.
 */
export const requireJsonBody: RequestHandler = (request: Request, response: Response, next: NextFunction) => {
  if (request.method !== 'POST' || request.is('application/json')) {
    next();
    return;
  }
  refuse(response, 415, 'Send GraphQL operations as JSON (content-type: application/json)', { code: ErrorCode.BAD_REQUEST });
};

/**
 * Batches (a JSON array of operations) are not accepted: neither the mini-program nor the playground
 * sends them, and a batch would multiply what one request may ask beyond the per-operation limits.
 */
export const rejectBatchedRequests: RequestHandler = (request: Request, response: Response, next: NextFunction) => {
  if (!Array.isArray(request.body)) {
    next();
    return;
  }
  const actual = (request.body as unknown[]).length;
  request.log?.warn({ limit: 'batch', max: 1, actual }, 'operation refused: batched request');
  refuse(response, 400, 'Batched requests are not accepted; send one operation per request', {
    code: ErrorCode.QUERY_LIMIT_EXCEEDED,
    limit: 'batch',
    max: 1,
    actual,
  });
};

interface BodyParserError {
  type?: string;
  status?: number;
  length?: number;
}

/** Body-parser failures as GraphQL-shaped errors (413, 400, 415), never a stack trace. */
export function bodyErrorHandler(maxBytes: number): ErrorRequestHandler {
  return (error: unknown, request: Request, response: Response, next: NextFunction) => {
    const { type, length } = (error ?? {}) as BodyParserError;
    switch (type) {
      case 'entity.too.large':
        request.log?.warn({ limit: 'body', max: maxBytes, actual: length ?? null }, 'request refused: body too large');
        refuse(response, 413, `The request body is larger than ${maxBytes} bytes`, {
          code: ErrorCode.PAYLOAD_TOO_LARGE,
          limit: 'body',
          max: maxBytes,
          actual: length ?? null,
        });
        return;
      case 'entity.parse.failed':
        refuse(response, 400, 'The request body is not valid JSON', { code: ErrorCode.BAD_REQUEST });
        return;
      case 'encoding.unsupported':
      case 'charset.unsupported':
        refuse(response, 415, 'Send the request body as UTF-8 JSON', { code: ErrorCode.BAD_REQUEST });
        return;
      case 'request.aborted':
      case 'request.size.invalid':
      case 'stream.encoding.set':
        refuse(response, 400, 'The request body was incomplete', { code: ErrorCode.BAD_REQUEST });
        return;
      default:
        next(error);
    }
  };
}
