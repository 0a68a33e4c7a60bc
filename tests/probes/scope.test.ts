import { randomUUID } from 'node:crypto';
import {
  cadreToken,
  demoCadres,
  errorCode,
  send,
  staffToken,
  startProbeServer,
  UNLIMITED_STAFF_COST,
  type GraphQLAnswer,
  type ProbeServer,
} from './support/probe-server';

/**
 * Paths around scope (issue 11): an idempotent replay of a help record and nested fields (a help
 * record → its demands → their household → its phone, residents and history) must not hand a caller
 * what the roots refuse. The probe server runs in development mode, so the persisted-operation
 * safelist is off: the rule has to hold without it.
 */

/** Everything of a household's file a nested selection can ask for. */
const FILE =
  'id headName address phone residents { id name idNumber } assignmentHistory { id cadre { id name } } petitionCases { id title } openDemands { id text }';
const RECORD = `id clientId summary demandsRaised { id text household { ${FILE} } } demandsResolved { id household { ${FILE} } }`;
const SUBMIT = `mutation ($input: HelpRecordInput!) { submitHelpRecord(input: $input) { ${RECORD} } }`;

interface HouseholdFile {
  id: string;
  headName: string;
  phone: string | null;
  residents: { name: string }[];
}

let server: ProbeServer;
let admin: string;
let districtAdmin: string;
/** Cadre A had the household and lost it; cadre B never had it. */
let cadreA: string;
let cadreB: string;
let lostHousehold: HouseholdFile;
let bOwnHousehold: string;
let submission: Record<string, unknown>;

function submissionFor(householdId: string, clientId: string, summary: string): Record<string, unknown> {
  return {
    clientId,
    householdId,
    occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
    kinds: ['VISIT'],
    summary,
    demandsRaised: [{ category: 'HOUSING', text: '房屋漏雨需要修缮' }],
  };
}

/** What of the household's file an answer carries: its head's name, its phone, its residents' names. */
function leaksFile(answer: GraphQLAnswer, file: HouseholdFile): string[] {
  const leaks: string[] = [];
  if (answer.text.includes(`"headName":"${file.headName}"`)) leaks.push('headName');
  if (file.phone && answer.text.includes(file.phone)) leaks.push('phone');
  for (const resident of file.residents) if (answer.text.includes(`"name":"${resident.name}"`)) leaks.push(`resident ${resident.name}`);
  return leaks;
}

async function myHouseholdIds(token: string): Promise<string[]> {
  const answer = await send<{ myHouseholds: { nodes: { id: string }[] } }>(server.url, '{ myHouseholds(first: 50) { nodes { id } } }', {}, { token });
  return answer.json?.data?.myHouseholds.nodes.map((node) => node.id) ?? [];
}

