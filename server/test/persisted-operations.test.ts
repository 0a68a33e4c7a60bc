import { createHash, randomUUID } from 'node:crypto';
import type { DatabaseConfig } from '../src/config';
import { loadConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { loadSafelist } from '../src/graphql/limits/safelist';
import { Cadre } from '../src/modules/cadres/cadre.entity';
import { Household } from '../src/modules/households/household.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { createDemand, createResident, validIdNumber } from './support/factories';
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

/** The operation's name as the document declares it (`query Name`, `mutation Name`). */
function operationNameOf(document: string): string {
  const match = /\b(query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(document);
  if (!match) throw new Error(`a persisted operation without a name: ${document.slice(0, 120)}`);
  return match[2]!;
}

/** What the cases read from and leave for each other (e.g. the record SubmitHelpRecord made, which CorrectHelpRecord corrects). */
interface CaseState {
  householdId: string;
  cadreId: string;
  residentId: string;
  residentIdNumber: string;
  openDemandId: string;
  recordId?: string;
  refreshToken?: string;
  /** The demand loop: the cadre's own unit (the city's, in reach of the household), whose handler the cadre is made. */
  unitId: string;
  referralId?: string;
  /** Changes reported from the field: the cadre's report, withdrawn by the last case. */
  fieldReportId?: string;
}

type Answer = { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };

/**
 * How each persisted operation is sent in the test below: with a cadre's token to the production
 * server, or with none (the sign-in operations; the development sign-in to a development server that
 * enforces the safelist too), the variables it needs on this file's data, and what it must answer:
 * data (checked), or the domain error these variables deserve. Cases run in this order, so one can use
 * what an earlier one made. An operation of shared/persisted-operations.json without a case fails the test.
 */
interface OperationCase {
  caller: 'cadre' | 'anonymous';
  server?: 'production' | 'development-sign-in';
  variables(state: CaseState): Record<string, unknown>;
  /** Checks the data and keeps what later cases need; or the error code the variables deserve. */
  expects: ((data: Record<string, unknown>, state: CaseState) => void) | { code: string };
}

const at = <T>(data: unknown, ...path: (string | number)[]): T => path.reduce<unknown>((value, key) => (value as Record<string, unknown>)?.[key], data) as T;

const OPERATION_CASES: Record<string, OperationCase> = {
  // Past the safelist: WeChat is not configured in tests, which the resolvers themselves report.
  WechatLogin: { caller: 'anonymous', variables: () => ({ code: 'wx-code' }), expects: { code: 'FEATURE_DISABLED' } },
  BindWechat: { caller: 'anonymous', variables: () => ({ code: 'wx-code', bindCode: 'ABCD2345' }), expects: { code: 'FEATURE_DISABLED' } },
  DevelopmentCadres: {
    caller: 'anonymous',
    server: 'development-sign-in',
    variables: () => ({}),
    expects: (data, state) => expect(at<{ id: string }[]>(data, 'developmentCadres').map((cadre) => cadre.id)).toContain(state.cadreId),
  },
  DevelopmentSignIn: {
    caller: 'anonymous',
    server: 'development-sign-in',
    variables: (state) => ({ cadreId: state.cadreId }),
    expects: (data, state) => {
      expect(at(data, 'developmentSignIn', 'account', 'role')).toBe('CADRE');
      state.refreshToken = at<string>(data, 'developmentSignIn', 'refreshToken');
    },
  },
  RefreshToken: {
    caller: 'anonymous',
    variables: (state) => ({ refreshToken: state.refreshToken }),
    expects: (data, state) => {
      expect(at(data, 'refreshToken', 'accessToken')).toEqual(expect.any(String));
      state.refreshToken = at<string>(data, 'refreshToken', 'refreshToken');
    },
  },
  Logout: { caller: 'cadre', variables: (state) => ({ refreshToken: state.refreshToken }), expects: (data) => expect(data.logout).toBe(true) },
  MyStats: { caller: 'cadre', variables: () => ({}), expects: (data) => expect(at(data, 'myStats', 'households')).toBe(1) },
  MyHouseholds: {
    caller: 'cadre',
    variables: () => ({ first: 20 }),
    expects: (data, state) => expect(at<{ id: string }[]>(data, 'myHouseholds', 'nodes').map((node) => node.id)).toEqual([state.householdId]),
  },
  MyCaseload: {
    caller: 'cadre',
    variables: () => ({ first: 100, recordsFirst: 10 }),
    expects: (data, state) => expect(at(data, 'myHouseholds', 'nodes', 0, 'file', 'id')).toBe(state.householdId),
  },
  HouseholdFile: {
    caller: 'cadre',
    variables: (state) => ({ id: state.householdId, recordsFirst: 10 }),
    expects: (data, state) => expect(at<{ id: string }[]>(data, 'household', 'openDemands').map((demand) => demand.id)).toContain(state.openDemandId),
  },
  OpenDemands: {
    caller: 'cadre',
    variables: (state) => ({ id: state.householdId }),
    expects: (data, state) => expect(at<{ id: string }[]>(data, 'household', 'openDemands').map((demand) => demand.id)).toEqual([state.openDemandId]),
  },
  RevealResidentIdNumber: {
    caller: 'cadre',
    variables: (state) => ({ id: state.residentId, reason: '核实身份，办理低保' }),
    expects: (data, state) => expect(at(data, 'revealResident', 'idNumber')).toBe(state.residentIdNumber),
  },
  SubmitHelpRecord: {
    caller: 'cadre',
    variables: (state) => ({
      input: {
        clientId: randomUUID(),
        householdId: state.householdId,
        occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
        kinds: ['VISIT'],
        summary: '入户走访，屋顶已修好',
        resolvedDemandIds: [state.openDemandId],
        demandsRaised: [{ category: 'LIVELIHOOD', text: '希望协助申请临时救助' }],
      },
    }),
    expects: (data, state) => {
      state.recordId = at<string>(data, 'submitHelpRecord', 'id');
      expect(state.recordId).toEqual(expect.any(String));
    },
  },
  MoreHelpRecords: {
    caller: 'cadre',
    variables: (state) => ({ id: state.householdId, first: 10 }),
    expects: (data, state) => expect(at<{ id: string }[]>(data, 'household', 'helpRecords', 'nodes').map((record) => record.id)).toEqual([state.recordId]),
  },
  CorrectHelpRecord: {
    caller: 'cadre',
    variables: (state) => ({ id: state.recordId, input: { clientId: randomUUID(), summary: '入户走访，屋顶已修好（更正）' } }),
    expects: (data, state) => {
      expect(at(data, 'correctHelpRecord', 'versionNumber')).toBe(2);
      state.recordId = at<string>(data, 'correctHelpRecord', 'id');
    },
  },
  HelpRecordPage: {
    caller: 'cadre',
    variables: (state) => ({ householdId: state.householdId, first: 10 }),
    expects: (data, state) => {
      const nodes = at<{ id: string; earlierVersions: unknown[] }[]>(data, 'household', 'helpRecords', 'nodes');
      expect(nodes.map((record) => [record.id, record.earlierVersions.length])).toEqual([[state.recordId, 1]]);
    },
  },
  ConfirmDemandResolved: {
    caller: 'cadre',
    variables: (state) => ({ input: { demandId: state.openDemandId, clientId: randomUUID(), satisfaction: 'DISSATISFIED', note: '屋顶仍然漏雨' } }),
    expects: (data) => expect(at(data, 'confirmDemandResolved')).toMatchObject({ status: 'OPEN', reopenCount: 1 }),
  },
  // The demand loop (issue 15), on the demand reopened above. The cadre is also the handler of their
  // own unit, so one token moves it the whole way: the household's cadre's steps, then the handler's.
  MyLoopSummary: {
    caller: 'cadre',
    variables: () => ({}),
    expects: (data, state) => expect(at<{ id: string }[]>(data, 'myLoopSummary', 'handlerUnits').map((unit) => unit.id)).toEqual([state.unitId]),
  },
  HouseholdDemandLoop: {
    caller: 'cadre',
    variables: (state) => ({ id: state.householdId }),
    expects: (data, state) => expect(at<{ id: string }[]>(data, 'household', 'openDemands').map((demand) => demand.id)).toContain(state.openDemandId),
  },
  ReferralTargets: {
    caller: 'cadre',
    variables: (state) => ({ demandId: state.openDemandId }),
    expects: (data, state) => expect(at<{ id: string }[]>(data, 'referralTargets').map((unit) => unit.id)).toContain(state.unitId),
  },
  StartDemandWork: {
    caller: 'cadre',
    variables: (state) => ({ input: { demandId: state.openDemandId, clientId: randomUUID(), note: null } }),
    expects: (data) => expect(at(data, 'startDemandWork', 'status')).toBe('IN_PROGRESS'),
  },
  NoteDemandProgress: {
    caller: 'cadre',
    variables: (state) => ({ input: { demandId: state.openDemandId, clientId: randomUUID(), note: '已联系村委会' } }),
    expects: (data) => expect(at<{ kind: string }[]>(data, 'noteDemandProgress', 'events').map((event) => event.kind)).toContain('PROGRESS_NOTED'),
  },
  ReferDemand: {
    caller: 'cadre',
    variables: (state) => ({ input: { demandId: state.openDemandId, clientId: randomUUID(), unitId: state.unitId, note: '请协助办理', dueOn: null } }),
    expects: (data, state) => {
      expect(at(data, 'referDemand', 'status')).toBe('PENDING');
      state.referralId = at<string>(data, 'referDemand', 'id');
    },
  },
  MyInbox: {
    caller: 'cadre',
    variables: () => ({ status: 'PENDING', first: 20 }),
    expects: (data, state) => expect(at<{ id: string }[]>(data, 'myInbox', 'nodes').map((referral) => referral.id)).toEqual([state.referralId]),
  },
  Referral: {
    caller: 'cadre',
    variables: (state) => ({ id: state.referralId }),
    expects: (data, state) => expect(at(data, 'referral')).toMatchObject({ id: state.referralId, demandId: state.openDemandId, status: 'PENDING' }),
  },
  AcceptReferral: {
    caller: 'cadre',
    variables: (state) => ({ input: { referralId: state.referralId, clientId: randomUUID() } }),
    expects: (data) => expect(at(data, 'acceptReferral', 'status')).toBe('ACCEPTED'),
  },
  ResolveReferral: {
    caller: 'cadre',
    variables: (state) => ({ input: { referralId: state.referralId, clientId: randomUUID(), resolution: '已协调办理' } }),
    expects: (data) => expect(at(data, 'resolveReferral')).toMatchObject({ status: 'RESOLVED', resolution: '已协调办理' }),
  },
  // A resolved referral cannot be returned any more: the refusal these variables deserve.
  ReturnReferral: {
    caller: 'cadre',
    variables: (state) => ({ input: { referralId: state.referralId, clientId: randomUUID(), reason: '不属于本单位职责' } }),
    expects: { code: 'CONFLICT' },
  },
  MyNotices: {
    caller: 'cadre',
    variables: () => ({ first: 20, unreadOnly: false }),
    // The referral to the cadre's unit (as its handler) and the resolution awaiting the household's answer.
    expects: (data) =>
      expect(at<{ kind: string }[]>(data, 'myNotices', 'nodes').map((notice) => notice.kind)).toEqual(expect.arrayContaining(['REFERRED_TO_UNIT'])),
  },
  MarkNoticesRead: {
    caller: 'cadre',
    variables: () => ({ input: { all: true } }),
    expects: (data) => expect(at<number>(data, 'markNoticesRead')).toBeGreaterThan(0),
  },
  RecordNoticeSubscriptions: {
    caller: 'cadre',
    variables: () => ({ input: { accepted: ['REFERRED_TO_UNIT'], rejected: ['VISITS_DUE'] } }),
    expects: (data) => expect(at(data, 'recordNoticeSubscriptions')).toEqual(expect.any(Number)),
  },
  MyContactPoints: {
    caller: 'cadre',
    variables: () => ({}),
    expects: (data) => expect(at(data, 'myContactPoints')).toEqual({ points: [], cases: [] }),
  },
  // Changes reported from the field (issue 16): a report on the cadre's household, listed, then withdrawn.
  ReportFieldChange: {
    caller: 'cadre',
    variables: (state) => ({ input: { clientId: randomUUID(), kind: 'PHONE_CHANGED', householdId: state.householdId, phone: '13712340000' } }),
    expects: (data, state) => {
      expect(at(data, 'reportFieldChange')).toMatchObject({ status: 'PENDING', proposal: { phone: '13712340000' } });
      state.fieldReportId = at<string>(data, 'reportFieldChange', 'id');
    },
  },
  MyFieldReports: {
    caller: 'cadre',
    variables: () => ({ first: 20 }),
    expects: (data, state) => expect(at<{ id: string }[]>(data, 'myFieldReports', 'nodes').map((report) => report.id)).toEqual([state.fieldReportId]),
  },
  WithdrawFieldReport: {
    caller: 'cadre',
    variables: (state) => ({ input: { reportId: state.fieldReportId } }),
    expects: (data) => expect(at(data, 'withdrawFieldReport', 'status')).toBe('WITHDRAWN'),
  },
};

const PERSISTED_OPERATIONS = [...loadSafelist()].map(([hash, document]) => ({ hash, name: operationNameOf(document) }));
/** The cases' order first, then operations nobody wrote a case for (each of which fails). */
const OPERATIONS_IN_ORDER = [
  ...Object.keys(OPERATION_CASES).flatMap((name) => PERSISTED_OPERATIONS.filter((operation) => operation.name === name)),
  ...PERSISTED_OPERATIONS.filter((operation) => !(operation.name in OPERATION_CASES)),
];

it('has a case for exactly the operations the app persists (a case for an operation no longer sent is stale)', () => {
  const persistedNames = new Set(PERSISTED_OPERATIONS.map((operation) => operation.name));
  expect(Object.keys(OPERATION_CASES).filter((name) => !persistedNames.has(name))).toEqual([]);
});

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
  let developmentSignIn: LoggedApp;
  let state: CaseState;
  let tokens: Record<'admin' | 'analyst' | 'cadre', string>;

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'persisted_ops'));
    world = await createWorld(orm);
    production = await startLoggedApp(orm, database, (config) => ({ ...config, nodeEnv: 'production', safelistMode: 'enforce' }));
    development = await startLoggedApp(orm, database, (config) => ({ ...config, nodeEnv: 'development', safelistMode: 'off' }));
    developmentSignIn = await startLoggedApp(orm, database, (config) => ({ ...config, nodeEnv: 'development', safelistMode: 'enforce', devSignIn: true }));
    tokens = await world.tokens(production.config.auth.jwtSecret);

    // What the app's operations read and write besides the world's household: a resident to reveal, a demand to resolve and confirm.
    const em = orm.em.fork();
    const household = await em.findOneOrFail(Household, { id: world.householdId });
    const residentIdNumber = validIdNumber('210502', '1961-04-12');
    const resident = await createResident(em, { household, idNumber: residentIdNumber });
    const openDemand = await createDemand(em, { household });
    // The cadre handles their own unit's referrals (联络员), designated by the city's administrator.
    const cadre = await em.findOneOrFail(Cadre, { id: world.cadreId });
    const designated = await production.graphql<{ designateUnitHandler: { id: string } }>(
      'mutation ($input: DesignateUnitHandlerInput!) { designateUnitHandler(input: $input) { id } }',
      { input: { unitId: String(cadre.unit.id), cadreId: String(cadre.id) } },
      tokens.admin,
    );
    expect(designated.body.errors).toBeUndefined();
    state = {
      unitId: String(cadre.unit.id),
      householdId: String(world.householdId),
      cadreId: String(world.cadreId),
      residentId: String(resident.id),
      residentIdNumber,
      openDemandId: String(openDemand.id),
    };
  });

  afterAll(async () => {
    await production?.close();
    await development?.close();
    await developmentSignIn?.close();
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

  it.each(OPERATIONS_IN_ORDER.map((operation) => [operation.name, operation.hash] as const))(
    'runs the persisted operation %s sent by its hash under SAFELIST_MODE=enforce',
    async (name, hash) => {
      const operationCase = OPERATION_CASES[name];
      if (!operationCase) {
        throw new Error(
          `add variables for ${name}: a case in OPERATION_CASES (server/test/persisted-operations.test.ts) saying how the app sends it and what it answers`,
        );
      }
      const server = operationCase.server === 'development-sign-in' ? developmentSignIn : production;
      const headers: Record<string, string> = operationCase.caller === 'cadre' ? { authorization: `Bearer ${tokens.cadre}` } : {};
      const answer = await server.post<Record<string, unknown>>(hashOnly(hash, operationCase.variables(state)), headers);
      const body = answer.body as Answer;
      // Never refused by the safelist, whatever else the variables deserve.
      expect(['OPERATION_NOT_SAFELISTED', 'PERSISTED_QUERY_NOT_FOUND']).not.toContain(codeOf(answer));
      if ('code' in operationCase.expects) {
        expect(body.errors?.map((error) => error.extensions?.code)).toEqual([operationCase.expects.code]);
        return;
      }
      expect(body.errors).toBeUndefined();
      expect(body.data).toEqual(expect.any(Object));
      operationCase.expects(body.data!, state);
    },
  );
});
