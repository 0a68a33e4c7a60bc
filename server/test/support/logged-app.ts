import { Writable } from 'node:stream';
import pino from 'pino';
import type { App } from '../../src/app';
import { loadConfig, type AppConfig, type DatabaseConfig } from '../../src/config';
import type { Orm } from '../../src/db/orm';
import { createTestApp, listenOnLoopback } from './server';

/**
 * The real app started with a logger whose lines the tests can read (refusals must be logged): the
 * request-limit, persisted-operation, rate-limit and export tests use it.
 */

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface HttpAnswer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

export interface LoggedApp {
  app: App;
  url: string;
  config: AppConfig;
  /** Every log line the app wrote, parsed. */
  logs: LogLine[];
  /** POSTs a JSON body (object or batch array) to /graphql. */
  post<T = Record<string, unknown>>(body: unknown, headers?: Record<string, string>): Promise<HttpAnswer<T>>;
  graphql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, bearer?: string): Promise<HttpAnswer<T>>;
  close(): Promise<void>;
}

export const WARN = 40;

/** Every app these tests start signs with this secret, so that one set of tokens works on each of them. */
export const TEST_JWT_SECRET = 'request-limits-test-secret-0123456789-abcdefghijklmnop';

/** The real app on a free loopback port, configured like the suite's (NODE_ENV=test) plus `adjust`. */
export async function startLoggedApp(orm: Orm, database: DatabaseConfig, adjust: (config: AppConfig) => AppConfig = (config) => config): Promise<LoggedApp> {
  const config = adjust({ ...loadConfig({ NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET }), port: 0, database });
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const app = await createTestApp({ config, orm, logger: pino({ level: 'info' }, sink) });
  const url = await listenOnLoopback(app);
  const post = async <T>(body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer<T>> => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as HttpAnswer<T>['body'] };
  };
  return {
    app,
    url,
    config,
    logs,
    post,
    graphql: <T>(query: string, variables?: Record<string, unknown>, bearer?: string) =>
      post<T>({ query, variables }, bearer ? { authorization: `Bearer ${bearer}` } : {}),
    close: () => app.stop(),
  };
}

export function codeOf(answer: HttpAnswer<unknown>): unknown {
  return answer.body.errors?.[0]?.extensions?.code;
}
