import type { FilterQuery } from '@mikro-orm/core';
import { Role } from '@wanjia/shared';
import { isAdmin, pathInScope, type Actor } from '../../core/caller';
import type { ScopedPolicy } from '../../core/policy';
import { regionSubtree } from '../../core/region-scope';
import type { Cadre } from './cadre.entity';

/** Who may see and manage cadres: staff within the subtree of the cadre's unit's region; its administrators manage them. */
export const cadrePolicy = {
  /** The cadres whose unit lies in the actor's subtree. */
  scope(actor: Actor): FilterQuery<Cadre> {
    return { unit: { region: regionSubtree(actor) } };
  },

  /** A new cadre of a unit in the administrator's subtree. */
  mayCreate(actor: Actor, unit: { regionPath: string }): boolean {
    return isAdmin(actor) && pathInScope(actor, unit.regionPath);
  },

  /** A cadre of the subtree, kept in it (a move to another unit stays within the subtree). */
  mayUpdate(actor: Actor, cadre: { unitRegionPath: string; newUnitRegionPath: string }): boolean {
    return isAdmin(actor) && pathInScope(actor, cadre.unitRegionPath) && pathInScope(actor, cadre.newUnitRegionPath);
  },

  /** Deactivating and reactivating: the administrators over the cadre's unit. */
  mayChangeStanding(actor: Actor, cadre: { unitRegionPath: string }): boolean {
    return isAdmin(actor) && pathInScope(actor, cadre.unitRegionPath);
  },

  /**
   * Cadres' phone numbers are work contacts: administrators see those of the cadres they manage (the
   * cadre's unit in their subtree: `scope`, asked in SQL by graphql/object-scope's batched loader), each
   * cadre their own; analysts need none. Whether the role may see managed cadres' phones at all.
   */
  seesManagedPhones(actor: Actor): boolean {
    return actor.role === Role.ADMIN;
  },

  /**
   * Whether the actor sees this cadre's full phone: their own, or an administrator's over the cadre's
   * unit (`managed`). Everyone else gets the masked form, however the Cadre was reached (an assignment,
   * a contact point's leader, a help record, a petition case's responsible leader, an overdue visit,
   * the figures, an account): a district administrator must not collect the city's leaders' phones
   * through a nested path.
   */
  seesPhone(actor: Actor, cadre: { id: number; managed: boolean }): boolean {
    return actor.cadreId === cadre.id || (cadrePolicy.seesManagedPhones(actor) && cadre.managed);
  },
} satisfies ScopedPolicy<Cadre>;
