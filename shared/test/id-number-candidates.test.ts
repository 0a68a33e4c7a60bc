import { Gender, idNumberCandidates, idNumberCheckCharacter, maskIdNumber } from '../src';

const first17 = '21050219800101001';
const idNumber = first17 + idNumberCheckCharacter(first17);
const today = new Date(Date.UTC(2026, 11, 1));

describe('how many ID numbers agree with what a caller can read', () => {
  it('comes back whole from the old masking (first 6 and last 4) and the birth date beside it', () => {
    const oldMask = `${idNumber.slice(0, 6)}********${idNumber.slice(-4)}`;
    expect(idNumberCandidates({ pattern: oldMask, birthDate: '1980-01-01', today })).toBe(1);
    // With the birth year only, the check character still cuts the year to about a thirtieth.
    const byYear = idNumberCandidates({ pattern: oldMask, birthYears: [1980], today });
    expect(byYear).toBeGreaterThan(20);
    expect(byYear).toBeLessThan(50);
  });

  it('stays in the tens of thousands with the address code, the birth year and the gender', () => {
    const count = idNumberCandidates({ pattern: maskIdNumber(idNumber), birthYears: [1980], gender: Gender.MALE, today });
    expect(count).toBe(366 * 500);
  });

  it('agrees with counting by brute force on a narrow pattern', () => {
    const pattern = `${idNumber.slice(0, 14)}**${idNumber.slice(-2)}`;
    let brute = 0;
    for (let a = 0; a < 10; a += 1)
      for (let b = 0; b < 10; b += 1) {
        const candidate = `${idNumber.slice(0, 14)}${a}${b}${idNumber[16]}`;
        if (idNumberCheckCharacter(candidate) === idNumber[17]) brute += 1;
      }
    expect(idNumberCandidates({ pattern, today })).toBe(brute);
  });
});
