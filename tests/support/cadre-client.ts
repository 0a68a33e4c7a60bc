import { randomUUID } from 'node:crypto';

/**
 * A cadre's phone as the fault and soak tests drive it: GraphQL over HTTP with every failure sorted
 * into what the mini-program tells apart (services/errors.ts): the server was not reached or did not
 * answer (a connection error: keep the record and send it again), the server answered with an error
 * code, or it answered with data. Submissions retry the way the outbox does: the identical input
 * under the same clientId until the server stores it or refuses it.
 */

/** Codes that mean "the server looked at this and said no" (as the mini-program's REFUSALS): retrying cannot help. */
const REFUSALS = new Set(['BAD_USER_INPUT', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'BAD_REQUEST']);

export type CallOutcome<T> =
  | { ok: true; data: T; startedAt: number; ms: number }
  | {
      ok: false;
      /** The GraphQL error code, `HTTP_<status>` for a non-GraphQL answer, or `CONNECTION:<cause>` when no answer came. */
      code: string;
      message: string;
      /** No (complete) answer was received: the request may or may not have reached the resolver. */
      connectionError: boolean;
      status: number | null;
      startedAt: number;
      ms: number;
    };

export interface CallOptions {
  /** A request without an answer after this long counts as `CONNECTION:TIMEOUT`. */
  timeoutMs?: number;
}

export async function callGraphql<T>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  accessToken: string | null,
  { timeoutMs = 30_000 }: CallOptions = {},
): Promise<CallOutcome<T>> {
  const startedAt = Date.now();
  const elapsed = () => Date.now() - startedAt;
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}) },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    return { ok: false, code: `CONNECTION:${connectionCause(error)}`, message: String(error), connectionError: true, status: null, startedAt, ms: elapsed() };
  }
  let body: { data?: T | null; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return {
      ok: false,
      code: `HTTP_${response.status}`,
      message: text.slice(0, 200),
      connectionError: false,
      status: response.status,
      startedAt,
      ms: elapsed(),
    };
  }
  const first = body.errors?.[0];
  if (first || body.data == null) {
    const code = first?.extensions?.code ?? `HTTP_${response.status}`;
    return { ok: false, code, message: first?.message ?? text.slice(0, 200), connectionError: false, status: response.status, startedAt, ms: elapsed() };
  }
  return { ok: true, data: body.data, startedAt, ms: elapsed() };
}

/** The innermost system error code of a failed fetch (undici wraps it in `cause`). */
function connectionCause(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth += 1) {
    const candidate = current as { code?: unknown; name?: unknown; cause?: unknown };
    if (candidate.name === 'TimeoutError') return 'TIMEOUT';
    if (typeof candidate.code === 'string') return candidate.code;
    current = candidate.cause;
  }
  return 'UNKNOWN';
}

export function isRefusal(outcome: CallOutcome<unknown>): boolean {
  return !outcome.ok && REFUSALS.has(outcome.code);
}

// --- operations ----------------------------------------------------------------------------------------

export const DEVELOPMENT_SIGN_IN = `mutation DevelopmentSignIn($cadreId: ID!) {
  developmentSignIn(cadreId: $cadreId) { accessToken account { id cadre { id name } } }
}`;

export const DEVELOPMENT_CADRES = `query DevelopmentCadres { developmentCadres { id name } }`;

export const MY_HOUSEHOLDS = `query MyHouseholds($first: Int!, $after: String) {
  myHouseholds(first: $first, after: $after) {
    totalCount
    pageInfo { endCursor hasNextPage }
    nodes { id headName address regionName targetGroups lastVisitAt daysSinceLastVisit nextVisitDueAt visitIntervalDays visitOverdue openDemandCount }
  }
}`;

export const HOUSEHOLD_FILE = `query HouseholdFile($id: ID!, $recordsFirst: Int!) {
  household(id: $id) {
    id headName address phone status targetGroups lastVisitAt
    region { name }
    residents { id name relation isPetitioner isKeyFocus keyFocusReason }
    openDemands { id category text status dueOn }
    helpRecords(first: $recordsFirst) {
      totalCount
      nodes { id clientId occurredAt kinds summary fundsFen materialsFen problemsSolved versionNumber }
    }
  }
}`;

export const MY_STATS = `query MyStats {
  myStats {
    households householdsOverdue
    thisMonth { visits fundsFen materialsFen problemsSolved }
    thisRound { visits fundsFen materialsFen problemsSolved }
  }
}`;

export const SUBMIT_HELP_RECORD = `mutation SubmitHelpRecord($input: HelpRecordInput!) {
  submitHelpRecord(input: $input) { id clientId versionNumber }
}`;

