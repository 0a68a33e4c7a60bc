import type { FilterQuery } from '@mikro-orm/core';
import { HouseholdStatus } from '@wanjia/shared';
import type { Actor, Caller } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { BadUserInputError, ConflictError, parseId } from '../../core/errors';
import { lockForUpdate } from '../../core/locking';
import { paginateById, type Connection, type PageArgs } from '../../core/pagination';
import { assertAllowed } from '../../core/policy';
import { shanghaiDate } from '../../core/time';
import { recordAudit } from '../audit/audit.service';
import { Cadre } from '../cadres/cadre.entity';
import { Household } from '../households/household.entity';
import { householdService } from '../households/household.service';
import { Round } from '../rounds/round.entity';
import { roundService } from '../rounds/round.service';
import { Assignment } from './assignment.entity';
import type { AssignCadreArgs, AssignmentFilter } from './assignment.inputs';
import { assignmentPolicy } from './assignment.policy';

/** A cadre in reach of the household: active, and from a unit in the caller's subtree or above the household. */
async function assignableCadre(tx: Em, actor: Actor, cadreId: number, household: Household, field: string): Promise<Cadre> {
  const cadre = await tx.findOne(Cadre, cadreId, { populate: ['unit.region'] });
  assertAllowed(cadre !== null && assignmentPolicy.mayPair(actor, { cadreUnitRegionPath: cadre.unit.region.path, householdRegionPath: household.region.path }));
  if (!cadre.active) throw new BadUserInputError(field, 'the cadre is deactivated');
  const load = await tx.count(Assignment, { cadre: cadre.id, endedAt: null });
  if (load >= cadre.householdCapacity) {
    throw new ConflictError(`The cadre already looks after ${load} household(s), the capacity set for them; raise it or choose another cadre`, {
      field,
      activeAssignments: load,
      capacity: cadre.householdCapacity,
    });
  }
  return cadre;
}

export const assignmentService = {
  async list(em: Em, actor: Actor, filter: AssignmentFilter = {}, page: PageArgs = {}): Promise<Connection<Assignment>> {
    const conditions: FilterQuery<Assignment>[] = [assignmentPolicy.scope(actor)];
    if (filter.householdId) conditions.push({ household: parseId(filter.householdId, 'filter.householdId') });
    if (filter.cadreId) conditions.push({ cadre: parseId(filter.cadreId, 'filter.cadreId') });
    if (filter.roundId) conditions.push({ round: parseId(filter.roundId, 'filter.roundId') });
    if (filter.active != null) conditions.push({ endedAt: filter.active ? null : { $ne: null } });
    return paginateById(em, Assignment, { $and: conditions }, page);
  },

  /** An assignment the caller may transfer or end; FORBIDDEN, as for one that does not exist, otherwise. */
  async findManageable(em: Em, actor: Actor, id: number): Promise<Assignment> {
    const assignment = await em.findOne(Assignment, { $and: [{ id }, assignmentPolicy.scope(actor)] }, { populate: ['household.region'] });
    assertAllowed(assignment !== null && assignmentPolicy.mayManage(actor, { householdRegionPath: assignment.household.region.path }));
    return assignment;
  },

  /** Pairs a cadre with a household. A household has one active cadre; changing it is a transfer. */
  async assign(em: Em, args: AssignCadreArgs, caller: Caller): Promise<Assignment> {
    const { actor } = caller;
    const householdId = parseId(args.householdId, 'householdId');
    const cadreId = parseId(args.cadreId, 'cadreId');
    const roundId = args.roundId ? parseId(args.roundId, 'roundId') : null;
    const household = await householdService.findManageable(em, actor, householdId);
    if (household.status !== HouseholdStatus.ACTIVE) throw new BadUserInputError('householdId', `the household is ${household.status}, not receiving help`);
    const round = roundId ? await em.findOne(Round, roundId) : await roundService.currentOrLatest(em, shanghaiDate(new Date()));
    if (!round) throw new BadUserInputError('roundId', 'no such round');
    return em.transactional(async (tx) => {
      await lockForUpdate(tx, Household, household.id);
      // Who may be linked is decided before what state things are in, so refusals never leak state.
      const cadre = await assignableCadre(tx, actor, cadreId, household, 'cadreId');
      const active = await tx.count(Assignment, { household: household.id, endedAt: null });
      if (active > 0) throw new ConflictError('The household already has a cadre; use transferAssignment to change it');
      const assignment = tx.create(Assignment, { cadre, household: household.id, round, kind: args.kind, startedAt: new Date() });
      await tx.flush();
      recordAudit(tx, caller, {
        operation: 'assignCadre',
        entityName: 'Assignment',
        entityId: assignment.id,
        regionPath: household.region.path,
        changes: { household: household.id, cadre: cadre.id, kind: args.kind, round: round.id },
      });
      return assignment;
    });
  },

  /** Ends the current assignment with a reason and starts the new cadre's, linked, so the household keeps one history. */
  async transfer(em: Em, assignmentId: number, toCadreId: number, reason: string, caller: Caller): Promise<Assignment> {
    const { actor } = caller;
    const current = await this.findManageable(em, actor, assignmentId);
    if (current.endedAt) throw new ConflictError('The assignment has already ended');
    if (current.cadre.id === toCadreId) throw new BadUserInputError('toCadreId', 'the household is already with this cadre');
    return em.transactional(async (tx) => {
      await lockForUpdate(tx, Household, current.household.id);
      const row = await tx.findOneOrFail(Assignment, assignmentId);
      if (row.endedAt) throw new ConflictError('The assignment has already ended');
      const cadre = await assignableCadre(tx, actor, toCadreId, current.household, 'toCadreId');
      const now = new Date();
      row.endedAt = now;
      row.endReason = reason;
      const next = tx.create(Assignment, { cadre, household: row.household, round: row.round, kind: row.kind, startedAt: now, transferredFrom: row });
      await tx.flush();
      recordAudit(tx, caller, {
        operation: 'transferAssignment',
        entityName: 'Assignment',
        entityId: next.id,
        regionPath: current.household.region.path,
        reason,
        changes: { from: row.id, fromCadre: row.cadre.id, toCadre: cadre.id },
      });
      return next;
    });
  },

  async end(em: Em, assignmentId: number, reason: string, caller: Caller): Promise<Assignment> {
    const { actor } = caller;
    const current = await this.findManageable(em, actor, assignmentId);
    return em.transactional(async (tx) => {
      const row = await tx.findOneOrFail(Assignment, assignmentId);
      if (row.endedAt) throw new ConflictError('The assignment has already ended');
      row.endedAt = new Date();
      row.endReason = reason;
      recordAudit(tx, caller, {
        operation: 'endAssignment',
        entityName: 'Assignment',
        entityId: row.id,
        regionPath: current.household.region.path,
        reason,
      });
      return row;
    });
  },
};
