import { createHash } from 'node:crypto';
import { UniqueConstraintViolationException, type FilterQuery } from '@mikro-orm/core';
import {
  FieldReportKind,
  FieldReportStatus,
  HOUSEHOLD_REGION_LEVELS,
  HouseholdStatus,
  INTAKE_LABELS_ZH,
  NoticeKind,
  ResidentDeparture,
  ResidentRelation,
  TargetGroup,
  checkIdNumber,
} from '@wanjia/shared';
import { cadreIdOf, isCadre, type Actor, type Caller } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { BadUserInputError, ConflictError, ForbiddenError, parseId } from '../../core/errors';
import { lockForUpdate } from '../../core/locking';
import { decodeCursor, encodeCursor, pageSize, paginateById, type Connection, type PageArgs } from '../../core/pagination';
import { assertAllowed } from '../../core/policy';
import { shanghaiDate } from '../../core/time';
import { normalizedIdNumber, normalizedPhone } from '../../core/validation';
import { UserAccount } from '../accounts/user-account.entity';
import { Assignment } from '../assignments/assignment.entity';
import { recordAudit } from '../audit/audit.service';
import { Cadre } from '../cadres/cadre.entity';
import { HelpRecord } from '../help-records/help-record.entity';
import type { ResidentWriter } from '../households/duplicate-id-guard';
import { Household } from '../households/household.entity';
import { householdService } from '../households/household.service';
import { Resident } from '../households/resident.entity';
import { noticeService } from '../notices/notice.service';
import { Region } from '../regions/region.entity';
import { regionService } from '../regions/region.service';
import { FieldReport } from './field-report.entity';
import type { ApproveFieldReportInput, FieldReportEditsInput, FieldReportFilter, RejectFieldReportInput, ReportFieldChangeInput } from './field-report.inputs';
import { fieldReportPolicy } from './field-report.policy';
import type { ProposalValues } from './field-report.types';

const NOT_A_CADRE = 'Only a cadre reports changes from the field';

/** What an administrator may correct before approving (the member of a departure is not among them: reject instead). */
const EDITABLE_OF_KIND: Record<FieldReportKind, readonly (keyof FieldReportEditsInput)[]> = {
  [FieldReportKind.PHONE_CHANGED]: ['phone'],
  [FieldReportKind.MEMBER_BORN]: ['name', 'gender', 'relation', 'birthDate', 'idNumber'],
  [FieldReportKind.MEMBER_DIED]: ['leftOn'],
  [FieldReportKind.MEMBER_MOVED_OUT]: ['leftOn'],
  [FieldReportKind.HOUSEHOLD_MOVED]: ['address', 'regionId'],
  [FieldReportKind.HARDSHIP_ENDED]: [],
  [FieldReportKind.NEW_HOUSEHOLD]: ['regionId', 'address', 'headName', 'phone', 'targetGroups', 'hardshipReasons'],
};

/** The values a kind cannot do without: an edit may correct them, never clear them. */
const REQUIRED_OF_KIND: Record<FieldReportKind, readonly (keyof FieldReportEditsInput)[]> = {
  [FieldReportKind.PHONE_CHANGED]: ['phone'],
  [FieldReportKind.MEMBER_BORN]: ['name', 'gender', 'birthDate'],
  [FieldReportKind.MEMBER_DIED]: ['leftOn'],
  [FieldReportKind.MEMBER_MOVED_OUT]: ['leftOn'],
  [FieldReportKind.HOUSEHOLD_MOVED]: ['address'],
  [FieldReportKind.HARDSHIP_ENDED]: [],
  [FieldReportKind.NEW_HOUSEHOLD]: ['regionId', 'address', 'headName', 'targetGroups'],
};

const DEPARTURE_OF_KIND: Partial<Record<FieldReportKind, ResidentDeparture>> = {
  [FieldReportKind.MEMBER_DIED]: ResidentDeparture.DIED,
  [FieldReportKind.MEMBER_MOVED_OUT]: ResidentDeparture.MOVED_OUT,
};

export function proposalOf(report: FieldReport): ProposalValues {
  return JSON.parse(report.proposal) as ProposalValues;
}

export function appliedOf(report: FieldReport): ProposalValues | null {
  return report.applied ? (JSON.parse(report.applied) as ProposalValues) : null;
}

