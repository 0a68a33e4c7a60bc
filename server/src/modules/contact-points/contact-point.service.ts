import type { FilterQuery } from '@mikro-orm/core';
import type { Actor, Caller } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { BadUserInputError, ConflictError, ForbiddenError, parseId } from '../../core/errors';
import { paginateById, type Connection, type PageArgs } from '../../core/pagination';
import { assertAllowed } from '../../core/policy';
import { recordAudit } from '../audit/audit.service';
import { Cadre } from '../cadres/cadre.entity';
import { Household } from '../households/household.entity';
import { PetitionCase } from '../petition-cases/petition-case.entity';
import { Region } from '../regions/region.entity';
import { Round } from '../rounds/round.entity';
import { Unit } from '../units/unit.entity';
import { ContactPointKind } from './contact-point-kind.entity';
import { ContactPoint } from './contact-point.entity';
import type { ContactPointFilter, ContactPointKindInput, CreateContactPointInput } from './contact-point.inputs';
import { CONTACT_POINTS_ARE_THE_CITYS, contactPointPolicy } from './contact-point.policy';

const optionalId = (value: string | undefined, field: string) => (value ? parseId(value, field) : undefined);

export const contactPointService = {
  async list(em: Em, actor: Actor, filter: ContactPointFilter | undefined, page: PageArgs = {}): Promise<Connection<ContactPoint>> {
    const leaderId = optionalId(filter?.leaderId, 'filter.leaderId');
    const roundId = optionalId(filter?.roundId, 'filter.roundId');
    const conditions: FilterQuery<ContactPoint>[] = [contactPointPolicy.scope(actor)];
    if (leaderId) conditions.push({ leader: leaderId });
    if (roundId) conditions.push({ round: roundId });
    if (filter?.active != null) conditions.push({ endedOn: filter.active ? null : { $ne: null } });
    return paginateById(em, ContactPoint, { $and: conditions }, page);
  },

  /** The kinds of contact point (the "eight ones"), in their order. */
  async listKinds(em: Em): Promise<ContactPointKind[]> {
    return em.find(ContactPointKind, {}, { orderBy: { sortOrder: 'asc', id: 'asc' } });
  },

  /** A point's kind: eight rows at most, read once per request (the request's identity map keeps them). */
  async kindOf(em: Em, point: ContactPoint): Promise<ContactPointKind> {
    return em.findOneOrFail(ContactPointKind, point.kind.id);
  },

  async create(em: Em, body: CreateContactPointInput, caller: Caller): Promise<ContactPoint> {
    const { actor } = caller;
    const input = {
      leaderId: parseId(body.leaderId, 'input.leaderId'),
      kindId: parseId(body.kindId, 'input.kindId'),
      roundId: parseId(body.roundId, 'input.roundId'),
      targetRegionId: optionalId(body.targetRegionId, 'input.targetRegionId'),
      unitId: optionalId(body.unitId, 'input.unitId'),
      householdId: optionalId(body.householdId, 'input.householdId'),
      petitionCaseId: optionalId(body.petitionCaseId, 'input.petitionCaseId'),
      note: body.note,
      startedOn: body.startedOn,
    };
    assertAllowed(contactPointPolicy.mayCreate(actor), CONTACT_POINTS_ARE_THE_CITYS);
    const targets = [input.targetRegionId, input.unitId, input.householdId, input.petitionCaseId].filter((value) => value != null);
    if (targets.length !== 1) throw new BadUserInputError('input', 'name exactly one target: targetRegionId, unitId, householdId or petitionCaseId');
    const leader = await em.findOne(Cadre, { id: input.leaderId, active: true });
    if (!leader) throw new BadUserInputError('input.leaderId', 'no active cadre with this id');
    const kind = await em.findOne(ContactPointKind, { id: input.kindId, active: true });
    if (!kind) throw new BadUserInputError('input.kindId', 'no active contact point kind with this id');
    const round = await em.findOne(Round, input.roundId);
    if (!round) throw new BadUserInputError('input.roundId', 'no such round');
    const reference = async <T extends object>(entity: new () => T, id: number | undefined, field: string): Promise<T | null> => {
      if (id == null) return null;
      const row = await em.findOne(entity, { id } as FilterQuery<T>);
      if (!row) throw new BadUserInputError(field, 'no such target');
      return row;
    };
    const point = {
      leader,
      kind,
      round,
      targetRegion: await reference(Region, input.targetRegionId, 'input.targetRegionId'),
      unit: await reference(Unit, input.unitId, 'input.unitId'),
      household: await reference(Household, input.householdId, 'input.householdId'),
      petitionCase: await reference(PetitionCase, input.petitionCaseId, 'input.petitionCaseId'),
      note: input.note ?? null,
      startedOn: input.startedOn,
    };
    return em.transactional(async (tx) => {
      const row = tx.create(ContactPoint, point);
      await tx.flush();
      recordAudit(tx, caller, { operation: 'createContactPoint', entityName: 'ContactPoint', entityId: row.id, changes: { ...input } });
      return row;
    });
  },

  async end(em: Em, id: number, endedOn: string, caller: Caller): Promise<ContactPoint> {
    const { actor } = caller;
    assertAllowed(contactPointPolicy.mayEnd(actor), CONTACT_POINTS_ARE_THE_CITYS);
    return em.transactional(async (tx) => {
      const row = await tx.findOne(ContactPoint, id);
      if (!row) throw new ForbiddenError();
      if (row.endedOn) throw new ConflictError('The contact point has already ended');
      if (endedOn < row.startedOn) throw new BadUserInputError('endedOn', 'endedOn is before the contact point started');
      row.endedOn = endedOn;
      recordAudit(tx, caller, { operation: 'endContactPoint', entityName: 'ContactPoint', entityId: id, changes: { endedOn } });
      return row;
    });
  },

  /** Creates a kind (`id` null) or changes one; codes stay unique. */
  async saveKind(em: Em, id: number | null, input: ContactPointKindInput, caller: Caller): Promise<ContactPointKind> {
    const { actor } = caller;
    assertAllowed(contactPointPolicy.mayManageKinds(actor), CONTACT_POINTS_ARE_THE_CITYS);
    const clash = await em.findOne(ContactPointKind, { code: input.code });
    if (clash && clash.id !== id) throw new BadUserInputError('input.code', 'a kind with this code exists');
    return em.transactional(async (tx) => {
      const kind = id === null ? tx.create(ContactPointKind, input) : await tx.findOne(ContactPointKind, id);
      if (!kind) throw new ForbiddenError();
      tx.assign(kind, input);
      await tx.flush();
      recordAudit(tx, caller, {
        operation: id === null ? 'createContactPointKind' : 'updateContactPointKind',
        entityName: 'ContactPointKind',
        entityId: kind.id,
        changes: { ...input },
      });
      return kind;
    });
  },
};
