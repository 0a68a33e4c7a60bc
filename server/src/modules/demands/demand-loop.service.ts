import { UniqueConstraintViolationException, type FilterQuery } from '@mikro-orm/core';
import {
  DemandCategory,
  DemandEventKind,
  DemandStatus,
  NoticeKind,
  OPEN_CASE_STATUSES,
  OPEN_DEMAND_STATUSES,
  OPEN_REFERRAL_STATUSES,
  ReferralStatus,
} from '@wanjia/shared';
import type { Actor, Caller } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { BadUserInputError, ConflictError, ForbiddenError, parseId } from '../../core/errors';
import { decodeCursor, encodeCursor, pageSize, paginateById, type Connection, type PageArgs } from '../../core/pagination';
import { assertAllowed } from '../../core/policy';
import { DAY_MS, shanghaiDate } from '../../core/time';
import { recordAudit } from '../audit/audit.service';
import { Cadre } from '../cadres/cadre.entity';
import { noticeService } from '../notices/notice.service';
import { deadlineFor } from './demand-deadline.service';
import type {
  AcceptReferralInput,
  DemandReferralFilter,
  NoteDemandProgressInput,
  ReferDemandInput,
  ResolveReferralInput,
  ReturnReferralInput,
  StartDemandWorkInput,
} from './demand-loop.inputs';
import type { MyLoopSummary, ReferralUnit } from './demand-loop.types';
import { DemandReferral } from './demand-referral.entity';
import { demandTimeline } from './demand-timeline.service';
import { Demand } from './demand.entity';
import { activeHandlersFrom, demandPolicy, referralPolicy, type DemandWorkFacts } from './demand.policy';
import { settleEscalations } from './escalation.service';
import { lockRows } from '../../core/locking';
import { Household } from '../households/household.entity';

/** A referral's due date is at most this many days ahead (an instruction's too). */
export const MAX_REFERRAL_DAYS = 90;

/** A DATE column as raw rows give it back (MariaDB: a Date at UTC midnight; SQLite: text), as YYYY-MM-DD. */
export function dayOf(value: Date | string | number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'number') return new Date(value).toISOString().slice(0, 10);
  return value.slice(0, 10);
}

/** The later of two calendar days (YYYY-MM-DD compares as text); a missing one yields the other. */
export function laterDay(a: string | null | undefined, b: string): string {
  return a && a > b ? a : b;
}

/** The calendar day `days` after `day`. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

/** The effective due date of an open demand: its open referral's, else its own (contract: "effective due date"). */
export function effectiveDueOn(demand: { dueOn?: string | null }, openReferral: { dueOn: string } | null): string | null {
  return openReferral?.dueOn ?? demand.dueOn ?? null;
}

/** Overdue: open, and its effective due date before today (Shanghai). */
export function isOverdue(demand: { status: DemandStatus; dueOn?: string | null }, openReferral: { dueOn: string } | null, now: Date): boolean {
  const due = effectiveDueOn(demand, openReferral);
  return OPEN_DEMAND_STATUSES.includes(demand.status) && due !== null && due < shanghaiDate(now);
}

/** Raised inside a transition's transaction when another write changed the demand or referral first. */
class LostRace extends Error {
  /** `detail`: what changed meanwhile, appended to the refusal (the referral's status a race moved it to). */
  constructor(
    readonly status: string,
    readonly detail = '',
  ) {
    super(status);
  }
}

/** The refusal of a transition from the demand's current status (field-less, as the contract says). */
function notAllowedFrom(mutation: string, status: string, extra = ''): ConflictError {
  return new ConflictError(`${mutation} not allowed from ${status}${extra}`, { status });
}

interface DemandRow {
  id: number;
  status: DemandStatus;
  category: DemandCategory;
  dueOn: string | null;
  householdId: number;
  regionPath: string;
}

interface ReferralRow {
  id: number;
  demandId: number;
  unitId: number;
  status: ReferralStatus;
  dueOn: string;
  referredByCadreId: number;
}

/** Everything a transition decides on, read as raw rows (no partial entities in the request's identity map). */
interface Facts extends DemandWorkFacts {
  demand: DemandRow;
  openReferralRow: ReferralRow | null;
}

async function demandRow(em: Em, demandId: number): Promise<DemandRow | null> {
  const [row] = await em.execute<
    { id: number | string; status: DemandStatus; category: DemandCategory; due_on: Date | string | null; household_id: number | string; path: string }[]
  >(
    'select d.id, d.status, d.category, d.due_on, d.household_id, r.path from demand d join household h on h.id = d.household_id join region r on r.id = h.region_id where d.id = ?',
    [demandId],
  );
  if (!row) return null;
  return {
    id: Number(row.id),
    status: row.status,
    category: row.category,
    dueOn: dayOf(row.due_on),
    householdId: Number(row.household_id),
    regionPath: row.path,
  };
}

function referralOf(row: {
  id: number | string;
  demand_id: number | string;
  unit_id: number | string;
  status: ReferralStatus;
  due_on: Date | string;
  referred_by_cadre_id: number | string;
}): ReferralRow {
  return {
    id: Number(row.id),
    demandId: Number(row.demand_id),
    unitId: Number(row.unit_id),
    status: row.status,
    dueOn: dayOf(row.due_on)!,
    referredByCadreId: Number(row.referred_by_cadre_id),
  };
}

const REFERRAL_COLUMNS = 'id, demand_id, unit_id, status, due_on, referred_by_cadre_id';

async function referralRow(em: Em, referralId: number): Promise<ReferralRow | null> {
  const [row] = await em.execute<Parameters<typeof referralOf>[0][]>(`select ${REFERRAL_COLUMNS} from demand_referral where id = ?`, [referralId]);
  return row ? referralOf(row) : null;
}

