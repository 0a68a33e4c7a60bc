/**
 * Masked forms of sensitive values, for roles that may know a value exists but not read it.
 * The masked form keeps enough to tell two people apart on a list, never enough to identify one.
 */

export const MASK_CHARACTER = '*';

/**
 * 210502************ → keeps the address code (the county that issued the number) and nothing else.
 *
 * The eight digits after it are the birth date, the next three a sequence number whose parity is the
 * gender, the last a check character computed from the other seventeen. Showing the last four (the
 * old 210502********123X) left only the birth date hidden: with a birth date beside it the number
 * came back whole, and with only the birth year the check character cut 365 days to about 33. With
 * the address code alone, someone who also knows the birth year and the gender still faces 365 × 500
 * equally valid numbers (`idNumberCandidates`). The birth date itself is never shown beside it
 * (only the birth year); the reveal returns both, audited.
 */
export function maskIdNumber(idNumber: string): string {
  if (idNumber.length < 10) return MASK_CHARACTER.repeat(idNumber.length);
  return idNumber.slice(0, ID_NUMBER_SHOWN_DIGITS) + MASK_CHARACTER.repeat(idNumber.length - ID_NUMBER_SHOWN_DIGITS);
}

/** How many leading characters of an ID number its masked form shows: the address code. */
export const ID_NUMBER_SHOWN_DIGITS = 6;

/** The year of a LocalDate (YYYY-MM-DD) birth date: all of a birth date that is shown unrevealed. */
export function birthYearOf(birthDate: string | null | undefined): number | null {
  const match = /^(\d{4})-\d{2}-\d{2}$/.exec(birthDate ?? '');
  return match ? Number(match[1]) : null;
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
