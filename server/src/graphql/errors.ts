import { ConnectionException } from '@mikro-orm/core';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import type { ValidationError } from 'class-validator';
import type { Logger } from '../logger';

/** Stable codes clients can switch on; everything else is an internal error and is never described. */
export enum ErrorCode {
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  CONFLICT = 'CONFLICT',
  TOO_MANY_REQUESTS = 'TOO_MANY_REQUESTS',
  /** A dependency (WeChat, the database) is unreachable or not configured; worth retrying later. */
  UNAVAILABLE = 'UNAVAILABLE',
  /** The operation asks too much for the caller's role (depth, cost, aliases, directives, tokens, batch). */
  QUERY_LIMIT_EXCEEDED = 'QUERY_LIMIT_EXCEEDED',
  /** Production: a cadre or anonymous caller sent a document that is not one of the mini-program's. */
  OPERATION_NOT_SAFELISTED = 'OPERATION_NOT_SAFELISTED',
  /** The request body is larger than BODY_MAX_BYTES. */
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  /** The request itself is malformed: not JSON, broken JSON, no operation (also Apollo's own code). */
  BAD_REQUEST = 'BAD_REQUEST',
  /** Signed in with a one-time password: only changePassword (and me, logout) until it is changed. */
  PASSWORD_CHANGE_REQUIRED = 'PASSWORD_CHANGE_REQUIRED',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

const PUBLIC_CODES = new Set<string>([
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.FORBIDDEN,
  ErrorCode.NOT_FOUND,
  ErrorCode.CONFLICT,
  ErrorCode.TOO_MANY_REQUESTS,
  ErrorCode.UNAVAILABLE,
  ErrorCode.QUERY_LIMIT_EXCEEDED,
  ErrorCode.OPERATION_NOT_SAFELISTED,
  ErrorCode.PAYLOAD_TOO_LARGE,
  ErrorCode.BAD_REQUEST,
  ErrorCode.PASSWORD_CHANGE_REQUIRED,
  // Apollo's own codes for malformed operations are safe to pass through.
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'OPERATION_RESOLUTION_FAILURE',
]);

export class BadUserInputError extends GraphQLError {
  constructor(field: string, message: string) {
    super(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, field } });
  }
}

export class UnauthenticatedError extends GraphQLError {
  constructor(message = 'Sign in first') {
    super(message, { extensions: { code: ErrorCode.UNAUTHENTICATED } });
  }
}

/**
 * Outside the caller's reach. The same error answers "does not exist", so that a response never
 * tells whether an object exists outside one's scope.
 */
export class ForbiddenError extends GraphQLError {
  constructor(message = 'Not allowed') {
    super(message, { extensions: { code: ErrorCode.FORBIDDEN } });
  }
}

/** A password-change token used for anything but changePassword, me or logout. */
export class PasswordChangeRequiredError extends GraphQLError {
  constructor() {
    super('This sign-in used a one-time password: change it with changePassword first', {
      extensions: { code: ErrorCode.PASSWORD_CHANGE_REQUIRED },
    });
  }
}

export class TooManyRequestsError extends GraphQLError {
  constructor(retryAfterSeconds: number, message = 'Too many failed attempts; try again later', details: Record<string, unknown> = {}) {
    super(message, { extensions: { code: ErrorCode.TOO_MANY_REQUESTS, retryAfterSeconds, ...details } });
  }
}

/** An operation that asks more than the caller's role may: which limit, the maximum and what it asked. */
export class QueryLimitExceededError extends GraphQLError {
  constructor(limit: string, max: number, actual: number) {
    super(`The operation exceeds the ${limit} limit (${actual} > ${max}); ask for less in one request`, {
      extensions: { code: ErrorCode.QUERY_LIMIT_EXCEEDED, limit, max, actual, http: { status: 400 } },
    });
  }
}

/** Production: a cadre or anonymous caller may run only the mini-program's persisted operations. */
export class OperationNotSafelistedError extends GraphQLError {
  constructor() {
    super('This operation is not one of the mini-program’s persisted operations; send its persisted hash', {
      extensions: { code: ErrorCode.OPERATION_NOT_SAFELISTED, http: { status: 403 } },
    });
  }
}

/** Apollo's messages for a persisted-query extension it cannot use: the client's mistake, not ours. */
const APOLLO_REQUEST_ERRORS = new Set(['provided sha does not match query', 'Unsupported persisted query version']);

