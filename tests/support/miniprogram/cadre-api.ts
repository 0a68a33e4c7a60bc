import { randomUUID } from 'node:crypto';
import { graphql } from '../server-process';

/**
 * What the browser tests of the cadres' app do through the API beside the app: sign in as the same demo
 * cadre, upload a photo, write records (the other write that races the app), and read back what the
 * server holds, so that each test checks the app's effect on the server and not only its screen.
 */

export interface DemandState {
  id: string;
  text: string;
  status: string;
  satisfaction: string | null;
  confirmationNote: string | null;
  reopenCount: number;
}

export interface RecordState {
  id: string;
  clientId: string;
  summary: string;
  versionNumber: number;
  corrected: boolean;
  photoIds: string[];
  demandsRaised: { id: string; text: string }[];
  demandsResolved: { id: string; text: string }[];
  earlierVersions: { id: string; versionNumber: number; summary: string }[];
}

export interface CadreApi {
  token: string;
  uploadPhoto(bytes: Buffer, name?: string): Promise<string>;
  submitRecord(input: {
    householdId: string;
    summary: string;
    photoIds?: string[];
    resolvedDemandIds?: string[];
    demandsRaised?: { category: string; text: string }[];
  }): Promise<{ id: string; clientId: string }>;
  /** The household's latest versions (the history), newest first. */
  records(householdId: string): Promise<RecordState[]>;
  /** Every demand of the household the cadre sees: open, awaiting confirmation, and those the records raised. */
  demand(householdId: string, demandId: string): Promise<DemandState | null>;
  demandsOf(householdId: string): Promise<{ open: DemandState[]; awaiting: DemandState[] }>;
  /** Every household assigned to the cadre (id and head's name), in the list's order. */
  assignedHouseholds(): Promise<{ id: string; headName: string }[]>;
}

const DEMAND_FIELDS = 'id text status satisfaction confirmationNote reopenCount';

async function answer<T>(url: string, query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const result = await graphql<T>(url, query, variables, token);
  if (result.errors) throw new Error(`the API answered ${JSON.stringify(result.errors)} to ${query.trim().slice(0, 80)}`);
  return result.data!;
}

/** The demo cadre's API access, with a token of their own (the development sign-in the app uses too). */
export async function cadreApi(url: string, cadreId: string): Promise<CadreApi> {
  const signedIn = await graphql<{ developmentSignIn: { accessToken: string } }>(
    url,
    'mutation ($id: ID!) { developmentSignIn(cadreId: $id) { accessToken } }',
    { id: cadreId },
  );
  if (!signedIn.data) throw new Error(`developmentSignIn answered ${JSON.stringify(signedIn.errors)}`);
  const token = signedIn.data.developmentSignIn.accessToken;

  async function demandsOf(householdId: string) {
    const data = await answer<{ household: { openDemands: DemandState[]; demandsAwaitingConfirmation: DemandState[] } }>(
      url,
      `query ($id: ID!) { household(id: $id) { openDemands { ${DEMAND_FIELDS} } demandsAwaitingConfirmation { ${DEMAND_FIELDS} } } }`,
      { id: householdId },
      token,
    );
    return { open: data.household.openDemands, awaiting: data.household.demandsAwaitingConfirmation };
  }

  return {
    token,
    async uploadPhoto(bytes, name = 'visit.png') {
      const form = new FormData();
      form.append('file', new Blob([bytes], { type: 'image/png' }), name);
      const response = await fetch(`${url}/uploads/photos`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
      if (!response.ok) throw new Error(`POST /uploads/photos answered ${response.status}: ${await response.text()}`);
      return ((await response.json()) as { id: string }).id;
    },
    async submitRecord({ householdId, summary, photoIds = [], resolvedDemandIds = [], demandsRaised = [] }) {
      const clientId = randomUUID();
      const data = await answer<{ submitHelpRecord: { id: string } }>(
        url,
        'mutation ($input: HelpRecordInput!) { submitHelpRecord(input: $input) { id } }',
        {
          input: {
            clientId,
            householdId,
            occurredAt: new Date(Date.now() - 600_000).toISOString(),
            kinds: ['VISIT'],
            summary,
            photoIds,
            resolvedDemandIds,
            demandsRaised,
          },
        },
        token,
      );
      return { id: data.submitHelpRecord.id, clientId };
    },
    async records(householdId) {
      const data = await answer<{ household: { helpRecords: { nodes: RecordState[] } } }>(
        url,
        `query ($id: ID!) { household(id: $id) { helpRecords(first: 50) { nodes {
          id clientId summary versionNumber corrected photoIds
          demandsRaised { id text } demandsResolved { id text }
          earlierVersions { id versionNumber summary }
        } } } }`,
        { id: householdId },
        token,
      );
      return data.household.helpRecords.nodes;
    },
    demandsOf,
    async assignedHouseholds() {
      const data = await answer<{ myHouseholds: { totalCount: number; nodes: { id: string; headName: string }[] } }>(
        url,
        '{ myHouseholds(first: 100) { totalCount nodes { id headName } } }',
        {},
        token,
      );
      if (data.myHouseholds.totalCount > 100) throw new Error('more than 100 households: page through them');
      return data.myHouseholds.nodes;
    },
    async demand(householdId, demandId) {
      const { open, awaiting } = await demandsOf(householdId);
      return [...open, ...awaiting].find((demand) => demand.id === demandId) ?? null;
    },
  };
}
