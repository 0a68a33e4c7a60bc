import type { FilterQuery } from '@mikro-orm/core';
import { DemandStatus, OPEN_DEMAND_STATUSES } from '@wanjia/shared';
import type { Actor, Caller } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { ConflictError, parseId } from '../../core/errors';
import { paginateById, type Connection, type PageArgs } from '../../core/pagination';
import { assertAllowed } from '../../core/policy';
import { shanghaiDate } from '../../core/time';
import { recordAudit } from '../audit/audit.service';
import { Demand } from './demand.entity';
import type { DemandFilter } from './demand.inputs';
import { demandPolicy } from './demand.policy';

export const demandService = {
  /** The demands the caller may read, filtered; "overdue" is an open demand past its due date (Shanghai). */
  async list(em: Em, actor: Actor, filter: DemandFilter = {}, page: PageArgs = {}, now = new Date()): Promise<Connection<Demand>> {
    const conditions: FilterQuery<Demand>[] = [demandPolicy.scope(actor)];
    if (filter.householdId) conditions.push({ household: parseId(filter.householdId, 'filter.householdId') });
    if (filter.status) conditions.push({ status: filter.status });
    if (filter.category) conditions.push({ category: filter.category });
    if (filter.overdueOnly) conditions.push({ status: { $in: [...OPEN_DEMAND_STATUSES] }, dueOn: { $lt: shanghaiDate(now) } });
    return paginateById(em, Demand, { $and: conditions }, page);
  },

  /** The household confirmed, on a later visit, that a resolved demand is really solved. */
  async confirmResolved(em: Em, demandId: number, caller: Caller): Promise<Demand> {
    const { actor } = caller;
    assertAllowed(demandPolicy.mayConfirm(actor));
    const demand = await em.findOne(Demand, { $and: [{ id: demandId }, demandPolicy.scope(actor)] }, { populate: ['household.region'] });
    assertAllowed(demand !== null);
    if (demand.status === DemandStatus.CONFIRMED) return demand;
    if (demand.status !== DemandStatus.RESOLVED) throw new ConflictError(`Only a resolved demand can be confirmed; this one is ${demand.status}`);
    return em.transactional(async (tx) => {
      const row = await tx.findOneOrFail(Demand, demandId);
      row.status = DemandStatus.CONFIRMED;
      row.confirmedAt = new Date();
      recordAudit(tx, caller, {
        operation: 'confirmDemandResolved',
        entityName: 'Demand',
        entityId: demandId,
        regionPath: demand.household.region.path,
        changes: { status: [DemandStatus.RESOLVED, DemandStatus.CONFIRMED] },
      });
      return row;
    });
  },
};
