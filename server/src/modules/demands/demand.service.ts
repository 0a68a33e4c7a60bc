import { UniqueConstraintViolationException, raw, type FilterQuery } from '@mikro-orm/core';
import { CONFIRMING_SATISFACTIONS, DemandEventKind, DemandStatus, OPEN_DEMAND_STATUSES, Satisfaction } from '@wanjia/shared';
import type { Actor, Caller } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { BadUserInputError, ConflictError, parseId } from '../../core/errors';
import { paginateById, type Connection, type PageArgs } from '../../core/pagination';
import { assertAllowed } from '../../core/policy';
import { shanghaiDate, toDate } from '../../core/time';
import { recordAudit } from '../audit/audit.service';
import { DemandEvent } from './demand-event.entity';
import { Demand } from './demand.entity';
import type { DemandConfirmationInput, DemandFilter } from './demand.inputs';
import { demandPolicy } from './demand.policy';
import { deadlineFor } from './demand-deadline.service';
import { addDays, laterDay } from './demand-loop.service';
import { demandTimeline } from './demand-timeline.service';
import { lockRows } from '../../core/locking';
import { Household } from '../households/household.entity';

/** A phone's clock may run a little fast; more than this ahead of the server is a typing error. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** Raised inside the answer's transaction when another answer changed the demand first. */
class AlreadyAnswered extends Error {
  constructor(readonly status: DemandStatus) {
    super(status);
  }
}

/** The answer as it is stored and compared: a resend must carry the same one. */
function normalizedAnswer(input: DemandConfirmationInput): { satisfaction: Satisfaction; note: string | null } {
  const note = input.note?.trim() ?? '';
  return { satisfaction: input.satisfaction, note: note === '' ? null : note };
}

/**
 * A resend of an answer already recorded under the caller's clientId: the demand as it is now, and
 * an audit entry (who sent it again, when). The same clientId with another answer is refused.
 */
async function answerResend(
  em: Em,
  earlier: DemandEvent,
  demandId: number,
  answer: { satisfaction: Satisfaction; note: string | null },
  caller: Caller,
): Promise<Demand> {
  if (earlier.demand.id !== demandId || earlier.satisfaction !== answer.satisfaction || (earlier.note ?? null) !== answer.note) {
    throw new ConflictError('This clientId was already used for a different answer; generate a new clientId for a new answer', { field: 'input.clientId' });
  }
  const demand = await em.findOneOrFail(Demand, demandId, { populate: ['household.region'], refresh: true });
  await em.transactional(async (tx) => {
    recordAudit(tx, caller, {
      operation: 'resendDemandConfirmation',
      entityName: 'Demand',
      entityId: demandId,
      regionPath: demand.household.region.path,
      changes: { mutation: 'confirmDemandResolved', clientId: earlier.clientId },
    });
  });
  return demand;
}

