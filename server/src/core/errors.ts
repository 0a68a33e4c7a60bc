import { ConnectionException } from '@mikro-orm/core';
import { GraphQLError } from 'graphql';

/**
 * The domain's errors: one base that carries the stable code clients switch on, the field at fault
 * and the HTTP status a plain HTTP route answers with. The GraphQL error formatter
 * (graphql/error-formatter.ts) and every REST route (http/problem-response.ts) map this one type.
 *
 * The base extends graphql-js's GraphQLError (the library, not our transport folder) because Apollo
 * keeps a GraphQLError's extensions wherever it is thrown (resolvers, the context function, plugins);
 * any other error thrown from the context or a plugin would become an opaque 500.
 */
export enum ErrorCode {
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  CONFLICT = 'CONFLICT',
  TOO_MANY_REQUESTS = 'TOO_MANY_REQUESTS',
  /** A dependency (WeChat, the database) is unreachable or refuses for now; worth retrying later. */
  UNAVAILABLE = 'UNAVAILABLE',
  /** This server does not offer what was asked (the development sign-in is off, WeChat is not configured). */
  FEATURE_DISABLED = 'FEATURE_DISABLED',
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

/** The status a plain HTTP route answers for each code (GraphQL answers 200 unless a limit says otherwise). */
const HTTP_STATUS_OF_CODE: Record<ErrorCode, number> = {
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.TOO_MANY_REQUESTS]: 429,
  [ErrorCode.UNAVAILABLE]: 503,
  [ErrorCode.FEATURE_DISABLED]: 403,
  [ErrorCode.QUERY_LIMIT_EXCEEDED]: 400,
  [ErrorCode.OPERATION_NOT_SAFELISTED]: 403,
  [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCode.BAD_REQUEST]: 400,
  [ErrorCode.PASSWORD_CHANGE_REQUIRED]: 403,
  [ErrorCode.INTERNAL_SERVER_ERROR]: 500,
};

export interface DomainErrorOptions {
  /** The input field at fault, as the client named it (`occurredAt`, `residents.0.idNumber`). */
  field?: string;
  /** What a plain HTTP route answers instead of the code's usual status (a photo too large: 413). */
  httpStatus?: number;
  /** Further facts for the client (retryAfterSeconds, the limit's name…), sent as extensions. */
  details?: Record<string, unknown>;
  /** Sent in `extensions.http`, which Apollo uses as the HTTP status of the whole GraphQL response. */
  graphqlHttpStatus?: number;
  cause?: unknown;
}

export class DomainError extends GraphQLError {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly httpStatus: number;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: DomainErrorOptions = {}) {
    const { field, details = {}, graphqlHttpStatus, cause } = options;
    super(message, {
      extensions: {
        code,
        ...(field === undefined ? {} : { field }),
        ...details,
        ...(graphqlHttpStatus === undefined ? {} : { http: { status: graphqlHttpStatus } }),
      },
      originalError: cause instanceof Error ? cause : undefined,
    });
    this.code = code;
    this.field = field;
    this.httpStatus = options.httpStatus ?? HTTP_STATUS_OF_CODE[code];
    this.details = details;
  }

  /** Seconds the client should wait before trying again, when the error says so. */
  get retryAfterSeconds(): number | undefined {
    const value = this.details.retryAfterSeconds;
    return typeof value === 'number' ? value : undefined;
  }
}

export class BadUserInputError extends DomainError {
  constructor(field: string, message: string, options: Omit<DomainErrorOptions, 'field'> = {}) {
    super(ErrorCode.BAD_USER_INPUT, message, { ...options, field });
  }
}

/** Why a presented token does not sign its bearer in, as the context and the HTTP routes tell it. */
export type TokenProblem = 'expired' | 'invalid' | 'deactivated' | 'ide-session-token';

/**
 * An IDE session's access token sent in an Authorization header: it is only good in the IDE's own
 * cookie, so that a cookie harvested by another service on the same host replays nowhere else.
 */
export const IDE_SESSION_TOKEN_AS_BEARER_MESSAGE = 'An IDE session token is only valid in the IDE (IDE 登录凭证只能在 IDE 中使用)';

