import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, type ServerProcess } from '../../support/server-process';

/**
 * The probe suite's harness: the built server as a black box on its embedded database with the demo
 * data set, and small helpers to sign in as each demo role and send raw requests. Each probe is one
 * hostile request (or a short sequence) that an outside attacker could send; it asserts the defended
 * behaviour. `WANJIA_SERVER_ROOT=<older checkout>` runs the same probes against an older build.
 */

export const DEMO_PASSWORDS = { admin: 'wanjia-admin-demo', 'pingshan-admin': 'wanjia-pingshan-demo', analyst: 'wanjia-analyst-demo' } as const;
export type DemoStaff = keyof typeof DEMO_PASSWORDS;

export interface ProbeServer extends ServerProcess {
  dataDir: string;
  jwtSecret: string;
}

/**
 * Staff cost limits lifted, for probes about what may be read (scope, masking) rather than how much
 * one request may ask (the limits probes): they nest every list in every other on purpose.
 */
export const UNLIMITED_STAFF_COST: Record<string, string> = {
  QUERY_LIMITS: JSON.stringify({ ANALYST: { cost: 1_000_000 }, ADMIN: { cost: 1_000_000 } }),
  RATE_LIMIT_QUERIES_PER_ACCOUNT: '100000000/60',
};

/** Starts the built server on a fresh SQLite file with the demo data; `environment` overrides the defaults. */
export async function startProbeServer(environment: Record<string, string> = {}): Promise<ProbeServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-probe-'));
  const jwtSecret = randomBytes(48).toString('base64');
  const server = await startServer({
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    SQLITE_PATH: path.join(dataDir, 'wanjia.sqlite'),
    PHOTO_DIR: path.join(dataDir, 'photos'),
    DEMO_DATA: 'true',
    DEV_SIGN_IN: 'true',
    JWT_SECRET: jwtSecret,
    RATE_LIMITS: 'false',
    LOG_LEVEL: 'warn',
    ...environment,
  });
  const stop = server.stop.bind(server);
  return {
    ...server,
    dataDir,
    jwtSecret,
    async stop(signal?: NodeJS.Signals) {
      const code = await stop(signal);
      fs.rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

export interface GraphQLAnswer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  text: string;
  json: { data?: T | null; errors?: { message: string; extensions?: Record<string, unknown> }[] } | null;
  ms: number;
}

export interface SendOptions {
  token?: string | null;
  headers?: Record<string, string>;
  /** Sent as the body as it is (a batch, broken JSON…); otherwise `{ query, variables, operationName }`. */
  rawBody?: string;
  operationName?: string;
  extensions?: Record<string, unknown>;
}

let requestsSent = 0;

// Every request a probe file sends, whatever helper sends it; the harness's own readiness polls do not count.
const untracedFetch = globalThis.fetch;
globalThis.fetch = (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
  const address = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (!address.endsWith('/readyz')) requestsSent += 1;
  return untracedFetch(input, init);
};

/** How many requests this file's probes have sent so far. */
export function probeRequestsSent(): number {
  return requestsSent;
}

// `PROBE_REQUEST_LOG=<file>` appends each probe file's request count, so a run can say how many it sent.
afterAll(() => {
  const log = process.env.PROBE_REQUEST_LOG?.trim();
  if (log) fs.appendFileSync(log, `${JSON.stringify({ file: expect.getState().testPath, requests: requestsSent })}\n`);
});

/** One POST to /graphql, timed; never throws on an error answer. */
export async function send<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  options: SendOptions = {},
): Promise<GraphQLAnswer<T>> {
  const started = performance.now();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: options.rawBody ?? JSON.stringify({ query, variables, operationName: options.operationName, extensions: options.extensions }),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  let json: GraphQLAnswer<T>['json'] = null;
  try {
    json = JSON.parse(text) as GraphQLAnswer<T>['json'];
  } catch {
    json = null;
  }
  return { status: response.status, headers: response.headers, text, json, ms };
}

export function errorCode(answer: GraphQLAnswer): string | undefined {
  return answer.json?.errors?.[0]?.extensions?.code as string | undefined;
}

/** Signs a demo staff account in with its published password. */
export async function staffToken(url: string, username: DemoStaff = 'admin', password: string = DEMO_PASSWORDS[username]): Promise<string> {
  const answer = await send<{ login: { accessToken: string } }>(
    url,
    'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }',
    { u: username, p: password },
  );
  const token = answer.json?.data?.login?.accessToken;
  if (!token) throw new Error(`login(${username}) failed: ${answer.text}`);
  return token;
}

/** The IDE session cookies of a demo staff account, as the IDE's sign-in form gets them (a Cookie header's value). */
export async function ideSessionCookie(url: string, username: DemoStaff = 'admin', password: string = DEMO_PASSWORDS[username]): Promise<string> {
  const response = await fetch(`${url}/ide/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ username, password }),
  });
  if (!response.ok) throw new Error(`IDE sign-in as ${username} failed: ${response.status} ${await response.text()}`);
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0]!)
    .join('; ');
}

/** A demo cadre's token through the development sign-in (DEV_SIGN_IN=true). */
export async function cadreToken(url: string, cadreId: string): Promise<string> {
  const answer = await send<{ developmentSignIn: { accessToken: string } }>(url, 'mutation($id: ID!) { developmentSignIn(cadreId: $id) { accessToken } }', {
    id: cadreId,
  });
  const token = answer.json?.data?.developmentSignIn?.accessToken;
  if (!token) throw new Error(`developmentSignIn(${cadreId}) failed: ${answer.text}`);
  return token;
}

/** The demo cadres one can sign in as (id and name), in id order. */
export async function demoCadres(url: string): Promise<{ id: string; name: string }[]> {
  const answer = await send<{ developmentCadres: { id: string; name: string }[] }>(url, '{ developmentCadres { id name } }');
  return answer.json?.data?.developmentCadres ?? [];
}
