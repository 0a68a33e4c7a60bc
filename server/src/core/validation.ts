import { checkIdNumber, checkPhone } from '@wanjia/shared';
import { ValidatorConstraint, type ValidationArguments, type ValidatorConstraintInterface } from 'class-validator';

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

/**
 * C0/C1 control characters (NUL, BEL, ESC, DEL…) and the bidirectional overrides that make text read
 * differently from what it is. No name, address or reason contains them; a NUL even broke the SQLite
 * driver into an internal error. Tabs and line breaks stay allowed for multi-line texts.
 */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

/**
 * Text a person wrote: no control characters, and not blank. The services store text trimmed, so
 * spaces alone passed the length check and were stored as an empty summary, name or demand. The empty
 * string itself is left to each field's length rule (an optional note may be "").
 */
@ValidatorConstraint({ name: 'plainText' })
export class PlainText implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (value == null) return true;
    return typeof value === 'string' && !CONTROL_CHARACTERS.test(value) && !(value.length > 0 && value.trim() === '');
  }

  defaultMessage(args: ValidationArguments): string {
    const value: unknown = args.value;
    return typeof value === 'string' && value.length > 0 && value.trim() === ''
      ? `${args.property} must not be blank`
      : `${args.property} must not contain control characters`;
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
