import { TargetGroup } from '@wanjia/shared';
import type { Em } from '../../src/core/entity-manager';
import type { Round } from '../../src/modules/rounds/round.entity';
import { startOfShanghaiDay } from '../../src/core/time';

/**
 * The analysts' figures as plain SQL counts them, written again independently of the API (IN-subqueries
 * instead of joins, one statement per measure, status lists spelled out): what analytics.test.ts
 * compares every answer with.
 */

/** The window tests ask for, relative to the newest round's first day, so that both data sets fill it. */
export function dayAfter(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
export const GROUP_COLUMN: Record<TargetGroup, string> = { HARDSHIP: 'is_hardship', KEY_FOCUS: 'is_key_focus', PETITIONER: 'is_petitioner' };

export interface TestSlice {
  path: string;
  round: Round | null;
  from: string | null;
  to: string | null;
  unitId: number | null;
  group: TargetGroup | null;
}

export type Figures = Record<string, number | null>;

export const SLICE_FIELDS = 'slice { regionId roundId from to unitId targetGroup }';
export const FIGURES = 'figures { measure label value recordType }';
export const OVERVIEW = `query ($regionId: ID, $roundId: ID, $from: LocalDate, $to: LocalDate, $unitId: ID, $targetGroup: TargetGroup) {
  campaignOverview(regionId: $regionId, roundId: $roundId, from: $from, to: $to, unitId: $unitId, targetGroup: $targetGroup) { ${SLICE_FIELDS} ${FIGURES} }
}`;
export const BREAKDOWN = `query ($dimension: BreakdownDimension!, $regionId: ID, $roundId: ID, $from: LocalDate, $to: LocalDate) {
  campaignBreakdown(dimension: $dimension, regionId: $regionId, roundId: $roundId, from: $from, to: $to) {
    dimension groups { key label ${SLICE_FIELDS} ${FIGURES} }
  }
}`;

/**
 * A rate as the API reports it, from two counts: a percentage rounded half up to two decimals, by
 * integer arithmetic (floor((20000·n + d) / 2d) hundredths), null when there is nothing to divide by.
 */
export function percentOf(numerator: number, denominator: number): number | null {
  if (denominator === 0) return null;
  return Math.floor((20_000 * numerator + denominator) / (2 * denominator)) / 100;
}

export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

export function lastDayOfMonth(month: string): string {
  const [year, number] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, number, 0)).toISOString().slice(0, 10);
}

