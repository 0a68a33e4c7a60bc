import Taro from '@tarojs/taro';
import type { LoopSummary } from './loop';

/** The tab bar's 我的 (index 1): where 消息, 待办 and 我的联系点 open from. */
const MINE_TAB = 1;

/** What the 我的 tab's badge counts: referrals waiting to be signed for, and unread notices. */
export function badgeCount(summary: Pick<LoopSummary, 'inboxPending' | 'unreadNotices'>): number {
  return summary.inboxPending + summary.unreadNotices;
}

/** The badge's text: none for 0, "99+" past 99 (WeChat draws at most 4 characters). */
export function badgeText(count: number): string | null {
  if (count <= 0) return null;
  return count > 99 ? '99+' : String(count);
}

/** Shows the count on the 我的 tab (only pages with the tab bar can; elsewhere it quietly does nothing). */
export function showLoopBadge(summary: Pick<LoopSummary, 'inboxPending' | 'unreadNotices'>): void {
  const text = badgeText(badgeCount(summary));
  try {
    const done = text ? Taro.setTabBarBadge({ index: MINE_TAB, text }) : Taro.removeTabBarBadge({ index: MINE_TAB });
    void Promise.resolve(done).catch(() => undefined);
  } catch {
    // Not a tab page.
  }
}
