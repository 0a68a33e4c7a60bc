import Taro from '@tarojs/taro';
import { getSession } from './session';

export const LOGIN_PAGE = '/pages/login/index';
export const HOME_PAGE = '/pages/households/index';

/** For pages that need a cadre: without a session, go to the sign-in page instead. */
export function requireSession(): boolean {
  if (getSession()) return true;
  void Taro.reLaunch({ url: LOGIN_PAGE });
  return false;
}

export function goHome(): void {
  void Taro.switchTab({ url: HOME_PAGE });
}

export function householdUrl(id: string): string {
  return `/pages/household/index?id=${encodeURIComponent(id)}`;
}

export function recordUrl(householdId: string, headName: string): string {
  return `/pages/record/index?householdId=${encodeURIComponent(householdId)}&name=${encodeURIComponent(headName)}`;
}

export function recordDetailUrl(householdId: string, headName: string, recordId: string): string {
  return `/pages/record-detail/index?householdId=${encodeURIComponent(householdId)}&name=${encodeURIComponent(headName)}&id=${encodeURIComponent(recordId)}`;
}

/** The record form opened to correct (更正) a record: prefilled with its latest version. */
export function correctionUrl(householdId: string, headName: string, recordId: string): string {
  return `${recordUrl(householdId, headName)}&correct=${encodeURIComponent(recordId)}`;
}

/** A refused queued item opened again in its form (a record, a correction or a household's answer). */
export function queuedItemUrl(item: {
  kind: 'submission' | 'correction' | 'confirmation';
  clientId: string;
  householdId: string;
  householdName: string;
}): string {
  if (item.kind === 'confirmation') return `${confirmDemandUrl(item.householdId, item.householdName, null)}&queued=${encodeURIComponent(item.clientId)}`;
  return `${recordUrl(item.householdId, item.householdName)}&queued=${encodeURIComponent(item.clientId)}`;
}

/** 回访: the household's answer to a resolved demand. */
export function confirmDemandUrl(householdId: string, headName: string, demandId: string | null): string {
  const demand = demandId === null ? '' : `&demandId=${encodeURIComponent(demandId)}`;
  return `/pages/confirm-demand/index?householdId=${encodeURIComponent(householdId)}&name=${encodeURIComponent(headName)}${demand}`;
}

/** 待处理: what the server refused, to fix and send again or discard. */
export const PENDING_PAGE = '/pages/pending/index';

/** 消息: the account's notices. */
export const NOTICES_PAGE = '/pages/notices/index';

/** 待办: the handler's unit inbox. */
export const INBOX_PAGE = '/pages/inbox/index';

/** 我的联系点: a leader's contact points and cases. */
export const CONTACT_POINTS_PAGE = '/pages/contact-points/index';

/** One referral on the handler's screen (签收, 退回, 办理进展, 办结). */
export function inboxReferralUrl(referralId: string): string {
  return `/pages/inbox/referral?id=${encodeURIComponent(referralId)}`;
}

/** 交办: refer a household's open demand to a unit. */
export function referUrl(householdId: string, headName: string, demandId: string): string {
  return `/pages/refer/index?householdId=${encodeURIComponent(householdId)}&name=${encodeURIComponent(headName)}&demandId=${encodeURIComponent(demandId)}`;
}
