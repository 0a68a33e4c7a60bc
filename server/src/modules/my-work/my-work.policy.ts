import { isCadre, type Actor } from '../../core/caller';
import type { Policy } from '../../core/policy';

/**
 * A cadre's own work: the households assigned to that cadre (myHouseholds) and the cadre's own
 * figures (myStats). Only cadres have one, and each reads only their own: the list is selected by
 * the caller's cadre id (active assignments, `a.cadre_id = ? and a.ended_at is null` in the
 * hand-written statement of the hottest read, measured in tests/bench), the figures by the records'
 * author. The same households are the cadre's scope in the household policy.
 */
export const myWorkPolicy = {
  mayRead(actor: Actor): actor is Actor & { cadreId: number } {
    return isCadre(actor);
  },
} satisfies Policy;
