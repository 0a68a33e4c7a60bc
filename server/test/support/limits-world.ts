import { Role } from '@wanjia/shared';
import type { Orm } from '../../src/db/orm';
import { hashPassword } from '../../src/modules/accounts/password.service';
import { createAccount, createAssignment, createCadre, createHousehold, createRegionTree, createRound, createUnit, tokenFor } from './factories';

/**
 * Shared by the request-limit, persisted-operation, rate-limit and export tests: a small world with an
 * administrator, an analyst and a cadre with one household (the app they run against is logged-app.ts).
 */

export const ADMIN_PASSWORD = 'request-limits-admin-password';

export interface World {
  householdId: number;
  cadreId: number;
  cadreAccountId: number;
  /** Access tokens signed with the given secret, for the given roles. */
  tokens(secret: string): Promise<Record<'admin' | 'analyst' | 'cadre', string>>;
}

export async function createWorld(orm: Orm): Promise<World> {
  const em = orm.em.fork();
  const regions = await createRegionTree(em);
  const round = await createRound(em);
  const cadre = await createCadre(em, { unit: await createUnit(em, { region: regions.city }), name: '刘建华' });
  const household = await createHousehold(em, { region: regions.dongxing });
  await createAssignment(em, { cadre, household, round });
  const passwordHash = await hashPassword(ADMIN_PASSWORD);
  const admin = await createAccount(em, { role: Role.ADMIN, scopeRegion: regions.city, username: 'limits-admin', passwordHash });
  const analyst = await createAccount(em, { role: Role.ANALYST, scopeRegion: regions.city, username: 'limits-analyst', passwordHash });
  const cadreAccount = await createAccount(em, { cadre });
  return {
    householdId: household.id,
    cadreId: cadre.id,
    cadreAccountId: cadreAccount.id,
    async tokens(secret) {
      return { admin: await tokenFor(admin, secret), analyst: await tokenFor(analyst, secret), cadre: await tokenFor(cadreAccount, secret) };
    },
  };
}
