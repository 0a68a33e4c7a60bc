import http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express from 'express';
import { pinoHttp } from 'pino-http';
import type { AppConfig } from './config';
import type { Orm } from './db/orm';
import { replicaMonitorOf } from './db/read-replicas';
import { createContext, type GraphQLContext } from './graphql/context';
import { createErrorFormatter } from './graphql/error-formatter';
import { bodyErrorHandler, rejectBatchedRequests, requireJsonBody } from './graphql/limits/http-limits';
import { requestLimitsPlugin } from './graphql/limits/request-limits.plugin';
import { errorFieldsPlugin } from './graphql/error-fields.plugin';
import { schemaDetailsPlugin } from './graphql/schema-details.plugin';
import { noStorePlugin } from './graphql/no-store.plugin';
import { securityHeaders } from './http/security-headers';
import { CADRE_APP_PATH, cadreAppRoutes } from './http/cadre-app.routes';
import { loadSafelist, SafelistQueryStore } from './graphql/limits/safelist';
import { createSafelistGate } from './graphql/limits/safelist-gate';
import { createRateLimits, type RateLimits } from './graphql/limits/rate-limits';
import { buildApiSchema } from './graphql/schema';
import type { Logger } from './logger';
import { mountPlayground } from './playground/playground.routes';
import { ideSessionRoutes } from './playground/ide-session.routes';
import { importDeskRoutes } from './playground/import-desk/import-desk.routes';
import { photoStorageFor, type PhotoStorage } from './modules/photos/photo-storage';
import { photoRoutes } from './modules/photos/photo.routes';
import { analyticsRoutes } from './modules/analytics/analytics.routes';
import { ImportEngine, registerImportEngine } from './modules/imports/import-engine';
import { importRoutes } from './modules/imports/imports.routes';
import { recordListRoutes } from './modules/record-lists/record-list.routes';
import { systemClock, type Clock } from './core/clock';

export interface AppDependencies {
  config: AppConfig;
  orm: Orm;
  logger: Logger;
  /** Counts SQL statements when `config.countSql` is on (benchmarks read it at /debug/sql-count). */
  sqlCounter?: { statements: number };
  photoStorage?: PhotoStorage;
  /** Where requests read "now" (deadlines, escalation); tests pass a ManualClock. */
  clock?: Clock;
}

export interface App {
  httpServer: http.Server;
  express: express.Express;
  apollo: ApolloServer<GraphQLContext>;
  rateLimits: RateLimits;
  /** Stops accepting requests and waits for those in flight; the ORM is the caller's to close. */
  stop(): Promise<void>;
}

