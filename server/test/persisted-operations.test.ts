import { createHash } from 'node:crypto';
import type { DatabaseConfig } from '../src/config';
import { loadConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { loadSafelist } from '../src/graphql/limits/safelist';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { ADMIN_PASSWORD, createWorld, type World } from './support/limits-world';
import { codeOf, startLoggedApp, WARN, type LoggedApp } from './support/logged-app';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A query a cadre's token could send by hand, outside the mini-program: in scope, but not safelisted. */
const ARBITRARY = 'query Mine { me { id role } myHouseholds { totalCount } }';

function persisted(name: string): { hash: string; document: string } {
  for (const [hash, document] of loadSafelist()) {
    if (new RegExp(`(query|mutation) ${name}\\b`).test(document)) return { hash, document };
  }
  throw new Error(`${name} is not in shared/persisted-operations.json`);
}

const hashOnly = (hash: string, variables: Record<string, unknown> = {}) => ({ variables, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });

describe('the safelist switch', () => {
  it('enforces in production and is off elsewhere unless SAFELIST_MODE says otherwise', () => {
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'k3Jw9-qPz7Lm2Xv8Rt5Yb1Nc6Hd4Fg0SaEuTi' }).safelistMode).toBe('enforce');
    expect(loadConfig({ NODE_ENV: 'development' }).safelistMode).toBe('off');
    expect(loadConfig({ NODE_ENV: 'development', SAFELIST_MODE: 'enforce' }).safelistMode).toBe('enforce');
    expect(() => loadConfig({ SAFELIST_MODE: 'strict' })).toThrow(/SAFELIST_MODE: must be enforce or off/);
  });
});

describe.each(databaseKinds())('persisted operations on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let world: World;
  let production: LoggedApp;
  let development: LoggedApp;
  let tokens: Record<'admin' | 'analyst' | 'cadre', string>;

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'persisted_ops'));
    world = await createWorld(orm);
    production = await startLoggedApp(orm, database, (config) => ({ ...config, nodeEnv: 'production', safelistMode: 'enforce' }));
    development = await startLoggedApp(orm, database, (config) => ({ ...config, nodeEnv: 'development', safelistMode: 'off' }));
    tokens = await world.tokens(production.config.auth.jwtSecret);
  });

  afterAll(async () => {
    await production?.close();
    await development?.close();
    await orm?.close(true);
    if (database) await dropScratchDatabase(database);
  });

  it('refuses an arbitrary query with a cadre token in production, and logs it; development runs it', async () => {
    const refused = await production.graphql(ARBITRARY, {}, tokens.cadre);
    expect(refused.status).toBe(403);
    expect(refused.body.data).toBeUndefined();
    expect(codeOf(refused)).toBe('OPERATION_NOT_SAFELISTED');
    expect(production.logs).toContainEqual(
      expect.objectContaining({
        level: WARN,
        role: 'CADRE',
        accountId: world.cadreAccountId,
        operationName: 'Mine',
        limit: 'safelist',
        queryHash: sha256(ARBITRARY),
      }),
    );

    const allowed = await development.graphql<{ myHouseholds: { totalCount: number } }>(ARBITRARY, {}, tokens.cadre);
    expect(allowed.body.errors).toBeUndefined();
    expect(allowed.body.data?.myHouseholds.totalCount).toBe(1);
  });

  it('keeps free queries for administrators and analysts in production (the playground)', async () => {
    for (const bearer of [tokens.admin, tokens.analyst]) {
      const answer = await production.graphql<{ regions: { name: string }[] }>('{ regions { name } }', {}, bearer);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data?.regions.map((region) => region.name)).toContain('本溪市');
    }
  });

  it('runs a safelisted operation sent as its hash only, and as its exact text', async () => {
    const myStats = persisted('MyStats');
    const byHash = await production.post<{ myStats: { households: number } }>(hashOnly(myStats.hash), { authorization: `Bearer ${tokens.cadre}` });
    expect(byHash.body.errors).toBeUndefined();
    expect(byHash.body.data?.myStats.households).toBe(1);

    const byText = await production.graphql<{ myStats: { households: number } }>(myStats.document, {}, tokens.cadre);
    expect(byText.body.errors).toBeUndefined();
    expect(byText.body.data?.myStats.households).toBe(1);
  });

  it('answers an unknown hash with PERSISTED_QUERY_NOT_FOUND, and never learns one from a client', async () => {
    const unknown = await production.post(hashOnly(sha256('query Unknown { me { id } }')), { authorization: `Bearer ${tokens.cadre}` });
    expect(codeOf(unknown)).toBe('PERSISTED_QUERY_NOT_FOUND');

    // Apollo's automatic persisted queries would store a text sent with its hash; the safelist does not.
    const registration = { query: ARBITRARY, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(ARBITRARY) } } };
    expect(codeOf(await development.post(registration, { authorization: `Bearer ${tokens.cadre}` }))).toBeUndefined();
    expect(codeOf(await production.post(hashOnly(sha256(ARBITRARY)), { authorization: `Bearer ${tokens.cadre}` }))).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('refuses a text sent with another text’s hash, or an unknown persisted-query version, as BAD_REQUEST', async () => {
    const myStats = persisted('MyStats');
    const mismatched = await production.post(
      { query: ARBITRARY, extensions: { persistedQuery: { version: 1, sha256Hash: myStats.hash } } },
      { authorization: `Bearer ${tokens.cadre}` },
    );
    expect(mismatched.status).toBe(400);
    expect(mismatched.body.errors?.[0]).toMatchObject({ message: 'provided sha does not match query', extensions: { code: 'BAD_REQUEST' } });
    const version2 = await production.post(
      { extensions: { persistedQuery: { version: 2, sha256Hash: myStats.hash } } },
      { authorization: `Bearer ${tokens.cadre}` },
    );
    expect(version2.status).toBe(400);
    expect(codeOf(version2)).toBe('BAD_REQUEST');
  });

  it('lets anonymous callers sign in (the mini-program’s safelisted sign-in, the playground’s password sign-in) and nothing else', async () => {
    const wechat = await production.post(hashOnly(persisted('WechatLogin').hash, { code: 'wx-code' }));
    // Past the safelist: WeChat is not configured in tests, which the resolver itself reports.
    expect(codeOf(wechat)).toBe('FEATURE_DISABLED');

    const signIn = await production.graphql<{ login: { accessToken: string } }>(
      'mutation SignIn($username: String!, $password: String!) { login(username: $username, password: $password) { accessToken account { role } } }',
      { username: 'limits-admin', password: ADMIN_PASSWORD },
    );
    expect(signIn.body.errors).toBeUndefined();
    expect(signIn.body.data?.login.accessToken).toEqual(expect.any(String));

    const snooping = await production.graphql('{ regions { name } }');
    expect(codeOf(snooping)).toBe('OPERATION_NOT_SAFELISTED');
    const mixed = await production.graphql('mutation { login(username: "limits-admin", password: "x") { accessToken } issueBindCode(cadreId: "1") { code } }');
    expect(codeOf(mixed)).toBe('OPERATION_NOT_SAFELISTED');
  });
});
