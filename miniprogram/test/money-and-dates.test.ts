import { formatFen, parseYuanToFen } from '@wanjia/shared';
import { ageOn, formatDate, formatDateTime, shanghaiInstant } from '@/services/dates';
import { newClientId } from '@/services/ids';

describe('money: typed in yuan, sent in fen, shown in yuan', () => {
  it.each([
    ['0', 0],
    ['12', 1200],
    ['12.3', 1230],
    ['12.34', 1234],
    ['1,234.50', 123_450],
    ['¥8', 800],
    ['￥ 0.05', 5],
  ])('%s yuan is %d fen', (typed, fen) => {
    expect(parseYuanToFen(typed)).toBe(fen);
  });

  it.each(['', 'abc', '1.234', '-1', '1e3', '12..3'])('"%s" is not an amount', (typed) => {
    expect(parseYuanToFen(typed)).toBeNull();
  });

  it('shows fen as yuan with grouping and two decimals, without floating-point drift', () => {
    expect(formatFen(120_050)).toBe('¥1,200.50');
    expect(formatFen(10)).toBe('¥0.10');
    // 0.1 + 0.2 in yuan would drift; in fen it cannot.
    expect(formatFen(parseYuanToFen('0.1')! + parseYuanToFen('0.2')!)).toBe('¥0.30');
  });
});

describe('dates in Asia/Shanghai', () => {
  it('shows instants on the Shanghai calendar and clock', () => {
    expect(formatDate('2026-11-27T16:30:00.000Z')).toBe('2026-11-28');
    expect(formatDateTime('2026-11-27T16:30:00.000Z')).toBe('2026-11-28 00:30');
  });

  it('turns a Shanghai date and time into the UTC instant', () => {
    expect(shanghaiInstant('2026-11-28', '00:30')?.toISOString()).toBe('2026-11-27T16:30:00.000Z');
    expect(shanghaiInstant('2026-13-01', '00:30')).toBeNull();
    expect(shanghaiInstant('2026-11-28', '24:00')).toBeNull();
  });

  it('counts ages on the Shanghai calendar', () => {
    expect(ageOn('1980-11-28', new Date('2026-11-27T16:00:00.000Z'))).toBe(46);
    expect(ageOn('1980-11-29', new Date('2026-11-27T16:00:00.000Z'))).toBe(45);
  });
});

describe('client ids', () => {
  it('are UUIDs the server accepts, and differ', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newClientId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
