import { randomBytes } from 'node:crypto';
import type mysql from 'mysql2/promise';
import { NoticeKind } from '@wanjia/shared';
import { startFakeWechat, type FakeWechat } from '../../server/test/support/fake-wechat';
import { checkRecords, storedClientIds, type AcknowledgedRecord } from '../support/record-check';
import { callGraphql, deliver, newVisit, signInDemoCadres, sleep, tally, type CallOutcome, type Delivery, type SignedInCadre } from '../support/cadre-client';
import { HAPROXY_SERVERS, startHaproxy, type HaproxyProcess } from '../support/haproxy';
import { createScratchDatabase, mysqlServer, type ScratchDatabase } from '../support/mysql';
import { freePort, startServer, type ServerProcess } from '../support/server-process';
import { TcpProxy } from '../support/tcp-proxy';

/**
 * Issue 17, many instances: three built API instances on one MariaDB database and one Redis, behind
 * HAProxy running the repository's own deploy/haproxy/wanjia.cfg. Under a retry storm of cadres'
 * submissions through the proxy one instance is killed (SIGKILL) and started again: every record a
 * phone was told is stored is stored exactly once, the proxy's /readyz check takes the dead instance
 * out and the restarted one back in; the scheduled jobs, ticking in all three, deliver each WeChat
 * notice exactly once; an account deactivated through one instance is refused by the others within
 * the account-standing bound.
 */

/** HAProxy's check: every second, two failures out (deploy/haproxy/wanjia.cfg), on a loaded 2-core machine. */
const MARKED_DOWN_BOUND_MS = 10_000;
/** account-status.service.ts's ACCOUNT_STATUS_MAX_AGE_MS (5 s), with room for a busy machine. */
const STANDING_BOUND_MS = 5_000 + 3_000;
const JWT_SECRET = randomBytes(36).toString('base64');
const NOTICES = 24;

