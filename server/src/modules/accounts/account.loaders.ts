import DataLoader from 'dataloader';
import type { Em } from '../../core/entity-manager';
import { lockedUntilOf } from '../auth/login-throttle.service';

export function createAccountLoaders(em: Em) {
  return {
    /** When a username's sign-in lock ends (null: not locked): one lookup per request, however many accounts a page shows. */
    signInLockedUntil: new DataLoader<string, Date | null>((usernames) => lockedUntilOf(em, usernames)),
  };
}
