import { raw, type FilterQuery } from '@mikro-orm/core';
import { HOUSEHOLD_REGION_LEVELS, checkIdNumber } from '@wanjia/shared';
import type { Actor, Caller } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { BadUserInputError, ConflictError, ForbiddenError, parseId } from '../../core/errors';
import { lockForUpdate } from '../../core/locking';
import { paginateById, type Connection, type PageArgs } from '../../core/pagination';
import { assertAllowed } from '../../core/policy';
import { likeContaining } from '../../core/sql-like';
import { TARGET_GROUP_PROPERTY } from '../../core/target-groups';
import { shanghaiDate } from '../../core/time';
import { normalizedIdNumber, normalizedPhone } from '../../core/validation';
import { changesBetween, recordAudit } from '../audit/audit.service';
import type { Region } from '../regions/region.entity';
import { regionService } from '../regions/region.service';
import { assertIdNumbersFree, type ResidentWriter } from './duplicate-id-guard';
import { Household } from './household.entity';
import type { CreateHouseholdInput, HouseholdFilter, ResidentInput, UpdateHouseholdInput } from './household.inputs';
import { householdPolicy } from './household.policy';
import type { RevealedResident } from './household.types';
import { Resident } from './resident.entity';
import { residentPolicy } from './resident.policy';

/**
 * Households with (or without) an active assignment: a filter of the administrators' list, not an
 * access rule. The sub-query is a raw *value*: a raw fragment used as a filter *key* is single-use in
 * MikroORM, so it broke as soon as the page and its count (or a second request) used it, answering
 * INTERNAL_SERVER_ERROR.
 */
function activeAssignmentCondition(assigned: boolean): FilterQuery<Household> {
  const households = raw('(select ha.household_id from assignment ha where ha.ended_at is null)');
  return { id: assigned ? { $in: households } : { $nin: households } } as FilterQuery<Household>;
}

function assertHouseholdRegion(region: Region, field: string): void {
  if (!HOUSEHOLD_REGION_LEVELS.includes(region.level)) {
    throw new BadUserInputError(field, `a household belongs to a village or community, not a ${region.level}`);
  }
}

/** The identity number must agree with the birth date given beside it. */
function residentValues(input: ResidentInput, field: string) {
  // The LocalDate scalar checks the calendar; a person is born neither tomorrow nor before 1900.
  if (input.birthDate && (input.birthDate > shanghaiDate(new Date()) || input.birthDate < '1900-01-01')) {
    throw new BadUserInputError(`${field}.birthDate`, 'birthDate must be a day between 1900-01-01 and today');
  }
  const idNumber = normalizedIdNumber(input.idNumber) ?? null;
  if (idNumber) {
    const check = checkIdNumber(idNumber);
    if (check.valid && input.birthDate && check.birthDate !== input.birthDate) {
      throw new BadUserInputError(`${field}.idNumber`, `the ID number's birth date ${check.birthDate} differs from birthDate ${input.birthDate}`);
    }
  }
  const birthDate = input.birthDate ?? (idNumber ? ((checkIdNumber(idNumber) as { birthDate?: string }).birthDate ?? null) : null);
  return {
    name: input.name.trim(),
    relation: input.relation,
    gender: input.gender,
    birthDate,
    idNumber,
    keyFocusReason: input.keyFocusReason ?? null,
    isPetitioner: input.isPetitioner,
  };
}

/** Locks the household row for this transaction and checks the version the caller read. */
async function lockAtVersion(tx: Em, householdId: number, expectedVersion: number): Promise<Household> {
  const row = await lockForUpdate(tx, Household, householdId);
  if (!row) throw new ForbiddenError();
  if (row.version !== expectedVersion) {
    throw new ConflictError(`The household is at version ${row.version}, not ${expectedVersion}: reload it and apply your change again`, {
      currentVersion: row.version,
    });
  }
  return row;
}

