import { HOUSEHOLD_REGION_LEVELS } from '@wanjia/shared';
import type { FilterQuery } from '@mikro-orm/core';
import type { Em } from '../../core/entity-manager';
import { paginateById } from '../../core/pagination';
import { BadUserInputError, ConflictError, ForbiddenError, parseId } from '../../core/errors';
import type { Connection, PageArgs } from '../../core/pagination';
import { recordAudit } from '../audit/audit.service';
import type { Actor } from '../../core/caller';
import { mayLinkAcross } from '../../core/region-scope';
import { regionSubtree } from '../../core/region-scope';
import type { Caller } from '../../core/caller';
import { regionService } from '../regions/region.service';
import { Round } from '../rounds/round.entity';
import { Unit } from '../units/unit.entity';
import { UnitPairing } from './unit-pairing.entity';

export const unitPairingService = {
  async list(
    em: Em,
    actor: Actor,
    filter: { unitId?: string; regionId?: string; roundId?: string; active?: boolean } = {},
    page: PageArgs = {},
  ): Promise<Connection<UnitPairing>> {
    const conditions: FilterQuery<UnitPairing>[] = [{ region: regionSubtree(actor) }];
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
  async start(em: Em, input: { unitId: number; regionId: number; roundId: number; startedOn: string }, { actor, clientAddress }: Caller): Promise<UnitPairing> {
    const region = await regionService.findInScope(em, actor, input.regionId);
    if (!HOUSEHOLD_REGION_LEVELS.includes(region.level))
      throw new BadUserInputError('regionId', `units pair with a village or community, not a ${region.level}`);
    const unit = await em.findOne(Unit, input.unitId, { populate: ['region'] });
    if (!unit || !mayLinkAcross(actor, unit.region.path, region.path)) throw new ForbiddenError();
    const round = await em.findOne(Round, input.roundId);
    if (!round) throw new BadUserInputError('roundId', 'no such round');
    if (await em.count(UnitPairing, { unit: unit.id, region: region.id, round: round.id, endedOn: null })) {
      throw new ConflictError('This unit is already paired with this place in this round');
    }
    return em.transactional(async (tx) => {
      const pairing = tx.create(UnitPairing, { unit, region, round, startedOn: input.startedOn });
      await tx.flush();
      recordAudit(tx, actor, clientAddress, {
        operation: 'startUnitPairing',
        entityName: 'UnitPairing',
        entityId: pairing.id,
        regionPath: region.path,
        changes: { ...input },
      });
      return pairing;
    });
  },

  async end(em: Em, id: number, endedOn: string, reason: string, { actor, clientAddress }: Caller): Promise<UnitPairing> {
    const pairing = await em.findOne(UnitPairing, { $and: [{ id }, { region: regionSubtree(actor) }] }, { populate: ['region'] });
    if (!pairing) throw new ForbiddenError();
    if (pairing.endedOn) throw new ConflictError('The pairing has already ended');
    if (endedOn < pairing.startedOn) throw new BadUserInputError('endedOn', 'endedOn is before the pairing started');
    return em.transactional(async (tx) => {
      const row = await tx.findOneOrFail(UnitPairing, id);
      row.endedOn = endedOn;
      row.endReason = reason;
      recordAudit(tx, actor, clientAddress, { operation: 'endUnitPairing', entityName: 'UnitPairing', entityId: id, regionPath: pairing.region.path, reason });
      return row;
    });
  },
};
