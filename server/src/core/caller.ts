import { Role } from '@wanjia/shared';
import { ForbiddenError } from './errors';

/** Who is calling, as the access token says. Admins and analysts carry the root of their region subtree. */
export interface Actor {
  accountId: number;
  role: Role;
  scopeRegionId: number | null;
  /** Materialized path of the scope root: everything whose path starts with it is in scope. */
  scopePath: string | null;
  cadreId: number | null;
  /** The account's session generation the token was issued under; older generations are refused. */
  sessionGeneration?: number;
}

/**
 * Who asks a service for something: the actor, and the address the request came from (both go into
 * the audit entry). Every service method that writes or reveals takes this one shape.
 */
export interface Caller {
  actor: Actor;
  clientAddress: string | null;
}

export type StaffActor = Actor & { scopePath: string; scopeRegionId: number };

export function isStaff(actor: Actor): actor is StaffActor {
  return (actor.role === Role.ADMIN || actor.role === Role.ANALYST) && actor.scopePath !== null;
}

export function isAdmin(actor: Actor): actor is StaffActor {
  return actor.role === Role.ADMIN && isStaff(actor);
}

export function isCadre(actor: Actor): actor is Actor & { cadreId: number } {
  return actor.role === Role.CADRE && actor.cadreId !== null;
}

/**
 * The cadre id of a caller whom the feature's rule (`helpRecordPolicy.mayRecord`, `myWorkPolicy.mayRead`)
 * lets act as a cadre; anyone else gets FORBIDDEN with the feature's own `refusal` message.
 */
export function cadreIdOf(actor: Actor, allowed: (actor: Actor) => boolean, refusal: string): number {
  if (!allowed(actor) || actor.cadreId === null) throw new ForbiddenError(refusal);
  return actor.cadreId;
}

/** Whether a region path lies in the actor's subtree. Cadres have no region scope. */
export function pathInScope(actor: Actor, regionPath: string): boolean {
  return isStaff(actor) && regionPath.startsWith(actor.scopePath);
}

/** True for the administrators of the whole tree (the city). */
export function isRootAdmin(actor: Actor): boolean {
  return actor.role === Role.ADMIN && actor.scopePath !== null && actor.scopePath.split('/').filter(Boolean).length === 1;
}
