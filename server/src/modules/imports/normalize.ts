/**
 * How the import compares what offices type: the same name or address keyed on two machines differs in
 * width (full-width digits and letters from a Chinese input method), spaces, and traditional forms of a
 * few characters that addresses use. Keys for likely duplicates are built from these forms only.
 */

/** Traditional or variant forms that addresses and names in the lists use, mapped to the simplified form. */
const VARIANTS: Readonly<Record<string, string>> = {
  號: '号',
  樓: '楼',
  單: '单',
  區: '区',
  縣: '县',
  鄉: '乡',
  鎮: '镇',
  門: '门',
  棟: '栋',
  東: '东',
  雙: '双',
};

/** Full-width ASCII (U+FF01–U+FF5E) to half-width, the ideographic space to a space. */
function halfWidth(text: string): string {
  return text.replace(/[\uFF01-\uFF5E]/g, (char) => String.fromCharCode(char.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

/** A cell's text as typed, made comparable: NFKC, half width, no spaces, simplified variants, lower case. */
export function comparable(text: string): string {
  const folded = halfWidth(text.normalize('NFKC'))
    .replace(/\s+/g, '')
    .replace(/[-－—–]/g, '-')
    .toLowerCase();
  let out = '';
  for (const char of folded) out += VARIANTS[char] ?? char;
  return out;
}

/** A cell's text for storing: trimmed, inner runs of white space made one space, full-width digits and letters half width. */
export function tidy(text: string): string {
  return halfWidth(text.normalize('NFKC')).replace(/\s+/g, ' ').trim();
}

/**
 * The enumerated value a cell names, by its Chinese label or its code (either width, any case);
 * undefined when it names none.
 */
export function choiceOf<E extends string>(cell: string, labels: Readonly<Record<E, string>>): E | undefined {
  const wanted = comparable(cell);
  if (!wanted) return undefined;
  for (const [value, label] of Object.entries(labels) as [E, string][]) {
    if (comparable(label) === wanted || comparable(value) === wanted) return value;
  }
  return undefined;
}

/** Several enumerated values in one cell, separated as offices separate them (、，,；; / and spaces). */
export function splitList(cell: string): string[] {
  return tidy(cell)
    .split(/[、，,；;/\s]+/)
    .map((part) => part.trim())
    .filter(Boolean);
}
