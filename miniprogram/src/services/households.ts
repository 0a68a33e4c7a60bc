import { MyHouseholdsDocument, type MyHouseholdFilter, type MyHouseholdsQuery, type TargetGroup } from '@/graphql/generated/graphql';
import { request } from './api';
import { loadWithOfflineCopy, type Loaded } from './cache';

/**
 * The cadre's households list ("我的帮扶户"), a page at a time. The unfiltered first page is also kept
 * as the offline copy, for opening the app without signal.
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

/** The first page (after = null) or the one after a cursor. Only the unfiltered first page has an offline copy. */
export async function loadMyHouseholds(filter: HouseholdsFilter, after: string | null): Promise<Loaded<HouseholdsPage>> {
  const fetchPage = async () => (await request(MyHouseholdsDocument, { first: PAGE_SIZE, after, filter: apiFilter(filter) })).myHouseholds;
  if (after !== null || isFiltered(filter)) return { value: await fetchPage(), offlineCopyFrom: null };
  const loaded = await loadWithOfflineCopy(OFFLINE_COPY_KEY, fetchPage);
  if (loaded.offlineCopyFrom === null) return loaded;
  // A copy cannot be continued: its cursor points into a list that has moved on since.
  return { ...loaded, value: { ...loaded.value, pageInfo: { ...loaded.value.pageInfo, hasNextPage: false } } };
}
