import type { Caller } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { ConflictError } from '../../core/errors';
import { recordAudit } from '../audit/audit.service';
import { UnitHandler } from './unit-handler.entity';

/**
 * A handler (联络员) answers for a unit only while a cadre of it: when a cadre moves to another unit or is
 * deactivated, their designations end in the same transaction (history kept, audited), so that nobody
 * keeps reading or acting on a unit's referrals after leaving it. As with endUnitHandler, the unit's last
 * handler does not go while referrals wait on it: the move or deactivation is refused (nothing written,
 * the caller's transaction rolls back) until a successor is designated.
 */
export async function endHandlerTenures(
  tx: Em,
  caller: Caller,
  change: { cadreId: number; reason: string; now: Date; regionPath: string; keepUnitId?: number },
): Promise<number> {
  const open = await tx.find(UnitHandler, {
    cadre: change.cadreId,
    endedAt: null,
    ...(change.keepUnitId === undefined ? {} : { unit: { $ne: change.keepUnitId } }),
  });
  for (const handler of open) {
    const unitId = handler.unit.id;
    const [others] = await tx.execute<{ n: number | string }[]>(
      'select count(*) as n from unit_handler h join cadre c on c.id = h.cadre_id and c.unit_id = h.unit_id and c.active = 1 where h.ended_at is null and h.unit_id = ? and h.cadre_id <> ?',
      [unitId, change.cadreId],
    );
    const [waiting] = await tx.execute<{ n: number | string }[]>(
      "select count(*) as n from demand_referral where unit_id = ? and status in ('PENDING', 'ACCEPTED')",
      [unitId],
    );
    if (Number(others?.n ?? 0) === 0 && Number(waiting?.n ?? 0) > 0) {
      throw new ConflictError(
        `This cadre is the last handler (联络员) of their unit and ${Number(waiting!.n)} referral(s) wait on it: designate a successor first`,
        { openReferrals: Number(waiting!.n) },
      );
    }
    handler.endedAt = change.now;
    handler.endedReason = change.reason;
    recordAudit(tx, caller, {
      operation: 'endUnitHandler',
      entityName: 'UnitHandler',
      entityId: handler.id,
      regionPath: change.regionPath,
      changes: { endedAt: change.now.toISOString(), reason: change.reason },
    });
  }
  return open.length;
}
