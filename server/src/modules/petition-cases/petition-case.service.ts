import type { FilterQuery } from '@mikro-orm/core';
import { PetitionCaseStatus } from '@wanjia/shared';
import type { Actor, Caller } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { BadUserInputError, ConflictError, parseId } from '../../core/errors';
import { paginateById, type Connection, type PageArgs } from '../../core/pagination';
import { assertAllowed } from '../../core/policy';
import { shanghaiDate } from '../../core/time';
import { recordAudit } from '../audit/audit.service';
import { Cadre } from '../cadres/cadre.entity';
import { householdService } from '../households/household.service';
import { Resident } from '../households/resident.entity';
import { PetitionCase } from './petition-case.entity';
import type { CreatePetitionCaseInput, PetitionCaseFilter } from './petition-case.inputs';
import { petitionCasePolicy } from './petition-case.policy';

const TERMINAL = new Set([PetitionCaseStatus.CLOSED]);

export const petitionCaseService = {
  async list(em: Em, actor: Actor, filter: PetitionCaseFilter = {}, page: PageArgs = {}): Promise<Connection<PetitionCase>> {
    const conditions: FilterQuery<PetitionCase>[] = [petitionCasePolicy.scope(actor)];
    if (filter.status) conditions.push({ status: filter.status });
    if (filter.majorBacklog != null) conditions.push({ majorBacklog: filter.majorBacklog });
    if (filter.householdId) conditions.push({ household: parseId(filter.householdId, 'filter.householdId') });
    if (filter.responsibleLeaderId) conditions.push({ responsibleLeader: parseId(filter.responsibleLeaderId, 'filter.responsibleLeaderId') });
    return paginateById(em, PetitionCase, { $and: conditions }, page);
  },

  /** A case the caller may manage; FORBIDDEN, as for one that does not exist, otherwise. */
  async findManageable(em: Em, actor: Actor, id: number): Promise<PetitionCase> {
    const found = await em.findOne(PetitionCase, { $and: [{ id }, petitionCasePolicy.scope(actor)] }, { populate: ['household.region'] });
    assertAllowed(found !== null && petitionCasePolicy.mayManage(actor, { regionPath: found.household.region.path }));
    return found;
  },

  async create(em: Em, input: CreatePetitionCaseInput, caller: Caller): Promise<PetitionCase> {
    const { actor } = caller;
    const householdId = parseId(input.householdId, 'input.householdId');
    const residentId = input.residentId ? parseId(input.residentId, 'input.residentId') : null;
    // A petition is received before it is registered; a date ahead of today (Shanghai) is a typing error.
    if (input.receivedOn > shanghaiDate(new Date())) throw new BadUserInputError('input.receivedOn', 'receivedOn is in the future');
    const household = await householdService.findReadable(em, actor, householdId);
    assertAllowed(petitionCasePolicy.mayManage(actor, { regionPath: household.region.path }));
    let resident: Resident | null = null;
    if (residentId) {
      resident = await em.findOne(Resident, { id: residentId, household: household.id });
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
      recordAudit(tx, caller, {
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
  async assignLeader(em: Em, caseId: number, cadreId: number, caller: Caller): Promise<PetitionCase> {
    const { actor } = caller;
    const petitionCase = await this.findManageable(em, actor, caseId);
    const leader = await em.findOne(Cadre, cadreId, { populate: ['unit.region'] });
    assertAllowed(
      leader !== null && petitionCasePolicy.mayNameLeader(actor, { leaderRegionPath: leader.unit.region.path, caseRegionPath: petitionCase.household.region.path }),
    );
    if (!leader.active) throw new BadUserInputError('cadreId', 'the cadre is deactivated');
    return em.transactional(async (tx) => {
      const row = await tx.findOneOrFail(PetitionCase, caseId);
      const previous = row.responsibleLeader?.id ?? null;
      row.responsibleLeader = leader;
      recordAudit(tx, caller, {
        operation: 'assignCaseLeader',
        entityName: 'PetitionCase',
        entityId: caseId,
        regionPath: petitionCase.household.region.path,
        changes: { responsibleLeader: [previous, leader.id] },
      });
      return row;
    });
  },

  async changeStatus(em: Em, caseId: number, status: PetitionCaseStatus, reason: string, caller: Caller): Promise<PetitionCase> {
    const { actor } = caller;
    const petitionCase = await this.findManageable(em, actor, caseId);
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
      recordAudit(tx, caller, {
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
