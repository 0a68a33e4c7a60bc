import { raw, type FilterQuery } from '@mikro-orm/core';
import type { Actor, Caller } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { ConflictError, ForbiddenError, parseId } from '../../core/errors';
import { paginateById, type Connection, type PageArgs } from '../../core/pagination';
import { assertAllowed } from '../../core/policy';
import { likeContaining } from '../../core/sql-like';
import { normalizedPhone } from '../../core/validation';
import { Assignment } from '../assignments/assignment.entity';
import { changesBetween, recordAudit } from '../audit/audit.service';
import { forgetAccountStatus } from '../auth/account-status.service';
import { endHandlerTenures } from '../units/unit-handler-tenure';
import { unitService } from '../units/unit.service';
import { Cadre } from './cadre.entity';
import type { CadreFilter, CreateCadreInput, DeactivateCadreArgs, UpdateCadreInput } from './cadre.inputs';
import { cadrePolicy } from './cadre.policy';

/**
 * Cadres with (or without) room for another household: active assignments below the capacity. Built
 * per call and used as a *value*: a raw fragment is single-use in MikroORM, so the one built once at
 * module level broke as soon as the page and its count (or a second request) used it, answering
 * INTERNAL_SERVER_ERROR (the same trap as household.service.ts's activeAssignmentCondition).
 */
function capacityCondition(hasCapacity: boolean): FilterQuery<Cadre> {
  const withRoom = raw(
    '(select rc.id from cadre rc where (select count(*) from assignment ra where ra.cadre_id = rc.id and ra.ended_at is null) < rc.household_capacity)',
  );
  return { id: hasCapacity ? { $in: withRoom } : { $nin: withRoom } } as FilterQuery<Cadre>;
}

