import { getIntrospectionQuery, parse, type GraphQLSchema } from 'graphql';
import mariadb from 'mariadb';
import mysql from 'mysql2/promise';
import type { DatabaseConfig } from '../src/config';
import { DEFAULT_QUERY_LIMITS } from '../src/config';
import type { Orm } from '../src/db/orm';
import { createErrorFormatter } from '../src/graphql/error-formatter';
import { isDatabaseUnavailable } from '../src/core/errors';
import { firstExceeded, measureDocument } from '../src/graphql/limits/operation-measures';
import { loadSafelist } from '../src/graphql/limits/safelist';
import { buildApiSchema } from '../src/graphql/schema';
import { createLogger } from '../src/logger';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { createWorld, type World } from './support/limits-world';
import { codeOf, startLoggedApp, WARN, type LoggedApp } from './support/logged-app';

/** What the app's caseload refresh sends (miniprogram services/caseload.ts): 100 households, 10 records each. */
const CASELOAD_VARIABLES = { first: 100, after: null, recordsFirst: 10 };

/** 12 levels up and down the region tree from a household. */
const deepQuery = (householdId: number) =>
  `query DeepRegions { household(id: "${householdId}") { region { parent { children { parent { children { parent { children { parent { children { parent { name } } } } } } } } } } } }`;
const ALTAIR_INTROSPECTION = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
  oneOf: true,
});

describe('what the mini-program asks, measured against the default limits', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildApiSchema();
  });

  it('every safelisted document fits a cadre’s limits at the largest page size (the caseload at the app’s), and the sign-in documents an anonymous caller’s', () => {
    const safelist = loadSafelist();
    expect(safelist.size).toBeGreaterThanOrEqual(10);
    let signInDocuments = 0;
    for (const document of safelist.values()) {
      // The caseload refresh nests each household's history page in the households' page: it is measured
      // with the app's own page sizes (server/test/caseload.test.ts); at 100 × 100 it is refused, as it should be.
      const variables = /\bquery MyCaseload\b/.test(document) ? CASELOAD_VARIABLES : 'unknown';
      const measures = measureDocument(schema, parse(document), document, variables);
      expect({ document, exceeded: firstExceeded(measures, DEFAULT_QUERY_LIMITS.CADRE) }).toEqual({ document, exceeded: null });
      if (/\bmutation (WechatLogin|BindWechat|RefreshToken|Logout)\b/.test(document)) {
        signInDocuments += 1;
        expect({ document, exceeded: firstExceeded(measures, DEFAULT_QUERY_LIMITS.ANONYMOUS) }).toEqual({ document, exceeded: null });
      }
    }
    expect(signInDocuments).toBe(4);
  });

  it('the playground’s introspection fits the limits of the roles that may introspect (administrators and analysts)', () => {
    const measures = measureDocument(schema, parse(ALTAIR_INTROSPECTION), ALTAIR_INTROSPECTION);
    for (const limits of [DEFAULT_QUERY_LIMITS.ADMIN, DEFAULT_QUERY_LIMITS.ANALYST]) expect(firstExceeded(measures, limits)).toBeNull();
  });
});

describe('database outages answer UNAVAILABLE', () => {
  const format = createErrorFormatter(createLogger({ logLevel: 'silent' }));

  it('maps a refused connection from the real MySQL drivers to UNAVAILABLE with a generic message and a retry hint', async () => {
    const refused = await mysql.createConnection({ host: '127.0.0.1', port: 1, user: 'root', connectTimeout: 2_000 }).catch((error: unknown) => error);
    expect(isDatabaseUnavailable(refused)).toBe(true);
    const formatted = format({ message: String((refused as Error).message), extensions: {} }, refused);
    expect(formatted).toEqual({
      message: 'The service is temporarily unavailable; try again shortly',
      extensions: { code: 'UNAVAILABLE', retryAfterSeconds: 5 },
    });
  });

  it('maps the MariaDB connector’s refused connection too', async () => {
    const refused = await mariadb.createConnection({ host: '127.0.0.1', port: 1, user: 'root', connectTimeout: 2_000 }).catch((error: unknown) => error);
    expect(String((refused as { message?: string }).message)).toMatch(/ECONNREFUSED/);
    expect(isDatabaseUnavailable(refused)).toBe(true);
  });

  it.each([
    ['mysql2 lost connection', Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST' })],
    ['MariaDB gone away', Object.assign(new Error('MySQL server has gone away'), { errno: 2006 })],
    ['knex pool timeout', Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' })],
    ['MariaDB connector closed socket', Object.assign(new Error('socket has unexpectedly been closed'), { code: 'ER_SOCKET_UNEXPECTED_CLOSE' })],
    [
      'a Galera node outside the primary component or still joining',
      Object.assign(new Error('(conn:12, no: 1047, SQLState: 08S01) WSREP has not yet prepared node for application use'), { errno: 1047, code: 'ER_UNKNOWN_COM_ERROR' }),
    ],
    ['wrapped ETIMEDOUT', Object.assign(new Error('query failed'), { cause: Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }) })],
  ])('recognises %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it('keeps a bug a bug: an ordinary error stays INTERNAL_SERVER_ERROR', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'id')");
    expect(isDatabaseUnavailable(bug)).toBe(false);
    expect(format({ message: bug.message }, bug).extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
  });
});

