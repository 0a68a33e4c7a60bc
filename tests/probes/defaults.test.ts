import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import { REPOSITORY_ROOT, startServer, type ServerProcess } from '../support/server-process';
import { DEMO_PASSWORDS, errorCode, send, staffToken } from './support/probe-server';

/**
 * Defaults that are dangerous: what `pnpm start` gives a newcomer on a shared network, and what a
 * production start with the demo data set's published passwords does. Each probe starts the built
 * server as the README does (no HOST, no JWT_SECRET) or as a careless deployment would.
 */

/** The secret every build before issue 11 signed development tokens with; it is in the repository. */
const PUBLISHED_SECRET = 'wanjia-development-only-secret-do-not-use-in-production';
const STRONG_SECRET = randomBytes(48).toString('base64');

function dataDirectory(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-probe-defaults-'));
}

/** The README's start: development, embedded database with demo data, nothing else set. */
function readmeStart(dir: string, extra: Record<string, string> = {}): Promise<ServerProcess> {
  return startServer({ SQLITE_PATH: path.join(dir, 'wanjia.sqlite'), PHOTO_DIR: path.join(dir, 'photos'), LOG_LEVEL: 'warn', ...extra });
}

/** Starts a server that is expected to refuse: resolves with its exit code and output. */
async function refusedStart(environment: Record<string, string>): Promise<{ started: boolean; output: string }> {
  try {
    const server = await startServer(environment, 90_000);
    const output = server.output();
    await server.stop();
    return { started: true, output };
  } catch (error) {
    return { started: false, output: (error as Error).message };
  }
}

function nonLoopbackAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((entry): entry is os.NetworkInterfaceInfo => Boolean(entry) && !entry!.internal && entry!.family === 'IPv4')
    .map((entry) => entry.address);
}

/** Whether a TCP connection to host:port is accepted (within 3 s). */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(3000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The local addresses the port is bound to, from the kernel's socket tables (hex as /proc writes them). */
function boundAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6']
    .filter((file) => fs.existsSync(file))
    .flatMap((file) => fs.readFileSync(file, 'utf8').split('\n').slice(1))
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A')
    .map((fields) => fields[1]!.split(':')[0]!);
}

describe('defaults: the README start on a shared network', () => {
  const dir = dataDirectory();
  let server: ServerProcess;

  beforeAll(async () => {
    server = await readmeStart(dir);
  });

  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('defaults: reach a development server from another machine on the network', async () => {
    const port = Number(new URL(server.url).port);
    // Bound to loopback only (127.0.0.1 is 0100007F in the kernel's table), never to every interface.
    expect(boundAddresses(port).sort()).toEqual(['0100007F']);
    for (const address of nonLoopbackAddresses()) expect({ address, accepted: await accepts(address, port) }).toEqual({ address, accepted: false });
    // Loopback still answers, so the README's curl example on localhost keeps working.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  test('defaults: forge an administrator token with the secret published in the source', async () => {
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ role: 'ADMIN', scp: '/210500000000/', sr: 1, cd: null })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject('1')
      .setIssuer('wanjia')
      .setAudience('wanjia-api')
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode(PUBLISHED_SECRET));
    const answer = await send(server.url, '{ me { username role } households(first: 1) { totalCount } }', undefined, { token: forged });
    expect({ code: errorCode(answer), data: answer.json?.data ?? null }).toEqual({ code: 'UNAUTHENTICATED', data: null });
  });

  test('defaults: read the development signing secret from the data directory, or lose sign-ins on restart', async () => {
    const file = path.join(dir, 'jwt-secret');
    expect(fs.existsSync(file)).toBe(true);
    // Only the owner may read it: it signs administrators' tokens.
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
    expect(fs.readFileSync(file, 'utf8').trim()).not.toBe(PUBLISHED_SECRET);
    const token = await staffToken(server.url, 'analyst');
    await server.stop();
    server = await readmeStart(dir);
    const after = await send(server.url, '{ me { username } }', undefined, { token });
    expect(after.json?.data).toEqual({ me: { username: 'analyst' } });
  });

  test('defaults: start development mode without being told what is insecure about it', () => {
    const banner = server.output();
    expect(banner).toMatch(/Development mode \(NODE_ENV=development\) is not for real data/);
    expect(banner).toMatch(/listens on 127\.0\.0\.1 only/);
    expect(banner).toMatch(/plain HTTP/);
    expect(banner).toMatch(/demo accounts sign in with passwords published in the README/);
    expect(banner).toMatch(/introspection and the GraphQL IDE are on/);
    expect(banner).toMatch(/random secret kept in .*jwt-secret/);
  });
});

describe('defaults: production with the demo data set', () => {
  const dir = dataDirectory();
  const production = { NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET, SQLITE_PATH: path.join(dir, 'wanjia.sqlite'), PHOTO_DIR: path.join(dir, 'photos') };

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('defaults: start production with DEMO_DATA=true and its published passwords', async () => {
    const result = await refusedStart({ ...production, DEMO_DATA: 'true' });
    expect(result.started).toBe(false);
    expect(result.output).toMatch(/DEMO_DATA: the demo data set signs in with passwords published in the README/);
  });

  test('defaults: start production on an embedded database and sign in with a published demo password', async () => {
    // No DEMO_DATA at all: production must not fill a fresh database with the demo accounts.
    const fresh = path.join(dir, 'fresh.sqlite');
    const server = await startServer({ ...production, SQLITE_PATH: fresh });
    try {
      const answer = await send(server.url, 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }', {
        u: 'admin',
        p: DEMO_PASSWORDS.admin,
      });
      expect(errorCode(answer)).toBe('UNAUTHENTICATED');
    } finally {
      await server.stop();
    }
  });

  test('defaults: start production on a database whose accounts still have the demo passwords', async () => {
    // A trial in development, then the same database switched to production without new passwords.
    const trial = await readmeStart(dir);
    await trial.stop();
    const result = await refusedStart(production);
    expect(result.started).toBe(false);
    expect(result.output).toMatch(/Refusing to start in production: the accounts admin, pingshan-admin, analyst still have a published demo password/);
    expect(result.output).toMatch(/account:reset-password admin/);
  });
});

