import type { FilterQuery } from '@mikro-orm/core';
import type { Em } from '../../core/entity-manager';
import { paginateById } from '../../core/pagination';
import { BadUserInputError, ConflictError, ForbiddenError } from '../../core/errors';
import type { Connection, PageArgs } from '../../core/pagination';
import { recordAudit } from '../audit/audit.service';
import { isRootAdmin, type Actor } from '../../core/caller';
import { regionSubtree } from '../../core/region-scope';
import { Cadre } from '../cadres/cadre.entity';
import { Household } from '../households/household.entity';
import type { Caller } from '../../core/caller';
import { PetitionCase } from '../petition-cases/petition-case.entity';
import { Region } from '../regions/region.entity';
import { Round } from '../rounds/round.entity';
import { Unit } from '../units/unit.entity';
import { ContactPointKind } from './contact-point-kind.entity';
import { ContactPoint } from './contact-point.entity';

export interface ContactPointInput {
  leaderId: number;
  kindId: number;
  roundId: number;
  targetRegionId?: number;
  unitId?: number;
  householdId?: number;
  petitionCaseId?: number;
  note?: string | null;
  startedOn: string;
}

function assertRootAdmin(actor: Actor): void {
  if (!isRootAdmin(actor)) throw new ForbiddenError("City-level leaders' contact points are managed by the city's administrators");
}

export const contactPointService = {
  /** A contact point is visible where its target lies: a district sees the leaders' points inside it. */
  readable(actor: Actor): FilterQuery<ContactPoint> {
    const subtree = regionSubtree(actor);
    return {
      $or: [{ targetRegion: subtree }, { unit: { region: subtree } }, { household: { region: subtree } }, { petitionCase: { household: { region: subtree } } }],
    };
  },

  async list(
    em: Em,
    actor: Actor,
    filter: { leaderId?: number; roundId?: number; active?: boolean } = {},
    page: PageArgs = {},
  ): Promise<Connection<ContactPoint>> {
    const conditions: FilterQuery<ContactPoint>[] = [this.readable(actor)];
    if (filter.leaderId) conditions.push({ leader: filter.leaderId });
    if (filter.roundId) conditions.push({ round: filter.roundId });
    if (filter.active != null) conditions.push({ endedOn: filter.active ? null : { $ne: null } });
    return paginateById(em, ContactPoint, { $and: conditions }, page);
  },

  async create(em: Em, input: ContactPointInput, { actor, clientAddress }: Caller): Promise<ContactPoint> {
    assertRootAdmin(actor);
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
      recordAudit(tx, actor, clientAddress, { operation: 'createContactPoint', entityName: 'ContactPoint', entityId: row.id, changes: { ...input } });
      return row;
    });
  },

  async end(em: Em, id: number, endedOn: string, { actor, clientAddress }: Caller): Promise<ContactPoint> {
    assertRootAdmin(actor);
    return em.transactional(async (tx) => {
      const row = await tx.findOne(ContactPoint, id);
      if (!row) throw new ForbiddenError();
      if (row.endedOn) throw new ConflictError('The contact point has already ended');
      if (endedOn < row.startedOn) throw new BadUserInputError('endedOn', 'endedOn is before the contact point started');
      row.endedOn = endedOn;
      recordAudit(tx, actor, clientAddress, { operation: 'endContactPoint', entityName: 'ContactPoint', entityId: id, changes: { endedOn } });
      return row;
    });
  },

  async saveKind(
    em: Em,
    id: number | null,
    input: { code: string; name: string; sortOrder: number; active: boolean },
    { actor, clientAddress }: Caller,
  ): Promise<ContactPointKind> {
    assertRootAdmin(actor);
    const clash = await em.findOne(ContactPointKind, { code: input.code });
    if (clash && clash.id !== id) throw new BadUserInputError('input.code', 'a kind with this code exists');
    return em.transactional(async (tx) => {
      const kind = id === null ? tx.create(ContactPointKind, input) : await tx.findOne(ContactPointKind, id);
      if (!kind) throw new ForbiddenError();
      tx.assign(kind, input);
      await tx.flush();
      recordAudit(tx, actor, clientAddress, {
        operation: id === null ? 'createContactPointKind' : 'updateContactPointKind',
        entityName: 'ContactPointKind',
        entityId: kind.id,
        changes: { ...input },
      });
      return kind;
    });
  },
};
