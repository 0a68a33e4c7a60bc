import { MyStatsDocument, type MyStatsQuery } from '@/graphql/generated/graphql';
import { request } from './api';
import { loadWithOfflineCopy, type Loaded } from './cache';

/** The cadre's own figures ("我的"): households, overdue visits, this month's and this round's totals. */

export type MyStats = MyStatsQuery;

const OFFLINE_COPY_KEY = 'my-stats';

export function loadMyStats(): Promise<Loaded<MyStats>> {
  return loadWithOfflineCopy(OFFLINE_COPY_KEY, () => request(MyStatsDocument, {}));
}
