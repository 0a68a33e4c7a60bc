import { UniqueConstraintViolationException, type FilterQuery } from '@mikro-orm/core';
import { DemandEventKind, NoticeKind, OPEN_DEMAND_STATUSES, OPEN_REFERRAL_STATUSES } from '@wanjia/shared';
import type { Caller } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { BadUserInputError, ConflictError, parseId } from '../../core/errors';
import { decodeCursor, encodeCursor, pageSize, type Connection, type PageArgs } from '../../core/pagination';
import { assertAllowed } from '../../core/policy';
import { shanghaiDate } from '../../core/time';
import { recordAudit } from '../audit/audit.service';
import { noticeService } from '../notices/notice.service';
import { Region } from '../regions/region.entity';
import { DemandEscalation } from './demand-escalation.entity';
import { DemandEvent } from './demand-event.entity';
import { DemandReferral } from './demand-referral.entity';
import { Demand } from './demand.entity';
import { demandTimeline } from './demand-timeline.service';
import { addDays } from './escalation.service';
import type { InstructDemandInput, SupervisionFilter } from './supervision.inputs';
import { supervisionPolicy } from './supervision.policy';
import { lockRows } from '../../core/locking';
import { Household } from '../households/household.entity';

/** How far ahead an instruction may set a due date. */
export const INSTRUCTION_MAX_DAYS = 90;
export const INSTRUCTION_NOTE_MAX = 500;

const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** The largest instant a Date holds, in milliseconds from the epoch either way. */
const MAX_DATE_MS = 8.64e15;

/** Raised inside the instruction's transaction when the demand changed first (resolved, instructed by someone else). */
class NoLongerEscalated extends Error {
  constructor(readonly status: string) {
    super(status);
  }
}

interface Instruction {
  note: string;
  newDueOn: string;
}

/** The instruction as stored and compared (a resend must carry the same one); bad input named by field. */
function checkedInstruction(input: InstructDemandInput, now: Date): Instruction {
  if (!/^[A-Za-z0-9_-]{8,64}$/.test(input.clientId ?? '')) {
    throw new BadUserInputError('input.clientId', 'clientId must be 8-64 letters, digits, dashes or underscores (a UUID)');
  }
  const note = (input.note ?? '').trim();
  if (note.length < 1 || note.length > INSTRUCTION_NOTE_MAX) throw new BadUserInputError('input.note', `note must be 1 to ${INSTRUCTION_NOTE_MAX} characters`);
  const newDueOn = String(input.newDueOn ?? '');
  if (!LOCAL_DATE.test(newDueOn) || Number.isNaN(Date.parse(`${newDueOn}T00:00:00Z`))) {
    throw new BadUserInputError('input.newDueOn', 'newDueOn must be a calendar day (YYYY-MM-DD)');
  }
  const today = shanghaiDate(now);
  if (newDueOn <= today) throw new BadUserInputError('input.newDueOn', `newDueOn must be after today (${today})`);
  if (newDueOn > addDays(today, INSTRUCTION_MAX_DAYS)) {
    throw new BadUserInputError('input.newDueOn', `newDueOn must be at most ${INSTRUCTION_MAX_DAYS} days ahead (${addDays(today, INSTRUCTION_MAX_DAYS)})`);
  }
  return { note, newDueOn };
}

/** The cadres to tell of an instruction: the household's current cadres and the open referral's unit's active handlers. */
async function instructionRecipients(tx: Em, householdId: number, referralUnitId: number | null): Promise<number[]> {
  const rows = await tx.execute<{ cadre_id: number | string }[]>(
    referralUnitId === null
      ? 'select cadre_id from assignment where household_id = ? and ended_at is null'
      : // Active handlers only: a designation not ended, of a cadre still active and still of that unit.
        'select cadre_id from assignment where household_id = ? and ended_at is null union select h.cadre_id from unit_handler h join cadre c on c.id = h.cadre_id and c.unit_id = h.unit_id and c.active = 1 where h.unit_id = ? and h.ended_at is null',
    referralUnitId === null ? [householdId] : [householdId, referralUnitId],
  );
  return [...new Set(rows.map((row) => Number(row.cadre_id)))];
}

