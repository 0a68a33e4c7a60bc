import { getIntrospectionQuery } from 'graphql';
import { Role } from '@wanjia/shared';
import type { DatabaseConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { UserAccount } from '../src/modules/accounts/user-account.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { createAccount, tokenFor } from './support/factories';
import { ADMIN_PASSWORD, createWorld, type World } from './support/limits-world';
import { startLoggedApp, WARN, type HttpAnswer, type LoggedApp } from './support/logged-app';

/**
 * Issue 14 (the security issue's decision): where introspection is on, `__schema` and `__type` answer
 * only to administrators and analysts. Anonymous callers, cadres and a one-time password's sign-in are
 * refused with nothing about the schema in the answer, however the field is hidden (alias, fragment,
 * another operation of the document); `__typename` stays free. Where it is off, nobody introspects.
 */

/** What the IDE (Altair) sends to fill its Docs panel. */
const IDE_INTROSPECTION = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
});
const SCHEMA_TYPES = '{ __schema { types { name } } }';
const RESIDENT_TYPE = '{ __type(name: "Resident") { name fields { name } } }';

/** `__schema` and `__type` out of plain sight: each must be refused like the plain query. */
const HIDDEN_INTROSPECTION: Record<string, { query: string; operationName?: string }> = {
  'an alias': { query: '{ everything: __schema { types { name } } }' },
  'an aliased __type': { query: '{ t: __type(name: "Resident") { fields { name } } }' },
  'a named fragment': { query: 'query Q { ...Everything } fragment Everything on Query { __schema { types { name } } }' },
  'a fragment inside a fragment': {
    query: 'query Q { ...Outer } fragment Outer on Query { __typename ...Inner } fragment Inner on Query { t: __type(name: "Household") { fields { name } } }',
  },
  'an inline fragment': { query: '{ ... on Query { __typename s: __schema { queryType { name } } } }' },
  'a conditional inline fragment': { query: 'query Q($no: Boolean = false) { ... @skip(if: $no) { __schema { types { name } } } }' },
  'the other operation of the document': {
    query: 'query Harmless { __typename } query Mapping { __schema { types { name } } }',
    operationName: 'Harmless',
  },
};

/** Names that only the schema's description would give away. */
const SCHEMA_DETAIL = /HouseholdConnection|"Resident"|idNumber|birthDate|queryType|__Schema|"types"/;

function expectRefused(answer: HttpAnswer<unknown>, status: number, code: string, message?: string): void {
  const text = JSON.stringify(answer.body);
  expect({
    status: answer.status,
    data: answer.body.data ?? null,
    code: answer.body.errors?.[0]?.extensions?.code,
    errors: answer.body.errors?.length,
  }).toEqual({
    status,
    data: null,
    code,
    errors: 1,
  });
  if (message) expect(answer.body.errors?.[0]?.message).toBe(message);
  expect(text).not.toMatch(SCHEMA_DETAIL);
}

const SIGN_IN_MESSAGE = 'Sign in as an administrator or analyst to read the schema';

