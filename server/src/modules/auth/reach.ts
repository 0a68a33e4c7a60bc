import { isStaff, type Actor } from '../../core/caller';

/**
 * 分级负责: a unit or a leader acts in its own region and below. A staff member may link a unit or a
 * cadre to a target in their subtree when the unit sits in that subtree or above the target (a city
 * agency pairing with a district's village).
 */
export function mayLinkAcross(actor: Actor, actingRegionPath: string, targetRegionPath: string): boolean {
  if (!isStaff(actor) || !targetRegionPath.startsWith(actor.scopePath)) return false;
  return actingRegionPath.startsWith(actor.scopePath) || targetRegionPath.startsWith(actingRegionPath);
}
