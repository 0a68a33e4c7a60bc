import type { FilterQuery } from '@mikro-orm/core';
import { HOUSEHOLD_REGION_LEVELS } from '@wanjia/shared';
import type { Actor, Caller } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { BadUserInputError, ConflictError, ForbiddenError, parseId } from '../../core/errors';
import { paginateById, type Connection, type PageArgs } from '../../core/pagination';
import { assertAllowed } from '../../core/policy';
import { recordAudit } from '../audit/audit.service';
import { regionService } from '../regions/region.service';
import { Round } from '../rounds/round.entity';
import { Unit } from '../units/unit.entity';
import { UnitPairing } from './unit-pairing.entity';
import type { EndUnitPairingArgs, StartUnitPairingArgs, UnitPairingFilter } from './unit-pairing.inputs';
import { unitPairingPolicy } from './unit-pairing.policy';

export const unitPairingService = {
  async list(em: Em, actor: Actor, filter: UnitPairingFilter = {}, page: PageArgs = {}): Promise<Connection<UnitPairing>> {
    const conditions: FilterQuery<UnitPairing>[] = [unitPairingPolicy.scope(actor)];
    if (filter.unitId) conditions.push({ unit: parseId(filter.unitId, 'filter.unitId') });
    if (filter.regionId) {
      const region = await regionService.findInScope(em, actor, parseId(filter.regionId, 'filter.regionId'));
      conditions.push({ region: regionService.subtreeCondition(region) });
    }
    if (filter.roundId) conditions.push({ round: parseId(filter.roundId, 'filter.roundId') });
    if (filter.active != null) conditions.push({ endedOn: filter.active ? null : { $ne: null } });
    return paginateById(em, UnitPairing, { $and: conditions }, page);
  },

  /** 单位结对: a unit from the village's subtree or above it, with a village or community, for a round. */
  async start(em: Em, args: StartUnitPairingArgs, caller: Caller): Promise<UnitPairing> {
    const { actor } = caller;
    const input = {
      unitId: parseId(args.unitId, 'unitId'),
      regionId: parseId(args.regionId, 'regionId'),
      roundId: parseId(args.roundId, 'roundId'),
      startedOn: args.startedOn,
    };
    const region = await regionService.findInScope(em, actor, input.regionId);
    if (!HOUSEHOLD_REGION_LEVELS.includes(region.level))
      throw new BadUserInputError('regionId', `units pair with a village or community, not a ${region.level}`);
    const unit = await em.findOne(Unit, input.unitId, { populate: ['region'] });
    if (!unit) throw new ForbiddenError();
    assertAllowed(unitPairingPolicy.mayStart(actor, { unitRegionPath: unit.region.path, regionPath: region.path }));
    const round = await em.findOne(Round, input.roundId);
    if (!round) throw new BadUserInputError('roundId', 'no such round');
    if (await em.count(UnitPairing, { unit: unit.id, region: region.id, round: round.id, endedOn: null })) {
      throw new ConflictError('This unit is already paired with this place in this round');
    }
    return em.transactional(async (tx) => {
      const pairing = tx.create(UnitPairing, { unit, region, round, startedOn: input.startedOn });
      await tx.flush();
      recordAudit(tx, caller, {
        operation: 'startUnitPairing',
        entityName: 'UnitPairing',
        entityId: pairing.id,
        regionPath: region.path,
        changes: { ...input },
      });
      return pairing;
    });
  },

  async end(em: Em, args: EndUnitPairingArgs, caller: Caller): Promise<UnitPairing> {
    const { actor } = caller;
    const id = parseId(args.id, 'id');
    const { endedOn } = args;
    const reason = args.reason.trim();
    const pairing = await em.findOne(UnitPairing, { $and: [{ id }, unitPairingPolicy.scope(actor)] }, { populate: ['region'] });
    if (!pairing) throw new ForbiddenError();
    assertAllowed(unitPairingPolicy.mayEnd(actor, { regionPath: pairing.region.path }));
    if (pairing.endedOn) throw new ConflictError('The pairing has already ended');
    if (endedOn < pairing.startedOn) throw new BadUserInputError('endedOn', 'endedOn is before the pairing started');
    return em.transactional(async (tx) => {
      const row = await tx.findOneOrFail(UnitPairing, id);
      row.endedOn = endedOn;
      row.endReason = reason;
      recordAudit(tx, caller, { operation: 'endUnitPairing', entityName: 'UnitPairing', entityId: id, regionPath: pairing.region.path, reason });
      return row;
    });
  },
};
