import {
  DemandEventKind,
  DemandStatus,
  OPEN_DEMAND_STATUSES,
  OPEN_REFERRAL_STATUSES,
  ReferralStatus,
  Satisfaction,
  SETTLED_DEMAND_STATUSES,
} from '@wanjia/shared';
import { sqlStringList as list, type Dialect } from './analytics.dialect';
import { DemandLoopMeasure, ReferralLoopMeasure } from './demand-loop.types';

/**
 * What each figure of the demand loop counts, as SQL over a demand row `d` (and, for the referral
 * figures, a referral row `dr`). Pure definitions: demand-loop.service.ts builds the statements. The
 * same condition is the figure's aggregate and its drill-down, so a figure and its list cannot disagree.
 * `:today` is replaced by a bound parameter (the Asia/Shanghai day of the request).
 */

const OPEN = `d.status in (${list(OPEN_DEMAND_STATUSES)})`;
const SETTLED = `d.status in (${list(SETTLED_DEMAND_STATUSES)})`;
const OPEN_REFERRAL = `dr.status in (${list(OPEN_REFERRAL_STATUSES)})`;

/**
 * The effective due date of a demand: its open referral's dueOn while one is open, else its own. At most
 * one referral is open at a time (the service's guard), so `min` only picks it out.
 */
const EFFECTIVE_DUE = `coalesce((select min(er.due_on) from demand_referral er where er.demand_id = d.id and er.status in (${list(OPEN_REFERRAL_STATUSES)})), d.due_on)`;

export interface DemandLoopDefinition {
  measure: DemandLoopMeasure;
  label: string;
  /** The condition a demand meets to be counted; null: every demand of the slice. A rate or median: its denominator's. */
  condition: string | null;
  kind: 'count' | 'rate' | 'median';
}

const count = (measure: DemandLoopMeasure, label: string, condition: string | null): DemandLoopDefinition => ({ measure, label, condition, kind: 'count' });

/** In report order. */
export const DEMAND_LOOP_MEASURES: readonly DemandLoopDefinition[] = [
  count(DemandLoopMeasure.RAISED, '诉求数', null),
  count(DemandLoopMeasure.RESOLVED, '已解决诉求数', SETTLED),
  { measure: DemandLoopMeasure.RESOLUTION_RATE, label: '解决率（%）', condition: null, kind: 'rate' },
  { measure: DemandLoopMeasure.MEDIAN_DAYS_TO_RESOLVE, label: '解决用时中位数（天）', condition: `${SETTLED} and d.resolved_at is not null`, kind: 'median' },
  count(DemandLoopMeasure.OPEN, '未办结诉求数', OPEN),
  count(DemandLoopMeasure.OVERDUE, '逾期未办结诉求数', `${OPEN} and ${EFFECTIVE_DUE} < :today`),
  count(DemandLoopMeasure.REFERRED, '交办诉求数', 'exists (select 1 from demand_referral xr where xr.demand_id = d.id)'),
  count(DemandLoopMeasure.ESCALATED, '升级督办诉求数', 'exists (select 1 from demand_escalation xe where xe.demand_id = d.id)'),
  count(
    DemandLoopMeasure.INSTRUCTED,
    '领导批示督办诉求数',
    `exists (select 1 from demand_event xi where xi.demand_id = d.id and xi.kind = '${DemandEventKind.INSTRUCTED}')`,
  ),
  count(DemandLoopMeasure.CONFIRMED, '群众确认解决诉求数', `d.status = '${DemandStatus.CONFIRMED}'`),
  count(DemandLoopMeasure.SATISFIED, '满意', `d.satisfaction = '${Satisfaction.SATISFIED}'`),
  count(DemandLoopMeasure.BASICALLY_SATISFIED, '基本满意', `d.satisfaction = '${Satisfaction.BASICALLY_SATISFIED}'`),
  count(DemandLoopMeasure.DISSATISFIED, '不满意', `d.satisfaction = '${Satisfaction.DISSATISFIED}'`),
  count(DemandLoopMeasure.REOPENED, '不满意重新办理诉求数', 'd.reopen_count > 0'),
];

export const DEMAND_LOOP_BY_KEY = new Map(DEMAND_LOOP_MEASURES.map((definition) => [definition.measure, definition]));

/** Demands that reached a rung (any lapse), for the ladder's figures and the ESCALATED drill-down with a rung. */
export const REACHED_RUNG = 'exists (select 1 from demand_escalation xe where xe.demand_id = d.id and xe.level = ?)';

/** The referral figures, each a condition on `dr`; `dayOf` turns an instant column into its Asia/Shanghai day. */
export function referralConditions(dialect: Dialect): Record<ReferralLoopMeasure, string | null> {
  const dayOf = (column: string) => shanghaiDayOf(dialect, column);
  return {
    [ReferralLoopMeasure.REFERRALS]: null,
    [ReferralLoopMeasure.PENDING]: `dr.status = '${ReferralStatus.PENDING}'`,
    [ReferralLoopMeasure.ACCEPTED]: 'dr.accepted_at is not null',
    [ReferralLoopMeasure.ACCEPTED_ON_TIME]: `dr.accepted_at is not null and ${dayOf('dr.accepted_at')} <= dr.due_on`,
    [ReferralLoopMeasure.RESOLVED]: `dr.status = '${ReferralStatus.RESOLVED}'`,
    [ReferralLoopMeasure.RESOLVED_ON_TIME]: `dr.status = '${ReferralStatus.RESOLVED}' and ${dayOf('dr.resolved_at')} <= dr.due_on`,
    [ReferralLoopMeasure.RETURNED]: `dr.status = '${ReferralStatus.RETURNED}'`,
    [ReferralLoopMeasure.WITHDRAWN]: `dr.status = '${ReferralStatus.WITHDRAWN}'`,
    [ReferralLoopMeasure.OVERDUE_OPEN]: `${OPEN_REFERRAL} and dr.due_on < :today`,
  };
}

/** The Asia/Shanghai day (YYYY-MM-DD) of a UTC datetime column, comparable with a date column. SQLite keeps epoch milliseconds. */
export function shanghaiDayOf(dialect: Dialect, column: string): string {
  return dialect.mysql ? `date(date_add(${column}, interval 8 hour))` : `date(${column} / 1000 + 28800, 'unixepoch')`;
}

/** Seconds from one datetime column to another. */
export function secondsBetween(dialect: Dialect, from: string, to: string): string {
  return dialect.mysql ? `timestampdiff(second, ${from}, ${to})` : `((${to} - ${from}) / 1000)`;
}

/** The median of some durations in seconds, as days with one decimal (half up); null for none. */
export function medianDays(seconds: number[]): number | null {
  if (seconds.length === 0) return null;
  const sorted = [...seconds].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return Math.round((median / 86_400) * 10) / 10;
}

/** A percentage with two decimals, half up, from integer counts (as the campaign's rates); null when nothing to divide. */
export function percent(numerator: number, denominator: number): number | null {
  if (denominator === 0) return null;
  return Math.round((numerator * 10_000) / denominator) / 100;
}
