import type { ApolloServerPlugin, GraphQLRequestContextDidResolveOperation } from '@apollo/server';
import type { AppConfig, QueryLimitRole } from '../../config';
import type { RateLimits } from './rate-limits';
import type { GraphQLContext } from '../context';
import { OperationNotSafelistedError, QueryLimitExceededError } from '../../core/errors';
import { planExecution } from './executed-fields';
import { asksForIntrospection, introspectionRefusal } from './introspection-access';
import { analyseDocument, firstExceeded, measuresFor, type DocumentAnalysis } from './operation-measures';
import type { Safelist } from './safelist';
import { isAnonymousFreeOperation } from './safelist-gate';

/** Analyses of recently seen documents by Apollo's query hash: a document is analysed once, not per request. */
const ANALYSIS_CACHE_SIZE = 2_000;

export interface RequestLimitsOptions {
  config: Pick<AppConfig, 'queryLimits' | 'safelistMode' | 'introspection'>;
  safelist: Safelist;
  rateLimits: RateLimits;
}

/**
 * Who may introspect (administrators and analysts only), per-role limits on what one operation may
 * ask, the production safelist for cadres and anonymous callers (checked before parsing by the
 * safelist gate; here again for operations that reach Apollo another way), and the rate limits.
 * Apollo validates and caches a document once for all callers, so the role-dependent checks run here,
 * once the caller (context) and the operation are known. The cost and the rate limits read the
 * request's coerced variables: page sizes, @skip/@include and defaults count as they will execute.
 */
export function requestLimitsPlugin({ config, safelist, rateLimits }: RequestLimitsOptions): ApolloServerPlugin<GraphQLContext> {
  const analysed = new Map<string, DocumentAnalysis>();

  const analysisOf = (request: GraphQLRequestContextDidResolveOperation<GraphQLContext>): DocumentAnalysis => {
    const known = analysed.get(request.queryHash);
    if (known) return known;
    const analysis = analyseDocument(request.schema, request.document, request.source);
    if (analysed.size >= ANALYSIS_CACHE_SIZE) analysed.delete(analysed.keys().next().value!);
    analysed.set(request.queryHash, analysis);
    return analysis;
  };

  return {
    async requestDidStart() {
      return {
        async didResolveOperation(request) {
          const { actor, passwordChangeActor, logger, clientAddress } = request.contextValue;
          // A one-time password's holder is staff who may only change it: staff limits, no safelist.
          const role: QueryLimitRole = actor?.role ?? passwordChangeActor?.role ?? 'ANONYMOUS';
          const who = { role, accountId: actor?.accountId ?? null, operationName: request.operationName, clientAddress };

          // Apollo's `introspection` option is all or nothing, for every caller; here the caller is known.
          // (Where it is off, validation has already refused `__schema` and `__type` to everybody.)
          if (asksForIntrospection(request.document)) {
            const refusal = introspectionRefusal(request.contextValue);
            if (refusal) {
              logger.warn({ ...who, limit: 'introspection' }, 'operation refused: introspection is for administrators and analysts');
              throw refusal;
            }
          }

          if (config.safelistMode === 'enforce' && (role === 'CADRE' || role === 'ANONYMOUS') && !safelist.has(request.queryHash)) {
            const allowedAnonymously = role === 'ANONYMOUS' && request.operation && isAnonymousFreeOperation(request.operation, config.introspection);
            if (!allowedAnonymously) {
              logger.warn({ ...who, limit: 'safelist', queryHash: request.queryHash }, 'operation refused: not safelisted');
              throw new OperationNotSafelistedError();
            }
          }

          // Variables that do not coerce fail the request before anything runs (Apollo says which): only
          // the document's own measures apply then, and nothing is charged.
          const execution = request.operation ? planExecution(request.schema, request.document, request.operation, request.request.variables) : null;
          const measures = measuresFor(analysisOf(request), request.operationName, execution ? execution.variables : 'unknown');
          const exceeded = firstExceeded(execution ? measures : { ...measures, cost: 0 }, config.queryLimits[role]);
          if (exceeded) {
            logger.warn({ ...who, ...exceeded }, 'operation refused: query limit exceeded');
            throw new QueryLimitExceededError(exceeded.limit, exceeded.max, exceeded.actual);
          }

          if (request.operation && execution) {
            await rateLimits.consume({ kind: request.operation.operation, rootFields: execution.rootFields, cost: measures.cost }, actor, clientAddress);
          }
        },
      };
    },
  };
}
