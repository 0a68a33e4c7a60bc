import { LABELS_ZH } from '@wanjia/shared';
import {
  AcceptReferralDocument,
  HouseholdDemandLoopDocument,
  MyInboxDocument,
  MyLoopSummaryDocument,
  NoteDemandProgressDocument,
  ReferDemandDocument,
  ReferralDocument,
  ReferralTargetsDocument,
  ResolveReferralDocument,
  ReturnReferralDocument,
  StartDemandWorkDocument,
  type DemandEventFieldsFragment,
  type DemandLoopFieldsFragment,
  type MyInboxQuery,
  type MyLoopSummaryQuery,
  type ReferralFieldsFragment,
  type ReferralStatus,
  type ReferralUnitFieldsFragment,
} from '@/graphql/generated/graphql';
import { request } from './api';
import { formatDate } from './dates';
import { loadWithOfflineCopy, type Loaded } from './cache';
import { ApiError, describeError, refusalText } from './errors';
import { actionKey, runAction } from './loop-actions';

/**
 * The demand loop (issue 15) as the cadres' app reads and moves it: a household's open demands with
 * their referral and timeline (the household's cadre), the unit's inbox (待办) and a referral (the
 * unit's handler, 联络员), the units a demand can be referred to, and the transitions. The server
 * decides each transition against the demand's state then; the app shows its answer.
 */

export type LoopDemand = DemandLoopFieldsFragment;
export type Referral = ReferralFieldsFragment;
export type ReferralUnit = ReferralUnitFieldsFragment;
export type DemandEvent = DemandEventFieldsFragment;
export type LoopSummary = MyLoopSummaryQuery['myLoopSummary'];
export type InboxPage = MyInboxQuery['myInbox'];

/** The limits the server checks (contract): notes and reasons 1–500, a resolution 1–1000. */
export const MAX_LOOP_NOTE = 500;
export const MAX_RESOLUTION = 1000;
export const INBOX_PAGE = 20;

/** 待签收 / 办理中 / 已办结: the inbox's tabs, each a referral status. */
export const INBOX_TABS: readonly { status: ReferralStatus; label: string }[] = (['PENDING', 'ACCEPTED', 'RESOLVED'] as const).map((status) => ({
  status,
  label: LABELS_ZH.ReferralStatus[status],
}));

const SUMMARY_COPY_KEY = 'loop-summary';

/** 我的 and the tab badge: the handler's units and counts, unread notices, whether the cadre is a leader. */
export function loadLoopSummary(): Promise<Loaded<LoopSummary>> {
  return loadWithOfflineCopy(SUMMARY_COPY_KEY, async () => (await request(MyLoopSummaryDocument, {})).myLoopSummary);
}

/** A resolution by a unit (办结), as the household screen shows it on a demand awaiting the household's answer. */
export interface UnitResolution {
  unitName: string;
  resolution: string | null;
}

/**
 * The household's open demands with the loop's fields (the household screen's second read), and for
 * demands awaiting the household's answer the resolution of the unit that resolved them, if one did.
 */
export async function loadHouseholdDemandLoop(householdId: string): Promise<{ open: LoopDemand[]; resolvedByUnit: Map<string, UnitResolution> }> {
  const { household } = await request(HouseholdDemandLoopDocument, { id: householdId });
  return { open: household.openDemands, resolvedByUnit: unitResolutions(household.demandsAwaitingConfirmation) };
}

/** The latest RESOLVED referral of each demand, by demand id. */
export function unitResolutions(
  demands: readonly { id: string; referrals: readonly { status: string; resolution?: string | null; unit: { name: string } }[] }[],
): Map<string, UnitResolution> {
  const resolved = new Map<string, UnitResolution>();
  for (const demand of demands) {
    const last = [...demand.referrals].reverse().find((referral) => referral.status === 'RESOLVED');
    if (last) resolved.set(demand.id, { unitName: last.unit.name, resolution: last.resolution ?? null });
  }
  return resolved;
}

export async function loadInbox(status: ReferralStatus, after: string | null = null): Promise<InboxPage> {
  return (await request(MyInboxDocument, { status, first: INBOX_PAGE, after })).myInbox;
}

export async function loadReferral(id: string): Promise<Referral | null> {
  return (await request(ReferralDocument, { id })).referral ?? null;
}

export async function loadReferralTargets(demandId: string): Promise<ReferralUnit[]> {
  return (await request(ReferralTargetsDocument, { demandId })).referralTargets;
}

/** 开始办理: the household's cadre takes an open demand in hand. */
export function startDemandWork(demandId: string, note: string | null): Promise<LoopDemand> {
  return runAction(
    actionKey('start', demandId),
    { note },
    async (clientId) => (await request(StartDemandWorkDocument, { input: { demandId, clientId, note } })).startDemandWork,
  );
}

/** 交办: refers the demand to a unit in reach; dueOn null leaves the default (the category's days) to the server. */
export function referDemand(input: { demandId: string; unitId: string; note: string | null; dueOn: string | null }) {
  return runAction(
    actionKey('refer', input.demandId),
    { unitId: input.unitId, note: input.note, dueOn: input.dueOn },
    async (clientId) => (await request(ReferDemandDocument, { input: { ...input, clientId } })).referDemand,
  );
}

/** 签收. */
export function acceptReferral(referralId: string): Promise<Referral> {
  return runAction(
    actionKey('accept', referralId),
    {},
    async (clientId) => (await request(AcceptReferralDocument, { input: { referralId, clientId } })).acceptReferral,
  );
}