async function openReferralRow(em: Em, demandId: number): Promise<ReferralRow | null> {
  const [row] = await em.execute<Parameters<typeof referralOf>[0][]>(
    `select ${REFERRAL_COLUMNS} from demand_referral where demand_id = ? and status in (${placeholders(OPEN_REFERRAL_STATUSES)}) order by id desc limit 1`,
    [demandId, ...OPEN_REFERRAL_STATUSES],
  );
  return row ? referralOf(row) : null;
}

/** The cadres of the household's active assignments. */
export async function currentCadreIdsOf(em: Em, householdId: number): Promise<number[]> {
  const rows = await em.execute<{ cadre_id: number | string }[]>('select cadre_id from assignment where household_id = ? and ended_at is null', [householdId]);
  return rows.map((row) => Number(row.cadre_id));
}

/** The active handlers (联络员) of a unit. */
export async function handlerCadreIdsOf(em: Em, unitId: number): Promise<number[]> {
  const rows = await em.execute<{ cadre_id: number | string }[]>(`select h.cadre_id from ${activeHandlersFrom('h', 'c')} and h.unit_id = ?`, [unitId]);
  return rows.map((row) => Number(row.cadre_id));
}

async function factsOf(em: Em, demand: DemandRow): Promise<Facts> {
  const openReferral = await openReferralRow(em, demand.id);
  return {
    demand,
    openReferralRow: openReferral,
    currentCadreIds: await currentCadreIdsOf(em, demand.householdId),
    openReferral: openReferral ? { status: openReferral.status, handlerCadreIds: await handlerCadreIdsOf(em, openReferral.unitId) } : null,
  };
}

/** How the timeline names a cadre acting as the household's cadre, or as a unit's handler. */
async function actorLabelOf(em: Em, cadreId: number, asHandlerOfUnit: number | null): Promise<string> {
  const [cadre] = await em.execute<{ name: string }[]>('select name from cadre where id = ?', [cadreId]);
  const name = cadre?.name ?? '';
  if (asHandlerOfUnit === null) return `干部 ${name}`;
  const [unit] = await em.execute<{ name: string }[]>('select name from unit where id = ?', [asHandlerOfUnit]);
  return `${unit?.name ?? ''} 联络员 ${name}`;
}

async function unitNameOf(em: Em, unitId: number): Promise<string> {
  const [unit] = await em.execute<{ name: string }[]>('select name from unit where id = ?', [unitId]);
  return unit?.name ?? '';
}

/** A short, safe excerpt of a demand's text for a notice (no ID numbers are ever in a notice's fields besides this text). */
function excerpt(text: string, length: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= length ? flat : `${flat.slice(0, length - 1)}…`;
}

/** The step an account already recorded under a clientId, if any. */
/** A step recorded under a clientId, with what a resend must carry again: its note and the referral's unit. */
interface EarlierStep {
  demandId: number;
  kind: DemandEventKind;
  referralId: number | null;
  note: string | null;
  unitId: number | null;
}

async function earlierStep(em: Em, actor: Actor, clientId: string): Promise<EarlierStep | null> {
  const [row] = await em.execute<
    { demand_id: number | string; kind: DemandEventKind; referral_id: number | string | null; note: string | null; unit_id: number | string | null }[]
  >(
    `select e.demand_id, e.kind, e.referral_id, e.note, r.unit_id
     from demand_event e left join demand_referral r on r.id = e.referral_id
     where e.actor_account_id = ? and e.client_id = ?`,
    [actor.accountId, clientId],
  );
  if (!row) return null;
  return {
    demandId: Number(row.demand_id),
    kind: row.kind,
    referralId: row.referral_id === null ? null : Number(row.referral_id),
    note: row.note ?? null,
    unitId: row.unit_id === null ? null : Number(row.unit_id),
  };
}

interface TransitionSpec {
  mutation: string;
  kind: DemandEventKind;
  clientId: string;
  demand: DemandRow;
  /** The referral the action is on (accept, return, resolve), to recognise a resend. */
  referralId?: number;
  /**
   * What the step records that a resend must carry again (the note as stored; the unit referred to): the same
   * clientId with another note or unit is a new action whose first answer was lost, never a resend to swallow.
   */
  content?: { note?: string | null; unitId?: number };
  /** The conditional writes, the step, the notices and the audit entry, in the transaction. */
  apply(tx: Em): Promise<void>;
}

/**
 * A resend of an action already recorded under the caller's clientId answers as the first did and writes
 * only an audit entry; the same clientId on another action is refused.
 */
async function resendOf(
  em: Em,
  caller: Caller,
  spec: Pick<TransitionSpec, 'mutation' | 'kind' | 'clientId' | 'demand' | 'referralId' | 'content'>,
  earlier: EarlierStep,
): Promise<void> {
  if (earlier.demandId !== spec.demand.id || earlier.kind !== spec.kind || (spec.referralId !== undefined && earlier.referralId !== spec.referralId)) {
    throw new ConflictError('This clientId was already used for a different action; generate a new clientId for a new action', { field: 'input.clientId' });
  }
  const content = spec.content ?? {};
  if ((content.note !== undefined && earlier.note !== content.note) || (content.unitId !== undefined && earlier.unitId !== content.unitId)) {
    throw new ConflictError('This clientId was already used for this action with other content; generate a new clientId for a new step', {
      field: 'input.clientId',
    });
  }
  await em.transactional(async (tx) => {
    recordAudit(tx, caller, {
      operation: 'resendDemandAction',
      entityName: 'Demand',
      entityId: spec.demand.id,
      regionPath: spec.demand.regionPath,
      changes: { mutation: spec.mutation, clientId: spec.clientId },
    });
  });
}

