import { Role } from '@wanjia/shared';

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

export function isStaff(actor: Actor): actor is Actor & { scopePath: string; scopeRegionId: number } {
  return (actor.role === Role.ADMIN || actor.role === Role.ANALYST) && actor.scopePath !== null;
}

/** Whether a region path lies in the actor's subtree. Cadres have no region scope. */
export function pathInScope(actor: Actor, regionPath: string): boolean {
  return isStaff(actor) && regionPath.startsWith(actor.scopePath);
}

/** True for the administrators of the whole tree (the city). */
export function isRootAdmin(actor: Actor): boolean {
  return actor.role === Role.ADMIN && actor.scopePath !== null && actor.scopePath.split('/').filter(Boolean).length === 1;
}