/** JSON with sorted keys and no undefined values: equal content, equal text (the resend fingerprint). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined && item !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What a report sent, normalized as stored (trimmed texts, normalized phone and ID): the clientId's content. */
function contentHashOf(input: ReportFieldChangeInput): string {
  const { clientId: _clientId, ...content } = input;
  const normalized: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(content)) normalized[key] = typeof value === 'string' ? value.trim() : value;
  normalized.phone = normalizedPhone(input.phone) ?? null;
  normalized.idNumber = normalizedIdNumber(input.idNumber) ?? null;
  return createHash('sha256').update(canonical(normalized)).digest('hex');
}

function required<T>(value: T | null | undefined, field: string, what: string): T {
  if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) {
    throw new BadUserInputError(field, `${field} is required for ${what}`);
  }
  return value;
}

function assertPastOrToday(day: string, field: string, now: Date): void {
  if (day > shanghaiDate(now) || day < '1900-01-01') throw new BadUserInputError(field, `${field} must be a day between 1900-01-01 and today`);
}

/** The birth date and ID number of a new member agree, as addResident checks (the check digit is the input's rule). */
function assertBirth(birthDate: string, idNumber: string | null, field: string, now: Date): void {
  assertPastOrToday(birthDate, `${field}.birthDate`, now);
  if (!idNumber) return;
  const check = checkIdNumber(idNumber);
  if (check.valid && check.birthDate !== birthDate) {
    throw new BadUserInputError(`${field}.idNumber`, `the ID number's birth date ${check.birthDate} differs from birthDate ${birthDate}`);
  }
}

/** The district part of a region path ("city/district/"): a cadre names villages of the districts it works in. */
function districtPrefix(path: string): string {
  return path.split('/').filter(Boolean).slice(0, 2).join('/') + '/';
}

async function villageNamed(em: Em, id: string, field: string, districts: readonly string[]): Promise<Region> {
  const region = await em.findOne(Region, parseId(id, field));
  if (!region || !HOUSEHOLD_REGION_LEVELS.includes(region.level) || !districts.some((prefix) => region.path.startsWith(prefix))) {
    throw new BadUserInputError(field, `${field} must be a village or community of a district where you look after households`);
  }
  return region;
}

/** The districts of the households the cadre looks after now. */
async function districtsOfCadre(em: Em, cadreId: number): Promise<string[]> {
  const rows = await em.find(Assignment, { cadre: cadreId, endedAt: null }, { populate: ['household.region'] });
  return [...new Set(rows.map((row) => districtPrefix(row.household.region.path)))];
}

/** Everything a report says, checked and in its stored form; nothing is written here. */
async function proposalFor(em: Em, input: ReportFieldChangeInput, cadreId: number, household: Household | null, now: Date): Promise<ProposalValues> {
  const what = input.kind;
  const note = input.note?.trim() || null;
  switch (input.kind) {
    case FieldReportKind.PHONE_CHANGED: {
      const phone = normalizedPhone(required(input.phone, 'input.phone', what))!;
      if (phone === household!.phone) throw new BadUserInputError('input.phone', "input.phone is already the household's phone");
      return { phone, note };
    }
    case FieldReportKind.MEMBER_BORN: {
      const birthDate = required(input.birthDate, 'input.birthDate', what);
      const idNumber = normalizedIdNumber(input.idNumber) ?? null;
      assertBirth(birthDate, idNumber, 'input', now);
      return {
        name: required(input.name, 'input.name', what).trim(),
        gender: required(input.gender, 'input.gender', what),
        relation: input.relation ?? ResidentRelation.CHILD,
        birthDate,
        idNumber,
        note,
      };
    }
    case FieldReportKind.MEMBER_DIED:
    case FieldReportKind.MEMBER_MOVED_OUT: {
      const residentId = parseId(required(input.residentId, 'input.residentId', what), 'input.residentId');
      const resident = await em.findOne(Resident, { id: residentId, household: household!.id });
      if (!resident) throw new BadUserInputError('input.residentId', 'input.residentId must be a member of this household');
      if (resident.departure) throw new BadUserInputError('input.residentId', 'this member has already left the household');
      const leftOn = required(input.leftOn, 'input.leftOn', what);
      assertPastOrToday(leftOn, 'input.leftOn', now);
      return { residentId, residentName: resident.name, leftOn, note };
    }
    case FieldReportKind.HOUSEHOLD_MOVED: {
      const address = required(input.address, 'input.address', what).trim();
      let region: Region | null = null;
      if (input.regionId) {
        region = await villageNamed(em, input.regionId, 'input.regionId', [districtPrefix(household!.region.path)]);
        if (region.id === household!.region.id) region = null;
      }
      if (!region && address === household!.address) throw new BadUserInputError('input.address', "input.address is already the household's address");
      return { address, regionId: region?.id ?? null, regionName: region?.name ?? null, note };
    }
    case FieldReportKind.HARDSHIP_ENDED: {
      if (!household!.isHardship || household!.status !== HouseholdStatus.ACTIVE) {
        throw new BadUserInputError('input.kind', 'HARDSHIP_ENDED is for an active household of the hardship group');
      }
      return { note };
    }
    case FieldReportKind.NEW_HOUSEHOLD: {
      const region = await villageNamed(em, required(input.regionId, 'input.regionId', what), 'input.regionId', await districtsOfCadre(em, cadreId));
      return {
        regionId: region.id,
        regionName: region.name,
        address: required(input.address, 'input.address', what).trim(),
        headName: required(input.headName, 'input.headName', what).trim(),
        phone: normalizedPhone(input.phone) ?? null,
        targetGroups: required(input.targetGroups, 'input.targetGroups', what),
        hardshipReasons: input.hardshipReasons ?? [],
        note,
      };
    }
  }
}

