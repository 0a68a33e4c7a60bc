import { MyHouseholdsDocument, type MyHouseholdFilter, type MyHouseholdsQuery, type TargetGroup } from '@/graphql/generated/graphql';
import { request } from './api';
import { readCache, writeCache, type Loaded } from './cache';
import { caseloadHouseholds, type CaseloadHousehold } from './caseload';

/**
 * The cadre's households list ("我的帮扶户"), a page at a time. Without signal it comes from the
 * caseload's copy (caseload.ts: every assigned household, filtered here as the server would), with
 * the list's own copy of its unfiltered first page standing in for households it saw more recently
 * (and for the whole list before the caseload's first refresh).
 */

export type HouseholdsPage = MyHouseholdsQuery['myHouseholds'];
export type HouseholdListItem = HouseholdsPage['nodes'][number];

/** What the cadre narrowed the list to; all empty is every household assigned to them. */
export interface HouseholdsFilter {
  targetGroup: TargetGroup | null;
  overdueOnly: boolean;
  search: string;
}

const PAGE_SIZE = 20;
const OFFLINE_COPY_KEY = 'my-households';

export function isFiltered(filter: HouseholdsFilter): boolean {
  return Boolean(filter.targetGroup || filter.overdueOnly || filter.search);
}

function apiFilter(filter: HouseholdsFilter): MyHouseholdFilter {
  return {
    ...(filter.targetGroup ? { targetGroup: filter.targetGroup } : {}),
    ...(filter.overdueOnly ? { overdueOnly: true } : {}),
    ...(filter.search ? { search: filter.search } : {}),
  };
}

/** The server's filter (MyHouseholdFilter) on a copy: the target group, overdue, part of the head's name or the address. */
function matches(household: HouseholdListItem, filter: HouseholdsFilter): boolean {
  if (filter.targetGroup && !household.targetGroups.includes(filter.targetGroup)) return false;
  if (filter.overdueOnly && !household.visitOverdue) return false;
  const search = filter.search.toLowerCase();
  return !search || household.headName.toLowerCase().includes(search) || household.address.toLowerCase().includes(search);
}

/**
 * Every household the phone has a copy of, in the caseload's order, each in its most recent version;
 * null when there is no copy at all. A copy cannot be continued (its cursor points into a list that
 * has moved on since), so it is one page with nothing after it.
 */
function offlineList(filter: HouseholdsFilter): { savedAt: string; page: HouseholdsPage } | null {
  const caseload = caseloadHouseholds();
  const firstPage = readCache<HouseholdsPage>(OFFLINE_COPY_KEY);
  if (!caseload && (!firstPage || isFiltered(filter))) return null;
  let households: HouseholdListItem[];
  let savedAt: string;
  if (!caseload) {
    households = firstPage!.value.nodes;
    savedAt = firstPage!.savedAt;
  } else {
    const caseloadItems: HouseholdListItem[] = caseload.households satisfies CaseloadHousehold[];
    const newer = firstPage && firstPage.savedAt > caseload.savedAt ? new Map(firstPage.value.nodes.map((item) => [item.id, item])) : null;
    if (newer) {
      // Households assigned since the caseload's refresh are on the newer page only.
      const known = new Set(caseloadItems.map((item) => item.id));
      households = [...firstPage!.value.nodes.filter((item) => !known.has(item.id)), ...caseloadItems.map((item) => newer.get(item.id) ?? item)];
    } else {
      households = caseloadItems;
    }
    savedAt = newer ? firstPage!.savedAt : caseload.savedAt;
  }
  const shown = households.filter((household) => matches(household, filter));
  const totalCount = caseload || isFiltered(filter) ? shown.length : firstPage!.value.totalCount;
  return { savedAt, page: { totalCount, pageInfo: { endCursor: null, hasNextPage: false }, nodes: shown } };
}

/**
 * The first page (after = null) or the one after a cursor. When the server cannot be reached, the
 * first page of any filter comes from the phone's copy (see offlineList); a later page cannot.
 */
export async function loadMyHouseholds(filter: HouseholdsFilter, after: string | null): Promise<Loaded<HouseholdsPage>> {
  const fetchPage = async () => (await request(MyHouseholdsDocument, { first: PAGE_SIZE, after, filter: apiFilter(filter) })).myHouseholds;
  if (after !== null) return { value: await fetchPage(), offlineCopyFrom: null };
  try {
    const value = await fetchPage();
    if (!isFiltered(filter)) writeCache(OFFLINE_COPY_KEY, value);
    return { value, offlineCopyFrom: null };
  } catch (failure) {
    const copy = offlineList(filter);
    if (!copy) throw failure;
    return { value: copy.page, offlineCopyFrom: copy.savedAt, failure };
  }
}
