import { LABELS_ZH, Role } from '@wanjia/shared';
import type { Actor } from '../core/caller';
import type { Em } from '../core/entity-manager';
import { UserAccount } from '../modules/accounts/user-account.entity';
import type { Region } from '../modules/regions/region.entity';

/** Who the IDE page is for, as the welcome and the page's bar name them. */
export interface SignedInStaff {
  username: string;
  role: Role.ADMIN | Role.ANALYST;
  roleLabel: string;
  scopeRegion: { name: string; code: string; levelLabel: string } | null;
}

/** The signed-in administrator or analyst; null for anyone else (a cadre's token never opens the IDE). */
export async function signedInStaffOf(em: Em, actor: Actor): Promise<SignedInStaff | null> {
  if (actor.role !== Role.ADMIN && actor.role !== Role.ANALYST) return null;
  const account = await em.findOne(UserAccount, { id: actor.accountId, active: true }, { populate: ['scopeRegion'] });
  if (!account?.username) return null;
  const scope = account.scopeRegion as Region | null | undefined;
  return {
    username: account.username,
    role: actor.role,
    roleLabel: LABELS_ZH.Role[actor.role],
    scopeRegion: scope ? { name: scope.name, code: scope.code, levelLabel: LABELS_ZH.RegionLevel[scope.level] } : null,
  };
}