export const householdService = {
  async list(em: Em, actor: Actor, filter: HouseholdFilter = {}, page: PageArgs = {}): Promise<Connection<Household>> {
    const conditions: FilterQuery<Household>[] = [householdPolicy.scope(actor)];
    if (filter.regionId) {
      const region = await regionService.findInScope(em, actor, parseId(filter.regionId, 'filter.regionId'));
      conditions.push({ region: regionService.subtreeCondition(region) });
    }
    if (filter.targetGroup) conditions.push({ [TARGET_GROUP_PROPERTY[filter.targetGroup]]: true });
    if (filter.status) conditions.push({ status: filter.status });
    if (filter.assigned != null) conditions.push(activeAssignmentCondition(filter.assigned));
    if (filter.search) {
      const pattern = likeContaining(filter.search.trim());
      conditions.push({ $or: [{ headName: { $like: pattern } }, { address: { $like: pattern } }] });
    }
    return paginateById(em, Household, { $and: conditions }, page);
  },

  /**
   * A household the caller may read (household policy's scope), in one statement. Anything else is
   * FORBIDDEN, the same answer as for an id that does not exist.
   */
  async findReadable(em: Em, actor: Actor, id: number): Promise<Household> {
    const household = await em.findOne(Household, { $and: [{ id }, householdPolicy.scope(actor)] }, { populate: ['region'] });
    if (!household) throw new ForbiddenError();
    return household;
  },

  /** A household whose file the caller may change; FORBIDDEN as for one that does not exist. */
  async findManageable(em: Em, actor: Actor, id: number): Promise<Household> {
    const household = await this.findReadable(em, actor, id);
    assertAllowed(householdPolicy.mayManage(actor, { regionPath: household.region.path }));
    return household;
  },

  async create(em: Em, input: CreateHouseholdInput, writer: ResidentWriter): Promise<Household> {
    const { actor } = writer;
    const region = await regionService.findInScope(em, actor, parseId(input.regionId, 'input.regionId'));
    assertAllowed(householdPolicy.mayCreate(actor, region));
    assertHouseholdRegion(region, 'input.regionId');
    const residents = input.residents.map((resident, index) => residentValues(resident, `input.residents.${index}`));
    await assertIdNumbersFree(
      em,
      writer,
      residents.map((resident, index) => ({ idNumber: resident.idNumber, field: `input.residents.${index}.idNumber` })),
      { entityId: 'new', regionPath: region.path },
    );
    return em.transactional(async (tx) => {
      const household = tx.create(Household, {
        region,
        address: input.address.trim(),
        headName: input.headName.trim(),
        phone: normalizedPhone(input.phone) ?? null,
        hardshipReasons: input.hardshipReasons,
      });
      household.targetGroups = input.targetGroups;
      for (const values of residents) tx.create(Resident, { ...values, household });
      await tx.flush();
      recordAudit(tx, writer, {
        operation: 'createHousehold',
        entityName: 'Household',
        entityId: household.id,
        regionPath: region.path,
        changes: { address: household.address, headName: household.headName, targetGroups: input.targetGroups, residents: residents.length },
      });
      return household;
    });
  },

  async update(em: Em, id: number, input: UpdateHouseholdInput, caller: Caller): Promise<Household> {
    const { actor } = caller;
    const current = await this.findManageable(em, actor, id);
    let region = current.region;
    if (input.regionId) {
      region = await regionService.findInScope(em, actor, parseId(input.regionId, 'input.regionId'));
      assertHouseholdRegion(region, 'input.regionId');
    }
    return em.transactional(async (tx) => {
      const household = await lockAtVersion(tx, id, input.expectedVersion);
      const before = {
        region: household.region.id,
        address: household.address,
        headName: household.headName,
        phone: household.phone,
        targetGroups: household.targetGroups,
        hardshipReasons: household.hardshipReasons,
        status: household.status,
      };
      const after = {
        region: region.id,
        address: input.address?.trim() ?? household.address,
        headName: input.headName?.trim() ?? household.headName,
        phone: input.phone === undefined ? household.phone : (normalizedPhone(input.phone) ?? null),
        targetGroups: input.targetGroups ?? household.targetGroups,
        hardshipReasons: input.hardshipReasons ?? household.hardshipReasons,
        status: input.status ?? household.status,
      };
      household.region = region;
      household.address = after.address;
      household.headName = after.headName;
      household.phone = after.phone;
      household.targetGroups = after.targetGroups;
      household.hardshipReasons = after.hardshipReasons;
      household.status = after.status;
      household.version += 1;
      recordAudit(tx, caller, {
        operation: 'updateHousehold',
        entityName: 'Household',
        entityId: id,
        regionPath: region.path,
        changes: changesBetween(before, after),
      });
      return household;
    });
  },

  /** Resident changes are changes to the household's file: they check and bump the household's version. */
  async addResident(em: Em, householdId: number, householdVersion: number, input: ResidentInput, caller: ResidentWriter): Promise<Resident> {
    const household = await this.findManageable(em, caller.actor, householdId);
    const values = residentValues(input, 'input');
    await assertIdNumbersFree(em, caller, [{ idNumber: values.idNumber, field: 'input.idNumber' }], {
      entityId: household.id,
      regionPath: household.region.path,
    });
    return this.changeFile(em, household, householdVersion, caller, async (tx, row) => {
      const resident = tx.create(Resident, { ...values, household: row });
      await tx.flush();
      return { resident, operation: 'addResident', changes: { name: values.name, relation: values.relation, idNumber: values.idNumber } };
    });
  },

  async updateResident(em: Em, residentId: number, householdVersion: number, input: ResidentInput, caller: ResidentWriter): Promise<Resident> {
    const existing = await em.findOne(Resident, residentId);
    if (!existing) throw new ForbiddenError();
    const household = await this.findManageable(em, caller.actor, existing.household.id);
    const values = residentValues(input, 'input');
    // A resident's own number, unchanged, is no question about anyone else.
    const asked = values.idNumber !== existing.idNumber ? values.idNumber : null;
    await assertIdNumbersFree(em, caller, [{ idNumber: asked, field: 'input.idNumber' }], {
      entityId: household.id,
      regionPath: household.region.path,
      exceptResidentId: residentId,
    });
    return this.changeFile(em, household, householdVersion, caller, async (tx) => {
      const resident = await tx.findOneOrFail(Resident, residentId);
      const changes = changesBetween(
        {
          name: resident.name,
          relation: resident.relation,
          gender: resident.gender,
          birthDate: resident.birthDate,
          idNumber: resident.idNumber,
          keyFocusReason: resident.keyFocusReason,
          isPetitioner: resident.isPetitioner,
        },
        values,
      );
      tx.assign(resident, values);
      return { resident, operation: 'updateResident', changes };
    });
  },

  async changeFile(
    em: Em,
    household: Household,
    expectedVersion: number,
    caller: Caller,
    change: (tx: Em, row: Household) => Promise<{ resident: Resident; operation: string; changes: Record<string, unknown> }>,
  ): Promise<Resident> {
    return em.transactional(async (tx) => {
      const row = await lockAtVersion(tx, household.id, expectedVersion);
      row.version += 1;
      const { resident, operation, changes } = await change(tx, row);
      recordAudit(tx, caller, { operation, entityName: 'Resident', entityId: resident.id, regionPath: household.region.path, changes });
      return resident;
    });
  },

  /** The unmasked sensitive fields of one resident, for a stated reason that the audit trail keeps. */
  async revealResident(em: Em, residentId: number, reason: string, caller: Caller): Promise<RevealedResident> {
    const { actor } = caller;
    assertAllowed(residentPolicy.mayReveal(actor));
    const resident = await em.findOne(Resident, residentId);
    if (!resident) throw new ForbiddenError();
    const household = await this.findReadable(em, actor, resident.household.id);
    await em.transactional(async (tx) => {
      recordAudit(tx, caller, {
        operation: 'revealResident',
        entityName: 'Resident',
        entityId: resident.id,
        regionPath: household.region.path,
        reason,
        changes: { fields: ['idNumber', 'birthDate', 'keyFocusReason', 'householdPhone'] },
      });
    });
    return {
      id: resident.id,
      name: resident.name,
      idNumber: resident.idNumber ?? null,
      birthDate: resident.birthDate ?? null,
      keyFocusReason: resident.keyFocusReason ?? null,
      householdPhone: household.phone ?? null,
    };
  },
};
