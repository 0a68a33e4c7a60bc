import type { FilterQuery } from '@mikro-orm/core';
import type { Actor } from './caller';
import { ForbiddenError } from './errors';

/**
 * A rule of a policy: may this actor do the action (`may…`), or see the field (`sees…`), given the
 * plain facts about the target the service loaded. Pure: no database, no clock, no I/O.
 */
export type PolicyRule = (actor: Actor, ...facts: never[]) => boolean;

/** A feature's rules for actions and fields, named `may…` and `sees…`. */
export interface Policy {
  [rule: `may${string}` | `sees${string}`]: PolicyRule;
}

/**
 * The one shape of a feature's access rules (`<feature>.policy.ts`, declared `satisfies
 * ScopedPolicy<Entity>`, or `satisfies Policy` for a feature without a list):
 * - `scope(actor)`: what this caller may read of the feature's entity, as a condition the list
 *   queries apply in SQL (never a filter in application code), and the object-scope checks reuse;
 * - `may…(actor, …facts)` / `sees…(actor, …facts)`: one pure predicate per action or masked field.
 * Services assert the predicates with `assertAllowed`, so a refusal is always the same FORBIDDEN,
 * which also answers "does not exist" (an object outside one's scope is never confirmed).
 */
export interface ScopedPolicy<Entity extends object> extends Policy {
  scope(actor: Actor): FilterQuery<Entity>;
}

/** Throws the API's FORBIDDEN unless the policy's answer is yes. */
export function assertAllowed(allowed: boolean, message?: string): asserts allowed {
  if (!allowed) throw new ForbiddenError(message);
}

/** A scope that matches nothing, for a caller who may read none of a list. */
export const NOTHING = { id: { $in: [] as number[] } } as const;
