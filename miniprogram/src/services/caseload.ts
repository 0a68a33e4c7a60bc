import Taro from '@tarojs/taro';
import { MyCaseloadDocument, type HouseholdFileFieldsFragment, type MyCaseloadQuery } from '@/graphql/generated/graphql';
import { request } from './api';
import { readCache, removeCache, writeCache } from './cache';
import { HELP_RECORDS_PAGE } from './records';
import { getSession } from './session';
import { storedKeysUnder } from './storage';

/**
 * The cadre's whole caseload on the phone: every assigned household's file, so that any of them opens
 * in a village without signal, including one never opened on this phone. It is refreshed on sign-in,
 * when the app comes to the foreground or the network comes back (at most every 5 minutes), and when
 * the cadre pulls the households list down; one request brings 100 households (MyCaseload).
 *
 * Storage (WeChat allows 10 MB in all and 1 MB a key): one key per household, "cache:household:<id>",
 * the same copy the household screen keeps when it loads a file online (household.ts), and an index,
 * "cache:caseload", with the list's fields of every household in the server's order and when each
 * file was copied. What is kept is exactly what the server answered to this cadre, masked as online;
 * a household no longer assigned to them loses its copy at the next refresh; sign-out removes
 * everything under "cache:" (session.ts), and a copy is never read for another account (cache.ts).
 */

export type HouseholdFile = HouseholdFileFieldsFragment;
type CaseloadNode = MyCaseloadQuery['myHouseholds']['nodes'][number];
/** A household as the households list shows it (the list's fields, without the file). */
export type CaseloadHousehold = Omit<CaseloadNode, 'file'>;

export interface CaseloadIndex {
  totalCount: number;
  /** Every assigned household at the last complete refresh, most overdue first (the server's order). */
  households: CaseloadHousehold[];
  /** householdId → when its file copy was saved (the refresh, or the household screen since). */
  fileSavedAt: Record<string, string>;
}

/** What the households list says about the offline copy. */
export interface CaseloadStatus {
  /** When the whole caseload last came from the server; null before the first complete refresh. */
  refreshedAt: string | null;
  refreshing: boolean;
  /** householdId → when its file copy was saved; a household missing here has no copy. */
  fileSavedAt: Record<string, string>;
}

/** Fired when a refresh starts or ends and when a household's copy changed. */
export const CASELOAD_CHANGED_EVENT = 'wanjia:caseload-changed';

/** The most households one request asks for (the server's page maximum for myHouseholds). */
export const CASELOAD_PAGE_SIZE = 100;
/** The foreground refresh waits this long after the last complete one; a pull-down does not. */
export const CASELOAD_REFRESH_EVERY_MS = 5 * 60_000;
/** A copy older than this is marked on the households list. */
export const STALE_COPY_MS = 24 * 60 * 60_000;
/** 100 requests = 10,000 households: far past any caseload; stops a server bug from looping forever. */
const MAX_PAGES = 100;
/** A page of 100 files is some 700 KB of JSON (test/caseload.test.ts measures it): on a weak signal it takes a while. */
const PAGE_TIMEOUT_MS = 90_000;

const INDEX_KEY = 'caseload';
const FILE_KEY_PREFIX = 'household:';
const fileKey = (householdId: string) => `${FILE_KEY_PREFIX}${householdId}`;

function readIndex(): { savedAt: string; value: CaseloadIndex } | null {
  return readCache<CaseloadIndex>(INDEX_KEY);
}

export function caseloadStatus(): CaseloadStatus {
  const index = readIndex();
  const refreshing = running !== null && running.accountId === getSession()?.accountId;
  return { refreshedAt: index?.savedAt ?? null, refreshing, fileSavedAt: index?.value.fileSavedAt ?? {} };
}

/** The households of the last complete refresh with when it was; null before the first one. */
export function caseloadHouseholds(): { savedAt: string; totalCount: number; households: CaseloadHousehold[] } | null {
  const index = readIndex();
  return index ? { savedAt: index.savedAt, totalCount: index.value.totalCount, households: index.value.households } : null;
}

/** The file copy of one household (from a refresh, or from the household screen online). */
export function readHouseholdFile(householdId: string): { savedAt: string; value: HouseholdFile } | null {
  return readCache<HouseholdFile>(fileKey(householdId));
}

/** Keeps a file the server just answered as the household's copy (the household screen, online). */
export function saveHouseholdFile(file: HouseholdFile): void {
  const saved = writeCache(fileKey(file.id), file);
  const index = readIndex();
  if (!saved || !index || !index.value.households.some((household) => household.id === file.id)) return;
  writeCache(INDEX_KEY, { ...index.value, fileSavedAt: { ...index.value.fileSavedAt, [file.id]: saved.savedAt } }, index.savedAt);
  Taro.eventCenter.trigger(CASELOAD_CHANGED_EVENT);
}

/** The server no longer shows this household to the cadre (reassigned): its copy goes. */
export function dropHouseholdFile(householdId: string): void {
  removeCache(fileKey(householdId));
  const index = readIndex();
  if (!index) return;
  const households = index.value.households.filter((household) => household.id !== householdId);
  if (households.length === index.value.households.length && !(householdId in index.value.fileSavedAt)) return;
  const { [householdId]: _dropped, ...fileSavedAt } = index.value.fileSavedAt;
  const totalCount = index.value.totalCount - (index.value.households.length - households.length);
  writeCache(INDEX_KEY, { totalCount, households, fileSavedAt }, index.savedAt);
  Taro.eventCenter.trigger(CASELOAD_CHANGED_EVENT);
}

