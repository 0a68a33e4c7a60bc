import { DemandEventKind, type Satisfaction } from '@wanjia/shared';
import type { Em } from '../../core/entity-manager';
import { UserAccount } from '../accounts/user-account.entity';
import { HelpRecord } from '../help-records/help-record.entity';
import { DemandEvent } from './demand-event.entity';
import { DemandReferral } from './demand-referral.entity';
import { Demand } from './demand.entity';

/** One step to append to a demand's timeline. */
export interface DemandStep {
  /** The demand, as an id or as an entity not flushed yet (a demand raised in the same transaction). */
  demand: number | Demand;
  kind: DemandEventKind;
  at: Date;
  /** The account that recorded it; null for the system's own steps (the escalation sweep). */
  actorAccountId: number | null;
  /** How the timeline names the actor ("干部 张三", "平山区民政局 联络员 李四", "系统"); see demand-actor.ts. */
  actorLabel?: string | null;
  /** The referral of a REFERRED, ACCEPTED, RETURNED, unit-RESOLVED or referral-ESCALATED step. */
  referralId?: number | DemandReferral | null;
  /** REFERRED: the referral's due date; INSTRUCTED: the new due date. */
  dueOn?: string | null;
  /** ESCALATED: the rung reached. */
  rung?: number | null;
  helpRecordId?: number | HelpRecord | null;
  satisfaction?: Satisfaction | null;
  note?: string | null;
  clientId?: string | null;
}

/**
 * The demand timeline's writes. Every change of a demand's status appends a step here, in the
 * transaction of the change (a help record's submission or correction, a household's answer), so
 * that the timeline and the demand row never disagree. Steps are never changed or removed.
 */
export const demandTimeline = {
  /** Appends steps to the unit of work of `tx`; the caller's flush (or transaction commit) writes them. */
  append(tx: Em, steps: readonly DemandStep[]): DemandEvent[] {
    return steps.map((step) =>
      tx.create(DemandEvent, {
        demand: typeof step.demand === 'number' ? tx.getReference(Demand, step.demand) : step.demand,
        kind: step.kind,
        at: step.at,
        actorAccount: step.actorAccountId === null ? null : tx.getReference(UserAccount, step.actorAccountId),
        actorLabel: step.actorLabel ?? null,
        referral: step.referralId == null ? null : typeof step.referralId === 'number' ? tx.getReference(DemandReferral, step.referralId) : step.referralId,
        dueOn: step.dueOn ?? null,
        rung: step.rung ?? null,
        helpRecord:
          step.helpRecordId == null ? null : typeof step.helpRecordId === 'number' ? tx.getReference(HelpRecord, step.helpRecordId) : step.helpRecordId,
        satisfaction: step.satisfaction ?? null,
        note: step.note ?? null,
        clientId: step.clientId ?? null,
      }),
    );
  },

  /** The steps a help record's own writes make: RAISED for the demands it heard, RESOLVED for those it resolved. */
  ofHelpRecord(
    record: HelpRecord,
    actorAccountId: number,
    changes: { raised: readonly Demand[]; resolvedIds: readonly number[]; withdrawnIds?: readonly number[]; now?: Date },
  ): DemandStep[] {
    return [
      ...changes.raised.map((demand) => ({ demand, kind: DemandEventKind.RAISED, at: record.occurredAt, actorAccountId, helpRecordId: record })),
      ...changes.resolvedIds.map((id) => ({ demand: id, kind: DemandEventKind.RESOLVED, at: record.occurredAt, actorAccountId, helpRecordId: record })),
      ...(changes.withdrawnIds ?? []).map((id) => ({
        demand: id,
        kind: DemandEventKind.RESOLUTION_WITHDRAWN,
        // When the correction was made, not when the occasion happened: the withdrawal is news.
        at: changes.now ?? new Date(),
        actorAccountId,
        helpRecordId: record,
      })),
    ];
  },
};