export const demandService = {
  /** The demands the caller may read, filtered; "overdue" is an open demand past its due date (Shanghai). */
  async list(em: Em, actor: Actor, filter: DemandFilter = {}, page: PageArgs = {}, now = new Date()): Promise<Connection<Demand>> {
    const conditions: FilterQuery<Demand>[] = [demandPolicy.scope(actor)];
    if (filter.householdId) conditions.push({ household: parseId(filter.householdId, 'filter.householdId') });
    if (filter.status) conditions.push({ status: filter.status });
    if (filter.category) conditions.push({ category: filter.category });
    if (filter.overdueOnly) {
      // By the effective due date (Demand.overdue): the open referral's while one is open, else the demand's own.
      const today = shanghaiDate(now);
      conditions.push({
        status: { $in: [...OPEN_DEMAND_STATUSES] },
        $or: [
          { dueOn: { $lt: today }, id: { $nin: raw("(select ox.demand_id from demand_referral ox where ox.status in ('PENDING', 'ACCEPTED'))") } },
          { id: { $in: raw("(select oy.demand_id from demand_referral oy where oy.status in ('PENDING', 'ACCEPTED') and oy.due_on < ?)", [today]) } },
        ],
      });
    }
    return paginateById(em, Demand, { $and: conditions }, page);
  },

  /**
   * The household's answer, on a later visit (回访), to a resolution. 满意 / 基本满意 confirm it
   * (CONFIRMED); 不满意 reopens the demand (OPEN, the resolution cleared from the row and kept in the
   * timeline, reopenCount + 1). Exactly once per clientId: a resend answers with the demand as it is
   * now and writes only an audit entry. Two answers at once (two phones, two cadres): the first to
   * change the RESOLVED row wins, the other gets CONFLICT. One transaction with the timeline step and
   * the audit entry.
   */
  async confirmResolved(em: Em, input: DemandConfirmationInput, caller: Caller, now = new Date()): Promise<Demand> {
    const { actor } = caller;
    const demandId = parseId(input.demandId, 'input.demandId');
    const answer = normalizedAnswer(input);
    if (answer.satisfaction === Satisfaction.DISSATISFIED && answer.note === null) {
      throw new BadUserInputError('input.note', 'a note is required when the household is dissatisfied: say what is still wrong');
    }
    const answeredAt = input.answeredAt ?? now;
    if (answeredAt.getTime() > now.getTime() + CLOCK_SKEW_MS) throw new BadUserInputError('input.answeredAt', 'answeredAt is in the future');

    const demand = await em.findOne(Demand, demandId, { populate: ['household.region'] });
    // The cadres of the household's active assignments, as raw rows (no partial entities in the request's identity map).
    const current = demand
      ? await em.execute<{ cadre_id: number | string }[]>('select cadre_id from assignment where household_id = ? and ended_at is null', [demand.household.id])
      : [];
    // Not the household's current cadre, or no such demand: the same FORBIDDEN.
    assertAllowed(demand !== null && demandPolicy.mayConfirm(actor, { currentCadreIds: current.map((row) => Number(row.cadre_id)) }));

    const earlier = await em.findOne(DemandEvent, { actorAccount: actor.accountId, clientId: input.clientId });
    if (earlier) return answerResend(em, earlier, demandId, answer, caller);
    if (demand.status !== DemandStatus.RESOLVED) {
      throw new ConflictError(`Only a resolved demand awaits the household's answer; this one is ${demand.status}`, { status: demand.status });
    }
    if (demand.resolvedAt && answeredAt.getTime() < demand.resolvedAt.getTime()) {
      throw new BadUserInputError('input.answeredAt', 'answeredAt is before the demand was resolved');
    }
    // Nor before any later step of its timeline (an earlier answer, a withdrawal): the answer is to the
    // resolution as it stands now, and the timeline reads in the order things happened.
    const [latest] = await em.execute<{ at: Date | string | number | null }[]>('select max(at) as at from demand_event where demand_id = ?', [demandId]);
    if (latest?.at != null && answeredAt.getTime() < toDate(latest.at).getTime()) {
      throw new BadUserInputError('input.answeredAt', "answeredAt is before the latest step of the demand's timeline");
    }

    const confirms = CONFIRMING_SATISFACTIONS.includes(answer.satisfaction);
    // Reopened: back with the cadre with time to act — a fresh due date (today + the category's demandDays),
    // never earlier than the one it had, so that the old date's lapse does not put it at the top of the ladder.
    const reopenedDue = confirms ? null : laterDay(demand.dueOn, addDays(shanghaiDate(now), (await deadlineFor(em, demand.category)).demandDays));
    const resolvedById = demand.resolvedBy?.id ?? null;
    try {
      await em.transactional(async (tx) => {
        // Locks in the order a help record's writes take them (household, record, demands), so that an
        // answer and a correction of the resolving record wait for each other instead of deadlocking.
        // lock_version only: nothing of the household's file changes (core/locking.ts).
        await lockRows(tx, Household, [demand.household.id]);
        // Then the demand, conditional on the status: of two answers at once only one changes it
        // (inserting the step first would take a shared lock on the row through the foreign key and
        // then upgrade it, which deadlocks two answers).
        const changed = await tx.nativeUpdate(
          Demand,
          { id: demandId, status: DemandStatus.RESOLVED },
          confirms
            ? { status: DemandStatus.CONFIRMED, confirmedAt: answeredAt, satisfaction: answer.satisfaction, confirmationNote: answer.note }
            : {
                status: DemandStatus.OPEN,
                resolvedBy: null,
                resolvedAt: null,
                confirmedAt: null,
                satisfaction: answer.satisfaction,
                confirmationNote: answer.note,
                reopenCount: raw('reopen_count + 1'),
                dueOn: reopenedDue,
              },
        );
        if (changed !== 1) {
          const [row] = await tx.execute<{ status: DemandStatus }[]>('select status from demand where id = ?', [demandId]);
          throw new AlreadyAnswered(row?.status ?? demand.status);
        }
        demandTimeline.append(tx, [
          {
            demand: demandId,
            kind: confirms ? DemandEventKind.CONFIRMED : DemandEventKind.REOPENED,
            at: answeredAt,
            actorAccountId: actor.accountId,
            // REOPENED keeps the help record whose resolution the household rejected.
            helpRecordId: resolvedById,
            satisfaction: answer.satisfaction,
            note: answer.note,
            dueOn: reopenedDue,
            clientId: input.clientId,
          },
        ]);
        recordAudit(tx, caller, {
          operation: 'confirmDemandResolved',
          entityName: 'Demand',
          entityId: demandId,
          regionPath: demand.household.region.path,
          changes: {
            status: [DemandStatus.RESOLVED, confirms ? DemandStatus.CONFIRMED : DemandStatus.OPEN],
            satisfaction: [demand.satisfaction ?? null, answer.satisfaction],
            ...(confirms
              ? {}
              : { reopenCount: [demand.reopenCount, demand.reopenCount + 1], resolvedBy: [resolvedById, null], dueOn: [demand.dueOn ?? null, reopenedDue] }),
            answeredAt: answeredAt.toISOString(),
            clientId: input.clientId,
          },
        });
      });
    } catch (error) {
      // The same answer sent twice at once: the copy that lost answers as a resend of the winner.
      if (error instanceof UniqueConstraintViolationException || error instanceof AlreadyAnswered) {
        const winner = await em.fork().findOne(DemandEvent, { actorAccount: actor.accountId, clientId: input.clientId });
        if (winner) return answerResend(em, winner, demandId, answer, caller);
      }
      if (error instanceof AlreadyAnswered) {
        throw new ConflictError(`Only a resolved demand awaits the household's answer; this one is now ${error.status}`, { status: error.status });
      }
      throw error;
    }
    return em.findOneOrFail(Demand, demandId, { refresh: true });
  },
};
