import {
  DemandStatus,
  OPEN_CASE_STATUSES,
  OPEN_DEMAND_STATUSES,
  OPEN_REFERRAL_STATUSES,
  Satisfaction,
  SETTLED_CASE_STATUSES,
  SETTLED_DEMAND_STATUSES,
  TargetGroup,
} from '@wanjia/shared';
import { inTargetGroupSql } from '../../core/target-groups';
import { sqlStringList as list } from './analytics.dialect';
import type { Grouping, Slice } from './analytics.slice';
import { AnalyticsMeasure, AnalyticsRecordType } from './analytics.types';

/**
 * Where each measure comes from. A family is one FROM clause with its slice conditions; all measures
 * of a family are computed by one aggregate statement, and the drill-down of a measure selects the
 * ids that statement counts (same FROM and WHERE, plus the measure's own condition).
 *
 * - PAIRING: unit_pairing p ⋈ region r (the village or community) — units, villages, communities.
 * - ASSIGNMENT: assignment a ⋈ household ho ⋈ region r ⋈ cadre c — households helped.
 * - CADRE: the same assignments, for cadres engaged: its own statement, which needs no household row
 *   for the city (a distinct count of cadres beside those of households costs three times as much).
 * - PERSON: residents of the households the ASSIGNMENT family counts.
 * - CASE: petition_case pc ⋈ household ho ⋈ region r.
 * - DEMAND: demand d ⋈ household ho ⋈ region r. The household's answers (回访) are columns of the demand
 *   row (`satisfaction`, the latest answer; `reopen_count`), so their counts are more columns of the
 *   same statement, and the two rates are derived from its counts (`rateValue`).
 * - HELP: the latest version of each help record h ⋈ household ho ⋈ region r ⋈ cadre c.
 */
export type Family = 'PAIRING' | 'ASSIGNMENT' | 'CADRE' | 'PERSON' | 'CASE' | 'DEMAND' | 'HELP';

/** Every family, in the order their statements are issued. */
export const FAMILIES: readonly Family[] = ['PAIRING', 'ASSIGNMENT', 'CADRE', 'PERSON', 'CASE', 'DEMAND', 'HELP'];

/** A family's figures: for each group key (the empty string without grouping), the value of each measure. */
export type FamilyValues = Map<string, Map<string, number>>;

/** Whether a family's rows can be narrowed to a unit or a target group. */
export function familyApplies(family: Family, slice: Pick<Slice, 'unitId' | 'targetGroup'>, grouping: Grouping): boolean {
  const hasUnit = family === 'PAIRING' || family === 'ASSIGNMENT' || family === 'CADRE' || family === 'PERSON' || family === 'HELP';
  const hasGroup = family !== 'PAIRING';
  if ((slice.unitId !== null || grouping.kind === 'unit') && !hasUnit) return false;
  if (slice.targetGroup !== null && !hasGroup) return false;
  return true;
}

/**
 * A rate: the numerator measures' sum over the denominator measure, all counts of the same family, as a
 * percentage. It is not aggregated in SQL: it is derived from those counts once they are read, so it
 * costs no column of the family's statement.
 */
export interface RateDefinition {
  numerator: readonly AnalyticsMeasure[];
  denominator: AnalyticsMeasure;
}

export interface MeasureDefinition {
  measure: AnalyticsMeasure;
  label: string;
  family: Family;
  recordType: AnalyticsRecordType;
  /** The aggregate, over the family's rows. `:today` is replaced by a bound parameter. Null for a rate. */
  aggregate: string | null;
  /** The record id the drill-down lists, and the condition a row needs to be counted (a rate: its denominator's). */
  drillId: string;
  drillCondition: string | null;
  /** Sums (money, problems): the drill-down lists the records that contribute, not one row per unit counted. */
  isSum: boolean;
  /** Set for a rate (its aggregate is null): what it divides. */
  rate: RateDefinition | null;
}

/** A measure the family's aggregate statement computes (every measure but the rates). */
export type CountedMeasure = MeasureDefinition & { aggregate: string };

export function isCounted(definition: MeasureDefinition): definition is CountedMeasure {
  return definition.aggregate !== null;
}

