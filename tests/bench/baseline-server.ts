import http from 'node:http';
import { GraphQLError, buildSchema, execute, parse, validate, type DocumentNode, type ExecutionResult } from 'graphql';
import type { Pool } from 'mysql2/promise';
import { myHouseholds } from './baseline-my-households';
import { SDL } from './baseline-schema';
import { submitHelpRecord, type HelpRecordInput } from './baseline-submit';
import { callerOf, configFrom, poolFor, statementCount, type BaselineConfig, type Caller } from './baseline-support';
import { SQL_COUNT_PATH } from './common';

/**
 * The hand-written baseline the real server is measured against: the two cadre operations with
 * graphql-js over Node's http and mysql2, no framework, no ORM, no DataLoader, and the fewest SQL
 * statements the rules allow. It follows the real server's rules (server/src/modules/my-work and
 * help-records) so that both do the same work; where it is faster, that is the price of the stack.
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
  const schema = buildSchema(SDL);
  const pool = poolFor(config);
  const key = new TextEncoder().encode(config.jwtSecret);
  // Apollo keeps parsed and validated documents; so does the baseline, or it would flatter the real server.
  const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();

  const rootValue = {
    myHouseholds: (args: { first?: number | null; after?: string | null }, context: { caller: Promise<Caller> }) =>
      context.caller.then((caller) => myHouseholds(pool, config, caller, args)),
    submitHelpRecord: (args: { input: HelpRecordInput }, context: { caller: Promise<Caller> }) =>
      context.caller.then((caller) => submitHelpRecord(pool, caller, args.input)),
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
    let body: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
    } catch {
      return send(response, 400, { errors: [{ message: 'the body must be JSON' }] });
    }
    if (typeof body.query !== 'string') return send(response, 400, { errors: [{ message: 'query must be a string' }] });
    const document = documentFor(body.query);
    if (Array.isArray(document)) return send(response, 400, { errors: document.map((error) => error.toJSON()) });
    const caller = callerOf(request, key);
    caller.catch(() => undefined); // consumed by the resolver; an unused rejection must not crash the process
    const result = (await execute({
      schema,
      document: document as DocumentNode,
      rootValue,
      contextValue: { caller },
      variableValues: (body.variables ?? undefined) as Record<string, unknown> | undefined,
      operationName: typeof body.operationName === 'string' ? body.operationName : undefined,
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
