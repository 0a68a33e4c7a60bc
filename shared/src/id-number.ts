import { Gender } from './enums';

/**
 * Resident identity numbers as defined by GB 11643-1999: six digits of address code, eight of birth
 * date, three of sequence (odd for men, even for women) and one ISO 7064 MOD 11-2 check character.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARACTERS = '10X98765432';
const SHAPE = /^\d{17}[\dX]$/;

export type IdNumberProblem = 'FORMAT' | 'REGION' | 'BIRTH_DATE' | 'CHECK_DIGIT';

export type IdNumberCheck =
  { valid: true; normalized: string; birthDate: string; gender: Gender } | { valid: false; problem: IdNumberProblem; message: string };

export function idNumberCheckCharacter(first17Digits: string): string {
  if (!/^\d{17}$/.test(first17Digits)) {
    throw new RangeError('idNumberCheckCharacter needs exactly 17 digits');
  }
  let sum = 0;
  for (let i = 0; i < 17; i += 1) {
    sum += Number(first17Digits[i]) * WEIGHTS[i]!;
  }
  return CHECK_CHARACTERS[sum % 11]!;
}

function isRealDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * Checks an 18-character identity number. A lower-case x is accepted and normalized; spaces around
 * the number are ignored. `today` is injectable so that the "born in the future" rule is testable.
 */
export function checkIdNumber(input: string, today: Date = new Date()): IdNumberCheck {
  const normalized = input.trim().toUpperCase();
  if (!SHAPE.test(normalized)) {
    return { valid: false, problem: 'FORMAT', message: '身份证号应为18位：17位数字加1位校验码（数字或X）' };
  }
  // Province codes run from 11 (Beijing) to 82 (Macau); 0x and 9x are never issued.
  const province = Number(normalized.slice(0, 2));
  if (province < 11 || province > 82) {
    return { valid: false, problem: 'REGION', message: '身份证号的地址码无效' };
  }
  const year = Number(normalized.slice(6, 10));
  const month = Number(normalized.slice(10, 12));
  const day = Number(normalized.slice(12, 14));
  const birth = new Date(Date.UTC(year, month - 1, day));
  if (year < 1900 || !isRealDate(year, month, day) || birth.getTime() > today.getTime()) {
    return { valid: false, problem: 'BIRTH_DATE', message: '身份证号的出生日期无效' };
  }
  if (idNumberCheckCharacter(normalized.slice(0, 17)) !== normalized[17]) {
    return { valid: false, problem: 'CHECK_DIGIT', message: '身份证号校验码错误' };
  }
  const sequence = Number(normalized.slice(14, 17));
  return {
    valid: true,
    normalized,
    birthDate: `${normalized.slice(6, 10)}-${normalized.slice(10, 12)}-${normalized.slice(12, 14)}`,
    gender: sequence % 2 === 1 ? Gender.MALE : Gender.FEMALE,
  };
}

export function isValidIdNumber(input: string, today?: Date): boolean {
  return checkIdNumber(input, today).valid;
}

/** What someone may know about one person's ID number, from everything they can read about them. */
export interface IdNumberKnowledge {
  /** 18 characters as shown, with `*` where a character is hidden (a masked ID number). */
  pattern: string;
  /** The full birth date (YYYY-MM-DD), if it can be read. */
  birthDate?: string | null;
  /** The years the person may have been born in (a birth year, or the two years an age in years allows). */
  birthYears?: readonly number[] | null;
  gender?: Gender | null;
  /** The last day a number can carry as birth date; today by default. */
  today?: Date;
}

/**
 * How many valid ID numbers (GB 11643: real birth date from 1900 on, matching check character) agree
 * with what is known. The privacy rule is that this stays large for everyone without a reveal; a
 * small count means the masking can be undone by trying the candidates. The address and sequence
 * digits are counted as a histogram of their weighted sums modulo 11, so that a wide date range costs
 * one step per day, not per number.
 */
export function idNumberCandidates(knowledge: IdNumberKnowledge): number {
  const pattern = knowledge.pattern.toUpperCase();
  if (pattern.length !== 18) throw new RangeError('pattern must have 18 characters');
  const digitsAt = (index: number): number[] => {
    const shown = pattern[index]!;
    if (shown !== MASKED) return /\d/.test(shown) ? [Number(shown)] : [];
    if (index === 16 && knowledge.gender) return [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((digit) => digit % 2 === (knowledge.gender === Gender.MALE ? 1 : 0));
    return [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  };
  // Weighted sums mod 11 of the address code (0–5) and sequence (14–16) positions.
  let histogram = new Array<number>(11).fill(0);
  histogram[0] = 1;
  for (const index of [0, 1, 2, 3, 4, 5, 14, 15, 16]) {
    const next = new Array<number>(11).fill(0);
    for (let residue = 0; residue < 11; residue += 1) {
      if (histogram[residue] === 0) continue;
      for (const digit of digitsAt(index)) next[(residue + digit * WEIGHTS[index]!) % 11]! += histogram[residue]!;
    }
    histogram = next;
  }
  const checkShown = pattern[17]!;
  const allowedChecks = checkShown === MASKED ? null : checkShown;
  const lastDay = knowledge.today ?? new Date();
  let count = 0;
  // Only the days that can be the birth date: the one known, the years known, or every day since 1900.
  const years = knowledge.birthDate
    ? [Number(knowledge.birthDate.slice(0, 4))]
    : (knowledge.birthYears ?? Array.from({ length: lastDay.getUTCFullYear() - 1899 }, (_, index) => 1900 + index));
  for (const day of years.flatMap((year) => (year < 1900 ? [] : [Date.UTC(year, 0, 1)]))) {
    for (let instant = day; instant < Date.UTC(new Date(day).getUTCFullYear() + 1, 0, 1) && instant <= lastDay.getTime(); instant += 86_400_000) {
      count += candidatesOn(new Date(instant));
    }
  }
  return count;

  function candidatesOn(date: Date): number {
    const year = date.getUTCFullYear();
    const text = `${year}${String(date.getUTCMonth() + 1).padStart(2, '0')}${String(date.getUTCDate()).padStart(2, '0')}`;
    if (knowledge.birthDate && knowledge.birthDate.replaceAll('-', '') !== text) return 0;
    let dateResidue = 0;
    let fits = true;
    for (let offset = 0; offset < 8; offset += 1) {
      const shown = pattern[6 + offset]!;
      if (shown !== MASKED && shown !== text[offset]) fits = false;
      dateResidue += Number(text[offset]) * WEIGHTS[6 + offset]!;
    }
    if (!fits) return 0;
    let matching = 0;
    for (let residue = 0; residue < 11; residue += 1) {
      if (histogram[residue] === 0) continue;
      if (allowedChecks === null || CHECK_CHARACTERS[(residue + dateResidue) % 11] === allowedChecks) matching += histogram[residue]!;
    }
    return matching;
  }
}

const MASKED = '*';
