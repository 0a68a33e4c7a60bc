import { DemandStatus, OPEN_CASE_STATUSES, OPEN_DEMAND_STATUSES, SETTLED_CASE_STATUSES, SETTLED_DEMAND_STATUSES, TargetGroup } from '@wanjia/shared';
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
 * - DEMAND: demand d ⋈ household ho ⋈ region r.
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

export interface MeasureDefinition {
  measure: AnalyticsMeasure;
  label: string;
  family: Family;
  recordType: AnalyticsRecordType;
  /** The aggregate, over the family's rows. `:today` is replaced by a bound parameter. */
  aggregate: string;
  /** The record id the drill-down lists, and the condition a row needs to be counted. */
  drillId: string;
  drillCondition: string | null;
  /** Sums (money, problems): the drill-down lists the records that contribute, not one row per unit counted. */
  isSum: boolean;
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
  return { measure: key, label, family, recordType, aggregate, drillId, drillCondition, isSum };
}

const countDistinctWhen = (condition: string, id: string) => `count(distinct case when ${condition} then ${id} end)`;
const countWhen = (condition: string) => `sum(case when ${condition} then 1 else 0 end)`;

const OPEN_DEMAND = `d.status in (${list(OPEN_DEMAND_STATUSES)})`;
const OVERDUE_DEMAND = `${OPEN_DEMAND} and d.due_on < :today`;

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
  measure(
    AnalyticsMeasure.DEMANDS_RESOLVED,
    '已解决诉求数',
    'DEMAND',
    AnalyticsRecordType.DEMAND,
    countWhen(`d.status in (${list(SETTLED_DEMAND_STATUSES)})`),
    'd.id',
    `d.status in (${list(SETTLED_DEMAND_STATUSES)})`,
  ),
  measure(
    AnalyticsMeasure.DEMANDS_CONFIRMED,
    '群众确认解决诉求数',
    'DEMAND',
    AnalyticsRecordType.DEMAND,
    countWhen(`d.status = '${DemandStatus.CONFIRMED}'`),
    'd.id',
    `d.status = '${DemandStatus.CONFIRMED}'`,
  ),
  measure(AnalyticsMeasure.DEMANDS_OVERDUE, '逾期未解决诉求数', 'DEMAND', AnalyticsRecordType.DEMAND, countWhen(OVERDUE_DEMAND), 'd.id', OVERDUE_DEMAND),
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

/** Figures reported in yuan in the exports (the API answers in fen, as everywhere). */
export const FEN_MEASURES = new Set([AnalyticsMeasure.FUNDS_FEN, AnalyticsMeasure.MATERIALS_FEN, AnalyticsMeasure.FUNDS_AND_MATERIALS_FEN]);