/** The CLI of the build under test, as an operator runs it from the repository root. */
function runCli(args: string[], environment: Record<string, string>): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [path.join(REPOSITORY_ROOT, 'server', 'dist', 'cli.js'), ...args], {
    cwd: REPOSITORY_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...environment },
    encoding: 'utf8',
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const SCHEMA_QUERY = '{ __schema { queryType { name } types { name } } }';

describe('defaults: what a production server tells about its schema', () => {
  const dir = dataDirectory();
  const production = { NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET, SQLITE_PATH: path.join(dir, 'wanjia.sqlite'), PHOTO_DIR: path.join(dir, 'photos') };
  const ANALYST_PASSWORD = `probe-${randomBytes(12).toString('hex')}`;
  let server: ServerProcess;
  let analystPassword: string = DEMO_PASSWORDS.analyst;

  beforeAll(async () => {
    // As a deployment that began as a trial: the demo data, then the analyst's password replaced by the
    // operator's CLI, then production on the same database (the other demo accounts deactivated).
    const trial = await readmeStart(dir);
    await trial.stop();
    const environment = { SQLITE_PATH: production.SQLITE_PATH };
    if (runCli(['account:reset-password', 'analyst'], { ...environment, WANJIA_PASSWORD: ANALYST_PASSWORD }).status === 0) {
      analystPassword = ANALYST_PASSWORD;
      for (const name of ['admin', 'pingshan-admin'])
        runCli(['account:reset-password', name], { ...environment, WANJIA_PASSWORD: `${ANALYST_PASSWORD}-${name}` });
    }
    // (An old build has no account:reset-password and no refusal either: it starts with the demo passwords.)
    server = await startServer(production);
  });

  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('defaults: an anonymous caller reads the whole schema of a production server by introspection', async () => {
    const answer = await send<{ __schema?: unknown }>(server.url, SCHEMA_QUERY);
    expect(answer.json?.data?.__schema ?? null).toBeNull();
    expect(answer.json?.errors?.length ?? 0).toBeGreaterThan(0);
    expect(answer.text).not.toMatch(/"HouseholdConnection"|"Resident"/);
  });

  test('defaults: an anonymous caller reads one type of a production server by __type', async () => {
    const answer = await send(server.url, '{ __type(name: "Resident") { fields { name } } }');
    expect(answer.json?.data?.__type ?? null).toBeNull();
    expect(answer.text).not.toMatch(/birthDate|idNumber/);
  });

  test('defaults: a signed-in analyst reads the whole schema of a production server', async () => {
    const token = await staffToken(server.url, 'analyst', analystPassword);
    const answer = await send<{ __schema?: unknown }>(server.url, SCHEMA_QUERY, undefined, { token });
    expect(answer.json?.data?.__schema ?? null).toBeNull();
    expect(answer.text).toMatch(/introspection/i);
  });

  test('defaults: a browser opens the GraphQL IDE of a production server', async () => {
    const page = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toMatch(/AltairGraphQL|altair/i);
  });

  test('defaults: switch introspection on in production, hear nothing about it at start, and let anyone read the schema', async () => {
    // INTROSPECTION=true is allowed, warned about in the log at every start, and the banner says it.
    await server.stop();
    server = await startServer({ ...production, INTROSPECTION: 'true', LOG_LEVEL: 'info' });
    expect(server.output()).toMatch(/"level":40,.*INTROSPECTION is on in production: signed-in administrators and analysts can read the whole schema/);
    expect(server.output()).toMatch(/Wanjia API on http:\/\/localhost:\d+\/graphql \(SQLite at [^;]+; IDE and introspection on\)/);
    // For the staff only: an anonymous caller is told to sign in, and learns nothing of the schema.
    const anonymous = await send<{ __schema?: unknown }>(server.url, SCHEMA_QUERY);
    expect({ status: anonymous.status, code: errorCode(anonymous), data: anonymous.json?.data ?? null }).toEqual({
      status: 401,
      code: 'UNAUTHENTICATED',
      data: null,
    });
    expect(anonymous.json?.errors?.[0]?.message).toBe('Sign in as an administrator or analyst to read the schema');
    expect(anonymous.text).not.toMatch(/"HouseholdConnection"|"Resident"|"Query"/);
    const oneType = await send(server.url, '{ t: __type(name: "Resident") { fields { name } } }');
    expect(errorCode(oneType)).toBe('UNAUTHENTICATED');
    expect(oneType.text).not.toMatch(/birthDate|idNumber/);
    const token = await staffToken(server.url, 'analyst', analystPassword);
    const analyst = await send<{ __schema?: { queryType: { name: string }; types: { name: string }[] } }>(server.url, SCHEMA_QUERY, undefined, { token });
    expect(analyst.json?.errors).toBeUndefined();
    expect(analyst.json?.data?.__schema?.queryType).toEqual({ name: 'Query' });
    expect(analyst.json?.data?.__schema?.types.map((type) => type.name)).toEqual(expect.arrayContaining(['Resident', 'HouseholdConnection']));
  });
});
