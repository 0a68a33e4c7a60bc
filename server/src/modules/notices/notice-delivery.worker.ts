import { randomBytes } from 'node:crypto';
import { raw } from '@mikro-orm/core';
import type { AppConfig } from '../../config';
import type { Clock } from '../../core/clock';
import type { Em } from '../../core/entity-manager';
import { shanghaiDate } from '../../core/time';
import type { Logger } from '../../logger';
import { NoticeDelivery, DeliveryStatus } from './notice-delivery.entity';
import { NoticeSubscription } from './notice-subscription.entity';
import { accessToken, sendSubscribeMessage, WECHAT_ERRCODE, WechatUnreachableError, type WechatAnswer } from './wechat-messages.client';

/** Sends tried per delivery before it is FAILED (the first try and five retries). */
export const MAX_DELIVERY_ATTEMPTS = 6;
/** The first retry waits this long; each further one twice as long (1, 2, 4, 8, 16 minutes). */
export const RETRY_BASE_MS = 60_000;
/** After WeChat's daily quota answer (45009): not before an hour, and the rest of the batch waits too. */
export const QUOTA_RETRY_MS = 60 * 60_000;
/** A message not sent within this long after its notice is dropped: a reminder three days late is noise. */
export const DELIVERY_STALE_MS = 72 * 60 * 60_000;
/**
 * How long a run holds a row: from the claim, and again from just before the row's own send (each
 * send renews it), so it must outlast one row's work (a token fetch and two sends, 5 s timeout each),
 * not the whole batch's — a batch on a slow WeChat can take longer than this.
 */
export const DELIVERY_LEASE_MS = 5 * 60_000;
export const DELIVERY_BATCH = 50;

/** Answers that will not change on a retry: a wrong openid (40003), template (40037), page or data (41030, 47003). */
const PERMANENT_ERRCODES = new Set([40003, 40037, 41030, 47003]);
const TOKEN_ERRCODES = new Set<number>([WECHAT_ERRCODE.INVALID_TOKEN, WECHAT_ERRCODE.TOKEN_EXPIRED, 40014]);

export interface DeliveryOutcome {
  sent: number;
  retried: number;
  skipped: number;
  failed: number;
  /** Rows this run claimed but another run took over (its lease had lapsed) before this one sent them. */
  lost: number;
}

export interface DeliveryOptions {
  batchSize?: number;
  logger?: Logger;
  /**
   * The current time as the run goes on, for renewing each row's lease just before its send (`now`
   * is the tick's start and stays fixed). Default: `now` plus the real time elapsed since the call.
   */
  clock?: Clock;
}

/** WeChat's `thing` fields take 20 characters; `time` fields a date and time. */
function thing(text: string): string {
  const characters = Array.from(text);
  return characters.length <= 20 ? text : `${characters.slice(0, 19).join('')}…`;
}

function shanghaiTime(instant: Date): string {
  const shifted = new Date(instant.getTime() + 8 * 60 * 60_000).toISOString();
  return `${shanghaiDate(instant)} ${shifted.slice(11, 16)}`;
}

/** Milliseconds until the retry after `attempts` tries. */
export function retryDelayMs(attempts: number): number {
  return RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1);
}

/**
 * The WeChat outbox's worker: claims up to a batch of due PENDING deliveries with a conditional UPDATE
 * (lease_owner = this run, lease_until = now + 5 min, only where no live lease is held), so that any
 * number of instances (or Galera nodes) run it at once and each row is worked by one run; then sends
 * them one by one and settles each row with an UPDATE conditional on still holding its lease.
 *
 * Outcomes: WeChat's 0 → SENT (and one subscription credit used); 43101 → SKIPPED and the kind's credits
 * zeroed (the user has none left); 40001 / 42001 → the token renewed and the send tried once more;
 * 45009 (daily quota) → retried in an hour, the rest of the batch with it, not counted as an attempt;
 * network errors, HTTP 5xx and other codes → retried with backoff (1, 2, 4, 8, 16 min), FAILED after
 * six tries; permanent refusals (bad openid, template, data) → FAILED at once; older than 72 h → FAILED.
 *
 * Exactly once, and its one window: a row is sent only by the run that holds its lease. Just before
 * each send the run renews that row's lease with one conditional UPDATE (lease_owner still this run,
 * still PENDING → lease_until = the current time + 5 min); 0 rows changed means another run took
 * the row over after the lease lapsed (a batch on a slow WeChat outlived the claim), and the row is
 * left to it unsent. So a lease lapses under a send only if that one row's work takes 5 minutes.
 * If the process dies after WeChat accepted a message and before the SENT update commits, the lease
 * lapses and a later run sends it again (the one duplicate a crash can cause; WeChat offers no
 * idempotency key to close it).
 *
 * Logs name deliveries by id, kind and WeChat's code only: never the openid, title or body.
 */
