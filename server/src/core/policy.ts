import type { FilterQuery } from '@mikro-orm/core';
import type { Actor } from './caller';
import { ForbiddenError } from './errors';

/**
 * The one shape of a feature's access rules (`<feature>.policy.ts`):
 * - `scope(actor)`: what this caller may read of the feature's entity, as a condition the list
 *   queries apply in SQL (never a filter in application code);
 * - `may…(actor, …)`: one pure predicate per action, true when the rules allow it.
 * Services assert the predicates with `assertAllowed`, so a refusal is always the same FORBIDDEN,
 * which also answers "does not exist" (an object outside one's scope is never confirmed).
 * A feature whose entity has no list adds only its `may…` predicates.
 */
export interface ScopedPolicy<Entity extends object> {
  scope(actor: Actor): FilterQuery<Entity>;
}

/** Throws the API's FORBIDDEN unless the policy's answer is yes. */
export function assertAllowed(allowed: boolean, message?: string): asserts allowed {
  if (!allowed) throw new ForbiddenError(message);
}

/** A scope that matches nothing, for a caller who may read none of a list. */
export const NOTHING = { id: { $in: [] as number[] } } as const;
