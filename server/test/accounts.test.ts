import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEVELOPMENT_JWT_SECRET, loadConfig, type DatabaseConfig } from '../src/config';
import { DEFAULT_DEMO_OPTIONS, seedDemoData } from '../src/seed/demo/demo-data';
import type { Orm } from '../src/db/orm';
import { accountService as accountCareService } from '../src/modules/accounts/account.service';
import { PEER_ADMINISTRATOR_MESSAGE, type CareAction } from '../src/modules/accounts/account.policy';
import { newOneTimePassword, passwordProblem } from '../src/modules/accounts/password.service';
import { accountsWithPublishedPasswords } from '../src/modules/accounts/published-password.guard';
import { UserAccount } from '../src/modules/accounts/user-account.entity';
import { ACCOUNT_STATUS_MAX_AGE_MS, accountIsUsable, forgetAccountStatus } from '../src/modules/auth/account-status.service';
import { actorOf, authService, ONE_TIME_PASSWORD_TTL_MS } from '../src/modules/auth/auth.service';
import { withDevelopmentSecret } from '../src/modules/auth/development-secret.store';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { createAccount } from './support/factories';

describe('the development signing secret', () => {
  it('is made once per data directory, owner-only, kept across starts, and never the published one', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-secret-'));
    try {
      const config = loadConfig({ SQLITE_PATH: path.join(folder, 'db', 'wanjia.sqlite') });
      const first = withDevelopmentSecret(config);
      expect(first).toMatchObject({ created: true, secretFile: path.join(folder, 'db', 'jwt-secret') });
      expect(fs.statSync(first.secretFile!).mode & 0o777).toBe(0o600);
      expect(first.config.auth.jwtSecret).not.toBe(DEVELOPMENT_JWT_SECRET);
      const again = withDevelopmentSecret(loadConfig({ SQLITE_PATH: path.join(folder, 'db', 'wanjia.sqlite') }));
      expect(again.created).toBe(false);
      expect(again.config.auth.jwtSecret).toBe(first.config.auth.jwtSecret);
      // A chosen JWT_SECRET is used as it is, and no file is written for it.
      const chosen = withDevelopmentSecret(
        loadConfig({ SQLITE_PATH: path.join(folder, 'other', 'w.sqlite'), JWT_SECRET: 'q8Zt3VnW0xR7mKc2LpY9sJ4hB6dF1gT5aNeUoIvXyCwQ' }),
      );
      expect(chosen.secretFile).toBeNull();
      expect(fs.existsSync(path.join(folder, 'other', 'jwt-secret'))).toBe(false);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('password rules', () => {
  it('refuse short, published, uniform passwords and make readable one-time passwords', () => {
    expect(passwordProblem('short')).toMatch(/at least 12/);
    expect(passwordProblem('wanjia-admin-demo')).toMatch(/published/);
    expect(passwordProblem('abababababab')).toMatch(/uniform/);
    expect(passwordProblem('a-fine-password-2026')).toBeNull();
    const made = new Set(Array.from({ length: 50 }, () => newOneTimePassword()));
    expect(made.size).toBe(50);
    for (const password of made) expect(password).toMatch(/^[A-HJKMNP-Z2-9]{4}(-[A-HJKMNP-Z2-9]{4}){3}$/);
  });
});

describe.each(databaseKinds())('account care on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'accounts'));
    await seedDemoData(orm.em.fork(), { ...DEFAULT_DEMO_OPTIONS, households: 20 });
  }, 120_000);

  afterAll(async () => {
    await orm.close(true);
    await dropScratchDatabase(database);
  });

  it('finds every account that still has a published demo password, and none once they are reset', async () => {
    const em = orm.em.fork();
    expect((await accountsWithPublishedPasswords(em)).sort()).toEqual(['admin', 'analyst', 'pingshan-admin']);
    const analyst = await accountCareService.findByUsername(em, 'analyst');
    const result = await accountCareService.resetPassword(em, analyst, { actor: null, clientAddress: 'cli' }, 'an-operator-password-2026');
    expect(result.oneTimePassword).toBeNull();
    expect((await accountsWithPublishedPasswords(orm.em.fork())).sort()).toEqual(['admin', 'pingshan-admin']);
  });

  it('ends a reset account’s tokens on another instance within the account-standing window', async () => {
    const em = orm.em.fork();
    const before = await em.findOneOrFail(UserAccount, { username: 'pingshan-admin' }, { populate: ['scopeRegion'] });
    const actor = actorOf(before);
    forgetAccountStatus(); // the cache is per process; the other database's run filled it
    const readAt = Date.now();
    // Another instance read the standing just before the reset: it trusts that for at most the window.
    expect(await accountIsUsable(orm.em.fork(), actor, readAt)).toBe(true);
    const admin = await em.findOneOrFail(UserAccount, { username: 'admin' }, { populate: ['scopeRegion'] });
    const { oneTimePassword, account } = await accountCareService.resetPassword(em, before, { actor: actorOf(admin), clientAddress: '127.0.0.1' });
    expect(oneTimePassword).toMatch(/^[A-Z2-9-]{19}$/);
    expect(account.mustChangePassword).toBe(true);
    expect(await accountIsUsable(orm.em.fork(), actor, readAt + ACCOUNT_STATUS_MAX_AGE_MS)).toBe(false);
    // A token issued after the reset carries the new generation and is accepted.
    expect(await accountIsUsable(orm.em.fork(), actorOf(account), readAt + ACCOUNT_STATUS_MAX_AGE_MS)).toBe(true);
  });

  it('lets an administrator take over or shut out no peer of the same scope: only the administrators above them, or the CLI', async () => {
    const em = orm.em.fork();
    const accountOf = (username: string) => em.findOneOrFail(UserAccount, { username }, { populate: ['scopeRegion'] });
    const cityAdmin = await accountOf('admin');
    const districtAdmin = await accountOf('pingshan-admin');
    const peerOf = (like: UserAccount, username: string) =>
      createAccount(em, { username, role: like.role, scopeRegion: like.scopeRegion, passwordHash: like.passwordHash });
    const districtPeer = await peerOf(districtAdmin, `pingshan-peer-${kind}`);
    const cityPeer = await peerOf(cityAdmin, `city-peer-${kind}`);
    const find = (actor: UserAccount, target: UserAccount, action: CareAction) =>
      accountCareService.findManaged(orm.em.fork(), actorOf(actor), target.id, action);
    for (const action of ['resetPassword', 'deactivate', 'reactivate'] as const) {
      await expect(find(districtAdmin, districtPeer, action)).rejects.toMatchObject({ message: PEER_ADMINISTRATOR_MESSAGE, extensions: { code: 'FORBIDDEN' } });
      await expect(find(cityAdmin, cityPeer, action)).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
      // The district's administrators are below the city's: the city's administrators act on them.
      await expect(find(cityAdmin, districtPeer, action)).resolves.toMatchObject({ id: districtPeer.id });
      // Never upwards.
      await expect(find(districtAdmin, cityAdmin, action)).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    }
    // Peers unlock each other, so that a locked-out administrator is not stranded.
    await expect(find(districtAdmin, districtPeer, 'unlock')).resolves.toMatchObject({ id: districtPeer.id });
    await expect(find(cityAdmin, cityPeer, 'unlock')).resolves.toMatchObject({ id: cityPeer.id });
    // The operator's CLI (no actor) resets any staff account, a city administrator's included.
    const byCli = await accountCareService.resetPassword(em, await accountCareService.findByUsername(em, cityPeer.username!), {
      actor: null,
      clientAddress: 'cli',
    });
    expect(byCli.oneTimePassword).toMatch(/^[A-Z2-9-]{19}$/);
  });

  it('accepts a one-time password for 72 hours and refuses it, like a wrong password, after that', async () => {
    const em = orm.em.fork();
    const analyst = await accountCareService.findByUsername(em, 'analyst');
    const admin = await em.findOneOrFail(UserAccount, { username: 'admin' }, { populate: ['scopeRegion'] });
    const { oneTimePassword } = await accountCareService.resetPassword(em, analyst, { actor: actorOf(admin), clientAddress: '127.0.0.1' });
    const request = { config: loadConfig({ JWT_SECRET: 'q8Zt3VnW0xR7mKc2LpY9sJ4hB6dF1gT5aNeUoIvXyCwQ' }), clientAddress: '127.0.0.1' };
    const fresh = await authService.login(orm.em.fork(), 'analyst', oneTimePassword!, request);
    expect(fresh.passwordChangeRequired).toBe(true);
    await orm.em.fork().nativeUpdate(UserAccount, { id: analyst.id }, { passwordChangedAt: new Date(Date.now() - ONE_TIME_PASSWORD_TTL_MS - 60_000) });
    await expect(authService.login(orm.em.fork(), 'analyst', oneTimePassword!, request)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('accepts a newer session at once although an older one was read within the window (signed in again elsewhere)', async () => {
    const em = orm.em.fork();
    const account = await em.findOneOrFail(UserAccount, { username: 'admin' }, { populate: ['scopeRegion'] });
    const before = actorOf(account);
    forgetAccountStatus();
    const readAt = Date.now();
    expect(await accountIsUsable(orm.em.fork(), before, readAt)).toBe(true);
    // Another instance ended the old sessions (a password change) and signed the account in anew.
    await orm.em.fork().nativeUpdate(UserAccount, { id: account.id }, { sessionGeneration: (before.sessionGeneration ?? 0) + 1 });
    const after = { ...before, sessionGeneration: (before.sessionGeneration ?? 0) + 1 };
    expect(await accountIsUsable(orm.em.fork(), after, readAt + 1)).toBe(true);
    expect(await accountIsUsable(orm.em.fork(), before, readAt + 2)).toBe(false);
  });
});