export const supervisionService = {
  /**
   * 督办清单: the open escalations the caller supervises (policy scope: target region and household in
   * the subtree), oldest escalation first, keyset-paginated on (escalatedAt, id). `atMyLevel`: only
   * those whose target region is the caller's own scope region. Served by the (target_region,
   * settled_at, escalated_at) index; the demands, regions and leaders come in one statement each.
   */
  async list(em: Em, caller: Caller, filter: SupervisionFilter = {}, page: PageArgs = {}): Promise<Connection<DemandEscalation>> {
    const { actor } = caller;
    assertAllowed(supervisionPolicy.mayReadSupervision(actor));
    // Open escalations of open demands (a demand settled by a path that forgot to settle its escalations is not supervised).
    const conditions: FilterQuery<DemandEscalation>[] = [
      supervisionPolicy.scope(actor),
      { settledAt: null, demand: { status: { $in: [...OPEN_DEMAND_STATUSES] } } },
    ];
    if (filter.level != null) conditions.push({ level: filter.level });
    if (filter.atMyLevel) conditions.push({ targetRegion: actor.scopeRegionId! });
    if (filter.unitId) conditions.push({ referral: { unit: parseId(filter.unitId, 'filter.unitId') } });
    if (filter.category) conditions.push({ demand: { category: filter.category } });
    const where: FilterQuery<DemandEscalation> = { $and: conditions };
    const size = pageSize(page);
    let pageWhere = where;
    if (page.after) {
      const [at, id] = decodeCursor(page.after, 2).map(Number) as [number, number];
      // A forged cursor's instant may be beyond what a Date holds (±8.64e15 ms): the cursor's error, not an internal one.
      if (Math.abs(at) > MAX_DATE_MS || id < 0) throw new BadUserInputError('after', 'after is not a cursor this list returned');
      const after = new Date(at);
      pageWhere = { $and: [where, { $or: [{ escalatedAt: { $gt: after } }, { escalatedAt: after, id: { $gt: id } }] }] };
    }
    const rows = await em.find(DemandEscalation, pageWhere, {
      orderBy: [{ escalatedAt: 'asc' }, { id: 'asc' }],
      limit: size + 1,
      populate: ['demand', 'targetRegion', 'leaderCadre'],
    });
    const totalCount = await em.count(DemandEscalation, where);
    const nodes = rows.slice(0, size);
    const last = nodes.at(-1);
    return {
      nodes,
      totalCount,
      pageInfo: { hasNextPage: rows.length > size, endCursor: last ? encodeCursor([last.escalatedAt.getTime(), last.id]) : null },
    };
  },

  /**
   * 督办批示: an administrator's instruction on an escalated demand. Sets the new due date on the open
   * referral (if any) and on the demand, settles the open escalations (the rung back to 0), appends an
   * INSTRUCTED step, tells the household's cadres and the referral's handlers, audits; one transaction.
   * Only for a demand with an open escalation whose target region (and household) is in the caller's
   * subtree. Two instructions at once: the first to change the escalated row wins, the other gets
   * CONFLICT. A resend with the same clientId answers the demand as it is and writes only an audit entry.
   */
  async instruct(em: Em, input: InstructDemandInput, caller: Caller, now: Date): Promise<Demand> {
    const { actor } = caller;
    const demandId = parseId(input.demandId, 'input.demandId');
    const instruction = checkedInstruction(input, now);
    const demand = await em.findOne(Demand, demandId, { populate: ['household.region'] });
    const open = demand ? await em.find(DemandEscalation, { demand: demandId, settledAt: null }, { populate: ['targetRegion'] }) : [];
    // No such demand, a household outside the subtree, or not an administrator: the same FORBIDDEN.
    assertAllowed(
      demand !== null &&
        supervisionPolicy.mayInstruct(actor, { householdRegionPath: demand.household.region.path, targetRegionPaths: [demand.household.region.path] }),
    );

    const earlier = await em.findOne(DemandEvent, { actorAccount: actor.accountId, clientId: input.clientId });
    if (earlier) return this.resend(em, earlier, demand, instruction, caller);
    if (open.length === 0) {
      throw new ConflictError(`Only an escalated demand takes an instruction; this one has no open escalation (status ${demand.status})`, {
        status: demand.status,
      });
    }
    assertAllowed(
      supervisionPolicy.mayInstruct(actor, { householdRegionPath: demand.household.region.path, targetRegionPaths: open.map((row) => row.targetRegion.path) }),
      "The demand's escalations are supervised above the caller's level",
    );
    const scopeRegion = actor.scopeRegionId === null ? null : await em.findOne(Region, actor.scopeRegionId);
    const actorLabel = `${scopeRegion?.name ?? ''}管理员`;

    try {
      await em.transactional(async (tx) => {
        // The household first, as the other transitions lock it, then the demand conditionally on being escalated.
        await lockRows(tx, Household, [demand.household.id]);
        const changed = await tx.nativeUpdate(
          Demand,
          { id: demandId, status: { $in: [...OPEN_DEMAND_STATUSES] }, escalationRung: { $gt: 0 } },
          { dueOn: instruction.newDueOn, escalationRung: 0 },
        );
        if (changed !== 1) {
          const [row] = await tx.execute<{ status: string }[]>('select status from demand where id = ?', [demandId]);
          throw new NoLongerEscalated(row?.status ?? demand.status);
        }
        const referral = await tx.findOne(DemandReferral, { demand: demandId, status: { $in: [...OPEN_REFERRAL_STATUSES] } }, { refresh: true });
        const referralDueOn = referral?.dueOn ?? null;
        if (referral) await tx.nativeUpdate(DemandReferral, { id: referral.id }, { dueOn: instruction.newDueOn });
        const settled = await tx.nativeUpdate(DemandEscalation, { demand: demandId, settledAt: null }, { settledAt: now });
        demandTimeline.append(tx, [
          {
            demand: demandId,
            kind: DemandEventKind.INSTRUCTED,
            at: now,
            actorAccountId: actor.accountId,
            actorLabel,
            referralId: referral?.id ?? null,
            dueOn: instruction.newDueOn,
            note: instruction.note,
            clientId: input.clientId,
          },
        ]);
        await noticeService.enqueue(tx, [
          {
            kind: NoticeKind.DEMAND_INSTRUCTED,
            recipientCadreIds: await instructionRecipients(tx, demand.household.id, referral?.unit.id ?? null),
            demandId,
            referralId: referral?.id ?? null,
            title: `督办批示：新的办结期限${instruction.newDueOn}`,
            body: `${actorLabel}督办：${instruction.note}`.slice(0, 200),
            at: now,
          },
        ]);
        recordAudit(tx, caller, {
          operation: 'instructDemand',
          entityName: 'Demand',
          entityId: demandId,
          regionPath: demand.household.region.path,
          changes: {
            dueOn: [demand.dueOn ?? null, instruction.newDueOn],
            ...(referral ? { referralId: referral.id, referralDueOn: [referralDueOn, instruction.newDueOn] } : {}),
            escalationRung: [demand.escalationRung, 0],
            settledEscalations: settled,
            note: instruction.note,
            clientId: input.clientId,
          },
        });
      });
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException || error instanceof NoLongerEscalated) {
        // The same instruction sent twice at once: the copy that lost answers as a resend of the winner.
        const winner = await em.fork().findOne(DemandEvent, { actorAccount: actor.accountId, clientId: input.clientId });
        if (winner) return this.resend(em, winner, demand, instruction, caller);
      }
      if (error instanceof NoLongerEscalated) {
        throw new ConflictError(`Only an escalated demand takes an instruction; this one is no longer escalated (status ${error.status})`, {
          status: error.status,
        });
      }
      throw error;
    }
    return em.findOneOrFail(Demand, demandId, { refresh: true });
  },

  /** A resend of an instruction already recorded under the caller's clientId: the demand as it is now, and an audit entry. */
  async resend(em: Em, earlier: DemandEvent, demand: Demand, instruction: Instruction, caller: Caller): Promise<Demand> {
    if (
      earlier.kind !== DemandEventKind.INSTRUCTED ||
      earlier.demand.id !== demand.id ||
      earlier.note !== instruction.note ||
      earlier.dueOn !== instruction.newDueOn
    ) {
      throw new ConflictError('This clientId was already used for something else; generate a new clientId for a new instruction', { field: 'input.clientId' });
    }
    await em.transactional(async (tx) => {
      recordAudit(tx, caller, {
        operation: 'resendInstructDemand',
        entityName: 'Demand',
        entityId: demand.id,
        regionPath: demand.household.region.path,
        changes: { mutation: 'instructDemand', clientId: earlier.clientId },
      });
    });
    return em.findOneOrFail(Demand, demand.id, { refresh: true });
  },
};
