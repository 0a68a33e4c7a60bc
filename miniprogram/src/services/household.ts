import { HouseholdFileDocument, OpenDemandsDocument, type OpenDemandsQuery } from '@/graphql/generated/graphql';
import { request } from './api';
import type { Loaded } from './cache';
import { dropHouseholdFile, readHouseholdFile, saveHouseholdFile, type HouseholdFile } from './caseload';
import { ApiError } from './errors';
import { HELP_RECORDS_PAGE, outbox } from './records';
import { getSession } from './session';

/**
 * One household's file (members, open demands, cases, the latest help records). Its offline copy is
 * the caseload's (caseload.ts): refreshed for every assigned household, and replaced by what the
 * server answers whenever the file is opened online.
 */

export type { HouseholdFile };
export type OpenDemand = OpenDemandsQuery['household']['openDemands'][number];

/** Loads under way, by account and household. */
const loading = new Map<string, Promise<Loaded<HouseholdFile>>>();

/** The server no longer shows the household to this cadre (reassigned, or gone). */
function noLongerShown(failure: unknown): boolean {
  return failure instanceof ApiError && (failure.code === 'FORBIDDEN' || failure.code === 'NOT_FOUND');
}

/**
 * The file from the server, or without signal the copy (offlineCopyFrom: when it was saved), also for
 * a household never opened on this phone. A household the server refuses loses its copy: a refusal
 * is the server's word that it is not this cadre's any more.
 */
export function loadHouseholdFile(householdId: string): Promise<Loaded<HouseholdFile>> {
  // The screen and the refresh after a delivery often ask at the same moment: one request serves both.
  const key = `${getSession()?.accountId ?? ''}:${householdId}`;
  const running = loading.get(key);
  if (running) return running;
  const started = fetchHouseholdFile(householdId).finally(() => loading.delete(key));
  loading.set(key, started);
  return started;
}

async function fetchHouseholdFile(householdId: string): Promise<Loaded<HouseholdFile>> {
  try {
    const { household } = await request(HouseholdFileDocument, { id: householdId, recordsFirst: HELP_RECORDS_PAGE });
    saveHouseholdFile(household);
    return { value: household, offlineCopyFrom: null };
  } catch (failure) {
    if (noLongerShown(failure)) {
      dropHouseholdFile(householdId);
      throw failure;
    }
    const copy = readHouseholdFile(householdId);
    if (!copy) throw failure;
    return { value: copy.value, offlineCopyFrom: copy.savedAt, failure };
  }
}

/**
 * The demands a new record may resolve. Without signal, the open demands in the file's copy are still
 * worth offering (none when the phone has no copy of the file).
 */
export async function loadOpenDemands(householdId: string): Promise<OpenDemand[]> {
  try {
    return (await request(OpenDemandsDocument, { id: householdId })).household.openDemands;
  } catch {
    return readHouseholdFile(householdId)?.value.openDemands ?? [];
  }
}

/** householdId → how many of its writes wait in the outbox. */
function waitingByHousehold(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of outbox.pending()) counts.set(item.householdId, (counts.get(item.householdId) ?? 0) + 1);
  return counts;
}

let followingDeliveries = false;

/**
 * When a household's queued write leaves the outbox (delivered, or refused), its file is fetched again,
 * so that the offline copy shows the record, correction or answer instead of a history without it
 * (the caseload's own refresh may be hours away). One request per household, only then; app.ts starts
 * it once.
 */
export function refreshCopiesAfterDeliveries(): void {
  if (followingDeliveries) return;
  followingDeliveries = true;
  let waiting = waitingByHousehold();
  outbox.subscribe(() => {
    const now = waitingByHousehold();
    for (const [householdId, count] of waiting) {
      if ((now.get(householdId) ?? 0) < count) void loadHouseholdFile(householdId).catch(() => undefined);
    }
    waiting = now;
  });
}