/** Every figure of a slice, counted again with one plain statement per measure. */
export async function expectedFigures(em: Em, slice: TestSlice, today: string): Promise<Figures> {
  const connection = em.getConnection();
  const at = (value: Date) => em.getPlatform().processDateProperty(value);
  const one = async (sql: string, params: unknown[]) => {
    const [row] = await connection.execute<{ n: number | string | null }[]>(sql, params);
    return Number(row?.n ?? 0);
  };
  const like = `${slice.path}%`;
  const householdsIn = `select ho.id from household ho where ho.region_id in (select id from region where path like ?)${slice.group ? ` and ho.${GROUP_COLUMN[slice.group]} = 1` : ''}`;
  const windowStart = slice.from ? at(startOfShanghaiDay(slice.from)) : null;
  const windowEnd = slice.to ? at(startOfShanghaiDay(nextDay(slice.to))) : null;

  // Help records: latest versions only.
  const help: string[] = ['h.is_latest = 1', `h.household_id in (${householdsIn})`];
  const helpParams: unknown[] = [like];
  if (slice.round) help.push(`h.round_id = ${slice.round.id}`);
  if (windowStart !== null) (help.push('h.occurred_at >= ?'), helpParams.push(windowStart));
  if (windowEnd !== null) (help.push('h.occurred_at < ?'), helpParams.push(windowEnd));
  if (slice.unitId !== null) help.push(`h.cadre_id in (select id from cadre where unit_id = ${slice.unitId})`);
  const helpWhere = help.join(' and ');
  const helpSum = (column: string) => one(`select sum(${column}) as n from help_record h where ${helpWhere}`, helpParams);

  // Assignments: of the round, overlapping the window.
  const asg: string[] = [`a.household_id in (${householdsIn})`];
  const asgParams: unknown[] = [like];
  if (slice.round) asg.push(`a.round_id = ${slice.round.id}`);
  if (windowEnd !== null) (asg.push('a.started_at < ?'), asgParams.push(windowEnd));
  if (windowStart !== null) (asg.push('(a.ended_at is null or a.ended_at >= ?)'), asgParams.push(windowStart));
  if (slice.unitId !== null) asg.push(`a.cadre_id in (select id from cadre where unit_id = ${slice.unitId})`);
  const asgWhere = asg.join(' and ');
  const households = (flag: string | null) =>
    one(
      `select count(distinct a.household_id) as n from assignment a where ${asgWhere}${flag ? ` and a.household_id in (select id from household where ${flag} = 1)` : ''}`,
      asgParams,
    );
  const residents = (condition: string) =>
    one(`select count(*) as n from resident where ${condition} and household_id in (select a.household_id from assignment a where ${asgWhere})`, asgParams);

  // Pairings: of the round, overlapping the window (dates).
  const pair: string[] = ['p.region_id in (select id from region where path like ?)'];
  const pairParams: unknown[] = [like];
  if (slice.round) pair.push(`p.round_id = ${slice.round.id}`);
  if (slice.to) (pair.push('p.started_on <= ?'), pairParams.push(slice.to));
  if (slice.from) (pair.push('(p.ended_on is null or p.ended_on >= ?)'), pairParams.push(slice.from));
  if (slice.unitId !== null) pair.push(`p.unit_id = ${slice.unitId}`);
  const pairWhere = pair.join(' and ');
  const places = (level: string) =>
    one(
      `select count(distinct p.region_id) as n from unit_pairing p where ${pairWhere} and p.region_id in (select id from region where level = '${level}')`,
      pairParams,
    );

  // Demands: raised within the round's dates and the window.
  let first = slice.from;
  let last = slice.to;
  if (slice.round) {
    if (first === null || slice.round.startsOn > first) first = slice.round.startsOn;
    if (last === null || slice.round.endsOn < last) last = slice.round.endsOn;
  }
  const cases: string[] = [`pc.household_id in (${householdsIn})`];
  const caseParams: unknown[] = [like];
  // A case counts while it is open in the window; with a round, for the households that round helps.
  if (last) (cases.push('pc.received_on <= ?'), caseParams.push(last));
  if (first) (cases.push('(pc.resolved_at is null or pc.resolved_at >= ?)'), caseParams.push(at(startOfShanghaiDay(first))));
  if (slice.round) cases.push(`pc.household_id in (select household_id from assignment where round_id = ${slice.round.id})`);
  const caseCount = (condition: string) => one(`select count(*) as n from petition_case pc where ${cases.join(' and ')}${condition}`, caseParams);
  const demands: string[] = [`d.household_id in (${householdsIn})`];
  const demandParams: unknown[] = [like];
  if (first) (demands.push('d.raised_at >= ?'), demandParams.push(at(startOfShanghaiDay(first))));
  if (last) (demands.push('d.raised_at < ?'), demandParams.push(at(startOfShanghaiDay(nextDay(last)))));
  const demandCount = (condition: string, params: unknown[] = []) =>
    one(`select count(*) as n from demand d where ${demands.join(' and ')}${condition}`, [...demandParams, ...params]);
  // A rate: the numerator counted among the denominator's demands, both in one statement of their own.
  const demandRate = async (denominator: string, numerator: string) => {
    const [row] = await connection.execute<{ n: number | string | null; d: number | string }[]>(
      `select sum(case when ${numerator} then 1 else 0 end) as n, count(*) as d from demand d where ${demands.join(' and ')} and ${denominator}`,
      demandParams,
    );
    return percentOf(Number(row?.n ?? 0), Number(row?.d ?? 0));
  };

  const noUnit = slice.unitId === null;
  const noGroup = slice.group === null;
  return {
    UNITS_PAIRED: noGroup ? await one(`select count(distinct p.unit_id) as n from unit_pairing p where ${pairWhere}`, pairParams) : null,
    VILLAGES_COVERED: noGroup ? await places('VILLAGE') : null,
    COMMUNITIES_COVERED: noGroup ? await places('COMMUNITY') : null,
    CADRES_ENGAGED: await one(`select count(distinct a.cadre_id) as n from assignment a where ${asgWhere}`, asgParams),
    HOUSEHOLDS_HELPED: await households(null),
    HARDSHIP_HOUSEHOLDS_HELPED: await households('is_hardship'),
    KEY_FOCUS_HOUSEHOLDS_HELPED: await households('is_key_focus'),
    PETITIONER_HOUSEHOLDS_HELPED: await households('is_petitioner'),
    KEY_FOCUS_PERSONS: await residents('key_focus_reason is not null'),
    PETITIONERS: await residents('is_petitioner = 1'),
    PETITION_CASES: noUnit ? await caseCount('') : null,
    MAJOR_PETITION_CASES: noUnit ? await caseCount(' and pc.major_backlog = 1') : null,
    OPEN_PETITION_CASES: noUnit ? await caseCount(" and pc.status in ('REGISTERED', 'IN_PROGRESS')") : null,
    RESOLVED_PETITION_CASES: noUnit ? await caseCount(" and pc.status in ('RESOLVED', 'CLOSED')") : null,
    DEMANDS_RAISED: noUnit ? await demandCount('') : null,
    DEMANDS_RESOLVED: noUnit ? await demandCount(" and d.status in ('RESOLVED', 'CONFIRMED')") : null,
    DEMANDS_CONFIRMED: noUnit ? await demandCount(" and d.status = 'CONFIRMED'") : null,
    // Overdue by the effective due date: an open referral's, else the demand's own (issue 15).
    DEMANDS_OVERDUE: noUnit
      ? await demandCount(
          " and d.status in ('OPEN', 'IN_PROGRESS', 'REFERRED', 'ESCALATED') and coalesce((select r.due_on from demand_referral r where r.demand_id = d.id and r.status in ('PENDING', 'ACCEPTED')), d.due_on) < ?",
          [today],
        )
      : null,
    DEMANDS_AWAITING_CONFIRMATION: noUnit ? await demandCount(" and d.status = 'RESOLVED'") : null,
    CONFIRMATION_RATE: noUnit ? await demandRate("d.status in ('RESOLVED', 'CONFIRMED')", "d.status = 'CONFIRMED'") : null,
    DEMANDS_ANSWERED: noUnit ? await demandCount(" and d.satisfaction in ('SATISFIED', 'BASICALLY_SATISFIED', 'DISSATISFIED')") : null,
    DEMANDS_SATISFIED: noUnit ? await demandCount(" and d.satisfaction = 'SATISFIED'") : null,
    DEMANDS_BASICALLY_SATISFIED: noUnit ? await demandCount(" and d.satisfaction = 'BASICALLY_SATISFIED'") : null,
    DEMANDS_REOPENED: noUnit ? await demandCount(' and d.reopen_count >= 1') : null,
    SATISFACTION_RATE: noUnit
      ? await demandRate("d.satisfaction in ('SATISFIED', 'BASICALLY_SATISFIED', 'DISSATISFIED')", "d.satisfaction in ('SATISFIED', 'BASICALLY_SATISFIED')")
      : null,
    VISITS: await one(`select count(*) as n from help_record h where ${helpWhere}`, helpParams),
    FUNDS_FEN: await helpSum('h.funds_fen'),
    MATERIALS_FEN: await helpSum('h.materials_fen'),
    FUNDS_AND_MATERIALS_FEN: await helpSum('h.funds_fen + h.materials_fen'),
    PROBLEMS_SOLVED: await helpSum('h.problems_solved'),
  };
}

export function figuresOf(figures: { measure: string; value: number | null }[]): Figures {
  return Object.fromEntries(figures.map((figure) => [figure.measure, figure.value]));
}
