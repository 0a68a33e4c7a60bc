import { Role } from '@wanjia/shared';
import { loadConfig, type DatabaseConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { accountService } from '../src/modules/accounts/account.service';
import { UserAccount } from '../src/modules/accounts/user-account.entity';
import { AuditEntry } from '../src/modules/audit/audit-entry.entity';
import { actorOf } from '../src/modules/auth/auth.service';
import { RefreshToken } from '../src/modules/auth/refresh-token.entity';
import { signAccessToken } from '../src/modules/auth/token.service';
import { DEFAULT_DEMO_OPTIONS, seedDemoData } from '../src/seed/demo/demo-data';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { createAccount } from './support/factories';
import { startApp, type GraphQLBody, type RunningApp } from './support/server';

const ME = '{ me { username role } }';
const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin' };

/** A cookie as the browser was told to keep it: its value and its attributes, by lower-case name. */
interface SetCookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
}

function parseSetCookie(line: string): SetCookie {
  const [pair, ...rest] = line.split(';');
  const separator = pair!.indexOf('=');
  const attributes: Record<string, string | true> = {};
  for (const attribute of rest) {
    const [key, ...value] = attribute.trim().split('=');
    attributes[key!.toLowerCase()] = value.length ? value.join('=') : true;
  }
  return { name: pair!.slice(0, separator).trim(), value: pair!.slice(separator + 1).trim(), attributes };
}

function setCookiesOf(response: Response): Record<string, SetCookie> {
  return Object.fromEntries(response.headers.getSetCookie().map((line) => [parseSetCookie(line).name, parseSetCookie(line)]));
}

/** What a browser holds for this site: the two cookies, as sent back in a Cookie header. */
interface Jar {
  access: string;
  refresh: string;
  /** Set over HTTPS, under the prefixed names (`__Host-`, `__Secure-`). */
  secure?: boolean;
}

const PLAIN_NAMES = { access: 'wanjia_ide_access', refresh: 'wanjia_ide_refresh' };
const HTTPS_NAMES = { access: '__Host-wanjia_ide_access', refresh: '__Secure-wanjia_ide_refresh' };

function cookieHeader(jar: Partial<Jar>): Record<string, string> {
  const names = jar.secure ? HTTPS_NAMES : PLAIN_NAMES;
  const pairs = [jar.access ? `${names.access}=${jar.access}` : null, jar.refresh ? `${names.refresh}=${jar.refresh}` : null].filter(Boolean);
  return pairs.length ? { cookie: pairs.join('; ') } : {};
}

/** The token with the first character of its signature changed (a fully significant one, unlike the last). */
function withAlteredSignature(token: string): string {
  const [header, payload, signature] = token.split('.');
  return `${header}.${payload}.${signature!.startsWith('A') ? 'B' : 'A'}${signature!.slice(1)}`;
}

function codeOf(body: GraphQLBody<unknown>): unknown {
  return body.errors?.[0]?.extensions?.code;
}

