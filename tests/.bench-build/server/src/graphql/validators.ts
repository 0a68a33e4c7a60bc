import { checkIdNumber, checkPhone } from '@wanjia/shared';
import { ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';

/** class-validator rules built on the shared validators, so the mini-program and the API agree. */

@ValidatorConstraint({ name: 'phoneNumber' })
export class PhoneNumber implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return value == null || (typeof value === 'string' && checkPhone(value).valid);
  }

  defaultMessage(): string {
    return 'must be an 11-digit mobile number or a landline with its area code (e.g. 0414-2812345)';
  }
}

@ValidatorConstraint({ name: 'idNumber' })
export class IdNumber implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return value == null || (typeof value === 'string' && checkIdNumber(value).valid);
  }

  defaultMessage(): string {
    return 'must be a valid 18-character resident ID number (GB 11643: check digit, birth date and region)';
  }
}

/** Normalizes a phone number that already passed validation. */
export function normalizedPhone(value: string | null | undefined): string | null | undefined {
  if (value == null) return value;
  const check = checkPhone(value);
  return check.valid ? check.normalized : value;
}

export function normalizedIdNumber(value: string | null | undefined): string | null | undefined {
  if (value == null) return value;
  const check = checkIdNumber(value);
  return check.valid ? check.normalized : value;
}
