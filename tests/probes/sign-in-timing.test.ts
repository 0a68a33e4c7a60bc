import { DEMO_PASSWORDS, errorCode, send, staffToken, startProbeServer, type ProbeServer } from './support/probe-server';

/**
 * Sign-in timing: `login` must take the same time whatever is wrong, or its time tells an attacker
 * which user names exist (the outside probe measured ~17 ms for an unknown name against ~29 ms for a
 * wrong password). Every category is sampled many times, interleaved in the same run, and compared by
 * median against the wrong-password case with a margin far below the difference one argon2
 * verification makes.
 */

const ROUNDS = 60;
const WARM_UP = 5;
const LOGIN = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }';
const GONE = { username: 'timing-gone', password: 'timing-gone-password-2026' };

type Category = 'wrongPassword' | 'unknownName' | 'deactivated' | 'lockedRightPassword';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

describe('sign-in timing', () => {
  let server: ProbeServer;
  let addressCounter = 0;
  const samples: Record<Category, number[]> = { wrongPassword: [], unknownName: [], deactivated: [], lockedRightPassword: [] };
  const codes: Record<Category, Set<string | undefined>> = {
    wrongPassword: new Set(),
    unknownName: new Set(),
    deactivated: new Set(),
    lockedRightPassword: new Set(),
  };
  let deactivation = 'not tried';

  // Each attempt from its own address (one trusted proxy hop), so that the per-address lock never
  // answers first; the per-name lock is what the locked case is about.
  const attempt = (username: string, password: string) =>
    send(
      server.url,
      LOGIN,
      { u: username, p: password },
      { headers: { 'x-forwarded-for': `10.77.${Math.floor(++addressCounter / 250) % 250}.${addressCounter % 250}` } },
    );

  beforeAll(async () => {
    server = await startProbeServer({ LOGIN_MAX_FAILURES: '100', TRUST_PROXY: '1' });
    const admin = await staffToken(server.url, 'admin');
    const cities = await send<{ regions: { id: string }[] }>(server.url, '{ regions { id } }', undefined, { token: admin });
    const created = await send<{ createAccount: { id: string } }>(
      server.url,
      'mutation($i: CreateAccountInput!) { createAccount(input: $i) { id } }',
      { i: { username: GONE.username, password: GONE.password, role: 'ANALYST', scopeRegionId: cities.json?.data?.regions[0]?.id } },
      { token: admin },
    );
    const gone = await send(
      server.url,
      'mutation($id: ID!) { deactivateAccount(accountId: $id, reason: "离职") { active } }',
      { id: created.json?.data?.createAccount.id },
      { token: admin },
    );
    deactivation = gone.json?.data ? 'ok' : gone.text;
    // Lock pingshan-admin's name: LOGIN_MAX_FAILURES wrong passwords.
    for (let failure = 0; failure < 100; failure += 1) await attempt('pingshan-admin', `wrong-${failure}`);
    const cases: [Category, () => [string, string]][] = [
      ['wrongPassword', () => ['analyst', `not-the-password-${addressCounter}`]],
      // One unknown name tried as often as the known one: both meet a sign-in counter that already exists.
      ['unknownName', () => ['nobody-by-this-name', `not-the-password-${addressCounter}`]],
      ['deactivated', () => [GONE.username, GONE.password]],
      ['lockedRightPassword', () => ['pingshan-admin', DEMO_PASSWORDS['pingshan-admin']]],
    ];
    for (let round = 0; round < WARM_UP + ROUNDS; round += 1) {
      // A different order each round, so that no category always follows the same one.
      const order = cases.map((_entry, index) => cases[(index + round) % cases.length]!);
      for (const [category, credentials] of order) {
        const [username, password] = credentials();
        const answer = await attempt(username, password);
        if (round < WARM_UP) continue;
        samples[category].push(answer.ms);
        codes[category].add(errorCode(answer));
      }
    }
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
  });

  /** The median time of a category against the wrong-password case: the same within 3 ms or 15 %. */
  function compare(category: Category) {
    const reference = median(samples.wrongPassword);
    const observed = median(samples[category]);
    const margin = Math.max(3, reference * 0.15);
    return { reference: Math.round(reference * 10) / 10, observed: Math.round(observed * 10) / 10, withinMargin: Math.abs(observed - reference) <= margin };
  }

  test('sign-in-timing: tell an unknown user name from an existing one by the time login takes', () => {
    expect([...codes.unknownName]).toEqual(['UNAUTHENTICATED']);
    expect([...codes.wrongPassword]).toEqual(['UNAUTHENTICATED']);
    expect(compare('unknownName')).toMatchObject({ withinMargin: true });
  });

  test('sign-in-timing: tell a deactivated account by the time its right password takes', () => {
    expect(deactivation).toBe('ok');
    expect([...codes.deactivated]).toEqual(['UNAUTHENTICATED']);
    expect(compare('deactivated')).toMatchObject({ withinMargin: true });
  });

  test('sign-in-timing: confirm a locked account’s password by the time login takes', () => {
    expect([...codes.lockedRightPassword]).toEqual(['TOO_MANY_REQUESTS']);
    expect(compare('lockedRightPassword')).toMatchObject({ withinMargin: true });
  });

  afterAll(() => {
    const line = (category: Category) => `  ${category.padEnd(20)} median ${median(samples[category]).toFixed(1)} ms over ${samples[category].length}`;
    process.stdout.write(`\nSign-in timing (${ROUNDS} interleaved rounds):\n${(Object.keys(samples) as Category[]).map(line).join('\n')}\n`);
  });
});
