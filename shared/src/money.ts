/**
 * Money is an integer number of fen (分, 1/100 yuan) everywhere: in the database, on the wire and in
 * arithmetic. These helpers convert at the edges without floating-point rounding.
 */

export type Fen = number;

/** No single help record moves more than ten million yuan; anything larger is a typing error. */
export const MAX_RECORD_FEN: Fen = 10_000_000 * 100;

export function isValidFen(value: unknown, max: Fen = MAX_RECORD_FEN): value is Fen {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= max;
}

/**
 * Parses a yuan amount written by a person ("12", "12.3", "12.34", "1,234.50", "¥8") into fen.
 * Returns null for anything that is not a non-negative amount with at most two decimals.
 */
export function parseYuanToFen(input: string): Fen | null {
  const cleaned = input
    .trim()
    .replace(/^[¥￥]/, '')
    .replace(/,/g, '')
    .trim();
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(cleaned);
  if (!match) return null;
  const yuan = match[1]!;
  const fraction = (match[2] ?? '').padEnd(2, '0');
  const fen = Number(yuan) * 100 + Number(fraction);
  return Number.isSafeInteger(fen) ? fen : null;
}

/** "1234.50" — for inputs and exports; no grouping, always two decimals. */
export function fenToYuanString(fen: Fen): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`fen must be a safe integer, got ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100);
  const cents = abs % 100;
  return `${sign}${yuan}.${cents.toString().padStart(2, '0')}`;
}

/** "¥1,234.50" — for people. */
export function formatFen(fen: Fen): string {
  const plain = fenToYuanString(fen);
  const negative = plain.startsWith('-');
  const [yuan, cents] = (negative ? plain.slice(1) : plain).split('.');
  const grouped = yuan!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}¥${grouped}.${cents}`;
}

/** "10700.00万元" — the unit the campaign reports its totals in (the article's 1.07亿元). */
export function formatFenAsWanYuan(fen: Fen, decimals = 2): string {
  const wan = fen / 1_000_000;
  return `${wan.toFixed(decimals)}万元`;
}

/** Adds amounts in fen, refusing to lose precision past 2^53. */
export function sumFen(amounts: readonly Fen[]): Fen {
  let total = 0;
  for (const amount of amounts) {
    total += amount;
    if (!Number.isSafeInteger(total)) throw new RangeError('sum of fen exceeds the safe integer range');
  }
  return total;
}
