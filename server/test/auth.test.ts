import { Role } from '@wanjia/shared';
import type { DatabaseConfig } from '../src/config';
import { DEFAULT_DEMO_OPTIONS, seedDemoData } from '../src/seed/demo/demo-data';
import type { Orm } from '../src/db/orm';
import { UserAccount } from '../src/modules/accounts/user-account.entity';
import { AuditEntry } from '../src/modules/audit/audit-entry.entity';
import { Cadre } from '../src/modules/cadres/cadre.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { startFakeWechat, type FakeWechat } from './support/fake-wechat';
import { startApp, type GraphQLBody, type RunningApp } from './support/server';

const LOGIN = 'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken refreshToken account { username role } } }';
const ME = '{ me { role username wechatBound scopeRegion { name } cadre { name } } }';
const REFRESH = 'mutation ($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }';

interface Tokens {
  accessToken: string;
  refreshToken: string;
  account?: { username: string; role: string };
}

function codeOf(body: GraphQLBody<unknown>): unknown {
  return body.errors?.[0]?.extensions?.code;
}

describe.each(databaseKinds())('sign-in on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let wechat: FakeWechat;
  let addressCounter = 0;

  /** Each test speaks from its own client address, so that per-address throttling stays inside the test. */
  const newAddress = () => `10.9.${Math.floor(++addressCounter / 250)}.${addressCounter % 250}`;
  const call = <T>(query: string, variables: Record<string, unknown> = {}, options: { token?: string; address?: string } = {}) =>
    server.graphql<T>(query, variables, {
      'x-forwarded-for': options.address ?? newAddress(),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    });
  const login = async (username: string, password: string, address?: string) => call<{ login: Tokens }>(LOGIN, { u: username, p: password }, { address });

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'auth'));
    await seedDemoData(orm.em.fork(), { ...DEFAULT_DEMO_OPTIONS, households: 40 });
    wechat = await startFakeWechat();
    server = await startApp(orm, database, (config) => ({
      ...config,
      trustProxy: 1,
      auth: { ...config.auth, loginMaxFailures: 3, loginLockSeconds: 60 },
      wechat: { apiBase: wechat.baseUrl, appId: wechat.appId, appSecret: wechat.appSecret },
    }));
  });

  afterAll(async () => {
    await server.close();
    await wechat.close();
    await orm.close(true);
    await dropScratchDatabase(database);
  });

  it('signs in an administrator and answers `me` with the role and scope region', async () => {
    const body = await login('pingshan-admin', 'wanjia-pingshan-demo');
    expect(body.errors).toBeUndefined();
    expect(body.data!.login.account).toEqual({ username: 'pingshan-admin', role: Role.ADMIN });
    const me = await call<{ me: unknown }>(ME, {}, { token: body.data!.login.accessToken });
    expect(me.data!.me).toEqual({ role: 'ADMIN', username: 'pingshan-admin', wechatBound: false, scopeRegion: { name: '平山区' }, cadre: null });
  });

  it('gives one generic error for a wrong password, an unknown user and a cadre account', async () => {
    const wrongPassword = await login('admin', 'not-the-password');
    const unknownUser = await login('nobody-here', 'whatever');
    expect(wrongPassword.errors![0]).toMatchObject({ message: 'Wrong username or password', extensions: { code: 'UNAUTHENTICATED' } });
    expect(unknownUser.errors![0]).toEqual(wrongPassword.errors![0]);
    expect(unknownUser.data).toBeNull();
  });

  it('locks an account name after repeated failures, even for the right password, from any address', async () => {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect(codeOf(await login('analyst', `wrong-${attempt}`))).toBe('UNAUTHENTICATED');
    }
    const locked = await login('analyst', 'wanjia-analyst-demo');
    expect(locked.errors![0]!.extensions).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect(Number(locked.errors![0]!.extensions!.retryAfterSeconds)).toBeGreaterThan(50);
    // Another account is not affected.
    expect((await login('admin', 'wanjia-admin-demo')).errors).toBeUndefined();
  });

  it('locks an address after repeated failures across account names', async () => {
    const address = newAddress();
    for (let attempt = 0; attempt < 12; attempt += 1) {
      expect(codeOf(await login(`guess-${attempt}`, 'password', address))).toBe('UNAUTHENTICATED');
    }
    expect(codeOf(await login('admin', 'wanjia-admin-demo', address))).toBe('TOO_MANY_REQUESTS');
    expect((await login('admin', 'wanjia-admin-demo', newAddress())).errors).toBeUndefined();
  });

  it('rotates refresh tokens, and a reused one ends every session of that sign-in', async () => {
    const first = (await login('admin', 'wanjia-admin-demo')).data!.login;
    const second = await call<{ refreshToken: Tokens }>(REFRESH, { t: first.refreshToken });
    expect(second.errors).toBeUndefined();
    const rotated = second.data!.refreshToken;
    expect(rotated.refreshToken).not.toBe(first.refreshToken);
    expect((await call<{ me: { role: string } }>(ME, {}, { token: rotated.accessToken })).data!.me.role).toBe('ADMIN');

    // The old refresh token, presented again, is treated as stolen: it and its successor stop working.
    const replay = await call(REFRESH, { t: first.refreshToken });
    expect(replay.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    expect(codeOf(await call(REFRESH, { t: rotated.refreshToken }))).toBe('UNAUTHENTICATED');
  });

  it('ends a sign-in on logout', async () => {
    const tokens = (await login('admin', 'wanjia-admin-demo')).data!.login;
    expect((await call<{ logout: boolean }>('mutation ($t: String!) { logout(refreshToken: $t) }', { t: tokens.refreshToken })).data!.logout).toBe(true);
    expect(codeOf(await call(REFRESH, { t: tokens.refreshToken }))).toBe('UNAUTHENTICATED');
  });

  it('refuses a missing, tampered or expired access token with UNAUTHENTICATED', async () => {
    expect((await call(ME)).errors![0]).toMatchObject({ message: 'Sign in first', extensions: { code: 'UNAUTHENTICATED' } });
    const tokens = (await login('admin', 'wanjia-admin-demo')).data!.login;
    const [header, payload, signature] = tokens.accessToken.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'ADMIN', scp: '' })).toString(
      'base64url',
    );
    const forged = await call(ME, {}, { token: `${header}.${forgedPayload}.${signature}` });
    expect(forged.errors![0]).toMatchObject({ message: 'Access token invalid', extensions: { code: 'UNAUTHENTICATED' } });

    const shortLived = await startApp(orm, database, (config) => ({ ...config, auth: { ...config.auth, accessTokenTtlSeconds: 2 } }));
    // Token times are whole seconds: a 2 s lifetime leaves the refreshed token at least 1 s to be used in.
    try {
      const body = await shortLived.graphql<{ login: Tokens }>(LOGIN, { u: 'admin', p: 'wanjia-admin-demo' });
      const token = body.data!.login.accessToken;
      expect((await shortLived.graphql(ME, {}, { authorization: `Bearer ${token}` })).errors).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 3100));
      const expired = await shortLived.graphql(ME, {}, { authorization: `Bearer ${token}` });
      expect(expired.errors![0]).toMatchObject({ message: 'Access token expired; refresh it', extensions: { code: 'UNAUTHENTICATED' } });
      const refreshed = await shortLived.graphql<{ refreshToken: Tokens }>(REFRESH, { t: body.data!.login.refreshToken });
      expect((await shortLived.graphql(ME, {}, { authorization: `Bearer ${refreshed.data!.refreshToken.accessToken}` })).errors).toBeUndefined();
    } finally {
      await shortLived.close();
    }
  });

  it('offers the development sign-in only where DEV_SIGN_IN is on', async () => {
    expect(codeOf(await call('{ developmentCadres { id } }'))).toBe('FEATURE_DISABLED');
    const development = await startApp(orm, database, (config) => ({ ...config, devSignIn: true }));
    try {
      const cadres = await development.graphql<{ developmentCadres: { id: string; name: string }[] }>('{ developmentCadres { id name } }');
      expect(cadres.data!.developmentCadres).toHaveLength(3);
      const signedIn = await development.graphql<{ developmentSignIn: Tokens }>('mutation ($id: ID!) { developmentSignIn(cadreId: $id) { accessToken } }', {
        id: cadres.data!.developmentCadres[0]!.id,
      });
      const me = await development.graphql<{ me: { role: string; cadre: { name: string } } }>(
        ME,
        {},
        { authorization: `Bearer ${signedIn.data!.developmentSignIn.accessToken}` },
      );
      expect(me.data!.me).toMatchObject({ role: 'CADRE', cadre: { name: cadres.data!.developmentCadres[0]!.name } });
    } finally {
      await development.close();
    }
  });

  describe('cadres through WeChat', () => {
    let adminToken: string;
    let cadre: Cadre;

    const issue = async (cadreId: number, token = adminToken) =>
      call<{ issueBindCode: { code: string; expiresAt: string; account: { role: string } } }>(
        'mutation ($id: ID!) { issueBindCode(cadreId: $id) { code expiresAt account { role } } }',
        { id: String(cadreId) },
        { token },
      );
    const bind = (code: string, bindCode: string) =>
      call<{ bindWechat: Tokens }>('mutation ($c: String!, $b: String!) { bindWechat(code: $c, bindCode: $b) { accessToken refreshToken } }', {
        c: code,
        b: bindCode,
      });
    const wechatLogin = (code: string) =>
      call<{ wechatLogin: { status: string; auth: Tokens | null } }>('mutation ($c: String!) { wechatLogin(code: $c) { status auth { accessToken } } }', {
        c: code,
      });

    beforeAll(async () => {
      adminToken = (await login('admin', 'wanjia-admin-demo')).data!.login.accessToken;
      const em = orm.em.fork();
      const bound = await em.find(UserAccount, { cadre: { $ne: null } });
      cadre = await em.findOneOrFail(Cadre, { active: true, id: { $nin: bound.map((account) => account.cadre!.id) } }, { orderBy: { id: 'asc' } });
    });

    it('asks an unbound WeChat user for a bind code, binds with a valid one, then signs in directly', async () => {
      const issued = await issue(cadre.id);
      expect(issued.errors).toBeUndefined();
      const { code, expiresAt } = issued.data!.issueBindCode;
      expect(code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
      const hoursValid = (Date.parse(expiresAt) - Date.now()) / 3_600_000;
      expect(hoursValid).toBeGreaterThan(71.9);
      expect(hoursValid).toBeLessThanOrEqual(72);

      expect((await wechatLogin('code-oCadreOne-1')).data!.wechatLogin).toEqual({ status: 'BIND_REQUIRED', auth: null });
      const wrong = await bind('code-oCadreOne-2', 'AAAAAAAA');
      expect(wrong.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'bindCode' });

      const bound = await bind('code-oCadreOne-3', code.toLowerCase());
      expect(bound.errors).toBeUndefined();
      const me = await call<{ me: { role: string; wechatBound: boolean; cadre: { name: string } } }>(ME, {}, { token: bound.data!.bindWechat.accessToken });
      expect(me.data!.me).toMatchObject({ role: 'CADRE', wechatBound: true, cadre: { name: cadre.name } });

      const again = await wechatLogin('code-oCadreOne-4');
      expect(again.data!.wechatLogin.status).toBe('SIGNED_IN');
      expect(again.data!.wechatLogin.auth!.accessToken).toBeTruthy();

      // Single use: the same code cannot bind another WeChat user.
      expect((await bind('code-oSomeoneElse-1', code)).errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'bindCode' });
      // WeChat was asked with our app id and secret.
      expect(wechat.requests.at(-1)!.searchParams.get('appid')).toBe('wx-test-app');

      const trail = await orm.em.fork().find(AuditEntry, { operation: { $in: ['issueBindCode', 'bindWechat'] } });
      expect(trail.map((entry) => entry.operation).sort()).toEqual(['bindWechat', 'issueBindCode']);
      for (const entry of trail) expect(entry.changes ?? '').not.toContain(code);
    });

    it('refuses an expired bind code and a WeChat code WeChat rejects', async () => {
      const other = await orm.em.fork().findOneOrFail(Cadre, { active: true, id: { $gt: cadre.id } }, { orderBy: { id: 'asc' } });
      const { code } = (await issue(other.id)).data!.issueBindCode;
      await orm.em.fork().nativeUpdate(UserAccount, { cadre: other.id }, { bindCodeExpiresAt: new Date(Date.now() - 1000) });
      expect((await bind('code-oCadreTwo-1', code)).errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'bindCode' });
      const account = await orm.em.fork().findOneOrFail(UserAccount, { cadre: other.id });
      expect(account.wechatOpenid).toBeNull();

      expect((await wechatLogin('forged')).errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'code' });
      expect((await wechatLogin('code-oReplay-1')).data!.wechatLogin.status).toBe('BIND_REQUIRED');
      expect((await wechatLogin('code-oReplay-1')).errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'code' });
    });

    it('lets a district administrator issue bind codes only for cadres of the district', async () => {
      const districtToken = (await login('pingshan-admin', 'wanjia-pingshan-demo')).data!.login.accessToken;
      const em = orm.em.fork();
      const inside = await em.findOneOrFail(Cadre, { active: true, unit: { region: { path: { $like: '210500000000/210502000000/%' } } } });
      const outside = await em.findOneOrFail(Cadre, { active: true, unit: { region: { path: { $like: '210500000000/210503000000/%' } } } });
      expect((await issue(inside.id, districtToken)).errors).toBeUndefined();
      expect(codeOf(await issue(outside.id, districtToken))).toBe('FORBIDDEN');
      expect(codeOf(await issue(999_999, districtToken))).toBe('FORBIDDEN');
    });
  });
});
