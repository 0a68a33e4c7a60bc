import type { FilterQuery } from '@mikro-orm/core';
import { ForbiddenError } from '../../core/errors';
import type { Region } from '../regions/region.entity';
import { isStaff, type Actor } from '../../core/caller';

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** The actor's subtree as a condition on a Region: `path LIKE '<scope>%'`, one index range scan. */
export function regionSubtree(actor: Actor): FilterQuery<Region> {
  if (!isStaff(actor)) throw new ForbiddenError();
  return { path: { $like: `${escapeLike(actor.scopePath)}%` } };
}

/** The same condition for a region path stored on another row (audit entries). */
export function pathSubtree(actor: Actor): { $like: string } {
  if (!isStaff(actor)) throw new ForbiddenError();
  return { $like: `${escapeLike(actor.scopePath)}%` };
}
