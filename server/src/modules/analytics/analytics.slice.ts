import type { TargetGroup } from '@wanjia/shared';
import { BadUserInputError } from '../../core/errors';
import { DAY_MS, startOfShanghaiDay } from '../../core/time';
import type { AnalyticsSlice } from './analytics.types';

/**
 * The slice a figure covers, and the day and month arithmetic every part of the figures engine does
 * on it: calendar days are Asia/Shanghai `YYYY-MM-DD`, months `YYYY-MM`. Pure: no database.
 */

/** A resolved slice: the region subtree, the round and window, and the optional unit and target group. */
export interface Slice {
  regionId: number;
  regionPath: string;
  /** The tree's root: every row is under it, so the path condition (and its join) can be left out. */
  regionIsRoot: boolean;
  round: { id: number; startsOn: string; endsOn: string } | null;
  from: string | null;
  to: string | null;
  unitId: number | null;
  targetGroup: TargetGroup | null;
  /** Today in Asia/Shanghai: demands due before it are overdue. */
  today: string;
}

/** One month of a MONTH breakdown, clipped to the slice's window: days inclusive. */
export interface MonthSpan {
  key: string;
  firstDay: string;
  lastDay: string;
}

/** How the figures of a slice are grouped: not at all, per child region, per unit or per month. */
export type Grouping = { kind: 'none' } | { kind: 'children'; pathLength: number } | { kind: 'unit' } | { kind: 'month'; months: MonthSpan[] };

/** A MONTH breakdown covers at most ten years; a longer window is a typing error. */
export const MAX_MONTHS = 120;

/** The slice as an answer, to pass back to a drill-down query as it is. */
export function sliceOut(slice: Slice): AnalyticsSlice {
  return {
    regionId: String(slice.regionId),
    roundId: slice.round ? String(slice.round.id) : null,
    from: slice.from,
    to: slice.to,
    unitId: slice.unitId === null ? null : String(slice.unitId),
    targetGroup: slice.targetGroup,
  };
}

function yearAndMonth(month: string): [number, number] {
  return month.split('-').map(Number).slice(0, 2) as [number, number];
}

function monthKey(year: number, month: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

/** The month (YYYY-MM) a day falls in. */
export function monthOfDay(day: string): string {
  return day.slice(0, 7);
}

/** The month `count` months after (or, negative, before) the given one. */
export function addMonths(month: string, count: number): string {
  const [year, number] = yearAndMonth(month);
  const index = year * 12 + (number - 1) + count;
  return monthKey(Math.floor(index / 12), (index % 12) + 1);
}

/** The last day of a month. */
export function lastDayOf(month: string): string {
  const [year, number] = yearAndMonth(month);
  const date = new Date(0);
  // Day 0 of the next month; setUTCFullYear, unlike Date.UTC, reads years below 100 as they are.
  date.setUTCFullYear(year, number, 0);
  return date.toISOString().slice(0, 10);
}

export function isFirstOfMonth(day: string): boolean {
  return day.endsWith('-01');
}

export function isLastOfMonth(day: string): boolean {
  return day === lastDayOf(monthOfDay(day));
}

/** The Chinese label of a month: `2024年3月`. */
export function monthLabel(month: string): string {
  const [year, number] = yearAndMonth(month);
  return `${year}年${number}月`;
}

/** The epoch milliseconds at which a Shanghai day starts (a date column's text may carry a time). */
export function dayStartMs(day: string): number {
  return startOfShanghaiDay(String(day).slice(0, 10)).getTime();
}

/** The window of an event that has only a date (petition cases, demands): the round's dates and from/to, intersected. */
export function dayWindow(slice: Pick<Slice, 'from' | 'to' | 'round'>): { first: string | null; last: string | null } {
  let first = slice.from;
  let last = slice.to;
  if (slice.round) {
    first = first === null || slice.round.startsOn > first ? slice.round.startsOn : first;
    last = last === null || slice.round.endsOn < last ? slice.round.endsOn : last;
  }
  return { first, last };
}

/**
 * The days a MONTH breakdown runs over: from the window's start (or the round's, whichever is later)
 * to its end (or the round's, or today, whichever is earliest). `first` is null when neither a window
 * nor a round says where to start: the breakdown then starts with the earliest round.
 */
export function monthRange(slice: Pick<Slice, 'from' | 'to' | 'round' | 'today'>): { first: string | null; last: string } {
  let first = slice.from ?? slice.round?.startsOn ?? null;
  if (slice.from && slice.round && slice.round.startsOn > slice.from) first = slice.round.startsOn;
  let last = slice.to ?? slice.round?.endsOn ?? slice.today;
  if (slice.round && slice.round.endsOn < last) last = slice.round.endsOn;
  if (last > slice.today) last = slice.today;
  return { first, last };
}

/** The months from `first` to `last`, the first and the last clipped to those days. Refuses more than MAX_MONTHS. */
export function monthSpans(first: string, last: string): MonthSpan[] {
  const months: MonthSpan[] = [];
  let cursor = `${monthOfDay(first)}-01`;
  while (cursor <= last) {
    const key = monthOfDay(cursor);
    const monthEnd = lastDayOf(key);
    months.push({ key, firstDay: cursor < first ? first : cursor, lastDay: monthEnd > last ? last : monthEnd });
    if (months.length > MAX_MONTHS) throw new BadUserInputError('from', `a MONTH breakdown covers at most ${MAX_MONTHS} months; narrow from/to`);
    cursor = `${addMonths(key, 1)}-01`;
  }
  return months;
}

/**
 * A window split for the monthly summary: the whole months it covers (null bounds: open on that side;
 * null altogether: none), and the partial months at either edge as day windows.
 */
export interface SummaryCover {
  wholeMonths: { first: string | null; last: string | null } | null;
  edges: { from: string; to: string }[];
}

export function summaryCover(from: string | null, to: string | null): SummaryCover {
  if (from && to && monthOfDay(from) === monthOfDay(to) && !(isFirstOfMonth(from) && isLastOfMonth(to))) {
    return { wholeMonths: null, edges: [{ from, to }] };
  }
  const edges: { from: string; to: string }[] = [];
  let first: string | null = null;
  let last: string | null = null;
  if (from) {
    const month = monthOfDay(from);
    if (isFirstOfMonth(from)) first = month;
    else {
      edges.push({ from, to: lastDayOf(month) });
      first = addMonths(month, 1);
    }
  }
  if (to) {
    const month = monthOfDay(to);
    if (isLastOfMonth(to)) last = month;
    else {
      edges.push({ from: `${month}-01`, to });
      last = addMonths(month, -1);
    }
  }
  return { wholeMonths: first !== null && last !== null && first > last ? null : { first, last }, edges };
}
