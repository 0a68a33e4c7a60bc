import { raw, UniqueConstraintViolationException } from '@mikro-orm/core';
import { NoticeKind, Role } from '@wanjia/shared';
import type { Actor, Caller } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { BadUserInputError, parseId } from '../../core/errors';
import { paginateById, type Connection, type PageArgs } from '../../core/pagination';
import { assertAllowed } from '../../core/policy';
import { UserAccount } from '../accounts/user-account.entity';
import { recordAudit } from '../audit/audit.service';
import { Demand } from '../demands/demand.entity';
import { NoticeDelivery } from './notice-delivery.entity';
import { NoticeSubscription } from './notice-subscription.entity';
import { Notice } from './notice.entity';
import type { MarkNoticesReadInput, NoticeSubscriptionsInput } from './notice.inputs';
import { noticePolicy } from './notice.policy';

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
  /** A periodic notice's period (VISITS_DUE: the ISO week): at most one per recipient, kind and period. */
  periodKey?: string | null;
}

/**
 * The most one-time subscription credits a cadre holds for one kind. WeChat does let accepts pile up,
 * but each credit here is a message we will try to send, and a count above what WeChat really holds
 * (an app calling recordNoticeSubscriptions in a loop, a replayed request) turns into sends WeChat
 * refuses, each spending the app's daily call quota (45009) that every cadre shares. 50 is far more
 * than the app asks for between two messages of a kind (it asks after binding and after each
 * referral; the weekly reminder uses about one a week), so a real cadre never meets the cap.
 */
export const MAX_SUBSCRIPTION_CREDITS = 50;

/** The most ids one markNoticesRead may name (a page of notices is at most 100). */
export const MAX_IDS_PER_MARK = 100;

/** Cut to the column's length, marking the cut, so that an over-long draft never fails its event's transaction. */
function fit(text: string, length: number): string {
  const characters = Array.from(text.trim());
  return characters.length <= length ? characters.join('') : `${characters.slice(0, length - 1).join('')}…`;
}

const unique = (values: Iterable<number>): number[] => [...new Set(values)];