/** A report the caller may read (its scope); FORBIDDEN, as for one that does not exist, otherwise. */
async function findReadable(em: Em, actor: Actor, id: number): Promise<FieldReport> {
  const report = await em.findOne(FieldReport, { $and: [{ id }, fieldReportPolicy.scope(actor)] }, { populate: ['region'] });
  if (!report) throw new ForbiddenError();
  return report;
}

/** Locks the report for the decision and checks it is still pending: a decided report is not decided again. */
async function lockPending(tx: Em, id: number): Promise<FieldReport> {
  const report = await lockForUpdate(tx, FieldReport, id);
  if (!report) throw new ForbiddenError();
  if (report.status !== FieldReportStatus.PENDING) {
    throw new ConflictError(`This report is ${report.status} already: it cannot be decided or withdrawn again`, { status: report.status });
  }
  return report;
}

/** Values of the edits that are given and differ from the proposal, for the kind. */
function editsOf(kind: FieldReportKind, proposal: ProposalValues, edits: FieldReportEditsInput | null | undefined): Partial<ProposalValues> {
  const changed: Partial<ProposalValues> = {};
  if (!edits) return changed;
  for (const field of EDITABLE_OF_KIND[kind]) {
    const raw = edits[field];
    if (raw === undefined) continue;
    if (raw === null && REQUIRED_OF_KIND[kind].includes(field)) {
      throw new BadUserInputError(`input.edits.${field}`, `input.edits.${field} cannot be cleared: a ${kind} report needs it`);
    }
    let value: unknown = typeof raw === 'string' ? raw.trim() : raw;
    if (field === 'phone') value = normalizedPhone(raw as string | null) ?? null;
    if (field === 'idNumber') value = normalizedIdNumber(raw as string | null) ?? null;
    if (field === 'regionId') value = raw === null ? null : parseId(raw as string, 'input.edits.regionId');
    if (canonical(value) !== canonical(proposal[field as keyof ProposalValues] ?? null)) {
      (changed as Record<string, unknown>)[field] = value;
    }
  }
  for (const field of Object.keys(edits) as (keyof FieldReportEditsInput)[]) {
    if (edits[field] !== undefined && !EDITABLE_OF_KIND[kind].includes(field)) {
      throw new BadUserInputError(`input.edits.${field}`, `input.edits.${field} is not a value of a ${kind} report`);
    }
  }
  return changed;
}

function noticeFor(report: FieldReport, now: Date): Parameters<typeof noticeService.enqueue>[1][number] {
  const kindLabel = INTAKE_LABELS_ZH.FieldReportKind[report.kind];
  const outcome = INTAKE_LABELS_ZH.FieldReportStatus[report.status as FieldReportStatus.APPROVED | FieldReportStatus.REJECTED];
  const said = report.decisionNote ? `：${report.decisionNote}` : '';
  return {
    kind: NoticeKind.FIELD_REPORT_DECIDED,
    recipientCadreIds: [report.reporterCadre.id],
    title: `变更报告${outcome}：${kindLabel}`,
    body: `您报告的${report.headName}户“${kindLabel}”${outcome}${said}`,
    at: now,
  };
}