export const CORRECT_HELP_RECORD = `mutation CorrectHelpRecord($id: ID!, $input: HelpRecordCorrectionInput!) {
  correctHelpRecord(id: $id, input: $input) { id clientId versionNumber }
}`;

export interface SubmittedRecord {
  id: string;
  clientId: string;
  versionNumber: number;
}

export interface HelpRecordInput {
  clientId: string;
  householdId: string;
  occurredAt: string;
  kinds: string[];
  summary: string;
  fundsFen: number;
  materialsFen: number;
  problemsSolved: number;
}

/** A visit as a cadre records it a few minutes after leaving the household. */
export function newVisit(householdId: string, serial: number): HelpRecordInput {
  return {
    clientId: randomUUID(),
    householdId,
    occurredAt: new Date(Date.now() - 5 * 60_000).toISOString(),
    kinds: serial % 3 === 0 ? ['VISIT', 'FUNDS'] : ['VISIT'],
    summary: `入户走访，了解近况（第 ${serial} 次）`,
    fundsFen: serial % 3 === 0 ? 20_000 : 0,
    materialsFen: 0,
    problemsSolved: serial % 5 === 0 ? 1 : 0,
  };
}

/** What happened to one record on its way to the server. */
export interface Delivery {
  clientId: string;
  /** Set once the server acknowledged it: the record id it answered with. */
  recordId: string | null;
  attempts: CallOutcome<{ submitHelpRecord: SubmittedRecord }>[];
  refused: boolean;
}

export interface RetryPolicy {
  /** Wait between attempts (the outbox retries on the next chance it gets; tests keep it short). */
  backoffMs: number;
  /** Stop retrying (the record stays "queued" on the phone) when this returns false. */
  keepTrying: () => boolean;
  /** Send no attempt now (e.g. while the server is being restarted); checked before each attempt. */
  mayAttempt?: () => boolean;
  /** Give up on one attempt after this long (`CONNECTION:TIMEOUT`); 30 s by default, as a phone would. */
  timeoutMs?: number;
}

/** Sends one record until the server stores it or refuses it, always with the same clientId and content. */
export async function deliver(url: () => string, token: string, input: HelpRecordInput, policy: RetryPolicy): Promise<Delivery> {
  const delivery: Delivery = { clientId: input.clientId, recordId: null, attempts: [], refused: false };
  while (policy.keepTrying()) {
    if (policy.mayAttempt && !policy.mayAttempt()) {
      await sleep(policy.backoffMs);
      continue;
    }
    const outcome = await callGraphql<{ submitHelpRecord: SubmittedRecord }>(url(), SUBMIT_HELP_RECORD, { input }, token, { timeoutMs: policy.timeoutMs });
    delivery.attempts.push(outcome);
    if (outcome.ok) {
      delivery.recordId = outcome.data.submitHelpRecord.id;
      return delivery;
    }
    if (isRefusal(outcome)) {
      delivery.refused = true;
      return delivery;
    }
    await sleep(policy.backoffMs);
  }
  return delivery;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Counts by key, sorted by key, for printing. */
export function tally(keys: Iterable<string>): Record<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return Object.fromEntries([...counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

export interface SignedInCadre {
  cadreId: string;
  token: string;
  /** The cadre's households (first page of myHouseholds, up to 100). */
  households: string[];
}

/** The demo cadres with households, signed in through the development sign-in (DEV_SIGN_IN=true) as the h5 build does. */
export async function signInDemoCadres(url: string): Promise<SignedInCadre[]> {
  const listed = await callGraphql<{ developmentCadres: { id: string }[] }>(url, DEVELOPMENT_CADRES, {}, null);
  if (!listed.ok) throw new Error(`developmentCadres failed: ${listed.code} ${listed.message}`);
  const cadres: SignedInCadre[] = [];
  for (const { id } of listed.data.developmentCadres) {
    const signedIn = await callGraphql<{ developmentSignIn: { accessToken: string } }>(url, DEVELOPMENT_SIGN_IN, { cadreId: id }, null);
    if (!signedIn.ok) throw new Error(`developmentSignIn(${id}) failed: ${signedIn.code} ${signedIn.message}`);
    const token = signedIn.data.developmentSignIn.accessToken;
    const households = await callGraphql<{ myHouseholds: { nodes: { id: string }[] } }>(url, MY_HOUSEHOLDS, { first: 100 }, token);
    if (!households.ok) throw new Error(`myHouseholds failed: ${households.code} ${households.message}`);
    const ids = households.data.myHouseholds.nodes.map((node) => node.id);
    if (ids.length > 0) cadres.push({ cadreId: id, token, households: ids });
  }
  return cadres;
}
