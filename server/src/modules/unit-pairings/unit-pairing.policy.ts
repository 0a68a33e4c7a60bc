import type { FilterQuery } from '@mikro-orm/core';
import { isAdmin, pathInScope, type Actor } from '../../core/caller';
import type { ScopedPolicy } from '../../core/policy';
import { mayLinkAcross, regionSubtree } from '../../core/region-scope';
import type { UnitPairing } from './unit-pairing.entity';

/** 单位结对帮扶: a pairing belongs to the village or community it helps, and is read and ended where that place is. */
export const unitPairingPolicy = {
  /** The pairings whose village or community lies in the actor's subtree. */
  scope(actor: Actor): FilterQuery<UnitPairing> {
    return { region: regionSubtree(actor) };
  },

  /**
   * A unit of the administrator's subtree, or one above the place (a city agency pairing with a
   * district's village), with a place of the subtree (分级负责, core/region-scope `mayLinkAcross`).
   */
  mayStart(actor: Actor, pairing: { unitRegionPath: string; regionPath: string }): boolean {
    return isAdmin(actor) && mayLinkAcross(actor, pairing.unitRegionPath, pairing.regionPath);
  },

  /** The administrators of the place end its pairings. */
  mayEnd(actor: Actor, pairing: { regionPath: string }): boolean {
    return isAdmin(actor) && pathInScope(actor, pairing.regionPath);
  },
} satisfies ScopedPolicy<UnitPairing>;