describe.each(databaseKinds())('request limits on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let world: World;
  let server: LoggedApp;
  let tokens: Record<'admin' | 'analyst' | 'cadre', string>;

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'request_limits'));
    world = await createWorld(orm);
    server = await startLoggedApp(orm, database);
    tokens = await world.tokens(server.config.auth.jwtSecret);
  });

  afterAll(async () => {
    await server?.close();
    await orm?.close(true);
    if (database) await dropScratchDatabase(database);
  });

  it('refuses a query deeper than a cadre may ask, with the limit, the maximum and the depth found, and logs it', async () => {
    const answer = await server.graphql(deepQuery(world.householdId), {}, tokens.cadre);
    expect(answer.status).toBe(400);
    expect(answer.body.data).toBeUndefined();
    expect(answer.body.errors?.[0]?.extensions).toEqual({ code: 'QUERY_LIMIT_EXCEEDED', limit: 'depth', max: 11, actual: 12 });
    expect(server.logs).toContainEqual(
      expect.objectContaining({
        level: WARN,
        role: 'CADRE',
        accountId: world.cadreAccountId,
        operationName: 'DeepRegions',
        limit: 'depth',
        max: 11,
        actual: 12,
      }),
    );
    // From an administrator or an analyst the depth fits (analytics need more), but the document turns
    // back up and down the tree eight times (at most once along a path): refused for its round trips.
    for (const bearer of [tokens.admin, tokens.analyst]) {
      const turning = await server.graphql(deepQuery(world.householdId), {}, bearer);
      expect(turning.body.errors?.[0]?.extensions).toEqual({ code: 'QUERY_LIMIT_EXCEEDED', limit: 'roundTrips', max: 1, actual: 8 });
      // As deep (12), never turning back: it runs.
      const deepOneWay = `query DeepOneWay { household(id: "${world.householdId}") { helpRecords(first: 1) { nodes { demandsRaised { household { activeAssignments { cadre { unit { region { parent { parent { name } } } } } } } } } } } }`;
      const allowed = await server.graphql<{ household: { helpRecords: unknown } }>(deepOneWay, {}, bearer);
      expect(allowed.body.errors).toBeUndefined();
      expect(allowed.body.data?.household.helpRecords).toBeDefined();
    }
  });

  it('counts aliases, directives and tokens per role; anonymous callers get the tightest', async () => {
    const aliases = `{ ${Array.from({ length: 11 }, (_, index) => `a${index}: me { id }`).join(' ')} }`;
    expect((await server.graphql(aliases, {}, tokens.cadre)).body.errors?.[0]?.extensions).toMatchObject({
      code: 'QUERY_LIMIT_EXCEEDED',
      limit: 'aliases',
      max: 10,
      actual: 11,
    });
    expect((await server.graphql(aliases, {}, tokens.admin)).body.errors).toBeUndefined();

    const directives = `{ me { ${Array.from({ length: 11 }, () => 'id @include(if: true)').join(' ')} } }`;
    expect((await server.graphql(directives, {}, tokens.cadre)).body.errors?.[0]?.extensions).toMatchObject({ limit: 'directives', max: 10, actual: 11 });

    const manyTokens = `{ ${Array.from({ length: 350 }, () => '__typename').join(' ')} }`;
    const anonymous = await server.graphql(manyTokens);
    expect(anonymous.status).toBe(400);
    expect(anonymous.body.errors?.[0]?.extensions).toEqual({ code: 'QUERY_LIMIT_EXCEEDED', limit: 'tokens', max: 300, actual: 352 });
    expect((await server.graphql(manyTokens, {}, tokens.cadre)).body.errors).toBeUndefined();
    expect(server.logs).toContainEqual(expect.objectContaining({ level: WARN, role: 'ANONYMOUS', accountId: null, limit: 'tokens' }));
  });

  it('lets a full page through and refuses pages nested in pages for cost', async () => {
    const fullPage =
      '{ myHouseholds(first: 100) { totalCount nodes { id headName address regionName targetGroups daysSinceLastVisit visitIntervalDays visitOverdue openDemandCount lastVisitAt } } }';
    expect((await server.graphql(fullPage, {}, tokens.cadre)).body.errors).toBeUndefined();
    const nested = '{ households(first: 100) { nodes { id helpRecords(first: 100) { nodes { id summary occurredAt } } } } }';
    const answer = await server.graphql(nested, {}, tokens.admin);
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_LIMIT_EXCEEDED', limit: 'cost', max: DEFAULT_QUERY_LIMITS.ADMIN.cost });
    expect(answer.body.errors?.[0]?.extensions?.actual as number).toBeGreaterThan(DEFAULT_QUERY_LIMITS.ADMIN.cost);
  });

  it('stops parsing at the hard token cap, whoever asks', async () => {
    const huge = `{ ${Array.from({ length: 6_000 }, () => '__typename').join(' ')} }`;
    const answer = await server.graphql(huge, {}, tokens.admin);
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions).toEqual({ code: 'QUERY_LIMIT_EXCEEDED', limit: 'tokens', max: 5_000, actual: null });
  });

  it('takes per-role limits from the configuration (QUERY_LIMITS)', async () => {
    const strict = await startLoggedApp(orm, database, (config) => ({
      ...config,
      queryLimits: { ...config.queryLimits, CADRE: { ...config.queryLimits.CADRE, cost: 20 } },
    }));
    try {
      const query = 'query Stats { me { id cadre { name unit { name } } } currentRound { id name } }';
      const answer = await strict.graphql(query, {}, tokens.cadre);
      expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_LIMIT_EXCEEDED', limit: 'cost', max: 20 });
      expect((await strict.graphql(query, {}, tokens.admin)).body.errors).toBeUndefined();
    } finally {
      await strict.close();
    }
  });

  it('serves the playground’s full introspection to administrators and analysts, and to nobody before sign-in or to a cadre', async () => {
    for (const bearer of [tokens.admin, tokens.analyst]) {
      const answer = await server.graphql<{ __schema: { types: unknown[] } }>(ALTAIR_INTROSPECTION, {}, bearer);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data?.__schema.types.length).toBeGreaterThan(50);
    }
    // Refused before any limit is measured (introspection-access.test.ts has the rest).
    expect(codeOf(await server.graphql(ALTAIR_INTROSPECTION))).toBe('UNAUTHENTICATED');
    expect(codeOf(await server.graphql(ALTAIR_INTROSPECTION, {}, tokens.cadre))).toBe('FORBIDDEN');
  });

  it('refuses batched requests with a clear error, running none of them', async () => {
    const answer = await server.post([{ query: '{ me { id } }' }, { query: '{ me { id } }' }], { authorization: `Bearer ${tokens.cadre}` });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions).toEqual({ code: 'QUERY_LIMIT_EXCEEDED', limit: 'batch', max: 1, actual: 2 });
    expect(server.logs).toContainEqual(expect.objectContaining({ level: WARN, limit: 'batch', actual: 2 }));
  });

  it('answers an oversized body with 413 PAYLOAD_TOO_LARGE, broken JSON with 400, other content types with 415', async () => {
    const small = await startLoggedApp(orm, database, (config) => ({ ...config, bodyMaxBytes: 20_000 }));
    try {
      const big = await small.post({ query: '{ me { id } }', variables: { padding: 'x'.repeat(25_000) } });
      expect(big.status).toBe(413);
      expect(big.body.errors?.[0]?.extensions).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', limit: 'body', max: 20_000 });
      expect(small.logs).toContainEqual(expect.objectContaining({ level: WARN, limit: 'body', max: 20_000 }));
    } finally {
      await small.close();
    }

    const broken = await server.post('{"query": "{ me { id } }"', {});
    expect(broken.status).toBe(400);
    expect(broken.body).toEqual({ errors: [{ message: 'The request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });

    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const response = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': contentType }, body: 'query={ me { id } }' });
      expect(response.status).toBe(415);
      expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('BAD_REQUEST');
    }
  });

  it('enforces the maximum page size on every list, naming `first`', async () => {
    const schema = await buildApiSchema();
    // myHouseholds is a cadre's own list (administrators are refused it before its arguments are read): below.
    const lists = Object.values(schema.getQueryType()!.getFields()).filter(
      (field) =>
        field.name !== 'myHouseholds' &&
        field.args.some((argument) => argument.name === 'first') &&
        field.args.every((argument) => argument.name === 'first' || !String(argument.type).endsWith('!')),
    );
    expect(lists.length).toBeGreaterThanOrEqual(6);
    for (const list of lists) {
      // A cadre's own list (myInbox of a unit's handler) refuses administrators before its arguments are
      // read: it must refuse the oversize page to the cadre instead.
      let answer = await server.graphql(`{ ${list.name}(first: 101) { __typename } }`, {}, tokens.admin);
      if (codeOf(answer) === 'FORBIDDEN') answer = await server.graphql(`{ ${list.name}(first: 101) { __typename } }`, {}, tokens.cadre);
      expect({ list: list.name, error: answer.body.errors?.[0]?.extensions }).toMatchObject({
        list: list.name,
        error: { code: 'BAD_USER_INPUT', field: 'first' },
      });
      const cadreList = await server.graphql(`{ ${list.name}(first: 0) { __typename } }`, {}, tokens.cadre);
      expect(codeOf(cadreList)).toMatch(/BAD_USER_INPUT|FORBIDDEN/);
    }
    // In variables: a page size counts at most the largest page (100) for cost, so 500 is refused for what it is.
    const nested = await server.graphql(
      'query ($id: ID!, $first: Int) { household(id: $id) { helpRecords(first: $first) { totalCount } } }',
      { id: String(world.householdId), first: 500 },
      tokens.cadre,
    );
    expect(nested.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    const mine = await server.graphql('query ($first: Int) { myHouseholds(first: $first) { totalCount } }', { first: 101 }, tokens.cadre);
    expect(mine.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });
});