describe.each(databaseKinds())('the IDE session on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let addressCounter = 0;
  /** Each test speaks from its own client address, so that the per-address sign-in lock stays inside it. */
  const newAddress = () => `10.14.${Math.floor(++addressCounter / 250)}.${addressCounter % 250}`;

  /** A POST as the IDE page sends it (JSON, same origin); a header given as '' is left out. */
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: Object.fromEntries(
        Object.entries({ 'content-type': 'application/json', 'x-forwarded-for': newAddress(), ...SAME_ORIGIN, ...headers }).filter(([, value]) => value !== ''),
      ),
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });

  async function signIn(
    username: string,
    password: string,
    headers: Record<string, string> = {},
  ): Promise<{ response: Response; jar: Jar; info: Record<string, unknown> }> {
    const response = await post('/ide/session', { username, password }, headers);
    const body = (await response.json()) as Record<string, unknown>;
    if (response.status !== 200) throw new Error(`IDE sign-in as ${username} answered ${response.status}: ${JSON.stringify(body)}`);
    const cookies = setCookiesOf(response);
    const secure = HTTPS_NAMES.access in cookies;
    const names = secure ? HTTPS_NAMES : PLAIN_NAMES;
    return { response, jar: { access: cookies[names.access]!.value, refresh: cookies[names.refresh]!.value, secure }, info: body };
  }

  /** A GraphQL POST as the IDE page sends it: JSON, the browser's cookies, and whatever headers the browser adds. */
  async function graphql<T = { me: { username: string; role: string } }>(query: string, headers: Record<string, string>): Promise<GraphQLBody<T>> {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': newAddress(), ...headers },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as GraphQLBody<T>;
  }

  /** What a refused sign-in must leave as it was: sessions, the audit trail and the accounts' rows. */
  async function writtenState() {
    const em = orm.em.fork();
    const accounts = await em.find(UserAccount, {}, { orderBy: { id: 'asc' } });
    return {
      refreshTokens: await em.count(RefreshToken, {}),
      audit: await em.count(AuditEntry, {}),
      accounts: accounts.map((account) => ({
        id: account.id,
        passwordHash: account.passwordHash,
        lastLoginAt: account.lastLoginAt?.toISOString() ?? null,
        mustChangePassword: account.mustChangePassword,
        sessionGeneration: account.sessionGeneration,
      })),
    };
  }

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'ide_session'));
    await seedDemoData(orm.em.fork(), { ...DEFAULT_DEMO_OPTIONS, households: 20 });
    server = await startApp(orm, database, (config) => ({
      ...config,
      trustProxy: 1,
      auth: { ...config.auth, loginMaxFailures: 3, loginLockSeconds: 60 },
    }));
  }, 120_000);

  afterAll(async () => {
    await server.close();
    await orm.close(true);
    await dropScratchDatabase(database);
  });

  it('sets two HttpOnly, SameSite=Strict session cookies (no Max-Age or Expires), not Secure over plain HTTP', async () => {
    const before = Date.now();
    const { response, jar, info } = await signIn('analyst', 'wanjia-analyst-demo');
    const cookies = setCookiesOf(response);
    expect(cookies.wanjia_ide_access!.attributes).toEqual({ path: '/', httponly: true, samesite: 'Strict' });
    expect(cookies.wanjia_ide_refresh!.attributes).toEqual({ path: '/ide/session', httponly: true, samesite: 'Strict' });
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(info).toMatchObject({ username: 'analyst', role: 'ANALYST', scopeRegion: { name: '本溪市', level: 'CITY' } });
    expect(Object.keys(info).sort()).toEqual(['accessTokenExpiresAt', 'role', 'scopeRegion', 'sessionExpiresAt', 'username']);
    // The session lasts IDE_SESSION_HOURS (12 by default), not the refresh token's 30 days.
    const sessionEnds = Date.parse(info.sessionExpiresAt as string);
    expect(sessionEnds).toBeGreaterThanOrEqual(before + 12 * 3600_000 - 1000);
    expect(sessionEnds).toBeLessThanOrEqual(Date.now() + 12 * 3600_000);
    expect(Date.parse(info.accessTokenExpiresAt as string)).toBeLessThanOrEqual(Date.now() + server.config.auth.accessTokenTtlSeconds * 1000);

    const plain = await post('/ide/session/renew', {}, cookieHeader(jar));
    expect(Object.keys(setCookiesOf(plain))).toEqual(['wanjia_ide_access']);
    expect(setCookiesOf(plain).wanjia_ide_access!.attributes).toEqual({ path: '/', httponly: true, samesite: 'Strict' });
  });

  it('over HTTPS names the cookies __Host- and __Secure- (Secure), and reads no cookie of the plain names there', async () => {
    // Behind the TLS proxy (trusted for one hop).
    const tls = { 'x-forwarded-proto': 'https' };
    const overTls = await signIn('analyst', 'wanjia-analyst-demo', tls);
    const cookies = setCookiesOf(overTls.response);
    expect(Object.keys(cookies).sort()).toEqual(['__Host-wanjia_ide_access', '__Secure-wanjia_ide_refresh']);
    // __Host-: Secure, Path=/, no Domain, or the browser drops it.
    expect(cookies['__Host-wanjia_ide_access']!.attributes).toEqual({ path: '/', httponly: true, samesite: 'Strict', secure: true });
    expect(cookies['__Secure-wanjia_ide_refresh']!.attributes).toEqual({ path: '/ide/session', httponly: true, samesite: 'Strict', secure: true });
    const renewed = await post('/ide/session/renew', {}, { ...cookieHeader(overTls.jar), ...tls });
    expect(renewed.status).toBe(200);
    expect(setCookiesOf(renewed)['__Host-wanjia_ide_access']!.attributes).toEqual({ path: '/', httponly: true, samesite: 'Strict', secure: true });
    expect((await graphql(ME, { ...cookieHeader(overTls.jar), ...SAME_ORIGIN, ...tls })).data!.me.username).toBe('analyst');
    const check = await fetch(`${server.url}/ide/session`, { headers: { ...cookieHeader(overTls.jar), ...SAME_ORIGIN, ...tls } });
    expect(check.status).toBe(200);

    // The same tokens under the plain names (what a sibling host or a plain-HTTP page can plant) are nobody's over HTTPS.
    const planted = cookieHeader({ ...overTls.jar, secure: false });
    expect((await graphql(ME, { ...planted, ...SAME_ORIGIN, ...tls })).errors![0]!.message).toBe('Sign in first');
    expect((await fetch(`${server.url}/ide/session`, { headers: { ...planted, ...SAME_ORIGIN, ...tls } })).status).toBe(401);
    expect((await post('/ide/session/renew', {}, { ...planted, ...tls })).status).toBe(401);
    // And a plain-HTTP request reads the plain names only.
    expect((await graphql(ME, { ...cookieHeader(overTls.jar), ...SAME_ORIGIN })).errors![0]!.message).toBe('Sign in first');

    // Signing out over HTTPS clears the prefixed cookies, Secure (a browser refuses to touch a __Host- cookie otherwise).
    const end = await post('/ide/session/end', {}, { ...cookieHeader(overTls.jar), ...tls });
    expect(end.status).toBe(204);
    const cleared = setCookiesOf(end);
    expect(Object.keys(cleared).sort()).toEqual(['__Host-wanjia_ide_access', '__Secure-wanjia_ide_refresh']);
    expect(cleared['__Host-wanjia_ide_access']).toMatchObject({ value: '', attributes: { path: '/', secure: true } });
    expect(cleared['__Secure-wanjia_ide_refresh']).toMatchObject({ value: '', attributes: { path: '/ide/session', secure: true } });
  });

  it('sets the HTTPS cookies when PUBLIC_URL is https, behind a TLS proxy the server was not told to trust', async () => {
    const behindProxy = await startApp(orm, database, (config) => ({ ...config, trustProxy: false, publicUrl: 'https://ide.wanjia.example' }));
    try {
      const response = await fetch(`${behindProxy.url}/ide/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': newAddress(), origin: 'https://ide.wanjia.example' },
        body: JSON.stringify({ username: 'analyst', password: 'wanjia-analyst-demo' }),
      });
      expect(response.status).toBe(200);
      const cookies = setCookiesOf(response);
      expect(Object.keys(cookies).sort()).toEqual(['__Host-wanjia_ide_access', '__Secure-wanjia_ide_refresh']);
      expect(cookies['__Host-wanjia_ide_access']!.attributes).toEqual({ path: '/', httponly: true, samesite: 'Strict', secure: true });
      expect(cookies['__Secure-wanjia_ide_refresh']!.attributes).toEqual({ path: '/ide/session', httponly: true, samesite: 'Strict', secure: true });
      const jar: Jar = { access: cookies['__Host-wanjia_ide_access']!.value, refresh: cookies['__Secure-wanjia_ide_refresh']!.value, secure: true };
      const me = await fetch(`${behindProxy.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...cookieHeader(jar), ...SAME_ORIGIN },
        body: JSON.stringify({ query: ME }),
      });
      expect(((await me.json()) as GraphQLBody<{ me: { username: string } }>).data!.me.username).toBe('analyst');
      const plainNames = await fetch(`${behindProxy.url}/ide/session`, { headers: { ...cookieHeader({ ...jar, secure: false }), ...SAME_ORIGIN } });
      expect(plainNames.status).toBe(401);
    } finally {
      await behindProxy.close();
    }
  });

  it('caps the session at REFRESH_TOKEN_TTL_DAYS, and reads IDE_SESSION_HOURS from the environment', async () => {
    expect(loadConfig({ NODE_ENV: 'test' }).auth.ideSessionHours).toBe(12);
    expect(loadConfig({ NODE_ENV: 'test', IDE_SESSION_HOURS: '8' }).auth.ideSessionHours).toBe(8);
    expect(() => loadConfig({ NODE_ENV: 'test', IDE_SESSION_HOURS: '0' })).toThrow(/IDE_SESSION_HOURS/);
    const auth = server.config.auth;
    const saved = { ideSessionHours: auth.ideSessionHours, refreshTokenTtlDays: auth.refreshTokenTtlDays };
    try {
      Object.assign(auth, { ideSessionHours: 72, refreshTokenTtlDays: 1 });
      const { info } = await signIn('analyst', 'wanjia-analyst-demo');
      expect(Date.parse(info.sessionExpiresAt as string)).toBeLessThanOrEqual(Date.now() + 24 * 3600_000);
      expect(Date.parse(info.sessionExpiresAt as string)).toBeGreaterThan(Date.now() + 23 * 3600_000);
    } finally {
      Object.assign(auth, saved);
    }
  });

  it('signs in GraphQL POSTs with the cookie only with the same-origin proof', async () => {
    const { jar } = await signIn('pingshan-admin', 'wanjia-pingshan-demo');
    const cookie = cookieHeader({ access: jar.access });
    expect((await graphql(ME, { ...cookie, ...SAME_ORIGIN })).data!.me).toEqual({ username: 'pingshan-admin', role: 'ADMIN' });
    // A browser without Fetch Metadata: its Origin header, when it is this server's.
    expect((await graphql(ME, { ...cookie, origin: server.url })).data!.me.username).toBe('pingshan-admin');

    // Other sites' pages (and sibling hosts of the same site) are anonymous, however many cookies they carry.
    const otherSites: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'https://evil.example' },
      {},
    ];
    for (const proof of otherSites) {
      const refused = await graphql(ME, { ...cookie, ...proof });
      expect(refused.errors![0]).toMatchObject({ message: 'Sign in first', extensions: { code: 'UNAUTHENTICATED' } });
    }
    // A fetch-metadata header wins over an Origin header that looks right.
    expect(codeOf(await graphql(ME, { ...cookie, 'sec-fetch-site': 'cross-site', origin: server.url }))).toBe('UNAUTHENTICATED');

    // GET is anonymous too, even with Apollo's preflight header and the proof.
    const viaGet = await fetch(`${server.url}/graphql?query=${encodeURIComponent(ME)}`, {
      headers: { ...cookie, ...SAME_ORIGIN, accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(codeOf((await viaGet.json()) as GraphQLBody<unknown>)).toBe('UNAUTHENTICATED');
  });

  it('keeps Apollo’s CSRF prevention on: a GET without a preflight header is refused before anything runs', async () => {
    const response = await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/CSRF/i);
  });

  /** An access token of the API's own `login` (no IDE session in it). */
  async function apiLogin(username: string, password: string): Promise<{ accessToken: string; refreshToken: string }> {
    const login = await server.graphql<{ login: { accessToken: string; refreshToken: string } }>(
      'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken refreshToken } }',
      { u: username, p: password },
      { 'x-forwarded-for': newAddress() },
    );
    return login.data!.login;
  }

  it('lets an Authorization header win over the cookie, a malformed one included', async () => {
    const analyst = await signIn('analyst', 'wanjia-analyst-demo');
    const bearer = { authorization: `Bearer ${(await apiLogin('admin', 'wanjia-admin-demo')).accessToken}` };
    expect((await graphql(ME, { ...cookieHeader(analyst.jar), ...SAME_ORIGIN, ...bearer })).data!.me.username).toBe('admin');
    const malformed = await graphql(ME, { ...cookieHeader(analyst.jar), ...SAME_ORIGIN, authorization: 'Token nonsense' });
    expect(malformed.errors![0]).toMatchObject({ message: 'Access token invalid', extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('refuses an IDE session token sent as a Bearer header, on /graphql and the HTTP routes alike', async () => {
    // A cookie harvested by another service on the same host (cookies ignore ports), replayed with curl.
    const { jar } = await signIn('analyst', 'wanjia-analyst-demo');
    const harvested = { authorization: `Bearer ${jar.access}` };
    const ideOnlyMessage = 'An IDE session token is only valid in the IDE (IDE 登录凭证只能在 IDE 中使用)';
    const replayed = await graphql(ME, harvested);
    expect(replayed.data?.me ?? null).toBeNull();
    expect(replayed.errors![0]).toMatchObject({ message: ideOnlyMessage, extensions: { code: 'UNAUTHENTICATED' } });
    // From the IDE's own origin, with the cookie beside it, the header still decides, and is refused.
    const besideCookie = await graphql(ME, { ...harvested, ...cookieHeader(jar), ...SAME_ORIGIN });
    expect(besideCookie.errors![0]).toMatchObject({ message: ideOnlyMessage, extensions: { code: 'UNAUTHENTICATED' } });

    // The HTTP routes: an export link (the header first, then the cookie) and a photo (the header only).
    const exported = await graphql<{ exportReport: { csvUrl: string } }>('mutation { exportReport(kind: OVERVIEW) { csvUrl } }', {
      ...cookieHeader(jar),
      ...SAME_ORIGIN,
    });
    const csvUrl = exported.data!.exportReport.csvUrl;
    const refusedAnswer = async (response: Response) => ({ status: response.status, ...((await response.json()) as { error: object }) });
    const ideOnly = { error: { code: 'UNAUTHENTICATED', message: ideOnlyMessage } };
    expect(await refusedAnswer(await fetch(csvUrl, { headers: harvested }))).toEqual({ status: 401, ...ideOnly });
    expect(await refusedAnswer(await fetch(`${server.url}/photos/${'0'.repeat(64)}`, { headers: harvested }))).toEqual({ status: 401, ...ideOnly });
    // The same token in its cookie, from the IDE's page, is the caller of that very link.
    expect((await fetch(csvUrl, { headers: { ...cookieHeader(jar), ...SAME_ORIGIN } })).status).toBe(200);
    expect((await graphql(ME, { ...cookieHeader(jar), ...SAME_ORIGIN })).data!.me.username).toBe('analyst');
    // The API's own tokens are Bearer tokens as before.
    const api = await apiLogin('analyst', 'wanjia-analyst-demo');
    expect((await graphql(ME, { authorization: `Bearer ${api.accessToken}` })).data!.me.username).toBe('analyst');
  });

  it('ignores a cookie that is not one the routes set: tampered, planted twice, or of another sign-in', async () => {
    const { jar } = await signIn('analyst', 'wanjia-analyst-demo');
    const [header, payload, signature] = jar.access.split('.');
    const tampered = `${header}.${payload}.${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await graphql(ME, { cookie: `wanjia_ide_access=${tampered}`, ...SAME_ORIGIN })).errors![0]!.message).toBe('Access token invalid');
    const twice = { cookie: `wanjia_ide_access=${jar.access}; wanjia_ide_access=${jar.access}` };
    expect((await graphql(ME, { ...twice, ...SAME_ORIGIN })).errors![0]!.message).toBe('Access token invalid');
    // The API's own login token is not an IDE session's: its cookie is refused.
    const apiTokens = await apiLogin('analyst', 'wanjia-analyst-demo');
    expect((await graphql(ME, { cookie: `wanjia_ide_access=${apiTokens.accessToken}`, ...SAME_ORIGIN })).errors![0]!.message).toBe('Access token invalid');
    // Nor is the API's refresh token renewed here, and the IDE's is not rotated by the API's refreshToken mutation.
    expect((await post('/ide/session/renew', {}, { cookie: `wanjia_ide_refresh=${apiTokens.refreshToken}` })).status).toBe(401);
    const rotated = await server.graphql(
      'mutation ($t: String!) { refreshToken(refreshToken: $t) { accessToken } }',
      { t: jar.refresh },
      {
        'x-forwarded-for': newAddress(),
      },
    );
    expect(codeOf(rotated)).toBe('UNAUTHENTICATED');
    expect((await post('/ide/session/renew', {}, cookieHeader(jar))).status).toBe(200);
  });

  it('answers GET /ide/session for the cookie’s caller, 401 without one or from another site', async () => {
    const { jar, info } = await signIn('analyst', 'wanjia-analyst-demo');
    const check = (headers: Record<string, string>) => fetch(`${server.url}/ide/session`, { headers });
    const mine = await check({ ...cookieHeader(jar), ...SAME_ORIGIN });
    expect(mine.status).toBe(200);
    expect(await mine.json()).toEqual(info);
    const nobody = await check({});
    expect(nobody.status).toBe(401);
    expect(await nobody.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'Sign in first' } });
    expect((await check({ ...cookieHeader(jar), 'sec-fetch-site': 'cross-site' })).status).toBe(401);
  });

  it('renews the access token without rotating the refresh token, from several pages at once', async () => {
    const { jar, info } = await signIn('analyst', 'wanjia-analyst-demo');
    const pages = await Promise.all(Array.from({ length: 6 }, () => post('/ide/session/renew', {}, cookieHeader(jar))));
    for (const page of pages) {
      expect(page.status).toBe(200);
      const cookies = setCookiesOf(page);
      // A new access cookie, and the refresh cookie left as it is (nothing for the other pages to race).
      expect(Object.keys(cookies)).toEqual(['wanjia_ide_access']);
      const renewed = (await page.json()) as Record<string, string>;
      expect(renewed.sessionExpiresAt).toBe(info.sessionExpiresAt);
      expect(Date.parse(renewed.accessTokenExpiresAt!)).toBeGreaterThanOrEqual(Date.parse(info.accessTokenExpiresAt as string));
      const me = await graphql(ME, { ...cookieHeader({ access: cookies.wanjia_ide_access!.value }), ...SAME_ORIGIN });
      expect(me.data!.me.username).toBe('analyst');
    }
    expect((await post('/ide/session/renew', {}, cookieHeader(jar))).status).toBe(200);
    // Renewal needs the proof and JSON like the other POSTs.
    expect((await post('/ide/session/renew', {}, { ...cookieHeader(jar), 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await post('/ide/session/renew', {}, { ...cookieHeader(jar), 'content-type': 'text/plain' })).status).toBe(415);
  });

  it('ends the session on sign-out: renewal answers 401, and the old access cookie is refused on the very next request', async () => {
    const { jar } = await signIn('analyst', 'wanjia-analyst-demo');
    const cookie = { ...cookieHeader(jar), ...SAME_ORIGIN };
    // Read as live just before: signing out must not wait for that reading to age.
    expect((await graphql(ME, cookie)).data!.me.username).toBe('analyst');
    const end = await post('/ide/session/end', {}, cookieHeader(jar));
    expect(end.status).toBe(204);
    const cleared = setCookiesOf(end);
    expect(cleared.wanjia_ide_access).toMatchObject({ value: '', attributes: { path: '/', httponly: true, samesite: 'Strict' } });
    expect(cleared.wanjia_ide_refresh).toMatchObject({ value: '', attributes: { path: '/ide/session', httponly: true, samesite: 'Strict' } });
    expect(Date.parse(cleared.wanjia_ide_access!.attributes.expires as string)).toBeLessThan(Date.now());

    expect((await graphql(ME, cookie)).errors![0]).toMatchObject({ message: 'Access token invalid', extensions: { code: 'UNAUTHENTICATED' } });
    const renew = await post('/ide/session/renew', {}, cookieHeader(jar));
    expect(renew.status).toBe(401);
    expect(((await renew.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    expect(Object.keys(setCookiesOf(renew)).sort()).toEqual(['wanjia_ide_access', 'wanjia_ide_refresh']);
    expect((await fetch(`${server.url}/ide/session`, { headers: cookie })).status).toBe(401);
    // Signing out twice, or with no session at all, is fine.
    expect((await post('/ide/session/end', {}, cookieHeader(jar))).status).toBe(204);
    expect((await post('/ide/session/end', {})).status).toBe(204);
    expect((await post('/ide/session/end', {}, { ...cookieHeader(jar), 'sec-fetch-site': 'cross-site' })).status).toBe(403);
  });

  it('signs out by either cookie: one missing, planted twice or altered, the other still ends the session', async () => {
    const ended = async (jar: Jar) => {
      const renew = await post('/ide/session/renew', {}, cookieHeader({ refresh: jar.refresh }));
      const me = await graphql(ME, { ...cookieHeader({ access: jar.access }), ...SAME_ORIGIN });
      return renew.status === 401 && codeOf(me) === 'UNAUTHENTICATED';
    };
    const expectCleared = (response: Response) => expect(Object.keys(setCookiesOf(response)).sort()).toEqual(['wanjia_ide_access', 'wanjia_ide_refresh']);

    // No refresh cookie (the page's Path=/ cookie only): the access cookie names the session.
    const accessOnly = (await signIn('analyst', 'wanjia-analyst-demo')).jar;
    const byAccess = await post('/ide/session/end', {}, cookieHeader({ access: accessOnly.access }));
    expect(byAccess.status).toBe(204);
    expectCleared(byAccess);
    expect(await ended(accessOnly)).toBe(true);

    // The refresh cookie twice (another was planted beside it): which is ours cannot be told; the access cookie decides.
    const planted = (await signIn('analyst', 'wanjia-analyst-demo')).jar;
    const stranger = (await signIn('admin', 'wanjia-admin-demo')).jar;
    const twice = `wanjia_ide_refresh=${stranger.refresh}; wanjia_ide_refresh=${planted.refresh}; wanjia_ide_access=${planted.access}`;
    const byAccessBesideTwo = await post('/ide/session/end', {}, { cookie: twice });
    expect(byAccessBesideTwo.status).toBe(204);
    expectCleared(byAccessBesideTwo);
    expect(await ended(planted)).toBe(true);
    expect(await ended(stranger)).toBe(false);

    // An access cookie that ran out while the page sat idle still names its session (signed by this server).
    const idle = (await signIn('analyst', 'wanjia-analyst-demo')).jar;
    const claims = JSON.parse(Buffer.from(idle.access.split('.')[1]!, 'base64url').toString()) as { sid: string };
    const em = orm.em.fork();
    const analyst = await em.findOneOrFail(UserAccount, { username: 'analyst' }, { populate: ['scopeRegion'] });
    const expired = await signAccessToken(actorOf(analyst), server.config.auth.jwtSecret, -60, { ideSessionFamily: claims.sid });
    expect(codeOf(await graphql(ME, { ...cookieHeader({ access: expired.token }), ...SAME_ORIGIN }))).toBe('UNAUTHENTICATED');
    expect((await post('/ide/session/end', {}, cookieHeader({ access: expired.token }))).status).toBe(204);
    expect(await ended(idle)).toBe(true);

    // An altered access cookie beside a good refresh cookie: the refresh cookie ends it.
    const altered = (await signIn('analyst', 'wanjia-analyst-demo')).jar;
    const byRefresh = await post('/ide/session/end', {}, cookieHeader({ ...altered, access: withAlteredSignature(altered.access) }));
    expect(byRefresh.status).toBe(204);
    expect(await ended(altered)).toBe(true);
  });

  it('does not answer 204 to a sign-out whose cookies name no session, and a forged cookie ends nobody’s', async () => {
    const victim = (await signIn('admin', 'wanjia-admin-demo')).jar;
    const refused = async (cookie: string) => {
      const response = await post('/ide/session/end', {}, { cookie });
      // The cookies are cleared all the same: the browser keeps nothing of a session it cannot end.
      expect(Object.keys(setCookiesOf(response)).sort()).toEqual(['wanjia_ide_access', 'wanjia_ide_refresh']);
      return { status: response.status, ...((await response.json()) as { error: { code: string; field: string } }).error };
    };
    // The refresh cookie twice and no access cookie: nothing can say which session this browser holds.
    expect(await refused(`wanjia_ide_refresh=${victim.refresh}; wanjia_ide_refresh=${victim.refresh}`)).toMatchObject({
      status: 400,
      code: 'BAD_REQUEST',
      field: 'wanjia_ide_refresh',
      message: expect.stringMatching(/nothing was signed out/),
    });
    // A refresh token of no session, an access cookie signed by someone else naming the victim's session.
    expect(await refused(`wanjia_ide_refresh=${'x'.repeat(43)}`)).toMatchObject({ status: 400, field: 'wanjia_ide_refresh' });
    const [header, payload] = victim.access.split('.');
    expect(await refused(`wanjia_ide_access=${header}.${payload}.${'A'.repeat(43)}`)).toMatchObject({ status: 400, field: 'wanjia_ide_access' });
    const api = await apiLogin('admin', 'wanjia-admin-demo');
    expect(await refused(`wanjia_ide_access=${api.accessToken}`)).toMatchObject({ status: 400, field: 'wanjia_ide_access' });
    // None of it touched the victim's session.
    expect((await post('/ide/session/renew', {}, cookieHeader(victim))).status).toBe(200);
    expect((await graphql(ME, { ...cookieHeader(victim), ...SAME_ORIGIN })).data!.me.username).toBe('admin');
  });

  it('ends the session a new sign-in in the same browser replaces', async () => {
    const first = await signIn('analyst', 'wanjia-analyst-demo');
    const second = await signIn('admin', 'wanjia-admin-demo', cookieHeader(first.jar));
    expect((await post('/ide/session/renew', {}, cookieHeader(first.jar))).status).toBe(401);
    expect((await post('/ide/session/renew', {}, cookieHeader(second.jar))).status).toBe(200);
    // Named by the access cookie alone (the refresh cookie planted twice), it is ended all the same.
    const plantedTwice = `wanjia_ide_refresh=${second.jar.refresh}; wanjia_ide_refresh=${first.jar.refresh}; wanjia_ide_access=${second.jar.access}`;
    const third = await signIn('analyst', 'wanjia-analyst-demo', { cookie: plantedTwice });
    expect((await post('/ide/session/renew', {}, cookieHeader(second.jar))).status).toBe(401);
    expect((await post('/ide/session/renew', {}, cookieHeader(third.jar))).status).toBe(200);
  });

  it('refuses cadres, wrong passwords and malformed sign-ins, naming the field, with nothing written', async () => {
    const em = orm.em.fork();
    await createAccount(em, { role: Role.CADRE, username: 'ide-cadre-with-password', password: 'a-cadre-password-2026' });
    const before = await writtenState();
    const refusal = async (body: unknown, headers: Record<string, string> = {}) => {
      const response = await post('/ide/session', body, headers);
      expect(response.headers.getSetCookie()).toEqual([]);
      return { status: response.status, error: ((await response.json()) as { error: Record<string, unknown> }).error };
    };
    expect(await refusal({ username: 'ide-cadre-with-password', password: 'a-cadre-password-2026' })).toMatchObject({
      status: 403,
      error: { code: 'FORBIDDEN', message: expect.stringMatching(/WeChat/) },
    });
    const generic = { status: 401, error: { code: 'UNAUTHENTICATED', message: 'Wrong username or password' } };
    expect(await refusal({ username: 'analyst', password: 'not-the-password' })).toEqual(generic);
    expect(await refusal({ username: 'nobody-here', password: 'whatever' })).toEqual(generic);
    expect(await refusal({ username: 'analyst' })).toMatchObject({ status: 400, error: { code: 'BAD_USER_INPUT', field: 'password' } });
    expect(await refusal({ username: ' ', password: 'x' })).toMatchObject({ status: 400, error: { code: 'BAD_USER_INPUT', field: 'username' } });
    expect(await refusal({ password: 'x' })).toMatchObject({ status: 400, error: { field: 'username' } });
    expect(await refusal({ username: 'analyst', password: 'wanjia-analyst-demo', newPassword: 'a-new-password-2026' })).toMatchObject({
      status: 400,
      error: { field: 'newPassword' },
    });
    expect(await refusal({ username: 'analyst', password: 'wanjia-analyst-demo', role: 'ADMIN' })).toMatchObject({ status: 400, error: { field: 'role' } });
    expect(await refusal(['analyst'])).toMatchObject({ status: 400, error: { code: 'BAD_USER_INPUT' } });
    // Another site's page, a form post, broken JSON, a body too large.
    expect(await refusal({ username: 'analyst', password: 'wanjia-analyst-demo' }, { 'sec-fetch-site': 'cross-site' })).toMatchObject({
      status: 403,
      error: { code: 'FORBIDDEN' },
    });
    expect(await refusal({ username: 'analyst', password: 'wanjia-analyst-demo' }, { 'sec-fetch-site': '', origin: 'https://evil.example' })).toMatchObject({
      status: 403,
    });
    expect(await refusal('username=analyst', { 'content-type': 'application/x-www-form-urlencoded' })).toMatchObject({ status: 415 });
    const broken = await fetch(`${server.url}/ide/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...SAME_ORIGIN },
      body: '{"username":',
    });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    expect(await refusal({ username: 'analyst', password: 'x'.repeat(20_000) })).toMatchObject({ status: 413, error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(await writtenState()).toEqual(before);
  });

  it('locks a name after repeated failures (429 with Retry-After), as login does', async () => {
    await createAccount(orm.em.fork(), { role: Role.ANALYST, username: 'ide-lockable', password: 'a-lockable-password-2026' });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await post('/ide/session', { username: 'ide-lockable', password: `wrong-${attempt}` })).status).toBe(401);
    }
    const locked = await post('/ide/session', { username: 'ide-lockable', password: 'a-lockable-password-2026' });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(50);
    expect(locked.headers.getSetCookie()).toEqual([]);
  });

  it('replaces a one-time password at sign-in (PASSWORD_CHANGE_REQUIRED first), writing nothing until it is replaced', async () => {
    const em = orm.em.fork();
    const analyst = await createAccount(em, { role: Role.ANALYST, username: 'ide-one-time', password: 'a-first-password-2026' });
    const admin = await em.findOneOrFail(UserAccount, { username: 'admin' }, { populate: ['scopeRegion'] });
    const { oneTimePassword } = await accountService.resetPassword(em, analyst, { actor: actorOf(admin), clientAddress: '127.0.0.1' });
    const before = await writtenState();

    const required = await post('/ide/session', { username: 'ide-one-time', password: oneTimePassword });
    expect(required.status).toBe(403);
    expect(await required.json()).toMatchObject({ error: { code: 'PASSWORD_CHANGE_REQUIRED', field: 'newPassword' } });
    expect(required.headers.getSetCookie()).toEqual([]);
    const weak = await post('/ide/session', { username: 'ide-one-time', password: oneTimePassword, newPassword: 'short' });
    expect(weak.status).toBe(400);
    expect(await weak.json()).toMatchObject({ error: { code: 'BAD_USER_INPUT', field: 'newPassword' } });
    expect(await writtenState()).toEqual(before);

    const response = await post('/ide/session', { username: 'ide-one-time', password: oneTimePassword, newPassword: 'my-own-password-2026' });
    expect(response.status).toBe(200);
    const cookies = setCookiesOf(response);
    const me = await graphql(ME, { ...cookieHeader({ access: cookies.wanjia_ide_access!.value }), ...SAME_ORIGIN });
    expect(me.data!.me).toEqual({ username: 'ide-one-time', role: 'ANALYST' });
    const changed = await orm.em.fork().findOneOrFail(UserAccount, { username: 'ide-one-time' });
    expect(changed.mustChangePassword).toBe(false);
    expect((await post('/ide/session', { username: 'ide-one-time', password: oneTimePassword })).status).toBe(401);
    await signIn('ide-one-time', 'my-own-password-2026');
  });

  it('stops renewing, and refuses the access cookie, once the account is deactivated', async () => {
    const em = orm.em.fork();
    const analyst = await createAccount(em, { role: Role.ANALYST, username: 'ide-leaving', password: 'a-leaving-password-2026' });
    const { jar } = await signIn('ide-leaving', 'a-leaving-password-2026');
    expect((await post('/ide/session/renew', {}, cookieHeader(jar))).status).toBe(200);
    const admin = await em.findOneOrFail(UserAccount, { username: 'admin' }, { populate: ['scopeRegion'] });
    await accountService.deactivate(em, analyst, 'left the office', { actor: actorOf(admin), clientAddress: '127.0.0.1' });
    const renew = await post('/ide/session/renew', {}, cookieHeader(jar));
    expect(renew.status).toBe(401);
    expect(Object.keys(setCookiesOf(renew)).sort()).toEqual(['wanjia_ide_access', 'wanjia_ide_refresh']);
    expect(codeOf(await graphql(ME, { ...cookieHeader(jar), ...SAME_ORIGIN }))).toBe('UNAUTHENTICATED');

    // The account's own standing is checked too, not only its revoked tokens.
    const other = await createAccount(em, { role: Role.ANALYST, username: 'ide-switched-off', password: 'a-switched-password-2026' });
    const session = await signIn('ide-switched-off', 'a-switched-password-2026');
    await orm.em.fork().nativeUpdate(UserAccount, { id: other.id }, { active: false });
    expect((await post('/ide/session/renew', {}, cookieHeader(session.jar))).status).toBe(401);
  });

  it('gives a staff cookie session the schema and its suggestions where introspection is on', async () => {
    expect(server.config.introspection).toBe(true);
    const { jar } = await signIn('analyst', 'wanjia-analyst-demo');
    const cookie = { ...cookieHeader(jar), ...SAME_ORIGIN };
    const schema = await graphql<{ __schema: { queryType: { name: string }; types: { name: string }[] } }>(
      '{ __schema { queryType { name } types { name } } }',
      cookie,
    );
    expect(schema.errors).toBeUndefined();
    expect(schema.data!.__schema.queryType.name).toBe('Query');
    expect(schema.data!.__schema.types.map((type) => type.name)).toContain('Household');
    // Suggestions are the staff's only: the cookie's caller is staff to every plugin, an anonymous caller is not.
    expect((await graphql('{ mee { username } }', cookie)).errors![0]!.message).toMatch(/Did you mean "me"\?/);
    expect((await graphql('{ mee { username } }', {})).errors![0]!.message).not.toMatch(/Did you mean/);
  });
});
