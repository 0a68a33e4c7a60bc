import { HouseholdFileDocument, OpenDemandsDocument, type HouseholdFileFieldsFragment, type OpenDemandsQuery } from '@/graphql/generated/graphql';
import { request } from './api';
import { loadWithOfflineCopy, readCache, type Loaded } from './cache';
import { HELP_RECORDS_PAGE } from './records';

/** One household's file (members, open demands, cases, the latest help records), with its offline copy. */

export type HouseholdFile = HouseholdFileFieldsFragment;
export type OpenDemand = OpenDemandsQuery['household']['openDemands'][number];

const offlineCopyKey = (householdId: string) => `household:${householdId}`;

export function loadHouseholdFile(householdId: string): Promise<Loaded<HouseholdFile>> {
  return loadWithOfflineCopy(offlineCopyKey(householdId), async () => {
    const data = await request(HouseholdFileDocument, { id: householdId, recordsFirst: HELP_RECORDS_PAGE });
    return data.household;
  });
}

/**
 * The demands a new record may resolve. Without signal, the open demands in the file's last copy are
 * still worth offering (none when this phone never saw the file).
 */
export async function loadOpenDemands(householdId: string): Promise<OpenDemand[]> {
  try {
    return (await request(OpenDemandsDocument, { id: householdId })).household.openDemands;
  } catch {
    return readCache<HouseholdFile>(offlineCopyKey(householdId))?.value.openDemands ?? [];
  }
}
