import { DemandStatus } from '@wanjia/shared';
import type { Em } from '../../core/entity-manager';
import { ConflictError, ForbiddenError } from '../../core/errors';
import { recordAudit } from '../audit/audit.service';
import type { Caller } from '../../core/caller';
import { householdPolicy } from '../households/household.policy';
import { Demand } from './demand.entity';

export const demandService = {
  /** The household confirmed, on a later visit, that a resolved demand is really solved. */
  async confirmResolved(em: Em, demandId: number, { actor, clientAddress }: Caller): Promise<Demand> {
    const demand = await em.findOne(Demand, demandId, { populate: ['household.region'] });
    if (!demand || !(await householdPolicy.cadreIsAssigned(em, actor, demand.household.id))) throw new ForbiddenError();
    if (demand.status === DemandStatus.CONFIRMED) return demand;
    if (demand.status !== DemandStatus.RESOLVED) throw new ConflictError(`Only a resolved demand can be confirmed; this one is ${demand.status}`);
    return em.transactional(async (tx) => {
      const row = await tx.findOneOrFail(Demand, demandId);
      row.status = DemandStatus.CONFIRMED;
      row.confirmedAt = new Date();
      recordAudit(tx, actor, clientAddress, {
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
