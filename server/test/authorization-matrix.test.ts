import { Role } from '@wanjia/shared';
import { loadConfig, type AppConfig, type DatabaseConfig } from '../src/config';
import { DEFAULT_DEMO_OPTIONS, seedDemoData } from '../src/seed/demo/demo-data';
import type { Orm } from '../src/db/orm';
import { buildApiSchema } from '../src/graphql/schema';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { authorizationFor, createAccount } from './support/factories';
import { UserAccount } from '../src/modules/accounts/user-account.entity';
import { hashPassword } from '../src/modules/accounts/password.service';
import { Region } from '../src/modules/regions/region.entity';
import { CITY_CODE, MatrixFixtures, PINGSHAN_CODE, XIHU_CODE, type LoopWorld, type Seeded } from './support/matrix/fixtures';
import { signIn, startApp, type GraphQLBody, type RunningApp } from './support/server';
import {
  DEMO_PASSWORD_OF,
  MUTATIONS,
  OPERATIONS,
  QUERIES,
  answerOf,
  callersOf,
  expectedAnswer,
  matrixPasswordHash,
  type Caller,
  type Ctx,
  type Data,
  type Entry,
  type StaffCaller,
  type Vars,
} from './support/matrix/cases';
/**
 * The authorization matrix: every query and mutation of the schema, called by every kind of caller,
 * in scope and out of it. A new operation without an entry fails the first test, so none escapes.
 *
 * Callers: no token, a cadre with a household (CADRE), the city's analyst (ANALYST), the city's
 * administrator (ADMIN) and 平山区's administrator (ADMIN, one district), on the demo data. "Inside"
 * objects lie in 平山区, "outside" ones in 溪湖区. Each entry names the roles that may call the
 * operation and gives a valid call; mutations get fresh objects for every call, so that no case
 * depends on another's effects. The full matrix takes about 15 s on SQLite and MySQL together, so it
 * runs on both.
 *
 * The demand loop (issue 15) adds callers that its operations name: a handler (联络员) of 平山区's unit,
 * a handler of 溪湖区's unit (in probes: it must not reach 平山区's referrals), and a petition case's
 * responsible leader; all three are cadres without households of their own.
 */

describe('the authorization matrix', () => {
  it('has exactly one entry per query and mutation of the schema, and the schema has no subscriptions', async () => {
    const schema = await buildApiSchema();
    const compare = (table: Record<string, Entry>, fields: string[]) => ({
      missing: fields.filter((name) => !(name in table)).sort(),
      stale: Object.keys(table)
        .filter((name) => !fields.includes(name))
        .sort(),
    });
    expect(compare(QUERIES, Object.keys(schema.getQueryType()?.getFields() ?? {}))).toEqual({ missing: [], stale: [] });
    expect(compare(MUTATIONS, Object.keys(schema.getMutationType()?.getFields() ?? {}))).toEqual({ missing: [], stale: [] });
    expect(schema.getSubscriptionType() ?? null).toBeNull();
  });

  it('checks every operation the district administrator may call outside 平山区 as well', () => {
    const unchecked = OPERATIONS.filter(
      ([, , entry]) => Array.isArray(entry.who) && entry.who.includes(Role.ADMIN) && !entry.cityAdminsOnly && !entry.unscoped && !entry.outside && !entry.paths,
    ).map(([label]) => label);
    expect(unchecked).toEqual([]);
  });
});

