import { PetitionCaseStatus } from '@wanjia/shared';
import type { FilterQuery } from '@mikro-orm/core';
import type { Em } from '../../core/entity-manager';
import { paginateById } from '../../core/pagination';
import { BadUserInputError, ConflictError, ForbiddenError, parseId } from '../../core/errors';
import type { Connection, PageArgs } from '../../core/pagination';
import { shanghaiDate } from '../../core/time';
import { recordAudit } from '../audit/audit.service';
import type { Actor } from '../../core/caller';
import { mayLinkAcross } from '../../core/region-scope';
import { regionSubtree } from '../../core/region-scope';
import { Cadre } from '../cadres/cadre.entity';
import type { Caller } from '../../core/caller';
import { householdService } from '../households/household.service';
import { Resident } from '../households/resident.entity';
import { PetitionCase } from './petition-case.entity';

export interface PetitionCaseFilter {
  status?: PetitionCaseStatus;
  majorBacklog?: boolean;
  householdId?: string;
  responsibleLeaderId?: string;
}

const TERMINAL = new Set([PetitionCaseStatus.CLOSED]);

export const petitionCaseService = {
  async list(em: Em, actor: Actor, filter: PetitionCaseFilter = {}, page: PageArgs = {}): Promise<Connection<PetitionCase>> {
    const conditions: FilterQuery<PetitionCase>[] = [{ household: { region: regionSubtree(actor) } }];
    if (filter.status) conditions.push({ status: filter.status });
    if (filter.majorBacklog != null) conditions.push({ majorBacklog: filter.majorBacklog });
    if (filter.householdId) conditions.push({ household: parseId(filter.householdId, 'filter.householdId') });
    if (filter.responsibleLeaderId) conditions.push({ responsibleLeader: parseId(filter.responsibleLeaderId, 'filter.responsibleLeaderId') });
    return paginateById(em, PetitionCase, { $and: conditions }, page);
  },

  async findInScope(em: Em, actor: Actor, id: number): Promise<PetitionCase> {
    const found = await em.findOne(PetitionCase, { $and: [{ id }, { household: { region: regionSubtree(actor) } }] }, { populate: ['household.region'] });
    if (!found) throw new ForbiddenError();
    return found;
  },

  async create(
    em: Em,
    input: { householdId: number; residentId?: number; title: string; demand: string; receivedOn: string; majorBacklog: boolean },
    { actor, clientAddress }: Caller,
  ): Promise<PetitionCase> {
    // A petition is received before it is registered; a date ahead of today (Shanghai) is a typing error.
    if (input.receivedOn > shanghaiDate(new Date())) throw new BadUserInputError('input.receivedOn', 'receivedOn is in the future');
    const household = await householdService.findManageable(em, actor, input.householdId);
    let resident: Resident | null = null;
    if (input.residentId) {
      resident = await em.findOne(Resident, { id: input.residentId, household: household.id });
      if (!resident) throw new BadUserInputError('input.residentId', 'the resident is not a member of this household');
    }
    return em.transactional(async (tx) => {
      const petitionCase = tx.create(PetitionCase, {
        household: household.id,
        resident: resident?.id ?? null,
        title: input.title.trim(),
        demand: input.demand.trim(),
        receivedOn: input.receivedOn,
        majorBacklog: input.majorBacklog,
      });
      await tx.flush();
      recordAudit(tx, actor, clientAddress, {
        operation: 'createPetitionCase',
        entityName: 'PetitionCase',
        entityId: petitionCase.id,
        regionPath: household.region.path,
        changes: { household: household.id, majorBacklog: input.majorBacklog },
      });
      return petitionCase;
    });
  },

  /** 包案领导: an active cadre from the case's region or above it (a city leader for a district's case). */
  async assignLeader(em: Em, caseId: number, cadreId: number, { actor, clientAddress }: Caller): Promise<PetitionCase> {
    const petitionCase = await this.findInScope(em, actor, caseId);
    const leader = await em.findOne(Cadre, cadreId, { populate: ['unit.region'] });
    if (!leader || !mayLinkAcross(actor, leader.unit.region.path, petitionCase.household.region.path)) throw new ForbiddenError();
    if (!leader.active) throw new BadUserInputError('cadreId', 'the cadre is deactivated');
    return em.transactional(async (tx) => {
      const row = await tx.findOneOrFail(PetitionCase, caseId);
      const previous = row.responsibleLeader?.id ?? null;
      row.responsibleLeader = leader;
      recordAudit(tx, actor, clientAddress, {
        operation: 'assignCaseLeader',
        entityName: 'PetitionCase',
        entityId: caseId,
        regionPath: petitionCase.household.region.path,
        changes: { responsibleLeader: [previous, leader.id] },
      });
      return row;
    });
  },

  async changeStatus(em: Em, caseId: number, status: PetitionCaseStatus, reason: string, { actor, clientAddress }: Caller): Promise<PetitionCase> {
    const petitionCase = await this.findInScope(em, actor, caseId);
    if (TERMINAL.has(petitionCase.status)) throw new ConflictError(`The case is ${petitionCase.status}; it cannot change any more`);
    if (petitionCase.status === status) throw new BadUserInputError('status', `the case is already ${status}`);
    return em.transactional(async (tx) => {
      const row = await tx.findOneOrFail(PetitionCase, caseId);
      const previous = row.status;
      row.status = status;
      if (status === PetitionCaseStatus.RESOLVED || status === PetitionCaseStatus.CLOSED) {
        row.resolvedAt = row.resolvedAt ?? new Date();
        row.resolution = reason;
      } else {
        row.resolvedAt = null;
      }
      recordAudit(tx, actor, clientAddress, {
        operation: 'changePetitionCaseStatus',
        entityName: 'PetitionCase',
        entityId: caseId,
        regionPath: petitionCase.household.region.path,
        reason,
        changes: { status: [previous, status] },
      });
      return row;
    });
  },
};
