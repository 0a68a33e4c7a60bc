import { raw, type FilterQuery } from '@mikro-orm/core';
import { ReferralStatus } from '@wanjia/shared';
import { isCadre, isStaff, type Actor } from '../../core/caller';
import { NOTHING, type ScopedPolicy } from '../../core/policy';
import { householdPolicy } from '../households/household.policy';
import type { DemandReferral } from './demand-referral.entity';
import type { Demand } from './demand.entity';

/**
 * The active handlers (联络员) of units, as SQL: a designation not ended, of a cadre who is still active and
 * still of that unit (a cadre moved to another unit or deactivated handles nothing, whether or not the row
 * was ended). Every read of "who handles a unit" uses this one fragment: `from ${activeHandlersFrom('h', 'c')}`
 * then `and …` conditions on `h`.
 */
export function activeHandlersFrom(handler: string, cadre: string): string {
  return `unit_handler ${handler} join cadre ${cadre} on ${cadre}.id = ${handler}.cadre_id and ${cadre}.unit_id = ${handler}.unit_id and ${cadre}.active = 1 where ${handler}.ended_at is null`;
}

/**
 * The units a cadre is an active handler of, as a sub-query *value* (a raw fragment used as a filter key
 * is single-use in MikroORM; see householdPolicy.scope).
 */
function handlerUnitsOf(cadreId: number) {
  return raw(`(select luh.unit_id from ${activeHandlersFrom('luh', 'luc')} and luh.cadre_id = ?)`, [cadreId]);
}

/** The demands referred (in any status, now or before) to a unit the cadre handles now. */
function demandsReferredToHandler(cadreId: number) {
  return raw(
    `(select ldr.demand_id from demand_referral ldr where ldr.unit_id in (select ldh.unit_id from ${activeHandlersFrom('ldh', 'ldc')} and ldh.cadre_id = ?))`,
    [cadreId],
  );
}

/** The facts about a demand the transition rules need, loaded by the service. */
export interface DemandWorkFacts {
  /** The cadres of the household's active assignments. */
  currentCadreIds: readonly number[];
  /** The demand's open (PENDING/ACCEPTED) referral, with the active handlers of its unit; null when none. */
  openReferral: { status: ReferralStatus; handlerCadreIds: readonly number[] } | null;
}

/**
 * 诉求: a household's demands are read with its file; the household's cadre works them, refers them to a
 * unit (交办) and records the household's answer; the receiving unit's handlers (联络员) accept, return,
 * note and resolve what was referred to their unit.
 *
 * What a handler who is not the household's cadre reads (the object-scope guard and these scopes):
 * - the referrals to their units (every status: theirs to act on, and history), each with its demand
 *   (category, text, raisedAt, status, dueOn, events and the loop's fields) and a ReferralHousehold
 *   (head's name, address, masked phone, region name);
 * - NOT the household's file: Demand.household answers FORBIDDEN, and so do residents, petition cases,
 *   help records and the household's other demands (they are household-file objects the guard drops);
 * - NOT the referrals of the demand to other units (Demand.referrals lists only theirs), though the
 *   demand's timeline names the units it passed through.
 * A handler designation that ended ends that reading too. A handler who is also the household's cadre
 * reads the household as its cadre, as before.
 */
export const demandPolicy = {
  /**
   * The demands this caller may read: staff those of households of their subtree; a cadre those of the
   * households assigned to them, and those referred to a unit they handle now.
   */
  scope(actor: Actor): FilterQuery<Demand> {
    if (isCadre(actor)) {
      return { $or: [{ household: householdPolicy.scope(actor) }, { id: { $in: demandsReferredToHandler(actor.cadreId) } }] };
    }
    return { household: householdPolicy.scope(actor) };
  },

  /**
   * Recording the household's answer to a resolution (回访): the cadre the household is assigned to
   * now (an active assignment), who is the one visiting. Not staff, not a cadre transferred away: the
   * answer reopens or closes the current cadre's work. `currentCadreIds`: the cadres of the
   * household's active assignments, which the service reads.
   */
  mayConfirm(actor: Actor, household: { currentCadreIds: readonly number[] }): boolean {
    return isCadre(actor) && household.currentCadreIds.includes(actor.cadreId);
  },

  /** Starting work (办理中) on an open demand: the household's current cadre. */
  mayStartWork(actor: Actor, facts: Pick<DemandWorkFacts, 'currentCadreIds'>): boolean {
    return isCadre(actor) && facts.currentCadreIds.includes(actor.cadreId);
  },

  /** Referring (交办) a demand to a unit, and listing the units it may go to: the household's current cadre. */
  mayRefer(actor: Actor, facts: Pick<DemandWorkFacts, 'currentCadreIds'>): boolean {
    return isCadre(actor) && facts.currentCadreIds.includes(actor.cadreId);
  },

  /** Accepting (签收), returning (退回) or resolving (办结) a referral: an active handler of its unit. */
  mayHandleReferral(actor: Actor, referral: { handlerCadreIds: readonly number[] }): boolean {
    return isCadre(actor) && referral.handlerCadreIds.includes(actor.cadreId);
  },

  /**
   * Noting progress on an open demand: whoever holds the work — the household's current cadre while no
   * referral is open, the receiving unit's handler once the referral is ACCEPTED. Nobody while a referral
   * waits to be accepted (the cadre handed it over; the unit has not taken it yet).
   */
  mayNoteProgress(actor: Actor, facts: DemandWorkFacts): boolean {
    if (!isCadre(actor)) return false;
    if (facts.openReferral === null) return facts.currentCadreIds.includes(actor.cadreId);
    return facts.openReferral.status === ReferralStatus.ACCEPTED && facts.openReferral.handlerCadreIds.includes(actor.cadreId);
  },

  /** Reading one referral: a handler of its unit, or whoever may read the household's file (its cadre, staff in scope). */
  mayReadReferral(actor: Actor, referral: { handlerCadreIds: readonly number[]; householdReadable: boolean }): boolean {
    return referral.householdReadable || (isCadre(actor) && referral.handlerCadreIds.includes(actor.cadreId));
  },
} satisfies ScopedPolicy<Demand>;

/** The referrals (交办) of demands: who reads which (see demandPolicy's note on what a handler reads). */
export const referralPolicy = {
  /**
   * The referrals this caller may read: staff those of households in their subtree; a cadre those to the
   * units they handle now, and those of the households assigned to them (their own demands' referrals).
   */
  scope(actor: Actor): FilterQuery<DemandReferral> {
    if (isStaff(actor)) return { demand: { household: householdPolicy.scope(actor) } };
    if (isCadre(actor)) {
      return { $or: [{ unit: { $in: handlerUnitsOf(actor.cadreId) } }, { demand: { household: householdPolicy.scope(actor) } }] };
    }
    return NOTHING;
  },
} satisfies ScopedPolicy<DemandReferral>;