export async function deliverPendingNotices(em: Em, config: AppConfig, now: Date, owner: string, options: DeliveryOptions = {}): Promise<DeliveryOutcome> {
  const outcome: DeliveryOutcome = { sent: 0, retried: 0, skipped: 0, failed: 0, lost: 0 };
  const logger = options.logger;
  const started = Date.now();
  const clock: Clock = options.clock ?? { now: () => new Date(now.getTime() + (Date.now() - started)) };
  const fork = em.fork();
  const due = { status: DeliveryStatus.PENDING, nextAttemptAt: { $lte: now }, $or: [{ leaseUntil: null }, { leaseUntil: { $lt: now } }] };
  const candidates = await fork.find(NoticeDelivery, due, {
    fields: ['id'],
    orderBy: { nextAttemptAt: 'asc', id: 'asc' },
    limit: options.batchSize ?? DELIVERY_BATCH,
  });
  if (candidates.length === 0) return outcome;
  // A token of this run (owner + a nonce): the rows it holds are those carrying it.
  const lease = `${owner.slice(0, 47)}#${randomBytes(8).toString('hex')}`;
  try {
    await fork.nativeUpdate(
      NoticeDelivery,
      { $and: [due, { id: { $in: candidates.map((row) => row.id) } }] },
      { leaseOwner: lease, leaseUntil: new Date(now.getTime() + DELIVERY_LEASE_MS) },
    );
  } catch (error) {
    // Galera: two nodes claiming the same rows, the later commit is refused (1213). The other run has them.
    if (isDeadlock(error)) return outcome;
    throw error;
  }
  const rows = await fork.find(
    NoticeDelivery,
    { leaseOwner: lease, status: DeliveryStatus.PENDING },
    { populate: ['notice', 'notice.recipientAccount'], orderBy: { nextAttemptAt: 'asc', id: 'asc' } },
  );

  /** Settles a row this run holds; a row whose lease was lost is left to its new holder. */
  const settle = async (row: NoticeDelivery, change: Partial<Pick<NoticeDelivery, 'status' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'sentAt'>>) => {
    const changed = await fork.nativeUpdate(NoticeDelivery, { id: row.id, leaseOwner: lease }, { ...change, leaseOwner: null, leaseUntil: null });
    if (changed === 0) logger?.warn({ deliveryId: row.id }, 'notice delivery: lease lost before settling; left to its new holder');
    return changed;
  };
  const retry = async (row: NoticeDelivery, error: string) => {
    const attempts = row.attempts + 1;
    if (attempts >= MAX_DELIVERY_ATTEMPTS) {
      outcome.failed += 1;
      logger?.warn({ deliveryId: row.id, kind: row.templateKey, attempts, error }, 'notice delivery failed for good');
      return settle(row, { status: DeliveryStatus.FAILED, attempts, lastError: error });
    }
    outcome.retried += 1;
    logger?.info({ deliveryId: row.id, kind: row.templateKey, attempts, error }, 'notice delivery: retry later');
    return settle(row, { attempts, nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts)), lastError: error });
  };
  const skip = async (row: NoticeDelivery, reason: string) => {
    outcome.skipped += 1;
    return settle(row, { status: DeliveryStatus.SKIPPED, lastError: reason });
  };

  let token: string | null = null;
  for (const [index, row] of rows.entries()) {
    const notice = row.notice;
    const account = notice.recipientAccount;
    const templateId = config.notices.templates[row.templateKey];
    if (!templateId) {
      await skip(row, `no template configured (WECHAT_TEMPLATE_${row.templateKey})`);
      continue;
    }
    if (!account.active || !account.wechatOpenid) {
      await skip(row, 'the account has no WeChat binding');
      continue;
    }
    if (now.getTime() - notice.createdAt.getTime() > DELIVERY_STALE_MS) {
      outcome.failed += 1;
      await settle(row, { status: DeliveryStatus.FAILED, lastError: 'stale: not sent within 72 hours' });
      continue;
    }
    const subscription = await fork.findOne(NoticeSubscription, { account: account.id, kind: row.templateKey }, { refresh: true });
    if (!subscription || subscription.credits <= 0) {
      await skip(row, 'no subscription credit');
      continue;
    }
    if (!(await renewLease(fork, row.id, lease, clock.now()))) {
      outcome.lost += 1;
      logger?.warn({ deliveryId: row.id }, 'notice delivery: lease lapsed and taken over before sending; left to its new holder');
      continue;
    }
    const message = {
      touser: account.wechatOpenid,
      template_id: templateId,
      page: `${config.notices.page}?noticeId=${notice.id}${notice.demand ? `&demandId=${notice.demand.id}` : ''}`,
      data: { thing1: { value: thing(notice.title) }, thing2: { value: thing(notice.body) }, time3: { value: shanghaiTime(notice.createdAt) } },
    };
    let answer: WechatAnswer;
    try {
      token ??= await accessToken(fork, config.wechat, now);
      answer = await sendSubscribeMessage(config.wechat, token, message);
      if (TOKEN_ERRCODES.has(answer.errcode)) {
        // The token was replaced or lapsed: the table's newer one if another instance renewed it meanwhile,
        // else a new one (for every instance); this message is tried once more.
        token = await accessToken(fork, config.wechat, now, token);
        answer = await sendSubscribeMessage(config.wechat, token, message);
      }
    } catch (error) {
      if (!(error instanceof WechatUnreachableError)) throw error;
      await retry(row, error.message);
      continue;
    }
    if (answer.errcode === 0) {
      if ((await settle(row, { status: DeliveryStatus.SENT, attempts: row.attempts + 1, sentAt: now, lastError: null })) > 0) {
        outcome.sent += 1;
        await fork
          .createQueryBuilder(NoticeSubscription)
          .update({ credits: raw('case when credits > 0 then credits - 1 else 0 end'), updatedAt: now })
          .where({ id: subscription.id })
          .execute();
      }
      continue;
    }
    const error = `WeChat ${answer.errcode}: ${answer.errmsg}`.slice(0, 200);
    if (answer.errcode === WECHAT_ERRCODE.USER_REFUSED) {
      await fork.nativeUpdate(NoticeSubscription, { id: subscription.id }, { credits: 0, updatedAt: now });
      await skip(row, error);
      continue;
    }
    if (answer.errcode === WECHAT_ERRCODE.QUOTA) {
      // Every send fails until the quota comes back: this row and the rest of the batch wait an hour, uncounted.
      outcome.retried += rows.length - index;
      logger?.warn({ deliveryId: row.id, errcode: answer.errcode }, 'notice delivery: WeChat quota used up; retrying in an hour');
      await fork.nativeUpdate(
        NoticeDelivery,
        { id: { $in: rows.slice(index).map((rest) => rest.id) }, leaseOwner: lease },
        { nextAttemptAt: new Date(now.getTime() + QUOTA_RETRY_MS), lastError: error, leaseOwner: null, leaseUntil: null },
      );
      break;
    }
    if (PERMANENT_ERRCODES.has(answer.errcode)) {
      outcome.failed += 1;
      logger?.warn({ deliveryId: row.id, kind: row.templateKey, errcode: answer.errcode }, 'notice delivery refused for good');
      await settle(row, { status: DeliveryStatus.FAILED, attempts: row.attempts + 1, lastError: error });
      continue;
    }
    await retry(row, error);
  }
  return outcome;
}

/**
 * Extends this run's lease on one row, if it still holds it: one conditional UPDATE, so a run that took
 * the row over meanwhile (lease_owner changed) wins and this one learns it has lost the row.
 */
async function renewLease(em: Em, id: number, lease: string, current: Date): Promise<boolean> {
  try {
    const changed = await em.nativeUpdate(
      NoticeDelivery,
      { id, leaseOwner: lease, status: DeliveryStatus.PENDING },
      { leaseUntil: new Date(current.getTime() + DELIVERY_LEASE_MS) },
    );
    return changed > 0;
  } catch (error) {
    // Galera: another node's claim of the row committed first (1213); the row is that run's.
    if (isDeadlock(error)) return false;
    throw error;
  }
}

function isDeadlock(error: unknown): boolean {
  const code = (error as { code?: unknown; errno?: unknown } | null)?.code;
  const errno = (error as { errno?: unknown } | null)?.errno;
  return code === 'ER_LOCK_DEADLOCK' || errno === 1213 || (error instanceof Error && error.name === 'DeadlockException');
}