describe('three API instances behind HAProxy (deploy/haproxy/wanjia.cfg)', () => {
  const mysqlTarget = mysqlServer();
  let database: ScratchDatabase;
  let wechat: FakeWechat;
  let ports: number[];
  const instances: ServerProcess[] = [];
  let proxy: HaproxyProcess;
  let cadres: SignedInCadre[];
  let environment: Record<string, string>;
  /** Instance 3 reaches the database through a relay the test can cut: its link alone goes. */
  let databaseLink: TcpProxy;
  const environmentOf = (index: number) =>
    index === 2
      ? { ...environment, DATABASE_URL: database.urlThrough('127.0.0.1', databaseLink.port), PORT: String(ports[index]) }
      : { ...environment, PORT: String(ports[index]) };

  beforeAll(async () => {
    database = await createScratchDatabase(mysqlTarget, 'instances');
    databaseLink = await TcpProxy.start(mysqlTarget.host, mysqlTarget.port);
    wechat = await startFakeWechat();
    ports = [await freePort(), await freePort(), await freePort()];
    environment = {
      DATABASE_URL: database.url,
      DEMO_DATA: 'true',
      DEV_SIGN_IN: 'true',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      DB_POOL_MAX: '5',
      // One secret for all: a token signed by one instance is checked by another.
      JWT_SECRET,
      // HAProxy is on loopback and appends the client's address.
      TRUST_PROXY: 'loopback',
      // Shared limits (Redis), generous enough for a storm from one test machine's address.
      RATE_LIMITS: 'true',
      REDIS_URL: process.env.TEST_REDIS_URL?.trim() || 'redis://127.0.0.1:6379',
      RATE_LIMIT_KEY_PREFIX: `wanjia:instances-test:${randomBytes(4).toString('hex')}`,
      RATE_LIMIT_WRITES_PER_ADDRESS: '100000/60',
      RATE_LIMIT_RECORDS_PER_ACCOUNT: '100000/60',
      RATE_LIMIT_SIGN_IN_PER_ADDRESS: '10000/60',
      // The scheduled jobs tick in every instance (off under NODE_ENV=test unless asked for).
      JOBS_ENABLED: 'true',
      JOBS_INTERVAL_SECONDS: '5',
      WECHAT_APP_ID: wechat.appId,
      WECHAT_APP_SECRET: wechat.appSecret,
      WECHAT_API_BASE: wechat.baseUrl,
      ...Object.fromEntries(Object.values(NoticeKind).map((kind) => [`WECHAT_TEMPLATE_${kind}`, `template-${kind.toLowerCase().replaceAll('_', '-')}`])),
    };
    // All three at once on the empty database, as a deployment starts them: they take turns at the
    // migrations and the demo data (the start-up lease) instead of two dying on "table already exists".
    const started = await Promise.allSettled(ports.map((_, index) => startServer(environmentOf(index))));
    // Those that started are stopped in afterAll even when another did not.
    for (const outcome of started) if (outcome.status === 'fulfilled') instances.push(outcome.value);
    const failed = started.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    proxy = await startHaproxy(ports.map((port) => `127.0.0.1:${port}`));
    await until(async () => [...(await proxy.servers()).values()].every((server) => server.status === 'UP'), 20_000, 'every instance UP in HAProxy');
    cadres = await signInDemoCadres(proxy.url);
  }, 180_000);

  afterAll(async () => {
    await proxy?.stop();
    await Promise.all(instances.map((instance) => instance.stop('SIGTERM')));
    await wechat?.close();
    await databaseLink?.close();
    await database?.drop();
  });

  it('a retry storm through the proxy with one instance killed and restarted: every record stored exactly once, the dead one taken out and the restarted one back in', async () => {
    expect(cadres.length).toBeGreaterThan(0);
    const victim = 1;
    const victimName = HAPROXY_SERVERS[victim];
    let creating = true;
    let serial = 0;
    const deliveries: Delivery[] = [];
    const timeline = { killedAt: 0, markedDownAt: 0, restartedAt: 0, markedUpAt: 0 };
    const statusSamples: { at: number; status: string }[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const status = (await proxy.servers()).get(victimName)?.status ?? 'missing';
        statusSamples.push({ at: Date.now(), status });
        await sleep(200);
      }
    })();

    let deadline = Number.POSITIVE_INFINITY;
    const workers = cadres.flatMap((cadre) =>
      Array.from({ length: 2 }, async (_, worker) => {
        let index = worker;
        while (creating) {
          const household = cadre.households[index++ % cadre.households.length]!;
          deliveries.push(
            await deliver(() => proxy.url, cadre.token, newVisit(household, ++serial), {
              backoffMs: 200,
              keepTrying: () => Date.now() < deadline,
              timeoutMs: 45_000,
            }),
          );
        }
      }),
    );

    await sleep(4_000);
    const before = (await proxy.servers()).get(victimName)!;
    timeline.killedAt = Date.now();
    await instances[victim]!.stop('SIGKILL');
    await until(async () => (await proxy.servers()).get(victimName)?.status === 'DOWN', MARKED_DOWN_BOUND_MS * 2, `${victimName} DOWN after SIGKILL`);
    timeline.markedDownAt = Date.now();
    await sleep(2_000);
    timeline.restartedAt = Date.now();
    instances[victim] = await startServer(environmentOf(victim));
    await until(async () => (await proxy.servers()).get(victimName)?.status === 'UP', MARKED_DOWN_BOUND_MS * 2, `${victimName} UP after its restart`);
    timeline.markedUpAt = Date.now();
    const backIn = (await proxy.servers()).get(victimName)!;
    await sleep(4_000);
    const after = (await proxy.servers()).get(victimName)!;
    creating = false;
    deadline = Date.now() + 60_000;
    await Promise.all(workers);
    sampling = false;
    await sampler;

    const attempts = deliveries.flatMap((delivery) => delivery.attempts);
    const failures = attempts.filter((attempt): attempt is Extract<CallOutcome<unknown>, { ok: false }> => !attempt.ok);
    const acknowledged: AcknowledgedRecord[] = deliveries
      .filter((delivery) => delivery.recordId !== null)
      .map((delivery) => ({ clientId: delivery.clientId, recordId: delivery.recordId!, operation: 'submitHelpRecord' }));
    const connection = await database.connect();
    let check;
    let storedCounts: Map<string, number>;
    let storedRows: number;
    try {
      check = await checkRecords(connection, acknowledged);
      storedCounts = await storedClientIds(
        connection,
        deliveries.map((delivery) => delivery.clientId),
      );
      storedRows = await countRows(connection, 'select count(*) as n from help_record where client_id in (?)', [
        deliveries.map((delivery) => delivery.clientId),
      ]);
    } finally {
      await connection.end();
    }
    console.log(
      [
        `retry storm through HAProxy, ${cadres.length} cadres × 2 phones, ${victimName} killed and restarted`,
        `  records: ${deliveries.length} created, ${acknowledged.length} acknowledged, ${deliveries.filter((delivery) => delivery.refused).length} refused; ${storedRows} rows stored; ${attempts.length} requests`,
        `  failed requests by code: ${JSON.stringify(tally(failures.map((failure) => failure.code)))}`,
        `  ${victimName} marked DOWN ${timeline.markedDownAt - timeline.killedAt} ms after SIGKILL; UP ${timeline.markedUpAt - timeline.restartedAt} ms after its restart began`,
        `  ${victimName} states seen: ${statusSamples
          .map((sample) => sample.status)
          .filter((status, index, all) => index === 0 || all[index - 1] !== status)
          .join(' → ')}`,
        `  ${victimName} sessions: ${before.sessionsTotal} before the kill, ${backIn.sessionsTotal} when back UP, ${after.sessionsTotal} 4 s later (counters restart with HAProxy only); redispatched ${after.redispatched}, connection errors ${after.connectionErrors}`,
      ].join('\n'),
    );

    // Nothing left on a phone, nothing refused, nothing lost, doubled, half-written or under another id.
    expect(deliveries.filter((delivery) => delivery.recordId === null)).toEqual([]);
    expect(check.lost).toEqual([]);
    expect(check.duplicated).toEqual([]);
    expect(check.wrongId).toEqual([]);
    expect(check.withoutAudit).toEqual([]);
    expect(check.visitBehind).toEqual([]);
    expect(check.orphaned).toEqual([]);
    expect([...storedCounts.values()].filter((count) => count !== 1)).toEqual([]);
    expect(storedCounts.size).toBe(deliveries.length);
    expect(storedRows).toBe(deliveries.length);
    // The phones only ever saw what they retry: the proxy's 502/503 for a request cut by the kill, a connection error.
    expect(failures.filter((failure) => !['HTTP_502', 'HTTP_503', 'UNAVAILABLE'].includes(failure.code) && !failure.connectionError)).toEqual([]);
    // The health check took the dead instance out and the restarted one back in, and it serves again.
    expect(statusSamples.some((sample) => sample.status === 'DOWN' && sample.at > timeline.killedAt)).toBe(true);
    expect(timeline.markedDownAt - timeline.killedAt).toBeLessThan(MARKED_DOWN_BOUND_MS);
    expect(after.sessionsTotal).toBeGreaterThan(backIn.sessionsTotal);
  });

  it("an instance that loses its database (its /readyz answers 503) is taken out by the proxy's check while it still runs, and put back when the database returns", async () => {
    const name = HAPROXY_SERVERS[2];
    await databaseLink.cut('reset');
    const cutAt = Date.now();
    await until(async () => (await proxy.servers()).get(name)?.status === 'DOWN', MARKED_DOWN_BOUND_MS * 2, `${name} DOWN with its database cut`);
    const downAfterMs = Date.now() - cutAt;
    // Out of the rotation: the phones' submissions through the proxy all land on the other two.
    const before = (await proxy.servers()).get(name)!;
    const outcomes = await Promise.all(
      cadres.map((cadre, index) =>
        deliver(() => proxy.url, cadre.token, newVisit(cadre.households[index % cadre.households.length]!, 10_000 + index), {
          backoffMs: 200,
          keepTrying: () => Date.now() < cutAt + 60_000,
        }),
      ),
    );
    const whileOut = (await proxy.servers()).get(name)!;
    expect(instances[2]!.child.exitCode).toBeNull();
    await databaseLink.restore();
    const restoredAt = Date.now();
    await until(async () => (await proxy.servers()).get(name)?.status === 'UP', MARKED_DOWN_BOUND_MS * 2, `${name} UP with its database back`);
    console.log(
      `database link of ${name} cut: DOWN after ${downAfterMs} ms (process still running); back UP ${Date.now() - restoredAt} ms after the link returned`,
    );
    expect(outcomes.map((outcome) => [outcome.recordId !== null, outcome.attempts.length])).toEqual(outcomes.map(() => [true, 1]));
    expect(whileOut.sessionsTotal).toBe(before.sessionsTotal);
  });

  it('the scheduled jobs, ticking in all three instances, deliver each WeChat notice exactly once', async () => {
    const connection = await database.connect();
    let noticeIds: number[];
    const owners = new Set<string>();
    try {
      noticeIds = await enqueueNotices(connection, NOTICES);
      let sent = 0;
      await until(
        async () => {
          const [leases] = await connection.query<mysql.RowDataPacket[]>('select owner from job_lease where owner is not null');
          for (const row of leases) owners.add(String(row.owner));
          sent = await countRows(connection, "select count(*) as n from notice_delivery where status = 'SENT' and notice_id in (?)", [noticeIds]);
          return sent === noticeIds.length;
        },
        90_000,
        `all ${NOTICES} notices sent`,
        100,
      );
    } finally {
      await connection.end();
    }
    const sentTimes = tally(
      wechat.sent.map((message) => new URLSearchParams(message.page.split('?')[1] ?? '').get('noticeId') ?? '?').filter((id) => noticeIds.includes(Number(id))),
    );
    const instancePids = new Set(instances.map((instance) => String(instance.child.pid)));
    const runners = [...owners].map((owner) => owner.split(':')[1]!).filter((pid) => instancePids.has(pid));
    console.log(
      `scheduled jobs: ${NOTICES} notices, WeChat received ${Object.keys(sentTimes).length} distinct, ${Object.values(sentTimes).reduce((a, b) => a + b, 0)} in all; job leases seen held (sampled every 100 ms; a run lasts milliseconds) by ${new Set(runners).size} of the 3 instances`,
    );
    expect(Object.keys(sentTimes)).toHaveLength(NOTICES);
    expect(Object.values(sentTimes).filter((times) => times !== 1)).toEqual([]);
  });

  it('an account deactivated through one instance is refused by the others within the account-standing bound', async () => {
    const [a, b, c] = instances.map((instance) => instance.url) as [string, string, string];
    const admin = await callGraphql<{ login: { accessToken: string } }>(
      a,
      'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }',
      { u: 'admin', p: 'wanjia-admin-demo' },
      null,
    );
    if (!admin.ok) throw new Error(`admin login failed: ${admin.code} ${admin.message}`);
    const analyst = await callGraphql<{ login: { accessToken: string; account: { id: string } } }>(
      a,
      'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken account { id } } }',
      { u: 'analyst', p: 'wanjia-analyst-demo' },
      null,
    );
    if (!analyst.ok) throw new Error(`analyst login failed: ${analyst.code} ${analyst.message}`);
    const token = analyst.data.login.accessToken;
    const me = (url: string) => callGraphql<{ me: { id: string } }>(url, '{ me { id } }', {}, token);
    // B and C have read the analyst's standing (active) and keep it for up to 5 s.
    expect((await me(b)).ok).toBe(true);
    expect((await me(c)).ok).toBe(true);
    const deactivated = await callGraphql<unknown>(
      a,
      'mutation ($id: ID!) { deactivateAccount(accountId: $id, reason: "集群测试：停用账号") { id } }',
      { id: analyst.data.login.account.id },
      admin.data.login.accessToken,
    );
    if (!deactivated.ok) throw new Error(`deactivateAccount failed: ${deactivated.code} ${deactivated.message}`);
    const at = Date.now();
    // At once on the instance that did it; within the bound on the others.
    expect(await codeOf(me(a))).toBe('UNAUTHENTICATED');
    const refusedAfter: number[] = [];
    for (const url of [b, c]) {
      await until(async () => (await codeOf(me(url))) === 'UNAUTHENTICATED', STANDING_BOUND_MS + 2_000, `deactivation seen by ${url}`, 100);
      refusedAfter.push(Date.now() - at);
    }
    console.log(`account deactivated on instance 1: refused by instances 2 and 3 after ${refusedAfter.join(' and ')} ms`);
    for (const ms of refusedAfter) expect(ms).toBeLessThan(STANDING_BOUND_MS);
  });
});

