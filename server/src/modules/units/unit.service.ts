import type { FilterQuery } from '@mikro-orm/core';
import type { Actor, Caller } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { ForbiddenError, parseId } from '../../core/errors';
import { paginateById, type Connection, type PageArgs } from '../../core/pagination';
import { assertAllowed } from '../../core/policy';
import { likeContaining } from '../../core/sql-like';
import { changesBetween, recordAudit } from '../audit/audit.service';
import { regionService } from '../regions/region.service';
import { Unit } from './unit.entity';
import type { UnitFilter, UnitInput } from './unit.inputs';
import { unitPolicy } from './unit.policy';

export const unitService = {
  async list(em: Em, actor: Actor, filter: UnitFilter = {}, page: PageArgs = {}): Promise<Connection<Unit>> {
    const conditions: FilterQuery<Unit>[] = [unitPolicy.scope(actor)];
    if (filter.kind) conditions.push({ kind: filter.kind });
    if (filter.search) conditions.push({ name: { $like: likeContaining(filter.search) } });
    if (filter.regionId) {
      const region = await regionService.findInScope(em, actor, parseId(filter.regionId, 'filter.regionId'));
      conditions.push({ region: regionService.subtreeCondition(region) });
    }
    return paginateById(em, Unit, { $and: conditions }, page);
  },

  /** The unit if it is in the actor's scope; FORBIDDEN otherwise, whether or not it exists. */
  async findInScope(em: Em, actor: Actor, id: number): Promise<Unit> {
    const unit = await em.findOne(Unit, { $and: [{ id }, unitPolicy.scope(actor)] }, { populate: ['region'] });
    if (!unit) throw new ForbiddenError();
    return unit;
  },

  async create(em: Em, input: UnitInput, caller: Caller): Promise<Unit> {
    const { actor } = caller;
    const region = await regionService.findInScope(em, actor, parseId(input.regionId, 'input.regionId'));
    assertAllowed(unitPolicy.mayCreate(actor, region));
    return em.transactional(async (tx) => {
      const unit = tx.create(Unit, { name: input.name.trim(), kind: input.kind, level: input.level, region });
      await tx.flush();
      recordAudit(tx, caller, { operation: 'createUnit', entityName: 'Unit', entityId: unit.id, regionPath: region.path, changes: { ...input } });
      return unit;
    });
  },

  async update(em: Em, id: number, input: UnitInput, caller: Caller): Promise<Unit> {
    const { actor } = caller;
    const unit = await this.findInScope(em, actor, id);
    const region = await regionService.findInScope(em, actor, parseId(input.regionId, 'input.regionId'));
    assertAllowed(unitPolicy.mayUpdate(actor, { regionPath: unit.region.path, newRegionPath: region.path }));
    const changes = changesBetween(
      { name: unit.name, kind: unit.kind, level: unit.level, region: unit.region.id },
      { name: input.name.trim(), kind: input.kind, level: input.level, region: region.id },
    );
    return em.transactional(async (tx) => {
      const row = await tx.findOneOrFail(Unit, id);
      tx.assign(row, { name: input.name.trim(), kind: input.kind, level: input.level, region });
      recordAudit(tx, caller, { operation: 'updateUnit', entityName: 'Unit', entityId: id, regionPath: region.path, changes });
      return row;
    });
  },
};
