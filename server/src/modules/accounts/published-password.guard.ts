import { Role } from '@wanjia/shared';
import type { Em } from '../../core/entity-manager';
import { verifyPassword } from './password.service';
import { PUBLISHED_PASSWORDS } from './published-passwords';
import { UserAccount } from './user-account.entity';

/**
 * The usernames whose password is still a published one (a demo password). Production refuses to start
 * while there is any: anyone who read the README could sign in. Each account is verified against every
 * published password (argon2 on libuv's thread pool, all at once), a second or two for a few hundred
 * staff accounts, once per start.
 */
export async function accountsWithPublishedPasswords(em: Em): Promise<string[]> {
  const accounts = await em.find(
    UserAccount,
    { role: { $in: [Role.ADMIN, Role.ANALYST] }, passwordHash: { $ne: null } },
    { fields: ['id', 'username', 'passwordHash'], orderBy: { id: 'asc' } },
  );
  const found = await Promise.all(
    accounts.map(async (account) => {
      for (const password of PUBLISHED_PASSWORDS) {
        if (await verifyPassword(account.passwordHash!, password)) return account.username ?? `#${account.id}`;
      }
      return null;
    }),
  );
  return found.filter((username): username is string => username !== null);
}
