/**
 * Phone numbers as households and cadres give them: a mainland mobile number (11 digits starting
 * 13-19, optionally written with +86 or spaces and dashes) or a landline with its area code
 * (0 + 2-3 digits, then 7-8 digits, e.g. 0414-2812345 for Benxi).
 */

export type PhoneKind = 'MOBILE' | 'LANDLINE';

export type PhoneCheck = { valid: true; normalized: string; kind: PhoneKind } | { valid: false; message: string };

const MOBILE = /^1[3-9]\d{9}$/;
// Area codes of two digits after the 0 belong to the largest cities (010, 020-029) and carry
// eight-digit local numbers; all others (Benxi is 0414) have three digits and seven or eight.
const LANDLINE_BIG_CITY = /^(0(?:10|2\d))(\d{8})$/;
const LANDLINE = /^(0[3-9]\d{2})(\d{7,8})$/;

export function checkPhone(input: string): PhoneCheck {
  let digits = input.trim().replace(/[\s-]/g, '');
  if (digits.startsWith('+86')) digits = digits.slice(3);
  else if (digits.startsWith('0086')) digits = digits.slice(4);
  if (MOBILE.test(digits)) {
    return { valid: true, normalized: digits, kind: 'MOBILE' };
  }
  const landline = LANDLINE_BIG_CITY.exec(digits) ?? LANDLINE.exec(digits);
  if (landline) {
    return { valid: true, normalized: `${landline[1]}-${landline[2]}`, kind: 'LANDLINE' };
  }
  return { valid: false, message: '电话号码应为11位手机号，或带区号的固定电话（如 0414-2812345）' };
}

export function isValidPhone(input: string): boolean {
  return checkPhone(input).valid;
}
