import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { GraphQLError, buildSchema, execute, getOperationAST, parse, validate, type DocumentNode, type ExecutionResult } from 'graphql';
import type { Pool } from 'mysql2/promise';
import { household } from './baseline-household';
import { myHouseholds } from './baseline-my-households';
import { currentRound, me, myStats } from './baseline-my-stats';
import { submitHelpRecord, type HelpRecordInput } from './baseline-submit';
import { AccountStandings, RateLimits, callerOf, configFrom, failure, poolFor, statementCount, type BaselineConfig, type Caller } from './baseline-support';
import { SQL_COUNT_PATH } from './common';
import { loadPersistedDocuments } from './documents';

/** The real server's schema as it prints it: the baseline validates the mini-program's documents against the same types. */
export const SCHEMA_FILE = path.resolve(__dirname, '..', '..', 'shared', 'schema.graphql');

/**
 * The hand-written baseline the real server is measured against: the cadre operations the
 * mini-program's screens send (MyHouseholds, HouseholdFile, MyStats, SubmitHelpRecord) with
 * graphql-js over Node's http and mysql2, no framework, no ORM, no DataLoader, and the fewest SQL
 * statements the rules allow. It follows the real server's rules so that both do the same work: the
 * safelist (hash-only requests answered from shared/persisted-operations.json), the access token
 * and the account's standing (one primary-key read per account every 5 s), the rate-limit accounting
 * in the same store, the scoping of every read, and on a submission the idempotency by clientId, the
 * analysts' monthly summary and the audit entry. Where it is faster, that is the price of the stack.
 *
 * Run: DATABASE_URL=mariadb://root@127.0.0.1:3306/wanjia_bench PORT=4100 tsx bench/baseline-server.ts
 */

// --- HTTP -------------------------------------------------------------------------------------------------------

export interface BaselineServer {
  server: http.Server;
  pool: Pool;
  close(): Promise<void>;
}

export async function startBaselineServer(config: BaselineConfig): Promise<BaselineServer> {
  const schema = buildSchema(fs.readFileSync(SCHEMA_FILE, 'utf8'));
  const pool = poolFor(config);
  const key = new TextEncoder().encode(config.jwtSecret);
  const standings = new AccountStandings(pool);
  const limits = new RateLimits(config.rateLimits);
  const safelist = loadPersistedDocuments();
  // Apollo keeps parsed and validated documents; so does the baseline, or it would flatter the real server.
  const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();

  interface Context {
    caller: Caller;
  }
  const rootValue = {
    myHouseholds: (args: { first?: number | null; after?: string | null; filter?: unknown }, { caller }: Context) => {
      if (args.filter) throw failure('BAD_USER_INPUT', 'the baseline serves the unfiltered list', 'filter');
      return myHouseholds(pool, config, caller, args);
    },
    household: (args: { id: string }, { caller }: Context) => household(pool, config, caller, args),
    me: (_args: unknown, { caller }: Context) => me(pool, caller),
    currentRound: () => currentRound(pool),
    myStats: (args: { roundId?: string | null }, { caller }: Context) => myStats(pool, config, caller, args),
    submitHelpRecord: (args: { input: HelpRecordInput }, { caller }: Context) => submitHelpRecord(pool, caller, args.input, config.lateGraceDays),
  };

  function documentFor(query: string): DocumentNode | readonly GraphQLError[] {
    let document = documents.get(query);
    if (!document) {
      try {
        const parsed = parse(query);
        const errors = validate(schema, parsed);
        document = errors.length > 0 ? errors : parsed;
      } catch (error) {
        document = [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
      }
      if (documents.size > 1000) documents.clear();
      documents.set(query, document);
    }
    return document;
  }

  async function handleGraphql(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of request as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > 1_000_000) return send(response, 413, { errors: [{ message: 'request too large' }] });
      chunks.push(chunk);
    }
    let body: { query?: unknown; variables?: unknown; operationName?: unknown; extensions?: { persistedQuery?: { sha256Hash?: unknown } } };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
    } catch {
      return send(response, 400, { errors: [{ message: 'the body must be JSON' }] });
    }
    // As the real server in production: only the mini-program's persisted documents run, sent by their hash.
    const hash = body.extensions?.persistedQuery?.sha256Hash;
    const text = typeof hash === 'string' ? safelist.get(hash) : undefined;
    if (text === undefined || (typeof body.query === 'string' && body.query !== text))
      return send(response, 200, { errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] });
    const document = documentFor(text);
    if (Array.isArray(document)) return send(response, 400, { errors: document.map((error) => error.toJSON()) });
    const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;
    let caller: Caller;
    try {
      caller = await callerOf(request, key, standings);
      const operation = getOperationAST(document as DocumentNode, operationName);
      await limits.consume(operation?.operation === 'mutation' ? 'mutation' : 'query', caller, 1);
    } catch (error) {
      if (error instanceof GraphQLError) return send(response, 200, { errors: [error.toJSON()] });
      throw error;
    }
    const result = (await execute({
      schema,
      document: document as DocumentNode,
      rootValue,
      contextValue: { caller },
      variableValues: (body.variables ?? undefined) as Record<string, unknown> | undefined,
      operationName,
    })) as ExecutionResult;
    if (result.errors) {
      for (const error of result.errors) {
        if (!error.extensions?.code) console.error(error.originalError ?? error);
      }
    }
    send(response, 200, result);
  }

  const server = http.createServer((request, response) => {
    const path = request.url?.split('?')[0];
    if (request.method === 'POST' && path === '/graphql') {
      handleGraphql(request, response).catch((error: unknown) => {
        console.error(error);
        send(response, 500, { errors: [{ message: 'internal error' }] });
      });
    } else if (request.method === 'GET' && path === SQL_COUNT_PATH) {
      send(response, 200, { statements: statementCount() });
    } else if (request.method === 'GET' && path === '/readyz') {
      pool.query('select 1').then(
        () => send(response, 200, { status: 'ready' }),
        () => send(response, 503, { status: 'unavailable' }),
      );
    } else {
      send(response, 404, { error: 'not found' });
    }
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(config.port, '127.0.0.1', resolve));
  return {
    server,
    pool,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await limits.close();
      await pool.end();
    },
  };
}

function send(response: http.ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) return;
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

if (require.main === module) {
  const config = configFrom(process.env);
  startBaselineServer(config)
    .then((baseline) => {
      console.log(`baseline GraphQL server on http://127.0.0.1:${config.port}/graphql`);
      const stop = () => void baseline.close().then(() => process.exit(0));
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
