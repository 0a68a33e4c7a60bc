import { checkPhone, isValidPhone } from '../src';

describe('phone numbers', () => {
  it.each([
    ['13812345678', '13812345678', 'MOBILE'],
    ['+86 138 1234 5678', '13812345678', 'MOBILE'],
    ['0086-19912345678', '19912345678', 'MOBILE'],
    ['0414-2812345', '0414-2812345', 'LANDLINE'],
    ['041428123456', '0414-28123456', 'LANDLINE'],
    ['024 12345678', '024-12345678', 'LANDLINE'],
    ['010-87654321', '010-87654321', 'LANDLINE'],
  ])('accepts %s as %s (%s)', (input, normalized, kind) => {
    expect(checkPhone(input)).toEqual({ valid: true, normalized, kind });
  });

  it.each(['', '1381234567', '138123456789', '12812345678', '0414-281234', '024-1234567', '4142812345', 'phone'])('rejects %p', (input) => {
    const result = checkPhone(input);
    expect(result.valid).toBe(false);
    expect(isValidPhone(input)).toBe(false);
  });
});
