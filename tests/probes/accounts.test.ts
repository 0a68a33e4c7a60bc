import { DEMO_PASSWORDS, errorCode, send, staffToken, startProbeServer, type GraphQLAnswer, type ProbeServer } from './support/probe-server';

/**
 * Accounts that can be looked after: one's own password, and administrators in scope resetting,
 * unlocking, deactivating and reactivating staff accounts, each tried as a new user (or an attacker
 * holding a district's administrator account) would.
 */

const LOGIN = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken refreshToken passwordChangeRequired } }';
const CHANGE = 'mutation($o: String!, $n: String!) { changePassword(oldPassword: $o, newPassword: $n) { accessToken refreshToken passwordChangeRequired } }';
const ACCOUNTS = '{ accounts(first: 100) { totalCount nodes { id username role active scopeRegion { code } } } }';

interface Tokens {
  accessToken: string;
  refreshToken: string;
  passwordChangeRequired: boolean;
}

describe('accounts', () => {
  let server: ProbeServer;
  let admin: string;
  let pingshanAdmin: string;
  let regions: { city: string; pingshan: string; xihu: string };
  let sequence = 0;

  const login = async (username: string, password: string): Promise<GraphQLAnswer<{ login: Tokens }>> => send(server.url, LOGIN, { u: username, p: password });

  /** A fresh analyst made by the city's administrator, scoped to a district (or the city). */
  async function freshAnalyst(
    scope: keyof typeof regions,
    password = 'probe-analyst-password-1',
    role: 'ANALYST' | 'ADMIN' = 'ANALYST',
  ): Promise<{ id: string; username: string; password: string }> {
    const username = `probe-${scope}-${++sequence}`;
    const answer = await send<{ createAccount: { id: string } }>(
      server.url,
      'mutation($i: CreateAccountInput!) { createAccount(input: $i) { id } }',
      { i: { username, password, role, scopeRegionId: regions[scope] } },
      { token: admin },
    );
    if (!answer.json?.data?.createAccount) throw new Error(`createAccount failed: ${answer.text}`);
    return { id: answer.json.data.createAccount.id, username, password };
  }

  async function accountId(username: string): Promise<string> {
    const answer = await send<{ accounts: { nodes: { id: string; username: string }[] } }>(server.url, ACCOUNTS, undefined, { token: admin });
    const found = answer.json?.data?.accounts.nodes.find((node) => node.username === username);
    if (!found) throw new Error(`no account ${username} in the city administrator's list: ${answer.text.slice(0, 300)}`);
    return found.id;
  }

  beforeAll(async () => {
    server = await startProbeServer({ LOGIN_MAX_FAILURES: '3' });
    admin = await staffToken(server.url, 'admin');
    pingshanAdmin = await staffToken(server.url, 'pingshan-admin');
    const top = await send<{ regions: { id: string; children: { id: string; name: string }[] }[] }>(
      server.url,
      '{ regions { id children { id name } } }',
      undefined,
      {
        token: admin,
      },
    );
    const city = top.json!.data!.regions[0]!;
    regions = {
      city: city.id,
      pingshan: city.children.find((child) => child.name === '平山区')!.id,
      xihu: city.children.find((child) => child.name === '溪湖区')!.id,
    };
  });

  afterAll(async () => {
    await server?.stop();
  });

  test('accounts: change one’s own password with a wrong old one, then with the right one', async () => {
    const analyst = await freshAnalyst('city');
    const first = (await login(analyst.username, analyst.password)).json!.data!.login;
    const other = (await login(analyst.username, analyst.password)).json!.data!.login;
    const wrong = await send(server.url, CHANGE, { o: 'not-my-password', n: 'a-new-password-2026' }, { token: first.accessToken });
    expect({ code: errorCode(wrong), field: wrong.json?.errors?.[0]?.extensions?.field }).toEqual({ code: 'BAD_USER_INPUT', field: 'oldPassword' });
    const weak = await send(server.url, CHANGE, { o: analyst.password, n: DEMO_PASSWORDS.analyst }, { token: first.accessToken });
    expect({ code: errorCode(weak), field: weak.json?.errors?.[0]?.extensions?.field }).toEqual({ code: 'BAD_USER_INPUT', field: 'newPassword' });
    const changed = await send<{ changePassword: Tokens }>(server.url, CHANGE, { o: analyst.password, n: 'a-new-password-2026' }, { token: first.accessToken });
    expect(changed.json?.errors).toBeUndefined();
    expect(errorCode(await login(analyst.username, analyst.password))).toBe('UNAUTHENTICATED');
    expect((await login(analyst.username, 'a-new-password-2026')).json?.data?.login.accessToken).toEqual(expect.any(String));
    // The account's other sign-in ended: its refresh token is refused, its access token too.
    const refreshed = await send(server.url, 'mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }', { t: other.refreshToken });
    expect(errorCode(refreshed)).toBe('UNAUTHENTICATED');
    expect(errorCode(await send(server.url, '{ me { username } }', undefined, { token: other.accessToken }))).toBe('UNAUTHENTICATED');
  });

  test('accounts: sign in with a one-time password from resetPassword and use the API without changing it', async () => {
    const analyst = await freshAnalyst('pingshan');
    const before = (await login(analyst.username, analyst.password)).json!.data!.login;
    const reset = await send<{ resetPassword: { oneTimePassword: string } }>(
      server.url,
      'mutation($id: ID!) { resetPassword(accountId: $id) { oneTimePassword account { mustChangePassword } } }',
      { id: analyst.id },
      { token: pingshanAdmin },
    );
    const oneTime = reset.json?.data?.resetPassword.oneTimePassword;
    expect(oneTime).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
    // The sign-in made before the reset ends at once.
    expect(errorCode(await send(server.url, '{ me { username } }', undefined, { token: before.accessToken }))).toBe('UNAUTHENTICATED');
    const signedIn = (await login(analyst.username, oneTime!)).json!.data!.login;
    expect(signedIn.passwordChangeRequired).toBe(true);
    const refused = await send(server.url, '{ households(first: 1) { totalCount } }', undefined, { token: signedIn.accessToken });
    expect({ code: errorCode(refused), data: refused.json?.data ?? null }).toEqual({ code: 'PASSWORD_CHANGE_REQUIRED', data: null });
    const photo = await fetch(`${server.url}/photos/${'0'.repeat(64)}`, { headers: { authorization: `Bearer ${signedIn.accessToken}` } });
    expect(photo.status).toBe(403);
    expect((await send(server.url, '{ me { username mustChangePassword } }', undefined, { token: signedIn.accessToken })).json?.data).toEqual({
      me: { username: analyst.username, mustChangePassword: true },
    });
    const changed = await send<{ changePassword: Tokens }>(server.url, CHANGE, { o: oneTime, n: 'chosen-after-reset-2026' }, { token: signedIn.accessToken });
    expect(changed.json?.data?.changePassword.passwordChangeRequired).toBe(false);
    const works = await send(server.url, '{ households(first: 1) { totalCount } }', undefined, { token: changed.json!.data!.changePassword.accessToken });
    expect(works.json?.errors).toBeUndefined();
  });

  test('accounts: a district administrator resets, unlocks or deactivates the city’s and another district’s accounts', async () => {
    const cityAnalyst = await freshAnalyst('city');
    const xihuAnalyst = await freshAnalyst('xihu');
    const cityAdminId = await accountId('admin');
    const attempts = [
      ['resetPassword', 'mutation($id: ID!) { resetPassword(accountId: $id) { oneTimePassword } }'],
      ['unlockAccount', 'mutation($id: ID!) { unlockAccount(accountId: $id) { id } }'],
      ['deactivateAccount', 'mutation($id: ID!) { deactivateAccount(accountId: $id, reason: "越权尝试") { id } }'],
      ['reactivateAccount', 'mutation($id: ID!) { reactivateAccount(accountId: $id) { id } }'],
    ] as const;
    const answers: Record<string, string | undefined> = {};
    const expected: Record<string, string> = {};
    for (const [name, text] of attempts) {
      for (const [label, id] of [
        ['the city administrator', cityAdminId],
        ['a city analyst', cityAnalyst.id],
        ['an analyst of 溪湖区', xihuAnalyst.id],
        ['an id that does not exist', '987654'],
      ] as const) {
        answers[`${name} on ${label}`] = errorCode(await send(server.url, text, { id }, { token: pingshanAdmin }));
        expected[`${name} on ${label}`] = 'FORBIDDEN';
      }
    }
    expect(answers).toEqual(expected);
    // Nothing happened: both still sign in with their passwords.
    expect((await login(cityAnalyst.username, cityAnalyst.password)).json?.data?.login.accessToken).toEqual(expect.any(String));
    expect((await login(xihuAnalyst.username, xihuAnalyst.password)).json?.data?.login.accessToken).toEqual(expect.any(String));
  });

  test('accounts: an analyst or an anonymous caller lists accounts or resets a password', async () => {
    const analyst = await staffToken(server.url, 'analyst');
    const victim = await freshAnalyst('pingshan');
    expect(errorCode(await send(server.url, ACCOUNTS, undefined, { token: analyst }))).toBe('FORBIDDEN');
    expect(
      errorCode(await send(server.url, 'mutation($id: ID!) { resetPassword(accountId: $id) { oneTimePassword } }', { id: victim.id }, { token: analyst })),
    ).toBe('FORBIDDEN');
    expect(errorCode(await send(server.url, 'mutation($id: ID!) { resetPassword(accountId: $id) { oneTimePassword } }', { id: victim.id }))).toBe(
      'UNAUTHENTICATED',
    );
    expect(errorCode(await send(server.url, CHANGE, { o: 'x', n: 'a-new-password-2026' }))).toBe('UNAUTHENTICATED');
  });

  test('accounts: the district administrator’s list shows accounts outside the district', async () => {
    await freshAnalyst('xihu');
    const mine = await send<{ accounts: { nodes: { username: string; scopeRegion: { code: string } }[] } }>(server.url, ACCOUNTS, undefined, {
      token: pingshanAdmin,
    });
    const codes = mine.json?.data?.accounts.nodes.map((node) => node.scopeRegion.code) ?? [];
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.filter((code) => !code.startsWith('210502'))).toEqual([]);
    expect(mine.json?.data?.accounts.nodes.map((node) => node.username)).toContain('pingshan-admin');
  });

  test('accounts: a locked-out administrator stays locked out although another administrator would lift it', async () => {
    for (let attempt = 0; attempt < 3; attempt += 1) await login('pingshan-admin', `wrong-${attempt}`);
    expect(errorCode(await login('pingshan-admin', DEMO_PASSWORDS['pingshan-admin']))).toBe('TOO_MANY_REQUESTS');
    const unlocked = await send(
      server.url,
      'mutation($id: ID!) { unlockAccount(accountId: $id) { username signInLockedUntil } }',
      { id: await accountId('pingshan-admin') },
      { token: admin },
    );
    expect(unlocked.json?.data).toEqual({ unlockAccount: { username: 'pingshan-admin', signInLockedUntil: null } });
    expect((await login('pingshan-admin', DEMO_PASSWORDS['pingshan-admin'])).json?.data?.login.accessToken).toEqual(expect.any(String));
  });

  test('accounts: keep using a deactivated account’s tokens, and deactivate oneself', async () => {
    const analyst = await freshAnalyst('pingshan');
    const session = (await login(analyst.username, analyst.password)).json!.data!.login;
    const self = await send(
      server.url,
      'mutation($id: ID!) { deactivateAccount(accountId: $id, reason: "自己停用") { id } }',
      { id: await accountId('pingshan-admin') },
      {
        token: pingshanAdmin,
      },
    );
    expect({ code: errorCode(self), field: self.json?.errors?.[0]?.extensions?.field }).toEqual({ code: 'BAD_USER_INPUT', field: 'accountId' });
    const off = await send(
      server.url,
      'mutation($id: ID!) { deactivateAccount(accountId: $id, reason: "调离本区") { active } }',
      { id: analyst.id },
      { token: pingshanAdmin },
    );
    expect(off.json?.data).toEqual({ deactivateAccount: { active: false } });
    expect(errorCode(await send(server.url, '{ me { username } }', undefined, { token: session.accessToken }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await send(server.url, 'mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }', { t: session.refreshToken }))).toBe(
      'UNAUTHENTICATED',
    );
    expect(errorCode(await login(analyst.username, analyst.password))).toBe('UNAUTHENTICATED');
    const on = await send(server.url, 'mutation($id: ID!) { reactivateAccount(accountId: $id) { active } }', { id: analyst.id }, { token: pingshanAdmin });
    expect(on.json?.data).toEqual({ reactivateAccount: { active: true } });
    expect((await login(analyst.username, analyst.password)).json?.data?.login.accessToken).toEqual(expect.any(String));
    // Every step is in the audit trail.
    const trail = await send<{ auditEntries: { nodes: { operation: string; reason: string | null }[] } }>(
      server.url,
      '{ auditEntries(first: 50) { nodes { operation reason } } }',
      undefined,
      { token: admin },
    );
    const operations = trail.json?.data?.auditEntries.nodes.map((node) => node.operation) ?? [];
    expect(operations).toEqual(expect.arrayContaining(['deactivateAccount', 'reactivateAccount', 'resetPassword', 'unlockAccount', 'changePassword']));
  });

  /** A second administrator of a scope, made by the city's administrator: a peer of that scope's administrators. */
  const peerAdministrator = (scope: 'city' | 'pingshan') => freshAnalyst(scope, 'probe-peer-admin-password-1', 'ADMIN');
  const RESET = 'mutation($id: ID!) { resetPassword(accountId: $id) { oneTimePassword } }';
  const DEACTIVATE = 'mutation($id: ID!) { deactivateAccount(accountId: $id, reason: "同级停用") { active } }';
  const REACTIVATE = 'mutation($id: ID!) { reactivateAccount(accountId: $id) { active } }';
  const signsIn = async (username: string, password: string) => Boolean((await login(username, password)).json?.data?.login?.accessToken);

  test('accounts: a district administrator resets a peer administrator of the same district and signs in with the one-time password', async () => {
    const peer = await peerAdministrator('pingshan');
    const reset = await send<{ resetPassword: { oneTimePassword: string } }>(server.url, RESET, { id: peer.id }, { token: pingshanAdmin });
    expect({ code: errorCode(reset), oneTimePassword: reset.json?.data?.resetPassword?.oneTimePassword ?? null }).toEqual({
      code: 'FORBIDDEN',
      oneTimePassword: null,
    });
    // The peer keeps their own password; a peer may still lift their lock, and the city may reset them.
    expect(await signsIn(peer.username, peer.password)).toBe(true);
    const unlocked = await send(server.url, 'mutation($id: ID!) { unlockAccount(accountId: $id) { id } }', { id: peer.id }, { token: pingshanAdmin });
    expect(unlocked.json?.data).toEqual({ unlockAccount: { id: peer.id } });
    const byCity = await send<{ resetPassword: { oneTimePassword: string } }>(server.url, RESET, { id: peer.id }, { token: admin });
    expect(byCity.json?.data?.resetPassword?.oneTimePassword).toEqual(expect.any(String));
  });

  test('accounts: a district administrator deactivates a peer administrator of the same district', async () => {
    const peer = await peerAdministrator('pingshan');
    const off = await send(server.url, DEACTIVATE, { id: peer.id }, { token: pingshanAdmin });
    expect({ code: errorCode(off), data: off.json?.data ?? null }).toEqual({ code: 'FORBIDDEN', data: null });
    expect(await signsIn(peer.username, peer.password)).toBe(true);
  });

  test('accounts: a district administrator reactivates a peer administrator whom the city deactivated', async () => {
    const peer = await peerAdministrator('pingshan');
    expect((await send(server.url, DEACTIVATE, { id: peer.id }, { token: admin })).json?.data).toEqual({ deactivateAccount: { active: false } });
    const on = await send(server.url, REACTIVATE, { id: peer.id }, { token: pingshanAdmin });
    expect({ code: errorCode(on), data: on.json?.data ?? null }).toEqual({ code: 'FORBIDDEN', data: null });
    expect(await signsIn(peer.username, peer.password)).toBe(false);
  });

  test('accounts: a city administrator resets or deactivates another city administrator', async () => {
    const peer = await peerAdministrator('city');
    const reset = await send<{ resetPassword: { oneTimePassword: string } }>(server.url, RESET, { id: peer.id }, { token: admin });
    expect({ code: errorCode(reset), oneTimePassword: reset.json?.data?.resetPassword?.oneTimePassword ?? null }).toEqual({
      code: 'FORBIDDEN',
      oneTimePassword: null,
    });
    expect(errorCode(await send(server.url, DEACTIVATE, { id: peer.id }, { token: admin }))).toBe('FORBIDDEN');
    expect(await signsIn(peer.username, peer.password)).toBe(true);
  });

  test('accounts: with the production safelist on, an administrator given a one-time password cannot replace it', async () => {
    const enforced = await startProbeServer({ SAFELIST_MODE: 'enforce' });
    try {
      const cityAdmin = await staffToken(enforced.url, 'admin');
      const list = await send<{ accounts: { nodes: { id: string; username: string }[] } }>(enforced.url, ACCOUNTS, undefined, { token: cityAdmin });
      const analystId = list.json!.data!.accounts.nodes.find((node) => node.username === 'analyst')!.id;
      const reset = await send<{ resetPassword: { oneTimePassword: string } }>(
        enforced.url,
        'mutation($id: ID!) { resetPassword(accountId: $id) { oneTimePassword } }',
        { id: analystId },
        { token: cityAdmin },
      );
      const oneTime = reset.json!.data!.resetPassword.oneTimePassword;
      const signedIn = (await send<{ login: Tokens }>(enforced.url, LOGIN, { u: 'analyst', p: oneTime })).json!.data!.login;
      const changed = await send<{ changePassword: Tokens }>(
        enforced.url,
        CHANGE,
        { o: oneTime, n: 'chosen-under-safelist-2026' },
        { token: signedIn.accessToken },
      );
      expect({ errors: changed.json?.errors, required: changed.json?.data?.changePassword.passwordChangeRequired }).toEqual({
        errors: undefined,
        required: false,
      });
    } finally {
      await enforced.stop();
    }
  });
});
