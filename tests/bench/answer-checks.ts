import type mysql from 'mysql2/promise';
import { MY_HOUSEHOLDS_QUERY } from './common';
import { MY_HOUSEHOLDS_BODY, submission, type Cadre, type Context } from './load';
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

/** Whether the real server has the operation yet; a missing field is "not built yet", anything else is reported. */
export async function probe(server: Running, cadre: Cadre, scenario: Scenario): Promise<string | null> {
  const body = scenario === 'myHouseholds' ? MY_HOUSEHOLDS_BODY : submission(`probe-${Date.now().toString(36)}-${server.name}`, cadre.households[0]!, 1);
  const answer = await graphqlCall(server, cadre.authorization, body);
  if (!answer.errors) return null;
  return answer.errors.map((error) => `${error.extensions?.code ?? ''} ${error.message}`.trim()).join('; ');
}

/** The same cadres' lists from both servers must be the same list: otherwise the two do different work. */
export async function compareMyHouseholds(ours: Running, baseline: Running, cadres: Cadre[]): Promise<string[]> {
  const differences: string[] = [];
  const body = JSON.stringify({ query: MY_HOUSEHOLDS_QUERY, variables: { first: 100 } });
  for (const cadre of cadres) {
    const [a, b] = await Promise.all([graphqlCall(ours, cadre.authorization, body), graphqlCall(baseline, cadre.authorization, body)]);
    const normalise = (answer: GraphqlAnswer) => {
      const connection = answer.data?.myHouseholds as { nodes: Record<string, unknown>[] } | undefined;
      return JSON.stringify(
        connection?.nodes.map((node) => ({
          ...node,
          lastVisitAt: node.lastVisitAt ? new Date(String(node.lastVisitAt)).toISOString() : null,
          targetGroups: [...(node.targetGroups as string[])].sort(),
        })) ?? answer.errors,
      );
    };
    const [left, right] = [normalise(a), normalise(b)];
    if (left !== right) differences.push(`cadre ${cadre.cadreId}:\n    ours     ${left.slice(0, 400)}\n    baseline ${right.slice(0, 400)}`);
  }
  return differences;
}

/** One identical submission to each server (same household, other clientIds): the rows written must match. */
export async function compareSubmissions(context: Context, ours: Running, baseline: Running): Promise<string[]> {
  const cadre = context.cadres[Math.floor(context.cadres.length / 2)]!;
  const householdId = cadre.households[0]!;
  const written: Record<ServerName, Record<string, unknown>> = { ours: {}, baseline: {} };
  const occurredAt = new Date(Date.now() - 10 * 60_000);
  for (const server of [ours, baseline]) {
    const clientId = `check-${context.runTag}-${server.name}`;
    const answer = await graphqlCall(server, cadre.authorization, submission(clientId, householdId, 10, occurredAt));
    if (answer.errors) return [`${server.name} refused the check submission: ${JSON.stringify(answer.errors).slice(0, 300)}`];
    const id = Number((answer.data?.submitHelpRecord as { id: string }).id);
    const [[record]] = await context.admin.query<mysql.RowDataPacket[]>(
      `select household_id, cadre_id, assignment_id, round_id, kinds, summary, funds_fen, materials_fen, problems_solved, photo_ids, latitude,
              longitude, supersedes_id, version_number, is_latest, content_hash from help_record where id = ?`,
      [id],
    );
    const [[audit]] = await context.admin.query<mysql.RowDataPacket[]>(
      `select actor_id, operation, entity_name, changes, reason, client_address, region_path from audit_entry where entity_name = 'HelpRecord' and entity_id = ?`,
      [String(id)],
    );
    const [demands] = await context.admin.query<mysql.RowDataPacket[]>(
      'select household_id, category, text, due_on is not null as has_due, status from demand where raised_in_id = ?',
      [id],
    );
    written[server.name] = { record, audit, demands };
  }
  const differences: string[] = [];
  for (const part of ['record', 'audit', 'demands']) {
    // The audit's changes are JSON: compare them as values, not text.
    const canonical = (value: unknown) =>
      JSON.stringify(value, (key, inner: unknown) => (key === 'changes' && typeof inner === 'string' ? JSON.parse(inner) : inner));
    const [left, right] = [canonical(written.ours[part]), canonical(written.baseline[part])];
    if (left !== right) differences.push(`${part}:\n    ours     ${left}\n    baseline ${right}`);
  }
  return differences;
}
