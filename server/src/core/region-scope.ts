import { isStaff, type Actor } from './caller';
import { ForbiddenError } from './errors';
import { likeStartingWith } from './sql-like';

/**
 * 属地管理: staff act on their region and everything below it. Regions carry a materialized path, so
 * "in the caller's subtree" is one `LIKE '<scope path>%'` range on an indexed path column.
 */

/** The actor's subtree as a condition on a region (`{ region: regionSubtree(actor) }` on a row that has one). */
export function regionSubtree(actor: Actor): { path: { $like: string } } {
  return { path: pathSubtree(actor) };
}

/** The same condition for a region path stored on the row itself (audit entries). */
export function pathSubtree(actor: Actor): { $like: string } {
  if (!isStaff(actor)) throw new ForbiddenError();
  return { $like: likeStartingWith(actor.scopePath) };
}

/**
 * 分级负责: a unit or a leader acts in its own region and below. A staff member may link a unit or a
 * cadre to a target in their subtree when the unit sits in that subtree or above the target (a city
 * agency pairing with a district's village).
 */
export function mayLinkAcross(actor: Actor, actingRegionPath: string, targetRegionPath: string): boolean {
  if (!isStaff(actor) || !targetRegionPath.startsWith(actor.scopePath)) return false;
  return actingRegionPath.startsWith(actor.scopePath) || targetRegionPath.startsWith(actingRegionPath);
}
