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
  /** A dependency (WeChat) is unreachable or not configured. */
  UNAVAILABLE = 'UNAVAILABLE',
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
  // Apollo's own codes for malformed operations are safe to pass through.
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
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

export class TooManyRequestsError extends GraphQLError {
  constructor(retryAfterSeconds: number) {
    super('Too many failed attempts; try again later', { extensions: { code: ErrorCode.TOO_MANY_REQUESTS, retryAfterSeconds } });
  }
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
    if (typeof code === 'string' && PUBLIC_CODES.has(code)) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
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
