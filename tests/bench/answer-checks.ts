import type mysql from 'mysql2/promise';
import { persistedBody } from './documents';
import { MY_HOUSEHOLDS_BODY, MY_STATS_BODY, householdFileBody, submission, type Cadre, type Context } from './load';
import { serverStatementCount } from './gauges';
import type { Running } from './server-processes';
import type { Scenario, ServerName } from './settings';

/** Checks that both servers answer the same, so that the ratio compares the same work. */

export interface GraphqlAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export async function graphqlCall(server: Running, authorization: string, body: string): Promise<GraphqlAnswer> {
  const response = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body });
  return (await response.json()) as GraphqlAnswer;
}

/** Whether a server answers the scenario's operation; anything but data is reported and the scenario is not measured there. */
export async function probe(server: Running, cadre: Cadre, scenario: Scenario): Promise<string | null> {
  const bodies: Record<Scenario, () => string[]> = {
    myHouseholds: () => [MY_HOUSEHOLDS_BODY],
    household: () => [householdFileBody(cadre.households[0]!)],
    myStats: () => [MY_STATS_BODY],
    submitHelpRecord: () => [submission(`probe-${Date.now().toString(36)}-${server.name}`, cadre.households[0]!, 1)],
    mix: () => [MY_HOUSEHOLDS_BODY, householdFileBody(cadre.households[0]!), MY_STATS_BODY],
  };
  for (const body of bodies[scenario]()) {
    const answer = await graphqlCall(server, cadre.authorization, body);
    if (answer.errors) return answer.errors.map((error) => `${error.extensions?.code ?? ''} ${error.message}`.trim()).join('; ');
  }
  return null;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** An answer as text for comparison: instants as ISO UTC, lists of enum names sorted where their order carries nothing. */
export function canonicalAnswer(answer: GraphqlAnswer): string {
  if (answer.errors) return JSON.stringify({ errors: answer.errors.map((error) => error.extensions?.code ?? error.message) });
  return JSON.stringify(answer.data, (key, value: unknown) => {
    if (typeof value === 'string' && INSTANT.test(value)) return new Date(value).toISOString();
    if ((key === 'targetGroups' || key === 'kinds' || key === 'hardshipReasons') && Array.isArray(value)) return [...(value as string[])].sort();
    return value;
  });
}

/** The first place two canonical answers part, with some context, for the report. */
function firstDifference(left: string, right: string): string {
  let at = 0;
  while (at < left.length && left[at] === right[at]) at += 1;
  const from = Math.max(0, at - 120);
  return `at ${at}:\n    ours     …${left.slice(from, at + 200)}\n    baseline …${right.slice(from, at + 200)}`;
}

/**
 * The same cadres' answers from both servers must be the same answers: their lists (the whole list:
 * a page of 100), files (each of a sample's households, the screen's page of records) and statistics.
 */
export async function compareAnswers(ours: Running, baseline: Running, cadres: Cadre[], scenarios: Scenario[]): Promise<Record<string, string[]>> {
  const checks: [string, (cadre: Cadre) => string[]][] = [];
  if (scenarios.includes('myHouseholds') || scenarios.includes('mix')) checks.push(['myHouseholds', () => [persistedBody('MyHouseholds', { first: 100 })]]);
  if (scenarios.includes('household') || scenarios.includes('mix')) checks.push(['household', (cadre) => cadre.households.map((id) => householdFileBody(id))]);
  if (scenarios.includes('myStats') || scenarios.includes('mix')) checks.push(['myStats', () => [MY_STATS_BODY]]);
  const differences: Record<string, string[]> = {};
  for (const [name, bodies] of checks) {
    differences[name] = [];
    for (const cadre of cadres) {
      for (const body of bodies(cadre)) {
        const [a, b] = await Promise.all([graphqlCall(ours, cadre.authorization, body), graphqlCall(baseline, cadre.authorization, body)]);
        const [left, right] = [canonicalAnswer(a), canonicalAnswer(b)];
        if (left !== right) differences[name]!.push(`cadre ${cadre.cadreId} ${firstDifference(left, right)}`);
      }
    }
  }
  return differences;
}

interface MonthlyKey {
  round_id: number;
  month: string;
  attributed_region_id: number;
  attributed_unit_id: number;
  attributed_groups: number;
}

/**
 * One identical submission to each server (same household, other clientIds), then the same one again
 * (a resend): the rows written must match — the record with its attribution, its demands and their
 * first timeline step, the audit entries of the submission and of the resend — and each must add the
 * same to the analysts' monthly summary.
 */
export async function compareSubmissions(context: Context, ours: Running, baseline: Running): Promise<string[]> {
  const cadre = context.cadres[Math.floor(context.cadres.length / 2)]!;
  const householdId = cadre.households[0]!;
  const written: Record<ServerName, Record<string, unknown>> = { ours: {}, baseline: {} };
  const occurredAt = new Date(Date.now() - 10 * 60_000);
  const monthly = async (key: MonthlyKey) => {
    const [[row]] = await context.admin.query<mysql.RowDataPacket[]>(
      'select records, funds_fen, materials_fen, problems_solved from help_record_monthly where round_id = ? and month = ? and region_id = ? and unit_id = ? and target_groups = ?',
      [key.round_id, key.month, key.attributed_region_id, key.attributed_unit_id, key.attributed_groups],
    );
    return row ?? { records: 0, funds_fen: 0, materials_fen: 0, problems_solved: 0 };
  };
  for (const server of [ours, baseline]) {
    const clientId = `check-${context.runTag}-${server.name}`;
    const body = submission(clientId, householdId, 10, occurredAt);
    const [[key]] = await context.admin.query<mysql.RowDataPacket[]>(
      `select a.round_id, date_format(date_add(?, interval 8 hour), '%Y-%m') as month, h.region_id as attributed_region_id, c.unit_id as attributed_unit_id,
              h.is_hardship + 2 * h.is_key_focus + 4 * h.is_petitioner as attributed_groups
       from assignment a join household h on h.id = a.household_id join cadre c on c.id = a.cadre_id where a.cadre_id = ? and a.household_id = ? and a.ended_at is null`,
      [occurredAt, cadre.cadreId, householdId],
    );
    const before = await monthly(key as MonthlyKey);
    const answer = await graphqlCall(server, cadre.authorization, body);
    if (answer.errors) return [`${server.name} refused the check submission: ${JSON.stringify(answer.errors).slice(0, 300)}`];
    const id = Number((answer.data?.submitHelpRecord as { id: string }).id);
    const after = await monthly(key as MonthlyKey);
    const resent = await graphqlCall(server, cadre.authorization, body);
    const resentId = resent.errors ? JSON.stringify(resent.errors) : Number((resent.data?.submitHelpRecord as { id: string }).id);
    const [[record]] = await context.admin.query<mysql.RowDataPacket[]>(
      `select household_id, cadre_id, assignment_id, round_id, kinds, summary, funds_fen, materials_fen, problems_solved, photo_ids, latitude,
              longitude, supersedes_id, version_number, is_latest, content_hash, attributed_region_id, attributed_unit_id, attributed_groups from help_record where id = ?`,
      [id],
    );
    const [audits] = await context.admin.query<mysql.RowDataPacket[]>(
      `select actor_id, operation, entity_name, changes, reason, client_address, region_path from audit_entry where entity_name = 'HelpRecord' and entity_id = ? order by id`,
      [String(id)],
    );
    const [demands] = await context.admin.query<mysql.RowDataPacket[]>(
      `select d.household_id, d.category, d.text, d.due_on, d.status, e.kind, e.at = d.raised_at as at_raised, e.actor_account_id, e.help_record_id = d.raised_in_id as by_record
       from demand d left join demand_event e on e.demand_id = d.id where d.raised_in_id = ? order by d.id, e.id`,
      [id],
    );
    const added = Object.fromEntries(
      Object.entries(after).map(([column, value]) => [column, Number(value) - Number((before as Record<string, unknown>)[column])]),
    );
    written[server.name] = { record, audits, demands, monthly: added, resend: resentId === id ? 'same record' : `answered ${resentId}` };
  }
  const differences: string[] = [];
  for (const part of ['record', 'audits', 'demands', 'monthly', 'resend']) {
    // The audit's changes are JSON: compared as values, the resend's clientId (each server got its own) left out.
    const canonical = (value: unknown) =>
      JSON.stringify(value, (key, inner: unknown) => {
        if (key === 'changes' && typeof inner === 'string') return { ...(JSON.parse(inner) as Record<string, unknown>), clientId: undefined };
        return inner;
      });
    const [left, right] = [canonical(written.ours[part]), canonical(written.baseline[part])];
    if (left !== right) differences.push(`${part}:\n    ours     ${left}\n    baseline ${right}`);
  }
  return differences;
}

/**
 * SQL statements one request costs on an idle server, at a small and a large page: the first call
 * warms the account-standing read (5 s), so the two counted calls are the operation's own statements.
 */
export async function statementsAtPageSizes(server: Running, cadre: Cadre, scenario: 'myHouseholds' | 'household', sizes: [number, number]): Promise<number[]> {
  const body = (size: number) => (scenario === 'myHouseholds' ? persistedBody('MyHouseholds', { first: size }) : householdFileBody(cadre.households[0]!, size));
  await graphqlCall(server, cadre.authorization, body(sizes[0]));
  const counts: number[] = [];
  for (const size of sizes) {
    const before = await serverStatementCount(server);
    await graphqlCall(server, cadre.authorization, body(size));
    const after = await serverStatementCount(server);
    counts.push(before === null || after === null ? NaN : after - before);
  }
  return counts;
}
