import { Faker, base, en, zh_CN } from '@faker-js/faker';
import { Gender, idNumberCheckCharacter } from '@wanjia/shared';

import { DAY_MS } from '../../core/time';

export { DAY_MS };
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
/** Cadres visit in office hours, Asia/Shanghai: from 08:30 to 18:00 (minutes after midnight). */
export const VISIT_HOURS = { fromMinute: 8 * 60 + 30, toMinute: 18 * 60 } as const;

function isWeekend(instant: number): boolean {
  const weekday = new Date(instant + SHANGHAI_OFFSET_MS).getUTCDay();
  return weekday === 0 || weekday === 6;
}

export interface DemoClock {
  seed: number;
  /** The demo's "today": help records stop here. */
  today: Date;
}

/**
 * The one source of chance for the demo data set, seeded, so that the same seed gives the same rows,
 * with the draws every part needs: instants, office-hour visits, unique phones and ID numbers.
 */
export class DemoRandom {
  readonly faker: Faker;
  private readonly usedIdNumbers = new Set<string>();
  private readonly usedPhones = new Set<string>();

  constructor(readonly options: DemoClock) {
    this.faker = new Faker({ locale: [zh_CN, en, base] });
    this.faker.seed(options.seed);
  }

  between(from: Date, to: Date): Date {
    if (to.getTime() <= from.getTime()) return new Date(from.getTime());
    return this.faker.date.between({ from, to });
  }

  /**
   * A visit on the Shanghai calendar day of `day`, at an office hour; a weekend day becomes the Friday
   * before or the Monday after, except for the few visits cadres make on a Saturday. Never after `latest`.
   */
  visitOn(day: Date, latest: Date): Date {
    const local = new Date(day.getTime() + SHANGHAI_OFFSET_MS);
    let midnight = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - SHANGHAI_OFFSET_MS;
    const weekday = local.getUTCDay();
    // Drawn on every day, so that the draws that follow do not depend on the calendar.
    const keepsSaturday = this.faker.number.int(99) < 25 && weekday === 6;
    if (weekday === 6 && !keepsSaturday) midnight -= DAY_MS;
    if (weekday === 0) midnight += DAY_MS;
    const minute = this.faker.number.int({ min: VISIT_HOURS.fromMinute, max: VISIT_HOURS.toMinute - 1 });
    let visit = midnight + minute * 60_000;
    // Past the demo's today (a Monday after a Sunday, an afternoon of today): the working day before.
    if (visit > latest.getTime()) {
      while (visit > latest.getTime() || isWeekend(visit)) visit -= DAY_MS;
    }
    return new Date(visit);
  }

  /** The age in whole years on the demo's today of someone born on `birthDate` (YYYY-MM-DD). */
  ageOn(birthDate: string): number {
    const today = new Date(this.options.today.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
    const years = Number(today.slice(0, 4)) - Number(birthDate.slice(0, 4));
    return today.slice(5) < birthDate.slice(5) ? years - 1 : years;
  }

  mobile(): string {
    for (;;) {
      const phone = `1${this.faker.helpers.arrayElement(['3', '5', '8', '9'])}${this.faker.string.numeric(9)}`;
      if (!this.usedPhones.has(phone)) {
        this.usedPhones.add(phone);
        return phone;
      }
    }
  }

  idNumber(countyCode: string, birthDate: string, gender: Gender): string {
    const birth = birthDate.replaceAll('-', '');
    for (;;) {
      // Sequences stay below 700, so that numbers from 700 up are ones nobody in the demo has (the
      // duplicate-ID tests make their unregistered candidates there).
      let sequence = this.faker.number.int({ min: 0, max: 698 });
      // The sequence's last digit is odd for men and even for women.
      if ((sequence % 2 === 1) !== (gender === Gender.MALE)) sequence += 1;
      const first17 = `${countyCode}${birth}${String(sequence).padStart(3, '0')}`;
      const idNumber = first17 + idNumberCheckCharacter(first17);
      if (!this.usedIdNumbers.has(idNumber)) {
        this.usedIdNumbers.add(idNumber);
        return idNumber;
      }
    }
  }
}
