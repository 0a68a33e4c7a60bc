import { Kind, parse, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { DatabaseConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { compileCostPlan, FIELD_COSTS, PAGE_STATEMENT_COST } from '../src/graphql/limits/query-cost';
import { planExecution } from '../src/graphql/limits/executed-fields';
import { buildApiSchema } from '../src/graphql/schema';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../src/core/pagination';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { createWorld } from './support/limits-world';
import { codeOf, startLoggedApp, TEST_JWT_SECRET, WARN, type LoggedApp } from './support/logged-app';

/** What the cost and the rate limits read from a request: its variables, as execution will see them. */

const NESTED = 'query Pages($a: Int, $b: Int) { households(first: $a) { nodes { id helpRecords(first: $b) { nodes { id summary } } } } }';

describe('cost with the request’s variables', () => {
  let schema: GraphQLSchema;
  /** The cost as the plugin computes it: with the variables coerced (operation defaults applied). */
  const costOf = (query: string, variables: Record<string, unknown> | 'unknown', operationName?: string) => {
    const document = parse(query);
    if (variables === 'unknown') return compileCostPlan(schema, document).costOf(operationName, 'unknown');
    const operation = document.definitions.find(
      (definition): definition is OperationDefinitionNode =>
        definition.kind === Kind.OPERATION_DEFINITION && (!operationName || definition.name?.value === operationName),
    )!;
    const execution = planExecution(schema, document, operation, variables);
    if (!execution) throw new Error(`variables do not coerce: ${JSON.stringify(variables)}`);
    return compileCostPlan(schema, document).costOf(operationName, execution.variables);
  };

  beforeAll(async () => {
    schema = await buildApiSchema();
  });

  it('counts a page size from a variable exactly as the same literal', () => {
    const literal = 'query Pages { households(first: 100) { nodes { id helpRecords(first: 30) { nodes { id summary } } } } }';
    expect(costOf(NESTED, { a: 100, b: 30 })).toBe(costOf(literal, {}));
    expect(costOf(NESTED, { a: 100, b: 30 })).toBeGreaterThan(100 * 30);
    expect(costOf(NESTED, { a: 1, b: 1 })).toBeLessThan(costOf(NESTED, { a: 2, b: 1 }));
  });

  it('takes the operation’s variable defaults, the list’s default page size when left out, and the largest page when unknown', () => {
    const defaults = NESTED.replace('$a: Int, $b: Int', '$a: Int = 100, $b: Int = 30');
    expect(costOf(defaults, {})).toBe(costOf(NESTED, { a: 100, b: 30 }));
    // Variables sent as null or not at all: the resolver serves its default page.
    expect(costOf(NESTED, {})).toBe(costOf(NESTED, { a: DEFAULT_PAGE_SIZE, b: DEFAULT_PAGE_SIZE }));
    const absent = 'query Pages { households { nodes { id helpRecords { nodes { id summary } } } } }';
    expect(costOf(absent, {})).toBe(costOf(NESTED, { a: DEFAULT_PAGE_SIZE, b: DEFAULT_PAGE_SIZE }));
    expect(costOf(NESTED, 'unknown')).toBe(costOf(NESTED, { a: MAX_PAGE_SIZE, b: MAX_PAGE_SIZE }));
    // A page larger than any list serves is refused as input; for cost it counts as the largest page.
    expect(costOf(NESTED, { a: 5_000, b: 5_000 })).toBe(costOf(NESTED, { a: MAX_PAGE_SIZE, b: MAX_PAGE_SIZE }));
  });

  it('counts pages inside fragments and inline fragments, and each page as a statement', () => {
    const viaFragment =
      'query Pages($a: Int, $b: Int) { households(first: $a) { nodes { id ...Records } } } fragment Records on Household { helpRecords(first: $b) { nodes { id summary } } }';
    expect(costOf(viaFragment, { a: 100, b: 50 })).toBeGreaterThan(100 * 50 * 3);
    expect(costOf(viaFragment, { a: 100, b: 50 })).toBeGreaterThan(costOf(viaFragment, { a: 100, b: 5 }));
    const inline = 'query Pages($a: Int, $b: Int) { households(first: $a) { nodes { id ... on Household { helpRecords(first: $b) { nodes { id } } } } } }';
    expect(costOf(inline, { a: 100, b: 50 })).toBeGreaterThan(100 * 50);
    // One nested page per household costs its statement however small the page.
    expect(costOf(NESTED, { a: 100, b: 1 })).toBeGreaterThan(100 * PAGE_STATEMENT_COST);
  });

  it('prices the operation that runs, and the analytics figure sheets by their work', () => {
    const two = `query Cheap { me { id } } ${NESTED}`;
    expect(costOf(two, { a: 100, b: 100 }, 'Cheap')).toBeLessThan(10);
    expect(costOf(two, { a: 100, b: 100 }, 'Pages')).toBe(costOf(NESTED, { a: 100, b: 100 }));
    for (const field of Object.keys(FIELD_COSTS)) {
      const [typeName, fieldName] = field.split('.') as [string, string];
      expect({ field, exists: Boolean(schema.getType(typeName) && (schema.getQueryType()!.getFields()[fieldName] ?? null)) }).toEqual({ field, exists: true });
    }
    expect(costOf('{ campaignOverview { figures { value } } }', {})).toBeGreaterThanOrEqual(FIELD_COSTS['Query.campaignOverview']!);
  });

  it('collects the root fields that execute, as graphql-js does', () => {
    const document = parse(
      'mutation M($on: Boolean!, $off: Boolean = false, $u: String = "someone") { ...F ... on Mutation { b: logout(refreshToken: "x") } c: logout(refreshToken: "y") @include(if: $on) d: logout(refreshToken: "z") @skip(if: $on) e: logout(refreshToken: "w") @include(if: $off) __typename } fragment F on Mutation { a: login(username: $u, password: "p") { accessToken } }',
    );
    const operation = document.definitions.find((definition) => definition.kind === 'OperationDefinition')!;
    const plan = planExecution(schema, document, operation as OperationDefinitionNode, { on: true });
    expect(plan?.rootFields.map((field) => [field.responseKey, field.name])).toEqual([
      ['a', 'login'],
      ['b', 'logout'],
      ['c', 'logout'],
    ]);
    expect(plan?.rootFields[0]?.args).toEqual({ username: 'someone', password: 'p' });
    // Variables that do not coerce: nothing executes.
    expect(planExecution(schema, document, operation as OperationDefinitionNode, { on: 'yes' })).toBeNull();
  });
});

describe.each(databaseKinds())('the safelist before validation on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let production: LoggedApp;
  let cadre: string;

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'limits_variables'));
    const world = await createWorld(orm);
    production = await startLoggedApp(orm, database, (config) => ({ ...config, safelistMode: 'enforce' }));
    cadre = (await world.tokens(TEST_JWT_SECRET)).cadre;
  });

  afterAll(async () => {
    await production?.close();
    await orm?.close(true);
    if (database) await dropScratchDatabase(database);
  });

  it('refuses a cadre’s unknown document before validation: no field errors, no suggestions', async () => {
    const answer = await production.graphql('query Snoop { househods(first: 1) { nodes { idNumbr } } }', {}, cadre);
    expect(answer.status).toBe(403);
    expect(codeOf(answer)).toBe('OPERATION_NOT_SAFELISTED');
    expect(JSON.stringify(answer.body)).not.toMatch(/Did you mean|Cannot query field/);
    expect(production.logs).toContainEqual(expect.objectContaining({ level: WARN, role: 'CADRE', limit: 'safelist', operationName: 'Snoop' }));
  });

  it('refuses an anonymous unknown document before validation, and a sign-in document carrying another operation', async () => {
    for (const query of [
      '{ regons { nme } }',
      'not even graphql {',
      'mutation In { login(username: "a", password: "b") { accessToken } } query Out { househlds { id } }',
    ]) {
      const answer = await production.graphql(query);
      expect({ query, code: codeOf(answer), suggestions: /Did you mean|Cannot query field/.test(JSON.stringify(answer.body)) }).toEqual({
        query,
        code: 'OPERATION_NOT_SAFELISTED',
        suggestions: false,
      });
    }
    // The playground's password sign-in stays free; its own mistakes are validated as before.
    const signIn = await production.graphql('mutation In { login(username: "a", password: "b") { accesToken } }');
    expect(codeOf(signIn)).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('checks the safelist on GET requests too', async () => {
    const response = await fetch(`${production.url}/graphql?query=${encodeURIComponent('{ househlds { id } }')}`, {
      headers: { authorization: `Bearer ${cadre}`, 'apollo-require-preflight': 'true' },
    });
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('OPERATION_NOT_SAFELISTED');
  });

  /** A GET to /graphql with the given search, as the caller (anonymous when no token); the error code and whether validation spoke. */
  const get = async (search: string, token?: string) => {
    const response = await fetch(`${production.url}/graphql?${search}`, {
      headers: { 'apollo-require-preflight': 'true', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    const text = await response.text();
    return {
      code: (JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code,
      validated: /Cannot query field|Did you mean/.test(text),
    };
  };

  it('reads a GET’s document as Apollo does: a thousand padding parameters before it hide nothing', async () => {
    // Express's query parser stops at 1,000 parameters; Apollo reads them all with URLSearchParams.
    const padding = Array.from({ length: 1_000 }, (_, index) => `p${index}=1`).join('&');
    for (const token of [undefined, cadre]) {
      expect(await get(`${padding}&query=${encodeURIComponent('{ nosuchfield }')}`, token)).toEqual({ code: 'OPERATION_NOT_SAFELISTED', validated: false });
    }
  });

  it('refuses a GET that gives query, operationName or extensions twice (Express made an array of it, which the gate did not read)', async () => {
    for (const search of [
      `query=${encodeURIComponent('{ nosuchfield }')}&query=${encodeURIComponent('{ other }')}`,
      `query=${encodeURIComponent('{ nosuchfield }')}&operationName=A&operationName=B`,
      `query=${encodeURIComponent('{ nosuchfield }')}&extensions=%7B%7D&extensions=%7B%7D`,
    ]) {
      expect({ search, ...(await get(search)) }).toEqual({ search, code: 'OPERATION_NOT_SAFELISTED', validated: false });
    }
  });
});
