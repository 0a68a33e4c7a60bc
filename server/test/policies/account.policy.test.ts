import { Role } from '@wanjia/shared';
import { ForbiddenError } from '../../src/core/errors';
import { accountPolicy, type CareAction } from '../../src/modules/accounts/account.policy';
import { CITY, DISTRICT, OTHER_DISTRICT, VILLAGE, cadre, cityAdmin, cityAnalyst, districtAdmin, districtAnalyst, unscopedAdmin } from './actors';

// Administrators looking after the staff accounts of their scope (分级负责). Pure.

const handingOver: CareAction[] = ['resetPassword', 'deactivate', 'reactivate'];

describe('accountPolicy', () => {
  it("lists the administrator and analyst accounts scoped to the caller's subtree", () => {
    expect(accountPolicy.scope(districtAdmin)).toEqual({ role: { $in: [Role.ADMIN, Role.ANALYST] }, scopeRegion: { path: { $like: `${DISTRICT}%` } } });
    expect(accountPolicy.scope(cityAdmin)).toEqual({ role: { $in: [Role.ADMIN, Role.ANALYST] }, scopeRegion: { path: { $like: `${CITY}%` } } });
  });

  it.each([cadre, unscopedAdmin])('lists no account to a caller without a region subtree ($role)', (actor) => {
    expect(() => accountPolicy.scope(actor)).toThrow(ForbiddenError);
  });

  it('lets administrators manage the accounts scoped to their subtree, their own scope included', () => {
    expect(accountPolicy.mayManage(districtAdmin, DISTRICT)).toBe(true);
    expect(accountPolicy.mayManage(districtAdmin, VILLAGE)).toBe(true);
    expect(accountPolicy.mayManage(districtAdmin, CITY)).toBe(false);
    expect(accountPolicy.mayManage(districtAdmin, OTHER_DISTRICT)).toBe(false);
    expect(accountPolicy.mayManage(cityAdmin, OTHER_DISTRICT)).toBe(true);
    for (const actor of [cityAnalyst, districtAnalyst, cadre, unscopedAdmin]) expect(accountPolicy.mayManage(actor, VILLAGE)).toBe(false);
  });

  it('lets a peer administrator (the same scope) only unlock, never take over or shut out', () => {
    const peer = { role: Role.ADMIN, scopePath: DISTRICT };
    expect(accountPolicy.mayCare(districtAdmin, peer, 'unlock')).toBe(true);
    for (const action of handingOver) expect(accountPolicy.mayCare(districtAdmin, peer, action)).toBe(false);
    const cityPeer = { role: Role.ADMIN, scopePath: CITY };
    for (const action of handingOver) expect(accountPolicy.mayCare(cityAdmin, cityPeer, action)).toBe(false);
  });

  it("lets an administrator do everything to the analysts of their own scope and to every account below it", () => {
    const actions: CareAction[] = ['unlock', ...handingOver];
    for (const action of actions) {
      expect(accountPolicy.mayCare(districtAdmin, { role: Role.ANALYST, scopePath: DISTRICT }, action)).toBe(true);
      expect(accountPolicy.mayCare(districtAdmin, { role: Role.ADMIN, scopePath: VILLAGE }, action)).toBe(true);
      expect(accountPolicy.mayCare(cityAdmin, { role: Role.ADMIN, scopePath: DISTRICT }, action)).toBe(true);
    }
  });

  it('reaches no account outside the subtree, whatever the action', () => {
    for (const action of ['unlock', ...handingOver] as CareAction[]) {
      expect(accountPolicy.mayCare(districtAdmin, { role: Role.ANALYST, scopePath: OTHER_DISTRICT }, action)).toBe(false);
      expect(accountPolicy.mayCare(districtAdmin, { role: Role.ANALYST, scopePath: CITY }, action)).toBe(false);
      expect(accountPolicy.mayCare(districtAnalyst, { role: Role.ANALYST, scopePath: VILLAGE }, action)).toBe(false);
    }
  });
});