async function codeOf(outcome: Promise<CallOutcome<unknown>>): Promise<string> {
  const settled = await outcome;
  return settled.ok ? 'OK' : settled.code;
}

async function countRows(connection: mysql.Connection, sql: string, parameters: unknown[]): Promise<number> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>(sql, parameters);
  return Number(rows[0]!.n);
}

/**
 * Notices waiting for WeChat delivery, written as the services write them (a notice and its pending
 * delivery) for cadres bound to WeChat with subscription credits: the notice-delivery job sends them.
 */
async function enqueueNotices(connection: mysql.Connection, count: number): Promise<number[]> {
  const [accounts] = await connection.query<mysql.RowDataPacket[]>('select id from user_account where cadre_id is not null and active = 1 order by id');
  expect(accounts.length).toBeGreaterThan(0);
  const kind = NoticeKind.DEMAND_INSTRUCTED;
  for (const account of accounts) {
    await connection.query('update user_account set wechat_openid = ? where id = ?', [`openid-instances-${account.id}`, account.id]);
    await connection.query(
      `insert into notice_subscription (account_id, kind, credits, updated_at) values (?, ?, ?, utc_timestamp(3))
         on duplicate key update credits = values(credits)`,
      [account.id, kind, count],
    );
  }
  const ids: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const account = accounts[index % accounts.length]!;
    const [inserted] = await connection.query<mysql.ResultSetHeader>(
      'insert into notice (recipient_account_id, kind, title, body, created_at) values (?, ?, ?, ?, utc_timestamp(3))',
      [account.id, kind, `督办提醒 ${index + 1}`, '请尽快处理群众诉求'],
    );
    ids.push(inserted.insertId);
    await connection.query(
      "insert into notice_delivery (notice_id, template_key, status, attempts, next_attempt_at) values (?, ?, 'PENDING', 0, utc_timestamp(3))",
      [inserted.insertId, kind],
    );
  }
  return ids;
}

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string, everyMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(everyMs);
  }
}
