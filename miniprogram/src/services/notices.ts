import Taro from '@tarojs/taro';
import {
  MarkNoticesReadDocument,
  MyNoticesDocument,
  RecordNoticeSubscriptionsDocument,
  type MyNoticesQuery,
  type NoticeKind,
} from '@/graphql/generated/graphql';
import { request } from './api';
import { caseloadHouseholds, readHouseholdFile } from './caseload';
import { MY_REPORTS_PAGE } from './field-reports';
import { HOME_PAGE, householdUrl, inboxReferralUrl } from './navigation';

/**
 * 消息: the account's notices from the server (a referral to the cadre's unit, one returned, an
 * escalation, an instruction, a resolution awaiting the household's answer, visits due this week),
 * and WeChat's one-time subscription messages, which carry the same notices to the phone.
 */

export type Notice = MyNoticesQuery['myNotices']['nodes'][number];
export type NoticePage = MyNoticesQuery['myNotices'];
export const NOTICES_PAGE = 20;

export async function loadNotices(after: string | null = null, unreadOnly = false): Promise<NoticePage> {
  return (await request(MyNoticesDocument, { first: NOTICES_PAGE, after, unreadOnly })).myNotices;
}

/** Marks notices read; answers how many changed. */
export async function markNoticesRead(ids: string[] | null): Promise<number> {
  return (await request(MarkNoticesReadDocument, { input: ids === null ? { all: true } : { ids } })).markNoticesRead;
}

/**
 * Where a notice leads: a referral to the handler's screen, a demand to its household (the caller's
 * own household: the server only tells a cadre about demands they hold). householdId is what the app
 * knows of the demand's household; without it, nothing opens.
 */
export function noticeTarget(notice: Pick<Notice, 'kind' | 'referralId' | 'demandId'>, householdOfDemand: (demandId: string) => string | null): string | null {
  // A referral to the unit is the handler's to act on; a returned one, the cadre's demand again.
  if (notice.referralId && notice.kind === 'REFERRED_TO_UNIT') return inboxReferralUrl(notice.referralId);
  if (notice.demandId) {
    const householdId = householdOfDemand(notice.demandId);
    if (householdId) return householdUrl(householdId);
  }
  if (notice.referralId) return inboxReferralUrl(notice.referralId);
  // This week's visits: the households list, overdue ones first.
  if (notice.kind === 'VISITS_DUE') return HOME_PAGE;
  // A field report decided: the cadre's reports, with the outcome and the administrator's note.
  if (notice.kind === 'FIELD_REPORT_DECIDED') return MY_REPORTS_PAGE;
  return null;
}

/**
 * The template ids of WeChat's subscription messages, by notice kind, compiled in at build time
 * (TARO_APP_NOTICE_TEMPLATES, config/index.ts: "KIND=templateId,KIND=templateId"). None configured:
 * the app never asks.
 */
export function configuredTemplates(raw: string | undefined = process.env.TARO_APP_NOTICE_TEMPLATES): { kind: NoticeKind; templateId: string }[] {
  return (raw ?? '')
    .split(',')
    .map((pair) => pair.trim().split('='))
    .filter((pair): pair is [string, string] => pair.length === 2 && pair[0]!.trim() !== '' && pair[1]!.trim() !== '')
    .map(([kind, templateId]) => ({ kind: kind.trim() as NoticeKind, templateId: templateId.trim() }));
}

/** WeChat's answer (templateId → accept / reject / ban / filter) as the server wants it, by kind. */
export function subscriptionAnswer(
  templates: readonly { kind: NoticeKind; templateId: string }[],
  answer: Record<string, unknown>,
): { accepted: NoticeKind[]; rejected: NoticeKind[] } {
  const accepted: NoticeKind[] = [];
  const rejected: NoticeKind[] = [];
  for (const { kind, templateId } of templates) {
    const said = answer[templateId];
    if (said === 'accept') accepted.push(kind);
    else if (said === 'reject' || said === 'ban') rejected.push(kind);
  }
  return { accepted, rejected };
}

export type SubscriptionAnswer = { accepted: NoticeKind[]; rejected: NoticeKind[] };

/**
 * Opens WeChat's one-time subscription prompt at once. WeChat shows it only from a tap, before
 * anything is awaited, so a screen calls this first thing in its tap handler (binding, 交办) and hands
 * the answer to recordNoticeAnswer once its own write is done. In h5 there is no such prompt, and with
 * no template configured nothing is asked: null. A dismissed prompt is null too.
 */
export function promptNoticeSubscriptions(): Promise<SubscriptionAnswer | null> {
  if (process.env.TARO_ENV !== 'weapp') return Promise.resolve(null);
  const templates = configuredTemplates().slice(0, 3); // WeChat accepts at most 3 per prompt.
  if (templates.length === 0) return Promise.resolve(null);
  try {
    return Promise.resolve(Taro.requestSubscribeMessage({ tmplIds: templates.map((template) => template.templateId), entityIds: [] })).then(
      (answer) => subscriptionAnswer(templates, answer as unknown as Record<string, unknown>),
      () => null,
    );
  } catch {
    // Not supported by this WeChat: the notices still appear in 消息.
    return Promise.resolve(null);
  }
}

/** Tells the server what the cadre answered (signed in by then); a failure here never stops the cadre. */
export async function recordNoticeAnswer(pending: Promise<SubscriptionAnswer | null>): Promise<void> {
  const input = await pending;
  if (!input || input.accepted.length + input.rejected.length === 0) return;
  await request(RecordNoticeSubscriptionsDocument, { input }).catch(() => undefined);
}

/** Both at once, where nothing else is written first. */
export function askForNoticeSubscriptions(): Promise<void> {
  return recordNoticeAnswer(promptNoticeSubscriptions());
}

/** The household of a demand, from the phone's copy of the caseload (the cadre's own households). */
export function householdOfDemandInCaseload(demandId: string): string | null {
  for (const household of caseloadHouseholds()?.households ?? []) {
    const file = readHouseholdFile(household.id)?.value;
    const demands = [...(file?.openDemands ?? []), ...(file?.demandsAwaitingConfirmation ?? [])];
    if (demands.some((demand) => demand.id === demandId)) return household.id;
  }
  return null;
}