export const noticeService = {
  /**
   * Writes the notices into the unit of work of `tx`: the caller's transaction commits them with the
   * event, or rolls them back with it (call it inside `em.transactional`; a plain EntityManager writes
   * them at its next flush). Each recipient account (active ones only) gets one notice per draft; a
   * cadre's account with a WeChat binding and a subscription credit for the kind also gets a delivery
   * row for the worker. Costs three selects per call, whatever the number of drafts and recipients.
   */
  async enqueue(tx: Em, drafts: readonly NoticeDraft[]): Promise<void> {
    if (drafts.length === 0) return;
    const cadreIds = unique(drafts.flatMap((draft) => draft.recipientCadreIds ?? []));
    const accountIds = unique(drafts.flatMap((draft) => draft.recipientAccountIds ?? []));
    const accounts = await tx.find(UserAccount, {
      active: true,
      $or: [...(cadreIds.length > 0 ? [{ cadre: { $in: cadreIds } }] : []), ...(accountIds.length > 0 ? [{ id: { $in: accountIds } }] : [])],
    });
    if (accounts.length === 0) return;
    const byCadre = new Map(accounts.filter((account) => account.cadre).map((account) => [account.cadre!.id, account]));
    const byId = new Map(accounts.map((account) => [account.id, account]));
    const subscribed = new Set(
      (
        await tx.find(
          NoticeSubscription,
          {
            account: { $in: accounts.filter((account) => account.role === Role.CADRE && account.wechatOpenid).map((account) => account.id) },
            credits: { $gt: 0 },
          },
          { fields: ['account', 'kind'] },
        )
      ).map((subscription) => `${subscription.account.id}:${subscription.kind}`),
    );
    for (const draft of drafts) {
      const recipients = new Map<number, UserAccount>();
      for (const cadreId of draft.recipientCadreIds ?? []) {
        const account = byCadre.get(cadreId);
        if (account) recipients.set(account.id, account);
      }
      for (const accountId of draft.recipientAccountIds ?? []) {
        const account = byId.get(accountId);
        if (account) recipients.set(account.id, account);
      }
      for (const account of recipients.values()) {
        const notice = tx.create(Notice, {
          recipientAccount: account,
          kind: draft.kind,
          demand: draft.demandId ? tx.getReference(Demand, draft.demandId) : null,
          referralId: draft.referralId ?? null,
          title: fit(draft.title, 40),
          body: fit(draft.body, 200),
          periodKey: draft.periodKey ?? null,
          createdAt: draft.at,
        });
        if (subscribed.has(`${account.id}:${draft.kind}`)) {
          tx.create(NoticeDelivery, { notice, templateKey: draft.kind, nextAttemptAt: draft.at });
        }
      }
    }
  },

  /** The caller's own notices, newest first; unreadOnly: those not yet read. */
  async myNotices(em: Em, actor: Actor, unreadOnly: boolean, page: PageArgs): Promise<Connection<Notice>> {
    const scope = noticePolicy.scope(actor);
    return paginateById(em, Notice, unreadOnly ? { $and: [scope, { readAt: null }] } : scope, page, { direction: 'desc' });
  },

  /** How many of the caller's unread notices there are (the badge). */
  async unreadCount(em: Em, actor: Actor): Promise<number> {
    return em.count(Notice, { $and: [noticePolicy.scope(actor), { readAt: null }] });
  },

  /**
   * Marks the caller's notices read: the listed ids (others' ids change nothing and are not told
   * apart from read ones), or all. Answers how many changed, in one conditional UPDATE.
   */
  async markRead(em: Em, caller: Caller, input: MarkNoticesReadInput, now: Date): Promise<number> {
    assertAllowed(noticePolicy.mayMarkRead(caller.actor));
    const all = input.all === true;
    if (all === (input.ids != null && input.ids.length > 0)) {
      throw new BadUserInputError(all ? 'input.ids' : 'input.all', 'give either ids or all: true');
    }
    const ids = all ? [] : unique((input.ids ?? []).map((id) => parseId(id, 'input.ids')));
    if (ids.length > MAX_IDS_PER_MARK) throw new BadUserInputError('input.ids', `at most ${MAX_IDS_PER_MARK} ids at a time; use all: true for every notice`);
    return em.transactional(async (tx) => {
      const changed = await tx.nativeUpdate(
        Notice,
        { $and: [noticePolicy.scope(caller.actor), { readAt: null }, ...(all ? [] : [{ id: { $in: ids } }])] },
        { readAt: now },
      );
      recordAudit(tx, caller, {
        operation: 'markNoticesRead',
        entityName: 'Notice',
        entityId: all ? 'all' : ids.join(',').slice(0, 60),
        changes: { all, ids: all ? undefined : ids, changed },
      });
      return changed;
    });
  },

  /**
   * What the cadre answered in wx.requestSubscribeMessage: each accepted kind is one more message
   * WeChat lets us send. Rejected kinds change no credit (earlier accepts still stand on WeChat's
   * side); they are only recorded in the audit entry. A kind already at MAX_SUBSCRIPTION_CREDITS
   * stays there. Answers how many credits were added.
   */
  async recordSubscriptions(em: Em, caller: Caller, input: NoticeSubscriptionsInput, now: Date): Promise<number> {
    assertAllowed(noticePolicy.mayRecordSubscriptions(caller.actor), 'Only cadres subscribe to WeChat messages');
    const accepted = [...new Set(input.accepted)];
    const rejected = [...new Set(input.rejected)];
    const both = accepted.filter((kind) => rejected.includes(kind));
    if (both.length > 0) throw new BadUserInputError('input.rejected', `a kind is either accepted or rejected, not both: ${both.join(', ')}`);
    const account = em.getReference(UserAccount, caller.actor.accountId);
    const write = () =>
      em.transactional(async (tx) => {
        let added = 0;
        if (accepted.length > 0) {
          const existing = await tx.find(NoticeSubscription, { account, kind: { $in: accepted } });
          const have = new Set(existing.map((row) => row.kind));
          if (existing.length > 0) {
            // Conditional on the cap in the UPDATE itself, so concurrent accepts never pass it; the rows it changed are the credits added.
            added += await tx.nativeUpdate(
              NoticeSubscription,
              { id: { $in: existing.map((row) => row.id) }, credits: { $lt: MAX_SUBSCRIPTION_CREDITS } },
              { credits: raw('credits + 1'), updatedAt: now },
            );
          }
          for (const kind of accepted.filter((kind) => !have.has(kind))) {
            tx.create(NoticeSubscription, { account, kind, credits: 1, updatedAt: now });
            added += 1;
          }
        }
        recordAudit(tx, caller, {
          operation: 'recordNoticeSubscriptions',
          entityName: 'NoticeSubscription',
          entityId: caller.actor.accountId,
          changes: { accepted, rejected, added },
        });
        return added;
      });
    try {
      return await write();
    } catch (error) {
      // Two first accepts of one kind at once: the loser's insert meets the winner's row; once more adds to it.
      if (error instanceof UniqueConstraintViolationException) return write();
      throw error;
    }
  },
};
