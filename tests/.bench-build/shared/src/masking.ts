/**
 * Masked forms of sensitive values, for roles that may know a value exists but not read it.
 * The masked form keeps enough to tell two people apart on a list, never enough to identify one.
 */

export const MASK_CHARACTER = '*';

/** 210502********123X → keeps the county code, hides birth date and sequence. */
export function maskIdNumber(idNumber: string): string {
  if (idNumber.length < 10) return MASK_CHARACTER.repeat(idNumber.length);
  return idNumber.slice(0, 6) + MASK_CHARACTER.repeat(idNumber.length - 10) + idNumber.slice(-4);
}

/** 138****5678 for mobiles; 024-****2345 for landlines. */
export function maskPhone(phone: string): string {
  const dash = phone.indexOf('-');
  if (dash > 0) {
    const local = phone.slice(dash + 1);
    return `${phone.slice(0, dash)}-${MASK_CHARACTER.repeat(Math.max(local.length - 4, 0))}${local.slice(-4)}`;
  }
  if (phone.length <= 7) return MASK_CHARACTER.repeat(phone.length);
  return phone.slice(0, 3) + MASK_CHARACTER.repeat(phone.length - 7) + phone.slice(-4);
}