describe.each(databaseKinds())('introspection is for administrators and analysts only, on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let world: World;
  /** Introspection on, safelist off (development and tests): the request-limits plugin decides. */
  let open: LoggedApp;
  /** Introspection on in production's safelist mode: the safelist gate sees anonymous callers and cadres first. */
  let enforced: LoggedApp;
  let tokens: Record<'admin' | 'analyst' | 'cadre', string>;

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'introspection_access'));
    world = await createWorld(orm);
    open = await startLoggedApp(orm, database, (config) => ({ ...config, introspection: true, safelistMode: 'off' }));
    enforced = await startLoggedApp(orm, database, (config) => ({ ...config, introspection: true, safelistMode: 'enforce' }));
    tokens = await world.tokens(open.config.auth.jwtSecret);
  });

  afterAll(async () => {
    await open?.close();
    await enforced?.close();
    await orm?.close(true);
    if (database) await dropScratchDatabase(database);
  });

  it('serves the IDE’s full introspection, __schema and __type, to administrators and analysts', async () => {
    for (const server of [open, enforced]) {
      for (const bearer of [tokens.admin, tokens.analyst]) {
        const full = await server.graphql<{ __schema: { queryType: { name: string }; types: { name: string }[] } }>(IDE_INTROSPECTION, {}, bearer);
        expect(full.status).toBe(200);
        expect(full.body.errors).toBeUndefined();
        expect(full.body.data?.__schema.queryType).toMatchObject({ name: 'Query' });
        expect(full.body.data?.__schema.types.map((type) => type.name)).toEqual(expect.arrayContaining(['Household', 'Resident', 'HouseholdConnection']));
        const one = await server.graphql<{ __type: { name: string; fields: { name: string }[] } }>(RESIDENT_TYPE, {}, bearer);
        expect(one.body.errors).toBeUndefined();
        expect(one.body.data?.__type.name).toBe('Resident');
      }
    }
  });

  it('serves an analyst’s IDE session (its cookie, from the same origin) and refuses the same cookie sent cross-site', async () => {
    const signedIn = await fetch(`${open.url}/ide/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify({ username: 'limits-analyst', password: ADMIN_PASSWORD }),
    });
    expect(signedIn.status).toBe(200);
    const access = signedIn.headers
      .getSetCookie()
      .map((line) => /^wanjia_ide_access=([^;]+)/.exec(line)?.[1])
      .find(Boolean);
    expect(access).toBeDefined();
    const cookie = `wanjia_ide_access=${access}`;
    const served = await open.post<{ __schema: { queryType: { name: string } } }>(
      { query: SCHEMA_TYPES.replace('types', 'queryType { name } types') },
      { cookie, 'sec-fetch-site': 'same-origin' },
    );
    expect({ status: served.status, errors: served.body.errors, queryType: served.body.data?.__schema.queryType }).toEqual({
      status: 200,
      errors: undefined,
      queryType: { name: 'Query' },
    });
    // Without the same-origin proof the cookie signs nobody in: the caller is anonymous, and refused.
    expectRefused(await open.post({ query: SCHEMA_TYPES }, { cookie, 'sec-fetch-site': 'cross-site' }), 401, 'UNAUTHENTICATED', SIGN_IN_MESSAGE);
  });

  it('refuses an anonymous caller with UNAUTHENTICATED and says who may read the schema, with no schema detail', async () => {
    for (const server of [open, enforced]) {
      for (const query of [SCHEMA_TYPES, RESIDENT_TYPE, IDE_INTROSPECTION]) expectRefused(await server.graphql(query), 401, 'UNAUTHENTICATED', SIGN_IN_MESSAGE);
      expect(server.logs).toContainEqual(
        expect.objectContaining({
          level: WARN,
          role: 'ANONYMOUS',
          limit: 'introspection',
          msg: 'operation refused: introspection is for administrators and analysts',
        }),
      );
    }
    // A GET (which never carries the IDE's cookie) is refused the same.
    const viaGet = await fetch(`${open.url}/graphql?query=${encodeURIComponent(SCHEMA_TYPES)}`, { headers: { 'apollo-require-preflight': 'true' } });
    expectRefused(
      { status: viaGet.status, headers: viaGet.headers, body: (await viaGet.json()) as HttpAnswer['body'] },
      401,
      'UNAUTHENTICATED',
      SIGN_IN_MESSAGE,
    );
  });

  it('refuses a cadre with FORBIDDEN, with no schema detail', async () => {
    for (const server of [open, enforced]) {
      for (const query of [SCHEMA_TYPES, RESIDENT_TYPE, IDE_INTROSPECTION]) expectRefused(await server.graphql(query, {}, tokens.cadre), 403, 'FORBIDDEN');
      expect(server.logs).toContainEqual(expect.objectContaining({ level: WARN, role: 'CADRE', accountId: world.cadreAccountId, limit: 'introspection' }));
    }
  });

  it.each(Object.entries(HIDDEN_INTROSPECTION))(
    'refuses introspection hidden under %s to a cadre and an anonymous caller, and serves it to an analyst',
    async (_how, operation) => {
      for (const server of [open, enforced]) {
        expectRefused(await server.post(operation, { authorization: `Bearer ${tokens.cadre}` }), 403, 'FORBIDDEN');
        expectRefused(await server.post(operation), 401, 'UNAUTHENTICATED', SIGN_IN_MESSAGE);
        const analyst = await server.post(operation, { authorization: `Bearer ${tokens.analyst}` });
        expect({ status: analyst.status, errors: analyst.body.errors }).toEqual({ status: 200, errors: undefined });
      }
    },
  );

  it('leaves __typename free for everybody', async () => {
    for (const bearer of [undefined, tokens.cadre, tokens.analyst, tokens.admin]) {
      const answer = await open.graphql('{ __typename }', {}, bearer);
      expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
    }
    // Before sign-in under the production safelist too (the IDE's ping), as before.
    expect((await enforced.graphql('{ __typename }')).body).toEqual({ data: { __typename: 'Query' } });
  });

  it('refuses a one-time password’s sign-in (not an actor) and an expired token, saying why', async () => {
    const em = orm.em.fork();
    const analyst = await em.findOneOrFail(UserAccount, { username: 'limits-analyst' }, { populate: ['scopeRegion'] });
    const oneTimePassword = 'ONE-TIME-PASSWORD-2026';
    await createAccount(em, {
      role: Role.ANALYST,
      scopeRegion: analyst.scopeRegion,
      username: `one-time-analyst-${kind}`,
      password: oneTimePassword,
      mustChangePassword: true,
      passwordChangedAt: new Date(),
    });
    const signedIn = await open.graphql<{ login: { accessToken: string; passwordChangeRequired: boolean } }>(
      'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken passwordChangeRequired } }',
      { u: `one-time-analyst-${kind}`, p: oneTimePassword },
    );
    expect(signedIn.body.data?.login.passwordChangeRequired).toBe(true);
    for (const server of [open, enforced]) {
      expectRefused(await server.graphql(SCHEMA_TYPES, {}, signedIn.body.data!.login.accessToken), 403, 'PASSWORD_CHANGE_REQUIRED');
    }
    const expired = await tokenFor(analyst, open.config.auth.jwtSecret, -60);
    expectRefused(await open.graphql(SCHEMA_TYPES, {}, expired), 401, 'UNAUTHENTICATED', 'Access token expired; refresh it');
  });

  it('with introspection off refuses everybody, administrators and analysts too', async () => {
    const closed = await startLoggedApp(orm, database, (config) => ({ ...config, introspection: false, playground: false }));
    try {
      for (const bearer of [tokens.admin, tokens.analyst]) {
        const answer = await closed.graphql(SCHEMA_TYPES, {}, bearer);
        expect({ status: answer.status, data: answer.body.data ?? null, code: answer.body.errors?.[0]?.extensions?.code }).toEqual({
          status: 400,
          data: null,
          code: 'GRAPHQL_VALIDATION_FAILED',
        });
        expect(answer.body.errors?.[0]?.message).toMatch(/introspection is not allowed/i);
      }
      for (const bearer of [undefined, tokens.cadre]) {
        const answer = await closed.graphql(SCHEMA_TYPES, {}, bearer);
        expect(answer.body.data ?? null).toBeNull();
        expect(JSON.stringify(answer.body)).not.toMatch(SCHEMA_DETAIL);
      }
      // Nothing else changes: the staff's own queries run.
      expect((await closed.graphql('{ __typename }', {}, tokens.analyst)).body).toEqual({ data: { __typename: 'Query' } });
    } finally {
      await closed.close();
    }
  });
});
