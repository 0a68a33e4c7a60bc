import { randomBytes } from 'node:crypto';
import { Gender, idNumberCheckCharacter, isValidIdNumber } from '@wanjia/shared';
import type { Em } from '../../core/entity-manager';
import { shanghaiDate } from '../../core/time';
import { Resident } from '../../modules/households/resident.entity';

/**
 * Values that must differ on every render, so that a recipe that creates something runs again
 * without tripping a unique key (usernames, round names, kind codes, region codes, ID numbers).
 */
export interface FreshStamp {
  /** e.g. `1201-1715-4k`: the Shanghai day and minute of the render and two random characters. */
  label: string;
  /** The same, lower-case letters and digits only, for usernames and codes. */
  compact: string;
}

export function freshStamp(now: Date): FreshStamp {
  const shanghai = new Date(now.getTime() + 8 * 60 * 60 * 1000).toISOString();
  const day = shanghai.slice(5, 10).replace('-', '');
  const minute = shanghai.slice(11, 16).replace(':', '');
  const seconds = shanghai.slice(17, 19);
  // Two renders in the same second still differ.
  const random = randomBytes(2).toString('hex').slice(0, 3);
  return { label: `${day}-${minute}${seconds}-${random}`, compact: `${day}${minute}${seconds}${random}` };
}

function randomInt(limit: number): number {
  return randomBytes(4).readUInt32BE(0) % limit;
}

const BENXI_ADDRESS_CODE = '210500';

/**
 * A valid 18-character ID number (GB 11643: address code, birth date, sequence whose parity is the
 * gender, check character) that no resident has, for the registration recipes. The address code is
 * the household's region's, as a real number of someone living there would most likely carry.
 */
export async function freshIdNumber(em: Em, regionCode: string, birthDate: string, gender: Gender, taken: Set<string>): Promise<string> {
  // A tree whose codes are not division codes (a test's) gets Benxi's, where the campaign runs.
  const province = Number(regionCode.slice(0, 2));
  const address = /^\d{6}/.test(regionCode) && province >= 11 && province <= 82 ? regionCode.slice(0, 6) : BENXI_ADDRESS_CODE;
  const birth = birthDate.replaceAll('-', '');
  for (let attempt = 0; attempt < 50; attempt += 1) {
    // Odd sequences are men's, even ones women's.
    const sequence = randomInt(500) * 2 + (gender === Gender.MALE ? 1 : 0);
    const first17 = `${address}${birth}${String(sequence).padStart(3, '0')}`;
    const idNumber = `${first17}${idNumberCheckCharacter(first17)}`;
    if (!isValidIdNumber(idNumber) || taken.has(idNumber)) continue;
    if ((await em.count(Resident, { idNumber })) === 0) {
      taken.add(idNumber);
      return idNumber;
    }
  }
  throw new Error(`no free ID number for ${address} born ${birthDate}`);
}

/** A birth date `yearsAgo` years before the render, on a day derived from it (always a real date). */
export function birthDateYearsAgo(now: Date, yearsAgo: number): string {
  const today = shanghaiDate(now);
  const year = Number(today.slice(0, 4)) - yearsAgo;
  const month = 1 + randomInt(12);
  const day = 1 + randomInt(28);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The day `days` after a YYYY-MM-DD day. */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** The first day of the month of a YYYY-MM-DD day. */
export function monthStart(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

/** A password for a new account that satisfies the rules (12+ characters, not a published one). */
export function freshPassword(): string {
  return `Wj-${randomBytes(9).toString('base64url')}`;
}