export const fieldReportService = {
  /**
   * A cadre's report. The same clientId with the same content answers the report it made (and only
   * audits the resend); with other content it is refused, naming clientId: a new report whose first
   * answer was lost must not be swallowed as a resend.
   */
  async report(em: Em, caller: Caller, input: ReportFieldChangeInput, now = new Date()): Promise<FieldReport> {
    const { actor } = caller;
    const cadreId = cadreIdOf(actor, isCadre, NOT_A_CADRE);
    const contentHash = contentHashOf(input);
    const earlier = await em.findOne(FieldReport, { reporterAccount: actor.accountId, clientId: input.clientId }, { populate: ['region'] });
    if (earlier) return this.resend(em, caller, earlier, contentHash);

    let household: Household | null = null;
    if (input.kind === FieldReportKind.NEW_HOUSEHOLD) {
      if (input.householdId) throw new BadUserInputError('input.householdId', 'a NEW_HOUSEHOLD report names no household');
      assertAllowed(fieldReportPolicy.mayReport(actor, 'new'));
    } else {
      const householdId = parseId(required(input.householdId, 'input.householdId', input.kind), 'input.householdId');
      household = await em.findOne(Household, householdId, { populate: ['region'] });
      const assigned = household ? (await em.count(Assignment, { cadre: cadreId, household: householdId, endedAt: null })) > 0 : false;
      assertAllowed(fieldReportPolicy.mayReport(actor, { assignedToCaller: assigned }));
    }
    const proposal = await proposalFor(em, input, cadreId, household, now);
    let helpRecord: HelpRecord | null = null;
    if (input.helpRecordId) {
      helpRecord = await em.findOne(HelpRecord, { id: parseId(input.helpRecordId, 'input.helpRecordId'), cadre: cadreId });
      if (!helpRecord || helpRecord.household.id !== household?.id) {
        throw new BadUserInputError('input.helpRecordId', 'input.helpRecordId must be one of your help records of this household');
      }
    }
    const region = household ? household.region : await em.findOneOrFail(Region, proposal.regionId!);
    try {
      return await em.transactional(async (tx) => {
        const report = tx.create(FieldReport, {
          kind: input.kind,
          household,
          region,
          headName: household?.headName ?? proposal.headName!,
          reporterCadre: tx.getReference(Cadre, cadreId),
          reporterAccount: tx.getReference(UserAccount, actor.accountId),
          clientId: input.clientId,
          contentHash,
          helpRecord,
          proposal: JSON.stringify(proposal),
          reportedAt: now,
        });
        await tx.flush();
        recordAudit(tx, caller, {
          operation: 'reportFieldChange',
          entityName: 'FieldReport',
          entityId: report.id,
          regionPath: region.path,
          changes: {
            kind: input.kind,
            householdId: household?.id ?? null,
            clientId: input.clientId,
            fields: Object.keys(proposal).filter((key) => key !== 'note'),
          },
        });
        return report;
      });
    } catch (error) {
      // The same clientId sent twice at once: the loser answers as a resend of the winner.
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      const winner = await em.fork().findOne(FieldReport, { reporterAccount: actor.accountId, clientId: input.clientId }, { populate: ['region'] });
      if (!winner) throw error;
      return this.resend(em, caller, winner, contentHash);
    }
  },

  async resend(em: Em, caller: Caller, earlier: FieldReport, contentHash: string): Promise<FieldReport> {
    if (earlier.contentHash !== contentHash) {
      throw new ConflictError('This clientId was already used for a report with other content; generate a new clientId for a new report', {
        field: 'input.clientId',
      });
    }
    await em.transactional(async (tx) => {
      recordAudit(tx, caller, {
        operation: 'resendFieldReport',
        entityName: 'FieldReport',
        entityId: earlier.id,
        regionPath: earlier.region.path,
        changes: { clientId: earlier.clientId },
      });
    });
    return earlier;
  },

  findReadable,

  /** The administrators' inbox: reports of their subtree, pending first, oldest first. */
  async inbox(em: Em, actor: Actor, filter: FieldReportFilter = {}, page: PageArgs = {}): Promise<Connection<FieldReport>> {
    const conditions: FilterQuery<FieldReport>[] = [fieldReportPolicy.scope(actor)];
    if (filter.regionId) {
      const region = await regionService.findInScope(em, actor, parseId(filter.regionId, 'filter.regionId'));
      conditions.push({ region: regionService.subtreeCondition(region) });
    }
    if (filter.status) conditions.push({ status: filter.status });
    if (filter.kind) conditions.push({ kind: filter.kind });
    const where: FilterQuery<FieldReport> = { $and: conditions };
    const size = pageSize(page);
    let pageWhere = where;
    if (page.after) {
      // Keyset on (decided, id): false sorts before true, as 0 before 1.
      const [decided, id] = decodeCursor(page.after, 2).map(Number);
      const after: FilterQuery<FieldReport> =
        decided === 1 ? { decided: true, id: { $gt: id } } : { $or: [{ decided: true }, { decided: false, id: { $gt: id } }] };
      pageWhere = { $and: [where, after] };
    }
    const rows = await em.find(FieldReport, pageWhere, { orderBy: [{ decided: 'asc' }, { id: 'asc' }], limit: size + 1, populate: ['region'] });
    const nodes = rows.slice(0, size);
    const last = nodes[nodes.length - 1];
    return {
      nodes,
      totalCount: await em.count(FieldReport, where),
      pageInfo: { hasNextPage: rows.length > size, endCursor: last ? encodeCursor([last.decided ? 1 : 0, last.id]) : null },
    };
  },

  /** The cadre's own reports, newest first, also those of households it no longer looks after. */
  async mine(em: Em, actor: Actor, status: FieldReportStatus | undefined, page: PageArgs): Promise<Connection<FieldReport>> {
    const cadreId = cadreIdOf(actor, isCadre, NOT_A_CADRE);
    return paginateById(em, FieldReport, { reporterCadre: cadreId, ...(status ? { status } : {}) }, page, { direction: 'desc', populate: ['region'] });
  },

  /**
   * Approves a report, applying it through the households service (its checks, the household's lock
   * and version, its audit entries) in one transaction with the decision and the cadre's notice: a
   * stale version or a refused value leaves the report pending and nothing written.
   */
  async approve(em: Em, writer: ResidentWriter, input: ApproveFieldReportInput, now = new Date()): Promise<FieldReport> {
    const { actor } = writer;
    const found = await findReadable(em, actor, parseId(input.reportId, 'input.reportId'));
    assertAllowed(fieldReportPolicy.mayDecide(actor, { regionPath: found.region.path }));
    if (found.status !== FieldReportStatus.PENDING) {
      throw new ConflictError(`This report is ${found.status} already: it cannot be decided or withdrawn again`, { status: found.status });
    }
    const proposal = proposalOf(found);
    const edits = editsOf(found.kind, proposal, input.edits);
    const values: ProposalValues = { ...proposal, ...edits };
    // An edited village is named as the cadre's was, for the cadre's list (its scope is the households service's to check).
    if (edits.regionId) values.regionName = (await em.findOne(Region, edits.regionId))?.name ?? null;
    const version = (): number => {
      if (input.expectedVersion == null)
        throw new BadUserInputError('input.expectedVersion', `input.expectedVersion is required to approve a ${found.kind} report`);
      return input.expectedVersion;
    };
    return em.transactional(async (tx) => {
      const report = await lockPending(tx, found.id);
      const householdId = report.household?.id ?? 0;
      switch (report.kind) {
        case FieldReportKind.PHONE_CHANGED:
          await householdService.update(tx, householdId, { expectedVersion: version(), phone: values.phone }, writer);
          break;
        case FieldReportKind.MEMBER_BORN:
          if (edits.birthDate !== undefined || edits.idNumber !== undefined) assertBirth(values.birthDate!, values.idNumber ?? null, 'input.edits', now);
          await householdService.addResident(
            tx,
            householdId,
            version(),
            {
              name: values.name!,
              gender: values.gender!,
              relation: values.relation ?? ResidentRelation.CHILD,
              birthDate: values.birthDate,
              idNumber: values.idNumber ?? null,
              keyFocusReason: null,
              isPetitioner: false,
            },
            writer,
          );
          break;
        case FieldReportKind.MEMBER_DIED:
        case FieldReportKind.MEMBER_MOVED_OUT: {
          if (edits.leftOn) assertPastOrToday(edits.leftOn, 'input.edits.leftOn', now);
          const household = await householdService.findManageable(tx, actor, householdId);
          const departure = DEPARTURE_OF_KIND[report.kind]!;
          await householdService.changeFile(tx, household, version(), writer, async (change) => {
            const resident = await change.findOneOrFail(Resident, values.residentId!);
            if (resident.departure) throw new ConflictError('This member has left the household already', { departure: resident.departure });
            resident.leftOn = values.leftOn!;
            resident.departure = departure;
            return { resident, operation: 'recordResidentDeparture', changes: { departure, leftOn: values.leftOn } };
          });
          break;
        }
        case FieldReportKind.HOUSEHOLD_MOVED:
          await householdService.update(
            tx,
            householdId,
            { expectedVersion: version(), address: values.address!, ...(values.regionId ? { regionId: String(values.regionId) } : {}) },
            writer,
          );
          break;
        case FieldReportKind.HARDSHIP_ENDED: {
          // 不再困难: the hardship group no longer applies. A household also on another list (key focus,
          // petitioner) stays on it without the hardship group and its reasons; a household that was
          // only in hardship is LIFTED (脱困), kept with its history (a household has a group always).
          const household = await householdService.findManageable(tx, actor, householdId);
          const others = household.targetGroups.filter((group) => group !== TargetGroup.HARDSHIP);
          const change = others.length > 0 ? { targetGroups: others, hardshipReasons: [] } : { status: HouseholdStatus.LIFTED };
          await householdService.update(tx, householdId, { expectedVersion: version(), ...change }, writer);
          break;
        }
        case FieldReportKind.NEW_HOUSEHOLD: {
          const created = await householdService.create(
            tx,
            {
              regionId: String(values.regionId),
              address: values.address!,
              headName: values.headName!,
              phone: values.phone ?? null,
              targetGroups: values.targetGroups!,
              hardshipReasons: values.hardshipReasons ?? [],
              residents: [],
            },
            writer,
          );
          report.household = tx.getReference(Household, created.id);
          break;
        }
      }
      report.status = FieldReportStatus.APPROVED;
      report.decided = true;
      report.decidedAt = now;
      report.decidedBy = tx.getReference(UserAccount, actor.accountId);
      report.decisionNote = input.note?.trim() || null;
      const edited = Object.keys(edits);
      if (edited.length > 0) report.applied = JSON.stringify(values);
      recordAudit(tx, writer, {
        operation: 'approveFieldReport',
        entityName: 'FieldReport',
        entityId: report.id,
        regionPath: found.region.path,
        // What the administrator changed of the cadre's values, by field name (the audit trail keeps no phone or ID number).
        changes: { kind: report.kind, householdId: report.household?.id ?? null, edited },
      });
      await noticeService.enqueue(tx, [noticeFor(report, now)]);
      return report;
    });
  },

  async reject(em: Em, caller: Caller, input: RejectFieldReportInput, now = new Date()): Promise<FieldReport> {
    const { actor } = caller;
    const found = await findReadable(em, actor, parseId(input.reportId, 'input.reportId'));
    assertAllowed(fieldReportPolicy.mayDecide(actor, { regionPath: found.region.path }));
    return em.transactional(async (tx) => {
      const report = await lockPending(tx, found.id);
      report.status = FieldReportStatus.REJECTED;
      report.decided = true;
      report.decidedAt = now;
      report.decidedBy = tx.getReference(UserAccount, actor.accountId);
      report.decisionNote = input.reason.trim();
      recordAudit(tx, caller, {
        operation: 'rejectFieldReport',
        entityName: 'FieldReport',
        entityId: report.id,
        regionPath: found.region.path,
        changes: { kind: report.kind, reason: report.decisionNote },
      });
      await noticeService.enqueue(tx, [noticeFor(report, now)]);
      return report;
    });
  },

  async withdraw(em: Em, caller: Caller, reportId: string, now = new Date()): Promise<FieldReport> {
    const { actor } = caller;
    cadreIdOf(actor, isCadre, NOT_A_CADRE);
    const found = await findReadable(em, actor, parseId(reportId, 'input.reportId'));
    assertAllowed(fieldReportPolicy.mayWithdraw(actor, { reporterCadreId: found.reporterCadre.id }));
    return em.transactional(async (tx) => {
      const report = await lockPending(tx, found.id);
      report.status = FieldReportStatus.WITHDRAWN;
      report.decided = true;
      report.decidedAt = now;
      recordAudit(tx, caller, {
        operation: 'withdrawFieldReport',
        entityName: 'FieldReport',
        entityId: report.id,
        regionPath: found.region.path,
        changes: { kind: report.kind },
      });
      return report;
    });
  },
};
