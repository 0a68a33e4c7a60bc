import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLContext } from './context';

/**
 * Every GraphQL answer is `Cache-Control: no-store`: it is one caller's view of households' files, never
 * to be kept by a proxy or a browser cache. Apollo's cache-control plugin, installed by default, sent
 * the same header (no field carries a cache hint, so no answer was cacheable), but it also wrapped every
 * field of every type to compute a cache policy per resolved field; it is disabled in app.ts, and this
 * plugin keeps its header.
 */
export const NO_STORE = 'no-store';

export function noStorePlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          response.http.headers.set('cache-control', NO_STORE);
        },
      };
    },
  };
}
