import type { FilterQuery } from '@mikro-orm/core';
import { Role } from '@wanjia/shared';
import type { Actor } from '../auth/actor';
import { regionSubtree } from '../auth/scope';
import type { Cadre } from './cadre.entity';

/** Who may see and manage cadres: staff within the subtree of the cadre's unit's region. */
export const cadrePolicy = {
  readable(actor: Actor): FilterQuery<Cadre> {
    return { unit: { region: regionSubtree(actor) } };
  },

  /** Cadres' phone numbers are work contacts: administrators see them, analysts do not need them. */
  seesPhone(actor: Actor): boolean {
    return actor.role === Role.ADMIN;
  },
};
