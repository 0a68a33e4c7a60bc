import { Role } from '@wanjia/shared';
import { ForbiddenError } from '../../core/errors';
import { isStaff, pathInScope, type Actor } from '../../core/caller';

/**
 * Who may read the campaign's figures: administrators and analysts, each within their own region
 * subtree (属地管理). Cadres have their own figures (myStats) and none of these.
 */
export function assertMayReadAnalytics(actor: Actor): asserts actor is Actor & { scopePath: string; scopeRegionId: number } {
  if (!isStaff(actor) || (actor.role !== Role.ADMIN && actor.role !== Role.ANALYST)) throw new ForbiddenError();
}

/** A region the figures are asked for must lie in the caller's subtree; outside it looks like missing. */
export function assertRegionInScope(actor: Actor, regionPath: string | null): void {
  if (regionPath === null || !pathInScope(actor, regionPath)) throw new ForbiddenError();
}
