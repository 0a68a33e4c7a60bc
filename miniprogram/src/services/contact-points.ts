import { MyContactPointsDocument, type MyContactPointsQuery } from '@/graphql/generated/graphql';
import { request } from './api';
import { loadWithOfflineCopy, type Loaded } from './cache';

/**
 * 我的联系点: a leader's contact points (联系点) and petition cases (包案), with their open and late
 * demands and the escalations that reached them; what a leader may read is the server's policy (a
 * case is a masked label, not its file).
 */
export type ContactPoints = MyContactPointsQuery['myContactPoints'];

const OFFLINE_COPY_KEY = 'contact-points';

export function loadContactPoints(): Promise<Loaded<ContactPoints>> {
  return loadWithOfflineCopy(OFFLINE_COPY_KEY, async () => (await request(MyContactPointsDocument, {})).myContactPoints);
}
