import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import type { ValidationError } from 'class-validator';
import { ErrorCode, UNAVAILABLE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../core/errors';
import type { Logger } from '../logger';
import { ArgumentInputError } from './argument-validation';

/** Codes that reach the client as they are: core's domain codes and Apollo's own for malformed operations. */
const PUBLIC_CODES = new Set<string>([
  ...Object.values(ErrorCode).filter((code) => code !== ErrorCode.INTERNAL_SERVER_ERROR),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** Apollo's messages for a persisted-query extension it cannot use: the client's mistake, not ours. */
const APOLLO_REQUEST_ERRORS = new Set(['provided sha does not match query', 'Unsupported persisted query version']);

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
      const argumentPath = original instanceof ArgumentInputError ? original.argumentPath : '';
      const problems = flattenValidation(original.extensions.validationErrors as ValidationError[], argumentPath);
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
