import type { NoticeKind } from '@wanjia/shared';
import type { Em } from '../../core/entity-manager';

/**
 * A notice to write in the transaction of the event it tells of (the outbox): an in-app message for
 * each recipient and, where the recipient subscribed, a WeChat subscribe message sent later by the worker.
 * Title and body never carry what the recipient may not read (no ID numbers, no key-focus reasons).
 */
export interface NoticeDraft {
  kind: NoticeKind;
  /** Cadres to tell (their accounts receive it); a cadre without an account is skipped. */
  recipientCadreIds?: readonly number[];
  /** Staff (or cadre) accounts to tell directly. */
  recipientAccountIds?: readonly number[];
  demandId?: number | null;
  referralId?: number | null;
  /** Short, at most 40 characters (WeChat's thing fields are 20). */
  title: string;
  /** At most 200 characters. */
  body: string;
  at: Date;
}

export const noticeService = {
  /**
   * Writes the notices into the unit of work of `tx` (the caller's transaction commits them with the
   * event). Placeholder until the notices feature lands: it accepts the drafts and writes nothing.
   */
  async enqueue(_tx: Em, _drafts: readonly NoticeDraft[]): Promise<void> {
    // Filled in by the notices feature (issue 15).
  },
};
