import { MAX_RECORD_FEN, fenToYuanString, formatFen, formatFenAsWanYuan, isValidFen, maskIdNumber, maskPhone, parseYuanToFen, sumFen } from '../src';

describe('money in fen', () => {
  it.each([
    ['12', 1200],
    ['12.3', 1230],
    ['12.34', 1234],
    ['0.01', 1],
    ['¥1,234.50', 123450],
    ['￥8', 800],
  ])('parses %p as %i fen', (input, fen) => {
    expect(parseYuanToFen(input)).toBe(fen);
  });

  it.each(['', '-1', '1.234', '1.2.3', 'abc', '12元', '1e3'])('refuses %p', (input) => {
    expect(parseYuanToFen(input)).toBeNull();
  });

  it('avoids floating-point drift: 0.1 + 0.2 yuan is exactly 30 fen', () => {
    expect(sumFen([parseYuanToFen('0.1')!, parseYuanToFen('0.2')!])).toBe(30);
  });

  it('formats for inputs, for people and in 万元', () => {
    expect(fenToYuanString(123450)).toBe('1234.50');
    expect(fenToYuanString(-5)).toBe('-0.05');
    expect(formatFen(123456789)).toBe('¥1,234,567.89');
    // The article's first-round total: 1.07亿元 = 10700万元.
    expect(formatFenAsWanYuan(107_000_000 * 100)).toBe('10700.00万元');
  });

  it('bounds a single record and refuses fractions and negatives', () => {
    expect(isValidFen(0)).toBe(true);
    expect(isValidFen(MAX_RECORD_FEN)).toBe(true);
    expect(isValidFen(MAX_RECORD_FEN + 1)).toBe(false);
    expect(isValidFen(-1)).toBe(false);
    expect(isValidFen(1.5)).toBe(false);
    expect(isValidFen('100')).toBe(false);
  });

  it('refuses sums that would lose precision', () => {
    expect(() => sumFen([Number.MAX_SAFE_INTEGER, 1])).toThrow(RangeError);
  });
});

describe('masking', () => {
  it('keeps the county code and the last four characters of an ID number', () => {
    expect(maskIdNumber('210502198001010012')).toBe('210502************');
  });

  it('masks mobiles and landlines', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('0414-2812345')).toBe('0414-***2345');
  });
});
