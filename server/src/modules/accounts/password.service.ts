import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { BadUserInputError } from '../../core/errors';
import { PUBLISHED_PASSWORDS } from './published-passwords';

/** Argon2id with the library's defaults (19 MiB, 2 passes): the OWASP baseline for password storage. */
export async function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | null = null;

/**
 * Verifies against a hash of a random password made with the same parameters as every stored one, when
 * there is no account (or no password) to verify against: a sign-in then costs the same argon2 work
 * whether the user name exists or not, so its time does not tell them apart. Always false.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(24).toString('base64'));
  await verifyPassword(await dummyHash, password);
  return false;
}

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;

/** What a new password must be (createAccount, changePassword, the CLI): the problem, or null. */
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `password must be at most ${MAX_PASSWORD_LENGTH} characters`;
  if (PUBLISHED_PASSWORDS.includes(password)) return 'this password is published (a demo password); choose another';
  if (new Set(password).size < 4) return 'password is too uniform; choose a longer mix of characters';
  return null;
}

/** `field` is the argument's path (`input.password`); the message names its last step, as the client wrote it. */
export function assertAcceptablePassword(field: string, password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw new BadUserInputError(field, problem.replace(/^password/, field.split('.').pop()!));
}

/** Readable aloud and typed by hand: no 0/O, 1/I/L. 16 characters from 31 ≈ 79 bits. */
const ONE_TIME_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** A one-time password from resetPassword, in groups of four: XXXX-XXXX-XXXX-XXXX. */
export function newOneTimePassword(): string {
  const characters: string[] = [];
  // Rejection sampling: 256 is not a multiple of 31, and a modulo would favour the first letters.
  while (characters.length < 16) {
    for (const byte of randomBytes(32)) {
      if (byte < 248 && characters.length < 16) characters.push(ONE_TIME_ALPHABET[byte % ONE_TIME_ALPHABET.length]!);
    }
  }
  return characters.join('').replace(/(.{4})(?=.)/g, '$1-');
}