export const cadreService = {
  async list(em: Em, actor: Actor, filter: CadreFilter = {}, page: PageArgs = {}): Promise<Connection<Cadre>> {
    const conditions: FilterQuery<Cadre>[] = [cadrePolicy.scope(actor)];
    if (filter.unitId) conditions.push({ unit: parseId(filter.unitId, 'filter.unitId') });
    if (filter.active != null) conditions.push({ active: filter.active });
    if (filter.search) conditions.push({ name: { $like: likeContaining(filter.search) } });
    if (filter.hasCapacity != null) conditions.push(capacityCondition(filter.hasCapacity));
    return paginateById(em, Cadre, { $and: conditions }, page);
  },

  /** The cadre if it is in the actor's scope; FORBIDDEN otherwise, whether or not it exists. */
  async findInScope(em: Em, actor: Actor, id: number): Promise<Cadre> {
    const cadre = await em.findOne(Cadre, { $and: [{ id }, cadrePolicy.scope(actor)] }, { populate: ['unit.region'] });
    if (!cadre) throw new ForbiddenError();
    return cadre;
  },

  async create(em: Em, input: CreateCadreInput, caller: Caller): Promise<Cadre> {
    const { actor } = caller;
    const unit = await unitService.findInScope(em, actor, parseId(input.unitId, 'input.unitId'));
    assertAllowed(cadrePolicy.mayCreate(actor, { regionPath: unit.region.path }));
    return em.transactional(async (tx) => {
      const cadre = tx.create(Cadre, {
        name: input.name.trim(),
        unit,
        post: input.post.trim(),
        rank: input.rank,
        partyMember: input.partyMember,
        phone: normalizedPhone(input.phone) ?? null,
        householdCapacity: input.householdCapacity,
      });
      await tx.flush();
      recordAudit(tx, caller, {
        operation: 'createCadre',
        entityName: 'Cadre',
        entityId: cadre.id,
        regionPath: unit.region.path,
        changes: { name: cadre.name, unit: unit.id, rank: cadre.rank },
      });
      return cadre;
    });
  },

  async update(em: Em, id: number, input: UpdateCadreInput, caller: Caller): Promise<Cadre> {
    const { actor } = caller;
    const cadre = await this.findInScope(em, actor, id);
    const unit = input.unitId ? await unitService.findInScope(em, actor, parseId(input.unitId, 'input.unitId')) : cadre.unit;
    assertAllowed(cadrePolicy.mayUpdate(actor, { unitRegionPath: cadre.unit.region.path, newUnitRegionPath: unit.region.path }));
    const next = {
      name: input.name?.trim() ?? cadre.name,
      post: input.post?.trim() ?? cadre.post,
      rank: input.rank ?? cadre.rank,
      partyMember: input.partyMember ?? cadre.partyMember,
      phone: input.phone === undefined ? cadre.phone : (normalizedPhone(input.phone) ?? null),
      householdCapacity: input.householdCapacity ?? cadre.householdCapacity,
    };
    const changes = changesBetween({ ...cadre, unit: cadre.unit.id }, { ...next, unit: unit.id });
    // Read before the assignment below: the transaction shares the entity, and assign() moves it.
    const previousUnit = { id: cadre.unit.id, regionPath: cadre.unit.region.path };
    return em.transactional(async (tx) => {
      const row = await tx.findOneOrFail(Cadre, id);
      tx.assign(row, { ...next, unit });
      recordAudit(tx, caller, { operation: 'updateCadre', entityName: 'Cadre', entityId: id, regionPath: unit.region.path, changes });
      if (unit.id !== previousUnit.id) {
        await endHandlerTenures(tx, caller, { cadreId: id, reason: '调离本单位', now: new Date(), regionPath: previousUnit.regionPath, keepUnitId: unit.id });
      }
      return row;
    });
  },

  /**
   * Deactivates a cadre (never deletes). A cadre who still looks after households is refused unless
   * the caller asks to end those assignments too, so that no household loses its cadre by accident.
   */
  async deactivate(em: Em, args: DeactivateCadreArgs, caller: Caller): Promise<Cadre> {
    const { actor } = caller;
    const id = parseId(args.id, 'id');
    const { reason, endActiveAssignments } = args;
    const cadre = await this.findInScope(em, actor, id);
    assertAllowed(cadrePolicy.mayChangeStanding(actor, { unitRegionPath: cadre.unit.region.path }));
    const deactivated = await em.transactional(async (tx) => {
      const active = await tx.find(Assignment, { cadre: id, endedAt: null });
      if (active.length > 0 && !endActiveAssignments) {
        throw new ConflictError(
          `The cadre still looks after ${active.length} household(s): transfer them first, or deactivate with endActiveAssignments: true`,
          { activeAssignments: active.length },
        );
      }
      const now = new Date();
      for (const assignment of active) {
        assignment.endedAt = now;
        assignment.endReason = `干部停用：${reason}`;
        recordAudit(tx, caller, {
          operation: 'endAssignment',
          entityName: 'Assignment',
          entityId: assignment.id,
          regionPath: cadre.unit.region.path,
          reason,
        });
      }
      await endHandlerTenures(tx, caller, { cadreId: id, reason: `干部停用：${reason}`, now, regionPath: cadre.unit.region.path });
      const row = await tx.findOneOrFail(Cadre, id);
      row.active = false;
      recordAudit(tx, caller, {
        operation: 'deactivateCadre',
        entityName: 'Cadre',
        entityId: id,
        regionPath: cadre.unit.region.path,
        reason,
        changes: { active: [true, false], endedAssignments: active.map((assignment) => assignment.id) },
      });
      return row;
    });
    // The cadre's sign-in stops here at once; other instances notice within the status cache's age.
    forgetAccountStatus();
    return deactivated;
  },

  async reactivate(em: Em, id: number, caller: Caller): Promise<Cadre> {
    const { actor } = caller;
    const cadre = await this.findInScope(em, actor, id);
    assertAllowed(cadrePolicy.mayChangeStanding(actor, { unitRegionPath: cadre.unit.region.path }));
    const reactivated = await em.transactional(async (tx) => {
      const row = await tx.findOneOrFail(Cadre, id);
      row.active = true;
      recordAudit(tx, caller, {
        operation: 'reactivateCadre',
        entityName: 'Cadre',
        entityId: id,
        regionPath: cadre.unit.region.path,
        changes: { active: [false, true] },
      });
      return row;
    });
    forgetAccountStatus();
    return reactivated;
  },
};