beforeAll(async () => {
  server = await startProbeServer(UNLIMITED_STAFF_COST);
  admin = await staffToken(server.url, 'admin');
  districtAdmin = await staffToken(server.url, 'pingshan-admin');
  const cadres = await demoCadres(server.url);
  const withHouseholds: { token: string; households: string[] }[] = [];
  for (const cadre of cadres) {
    const token = await cadreToken(server.url, cadre.id);
    const households = await myHouseholdIds(token);
    if (households.length > 0) withHouseholds.push({ token, households });
    if (withHouseholds.length === 2) break;
  }
  if (withHouseholds.length < 2) throw new Error('the demo data needs two cadres with households');
  [cadreA, cadreB] = [withHouseholds[0]!.token, withHouseholds[1]!.token];
  bOwnHousehold = withHouseholds[1]!.households[0]!;
  const target = withHouseholds[0]!.households.find((id) => !withHouseholds[1]!.households.includes(id))!;
  // While assigned, cadre A reads the file (so the probe knows what must not come back) and records a visit.
  const file = await send<{ household: HouseholdFile }>(server.url, `query ($id: ID!) { household(id: $id) { ${FILE} } }`, { id: target }, { token: cadreA });
  lostHousehold = file.json!.data!.household;
  submission = submissionFor(target, randomUUID(), '入户走访，了解住房情况');
  const first = await send(server.url, SUBMIT, { input: submission }, { token: cadreA });
  expect(first.json?.errors).toBeUndefined();
  // Then the household is taken from cadre A.
  const assignments = await send<{ household: { activeAssignments: { id: string }[] } }>(
    server.url,
    'query ($id: ID!) { household(id: $id) { activeAssignments { id } } }',
    { id: target },
    { token: admin },
  );
  for (const { id } of assignments.json!.data!.household.activeAssignments) {
    const ended = await send(
      server.url,
      'mutation ($id: ID!) { endAssignment(assignmentId: $id, reason: "工作调动，移交他人") { id } }',
      { id },
      { token: admin },
    );
    expect(ended.json?.errors).toBeUndefined();
  }
  expect(await myHouseholdIds(cadreA)).not.toContain(target);
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

test('scope: a cadre transferred away resends an old submission and reads the household through its demands', async () => {
  const replay = await send(server.url, SUBMIT, { input: submission }, { token: cadreA });
  expect(leaksFile(replay, lostHousehold)).toEqual([]);
  // A bare acknowledgement: the cadre's own record, so the phone's outbox can let it go.
  expect(replay.json?.data).toMatchObject({ submitHelpRecord: { clientId: submission.clientId, demandsRaised: [] } });
});

test("scope: another cadre replays a clientId it learned, with the record's content", async () => {
  const replay = await send(server.url, SUBMIT, { input: submission }, { token: cadreB });
  const fresh = await send(server.url, SUBMIT, { input: { ...submission, clientId: randomUUID() } }, { token: cadreB });
  expect(leaksFile(replay, lostHousehold)).toEqual([]);
  // What an unknown clientId gets: cadre B was never assigned to that household.
  expect(errorCode(fresh)).toBe('FORBIDDEN');
  expect({ code: errorCode(replay), data: replay.json?.data ?? null }).toEqual({ code: errorCode(fresh), data: fresh.json?.data ?? null });
});

test('scope: another cadre probes whether a clientId exists by sending it with other content', async () => {
  // For its own household an unknown clientId records a visit; a known one of someone else must do the same, not say CONFLICT.
  const probe = await send(server.url, SUBMIT, { input: submissionFor(bOwnHousehold, String(submission.clientId), '本人走访') }, { token: cadreB });
  expect(probe.json?.errors?.map((error) => error.extensions?.code)).toBeUndefined();
  expect(probe.json?.data).toMatchObject({ submitHelpRecord: { clientId: submission.clientId, summary: '本人走访' } });
  expect(leaksFile(probe, lostHousehold)).toEqual([]);
});

test('scope: a cadre resends a submission and hopes it leaves no trace in the audit trail', async () => {
  const before = await send<{ auditEntries: { totalCount: number } }>(
    server.url,
    '{ auditEntries(first: 1, filter: { operation: "resendHelpRecord" }) { totalCount } }',
    {},
    { token: admin },
  );
  await send(server.url, SUBMIT, { input: submission }, { token: cadreA });
  const after = await send<{ auditEntries: { totalCount: number; nodes: { entityName: string; actorId: string | null }[] } }>(
    server.url,
    '{ auditEntries(first: 5, filter: { operation: "resendHelpRecord" }) { totalCount nodes { entityName actorId } } }',
    {},
    { token: admin },
  );
  expect(after.json?.data?.auditEntries.totalCount ?? 0).toBe((before.json?.data?.auditEntries.totalCount ?? 0) + 1);
  expect(after.json?.data?.auditEntries.nodes[0]).toMatchObject({ entityName: 'HelpRecord' });
});

test("scope: staff of another district reach a moved household through the figures' help records → demands → household", async () => {
  // A 平山区 household with a demand raised on a visit, moved by the city to 溪湖区: its records still count where they counted.
  const demands = await send<{
    demands: { nodes: { id: string; raisedInId: string | null; household: { id: string; region: { id: string; path: string } } }[] };
  }>(server.url, '{ demands(first: 100) { nodes { id raisedInId household { id region { id path } } } } }', {}, { token: districtAdmin });
  const demand = demands.json!.data!.demands.nodes.find((node) => node.raisedInId !== null)!;
  expect(demand).toBeDefined();
  const movedId = demand.household.id;
  const village = demand.household.region.id;
  // One level of the tree per request, as an administrator's screen reads it (a whole subtree in one
  // request costs more than any limit allows).
  const childrenOf = async (parentId: string | null) =>
    (
      await send<{ regions: { id: string; code: string; level: string }[] }>(
        server.url,
        'query ($p: ID) { regions(parentId: $p) { id code level } }',
        { p: parentId },
        { token: admin },
      )
    ).json!.data!.regions;
  let frontier = await childrenOf(null);
  let target: { id: string; code: string; level: string } | undefined;
  while (!target && frontier.length > 0) {
    target = frontier.find((node) => node.code.startsWith('210503') && ['VILLAGE', 'COMMUNITY'].includes(node.level));
    const next: typeof frontier = [];
    // From the city root down into 溪湖区 (210503…) only.
    for (const node of frontier.filter((candidate) => candidate.level === 'CITY' || candidate.code.startsWith('210503')))
      next.push(...(await childrenOf(node.id)));
    frontier = next;
  }
  expect(target).toBeDefined();
  const current = await send<{ household: { version: number } }>(
    server.url,
    'query ($id: ID!) { household(id: $id) { version } }',
    { id: movedId },
    { token: admin },
  );
  const moved = await send(
    server.url,
    'mutation ($id: ID!, $v: Int!, $r: ID!) { updateHousehold(id: $id, input: { expectedVersion: $v, regionId: $r }) { id } }',
    { id: movedId, v: current.json!.data!.household.version, r: target!.id },
    { token: admin },
  );
  expect(moved.json?.errors).toBeUndefined();
  const file = await send<{ household: HouseholdFile }>(server.url, `query ($id: ID!) { household(id: $id) { ${FILE} } }`, { id: movedId }, { token: admin });
  const movedFile = file.json!.data!.household;

  // The root refuses it already; the nested path must answer the same.
  expect(errorCode(await send(server.url, 'query ($id: ID!) { household(id: $id) { id } }', { id: movedId }, { token: districtAdmin }))).toBe('FORBIDDEN');
  // Every page of the village's drill-down (a page of whole files at a time stays under the cost limit).
  let after: string | null = null;
  let pages = 0;
  do {
    const nested: GraphQLAnswer<{ analyticsHelpRecords: { pageInfo: { endCursor: string | null; hasNextPage: boolean } } }> = await send(
      server.url,
      `query ($r: ID!, $after: String) { analyticsHelpRecords(measure: VISITS, regionId: $r, first: 40, after: $after) { pageInfo { endCursor hasNextPage } nodes { ${RECORD} } } }`,
      { r: village, after },
      { token: districtAdmin },
    );
    expect((nested.json?.errors ?? []).filter((error) => error.extensions?.code !== 'FORBIDDEN')).toEqual([]);
    expect(nested.text).not.toContain(`"household":{"id":"${movedId}"`);
    expect(leaksFile(nested, movedFile)).toEqual([]);
    const pageInfo = nested.json?.data?.analyticsHelpRecords.pageInfo;
    after = pageInfo?.hasNextPage ? pageInfo.endCursor : null;
    pages += 1;
  } while (after !== null && pages < 50);
});

/** An open demand of the household cadre A lost, as the city administrator reads it now. */
async function openDemandIds(householdId: string): Promise<string[]> {
  const answer = await send<{ household: { openDemands: { id: string }[] } }>(
    server.url,
    'query ($id: ID!) { household(id: $id) { openDemands { id } } }',
    { id: householdId },
    { token: admin },
  );
  return answer.json!.data!.household.openDemands.map((demand) => demand.id);
}

test("scope: a transferred cadre backdates a record into the ended assignment to close the household's open demands, and learns which ids are open", async () => {
  const open = await openDemandIds(lostHousehold.id);
  expect(open.length).toBeGreaterThan(0);
  const backdated = (resolvedDemandIds: string[]) => ({
    ...submissionFor(lostHousehold.id, randomUUID(), '补录走访'),
    occurredAt: new Date(Date.now() - 2 * 3_600_000).toISOString(),
    demandsRaised: [],
    resolvedDemandIds,
  });
  const onOpen = await send(server.url, SUBMIT, { input: backdated([open[0]!]) }, { token: cadreA });
  const onMissing = await send(server.url, SUBMIT, { input: backdated(['999999']) }, { token: cadreA });
  // One answer whatever the ids, and the household's current cadre still has the demand.
  expect(errorCode(onOpen)).toBe('BAD_USER_INPUT');
  expect([onOpen.json?.errors?.[0]?.message, onOpen.json?.errors?.[0]?.extensions?.field]).toEqual([
    onMissing.json?.errors?.[0]?.message,
    onMissing.json?.errors?.[0]?.extensions?.field,
  ]);
  expect(await openDemandIds(lostHousehold.id)).toEqual(open);
});

test('scope: a cadre transferred away long ago backdates a record into the old assignment and plants a demand in the household', async () => {
  // A server whose grace after an assignment's end is over at once: "long ago" without waiting.
  const late = await startProbeServer({ HELP_RECORD_LATE_GRACE_DAYS: '0' });
  try {
    const cityAdmin = await staffToken(late.url, 'admin');
    const cadres = await demoCadres(late.url);
    let token = '';
    let householdId = '';
    for (const cadre of cadres) {
      token = await cadreToken(late.url, cadre.id);
      const answer = await send<{ myHouseholds: { nodes: { id: string }[] } }>(late.url, '{ myHouseholds(first: 1) { nodes { id } } }', {}, { token });
      householdId = answer.json?.data?.myHouseholds.nodes[0]?.id ?? '';
      if (householdId) break;
    }
    expect(householdId).not.toBe('');
    const file = await send<{ household: { activeAssignments: { id: string }[]; openDemands: { id: string }[]; lastVisitAt: string | null } }>(
      late.url,
      'query ($id: ID!) { household(id: $id) { activeAssignments { id } openDemands { id } lastVisitAt } }',
      { id: householdId },
      { token: cityAdmin },
    );
    for (const { id } of file.json!.data!.household.activeAssignments) {
      await send(late.url, 'mutation ($id: ID!) { endAssignment(assignmentId: $id, reason: "工作调动，移交他人") { id } }', { id }, { token: cityAdmin });
    }
    const planted = await send(
      late.url,
      SUBMIT,
      { input: { ...submissionFor(householdId, randomUUID(), '补录走访'), occurredAt: new Date(Date.now() - 60_000).toISOString() } },
      { token },
    );
    expect(errorCode(planted)).toBe('BAD_USER_INPUT');
    const after = await send<{ household: { openDemands: { id: string }[]; lastVisitAt: string | null } }>(
      late.url,
      'query ($id: ID!) { household(id: $id) { openDemands { id } lastVisitAt } }',
      { id: householdId },
      { token: cityAdmin },
    );
    expect(after.json!.data!.household).toEqual({ openDemands: file.json!.data!.household.openDemands, lastVisitAt: file.json!.data!.household.lastVisitAt });
  } finally {
    await late.stop();
  }
}, 180_000);

interface CadreSeen {
  id: string;
  phone: string | null;
  unit: { region: { path: string } };
}

function cadresSeen(value: unknown, found: CadreSeen[] = []): CadreSeen[] {
  if (Array.isArray(value)) for (const item of value) cadresSeen(item, found);
  else if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if ('phone' in object && 'unit' in object) found.push(object as unknown as CadreSeen);
    for (const inner of Object.values(object)) cadresSeen(inner, found);
  }
  return found;
}

test("scope: a district administrator collects the city's cadres' full phones through assignments, contact points and help records", async () => {
  const CADRE = 'id phone unit { region { path } }';
  const answer = await send(
    server.url,
    `{ contactPoints(first: 100) { nodes { leader { ${CADRE} } } }
       assignments(first: 100) { nodes { cadre { ${CADRE} } } }
       petitionCases(first: 50) { nodes { responsibleLeader { ${CADRE} } } } }`,
    {},
    { token: districtAdmin },
  );
  expect(answer.json?.errors).toBeUndefined();
  const seen = cadresSeen(answer.json?.data);
  const pingshan = '210500000000/210502000000/';
  const outside = seen.filter((cadre) => !cadre.unit.region.path.startsWith(pingshan) && cadre.phone);
  expect(outside.length).toBeGreaterThan(0);
  expect(outside.filter((cadre) => !cadre.phone!.includes('*')).map((cadre) => cadre.id)).toEqual([]);
});