function measure(
  key: AnalyticsMeasure,
  label: string,
  family: Family,
  recordType: AnalyticsRecordType,
  aggregate: string,
  drillId: string,
  drillCondition: string | null = null,
  isSum = false,
): MeasureDefinition {
  return { measure: key, label, family, recordType, aggregate, drillId, drillCondition, isSum, rate: null };
}

const countDistinctWhen = (condition: string, id: string) => `count(distinct case when ${condition} then ${id} end)`;
const countWhen = (condition: string) => `sum(case when ${condition} then 1 else 0 end)`;

const OPEN_DEMAND = `d.status in (${list(OPEN_DEMAND_STATUSES)})`;
/**
 * Past the effective due date (issue 15): the open referral's dueOn while one is open, else the demand's
 * own — the same rule as Demand.overdue and the loop's figures (demand-loop.figures.ts).
 */
const OVERDUE_DEMAND = `${OPEN_DEMAND} and coalesce((select min(er.due_on) from demand_referral er where er.demand_id = d.id and er.status in (${list(OPEN_REFERRAL_STATUSES)})), d.due_on) < :today`;
const SETTLED_DEMAND = `d.status in (${list(SETTLED_DEMAND_STATUSES)})`;
const CONFIRMED_DEMAND = `d.status = '${DemandStatus.CONFIRMED}'`;
/** Resolved by a help record, waiting for the household's answer (回访). */
const AWAITING_DEMAND = `d.status = '${DemandStatus.RESOLVED}'`;
/**
 * The household has answered a resolution at least once: `d.satisfaction` holds its latest answer.
 * Demands confirmed before answers were recorded (issue 13's migration) have none and are not counted.
 */
const ANSWERED_DEMAND = 'd.satisfaction is not null';
const answeredAs = (satisfaction: Satisfaction) => `d.satisfaction = '${satisfaction}'`;
/** The household said 不满意 at least once and the demand went back to open. */
const REOPENED_DEMAND = 'd.reopen_count > 0';

/** A demand count: one row per demand, the drill-down lists the demands that meet the condition. */
function demandCount(key: AnalyticsMeasure, label: string, condition: string): MeasureDefinition {
  return measure(key, label, 'DEMAND', AnalyticsRecordType.DEMAND, countWhen(condition), 'd.id', condition);
}

/** A rate over demand counts; its drill-down lists the denominator's demands (the condition is passed with it). */
function demandRate(key: AnalyticsMeasure, label: string, rate: RateDefinition, denominatorCondition: string): MeasureDefinition {
  return {
    measure: key,
    label,
    family: 'DEMAND',
    recordType: AnalyticsRecordType.DEMAND,
    aggregate: null,
    drillId: 'd.id',
    drillCondition: denominatorCondition,
    isSum: false,
    rate,
  };
}