export type CaseloadRefreshOutcome =
  | { status: 'refreshed'; households: number; requests: number }
  /** Refreshed less than CASELOAD_REFRESH_EVERY_MS ago, or nobody is signed in. */
  | { status: 'skipped' }
  | { status: 'failed'; failure: unknown };

/** The refresh under way, and for whom (one for an account signed out since must not stand in for the next). */
let running: { accountId: string; outcome: Promise<CaseloadRefreshOutcome> } | null = null;

/**
 * Fetches every assigned household's file, 100 a request, and replaces the offline copy with it.
 * Calls while one runs share it. A failure (no signal) keeps the last copy; the households of pages
 * that did arrive keep their fresher files. `force` ignores the 5 minutes (sign-in, pull-down).
 */
export function refreshCaseload({ force = false }: { force?: boolean } = {}): Promise<CaseloadRefreshOutcome> {
  const accountId = getSession()?.accountId;
  if (accountId === undefined) return Promise.resolve({ status: 'skipped' });
  if (running?.accountId === accountId) return running.outcome;
  const refreshedAt = readIndex()?.savedAt;
  if (!force && refreshedAt && Date.now() - Date.parse(refreshedAt) < CASELOAD_REFRESH_EVERY_MS) return Promise.resolve({ status: 'skipped' });
  const current = {
    accountId,
    outcome: fetchCaseload(accountId).finally(() => {
      if (running === current) running = null;
      Taro.eventCenter.trigger(CASELOAD_CHANGED_EVENT);
    }),
  };
  running = current;
  Taro.eventCenter.trigger(CASELOAD_CHANGED_EVENT);
  return current.outcome;
}

/** Signed out, or another account signed in, while the refresh ran: nothing more is written. */
class AccountChanged extends Error {}

async function fetchCaseload(accountId: string): Promise<CaseloadRefreshOutcome> {
  // One time for the whole copy (the list shows it, each household's file says it): when it was asked for.
  const startedAt = new Date().toISOString();
  const households: CaseloadHousehold[] = [];
  const fileSavedAt: Record<string, string> = {};
  let totalCount = 0;
  let after: string | null = null;
  let requests = 0;
  try {
    do {
      const { myHouseholds }: MyCaseloadQuery = await request(
        MyCaseloadDocument,
        { first: CASELOAD_PAGE_SIZE, after, recordsFirst: HELP_RECORDS_PAGE },
        { timeoutMs: PAGE_TIMEOUT_MS },
      );
      requests += 1;
      if (getSession()?.accountId !== accountId) throw new AccountChanged();
      for (const { file, ...household } of myHouseholds.nodes) {
        // A list that moved between two pages can show a household twice: keep its first place.
        if (household.id in fileSavedAt) continue;
        const saved = writeCache(fileKey(household.id), file, startedAt);
        if (saved) fileSavedAt[household.id] = saved.savedAt;
        households.push(household);
      }
      totalCount = myHouseholds.totalCount;
      after = myHouseholds.pageInfo.hasNextPage ? myHouseholds.pageInfo.endCursor : null;
    } while (after !== null && requests < MAX_PAGES);
  } catch (failure) {
    if (failure instanceof AccountChanged) return { status: 'failed', failure: new Error('signed out during the refresh') };
    noteFresherFiles(fileSavedAt);
    return { status: 'failed', failure };
  }
  // Households no longer assigned to this cadre lose their copies (and so do copies of any other).
  for (const key of storedKeysUnder(`cache:${FILE_KEY_PREFIX}`)) {
    const householdId = key.slice(`cache:${FILE_KEY_PREFIX}`.length);
    if (!(householdId in fileSavedAt)) removeCache(fileKey(householdId));
  }
  writeCache<CaseloadIndex>(INDEX_KEY, { totalCount, households, fileSavedAt }, startedAt);
  return { status: 'refreshed', households: households.length, requests };
}

/** A refresh that failed part way: the households of the pages that arrived have newer files now. */
function noteFresherFiles(fileSavedAt: Record<string, string>): void {
  const index = readIndex();
  if (!index || Object.keys(fileSavedAt).length === 0) return;
  const known = Object.fromEntries(Object.entries(fileSavedAt).filter(([householdId]) => householdId in index.value.fileSavedAt));
  writeCache(INDEX_KEY, { ...index.value, fileSavedAt: { ...index.value.fileSavedAt, ...known } }, index.savedAt);
}

/** For app.ts: a foreground refresh when one is due (quietly: the copy on the phone stays on failure). */
export function refreshCaseloadIfDue(): void {
  void refreshCaseload();
}

let syncStarted = false;

/** Refreshes (when due) whenever the network comes back; app.ts starts it once. */
export function startCaseloadSync(): void {
  if (syncStarted) return;
  syncStarted = true;
  Taro.onNetworkStatusChange((status) => {
    if (status.isConnected) refreshCaseloadIfDue();
  });
  if (process.env.TARO_ENV === 'h5' && typeof window !== 'undefined') window.addEventListener('online', refreshCaseloadIfDue);
}