/** How long a client should wait before retrying after the database was unreachable. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_SERVER_GONE_ERROR',
  'CR_SERVER_GONE_ERROR',
  'CR_SERVER_LOST',
  // The MariaDB connector's own codes.
  'ER_GET_CONNECTION_TIMEOUT',
  'ER_CONNECTION_TIMEOUT',
  'ER_SOCKET_TIMEOUT',
  'ER_SOCKET_UNEXPECTED_CLOSE',
  'ER_CONNECTION_ALREADY_CLOSED',
  'ER_CMD_CONNECTION_CLOSED',
  'ER_POOL_ALREADY_CLOSED',
  'ER_CLOSING_POOL',
  'SQLITE_BUSY',
  'SQLITE_CANTOPEN',
]);
/** MySQL/MariaDB client and server errnos: too many connections, shutdown, gone away, lost. */
const CONNECTION_ERRNOS = new Set([1040, 1053, 2002, 2003, 2006, 2013, 2055]);
const CONNECTION_MESSAGES =
  /connection lost|socket has unexpectedly been closed|cannot execute new commands: connection closed|retrieve connection from pool timeout|server has gone away|lost connection to|timeout acquiring a connection|pool is (probably full|closed|destroyed)|connection is in closed state|connect ECONNREFUSED|ETIMEDOUT|too many connections|server shutdown in progress|database is locked|transaction query already complete/i;

/**
 * Whether an error (or anything in its cause chain) says the database could not be reached or dropped
 * the connection: a condition that passes, unlike a bug.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    if (current instanceof ConnectionException || (current as { name?: unknown }).name === 'KnexTimeoutError') return true;
    const { code, errno, message } = current as { code?: unknown; errno?: unknown; message?: unknown };
    if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) return true;
    if (typeof errno === 'number' && CONNECTION_ERRNOS.has(errno)) return true;
    if (typeof message === 'string' && CONNECTION_MESSAGES.test(message)) return true;
    current = (current as { originalError?: unknown }).originalError ?? (current as { cause?: unknown }).cause;
  }
  return false;
}

export class NotFoundError extends GraphQLError {
  constructor(entity: string) {
    super(`${entity} not found`, { extensions: { code: ErrorCode.NOT_FOUND } });
  }
}

export class ConflictError extends GraphQLError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, { extensions: { code: ErrorCode.CONFLICT, ...details } });
  }
}

/** Parses a GraphQL ID argument into a database id, naming the argument when it is not one. */
export function parseId(value: string | number, field: string): number {
  const id = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(id) || id <= 0 || String(id) !== String(value).trim()) {
    throw new BadUserInputError(field, `${field} must be a positive integer id`);
  }
  return id;
}

function flattenValidation(errors: readonly ValidationError[], prefix = ''): { field: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flattenValidation(error.children ?? [], field)];
  });
}

/**
 * Shapes every error leaving the API: validation failures name their field, known codes pass,
 * anything else is logged with its stack and replaced by a generic message.
 */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    if (original instanceof ArgumentValidationError) {
      const problems = flattenValidation(original.extensions.validationErrors as ValidationError[]);
      const first = problems[0];
      return {
        message: first ? `${first.field}: ${first.message}` : 'Invalid input',
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: ErrorCode.BAD_USER_INPUT, field: first?.field, problems },
      };
    }
    const code = formatted.extensions?.code;
    const tokenCap = code === 'GRAPHQL_PARSE_FAILED' ? /more tha[nt] (\d+) tokens/.exec(formatted.message) : null;
    if (tokenCap) {
      // graphql-js stopped parsing at the hard token cap (the largest role's): the count is only "more".
      const max = Number(tokenCap[1]);
      return {
        message: `The operation exceeds the tokens limit (more than ${max}); ask for less in one request`,
        extensions: { code: ErrorCode.QUERY_LIMIT_EXCEEDED, limit: 'tokens', max, actual: null },
      };
    }
    if (APOLLO_REQUEST_ERRORS.has(formatted.message)) {
      // Apollo's refusals of a malformed persisted-query extension carry no code of their own.
      return { message: formatted.message, extensions: { code: ErrorCode.BAD_REQUEST } };
    }
    if (typeof code === 'string' && PUBLIC_CODES.has(code)) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    if (isDatabaseUnavailable(original)) {
      logger.error({ err: original, path: formatted.path }, 'database unavailable during a GraphQL operation');
      return {
        message: 'The service is temporarily unavailable; try again shortly',
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: ErrorCode.UNAVAILABLE, retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS },
      };
    }
    logger.error({ err: original, path: formatted.path }, 'unhandled error in GraphQL operation');
    return {
      message: 'Internal server error',
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
