import { Gender, HardshipReason, RegionLevel, idNumberCheckCharacter } from '@wanjia/shared';
import { GIVEN, SURNAMES } from './city-names';
import type { Random } from './random';

/** Made-up people and households: names, phones, GB 11643 ID numbers, addresses, hardship reasons. */

export function surname(random: Random): string {
  return SURNAMES[random.int(0, SURNAMES.length - 1)]!;
}

/** One or (seven times in ten) two characters. */
export function givenName(random: Random): string {
  const one = () => GIVEN[random.int(0, GIVEN.length - 1)]!;
  return random.chance(0.7) ? one() + one() : one();
}

export function personName(random: Random): string {
  return surname(random) + givenName(random);
}

export function mobilePhone(random: Random): string {
  return `1${random.pick(['3', '5', '8'])}${String(random.int(0, 999_999_999)).padStart(9, '0')}`;
}

/** A household's phone: mostly a mobile, otherwise a Benxi landline (area code 0414). */
export function householdPhone(random: Random): string {
  return random.chance(0.8) ? mobilePhone(random) : `0414-${random.int(2_000_000, 8_999_999)}`;
}

/** An apartment in a community, or a house by group and number in a village. */
export function householdAddress(random: Random, place: { level: RegionLevel; name: string; townshipName: string }): string {
  return place.level === RegionLevel.COMMUNITY
    ? `${place.townshipName}${place.name}${random.int(1, 40)}号楼${random.int(1, 6)}单元${random.int(1, 6)}0${random.int(1, 2)}室`
    : `${place.townshipName}${place.name}${random.int(1, 9)}组${random.int(1, 80)}号`;
}

/** One reason, or (four times in ten) two; as the household table keeps them, comma-separated. */
export function hardshipReasons(random: Random): string {
  const all = Object.values(HardshipReason);
  const first = random.pick(all);
  const second = random.chance(0.4) ? random.pick(all) : first;
  return first === second ? first : `${first},${second}`;
}

/** Issues ID numbers that are valid (GB 11643), match the person's county, birth date and sex, and are never issued twice. */
export class IdNumberIssuer {
  private readonly issued = new Set<string>();

  constructor(private readonly random: Random) {}

  issue(countyCode: string, birthDate: string, gender: Gender): string {
    const birth = birthDate.replaceAll('-', '');
    for (;;) {
      let sequence = this.random.int(0, 998);
      // The sequence's last digit is odd for men and even for women.
      if ((sequence % 2 === 1) !== (gender === Gender.MALE)) sequence += 1;
      const first17 = `${countyCode}${birth}${String(sequence).padStart(3, '0')}`;
      const idNumber = first17 + idNumberCheckCharacter(first17);
      if (!this.issued.has(idNumber)) {
        this.issued.add(idNumber);
        return idNumber;
      }
    }
  }
}
