import type { FilterQuery } from '@mikro-orm/core';
import type { Actor } from '../../core/caller';
import { regionSubtree } from '../../core/region-scope';
import type { Unit } from './unit.entity';

/** Units belong to a region; staff see and manage the units of their subtree. */
export const unitPolicy = {
  readable(actor: Actor): FilterQuery<Unit> {
    return { region: regionSubtree(actor) };
  },
};
