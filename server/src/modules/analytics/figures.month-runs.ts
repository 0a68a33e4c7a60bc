import { dayStartMs, nextDay, type MonthSpan } from './analytics.slice';

/**
 * Distinct counts per month of rows that last over time (a pairing, an assignment, an open case): a
 * row counts in every month its span overlaps, once per id however many of its rows overlap. Pure:
 * the rows are read by figures.spans.ts; this only puts them into months.
 */

/** A row that counts in every month its span overlaps, under the ids it counts for each measure. */
export interface SpannedRow<Measure extends string> {
  /** Epoch ms the span starts at. */
  start: number;
  /** Epoch ms it ended at, or null while it lasts. */
  end: number | null;
  /** For each measure, the id it adds to that measure's distinct set, or null when it does not count there. */
  ids: Partial<Record<Measure, number | null>>;
}

/** A month as an interval of epoch milliseconds: [start, end). */
export interface MonthBound {
  key: string;
  start: number;
  end: number;
}

export function monthBounds(months: readonly MonthSpan[]): MonthBound[] {
  return months.map((month) => ({ key: month.key, start: dayStartMs(month.firstDay), end: dayStartMs(nextDay(month.lastDay)) }));
}

/** The first index whose item satisfies a condition that, once true, stays true for later items (or the length). */
export function firstIndex<T>(items: readonly T[], holds: (item: T) => boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (holds(items[middle]!)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * For each measure, the number of distinct ids counted in each month (in the order of `bounds`). A
 * row covers a month when it started before the month's end and had not ended before its start.
 * Each row covers a run of consecutive months; per measure and id the runs are merged, and a
 * difference array turns them into distinct counts per month — no set of ids per month is built.
 */
export function distinctCountsByMonth<Measure extends string>(
  rows: readonly SpannedRow<Measure>[],
  measures: readonly Measure[],
  bounds: readonly MonthBound[],
): Map<Measure, number[]> {
  const runs = new Map<Measure, Map<number, [number, number][]>>(measures.map((measure) => [measure, new Map()]));
  for (const row of rows) {
    const first = firstIndex(bounds, (month) => row.start < month.end);
    const last = row.end === null ? bounds.length - 1 : firstIndex(bounds, (month) => month.start > row.end!) - 1;
    if (first > last) continue;
    for (const measure of measures) {
      const id = row.ids[measure];
      if (id == null) continue;
      const byId = runs.get(measure)!;
      const list = byId.get(id);
      if (list) list.push([first, last]);
      else byId.set(id, [[first, last]]);
    }
  }
  const counts = new Map<Measure, number[]>();
  for (const [measure, byId] of runs) {
    const difference = new Array<number>(bounds.length + 1).fill(0);
    for (const list of byId.values()) {
      list.sort((a, b) => a[0] - b[0]);
      let [low, high] = list[0]!;
      for (const [nextLow, nextHigh] of list.slice(1)) {
        if (nextLow <= high + 1) high = Math.max(high, nextHigh);
        else {
          difference[low]! += 1;
          difference[high + 1]! -= 1;
          [low, high] = [nextLow, nextHigh];
        }
      }
      difference[low]! += 1;
      difference[high + 1]! -= 1;
    }
    let running = 0;
    counts.set(
      measure,
      bounds.map((_, index) => (running += difference[index]!)),
    );
  }
  return counts;
}