/**
 * Runs one transition exactly once per clientId: a resend (found before, or the loser of the same
 * clientId sent twice at once) answers like a resend; a write that lost the race to another action gets
 * CONFLICT naming the demand's status now, and writes nothing.
 */
async function runTransition(em: Em, caller: Caller, spec: TransitionSpec): Promise<void> {
  const earlier = await earlierStep(em, caller.actor, spec.clientId);
  if (earlier) return resendOf(em, caller, spec, earlier);
  try {
    await em.transactional(async (tx) => {
      // The household row's lock first, in the order a help record's writes and an answer take theirs:
      // every write on a household's demands queues here instead of deadlocking (on Galera: is refused at commit and re-run).
      await lockRows(tx, Household, [spec.demand.householdId]);
      await spec.apply(tx);
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException || error instanceof LostRace) {
      const winner = await earlierStep(em.fork(), caller.actor, spec.clientId);
      if (winner) return resendOf(em, caller, spec, winner);
    }
    if (error instanceof LostRace) throw notAllowedFrom(spec.mutation, error.status, error.detail);
    throw error;
  }
}

/** Changes the demand's status only if it is still `from`; otherwise the race is lost (names the status now). */
async function moveDemand(tx: Em, demandId: number, from: readonly DemandStatus[], changes: Partial<Record<keyof Demand, unknown>>, now: Date): Promise<void> {
  const changed = await tx.nativeUpdate(Demand, { id: demandId, status: { $in: [...from] } }, { ...changes, updatedAt: now } as Partial<Demand>);
  if (changed !== 1) {
    const [row] = await tx.execute<{ status: string }[]>('select status from demand where id = ?', [demandId]);
    throw new LostRace(row?.status ?? 'UNKNOWN');
  }
}

/** Changes the referral's status only if it is still `from`; otherwise the race is lost (names the demand's status now). */
async function moveReferral(tx: Em, referral: ReferralRow, from: readonly ReferralStatus[], changes: Partial<DemandReferral>, now: Date): Promise<void> {
  const changed = await tx.nativeUpdate(DemandReferral, { id: referral.id, status: { $in: [...from] } }, { ...changes, updatedAt: now });
  if (changed !== 1) {
    const [row] = await tx.execute<{ status: string; referral_status: string }[]>(
      'select d.status, r.status as referral_status from demand d join demand_referral r on r.demand_id = d.id where r.id = ?',
      [referral.id],
    );
    // Name the referral's status too: a return that lost to an accept is refused because the referral
    // changed under it (now ACCEPTED), not because returning an accepted referral is not allowed.
    throw new LostRace(row?.status ?? 'UNKNOWN', ` (the referral changed meanwhile: it is ${row?.referral_status ?? 'gone'} now; read it again)`);
  }
}

function normalizedNote(note: string | null | undefined): string | null {
  const trimmed = note?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

/** The referral and its demand for a handler's action: FORBIDDEN unless the caller handles its unit now. */
async function referralForHandler(em: Em, actor: Actor, referralIdInput: string): Promise<{ referral: ReferralRow; demand: DemandRow }> {
  const referralId = parseId(referralIdInput, 'input.referralId');
  const referral = await referralRow(em, referralId);
  const handlers = referral ? await handlerCadreIdsOf(em, referral.unitId) : [];
  // Not a handler of the unit, or no such referral: the same FORBIDDEN.
  assertAllowed(referral !== null && demandPolicy.mayHandleReferral(actor, { handlerCadreIds: handlers }));
  const demand = (await demandRow(em, referral.demandId))!;
  return { referral, demand };
}

async function referralEntity(em: Em, referralId: number): Promise<DemandReferral> {
  return em.findOneOrFail(DemandReferral, referralId, { refresh: true });
}

/** The units in reach of a household's region path: its own region's and every region's above it (the path's prefixes). */
function pathPrefixes(regionPath: string): string[] {
  const codes = regionPath.split('/').filter(Boolean);
  return codes.map((_, index) => `${codes.slice(0, index + 1).join('/')}/`);
}

async function unitsInReach(em: Em, regionPath: string, onlyUnitId?: number): Promise<ReferralUnit[]> {
  const prefixes = pathPrefixes(regionPath);
  const rows = await em.execute<{ id: number | string; name: string; kind: ReferralUnit['kind']; level: ReferralUnit['level']; region_name: string }[]>(
    `select u.id, u.name, u.kind, u.level, r.name as region_name from unit u join region r on r.id = u.region_id
      where r.path in (${placeholders(prefixes)})${onlyUnitId === undefined ? '' : ' and u.id = ?'}
        and exists (select 1 from ${activeHandlersFrom('h', 'c')} and h.unit_id = u.id)
      order by r.depth desc, u.name, u.id`,
    [...prefixes, ...(onlyUnitId === undefined ? [] : [onlyUnitId])],
  );
  return rows.map((row) => ({ id: Number(row.id), name: row.name, kind: row.kind, level: row.level, regionName: row.region_name }));
}

/** The ids of the units the cadre is an active handler of. */
async function handlerUnitIdsOf(em: Em, cadreId: number): Promise<number[]> {
  const rows = await em.execute<{ unit_id: number | string }[]>(`select h.unit_id from ${activeHandlersFrom('h', 'c')} and h.cadre_id = ?`, [cadreId]);
  return [...new Set(rows.map((row) => Number(row.unit_id)))];
}

/** Inbox order: PENDING first, then ACCEPTED, then closed ones; within each, oldest due first. */
const INBOX_RANK = `case r.status when '${ReferralStatus.PENDING}' then 0 when '${ReferralStatus.ACCEPTED}' then 1 else 2 end`;

/** Days from 1970 a cursor's due date may be (Date's range is ±100 million days). */
const MAX_CURSOR_DAYS = 1_000_000;

function epochDay(day: string): number {
  return Math.round(Date.parse(`${day}T00:00:00.000Z`) / DAY_MS);
}

function dayOfEpoch(days: number): string {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

async function demandEntity(em: Em, demandId: number): Promise<Demand> {
  return em.findOneOrFail(Demand, demandId, { refresh: true });
}

export const demandLoopService = {
  /** 办理中: the household's cadre starts work on an OPEN demand (OPEN → IN_PROGRESS). */
  async startWork(em: Em, input: StartDemandWorkInput, caller: Caller, now: Date): Promise<Demand> {
    const { actor } = caller;
    const demandId = parseId(input.demandId, 'input.demandId');
    const note = normalizedNote(input.note);
    const demand = await demandRow(em, demandId);
    const facts = demand ? await factsOf(em, demand) : null;
    assertAllowed(demand !== null && facts !== null && demandPolicy.mayStartWork(actor, facts));
    const spec = { mutation: 'startDemandWork', kind: DemandEventKind.WORK_STARTED, clientId: input.clientId, demand, content: { note } };
    const earlier = await earlierStep(em, actor, input.clientId);
    if (earlier) {
      await resendOf(em, caller, spec, earlier);
      return demandEntity(em, demandId);
    }
    if (demand.status !== DemandStatus.OPEN) throw notAllowedFrom('startDemandWork', demand.status);
    const actorLabel = await actorLabelOf(em, actor.cadreId!, null);
    await runTransition(em, caller, {
      ...spec,
      async apply(tx) {
        await moveDemand(tx, demandId, [DemandStatus.OPEN], { status: DemandStatus.IN_PROGRESS }, now);
        demandTimeline.append(tx, [
          { demand: demandId, kind: DemandEventKind.WORK_STARTED, at: now, actorAccountId: actor.accountId, actorLabel, note, clientId: input.clientId },
        ]);
        recordAudit(tx, caller, {
          operation: 'startDemandWork',
          entityName: 'Demand',
          entityId: demandId,
          regionPath: demand.regionPath,
          changes: { status: [DemandStatus.OPEN, DemandStatus.IN_PROGRESS], note, clientId: input.clientId },
        });
      },
    });
    return demandEntity(em, demandId);
  },

  /** The units the household's cadre may refer a demand to: in reach of the household, with an active handler. */
  async referralTargets(em: Em, actor: Actor, demandIdInput: string): Promise<ReferralUnit[]> {
    const demand = await demandRow(em, parseId(demandIdInput, 'demandId'));
    const current = demand ? await currentCadreIdsOf(em, demand.householdId) : [];
    assertAllowed(demand !== null && demandPolicy.mayRefer(actor, { currentCadreIds: current }));
    return unitsInReach(em, demand.regionPath);
  },

  /**
   * 交办: the household's cadre hands an OPEN or IN_PROGRESS demand with no open referral to a unit in
   * reach (OPEN | IN_PROGRESS → REFERRED), with a due date (given, or today + the category's referralDays;
   * today to 90 days ahead). The unit's active handlers are told (REFERRED_TO_UNIT).
   */
  async refer(em: Em, input: ReferDemandInput, caller: Caller, now: Date): Promise<DemandReferral> {
    const { actor } = caller;
    const demandId = parseId(input.demandId, 'input.demandId');
    const unitId = parseId(input.unitId, 'input.unitId');
    const note = normalizedNote(input.note);
    const today = shanghaiDate(now);
    if (input.dueOn != null) {
      if (Number.isNaN(Date.parse(`${input.dueOn}T00:00:00.000Z`))) throw new BadUserInputError('input.dueOn', 'dueOn is not a calendar date');
      if (input.dueOn < today) throw new BadUserInputError('input.dueOn', 'dueOn is in the past');
      if (input.dueOn > addDays(today, MAX_REFERRAL_DAYS)) throw new BadUserInputError('input.dueOn', `dueOn is more than ${MAX_REFERRAL_DAYS} days ahead`);
    }
    const demand = await demandRow(em, demandId);
    const facts = demand ? await factsOf(em, demand) : null;
    assertAllowed(demand !== null && facts !== null && demandPolicy.mayRefer(actor, facts));
    const spec = { mutation: 'referDemand', kind: DemandEventKind.REFERRED, clientId: input.clientId, demand, content: { note, unitId } };
    const earlier = await earlierStep(em, actor, input.clientId);
    if (earlier) {
      await resendOf(em, caller, spec, earlier);
      return referralEntity(em, earlier.referralId!);
    }
    if (facts.openReferralRow) {
      const unitName = await unitNameOf(em, facts.openReferralRow.unitId);
      throw notAllowedFrom('referDemand', demand.status, `: it is with ${unitName} (referral ${facts.openReferralRow.status})`);
    }
    if (demand.status !== DemandStatus.OPEN && demand.status !== DemandStatus.IN_PROGRESS) throw notAllowedFrom('referDemand', demand.status);
    const [unit] = await unitsInReach(em, demand.regionPath, unitId);
    if (!unit) {
      throw new BadUserInputError(
        'input.unitId',
        'the unit is not in reach of the household (its region or above) or has no active handler; pick one from referralTargets',
      );
    }
    const dueOn = input.dueOn ?? addDays(today, (await deadlineFor(em, demand.category)).referralDays);
    const handlers = await handlerCadreIdsOf(em, unitId);
    const actorLabel = await actorLabelOf(em, actor.cadreId!, null);
    const [text] = await em.execute<{ text: string }[]>('select text from demand where id = ?', [demandId]);
    let referralId = 0;
    await runTransition(em, caller, {
      ...spec,
      async apply(tx) {
        await moveDemand(tx, demandId, [DemandStatus.OPEN, DemandStatus.IN_PROGRESS], { status: DemandStatus.REFERRED }, now);
        // No open referral may exist beside the new one (the status change above is the guard; this is its check).
        const [open] = await tx.execute<{ found: number | string }[]>(
          `select count(*) as found from demand_referral where demand_id = ? and status in (${placeholders(OPEN_REFERRAL_STATUSES)})`,
          [demandId, ...OPEN_REFERRAL_STATUSES],
        );
        if (Number(open?.found ?? 0) > 0) throw new LostRace(DemandStatus.REFERRED);
        // A new effective due date (the referral's): the lapse of the demand's own date is over.
        const settled = await settleEscalations(tx, demandId, now);
        const referral = tx.create(DemandReferral, {
          demand: demandId,
          unit: unitId,
          note,
          dueOn,
          referredAt: now,
          referredByAccount: actor.accountId,
          referredByCadre: actor.cadreId!,
          createdAt: now,
          updatedAt: now,
        });
        await tx.flush();
        referralId = referral.id;
        demandTimeline.append(tx, [
          {
            demand: demandId,
            kind: DemandEventKind.REFERRED,
            at: now,
            actorAccountId: actor.accountId,
            actorLabel,
            note,
            referralId: referral,
            dueOn,
            clientId: input.clientId,
          },
        ]);
        await noticeService.enqueue(tx, [
          {
            kind: NoticeKind.REFERRED_TO_UNIT,
            recipientCadreIds: handlers,
            demandId,
            referralId: referral.id,
            title: `新交办诉求 ${dueOn} 前办结`,
            body: `${unit.name}：收到交办诉求「${excerpt(text?.text ?? '', 60)}」，请于 ${dueOn} 前签收办理。`,
            at: now,
          },
        ]);
        recordAudit(tx, caller, {
          operation: 'referDemand',
          entityName: 'Demand',
          entityId: demandId,
          regionPath: demand.regionPath,
          changes: {
            status: [demand.status, DemandStatus.REFERRED],
            referralId: referral.id,
            unitId,
            dueOn,
            note,
            escalationsSettled: settled,
            clientId: input.clientId,
          },
        });
      },
    });
    if (referralId === 0) {
      // Answered as a resend of the same clientId sent twice at once.
      const winner = await earlierStep(em, actor, input.clientId);
      return referralEntity(em, winner!.referralId!);
    }
    return referralEntity(em, referralId);
  },

  /** 签收: a handler of the unit accepts a PENDING referral (referral ACCEPTED; demand REFERRED → IN_PROGRESS). */
  async accept(em: Em, input: AcceptReferralInput, caller: Caller, now: Date): Promise<DemandReferral> {
    const { actor } = caller;
    const { referral, demand } = await referralForHandler(em, actor, input.referralId);
    const spec = { mutation: 'acceptReferral', kind: DemandEventKind.ACCEPTED, clientId: input.clientId, demand, referralId: referral.id };
    const earlier = await earlierStep(em, actor, input.clientId);
    if (earlier) {
      await resendOf(em, caller, spec, earlier);
      return referralEntity(em, referral.id);
    }
    if (referral.status !== ReferralStatus.PENDING || demand.status !== DemandStatus.REFERRED) {
      throw notAllowedFrom('acceptReferral', demand.status, ` (referral ${referral.status})`);
    }
    const actorLabel = await actorLabelOf(em, actor.cadreId!, referral.unitId);
    await runTransition(em, caller, {
      ...spec,
      async apply(tx) {
        await moveDemand(tx, demand.id, [DemandStatus.REFERRED], { status: DemandStatus.IN_PROGRESS }, now);
        await moveReferral(
          tx,
          referral,
          [ReferralStatus.PENDING],
          { status: ReferralStatus.ACCEPTED, acceptedAt: now, acceptedByCadre: tx.getReference(Cadre, actor.cadreId!) },
          now,
        );
        demandTimeline.append(tx, [
          {
            demand: demand.id,
            kind: DemandEventKind.ACCEPTED,
            at: now,
            actorAccountId: actor.accountId,
            actorLabel,
            referralId: referral.id,
            clientId: input.clientId,
          },
        ]);
        recordAudit(tx, caller, {
          operation: 'acceptReferral',
          entityName: 'DemandReferral',
          entityId: referral.id,
          regionPath: demand.regionPath,
          changes: {
            status: [ReferralStatus.PENDING, ReferralStatus.ACCEPTED],
            demandStatus: [DemandStatus.REFERRED, DemandStatus.IN_PROGRESS],
            clientId: input.clientId,
          },
        });
      },
    });
    return referralEntity(em, referral.id);
  },

  /**
   * 退回: a handler sends a PENDING or ACCEPTED referral back with a reason (referral RETURNED; demand → OPEN,
   * back with its cadre, who is told: REFERRAL_RETURNED). Its open escalations are settled: the lapse was the unit's.
   */
  async returnReferral(em: Em, input: ReturnReferralInput, caller: Caller, now: Date): Promise<DemandReferral> {
    const { actor } = caller;
    const reason = input.reason.trim();
    if (reason === '') throw new BadUserInputError('input.reason', 'reason must not be blank');
    const { referral, demand } = await referralForHandler(em, actor, input.referralId);
    const spec = {
      mutation: 'returnReferral',
      kind: DemandEventKind.RETURNED,
      clientId: input.clientId,
      demand,
      referralId: referral.id,
      content: { note: reason },
    };
    const earlier = await earlierStep(em, actor, input.clientId);
    if (earlier) {
      await resendOf(em, caller, spec, earlier);
      return referralEntity(em, referral.id);
    }
    const allowed =
      (referral.status === ReferralStatus.PENDING && demand.status === DemandStatus.REFERRED) ||
      (referral.status === ReferralStatus.ACCEPTED && demand.status === DemandStatus.IN_PROGRESS);
    if (!allowed) throw notAllowedFrom('returnReferral', demand.status, ` (referral ${referral.status})`);
    const actorLabel = await actorLabelOf(em, actor.cadreId!, referral.unitId);
    const unitName = await unitNameOf(em, referral.unitId);
    // Told: the household's cadres now (the referring cadre only while still one of them), who hold it again.
    const cadres = await currentCadreIdsOf(em, demand.householdId);
    // Back with the cadre, with time to act: a fresh due date (today + the category's referralDays), never earlier
    // than the one it had; the lapse of the old date is over (its escalations are settled below).
    const freshDue = laterDay(demand.dueOn, addDays(shanghaiDate(now), (await deadlineFor(em, demand.category)).referralDays));
    await runTransition(em, caller, {
      ...spec,
      async apply(tx) {
        await moveReferral(
          tx,
          referral,
          [referral.status],
          { status: ReferralStatus.RETURNED, returnedAt: now, returnReason: reason, closedByCadre: tx.getReference(Cadre, actor.cadreId!) },
          now,
        );
        await moveDemand(
          tx,
          demand.id,
          [referral.status === ReferralStatus.PENDING ? DemandStatus.REFERRED : DemandStatus.IN_PROGRESS],
          { status: DemandStatus.OPEN, dueOn: freshDue },
          now,
        );
        const settled = await settleEscalations(tx, demand.id, now);
        demandTimeline.append(tx, [
          {
            demand: demand.id,
            kind: DemandEventKind.RETURNED,
            at: now,
            actorAccountId: actor.accountId,
            actorLabel,
            referralId: referral.id,
            note: reason,
            dueOn: freshDue,
            clientId: input.clientId,
          },
        ]);
        await noticeService.enqueue(tx, [
          {
            kind: NoticeKind.REFERRAL_RETURNED,
            recipientCadreIds: cadres,
            demandId: demand.id,
            referralId: referral.id,
            title: `${excerpt(unitName, 20)} 退回诉求`,
            body: `${unitName} 退回了交办的诉求，理由：${excerpt(reason, 120)}`,
            at: now,
          },
        ]);
        recordAudit(tx, caller, {
          operation: 'returnReferral',
          entityName: 'DemandReferral',
          entityId: referral.id,
          regionPath: demand.regionPath,
          changes: {
            status: [referral.status, ReferralStatus.RETURNED],
            demandStatus: [demand.status, DemandStatus.OPEN],
            dueOn: [demand.dueOn, freshDue],
            reason,
            escalationsSettled: settled,
            clientId: input.clientId,
          },
        });
      },
    });
    return referralEntity(em, referral.id);
  },

  /** A note on an open demand by whoever holds the work; the status does not change. */
  async noteProgress(em: Em, input: NoteDemandProgressInput, caller: Caller, now: Date): Promise<Demand> {
    const { actor } = caller;
    const demandId = parseId(input.demandId, 'input.demandId');
    const note = input.note.trim();
    if (note === '') throw new BadUserInputError('input.note', 'note must not be blank');
    const demand = await demandRow(em, demandId);
    const facts = demand ? await factsOf(em, demand) : null;
    // Who may note depends on where the work is; a caller who holds no part of it is refused as FORBIDDEN.
    const involved =
      facts !== null && (facts.currentCadreIds.includes(actor.cadreId ?? -1) || (facts.openReferral?.handlerCadreIds.includes(actor.cadreId ?? -1) ?? false));
    assertAllowed(demand !== null && facts !== null && involved);
    const spec = { mutation: 'noteDemandProgress', kind: DemandEventKind.PROGRESS_NOTED, clientId: input.clientId, demand, content: { note } };
    const earlier = await earlierStep(em, actor, input.clientId);
    if (earlier) {
      await resendOf(em, caller, spec, earlier);
      return demandEntity(em, demandId);
    }
    if (!OPEN_DEMAND_STATUSES.includes(demand.status)) throw notAllowedFrom('noteDemandProgress', demand.status);
    if (!demandPolicy.mayNoteProgress(actor, facts)) {
      // Involved, but the work is not theirs now (the cadre while a unit has it; the handler before accepting).
      throw notAllowedFrom('noteDemandProgress', demand.status, facts.openReferralRow ? ` (referral ${facts.openReferralRow.status})` : '');
    }
    const asHandler = facts.openReferralRow !== null && facts.openReferralRow.status === ReferralStatus.ACCEPTED;
    const actorLabel = await actorLabelOf(em, actor.cadreId!, asHandler ? facts.openReferralRow!.unitId : null);
    await runTransition(em, caller, {
      ...spec,
      async apply(tx) {
        // Conditional on the status it had: a note on a demand that moved meanwhile is refused.
        await moveDemand(tx, demandId, [demand.status], {}, now);
        if (asHandler) {
          const [still] = await tx.execute<{ status: string }[]>('select status from demand_referral where id = ?', [facts.openReferralRow!.id]);
          if (still?.status !== ReferralStatus.ACCEPTED) throw new LostRace(demand.status);
        }
        demandTimeline.append(tx, [
          {
            demand: demandId,
            kind: DemandEventKind.PROGRESS_NOTED,
            at: now,
            actorAccountId: actor.accountId,
            actorLabel,
            note,
            referralId: asHandler ? facts.openReferralRow!.id : null,
            clientId: input.clientId,
          },
        ]);
        recordAudit(tx, caller, {
          operation: 'noteDemandProgress',
          entityName: 'Demand',
          entityId: demandId,
          regionPath: demand.regionPath,
          changes: { note, status: demand.status, clientId: input.clientId },
        });
      },
    });
    return demandEntity(em, demandId);
  },

  /**
   * 办结: a handler reports an ACCEPTED referral done (referral RESOLVED; demand IN_PROGRESS → RESOLVED,
   * resolvedAt now, resolvedBy null: no help record resolved it). The household's current cadres are told
   * to ask the household (AWAITING_CONFIRMATION); open escalations are settled.
   */
  async resolveReferral(em: Em, input: ResolveReferralInput, caller: Caller, now: Date): Promise<DemandReferral> {
    const { actor } = caller;
    const resolution = input.resolution.trim();
    if (resolution === '') throw new BadUserInputError('input.resolution', 'resolution must not be blank');
    const { referral, demand } = await referralForHandler(em, actor, input.referralId);
    const spec = {
      mutation: 'resolveReferral',
      kind: DemandEventKind.RESOLVED,
      clientId: input.clientId,
      demand,
      referralId: referral.id,
      content: { note: resolution.slice(0, 500) },
    };
    const earlier = await earlierStep(em, actor, input.clientId);
    if (earlier) {
      await resendOf(em, caller, spec, earlier);
      return referralEntity(em, referral.id);
    }
    if (referral.status !== ReferralStatus.ACCEPTED || demand.status !== DemandStatus.IN_PROGRESS) {
      throw notAllowedFrom('resolveReferral', demand.status, ` (referral ${referral.status})`);
    }
    const actorLabel = await actorLabelOf(em, actor.cadreId!, referral.unitId);
    const unitName = await unitNameOf(em, referral.unitId);
    const cadres = await currentCadreIdsOf(em, demand.householdId);
    await runTransition(em, caller, {
      ...spec,
      async apply(tx) {
        await moveDemand(tx, demand.id, [DemandStatus.IN_PROGRESS], { status: DemandStatus.RESOLVED, resolvedAt: now, resolvedBy: null }, now);
        await moveReferral(
          tx,
          referral,
          [ReferralStatus.ACCEPTED],
          { status: ReferralStatus.RESOLVED, resolvedAt: now, resolution, closedByCadre: tx.getReference(Cadre, actor.cadreId!) },
          now,
        );
        const settled = await settleEscalations(tx, demand.id, now);
        demandTimeline.append(tx, [
          {
            demand: demand.id,
            kind: DemandEventKind.RESOLVED,
            at: now,
            actorAccountId: actor.accountId,
            actorLabel,
            referralId: referral.id,
            note: resolution.slice(0, 500),
            clientId: input.clientId,
          },
        ]);
        await noticeService.enqueue(tx, [
          {
            kind: NoticeKind.AWAITING_CONFIRMATION,
            recipientCadreIds: cadres,
            demandId: demand.id,
            referralId: referral.id,
            title: '诉求已办结，请回访',
            body: `${unitName} 已办结交办的诉求，请入户回访，听取群众是否满意。`,
            at: now,
          },
        ]);
        recordAudit(tx, caller, {
          operation: 'resolveReferral',
          entityName: 'DemandReferral',
          entityId: referral.id,
          regionPath: demand.regionPath,
          changes: {
            status: [ReferralStatus.ACCEPTED, ReferralStatus.RESOLVED],
            demandStatus: [DemandStatus.IN_PROGRESS, DemandStatus.RESOLVED],
            resolution,
            escalationsSettled: settled,
            clientId: input.clientId,
          },
        });
      },
    });
    return referralEntity(em, referral.id);
  },

  /** One referral, if the caller may read it (a handler of its unit, the household's cadre, staff in scope); null otherwise. */
  async referral(em: Em, actor: Actor, idInput: string): Promise<DemandReferral | null> {
    const id = parseId(idInput, 'id');
    return em.findOne(DemandReferral, { $and: [{ id }, referralPolicy.scope(actor)] });
  },

  /** The referrals to the caller's units: PENDING first, then ACCEPTED, then closed; oldest due first in each. */
  async inbox(em: Em, actor: Actor, status: ReferralStatus | null | undefined, page: PageArgs): Promise<Connection<DemandReferral>> {
    if (actor.cadreId === null) throw new ForbiddenError();
    const units = await handlerUnitIdsOf(em, actor.cadreId);
    const size = pageSize(page);
    if (units.length === 0) return { nodes: [], totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null } };
    const where = [`r.unit_id in (${placeholders(units)})`];
    const params: unknown[] = [...units];
    if (status) {
      where.push('r.status = ?');
      params.push(status);
    }
    const [count] = await em.execute<{ total: number | string }[]>(`select count(*) as total from demand_referral r where ${where.join(' and ')}`, params);
    const pageWhere = [...where];
    const pageParams = [...params];
    if (page.after) {
      const [rank, day, id] = decodeCursor(page.after, 3) as number[];
      // A forged cursor's day far outside the calendar would throw in Date: refused like any other forged cursor.
      if (![0, 1, 2].includes(rank!) || Math.abs(day!) > MAX_CURSOR_DAYS) throw new BadUserInputError('after', 'after is not a cursor this list returned');
      // Keyset on (rank, due_on, id), spelled out: row-value comparison reads differently across engines.
      pageWhere.push(`(${INBOX_RANK} > ? or (${INBOX_RANK} = ? and (r.due_on > ? or (r.due_on = ? and r.id > ?))))`);
      const due = dayOfEpoch(day!);
      pageParams.push(rank, rank, due, due, id);
    }
    const rows = await em.execute<{ id: number | string; rank: number | string; due_on: Date | string }[]>(
      `select r.id, ${INBOX_RANK} as \`rank\`, r.due_on from demand_referral r where ${pageWhere.join(' and ')} order by \`rank\`, r.due_on, r.id limit ?`,
      [...pageParams, size + 1],
    );
    const ids = rows.slice(0, size).map((row) => Number(row.id));
    const entities = ids.length === 0 ? [] : await em.find(DemandReferral, { id: { $in: ids } });
    const byId = new Map(entities.map((entity) => [entity.id, entity]));
    const nodes = ids.map((id) => byId.get(id)!).filter(Boolean);
    const last = rows[Math.min(rows.length, size) - 1];
    return {
      nodes,
      totalCount: Number(count?.total ?? 0),
      pageInfo: {
        hasNextPage: rows.length > size,
        endCursor: last ? encodeCursor([Number(last.rank), epochDay(dayOf(last.due_on)!), Number(last.id)]) : null,
      },
    };
  },

  /** The caller's place in the loop: the units they handle, their inbox's counts, unread notices, whether they lead cases or points. */
  async mySummary(em: Em, actor: Actor, now: Date): Promise<MyLoopSummary> {
    const [unread] = await em.execute<{ total: number | string }[]>('select count(*) as total from notice where recipient_account_id = ? and read_at is null', [
      actor.accountId,
    ]);
    if (actor.cadreId === null) {
      return { handlerUnits: [], inboxPending: 0, inboxAccepted: 0, inboxOverdue: 0, unreadNotices: Number(unread?.total ?? 0), isLeader: false };
    }
    const unitIds = await handlerUnitIdsOf(em, actor.cadreId);
    const handlerUnits =
      unitIds.length === 0
        ? []
        : (
            await em.execute<{ id: number | string; name: string; kind: ReferralUnit['kind']; level: ReferralUnit['level']; region_name: string }[]>(
              `select u.id, u.name, u.kind, u.level, r.name as region_name from unit u join region r on r.id = u.region_id where u.id in (${placeholders(unitIds)}) order by u.name, u.id`,
              unitIds,
            )
          ).map((row) => ({ id: Number(row.id), name: row.name, kind: row.kind, level: row.level, regionName: row.region_name }));
    let pending = 0;
    let accepted = 0;
    let overdue = 0;
    if (unitIds.length > 0) {
      const rows = await em.execute<{ status: ReferralStatus; total: number | string; overdue: number | string | null }[]>(
        `select status, count(*) as total, sum(case when due_on < ? then 1 else 0 end) as overdue from demand_referral
          where unit_id in (${placeholders(unitIds)}) and status in (${placeholders(OPEN_REFERRAL_STATUSES)}) group by status`,
        [shanghaiDate(now), ...unitIds, ...OPEN_REFERRAL_STATUSES],
      );
      for (const row of rows) {
        if (row.status === ReferralStatus.PENDING) pending = Number(row.total);
        if (row.status === ReferralStatus.ACCEPTED) accepted = Number(row.total);
        overdue += Number(row.overdue ?? 0);
      }
    }
    const [leads] = await em.execute<{ found: number | string }[]>(
      // What myContactPoints lists: open cases the cadre leads, contact points not ended.
      `select (select count(*) from (select 1 from petition_case where responsible_leader_id = ? and status in (${OPEN_CASE_STATUSES.map(() => '?').join(', ')}) limit 1) c)
         + (select count(*) from (select 1 from contact_point where leader_id = ? and ended_on is null limit 1) p) as found`,
      [actor.cadreId, ...OPEN_CASE_STATUSES, actor.cadreId],
    );
    return {
      handlerUnits,
      inboxPending: pending,
      inboxAccepted: accepted,
      inboxOverdue: overdue,
      unreadNotices: Number(unread?.total ?? 0),
      isLeader: Number(leads?.found ?? 0) > 0,
    };
  },

  /** Staff: the referrals of households in the caller's subtree, oldest first. */
  async listForStaff(em: Em, actor: Actor, filter: DemandReferralFilter = {}, page: PageArgs = {}, now: Date): Promise<Connection<DemandReferral>> {
    const conditions: FilterQuery<DemandReferral>[] = [referralPolicy.scope(actor)];
    if (filter.unitId) conditions.push({ unit: parseId(filter.unitId, 'filter.unitId') });
    if (filter.status) conditions.push({ status: filter.status });
    if (filter.overdueOnly) conditions.push({ status: { $in: [...OPEN_REFERRAL_STATUSES] }, dueOn: { $lt: shanghaiDate(now) } });
    return paginateById(em, DemandReferral, { $and: conditions }, page);
  },
};

/** For the help record's check: the demands among these that a unit holds (REFERRED, or with an open referral), with the unit's name. */
export async function demandsWithAUnit(em: Em, demandIds: readonly number[]): Promise<{ demandId: number; unitName: string }[]> {
  if (demandIds.length === 0) return [];
  const rows = await em.execute<{ demand_id: number | string; name: string }[]>(
    `select r.demand_id, u.name from demand_referral r join unit u on u.id = r.unit_id
      where r.demand_id in (${placeholders(demandIds)}) and r.status in (${placeholders(OPEN_REFERRAL_STATUSES)}) order by r.demand_id`,
    [...demandIds, ...OPEN_REFERRAL_STATUSES],
  );
  return rows.map((row) => ({ demandId: Number(row.demand_id), unitName: row.name }));
}
