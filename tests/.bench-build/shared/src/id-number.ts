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
  | { valid: true; normalized: string; birthDate: string; gender: Gender }
  | { valid: false; problem: IdNumberProblem; message: string };

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
