import { randomUUID } from 'node:crypto';
import type { AppConfig, DatabaseConfig } from '../src/config';
import { loadConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { ADMIN_PASSWORD, createWorld, type World } from './support/limits-world';
import { codeOf, startLoggedApp, TEST_JWT_SECRET, WARN, type LoggedApp } from './support/logged-app';
import { ISSUE, LOGIN, SUBMIT, expectTooMany, from, limited, per, withRedis } from './support/rate-limits';

describe('rate-limit configuration', () => {
  it('is on by default outside tests, reads budgets as points/seconds, and names a bad value', () => {
    const config = loadConfig({ RATE_LIMIT_RECORDS_PER_ACCOUNT: '120/60', REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(config.rateLimits).toMatchObject({ enabled: true, redisUrl: 'redis://127.0.0.1:6379', recordsPerAccount: { points: 120, durationSeconds: 60 } });
    expect(loadConfig({ NODE_ENV: 'test' }).rateLimits.enabled).toBe(false);
    expect(() => loadConfig({ RATE_LIMIT_WRITES_PER_ACCOUNT: 'lots' })).toThrow(/RATE_LIMIT_WRITES_PER_ACCOUNT: must look like 60\/60/);
    expect(() => loadConfig({ REDIS_URL: 'localhost:6379' })).toThrow(/REDIS_URL: /);
  });

  it('reads the query budgets, and refuses one smaller than a single request’s largest allowed cost', () => {
    expect(
      loadConfig({ RATE_LIMIT_QUERIES_PER_ACCOUNT: '600000/60', RATE_LIMIT_QUERIES_PER_CADRE: '5000000/120', RATE_LIMIT_QUERIES_PER_ADDRESS: '20000/30' })
        .rateLimits,
    ).toMatchObject({
      queriesPerAccount: { points: 600_000, durationSeconds: 60 },
      queriesPerCadre: { points: 5_000_000, durationSeconds: 120 },
      queriesPerAddress: { points: 20_000, durationSeconds: 30 },
    });
    // The cadre's limit (the caseload refresh) is checked against the cadre's budget only: the staff's stays small.
    expect(loadConfig({}).rateLimits).toMatchObject({ queriesPerAccount: { points: 300_000 }, queriesPerCadre: { points: 3_000_000 } });
    expect(() => loadConfig({ RATE_LIMIT_QUERIES_PER_ACCOUNT: '1000/60' })).toThrow(
      /RATE_LIMIT_QUERIES_PER_ACCOUNT: must allow at least the staff's largest query cost limit \(25000\)/,
    );
    expect(() => loadConfig({ RATE_LIMIT_QUERIES_PER_CADRE: '300000/60' })).toThrow(
      /RATE_LIMIT_QUERIES_PER_CADRE: must allow at least the cadre's query cost limit \(2500000\)/,
    );
    expect(() => loadConfig({ RATE_LIMIT_QUERIES_PER_ADDRESS: '100/60' })).toThrow(
      /RATE_LIMIT_QUERIES_PER_ADDRESS: must allow at least the anonymous query cost limit \(5000\)/,
    );
    expect(loadConfig({ RATE_LIMIT_QUERIES_PER_ADDRESS: '100/60', QUERY_LIMITS: '{"ANONYMOUS":{"cost":100}}' }).rateLimits.queriesPerAddress.points).toBe(100);
  });
});

describe.each(databaseKinds())('rate limits on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let world: World;
  let tokens: Record<'admin' | 'analyst' | 'cadre', string>;
  const running: LoggedApp[] = [];

  const start = async (adjust: (config: AppConfig) => AppConfig) => {
    const app = await startLoggedApp(orm, database, adjust);
    running.push(app);
    return app;
  };
  const signIn = (app: LoggedApp, address: string, username = 'limits-admin') =>
    app.post({ query: LOGIN, variables: { u: username, p: ADMIN_PASSWORD } }, from(address));

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'rate_limits'));
    world = await createWorld(orm);
    tokens = await world.tokens(TEST_JWT_SECRET);
  });

  afterAll(async () => {
    for (const app of running) await app.close();
    await orm?.close(true);
    if (database) await dropScratchDatabase(database);
  });

  it('limits sign-in per address, successful or not, with 429, retryAfterSeconds and Retry-After', async () => {
    const app = await start(limited(`${kind}-signin-address`, { signInPerAddress: per(3) }));
    for (let attempt = 0; attempt < 3; attempt += 1) expect((await signIn(app, '10.0.0.1')).body.errors).toBeUndefined();
    expectTooMany(await signIn(app, '10.0.0.1'), 'signInPerAddress');
    // Another address has its own budget.
    expect((await signIn(app, '10.0.0.2')).body.errors).toBeUndefined();
    expect(app.logs).toContainEqual(expect.objectContaining({ level: WARN, budget: 'signInPerAddress', clientAddress: '10.0.0.1', role: 'ANONYMOUS' }));
  });

  it('limits sign-in per account name across addresses', async () => {
    const app = await start(limited(`${kind}-signin-account`, { signInPerAccount: per(2) }));
    expect((await signIn(app, '10.0.1.1')).body.errors).toBeUndefined();
    expect((await signIn(app, '10.0.1.2')).body.errors).toBeUndefined();
    expectTooMany(await signIn(app, '10.0.1.3', 'LIMITS-ADMIN'), 'signInPerAccount');
    expect(codeOf(await signIn(app, '10.0.1.3', 'limits-analyst'))).toBeUndefined();
  });

  it('limits writes per account, gives a cadre’s records a budget of their own, and does not count reads as writes', async () => {
    const app = await start(limited(`${kind}-writes`, { writesPerAccount: per(2), recordsPerAccount: per(3) }));
    const issue = () => app.post({ query: ISSUE, variables: { id: String(world.cadreId) } }, from('10.0.2.1', tokens.admin));
    expect(codeOf(await issue())).toBeUndefined();
    expect(codeOf(await issue())).toBeUndefined();
    expectTooMany(await issue(), 'writesPerAccount');

    const submit = () =>
      app.post(
        {
          query: SUBMIT,
          variables: {
            input: {
              clientId: randomUUID(),
              householdId: String(world.householdId),
              occurredAt: new Date().toISOString(),
              kinds: ['VISIT'],
              summary: '入户走访',
            },
          },
        },
        from('10.0.2.2', tokens.cadre),
      );
    for (let record = 0; record < 3; record += 1) expect((await submit()).body.errors).toBeUndefined();
    expectTooMany(await submit(), 'recordsPerAccount');

    for (let read = 0; read < 5; read += 1) expect(codeOf(await app.post({ query: '{ me { id } }' }, from('10.0.2.2', tokens.cadre)))).toBeUndefined();
  });

  it('counts each aliased mutation in one request, and limits writes per address', async () => {
    const app = await start(limited(`${kind}-aliases`, { writesPerAccount: per(2), writesPerAddress: per(3) }));
    const twice = `mutation Twice($id: ID!) { a: issueBindCode(cadreId: $id) { code } b: issueBindCode(cadreId: $id) { code } }`;
    expect(codeOf(await app.post({ query: twice, variables: { id: String(world.cadreId) } }, from('10.0.3.1', tokens.admin)))).toBeUndefined();
    expectTooMany(await app.post({ query: ISSUE, variables: { id: String(world.cadreId) } }, from('10.0.3.2', tokens.admin)), 'writesPerAccount');

    // Signing out needs no account: such writes count per address only.
    const signOut = () => app.post({ query: 'mutation { logout(refreshToken: "not-a-token") }' }, from('10.0.3.3'));
    for (let write = 0; write < 3; write += 1) expect(codeOf(await signOut())).toBeUndefined();
    expectTooMany(await signOut(), 'writesPerAddress');
  });

  it('counts mutations however the document spells them: named and inline fragments, @include, aliases; not what @skip leaves out', async () => {
    const app = await start(limited(`${kind}-spellings`, { writesPerAccount: per(5) }));
    const id = String(world.cadreId);
    const send = (query: string, variables: Record<string, unknown> = {}) =>
      app.post({ query, variables: { id, ...variables } }, from('10.0.7.1', tokens.admin));
    expect(codeOf(await send('mutation ($id: ID!) { ...Issue } fragment Issue on Mutation { issueBindCode(cadreId: $id) { code } }'))).toBeUndefined();
    expect(codeOf(await send('mutation ($id: ID!) { ... on Mutation { issueBindCode(cadreId: $id) { code } } }'))).toBeUndefined();
    expect(
      codeOf(
        await send(
          'mutation ($id: ID!, $on: Boolean!) { ... @include(if: $on) { a: issueBindCode(cadreId: $id) { code } b: issueBindCode(cadreId: $id) { code } } }',
          { on: true },
        ),
      ),
    ).toBeUndefined();
    // Skipped: nothing runs, nothing is charged.
    expect(
      codeOf(await send('mutation ($id: ID!, $off: Boolean!) { __typename issueBindCode(cadreId: $id) @skip(if: $off) { code } }', { off: true })),
    ).toBeUndefined();
    expect(codeOf(await send(ISSUE))).toBeUndefined();
    expectTooMany(await send(ISSUE), 'writesPerAccount');
  });

  it('charges a sign-in to the account name it runs with: a variable default, or inside a fragment', async () => {
    const app = await start(limited(`${kind}-signin-default`, { signInPerAccount: per(2) }));
    const byDefault = 'mutation ($u: String = "limits-admin", $p: String!) { login(username: $u, password: $p) { accessToken } }';
    expect(codeOf(await app.post({ query: byDefault, variables: { p: ADMIN_PASSWORD } }, from('10.0.8.1')))).toBeUndefined();
    const inFragment = 'mutation ($p: String!) { ...In } fragment In on Mutation { login(username: " limits-admin", password: $p) { accessToken } }';
    expect(codeOf(await app.post({ query: inFragment, variables: { p: ADMIN_PASSWORD } }, from('10.0.8.2')))).toBeUndefined();
    expectTooMany(await app.post({ query: byDefault, variables: { p: ADMIN_PASSWORD } }, from('10.0.8.3')), 'signInPerAccount');
  });

  it('gives every signed-in account a query budget by cost, and anonymous callers one per address', async () => {
    const app = await start(limited(`${kind}-queries`, { queriesPerAccount: per(500), queriesPerCadre: per(50), queriesPerAddress: per(30) }));
    // { me { id role } }: cost 5. A hundred fit the budget of 500, the next does not; another account has its own.
    const me = () => app.post({ query: '{ me { id role } }' }, from('10.0.9.1', tokens.analyst));
    for (let read = 0; read < 100; read += 1) expect(codeOf(await me())).toBeUndefined();
    expectTooMany(await me(), 'queriesPerAccount');
    // A cadre counts against the cadre's budget (here 50: ten reads), not the staff's.
    const cadreMe = () => app.post({ query: '{ me { id role } }' }, from('10.0.9.1', tokens.cadre));
    for (let read = 0; read < 10; read += 1) expect(codeOf(await cadreMe())).toBeUndefined();
    expectTooMany(await cadreMe(), 'queriesPerCadre');
    // A costly read spends the budget faster: a page of 10 (cost 418, its statement included) fits once.
    const costly = '{ households(first: 10) { nodes { id headName address } } }';
    expect(codeOf(await app.post({ query: costly }, from('10.0.9.2', tokens.admin)))).toBeUndefined();
    expectTooMany(await app.post({ query: costly }, from('10.0.9.2', tokens.admin)), 'queriesPerAccount');

    const anonymous = () => app.post({ query: '{ __typename }' }, from('10.0.9.3'));
    for (let read = 0; read < 30; read += 1) expect(codeOf(await anonymous())).toBeUndefined();
    expectTooMany(await anonymous(), 'queriesPerAddress');
    expect(codeOf(await app.post({ query: '{ __typename }' }, from('10.0.9.4')))).toBeUndefined();
    expect(app.logs).toContainEqual(expect.objectContaining({ level: WARN, budget: 'queriesPerAccount', role: 'ANALYST' }));
  });

  it('counts in each instance’s memory without Redis: two instances do not share', async () => {
    const alone = limited(`${kind}-alone`, { signInPerAddress: per(2) });
    const first = await start(alone);
    const second = await start(alone);
    expect(first.app).not.toBe(second.app);
    for (const app of [first, second]) {
      expect(codeOf(await signIn(app, '10.0.5.1'))).toBeUndefined();
      expect(codeOf(await signIn(app, '10.0.5.1'))).toBeUndefined();
      expectTooMany(await signIn(app, '10.0.5.1'), 'signInPerAddress');
    }
  });

  it('keeps signing in when Redis is down: falls back to memory and says so in the log', async () => {
    // Nothing listens on port 1: every Redis command fails at once.
    const down = withRedis(limited(`${kind}-down`, { signInPerAddress: per(2) }), 'redis://127.0.0.1:1');
    const app = await start(down);
    expect((await signIn(app, '10.0.6.1')).body.errors).toBeUndefined();
    expect((await signIn(app, '10.0.6.1')).body.errors).toBeUndefined();
    expectTooMany(await signIn(app, '10.0.6.1'), 'signInPerAddress');
    expect(app.logs).toContainEqual(expect.objectContaining({ level: WARN, msg: expect.stringMatching(/^Redis unreachable/) }));
  });
});