describe.each(databaseKinds())('the authorization matrix on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let ctx: Ctx;
  const headers = {} as Record<Caller, Record<string, string>>;

  const send = (caller: Caller, text: string, vars: Vars) => server.graphql<Data>(text, vars, headers[caller]);

  /** Calls and reduces the answer; a refused mutation must leave the audit trail as it was. */
  async function callAs(caller: Caller, name: string, entry: Entry, vars: Vars, asPage = false): Promise<{ answer: string; body: GraphQLBody<Data> }> {
    const mutation = name in MUTATIONS;
    const before = mutation ? await ctx.fx.auditCount() : 0;
    const body = await send(caller, entry.text, vars);
    let result = answerOf(body, name, asPage);
    if (mutation && body.errors && (await ctx.fx.auditCount()) !== before) result += ' (and wrote to the audit trail)';
    return { answer: result, body };
  }

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'authz_matrix'));
    await seedDemoData(orm.em.fork(), { ...DEFAULT_DEMO_OPTIONS, households: 120 });
    server = await startApp(orm, database);
    const fx = await MatrixFixtures.load(orm);
    const loop = await fx.loopWorld();
    ctx = {
      seeded: fx.seeded,
      fx,
      loop,
      async refreshToken() {
        const body = await server.graphql<Data>('mutation { login(username: "analyst", password: "wanjia-analyst-demo") { refreshToken } }');
        if (!body.data?.login) throw new Error(`sign-in for a refresh token failed: ${JSON.stringify(body.errors)}`);
        return body.data.login.refreshToken as string;
      },
      async staffAccount(side, active = true, role = Role.ANALYST) {
        const em = orm.em.fork();
        const code = { inside: PINGSHAN_CODE, outside: XIHU_CODE, city: CITY_CODE }[side];
        const region = await em.findOneOrFail(Region, { code });
        const account = await createAccount(em, {
          username: fx.unique('matrix-care-'),
          role,
          scopeRegion: region,
          passwordHash: await matrixPasswordHash,
          active,
        });
        return String(account.id);
      },
      async afterPasswordChange(caller, body) {
        const token = body.data?.changePassword?.accessToken as string | undefined;
        if (!token || !(caller in DEMO_PASSWORD_OF)) return;
        const staff = caller as StaffCaller;
        const username = { analyst: 'analyst', districtAdmin: 'pingshan-admin', cityAdmin: 'admin' }[staff];
        await orm.em.fork().nativeUpdate(UserAccount, { username }, { passwordHash: await hashPassword(DEMO_PASSWORD_OF[staff]) });
        headers[caller] = { authorization: `Bearer ${token}` };
      },
    };
    headers.anonymous = {};
    headers.cityAdmin = await signIn(server, 'admin', 'wanjia-admin-demo');
    headers.districtAdmin = await signIn(server, 'pingshan-admin', 'wanjia-pingshan-demo');
    headers.analyst = await signIn(server, 'analyst', 'wanjia-analyst-demo');
    // Cadres sign in through WeChat; sign their token with the secret of the app under test.
    const config = (server as { config?: AppConfig }).config ?? loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    headers.cadre = await authorizationFor(fx.seeded.cadreAccount, config.auth.jwtSecret);
    headers.handler = await authorizationFor(loop.handlerAccount, config.auth.jwtSecret);
    headers.outsideHandler = await authorizationFor(loop.outsideHandlerAccount, config.auth.jwtSecret);
    headers.leader = await authorizationFor(loop.leaderAccount, config.auth.jwtSecret);
    const me = await send('cadre', '{ me { role } }', {});
    if (me.data?.me?.role !== Role.CADRE) throw new Error(`the cadre's token is not accepted: ${JSON.stringify(me.errors)}`);
  });

  afterAll(async () => {
    await server?.close();
    await orm?.close(true);
    if (database) await dropScratchDatabase(database);
  });

  it.each(OPERATIONS)('%s answers every caller as the matrix says, inside and outside 平山区', async (_label, name, entry) => {
    const expected: Record<string, string> = {};
    const actual: Record<string, string> = {};
    for (const caller of callersOf(entry)) {
      const { answer: got, body } = await callAs(caller, name, entry, (await entry.vars?.(ctx, caller)) ?? {});
      expected[caller] = expectedAnswer(entry, caller);
      actual[caller] = got;
      if (got === 'ok') entry.check?.(body.data!, caller, ctx);
      if (got === 'ok') await entry.after?.(ctx, caller, body);
      if (entry.refusal) {
        const refused = await callAs(caller, name, entry, await entry.refusal.vars(ctx, caller));
        expected[`${caller}, refused on its merits`] = entry.refusal.answer;
        actual[`${caller}, refused on its merits`] = refused.answer;
      }
    }
    for (const probe of entry.outside ?? []) {
      const caller = probe.caller ?? 'districtAdmin';
      const vars = await probe.vars(ctx, caller);
      expected[`${caller}: ${probe.what}`] = probe.expect ?? 'FORBIDDEN';
      const probed = await callAs(caller, name, entry, vars, probe.expect === 'empty');
      actual[`${caller}: ${probe.what}`] = probe.expect === 'null' && probed.answer === 'ok' && probed.body.data?.[name] === null ? 'null' : probed.answer;
      if (probe.expect === 'empty') {
        expected[`cityAdmin: ${probe.what}`] = 'has rows';
        actual[`cityAdmin: ${probe.what}`] = (await callAs('cityAdmin', name, entry, vars, true)).answer;
      }
    }
    expect(actual).toEqual(expected);
  });

  const LISTS = OPERATIONS.filter(([, , entry]) => entry.paths);

  // After the matrix, so that the audit trail holds entries of 平山区 and city-wide ones.
  it.each(LISTS)('%s gives the district administrator only rows inside 平山区', async (_label, name, entry) => {
    const page = async (caller: Caller) => {
      const body = await send(caller, entry.text, {});
      expect(body.errors).toBeUndefined();
      const { totalCount, nodes } = body.data![name] as { totalCount: number; nodes: Data[] };
      return { totalCount, paths: await entry.paths!(nodes, ctx) };
    };
    const city = await page('cityAdmin');
    const district = await page('districtAdmin');
    const inside = (path: string) => path.startsWith(ctx.seeded.pingshanPath);
    expect(district.paths.length).toBeGreaterThan(0);
    expect(district.paths.filter((path) => !inside(path))).toEqual([]);
    expect(city.paths.some((path) => !inside(path))).toBe(true);
    expect(district.totalCount).toBeLessThan(city.totalCount);
    if (entry.who !== 'public' && entry.who !== 'signed-in' && entry.who.includes(Role.ANALYST)) {
      expect((await page('analyst')).totalCount).toBe(city.totalCount);
    }
  });

  it.each([
    ['household', 'districtAdmin', 'query ($id: ID!) { household(id: $id) { id } }', (seeded: Seeded) => seeded.household.outside],
    ['household', 'cadre', 'query ($id: ID!) { household(id: $id) { id } }', (seeded: Seeded) => seeded.otherHousehold],
    ['region', 'districtAdmin', 'query ($id: ID!) { region(id: $id) { id } }', (seeded: Seeded) => seeded.xihuId],
    [
      'revealResident',
      'districtAdmin',
      'mutation ($id: ID!) { revealResident(id: $id, reason: "矩阵测试核实身份") { id } }',
      (seeded: Seeded) => seeded.resident.outside,
    ],
    [
      'updateCadre',
      'districtAdmin',
      'mutation ($id: ID!) { updateCadre(id: $id, input: { post: "副科长" }) { id } }',
      (seeded: Seeded) => seeded.cadre.outside,
    ],
    // The demand loop: another district's referral to a handler, another district's escalated demand to an administrator.
    [
      'acceptReferral',
      'handler',
      'mutation ($id: ID!) { acceptReferral(input: { referralId: $id, clientId: "matrix-same-answer" }) { id } }',
      (_seeded: Seeded, loop: LoopWorld) => loop.referral.outside,
    ],
    [
      'instructDemand',
      'districtAdmin',
      'mutation ($id: ID!) { instructDemand(input: { demandId: $id, clientId: "matrix-same-answer", note: "矩阵测试督办", newDueOn: "' +
        new Date(Date.now() + 8 * 3_600_000 + 10 * 86_400_000).toISOString().slice(0, 10) +
        '" }) { id } }',
      (_seeded: Seeded, loop: LoopWorld) => loop.escalatedDemand.outside,
    ],
  ] as const)('%s gives the %s the same answer for an id out of reach as for one that does not exist', async (_name, caller, text, pick) => {
    const outOfReach = await send(caller, text, { id: pick(ctx.seeded, ctx.loop) });
    const missing = await send(caller, text, { id: '999999' });
    expect(outOfReach.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN' });
    expect(missing).toEqual(outOfReach);
  });
});
