import type { ApolloServerPlugin, GraphQLRequestContextDidResolveOperation } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';
import type { AppConfig, QueryLimitRole } from '../../config';
import type { RateLimits } from '../../modules/rate-limits/rate-limits';
import type { GraphQLContext } from '../context';
import { OperationNotSafelistedError, QueryLimitExceededError } from '../errors';
import { firstExceeded, measureDocument, type Measures } from './measure';
import type { Safelist } from './safelist';

/** Sign-in mutations the playground sends before an administrator has a token (not in the mini-program). */
const ANONYMOUS_FREE_MUTATIONS: ReadonlySet<string> = new Set(['login', 'refreshToken', 'logout']);

/** Measures of recently seen documents by Apollo's query hash: a document is measured once, not per request. */
const MEASURE_CACHE_SIZE = 2_000;

export interface RequestLimitsOptions {
  config: Pick<AppConfig, 'queryLimits' | 'safelistMode' | 'introspection'>;
  safelist: Safelist;
  rateLimits: RateLimits;
}

/**
 * Per-role limits on what one operation may ask, the production safelist for cadres and anonymous
 * callers, and the rate limits on writes. Apollo validates and caches a document once for all callers,
 * so the role-dependent checks run here, once the caller (context) and the operation are known.
 */
export function requestLimitsPlugin({ config, safelist, rateLimits }: RequestLimitsOptions): ApolloServerPlugin<GraphQLContext> {
  const measured = new Map<string, Measures>();

  const measuresOf = (request: GraphQLRequestContextDidResolveOperation<GraphQLContext>): Measures => {
    const known = measured.get(request.queryHash);
    if (known) return known;
    const measures = measureDocument(request.schema, request.document, request.source);
    if (measured.size >= MEASURE_CACHE_SIZE) measured.delete(measured.keys().next().value!);
    measured.set(request.queryHash, measures);
    return measures;
  };

  return {
    async requestDidStart() {
      return {
        async didResolveOperation(request) {
          const { actor, logger, clientAddress } = request.contextValue;
          const role: QueryLimitRole = actor?.role ?? 'ANONYMOUS';
          const who = { role, accountId: actor?.accountId ?? null, operationName: request.operationName, clientAddress };

          const exceeded = firstExceeded(measuresOf(request), config.queryLimits[role]);
          if (exceeded) {
            logger.warn({ ...who, ...exceeded }, 'operation refused: query limit exceeded');
            throw new QueryLimitExceededError(exceeded.limit, exceeded.max, exceeded.actual);
          }

          if (config.safelistMode === 'enforce' && (role === 'CADRE' || role === 'ANONYMOUS') && !safelist.has(request.queryHash)) {
            const allowedAnonymously = role === 'ANONYMOUS' && request.operation && isAnonymousFreeOperation(request.operation, config.introspection);
            if (!allowedAnonymously) {
              logger.warn({ ...who, limit: 'safelist', queryHash: request.queryHash }, 'operation refused: not safelisted');
              throw new OperationNotSafelistedError();
            }
          }

          if (request.operation) await rateLimits.consume(request.operation, request.request.variables, actor, clientAddress);
        },
      };
    },
  };
}

/**
 * What an anonymous caller may send outside the safelist: the staff's password sign-in (the
 * playground's first tab) and, where introspection is on, the playground's schema query.
 */
function isAnonymousFreeOperation(operation: OperationDefinitionNode, introspection: boolean): boolean {
  const roots = operation.selectionSet.selections;
  if (!roots.every((selection) => selection.kind === Kind.FIELD)) return false;
  const names = roots.map((selection) => (selection.kind === Kind.FIELD ? selection.name.value : ''));
  if (operation.operation === 'mutation') return names.every((name) => ANONYMOUS_FREE_MUTATIONS.has(name));
  if (operation.operation === 'query') return introspection && names.every((name) => name === '__schema' || name === '__type' || name === '__typename');
  return false;
}