/** Builds the HTTP application without listening, so that tests can start it on any port. */
export async function createApp({ config, orm, logger, sqlCounter, photoStorage, clock = systemClock }: AppDependencies): Promise<App> {
  const app = express();
  app.disable('x-powered-by');
  // A number of hops or the proxies' addresses, never `true` (the client writes the left-most entry).
  if (config.trustProxy !== false) app.set('trust proxy', config.trustProxy);
  // First, so that every answer carries them, errors and 404s included (after trust proxy: HSTS needs request.secure).
  app.use(securityHeaders());
  const httpServer = http.createServer(app);

  const safelist = loadSafelist();
  const safelistGate = createSafelistGate({ config, safelist });
  const rateLimits = createRateLimits({ config: config.rateLimits, logger });
  const apollo = new ApolloServer<GraphQLContext>({
    schema: await buildApiSchema(),
    // Hash-only requests resolve from the mini-program's safelist; nothing is registered at run time.
    persistedQueries: { cache: new SafelistQueryStore(safelist) },
    // The hard cap, before any role is known: the largest role's token limit (the plugin applies each role's).
    parseOptions: { maxTokens: Math.max(...Object.values(config.queryLimits).map((limits) => limits.tokens)) },
    formatError: createErrorFormatter(logger),
    includeStacktraceInErrorResponses: false,
    introspection: config.introspection,
    // main.ts owns the process's signals and shuts down in order: HTTP, then Apollo, then the database.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Apollo's default landing page loads from a CDN that intranets cannot reach.
      ApolloServerPluginLandingPageDisabled(),
      // No field has a cache hint: the default cache-control plugin only wrapped every field resolver
      // to find that out (a policy object per resolved field). noStorePlugin sends its header.
      ApolloServerPluginCacheControlDisabled(),
      noStorePlugin(),
      requestLimitsPlugin({ config, safelist, rateLimits }),
      errorFieldsPlugin(),
      schemaDetailsPlugin({ introspection: config.introspection }),
    ],
  });
  await apollo.start();

  if (config.corsOrigins.length > 0) {
    app.use(cors({ origin: config.corsOrigins, allowedHeaders: ['content-type', 'authorization', 'apollo-require-preflight'], maxAge: 600 }));
  }

  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });

  // Ready while the primary answers; `databases` lists the primary and each read replica (a replica that
  // is down or behind is reported, not fatal: analytics then read the primary).
  app.get('/readyz', async (_request, response) => {
    const replicas = replicaMonitorOf(orm.em.getDriver())?.report() ?? [];
    try {
      await orm.em.fork().getConnection().execute('select 1');
      response.json({ status: 'ready', database: config.database.kind, databases: [{ name: 'primary', role: 'primary', answering: true }, ...replicas] });
    } catch (error) {
      logger.warn({ err: error }, 'readiness check failed');
      response
        .status(503)
        .json({ status: 'unavailable', database: config.database.kind, databases: [{ name: 'primary', role: 'primary', answering: false }, ...replicas] });
    }
  });

  // The cadre app's h5 build on the API's own origin (when built): no CORS, no configured API address.
  app.use(CADRE_APP_PATH, cadreAppRoutes(config, logger));
  app.use(photoRoutes(orm, config, photoStorage ?? photoStorageFor(config, logger), logger, rateLimits));
  app.use(analyticsRoutes(orm, config, logger, rateLimits));
  // Spreadsheet imports (issue 16): upload, templates, reports; the engine runs the dry runs and commits in the background.
  app.use(importRoutes(orm, config, logger, registerImportEngine(config, new ImportEngine(orm, config, clock, logger))));
  app.use(recordListRoutes(orm, config, logger, rateLimits, clock));
  // The IDE's cookie session (sign-in, renewal, sign-out), with its own small JSON body limit; before /graphql.
  app.use(ideSessionRoutes({ orm, config, logger, rateLimits }));
  // The office upload page (/imports/desk), before the import engine's /imports routes.
  app.use(importDeskRoutes({ orm, config, logger }));

  if (config.countSql && sqlCounter) {
    app.get('/debug/sql-count', (_request, response) => {
      response.json({ statements: sqlCounter.statements });
    });
  }

  if (config.playground) {
    // Browsers opening /graphql get the IDE; API calls on the same path go on to Apollo below.
    mountPlayground(app, { endpoint: '/graphql', path: '/graphql', orm, config, logger });
  }

  app.use(
    '/graphql',
    pinoHttp({ logger, autoLogging: { ignore: () => config.nodeEnv === 'test' } }),
    requireJsonBody,
    express.json({ limit: config.bodyMaxBytes }),
    rejectBatchedRequests,
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const context = await createContext(orm.em.fork(), req.log ?? logger, config, req, clock);
        // Before Apollo parses or validates: a refused caller sees no validation errors about the schema.
        safelistGate(context, req);
        return context;
      },
    }),
  );
  app.use('/graphql', bodyErrorHandler(config.bodyMaxBytes));

  return {
    httpServer,
    express: app,
    apollo,
    rateLimits,
    async stop() {
      await apollo.stop();
      if (httpServer.listening) {
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      }
      await rateLimits.close();
    },
  };
}
