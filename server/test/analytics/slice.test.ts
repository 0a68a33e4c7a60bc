import { TargetGroup } from '@wanjia/shared';
import {
  MAX_MONTHS,
  addMonths,
  dayStartMs,
  dayWindow,
  isLastOfMonth,
  lastDayOf,
  monthLabel,
  monthRange,
  monthSpans,
  nextDay,
  sliceOut,
  summaryCover,
  type Slice,
} from '../../src/modules/analytics/analytics.slice';

// The slice and month arithmetic of the figures engine, without a database.

const round = { id: 7, startsOn: '2024-03-10', endsOn: '2024-09-20' };

describe('days and months', () => {
  it('steps days across month, year and leap-day boundaries', () => {
    expect(nextDay('2024-01-31')).toBe('2024-02-01');
    expect(nextDay('2024-02-28')).toBe('2024-02-29');
    expect(nextDay('2023-02-28')).toBe('2023-03-01');
    expect(nextDay('2024-12-31')).toBe('2025-01-01');
  });

  it('steps months forward and back across years', () => {
    expect(addMonths('2024-01', 1)).toBe('2024-02');
    expect(addMonths('2024-12', 1)).toBe('2025-01');
    expect(addMonths('2024-01', -1)).toBe('2023-12');
    expect(addMonths('2024-03', -15)).toBe('2022-12');
    expect(addMonths('2024-03', 0)).toBe('2024-03');
  });

  it('knows the last day of every kind of month', () => {
    expect(lastDayOf('2024-02')).toBe('2024-02-29');
    expect(lastDayOf('2023-02')).toBe('2023-02-28');
    expect(lastDayOf('1900-02')).toBe('1900-02-28');
    expect(lastDayOf('2000-02')).toBe('2000-02-29');
    expect(lastDayOf('2024-04')).toBe('2024-04-30');
    expect(lastDayOf('2024-12')).toBe('2024-12-31');
    expect(isLastOfMonth('2024-02-29')).toBe(true);
    expect(isLastOfMonth('2024-02-28')).toBe(false);
  });

  it('labels months the way offices print them', () => {
    expect(monthLabel('2024-03')).toBe('2024年3月');
    expect(monthLabel('2024-12')).toBe('2024年12月');
  });

  it('starts a Shanghai day at 16:00 UTC the day before, also for a date column with a time', () => {
    expect(new Date(dayStartMs('2024-03-01')).toISOString()).toBe('2024-02-29T16:00:00.000Z');
    expect(dayStartMs('2024-03-01 00:00:00')).toBe(dayStartMs('2024-03-01'));
  });
});

describe('the slice', () => {
  const slice: Slice = {
    regionId: 3,
    regionPath: '210500000000/',
    regionIsRoot: true,
    round: null,
    from: null,
    to: null,
    unitId: 12,
    targetGroup: TargetGroup.KEY_FOCUS,
    today: '2024-06-15',
  };

  it('answers as the strings a drill-down query takes', () => {
    expect(sliceOut({ ...slice, round, from: '2024-04-01' })).toEqual({
      regionId: '3',
      roundId: '7',
      from: '2024-04-01',
      to: null,
      unitId: '12',
      targetGroup: TargetGroup.KEY_FOCUS,
    });
    expect(sliceOut({ ...slice, unitId: null, targetGroup: null })).toMatchObject({ roundId: null, unitId: null, targetGroup: null });
  });

  it('intersects the window of dated events with the round', () => {
    expect(dayWindow({ from: null, to: null, round: null })).toEqual({ first: null, last: null });
    expect(dayWindow({ from: null, to: null, round })).toEqual({ first: '2024-03-10', last: '2024-09-20' });
    expect(dayWindow({ from: '2024-01-01', to: '2024-12-31', round })).toEqual({ first: '2024-03-10', last: '2024-09-20' });
    expect(dayWindow({ from: '2024-04-01', to: '2024-05-31', round })).toEqual({ first: '2024-04-01', last: '2024-05-31' });
  });

  it('runs a MONTH breakdown from the later start to the earliest end, never past today', () => {
    expect(monthRange({ ...slice, from: null, to: null, round: null })).toEqual({ first: null, last: '2024-06-15' });
    expect(monthRange({ ...slice, round })).toEqual({ first: '2024-03-10', last: '2024-06-15' });
    expect(monthRange({ ...slice, round, from: '2024-01-01', to: '2024-04-30' })).toEqual({ first: '2024-03-10', last: '2024-04-30' });
    expect(monthRange({ ...slice, round, from: '2024-04-02', today: '2025-01-01' })).toEqual({ first: '2024-04-02', last: '2024-09-20' });
  });
});

describe('month spans', () => {
  it('clips the first and the last month to the days asked for', () => {
    expect(monthSpans('2024-01-15', '2024-03-10')).toEqual([
      { key: '2024-01', firstDay: '2024-01-15', lastDay: '2024-01-31' },
      { key: '2024-02', firstDay: '2024-02-01', lastDay: '2024-02-29' },
      { key: '2024-03', firstDay: '2024-03-01', lastDay: '2024-03-10' },
    ]);
  });

  it('crosses a year', () => {
    expect(monthSpans('2024-12-01', '2025-01-31').map((month) => month.key)).toEqual(['2024-12', '2025-01']);
  });

  it(`takes ${MAX_MONTHS} months and refuses one more, naming from`, () => {
    expect(monthSpans('2015-01-01', '2024-12-31')).toHaveLength(MAX_MONTHS);
    expect(() => monthSpans('2014-12-01', '2024-12-31')).toThrow(expect.objectContaining({ field: 'from' }));
  });
});

describe('the monthly summary cover of a window', () => {
  it('reads whole months from the summary and the partial months at either edge from the records', () => {
    expect(summaryCover('2024-01-15', '2024-04-10')).toEqual({
      wholeMonths: { first: '2024-02', last: '2024-03' },
      edges: [
        { from: '2024-01-15', to: '2024-01-31' },
        { from: '2024-04-01', to: '2024-04-10' },
      ],
    });
  });

  it('needs no edge for a window of whole months, and no bound for an open side', () => {
    expect(summaryCover('2024-01-01', '2024-03-31')).toEqual({ wholeMonths: { first: '2024-01', last: '2024-03' }, edges: [] });
    expect(summaryCover(null, null)).toEqual({ wholeMonths: { first: null, last: null }, edges: [] });
    expect(summaryCover('2024-02-01', null)).toEqual({ wholeMonths: { first: '2024-02', last: null }, edges: [] });
    expect(summaryCover(null, '2024-02-10')).toEqual({ wholeMonths: { first: null, last: '2024-01' }, edges: [{ from: '2024-02-01', to: '2024-02-10' }] });
  });

  it('reads a window inside one month from the records alone, unless it is the whole month', () => {
    expect(summaryCover('2024-02-03', '2024-02-20')).toEqual({ wholeMonths: null, edges: [{ from: '2024-02-03', to: '2024-02-20' }] });
    expect(summaryCover('2024-02-01', '2024-02-29')).toEqual({ wholeMonths: { first: '2024-02', last: '2024-02' }, edges: [] });
  });

  it('has no whole month between two partial neighbouring months', () => {
    expect(summaryCover('2024-05-15', '2024-06-10')).toEqual({
      wholeMonths: null,
      edges: [
        { from: '2024-05-15', to: '2024-05-31' },
        { from: '2024-06-01', to: '2024-06-10' },
      ],
    });
  });
});