/** In report order: the order of the overview and of the export's columns. */
export const MEASURES: readonly MeasureDefinition[] = [
  measure(AnalyticsMeasure.UNITS_PAIRED, '结对单位数', 'PAIRING', AnalyticsRecordType.UNIT, 'count(distinct p.unit_id)', 'p.unit_id'),
  measure(
    AnalyticsMeasure.VILLAGES_COVERED,
    '覆盖村数',
    'PAIRING',
    AnalyticsRecordType.REGION,
    countDistinctWhen(`r.level = 'VILLAGE'`, 'p.region_id'),
    'p.region_id',
    `r.level = 'VILLAGE'`,
  ),
  measure(
    AnalyticsMeasure.COMMUNITIES_COVERED,
    '覆盖社区数',
    'PAIRING',
    AnalyticsRecordType.REGION,
    countDistinctWhen(`r.level = 'COMMUNITY'`, 'p.region_id'),
    'p.region_id',
    `r.level = 'COMMUNITY'`,
  ),
  measure(AnalyticsMeasure.CADRES_ENGAGED, '联系干部数', 'CADRE', AnalyticsRecordType.CADRE, 'count(distinct a.cadre_id)', 'a.cadre_id'),
  measure(AnalyticsMeasure.HOUSEHOLDS_HELPED, '帮扶户数', 'ASSIGNMENT', AnalyticsRecordType.HOUSEHOLD, 'count(distinct a.household_id)', 'a.household_id'),
  measure(
    AnalyticsMeasure.HARDSHIP_HOUSEHOLDS_HELPED,
    '帮扶困难家庭户数',
    'ASSIGNMENT',
    AnalyticsRecordType.HOUSEHOLD,
    countDistinctWhen(inTargetGroupSql('ho', TargetGroup.HARDSHIP), 'a.household_id'),
    'a.household_id',
    inTargetGroupSql('ho', TargetGroup.HARDSHIP),
  ),
  measure(
    AnalyticsMeasure.KEY_FOCUS_HOUSEHOLDS_HELPED,
    '帮扶重点关注户数',
    'ASSIGNMENT',
    AnalyticsRecordType.HOUSEHOLD,
    countDistinctWhen(inTargetGroupSql('ho', TargetGroup.KEY_FOCUS), 'a.household_id'),
    'a.household_id',
    inTargetGroupSql('ho', TargetGroup.KEY_FOCUS),
  ),
  measure(
    AnalyticsMeasure.PETITIONER_HOUSEHOLDS_HELPED,
    '帮扶信访群众户数',
    'ASSIGNMENT',
    AnalyticsRecordType.HOUSEHOLD,
    countDistinctWhen(inTargetGroupSql('ho', TargetGroup.PETITIONER), 'a.household_id'),
    'a.household_id',
    inTargetGroupSql('ho', TargetGroup.PETITIONER),
  ),
  measure(
    AnalyticsMeasure.KEY_FOCUS_PERSONS,
    '重点关注人员数',
    'PERSON',
    AnalyticsRecordType.RESIDENT,
    countWhen('rs.key_focus_reason is not null'),
    'rs.id',
    'rs.key_focus_reason is not null',
  ),
  measure(AnalyticsMeasure.PETITIONERS, '信访人数', 'PERSON', AnalyticsRecordType.RESIDENT, countWhen('rs.is_petitioner = 1'), 'rs.id', 'rs.is_petitioner = 1'),
  measure(AnalyticsMeasure.PETITION_CASES, '信访案件数', 'CASE', AnalyticsRecordType.PETITION_CASE, 'count(*)', 'pc.id'),
  measure(
    AnalyticsMeasure.MAJOR_PETITION_CASES,
    '重大积访案件数',
    'CASE',
    AnalyticsRecordType.PETITION_CASE,
    countWhen('pc.major_backlog = 1'),
    'pc.id',
    'pc.major_backlog = 1',
  ),
  measure(
    AnalyticsMeasure.OPEN_PETITION_CASES,
    '未结信访案件数',
    'CASE',
    AnalyticsRecordType.PETITION_CASE,
    countWhen(`pc.status in (${list(OPEN_CASE_STATUSES)})`),
    'pc.id',
    `pc.status in (${list(OPEN_CASE_STATUSES)})`,
  ),
  measure(
    AnalyticsMeasure.RESOLVED_PETITION_CASES,
    '已化解信访案件数',
    'CASE',
    AnalyticsRecordType.PETITION_CASE,
    countWhen(`pc.status in (${list(SETTLED_CASE_STATUSES)})`),
    'pc.id',
    `pc.status in (${list(SETTLED_CASE_STATUSES)})`,
  ),
  measure(AnalyticsMeasure.DEMANDS_RAISED, '诉求数', 'DEMAND', AnalyticsRecordType.DEMAND, 'count(*)', 'd.id'),
  demandCount(AnalyticsMeasure.DEMANDS_RESOLVED, '已解决诉求数', SETTLED_DEMAND),
  demandCount(AnalyticsMeasure.DEMANDS_CONFIRMED, '群众确认解决诉求数', CONFIRMED_DEMAND),
  measure(AnalyticsMeasure.DEMANDS_OVERDUE, '逾期未解决诉求数', 'DEMAND', AnalyticsRecordType.DEMAND, countWhen(OVERDUE_DEMAND), 'd.id', OVERDUE_DEMAND),
  demandCount(AnalyticsMeasure.DEMANDS_AWAITING_CONFIRMATION, '待群众确认诉求数', AWAITING_DEMAND),
  demandRate(
    AnalyticsMeasure.CONFIRMATION_RATE,
    '群众确认率（%）',
    { numerator: [AnalyticsMeasure.DEMANDS_CONFIRMED], denominator: AnalyticsMeasure.DEMANDS_RESOLVED },
    SETTLED_DEMAND,
  ),
  demandCount(AnalyticsMeasure.DEMANDS_ANSWERED, '已回访诉求数', ANSWERED_DEMAND),
  demandCount(AnalyticsMeasure.DEMANDS_SATISFIED, '群众满意诉求数', answeredAs(Satisfaction.SATISFIED)),
  demandCount(AnalyticsMeasure.DEMANDS_BASICALLY_SATISFIED, '群众基本满意诉求数', answeredAs(Satisfaction.BASICALLY_SATISFIED)),
  demandCount(AnalyticsMeasure.DEMANDS_REOPENED, '群众不满意重新办理诉求数', REOPENED_DEMAND),
  demandRate(
    AnalyticsMeasure.SATISFACTION_RATE,
    '满意率（%）',
    // The answers that confirm a resolution (CONFIRMING_SATISFACTIONS of @wanjia/shared): 满意 and 基本满意.
    { numerator: [AnalyticsMeasure.DEMANDS_SATISFIED, AnalyticsMeasure.DEMANDS_BASICALLY_SATISFIED], denominator: AnalyticsMeasure.DEMANDS_ANSWERED },
    ANSWERED_DEMAND,
  ),
  measure(AnalyticsMeasure.VISITS, '走访帮扶次数', 'HELP', AnalyticsRecordType.HELP_RECORD, 'count(*)', 'h.id'),
  measure(AnalyticsMeasure.FUNDS_FEN, '帮扶资金（分）', 'HELP', AnalyticsRecordType.HELP_RECORD, 'sum(h.funds_fen)', 'h.id', 'h.funds_fen > 0', true),
  measure(
    AnalyticsMeasure.MATERIALS_FEN,
    '物资折价（分）',
    'HELP',
    AnalyticsRecordType.HELP_RECORD,
    'sum(h.materials_fen)',
    'h.id',
    'h.materials_fen > 0',
    true,
  ),
  measure(
    AnalyticsMeasure.FUNDS_AND_MATERIALS_FEN,
    '资金和物资合计（分）',
    'HELP',
    AnalyticsRecordType.HELP_RECORD,
    'sum(h.funds_fen + h.materials_fen)',
    'h.id',
    'h.funds_fen + h.materials_fen > 0',
    true,
  ),
  measure(
    AnalyticsMeasure.PROBLEMS_SOLVED,
    '解决实际问题（件次）',
    'HELP',
    AnalyticsRecordType.HELP_RECORD,
    'sum(h.problems_solved)',
    'h.id',
    'h.problems_solved > 0',
    true,
  ),
];

export const MEASURE_BY_KEY = new Map(MEASURES.map((definition) => [definition.measure, definition]));

/** The rates: percentages derived from counts, null when their denominator is 0. */
export const RATE_MEASURES = new Set(MEASURES.filter((definition) => definition.rate !== null).map((definition) => definition.measure));

/** Figures reported in yuan in the exports (the API answers in fen, as everywhere). */
export const FEN_MEASURES = new Set([AnalyticsMeasure.FUNDS_FEN, AnalyticsMeasure.MATERIALS_FEN, AnalyticsMeasure.FUNDS_AND_MATERIALS_FEN]);

/** The figure of each rate: a percentage with two decimals (half up), null when the denominator is 0. */
export function rateValue(rate: RateDefinition, counts: ReadonlyMap<string, number> | undefined): number | null {
  const denominator = counts?.get(rate.denominator) ?? 0;
  if (denominator === 0) return null;
  const numerator = rate.numerator.reduce((sum, key) => sum + (counts?.get(key) ?? 0), 0);
  // Integers in, so 10000·n/d is the quotient correctly rounded and Math.round rounds it half up exactly.
  return Math.round((numerator * 10_000) / denominator) / 100;
}
