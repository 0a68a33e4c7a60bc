import { distinctCountsByMonth, firstIndex, monthBounds, type SpannedRow } from '../../src/modules/analytics/figures.month-runs';
import { dayStartMs, monthSpans } from '../../src/modules/analytics/analytics.slice';

// The month-run algorithm of the MONTH breakdown (figures that last over time), without a database.

const bounds = monthBounds(monthSpans('2024-01-01', '2024-06-30'));
const at = (day: string, hour = 0) => dayStartMs(day) + hour * 3_600_000;
type Measure = 'CADRES' | 'HOUSEHOLDS';
const row = (start: number, end: number | null, ids: Partial<Record<Measure, number | null>>): SpannedRow<Measure> => ({ start, end, ids });

describe('month bounds', () => {
  it('are the Shanghai days of each month as [start, end) instants', () => {
    expect(bounds).toHaveLength(6);
    expect(bounds[0]).toEqual({ key: '2024-01', start: at('2024-01-01'), end: at('2024-02-01') });
    expect(bounds[1]!.end).toBe(at('2024-03-01'));
  });

  it('end a clipped last month after its last day', () => {
    const [only] = monthBounds(monthSpans('2024-03-05', '2024-03-20'));
    expect(only).toEqual({ key: '2024-03', start: at('2024-03-05'), end: at('2024-03-21') });
  });
});

describe('firstIndex', () => {
  it('finds the first item of a monotone condition, or the length', () => {
    const items = [1, 3, 5, 7, 9];
    expect(firstIndex(items, (item) => item >= 5)).toBe(2);
    expect(firstIndex(items, (item) => item >= 0)).toBe(0);
    expect(firstIndex(items, (item) => item > 9)).toBe(5);
    expect(firstIndex([], () => true)).toBe(0);
  });
});

describe('distinct counts per month', () => {
  it('counts a row in every month it overlaps, an open row up to the last month', () => {
    const counts = distinctCountsByMonth(
      [row(at('2024-02-10'), at('2024-04-03'), { HOUSEHOLDS: 1 }), row(at('2024-05-20'), null, { HOUSEHOLDS: 2 })],
      ['HOUSEHOLDS'],
      bounds,
    );
    expect(counts.get('HOUSEHOLDS')).toEqual([0, 1, 1, 1, 1, 1]);
  });

  it('counts an id once per month however many of its rows overlap it, and across a gap only where it is', () => {
    const counts = distinctCountsByMonth(
      [
        row(at('2024-01-05'), at('2024-02-10'), { HOUSEHOLDS: 7, CADRES: 100 }),
        row(at('2024-02-01'), at('2024-03-01', 1), { HOUSEHOLDS: 7, CADRES: 101 }),
        row(at('2024-05-01'), at('2024-05-02'), { HOUSEHOLDS: 7, CADRES: 100 }),
      ],
      ['HOUSEHOLDS', 'CADRES'],
      bounds,
    );
    expect(counts.get('HOUSEHOLDS')).toEqual([1, 1, 1, 0, 1, 0]);
    expect(counts.get('CADRES')).toEqual([1, 2, 1, 0, 1, 0]);
  });

  it('takes a row that ends the instant a month starts as still there, and one that starts at its end as not yet', () => {
    const counts = distinctCountsByMonth(
      [row(at('2024-01-10'), at('2024-03-01'), { HOUSEHOLDS: 1 }), row(at('2024-04-01'), null, { HOUSEHOLDS: 2 })],
      ['HOUSEHOLDS'],
      monthBounds(monthSpans('2024-01-01', '2024-03-31')),
    );
    expect(counts.get('HOUSEHOLDS')).toEqual([1, 1, 1]);
  });

  it('leaves out rows outside the months and ids a measure does not count', () => {
    const counts = distinctCountsByMonth(
      [
        row(at('2023-01-01'), at('2023-12-31'), { HOUSEHOLDS: 1 }),
        row(at('2024-08-01'), null, { HOUSEHOLDS: 2 }),
        row(at('2024-01-01'), null, { HOUSEHOLDS: 3, CADRES: null }),
      ],
      ['HOUSEHOLDS', 'CADRES'],
      bounds,
    );
    expect(counts.get('HOUSEHOLDS')).toEqual([1, 1, 1, 1, 1, 1]);
    expect(counts.get('CADRES')).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('agrees with counting a set of ids per month on many random rows', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const span = at('2024-07-01') - at('2023-11-01');
    const rows = Array.from({ length: 400 }, () => {
      const start = at('2023-11-01') + Math.floor(random() * span);
      const end = random() < 0.3 ? null : start + Math.floor(random() * span * 0.4);
      return row(start, end, { HOUSEHOLDS: Math.floor(random() * 40), CADRES: random() < 0.2 ? null : Math.floor(random() * 15) });
    });
    const counts = distinctCountsByMonth(rows, ['HOUSEHOLDS', 'CADRES'], bounds);
    for (const measure of ['HOUSEHOLDS', 'CADRES'] as const) {
      const expected = bounds.map(
        (month) =>
          new Set(rows.filter((r) => r.start < month.end && (r.end === null || r.end >= month.start) && r.ids[measure] != null).map((r) => r.ids[measure]))
            .size,
      );
      expect(counts.get(measure)).toEqual(expected);
    }
  });
});
