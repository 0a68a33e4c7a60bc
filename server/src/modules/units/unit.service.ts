import type { FilterQuery } from '@mikro-orm/core';
import type { Em } from '../../core/entity-manager';
import { paginateById } from '../../core/pagination';
import { ForbiddenError, parseId } from '../../core/errors';
import type { Connection, PageArgs } from '../../core/pagination';
import { changesBetween, recordAudit } from '../audit/audit.service';
import type { Actor } from '../../core/caller';
import { regionService } from '../regions/region.service';
import { Unit } from './unit.entity';
import { unitPolicy } from './unit.policy';
import type { UnitFilter, UnitInput } from './unit.types';

export const unitService = {
  async list(em: Em, actor: Actor, filter: UnitFilter = {}, page: PageArgs = {}): Promise<Connection<Unit>> {
    const conditions: FilterQuery<Unit>[] = [unitPolicy.readable(actor)];
    if (filter.kind) conditions.push({ kind: filter.kind });
    if (filter.search) conditions.push({ name: { $like: `%${filter.search.replace(/[\\%_]/g, '\\$&')}%` } });
    if (filter.regionId) {
      const region = await regionService.findInScope(em, actor, parseId(filter.regionId, 'filter.regionId'));
      conditions.push({ region: regionService.subtreeCondition(region) });
    }
    return paginateById(em, Unit, { $and: conditions }, page);
  },

  async findInScope(em: Em, actor: Actor, id: number): Promise<Unit> {
    const unit = await em.findOne(Unit, { $and: [{ id }, unitPolicy.readable(actor)] }, { populate: ['region'] });
    if (!unit) throw new ForbiddenError();
    return unit;
  },

  async create(em: Em, input: UnitInput, actor: Actor, clientAddress: string | null): Promise<Unit> {
    const region = await regionService.findInScope(em, actor, parseId(input.regionId, 'input.regionId'));
    return em.transactional(async (tx) => {
      const unit = tx.create(Unit, { name: input.name.trim(), kind: input.kind, level: input.level, region });
      await tx.flush();
      recordAudit(tx, actor, clientAddress, { operation: 'createUnit', entityName: 'Unit', entityId: unit.id, regionPath: region.path, changes: { ...input } });
      return unit;
    });
  },

  async update(em: Em, id: number, input: UnitInput, actor: Actor, clientAddress: string | null): Promise<Unit> {
    const unit = await this.findInScope(em, actor, id);
    const region = await regionService.findInScope(em, actor, parseId(input.regionId, 'input.regionId'));
    const changes = changesBetween(
      { name: unit.name, kind: unit.kind, level: unit.level, region: unit.region.id },
      { name: input.name.trim(), kind: input.kind, level: input.level, region: region.id },
    );
    return em.transactional(async (tx) => {
      const row = await tx.findOneOrFail(Unit, id);
      tx.assign(row, { name: input.name.trim(), kind: input.kind, level: input.level, region });
      recordAudit(tx, actor, clientAddress, { operation: 'updateUnit', entityName: 'Unit', entityId: id, regionPath: region.path, changes });
      return row;
    });
  },
};
