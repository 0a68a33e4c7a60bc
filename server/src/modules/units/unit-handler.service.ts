import type { Actor, Caller } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { BadUserInputError, ConflictError, parseId } from '../../core/errors';
import { assertAllowed } from '../../core/policy';
import { recordAudit } from '../audit/audit.service';
import { Cadre } from '../cadres/cadre.entity';
import type { DesignateUnitHandlerInput, EndUnitHandlerInput } from './unit-handler.inputs';
import { UnitHandler } from './unit-handler.entity';
import { Unit } from './unit.entity';
import { unitPolicy } from './unit.policy';
import { lockRows } from '../../core/locking';

/**
 * 联络员: the cadres of a unit who receive the demands referred to it. Designated and ended by the unit's
 * administrators; rows are ended, never deleted. One active row per (unit, cadre): the unit row's lock
 * orders two designations at once, and the second finds the first. The unit's last handler cannot be ended
 * while referrals wait on it (the successor is designated first). A handler counts only while an active
 * cadre of the unit (demand.policy.ts activeHandlersFrom).
 */
export const unitHandlerService = {
  async designate(em: Em, input: DesignateUnitHandlerInput, caller: Caller, now: Date): Promise<UnitHandler> {
    const { actor } = caller;
    const unitId = parseId(input.unitId, 'input.unitId');
    const cadreId = parseId(input.cadreId, 'input.cadreId');
    const unit = await em.findOne(Unit, unitId, { populate: ['region'] });
    // Out of scope or no such unit: the same FORBIDDEN.
    assertAllowed(unit !== null && unitPolicy.mayManageHandlers(actor, { regionPath: unit.region.path }));
    const cadre = await em.findOne(Cadre, cadreId);
    if (!cadre || cadre.unit.id !== unitId) throw new BadUserInputError('input.cadreId', 'the handler must be a cadre of this unit');
    if (!cadre.active) throw new BadUserInputError('input.cadreId', 'the cadre is not active');
    return em.transactional(async (tx) => {
      await lockRows(tx, Unit, [unitId]);
      const [active] = await tx.execute<{ id: number | string }[]>('select id from unit_handler where unit_id = ? and cadre_id = ? and ended_at is null', [
        unitId,
        cadreId,
      ]);
      if (active) throw new ConflictError('This cadre is already an active handler of the unit', { field: 'input.cadreId', handlerId: String(active.id) });
      const handler = tx.create(UnitHandler, { unit: unitId, cadre: cadreId, designatedByAccount: actor.accountId, startedAt: now, createdAt: now });
      await tx.flush();
      recordAudit(tx, caller, {
        operation: 'designateUnitHandler',
        entityName: 'UnitHandler',
        entityId: handler.id,
        regionPath: unit.region.path,
        changes: { unitId, cadreId },
      });
      return handler;
    });
  },

  async end(em: Em, input: EndUnitHandlerInput, caller: Caller, now: Date): Promise<UnitHandler> {
    const { actor } = caller;
    const id = parseId(input.id, 'input.id');
    const reason = input.reason.trim();
    if (reason === '') throw new BadUserInputError('input.reason', 'reason must not be blank');
    const handler = await em.findOne(UnitHandler, id, { populate: ['unit.region'] });
    assertAllowed(handler !== null && unitPolicy.mayManageHandlers(actor, { regionPath: handler.unit.region.path }));
    if (handler.endedAt) throw new ConflictError('This handler designation has already ended', { endedAt: handler.endedAt.toISOString() });
    // The unit's last active handler does not go while referrals wait on the unit: nobody could accept,
    // return or resolve them, and the household's cadre could neither refer them elsewhere nor resolve them.
    const [others] = await em.execute<{ n: number | string }[]>(
      'select count(*) as n from unit_handler h join cadre c on c.id = h.cadre_id and c.unit_id = h.unit_id and c.active = 1 where h.ended_at is null and h.unit_id = ? and h.id <> ?',
      [handler.unit.id, id],
    );
    const [open] = await em.execute<{ n: number | string }[]>(
      "select count(*) as n from demand_referral where unit_id = ? and status in ('PENDING', 'ACCEPTED')",
      [handler.unit.id],
    );
    if (Number(others?.n ?? 0) === 0 && Number(open?.n ?? 0) > 0) {
      throw new ConflictError(
        `This is the unit's last handler and ${Number(open!.n)} referral(s) wait on the unit: designate the successor first, then end this designation`,
        { openReferrals: Number(open!.n) },
      );
    }
    await em.transactional(async (tx) => {
      const changed = await tx.nativeUpdate(UnitHandler, { id, endedAt: null }, { endedAt: now, endedReason: reason });
      if (changed !== 1) throw new ConflictError('This handler designation has already ended');
      recordAudit(tx, caller, {
        operation: 'endUnitHandler',
        entityName: 'UnitHandler',
        entityId: id,
        regionPath: handler.unit.region.path,
        changes: { endedAt: now.toISOString(), reason },
      });
    });
    return em.findOneOrFail(UnitHandler, id, { refresh: true });
  },

  /** A unit's handlers, active first then by start; staff whose subtree holds the unit. */
  async list(em: Em, actor: Actor, unitIdInput: string, includeEnded: boolean): Promise<UnitHandler[]> {
    const unitId = parseId(unitIdInput, 'unitId');
    const unit = await em.findOne(Unit, unitId, { populate: ['region'] });
    assertAllowed(unit !== null && unitPolicy.mayListHandlers(actor, { regionPath: unit.region.path }));
    const handlers = await em.find(
      UnitHandler,
      { unit: unitId, ...(includeEnded ? {} : { endedAt: null }) },
      { orderBy: [{ startedAt: 'asc' }, { id: 'asc' }] },
    );
    return handlers.sort((a, b) => Number(a.endedAt !== null && a.endedAt !== undefined) - Number(b.endedAt !== null && b.endedAt !== undefined));
  },
};
