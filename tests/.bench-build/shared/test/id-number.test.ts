import { Gender, checkIdNumber, idNumberCheckCharacter, isValidIdNumber } from '../src';

const TODAY = new Date('2026-11-27T00:00:00Z');

describe('GB 11643 identity numbers', () => {
  it('accepts the standard published example, whose check character is X', () => {
    const result = checkIdNumber('11010519491231002X', TODAY);
    expect(result).toEqual({ valid: true, normalized: '11010519491231002X', birthDate: '1949-12-31', gender: Gender.FEMALE });
  });

  it('computes the MOD 11-2 check character', () => {
    expect(idNumberCheckCharacter('11010519491231002')).toBe('X');
    // A Benxi (Pingshan district, 210502) number built here: the weighted sum decides the last character.
    expect(idNumberCheckCharacter('21050219800101001')).toBe('2');
    expect(isValidIdNumber('210502198001010012', TODAY)).toBe(true);
  });

  it('normalizes a lower-case x and surrounding spaces', () => {
    const result = checkIdNumber(' 11010519491231002x ', TODAY);
    expect(result.valid && result.normalized).toBe('11010519491231002X');
  });

  it('reads the gender from the parity of the sequence digits', () => {
    const male = checkIdNumber('210502198001010012', TODAY);
    expect(male.valid && male.gender).toBe(Gender.MALE);
  });

  it.each([
    ['210502198001010018', 'CHECK_DIGIT'],
    ['21050219800101001', 'FORMAT'],
    ['2105021980010100120', 'FORMAT'],
    ['21050219800101001A', 'FORMAT'],
    ['010502198001010015', 'REGION'],
    ['210502198002300010', 'BIRTH_DATE'],
    ['210502189901010010', 'BIRTH_DATE'],
    ['210502203001010010', 'BIRTH_DATE'],
  ])('rejects %s as %s', (input, problem) => {
    const result = checkIdNumber(input, TODAY);
    expect(result.valid).toBe(false);
    if (!result.valid) {
      expect(result.problem).toBe(problem);
      expect(result.message).toMatch(/身份证号/);
    }
  });

  it('catches every single-digit typo in a valid number', () => {
    const valid = '210502198001010012';
    for (let position = 0; position < 17; position += 1) {
      const original = Number(valid[position]);
      const typo = valid.slice(0, position) + String((original + 1) % 10) + valid.slice(position + 1);
      expect(isValidIdNumber(typo, TODAY)).toBe(false);
    }
  });
});