/** 退回, with the reason the cadre reads. */
export function returnReferral(referralId: string, reason: string): Promise<Referral> {
  return runAction(
    actionKey('return', referralId),
    { reason },
    async (clientId) => (await request(ReturnReferralDocument, { input: { referralId, clientId, reason } })).returnReferral,
  );
}

/** 办理进展: a note on the work, by whoever holds it (the cadre, or the handler of an accepted referral). */
export function noteDemandProgress(demandId: string, note: string): Promise<LoopDemand> {
  return runAction(
    actionKey('progress', demandId),
    { note },
    async (clientId) => (await request(NoteDemandProgressDocument, { input: { demandId, clientId, note } })).noteDemandProgress,
  );
}

/** 办结: the handler's resolution; the demand then waits for the household's answer (回访) by its cadre. */
export function resolveReferral(referralId: string, resolution: string): Promise<Referral> {
  return runAction(
    actionKey('resolve', referralId),
    { resolution },
    async (clientId) => (await request(ResolveReferralDocument, { input: { referralId, clientId, resolution } })).resolveReferral,
  );
}

/**
 * A refusal of a loop action as the cadre reads it. CONFLICT is the common one: someone else moved the
 * demand first (another handler signed, the cadre resolved it on a visit), so the screen is stale.
 */
export function loopRefusalText(error: unknown): string {
  if (!(error instanceof ApiError)) return describeError(error);
  if (error.code === 'CONFLICT') return `该诉求的状态已经变化（可能已被他人签收、退回或办结），下面是最新的情况。（${error.message}）`;
  if (error.code === 'FORBIDDEN') return '您无权办理这条诉求（可能已不是该户的帮扶干部或该单位的联络员）。';
  if (error.code === 'BAD_USER_INPUT') return `${refusalText(error)}`;
  return `${describeError(error)}：${refusalText(error)}`;
}

/** Which of the loop's actions the household's cadre may take on an open demand (the server decides in the end). */
export function cadreActions(demand: Pick<LoopDemand, 'status' | 'currentReferral'>): { start: boolean; refer: boolean; note: boolean } {
  const open = demand.currentReferral !== null && demand.currentReferral !== undefined;
  return {
    start: demand.status === 'OPEN' && !open,
    refer: (demand.status === 'OPEN' || demand.status === 'IN_PROGRESS') && !open,
    note: !open && (demand.status === 'OPEN' || demand.status === 'IN_PROGRESS'),
  };
}

/** Which actions a handler may take on a referral. */
export function handlerActions(referral: Pick<Referral, 'status'>): { accept: boolean; giveBack: boolean; note: boolean; resolve: boolean } {
  return {
    accept: referral.status === 'PENDING',
    giveBack: referral.status === 'PENDING' || referral.status === 'ACCEPTED',
    note: referral.status === 'ACCEPTED',
    resolve: referral.status === 'ACCEPTED',
  };
}

/** One step of a demand's timeline in words: what happened (the kind's label and its particulars) and who. */
export function describeEvent(event: Pick<DemandEvent, 'kind' | 'unitName' | 'dueOn' | 'rung' | 'note' | 'satisfaction' | 'actorLabel'>): {
  title: string;
  detail: string | null;
  actor: string;
} {
  const kind = (LABELS_ZH.DemandEventKind as Record<string, string>)[event.kind] ?? event.kind;
  const parts: string[] = [];
  if (event.kind === 'REFERRED' && event.unitName) parts.push(`至 ${event.unitName}`);
  else if (event.unitName) parts.push(event.unitName);
  if (event.kind === 'ESCALATED' && event.rung) parts.push(`第 ${event.rung} 级`);
  if (event.dueOn) parts.push(`限 ${event.dueOn} 前办结`);
  if (event.satisfaction) parts.push((LABELS_ZH.Satisfaction as Record<string, string>)[event.satisfaction] ?? event.satisfaction);
  return { title: parts.length > 0 ? `${kind} · ${parts.join(' · ')}` : kind, detail: event.note ?? null, actor: event.actorLabel };
}

/** The due date shown for an open demand (the referral's while one is open), and whether it has passed. */
export function dueLine(demand: Pick<LoopDemand, 'effectiveDueOn' | 'dueOn' | 'overdue' | 'escalationRung'>): { text: string; late: boolean } | null {
  const due = demand.effectiveDueOn ?? demand.dueOn;
  if (!due) return null;
  const rung = demand.escalationRung > 0 ? `，已升级督办（第 ${demand.escalationRung} 级）` : '';
  return { text: demand.overdue ? `已超期（限 ${due}）${rung}` : `限 ${due} 前办结`, late: demand.overdue };
}

/** Open demands as the household screen last showed them: 交办 opens at once with the demand's text. */
const seenDemands = new Map<string, LoopDemand>();

export function rememberLoopDemands(demands: readonly LoopDemand[]): void {
  for (const demand of demands) seenDemands.set(demand.id, demand);
}

export function seenLoopDemand(demandId: string): LoopDemand | null {
  return seenDemands.get(demandId) ?? null;
}

/** The dates a referral may be due on (contract: not in the past, at most 90 days on), as Shanghai dates. */
export function referralDueRange(now: Date): { start: string; end: string } {
  const day = 24 * 60 * 60 * 1000;
  return { start: formatDate(now), end: formatDate(new Date(now.getTime() + 90 * day)) };
}
