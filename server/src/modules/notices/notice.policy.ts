import type { FilterQuery } from '@mikro-orm/core';
import { isCadre, type Actor } from '../../core/caller';
import type { ScopedPolicy } from '../../core/policy';
import type { Notice } from './notice.entity';

/**
 * Notices are private to their recipient: every account, whatever its role or region, reads and marks
 * only the notices addressed to it. What a notice links to (a demand, a referral) is read through that
 * object's own policy, so a notice never widens what its reader sees.
 */
export const noticePolicy = {
  scope(actor: Actor): FilterQuery<Notice> {
    return { recipientAccount: actor.accountId };
  },
  /** Any signed-in account marks its own notices read. */
  mayMarkRead(_actor: Actor): boolean {
    return true;
  },
  /** WeChat subscriptions are the cadres' (the mini-program's users); staff sign in with passwords. */
  mayRecordSubscriptions(actor: Actor): boolean {
    return isCadre(actor);
  },
} satisfies ScopedPolicy<Notice>;
