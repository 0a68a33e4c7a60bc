import type { FilterQuery } from '@mikro-orm/core';
import { isCadre, type Actor } from '../../core/caller';
import type { ScopedPolicy } from '../../core/policy';
import { householdPolicy } from '../households/household.policy';
import type { HelpRecord } from './help-record.entity';

/**
 * Help records are written by cadres, each for the households they were assigned to when the visit
 * happened (the service finds that assignment), and read with the household's file. A cadre also
 * reads the records that cadre wrote, after a transfer too: a resend is acknowledged with the
 * cadre's own record (graphql/object-scope.guard.ts).
 */
export const helpRecordPolicy = {
  /** The records of the households this caller may read, and a cadre's own records. */
  scope(actor: Actor): FilterQuery<HelpRecord> {
    const ofReadableHouseholds = { household: householdPolicy.scope(actor) };
    return isCadre(actor) ? { $or: [{ cadre: actor.cadreId }, ofReadableHouseholds] } : ofReadableHouseholds;
  },

  /** Submitting a record: cadres only (staff record no visits). */
  mayRecord(actor: Actor): actor is Actor & { cadreId: number } {
    return isCadre(actor);
  },

  /** Correcting a record (a new version of it): the cadre who recorded it. */
  mayCorrect(actor: Actor, record: { authorCadreId: number }): boolean {
    return isCadre(actor) && actor.cadreId === record.authorCadreId;
  },

  /**
   * Whether a correction of this version would be taken now (the app offers 更正 only then): the
   * author's own latest version, while the late-record grace after the assignment's end has not
   * passed (`lateGraceOver`, which the caller works out with the clock).
   */
  mayCorrectNow(actor: Actor, record: { authorCadreId: number; isLatest: boolean; lateGraceOver: boolean }): boolean {
    return isCadre(actor) && actor.cadreId === record.authorCadreId && record.isLatest && !record.lateGraceOver;
  },

  /** A record stays readable to the cadre who wrote it, wherever the household went since. */
  mayReadAsAuthor(actor: Actor, record: { authorCadreId: number | null }): boolean {
    return actor.cadreId !== null && actor.cadreId === record.authorCadreId;
  },
} satisfies ScopedPolicy<HelpRecord>;
