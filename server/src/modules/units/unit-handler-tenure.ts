import type { Caller } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { recordAudit } from '../audit/audit.service';
import { UnitHandler } from './unit-handler.entity';

/**
 * A handler (联络员) answers for a unit only while a cadre of it: when a cadre moves to another unit or is
 * deactivated, their designations end in the same transaction (history kept, audited), so that nobody
 * keeps reading or acting on a unit's referrals after leaving it.
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
