import { errorCode, send, staffToken, startProbeServer, type ProbeServer } from './support/probe-server';
import { startServer } from '../support/server-process';

/**
 * X-Forwarded-For as the client writes it. Behind one reverse proxy the header reaches the server as
 * "<whatever the client wrote>, <the address the proxy saw>"; these probes send that shape themselves
 * (the test plays the proxy on loopback) and rotate the client-written part. `TRUST_PROXY=1` is one
 * proxy hop on the new server and, on the old one, the same `true` that believed the left-most entry.
 */

const REAL_CLIENT = '10.20.30.40';
const forwarded = (written: string) => ({ 'x-forwarded-for': `${written}, ${REAL_CLIENT}` });
const LOGIN = 'mutation SignIn($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }';

describe('proxy: the client address behind one proxy', () => {
  let server: ProbeServer;

  beforeAll(async () => {
    server = await startProbeServer({
      TRUST_PROXY: '1',
      LOGIN_MAX_FAILURES: '2',
      RATE_LIMITS: 'true',
      RATE_LIMIT_SIGN_IN_PER_ADDRESS: '12/60',
      RATE_LIMIT_SIGN_IN_PER_ACCOUNT: '1000/60',
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('proxy: a forged left-most X-Forwarded-For does not lift the per-address sign-in lock', async () => {
    // The address lock counts 4 × LOGIN_MAX_FAILURES failures; each attempt names another unknown user
    // (so that no account lock answers) and writes another address of its own in front.
    const codes: (string | undefined)[] = [];
    for (let attempt = 0; attempt < 9; attempt += 1) {
      const answer = await send(server.url, LOGIN, { u: `nobody-${attempt}`, p: 'wrong password' }, { headers: forwarded(`203.0.113.${attempt + 1}`) });
      codes.push(errorCode(answer));
    }
    expect(codes.slice(0, 8).every((code) => code === 'UNAUTHENTICATED')).toBe(true);
    expect(codes[8]).toBe('TOO_MANY_REQUESTS');
  });

  test('proxy: a forged left-most X-Forwarded-For does not refill the per-address sign-in rate limit', async () => {
    const realClient = '10.20.30.41';
    const codes: (string | undefined)[] = [];
    for (let attempt = 0; attempt < 13; attempt += 1) {
      const signIn = await send(
        server.url,
        LOGIN,
        { u: 'analyst', p: 'wanjia-analyst-demo' },
        { headers: { 'x-forwarded-for': `198.51.100.${attempt + 1}, ${realClient}` } },
      );
      codes.push(errorCode(signIn));
    }
    expect(codes.slice(0, 12)).toEqual(Array.from({ length: 12 }, () => undefined));
    expect(codes[12]).toBe('TOO_MANY_REQUESTS');
  });

  test('proxy: the audit trail records the address the proxy saw, not the one the client wrote', async () => {
    const admin = await staffToken(server.url, 'admin');
    const cadres = await send<{ cadres: { nodes: { id: string }[] } }>(server.url, '{ cadres(first: 1) { nodes { id } } }', undefined, { token: admin });
    const cadreId = cadres.json!.data!.cadres.nodes[0]!.id;
    const issued = await send(
      server.url,
      'mutation Issue($id: ID!) { issueBindCode(cadreId: $id) { code } }',
      { id: cadreId },
      { token: admin, headers: forwarded('6.6.6.6') },
    );
    expect(issued.json?.errors).toBeUndefined();
    const audit = await send<{ auditEntries: { nodes: { operation: string; clientAddress: string | null }[] } }>(
      server.url,
      '{ auditEntries(first: 5) { nodes { operation clientAddress } } }',
      undefined,
      { token: admin },
    );
    const entry = audit.json?.data?.auditEntries.nodes.find((candidate) => candidate.operation === 'issueBindCode');
    expect(entry?.clientAddress).toBe(REAL_CLIENT);
  });
});

describe('proxy: what TRUST_PROXY accepts', () => {
  test('proxy: TRUST_PROXY=true (believe the left-most entry) stops start-up with a message naming the variable', async () => {
    const started = await startProbeServer({ TRUST_PROXY: 'true' }).then(
      async (running) => {
        await running.stop();
        return null;
      },
      (error: Error) => error.message,
    );
    expect(started).toMatch(/TRUST_PROXY: true is no longer accepted/);
  });

  test('proxy: with the proxies listed by address, a direct client’s X-Forwarded-For is ignored', async () => {
    // The configured proxy is elsewhere: this loopback connection is a client, and what it writes is not believed.
    const server = await startProbeServer({ TRUST_PROXY: '10.0.0.5,10.1.0.0/16', LOGIN_MAX_FAILURES: '1' });
    try {
      const codes: (string | undefined)[] = [];
      for (let attempt = 0; attempt < 5; attempt += 1) {
        codes.push(
          errorCode(await send(server.url, LOGIN, { u: `nobody-${attempt}`, p: 'wrong' }, { headers: { 'x-forwarded-for': `192.0.2.${attempt + 1}` } })),
        );
      }
      // LOGIN_MAX_FAILURES=1: the address locks after 4 failures; the fifth, from the same real address, is refused.
      expect(codes).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'TOO_MANY_REQUESTS']);
    } finally {
      await server.stop();
    }
  });

  test('proxy: a TRUST_PROXY that is neither hops nor addresses stops start-up naming the variable', async () => {
    const message = await startServer({ NODE_ENV: 'development', TRUST_PROXY: 'the-proxy', HOST: '127.0.0.1', SQLITE_PATH: ':memory:' }, 20_000).then(
      async (running) => {
        await running.stop();
        return null;
      },
      (error: Error) => error.message,
    );
    expect(message).toMatch(/TRUST_PROXY: must be a number of proxies or a comma-separated list/);
  });
});
