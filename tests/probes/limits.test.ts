import { demoCadres, errorCode, send, staffToken, startProbeServer, type GraphQLAnswer, type ProbeServer } from './support/probe-server';

/**
 * Limits that a request can step around: the cost limit with page sizes in variables, variable
 * defaults and nested pages; a request that holds the event loop; rate limits dodged by spelling a
 * mutation inside a fragment, an inline fragment or a directive, or a sign-in name in a variable
 * default; and staff queries with no budget at all.
 */

const NESTED_PAGES = 'households(first: $a) { nodes { id headName helpRecords(first: $b) { nodes { id summary occurredAt kinds cadre { id name } } } } }';

function expectCostRefused(answer: GraphQLAnswer): void {
  expect({ status: answer.status, data: answer.json?.data ?? null, extensions: answer.json?.errors?.[0]?.extensions }).toMatchObject({
    status: 400,
    data: null,
    extensions: { code: 'QUERY_LIMIT_EXCEEDED', limit: 'cost' },
  });
}

/** Sends a request while /healthz is asked every 20 ms; the slowest health answer, and the request's answer. */
async function withHealthChecks(url: string, request: () => Promise<GraphQLAnswer>): Promise<{ answer: GraphQLAnswer; slowestHealthMs: number }> {
  let slowestHealthMs = 0;
  let running = true;
  const checks = (async () => {
    while (running) {
      const started = performance.now();
      await fetch(`${url}/healthz`);
      slowestHealthMs = Math.max(slowestHealthMs, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const answer = await request();
  running = false;
  await checks;
  return { answer, slowestHealthMs };
}

describe('limits: the cost limit and the event loop', () => {
  let server: ProbeServer;
  let admin: string;
  let analyst: string;

  beforeAll(async () => {
    server = await startProbeServer();
    admin = await staffToken(server.url, 'admin');
    analyst = await staffToken(server.url, 'analyst');
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('limits: page sizes passed as variables (100 households × 100 records) are counted, not taken as 1', async () => {
    for (const token of [admin, analyst]) {
      expectCostRefused(await send(server.url, `query Pages($a: Int, $b: Int) { ${NESTED_PAGES} }`, { a: 100, b: 100 }, { token }));
    }
  });

  test('limits: page sizes given as variable defaults, with no variables sent, are counted', async () => {
    expectCostRefused(await send(server.url, `query Pages($a: Int = 100, $b: Int = 100) { ${NESTED_PAGES} }`, undefined, { token: admin }));
  });

  test('limits: a nested page left at its default size (20), under a page from a variable, is counted', async () => {
    const query = `query Pages($a: Int) { households(first: $a) { nodes { id helpRecords { nodes { id summary occurredAt kinds fundsFen cadre { id name unit { name } } } } } } }`;
    expectCostRefused(await send(server.url, query, { a: 100 }, { token: admin }));
  });

  test('limits: nested pages inside a fragment, sized by variables, are counted', async () => {
    const query = `query Pages($a: Int!, $b: Int!) { households(first: $a) { nodes { ...Records } } } fragment Records on Household { helpRecords(first: $b) { nodes { id summary occurredAt } } }`;
    expectCostRefused(await send(server.url, query, { a: 100, b: 100 }, { token: analyst }));
  });

  test('limits: thirty aliased figure sheets in one request are refused (each aggregates the whole campaign)', async () => {
    const dimensions = ['MONTH', 'REGION_CHILDREN', 'ROUND', 'TARGET_GROUP', 'UNIT'];
    const sheets = Array.from(
      { length: 30 },
      (_, index) => `b${index}: campaignBreakdown(dimension: ${dimensions[index % 5]}) { groups { key figures { measure value } } }`,
    );
    expectCostRefused(await send(server.url, `{ ${sheets.join(' ')} }`, undefined, { token: analyst }));
  });

  test('limits: a health check answers within 1 s while the heaviest request an administrator can send runs', async () => {
    // Ten aliased copies of the nested pages: the old server ran them (seconds of work on the loop).
    const aliased = `query Pages($a: Int, $b: Int) { ${Array.from({ length: 10 }, (_, index) => `h${index}: ${NESTED_PAGES}`).join(' ')} }`;
    const attack = await withHealthChecks(server.url, () => send(server.url, aliased, { a: 100, b: 100 }, { token: admin }));
    expect(attack.slowestHealthMs).toBeLessThan(1_000);
    expectCostRefused(attack.answer);

    // A large nested read still allowed (25 households × 10 records, cost ≈ 24,000 of 25,000) runs, and health stays quick.
    const allowed = await withHealthChecks(server.url, () =>
      send(
        server.url,
        'query Pages($a: Int, $b: Int) { households(first: $a) { nodes { id helpRecords(first: $b) { nodes { id summary occurredAt } } } } }',
        { a: 25, b: 10 },
        { token: admin },
      ),
    );
    expect(allowed.answer.json?.errors).toBeUndefined();
    expect(allowed.slowestHealthMs).toBeLessThan(1_000);
  });
});

describe('limits: rate limits count what executes', () => {
  let server: ProbeServer;
  let admin: string;
  let pingshanAdmin: string;
  let cadreId: string;
  /** A cadre in the district administrator's scope. */
  let pingshanCadreId: string;

  beforeAll(async () => {
    server = await startProbeServer({
      RATE_LIMITS: 'true',
      RATE_LIMIT_WRITES_PER_ACCOUNT: '4/60',
      RATE_LIMIT_SIGN_IN_PER_ACCOUNT: '3/60',
      RATE_LIMIT_SIGN_IN_PER_ADDRESS: '1000/60',
      RATE_LIMIT_WRITES_PER_ADDRESS: '1000/60',
      RATE_LIMIT_QUERIES_PER_ACCOUNT: '40000/60',
      RATE_LIMIT_QUERIES_PER_CADRE: '40000/60',
      RATE_LIMIT_QUERIES_PER_ADDRESS: '300/60',
      // The cadres' cost limit (2,500,000: the caseload refresh) is above this server's cadre budget: lowered to fit it.
      QUERY_LIMITS: JSON.stringify({ ANONYMOUS: { cost: 150 }, CADRE: { cost: 25_000 } }),
    });
    cadreId = (await demoCadres(server.url))[0]!.id;
    admin = await staffToken(server.url, 'admin');
    pingshanAdmin = await staffToken(server.url, 'pingshan-admin');
    const inScope = await send<{ cadres: { nodes: { id: string }[] } }>(server.url, '{ cadres(first: 1) { nodes { id } } }', undefined, {
      token: pingshanAdmin,
    });
    pingshanCadreId = inScope.json!.data!.cadres.nodes[0]!.id;
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** The write budget of this server is 4 per account: after four charged writes a plain one must be refused. */
  async function expectPlainWriteRefused(token: string, id: string): Promise<void> {
    expect(errorCode(await send(server.url, 'mutation Issue($id: ID!) { issueBindCode(cadreId: $id) { code } }', { id }, { token }))).toBe('TOO_MANY_REQUESTS');
  }

  test('limits: a mutation inside a named fragment is charged', async () => {
    const viaFragment = 'mutation Issue($id: ID!) { ...Issue } fragment Issue on Mutation { issueBindCode(cadreId: $id) { code } }';
    for (let attempt = 0; attempt < 4; attempt += 1)
      expect(errorCode(await send(server.url, viaFragment, { id: pingshanCadreId }, { token: pingshanAdmin }))).toBeUndefined();
    await expectPlainWriteRefused(pingshanAdmin, pingshanCadreId);
  });

  test('limits: mutations in an inline fragment at the root, under @include with a variable, and aliased in a fragment are charged', async () => {
    const spellings: [string, Record<string, unknown>][] = [
      ['mutation Issue($id: ID!) { ... on Mutation { issueBindCode(cadreId: $id) { code } } }', { id: cadreId }],
      ['mutation Issue($id: ID!, $on: Boolean!) { ... @include(if: $on) { issueBindCode(cadreId: $id) { code } } }', { id: cadreId, on: true }],
      [
        'mutation Issue($id: ID!) { ...Twice } fragment Twice on Mutation { a: issueBindCode(cadreId: $id) { code } b: issueBindCode(cadreId: $id) { code } }',
        { id: cadreId },
      ],
    ];
    for (const [query, variables] of spellings) expect(errorCode(await send(server.url, query, variables, { token: admin }))).toBeUndefined();
    await expectPlainWriteRefused(admin, cadreId);
  });

  test('limits: a sign-in whose user name comes from a variable default is charged to that account', async () => {
    const query = 'mutation SignIn($u: String = "analyst", $p: String!) { login(username: $u, password: $p) { accessToken } }';
    const codes: (string | undefined)[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) codes.push(errorCode(await send(server.url, query, { p: 'wanjia-analyst-demo' })));
    expect(codes).toEqual([undefined, undefined, undefined, 'TOO_MANY_REQUESTS']);
  });

  test('limits: a sign-in inside a fragment is charged to its account', async () => {
    const query = 'mutation SignIn($p: String!) { ...SignIn } fragment SignIn on Mutation { login(username: "pingshan-admin", password: $p) { accessToken } }';
    // pingshan-admin signed in once before (beforeAll): two more fit its budget of 3.
    const codes: (string | undefined)[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) codes.push(errorCode(await send(server.url, query, { p: 'wanjia-pingshan-demo' })));
    expect(codes).toEqual([undefined, undefined, 'TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS']);
  });

  test('limits: staff queries have a budget by cost (an administrator cannot repeat near-limit reads without end)', async () => {
    // Cost ≈ 19,200 each against a budget of 40,000 a minute: the third is refused.
    const heavy = 'query Pages($a: Int, $b: Int) { households(first: $a) { nodes { id helpRecords(first: $b) { nodes { id summary occurredAt } } } } }';
    const codes: (string | undefined)[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) codes.push(errorCode(await send(server.url, heavy, { a: 20, b: 10 }, { token: admin })));
    expect(codes[0]).toBeUndefined();
    expect(codes).toContain('TOO_MANY_REQUESTS');
  });

  test('limits: anonymous queries have a budget per address', async () => {
    const codes: (string | undefined)[] = [];
    // Cost 70 each (20 cadres listed) against 300 a minute (100 spent in beforeAll's list of cadres).
    for (let attempt = 0; attempt < 10; attempt += 1) codes.push(errorCode(await send(server.url, '{ developmentCadres { id } }')));
    expect(codes[0]).toBeUndefined();
    expect(codes).toContain('TOO_MANY_REQUESTS');
  });
});

/** The reviewer's document: children seven times, parent six, from the analyst's city scope (6⁷ regions on the demo tree). */
const REGION_ROUND_TRIPS = `{ regions { ${'children { parent { '.repeat(6)}children { id name path code }${' } }'.repeat(6)} } }`;

async function statementsOf(url: string, run: () => Promise<unknown>): Promise<number> {
  const before = ((await (await fetch(`${url}/debug/sql-count`)).json()) as { statements: number }).statements;
  await run();
  const after = ((await (await fetch(`${url}/debug/sql-count`)).json()) as { statements: number }).statements;
  return after - before;
}

describe('limits: lists without paging, unbatched resolvers and round trips', () => {
  let server: ProbeServer;
  let admin: string;
  let analyst: string;

  beforeAll(async () => {
    server = await startProbeServer({ COUNT_SQL: 'true' });
    admin = await staffToken(server.url, 'admin');
    analyst = await staffToken(server.url, 'analyst');
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('limits: the reviewer’s region round trips (children↔parent ×7, ten aliases) are refused and the health check stays quick', async () => {
    const aliased = `{ ${Array.from({ length: 10 }, (_, index) => `r${index}: ${REGION_ROUND_TRIPS.slice(2, -2)}`).join(' ')} }`;
    for (const query of [REGION_ROUND_TRIPS, aliased]) {
      const attack = await withHealthChecks(server.url, () => send(server.url, query, undefined, { token: analyst }));
      expect({ status: attack.answer.status, code: errorCode(attack.answer), bytes: attack.answer.text.length < 10_000 }).toEqual({
        status: 400,
        code: 'QUERY_LIMIT_EXCEEDED',
        bytes: true,
      });
      expect(attack.slowestHealthMs).toBeLessThan(1_000);
    }
  });

  test('limits: a household’s lists (residents, open demands, cases, history) count their items under a page of 100', async () => {
    const query =
      '{ households(first: 100) { nodes { id residents { id name relation gender age } openDemands { id text status } petitionCases { id title status } assignmentHistory { id startedAt cadre { name } } } } }';
    for (const token of [admin, analyst]) expectCostRefused(await send(server.url, query, undefined, { token }));
  });

  test('limits: a help record’s demands and a region’s children count their items (a page of 100 records, a walk down the tree from a region)', async () => {
    const records =
      '{ households(first: 30) { nodes { helpRecords(first: 30) { nodes { id demandsRaised { id text household { id } } demandsResolved { id text household { id } } } } } } }';
    expectCostRefused(await send(server.url, records, undefined, { token: admin }));
    const city = await send<{ regions: { id: string }[] }>(server.url, '{ regions { id } }', undefined, { token: analyst });
    // One walk of the tree is priced as the regions the tree holds (and allowed); the same walk three
    // times over under aliases counts three trees' worth, not three times one region a level.
    const walk = `regions(parentId: "${city.json!.data!.regions[0]!.id}") { id children { id name children { id name path children { id name } } } }`;
    expect((await send(server.url, `{ ${walk} }`, undefined, { token: analyst })).json?.errors).toBeUndefined();
    expectCostRefused(await send(server.url, `{ a: ${walk} b: ${walk} c: ${walk} }`, undefined, { token: analyst }));
  });

  test('limits: recentClosedDemands for a page of households is read in a few statements, not one per household', async () => {
    const query = '{ households(first: 100) { nodes { id recentClosedDemands { id text status } } } }';
    let answer: GraphQLAnswer | undefined;
    const statements = await statementsOf(server.url, async () => {
      answer = await send(server.url, query, undefined, { token: admin });
    });
    expect(answer?.json?.errors).toBeUndefined();
    expect(statements).toBeLessThan(20);
  });
});

describe('limits: the safelist gate on GET reads what Apollo reads', () => {
  let server: ProbeServer;

  beforeAll(async () => {
    server = await startProbeServer({ SAFELIST_MODE: 'enforce', INTROSPECTION: 'false' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const get = async (search: string) => {
    const response = await fetch(`${server.url}/graphql?${search}`, { headers: { 'apollo-require-preflight': 'true', accept: 'application/json' } });
    const text = await response.text();
    return {
      code: (JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code,
      validated: /Cannot query field|Did you mean/.test(text),
    };
  };

  test('limits: an anonymous GET with a thousand padding parameters before `query` is refused as not safelisted, never validated', async () => {
    const padding = Array.from({ length: 1_000 }, (_, index) => `p${index}=1`).join('&');
    for (const document of ['{ nosuchfield }', '{ households { nodes { idNumbr } } }']) {
      expect(await get(`${padding}&query=${encodeURIComponent(document)}`)).toEqual({ code: 'OPERATION_NOT_SAFELISTED', validated: false });
    }
  });

  test('limits: an anonymous GET that gives `query` twice is refused as not safelisted', async () => {
    expect(await get(`query=${encodeURIComponent('{ nosuchfield }')}&query=${encodeURIComponent('{ other }')}`)).toEqual({
      code: 'OPERATION_NOT_SAFELISTED',
      validated: false,
    });
  });
});

/** The links exportReport answers the caller (each with a ticket only this caller can use). */
async function exportLinks(url: string, token: string, args: string): Promise<{ csvUrl: string; xlsxUrl: string }> {
  const exported = await send<{ exportReport: { csvUrl: string; xlsxUrl: string } }>(url, `mutation { exportReport(${args}) { csvUrl xlsxUrl } }`, undefined, {
    token,
  });
  const links = exported.json?.data?.exportReport;
  if (!links) throw new Error(`exportReport failed: ${exported.text}`);
  return links;
}

describe('limits: report downloads are audited and charged', () => {
  let server: ProbeServer;
  let admin: string;
  let analyst: string;

  beforeAll(async () => {
    server = await startProbeServer({
      RATE_LIMITS: 'true',
      // Two figure sheets' worth (4,000 each) per account; every role's cost limit fits the budget.
      RATE_LIMIT_QUERIES_PER_ACCOUNT: '9000/600',
      RATE_LIMIT_QUERIES_PER_CADRE: '9000/600',
      QUERY_LIMITS: JSON.stringify({ CADRE: { cost: 8_000 }, ANALYST: { cost: 8_000 }, ADMIN: { cost: 8_000 } }),
      RATE_LIMIT_QUERIES_PER_ADDRESS: '100000/60',
      RATE_LIMIT_SIGN_IN_PER_ADDRESS: '1000/60',
    });
    admin = await staffToken(server.url, 'admin');
    analyst = await staffToken(server.url, 'analyst');
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('limits: each CSV/xlsx download leaves an audit entry naming the report, format and slice', async () => {
    const links = await exportLinks(server.url, analyst, 'kind: OVERVIEW, from: "2024-01-01"');
    for (const link of [links.csvUrl, links.xlsxUrl]) {
      const response = await fetch(link, { headers: { authorization: `Bearer ${analyst}` } });
      expect(response.status).toBe(200);
    }
    const trail = await send<{ auditEntries: { nodes: { operation: string; entityId: string; changes: string | null }[] } }>(
      server.url,
      '{ auditEntries(first: 20, filter: { operation: "downloadReport" }) { nodes { operation entityId changes } } }',
      undefined,
      { token: admin },
    );
    const entries = trail.json?.data?.auditEntries.nodes ?? [];
    expect(entries.map((entry) => [entry.entityId, (JSON.parse(entry.changes ?? '{}') as { format?: string; from?: string }).format])).toEqual(
      expect.arrayContaining([
        ['OVERVIEW', 'csv'],
        ['OVERVIEW', 'xlsx'],
      ]),
    );
  });

  test('limits: downloads are charged to the query budget: repeating them ends in 429', async () => {
    const statuses: number[] = [];
    const { csvUrl } = await exportLinks(server.url, analyst, 'kind: OVERVIEW');
    for (let attempt = 0; attempt < 4; attempt += 1) {
      statuses.push((await fetch(csvUrl, { headers: { authorization: `Bearer ${analyst}` } })).status);
    }
    expect(statuses).toContain(429);
  });
});
