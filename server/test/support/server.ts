import type { AddressInfo } from 'node:net';
import { createApp, type App } from '../../src/app';
import { loadConfig, type AppConfig, type DatabaseConfig } from '../../src/config';
import type { Orm } from '../../src/db/orm';
import { createLogger } from '../../src/logger';
import { forgetAccountStatus } from '../../src/modules/auth/account-status.service';

export interface RunningApp {
  app: App;
  url: string;
  config: AppConfig;
  /** POSTs a GraphQL operation and returns the parsed body. */
  graphql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLBody<T>>;
  close(): Promise<void>;
}

export interface GraphQLBody<T> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/**
 * For walks that prove what may be read (scope, masking), not how much one request may ask (the
 * request-limit tests): they nest every list in every other on purpose. Development sign-in on too.
 */
export function walkerConfig(config: AppConfig): AppConfig {
  return {
    ...config,
    devSignIn: true,
    queryLimits: {
      ...config.queryLimits,
      ANALYST: { ...config.queryLimits.ANALYST, cost: 1_000_000 },
      ADMIN: { ...config.queryLimits.ADMIN, cost: 1_000_000 },
    },
  };
}

/**
 * Builds the app for a test over the given ORM. The account-standing cache is per process, keyed by
 * account id; a test file runs the same ids on SQLite and then on MySQL, where the other database's
 * standing (a session ended there) is wrong: every test app starts without it.
 */
export function createTestApp(options: Parameters<typeof createApp>[0]): Promise<App> {
  forgetAccountStatus();
  return createApp(options);
}

/** Listens on a free loopback port and returns the app's base URL. */
export async function listenOnLoopback(app: App): Promise<string> {
  await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(app.httpServer.address() as AddressInfo).port}`;
}

/** Starts the real HTTP app on a free loopback port over the given ORM. */
export async function startApp(orm: Orm, database: DatabaseConfig, adjust: (config: AppConfig) => AppConfig = (config) => config): Promise<RunningApp> {
  const config = adjust({ ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' }), port: 0, database });
  const app = await createTestApp({ config, orm, logger: createLogger(config) });
  const url = await listenOnLoopback(app);
  return {
    app,
    url,
    config,
    async graphql<T>(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLBody<T>;
    },
    close: () => app.stop(),
  };
}

/** Signs in through the real `login` mutation and returns the Authorization header to send. */
export async function signIn(server: RunningApp, username: string, password: string): Promise<Record<string, string>> {
  const body = await server.graphql<{ login: { accessToken: string } }>(
    'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }',
    { u: username, p: password },
  );
  if (!body.data?.login) throw new Error(`sign-in as ${username} failed: ${JSON.stringify(body.errors)}`);
  return { authorization: `Bearer ${body.data.login.accessToken}` };
}