/** What the client is told for each problem with its token, the same on /graphql and the HTTP routes. */
export function tokenProblemMessage(problem: TokenProblem | null): string {
  switch (problem) {
    case 'expired':
      return 'Access token expired; refresh it';
    case 'deactivated':
      return 'This account or cadre has been deactivated';
    case 'invalid':
      return 'Access token invalid';
    case 'ide-session-token':
      return IDE_SESSION_TOKEN_AS_BEARER_MESSAGE;
    case null:
      return 'Sign in first';
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message = tokenProblemMessage(null)) {
    super(ErrorCode.UNAUTHENTICATED, message);
  }

  static forToken(problem: TokenProblem | null): UnauthenticatedError {
    return new UnauthenticatedError(tokenProblemMessage(problem));
  }
}

/**
 * Outside the caller's reach. The same error answers "does not exist", so that a response never
 * tells whether an object exists outside one's scope.
 */
export class ForbiddenError extends DomainError {
  constructor(message = 'Not allowed') {
    super(ErrorCode.FORBIDDEN, message);
  }
}

/** A password-change token used for anything but changePassword, me or logout. */
export class PasswordChangeRequiredError extends DomainError {
  constructor() {
    super(ErrorCode.PASSWORD_CHANGE_REQUIRED, 'This sign-in used a one-time password: change it with changePassword first');
  }
}

export class TooManyRequestsError extends DomainError {
  constructor(retryAfterSeconds: number, message = 'Too many failed attempts; try again later', details: Record<string, unknown> = {}) {
    super(ErrorCode.TOO_MANY_REQUESTS, message, { details: { retryAfterSeconds, ...details } });
  }
}

export class NotFoundError extends DomainError {
  constructor(entity: string, options: Omit<DomainErrorOptions, 'details'> = {}) {
    super(ErrorCode.NOT_FOUND, `${entity} not found`, options);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(ErrorCode.CONFLICT, message, { details });
  }
}

/** How long a client should wait before retrying after a dependency was unreachable. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** A dependency (WeChat, the database) could not be reached or refused for now: worth retrying. */
export class UnavailableError extends DomainError {
  constructor(message = 'The service is temporarily unavailable; try again shortly', options: Pick<DomainErrorOptions, 'cause' | 'details'> = {}) {
    super(ErrorCode.UNAVAILABLE, message, options);
  }
}

/** Something this server is configured not to offer: retrying will not help, a configuration change would. */
export class FeatureDisabledError extends DomainError {
  constructor(message: string) {
    super(ErrorCode.FEATURE_DISABLED, message);
  }
}

/** An operation that asks more than the caller's role may: which limit, the maximum and what it asked. */
export class QueryLimitExceededError extends DomainError {
  constructor(limit: string, max: number, actual: number) {
    super(ErrorCode.QUERY_LIMIT_EXCEEDED, `The operation exceeds the ${limit} limit (${actual} > ${max}); ask for less in one request`, {
      details: { limit, max, actual },
      graphqlHttpStatus: 400,
    });
  }
}

/** Production: a cadre or anonymous caller may run only the mini-program's persisted operations. */
export class OperationNotSafelistedError extends DomainError {
  constructor() {
    super(ErrorCode.OPERATION_NOT_SAFELISTED, 'This operation is not one of the mini-program’s persisted operations; send its persisted hash', {
      graphqlHttpStatus: 403,
    });
  }
}

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
/**
 * …and the messages of those without a telling code. "WSREP has not yet prepared node for application
 * use" (errno 1047, which MySQL also uses for an unknown command, hence the message) is a Galera node
 * outside the cluster's primary component, or still joining it: it answers again once it is synced.
 */
const CONNECTION_MESSAGES =
  /wsrep has not yet prepared node for application use|connection lost|socket has unexpectedly been closed|cannot execute new commands: connection closed|retrieve connection from pool timeout|server has gone away|lost connection to|timeout acquiring a connection|pool is (probably full|closed|destroyed)|connection is in closed state|connect ECONNREFUSED|ETIMEDOUT|too many connections|server shutdown in progress|database is locked|transaction query already complete/i;

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

/** The error a client sees for an outage of the database, from any route. */
export function databaseUnavailableError(cause: unknown): UnavailableError {
  return new UnavailableError(undefined, { cause, details: { retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS } });
}

/** Parses an ID argument into a database id, naming the argument when it is not one. */
export function parseId(value: string | number, field: string): number {
  const id = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(id) || id <= 0 || String(id) !== String(value).trim()) {
    throw new BadUserInputError(field, `${field} must be a positive integer id`);
  }
  return id;
}
