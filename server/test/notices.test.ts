import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NoticeKind, Role } from '@wanjia/shared';
import type { AppConfig, DatabaseConfig } from '../src/config';
import { ManualClock } from '../src/core/clock';
import { createOrm, type Orm } from '../src/db/orm';
import type { UserAccount } from '../src/modules/accounts/user-account.entity';
import { AuditEntry } from '../src/modules/audit/audit-entry.entity';
import type { Cadre } from '../src/modules/cadres/cadre.entity';
import { JobLease } from '../src/modules/jobs/job-lease.entity';
import { runLeased } from '../src/modules/jobs/job-lease.service';
import { JOB_LEASE_MS, JOBS } from '../src/modules/jobs/jobs';
import { startScheduler, type Job } from '../src/modules/jobs/scheduler';
import { DeliveryStatus, NoticeDelivery } from '../src/modules/notices/notice-delivery.entity';
import {
  deliverPendingNotices,
  DELIVERY_LEASE_MS,
  MAX_DELIVERY_ATTEMPTS,
  QUOTA_RETRY_MS,
  retryDelayMs,
  type DeliveryOutcome,
} from '../src/modules/notices/notice-delivery.worker';
import { NoticeSubscription } from '../src/modules/notices/notice-subscription.entity';
import { isoWeekOf, noticeVisitsDue, VISITS_DUE_SCANNED } from '../src/modules/notices/notice-visits-due';
import { Notice } from '../src/modules/notices/notice.entity';
import { WechatAccessToken } from '../src/modules/notices/wechat-access-token.entity';
import { accessToken } from '../src/modules/notices/wechat-messages.client';
import { MAX_SUBSCRIPTION_CREDITS, noticeService, type NoticeDraft } from '../src/modules/notices/notice.service';
import { createLogger } from '../src/logger';
import { errorOf } from './support/cadre-operations';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { startFakeWechat, type FakeWechat } from './support/fake-wechat';
import {
  createAccount,
  createAssignment,
  createCadre,
  createHousehold,
  createRegionTree,
  createRound,
  createUnit,
  tokenFor,
  type RegionTree,
} from './support/factories';
import { startApp, type RunningApp } from './support/server';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Monday 2026-12-07, 10:00 in Shanghai. */
const MONDAY_MORNING = new Date('2026-12-07T02:00:00.000Z');

const MY_NOTICES = `query ($unreadOnly: Boolean, $first: Int, $after: String) {
  myNotices(unreadOnly: $unreadOnly, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id kind title body demandId referralId createdAt readAt }
  }
}`;
const MARK_READ = 'mutation ($input: MarkNoticesReadInput!) { markNoticesRead(input: $input) }';
const SUBSCRIBE = 'mutation ($input: NoticeSubscriptionsInput!) { recordNoticeSubscriptions(input: $input) }';

/**
 * A slow WeChat: forwards every request to the fake one, after `before(url)` has run (the test's way of
 * letting time pass, or another worker act, while a send is under way).
 */
async function startRelay(target: string, before: (url: URL) => Promise<void>): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', target);
      void (async () => {
        try {
          await before(url);
          const answer = await fetch(url, {
            method: request.method,
            headers: { 'content-type': request.headers['content-type'] ?? 'application/json' },
            body: request.method === 'POST' ? Buffer.concat(chunks) : undefined,
          });
          response.statusCode = answer.status;
          response.setHeader('content-type', answer.headers.get('content-type') ?? 'application/json');
          response.end(Buffer.from(await answer.arrayBuffer()));
        } catch (error) {
          response.statusCode = 502;
          response.end(String(error));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface NoticeNode {
  id: string;
  kind: NoticeKind;
  title: string;
  body: string;
  demandId: string | null;
  referralId: string | null;
  createdAt: string;
  readAt: string | null;
}
interface NoticePage {
  myNotices: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: NoticeNode[] };
}

/**
 * Notices (消息) and their WeChat delivery: written in the event's transaction, read only by their
 * recipient, sent through the (fake) WeChat exactly once while it fails, recovers, expires the token
 * and refuses a user, by competing workers; the weekly visit reminder once per week; job leases.
 */
describe.each(databaseKinds())('notices on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let wechat: FakeWechat;
  let config: AppConfig;
  let regions: RegionTree;
  let cadreA: Cadre;
  let cadreB: Cadre;
  let accountA: UserAccount;
  let accountB: UserAccount;
  let admin: UserAccount;
  let tokenA: string;
  let tokenB: string;
  let adminToken: string;
  /** Every SQL statement the test's ORM ran (cleared where a case counts them). */
  const statements: string[] = [];

  const as = <T>(bearer: string, query: string, variables: Record<string, unknown> = {}) =>
    server.graphql<T>(query, variables, { authorization: `Bearer ${bearer}` });

  const draft = (overrides: Partial<NoticeDraft> = {}): NoticeDraft => ({
    kind: NoticeKind.REFERRED_TO_UNIT,
    recipientCadreIds: [cadreA.id],
    title: '新交办：房屋漏雨',
    body: '平山区民政局收到一件交办，请在期限内受理。',
    at: MONDAY_MORNING,
    ...overrides,
  });

  const enqueue = (drafts: NoticeDraft[]) => orm.em.fork().transactional((tx) => noticeService.enqueue(tx, drafts));
  const deliveries = () => orm.em.fork().find(NoticeDelivery, {}, { orderBy: { id: 'asc' } });
  const credits = async (account: UserAccount, noticeKind: NoticeKind) =>
    (await orm.em.fork().findOne(NoticeSubscription, { account: account.id, kind: noticeKind }))?.credits ?? 0;
  const setCredits = async (account: UserAccount, noticeKind: NoticeKind, value: number) => {
    const em = orm.em.fork();
    const row = await em.findOne(NoticeSubscription, { account: account.id, kind: noticeKind });
    if (row) row.credits = value;
    else em.create(NoticeSubscription, { account: account.id, kind: noticeKind, credits: value, updatedAt: MONDAY_MORNING });
    await em.flush();
  };
  /** Clears the outbox and notices between cases, so that each counts only its own. */
  const clearOutbox = async () => {
    const em = orm.em.fork();
    await em.nativeDelete(NoticeDelivery, {});
    await em.nativeDelete(Notice, {});
    await em.nativeDelete(NoticeSubscription, {});
  };

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'notices', { onQuery: (sql) => statements.push(sql) }));
    wechat = await startFakeWechat();
    const em = orm.em.fork();
    regions = await createRegionTree(em);
    const unit = await createUnit(em, { region: regions.pingshan, name: '平山区民政局' });
    cadreA = await createCadre(em, { unit, name: '刘建华' });
    cadreB = await createCadre(em, { unit, name: '陈志强' });
    accountA = await createAccount(em, { cadre: cadreA, wechatOpenid: 'openid-a' });
    accountB = await createAccount(em, { cadre: cadreB, wechatOpenid: 'openid-b' });
    admin = await createAccount(em, { role: Role.ADMIN, scopeRegion: regions.pingshan });
    server = await startApp(orm, database, (base) => ({
      ...base,
      wechat: { apiBase: wechat.baseUrl, appId: wechat.appId, appSecret: wechat.appSecret },
      notices: {
        page: 'pages/notices/index',
        templates: {
          [NoticeKind.REFERRED_TO_UNIT]: 'tmpl-referred-0001',
          [NoticeKind.AWAITING_CONFIRMATION]: 'tmpl-awaiting-0001',
          [NoticeKind.VISITS_DUE]: 'tmpl-visits-0001',
        },
      },
    }));
    config = server.config;
    tokenA = await tokenFor(accountA, server);
    tokenB = await tokenFor(accountB, server);
    adminToken = await tokenFor(admin, server);
  });

  afterAll(async () => {
    await server?.close();
    await wechat?.close();
    await orm?.close(true);
    if (database) await dropScratchDatabase(database);
  });

  describe('enqueue', () => {
    beforeEach(clearOutbox);

    it("writes nothing when the event's transaction rolls back, and every recipient's notice when it commits", async () => {
      await expect(
        orm.em.fork().transactional(async (tx) => {
          await noticeService.enqueue(tx, [draft()]);
          throw new Error('the event failed');
        }),
      ).rejects.toThrow('the event failed');
      expect(await orm.em.fork().count(Notice, {})).toBe(0);

      const noAccount = await createCadre(orm.em.fork(), { name: '没有账号' });
      await enqueue([
        draft({ recipientCadreIds: [cadreA.id, noAccount.id, cadreA.id], recipientAccountIds: [admin.id, accountA.id], demandId: null, referralId: 77 }),
      ]);
      const written = await orm.em.fork().find(Notice, {}, { orderBy: { id: 'asc' } });
      // The cadre once (named twice, and again by account), the admin once; the cadre without an account is skipped.
      expect(written.map((notice) => notice.recipientAccount.id).sort()).toEqual([accountA.id, admin.id].sort());
      expect(written[0]).toMatchObject({ kind: NoticeKind.REFERRED_TO_UNIT, title: '新交办：房屋漏雨', referralId: 77, readAt: null });
      // Without a subscription credit nothing goes to WeChat.
      expect(await deliveries()).toEqual([]);
    });

    it('cuts an over-long title and body to their columns, and writes a delivery only for a subscribed cadre with WeChat', async () => {
      await setCredits(accountA, NoticeKind.REFERRED_TO_UNIT, 1);
      await setCredits(admin, NoticeKind.REFERRED_TO_UNIT, 1);
      await enqueue([draft({ title: '交'.repeat(60), body: '办'.repeat(300), recipientAccountIds: [admin.id, accountB.id] })]);
      const written = await orm.em.fork().find(Notice, {}, { orderBy: { id: 'asc' } });
      expect(written).toHaveLength(3);
      for (const notice of written) {
        expect(Array.from(notice.title)).toHaveLength(40);
        expect(notice.title.endsWith('…')).toBe(true);
        expect(Array.from(notice.body)).toHaveLength(200);
      }
      const outbox = await deliveries();
      expect(outbox).toHaveLength(1);
      const toA = written.find((notice) => notice.recipientAccount.id === accountA.id)!;
      expect(outbox[0]).toMatchObject({ templateKey: NoticeKind.REFERRED_TO_UNIT, status: DeliveryStatus.PENDING, attempts: 0 });
      expect(outbox[0]!.notice.id).toBe(toA.id);
    });
  });

  describe('reading and marking', () => {
    beforeAll(async () => {
      await clearOutbox();
      await enqueue([1, 2, 3].map((n) => draft({ title: `A 的消息 ${n}`, at: new Date(MONDAY_MORNING.getTime() + n * MINUTE) })));
      await enqueue([draft({ recipientCadreIds: [cadreB.id], title: 'B 的消息' })]);
    });

    it('answers only the caller’s own notices, newest first, page by page', async () => {
      const first = await as<NoticePage>(tokenA, MY_NOTICES, { first: 2 });
      expect(first.errors).toBeUndefined();
      expect(first.data!.myNotices.totalCount).toBe(3);
      expect(first.data!.myNotices.nodes.map((node) => node.title)).toEqual(['A 的消息 3', 'A 的消息 2']);
      const second = await as<NoticePage>(tokenA, MY_NOTICES, { first: 2, after: first.data!.myNotices.pageInfo.endCursor });
      expect(second.data!.myNotices.nodes.map((node) => node.title)).toEqual(['A 的消息 1']);
      expect(second.data!.myNotices.pageInfo.hasNextPage).toBe(false);
      const others = await as<NoticePage>(tokenB, MY_NOTICES);
      expect(others.data!.myNotices.nodes.map((node) => node.title)).toEqual(['B 的消息']);
      expect((await as<NoticePage>(adminToken, MY_NOTICES)).data!.myNotices.totalCount).toBe(0);
      expect(errorOf(await server.graphql(MY_NOTICES))?.code).toBe('UNAUTHENTICATED');
    });

    it("marks read only the caller's own notices, by id or all, and says how many changed", async () => {
      const mine = (await as<NoticePage>(tokenA, MY_NOTICES)).data!.myNotices.nodes;
      // B names A's notices: nothing changes, and nothing tells B they exist.
      const foreign = await as<{ markNoticesRead: number }>(tokenB, MARK_READ, { input: { ids: mine.map((node) => node.id) } });
      expect(foreign.data!.markNoticesRead).toBe(0);
      expect((await as<NoticePage>(tokenA, MY_NOTICES, { unreadOnly: true })).data!.myNotices.totalCount).toBe(3);

      const one = await as<{ markNoticesRead: number }>(tokenA, MARK_READ, { input: { ids: [mine[0]!.id] } });
      expect(one.data!.markNoticesRead).toBe(1);
      const again = await as<{ markNoticesRead: number }>(tokenA, MARK_READ, { input: { ids: [mine[0]!.id] } });
      expect(again.data!.markNoticesRead).toBe(0);
      const unread = (await as<NoticePage>(tokenA, MY_NOTICES, { unreadOnly: true })).data!.myNotices;
      expect(unread.nodes.map((node) => node.id)).toEqual([mine[1]!.id, mine[2]!.id]);
      const all = await as<{ markNoticesRead: number }>(tokenA, MARK_READ, { input: { all: true } });
      expect(all.data!.markNoticesRead).toBe(2);
      expect((await as<NoticePage>(tokenA, MY_NOTICES, { unreadOnly: true })).data!.myNotices.totalCount).toBe(0);
      expect((await as<NoticePage>(tokenA, MY_NOTICES)).data!.myNotices.nodes.every((node) => node.readAt !== null)).toBe(true);
      // B's own notice is still unread.
      expect((await as<NoticePage>(tokenB, MY_NOTICES, { unreadOnly: true })).data!.myNotices.totalCount).toBe(1);
      expect(await orm.em.fork().count(AuditEntry, { operation: 'markNoticesRead', actor: accountA.id })).toBe(3);
    });

    it('refuses neither or both of ids and all, naming the field, and writes nothing', async () => {
      const audits = await orm.em.fork().count(AuditEntry, { operation: 'markNoticesRead' });
      const neither = await as(tokenB, MARK_READ, { input: {} });
      expect(errorOf(neither)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.all' });
      const both = await as(tokenB, MARK_READ, { input: { all: true, ids: ['1'] } });
      expect(errorOf(both)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.ids' });
      const malformed = await as(tokenB, MARK_READ, { input: { ids: ['abc'] } });
      expect(errorOf(malformed)?.code).toBe('BAD_USER_INPUT');
      expect(await orm.em.fork().count(AuditEntry, { operation: 'markNoticesRead' })).toBe(audits);
      expect((await as<NoticePage>(tokenB, MY_NOTICES, { unreadOnly: true })).data!.myNotices.totalCount).toBe(1);
    });
  });

  describe('subscriptions', () => {
    beforeEach(clearOutbox);

    it('adds one credit per accepted kind, none for rejected ones, for cadres only', async () => {
      const first = await as<{ recordNoticeSubscriptions: number }>(tokenA, SUBSCRIBE, {
        input: { accepted: [NoticeKind.REFERRED_TO_UNIT, NoticeKind.VISITS_DUE, NoticeKind.VISITS_DUE], rejected: [NoticeKind.AWAITING_CONFIRMATION] },
      });
      expect(first.errors).toBeUndefined();
      expect(first.data!.recordNoticeSubscriptions).toBe(2);
      const second = await as<{ recordNoticeSubscriptions: number }>(tokenA, SUBSCRIBE, { input: { accepted: [NoticeKind.REFERRED_TO_UNIT], rejected: [] } });
      expect(second.data!.recordNoticeSubscriptions).toBe(1);
      expect(await credits(accountA, NoticeKind.REFERRED_TO_UNIT)).toBe(2);
      expect(await credits(accountA, NoticeKind.VISITS_DUE)).toBe(1);
      expect(await credits(accountA, NoticeKind.AWAITING_CONFIRMATION)).toBe(0);
      expect(await credits(accountB, NoticeKind.REFERRED_TO_UNIT)).toBe(0);
      expect(await orm.em.fork().count(AuditEntry, { operation: 'recordNoticeSubscriptions', actor: accountA.id })).toBeGreaterThanOrEqual(2);
    });

    it(`holds at most ${MAX_SUBSCRIPTION_CREDITS} credits of a kind however often the app records accepts, and says how many were added`, async () => {
      await setCredits(accountA, NoticeKind.REFERRED_TO_UNIT, MAX_SUBSCRIPTION_CREDITS - 1);
      const input = { accepted: [NoticeKind.REFERRED_TO_UNIT, NoticeKind.VISITS_DUE], rejected: [] };
      const first = await as<{ recordNoticeSubscriptions: number }>(tokenA, SUBSCRIBE, { input });
      expect(first.data!.recordNoticeSubscriptions).toBe(2);
      expect(await credits(accountA, NoticeKind.REFERRED_TO_UNIT)).toBe(MAX_SUBSCRIPTION_CREDITS);
      // At the cap: the kind stays there, the other kind still gains; the answer counts only what was added.
      for (let call = 0; call < 3; call += 1) {
        const again = await as<{ recordNoticeSubscriptions: number }>(tokenA, SUBSCRIBE, { input });
        expect(again.errors).toBeUndefined();
        expect(again.data!.recordNoticeSubscriptions).toBe(1);
      }
      expect(await credits(accountA, NoticeKind.REFERRED_TO_UNIT)).toBe(MAX_SUBSCRIPTION_CREDITS);
      expect(await credits(accountA, NoticeKind.VISITS_DUE)).toBe(4);
      // A send takes one, and the next accept gives it back.
      await setCredits(accountA, NoticeKind.REFERRED_TO_UNIT, MAX_SUBSCRIPTION_CREDITS - 1);
      expect(
        (await as<{ recordNoticeSubscriptions: number }>(tokenA, SUBSCRIBE, { input: { accepted: [NoticeKind.REFERRED_TO_UNIT], rejected: [] } })).data!
          .recordNoticeSubscriptions,
      ).toBe(1);
      expect(await credits(accountA, NoticeKind.REFERRED_TO_UNIT)).toBe(MAX_SUBSCRIPTION_CREDITS);
    });

    it('refuses a kind both accepted and rejected (naming the field), and staff, writing nothing', async () => {
      const both = await as(tokenA, SUBSCRIBE, { input: { accepted: [NoticeKind.VISITS_DUE], rejected: [NoticeKind.VISITS_DUE] } });
      expect(errorOf(both)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.rejected' });
      const staff = await as(adminToken, SUBSCRIBE, { input: { accepted: [NoticeKind.VISITS_DUE], rejected: [] } });
      expect(errorOf(staff)?.code).toBe('FORBIDDEN');
      expect(await orm.em.fork().count(NoticeSubscription, {})).toBe(0);
    });
  });

  describe('delivery through WeChat', () => {
    const owner = 'test-worker';
    const deliver = (now: Date, on: Orm = orm) => deliverPendingNotices(on.em.fork(), config, now, owner);

    beforeEach(clearOutbox);

    it('sends a notice exactly once while WeChat fails and recovers, with backoff, using one credit', async () => {
      await setCredits(accountA, NoticeKind.REFERRED_TO_UNIT, 2);
      await enqueue([draft({ demandId: null })]);
      const before = wechat.sent.length;
      wechat.failNext(1, 'http500');
      wechat.failNext(1, -1);
      let now = MONDAY_MORNING;
      expect(await deliver(now)).toMatchObject({ sent: 0, retried: 1 });
      expect((await deliveries())[0]).toMatchObject({ status: DeliveryStatus.PENDING, attempts: 1, leaseOwner: null });
      // Not due again until the backoff has passed.
      expect(await deliver(new Date(now.getTime() + retryDelayMs(1) - 1000))).toMatchObject({ sent: 0, retried: 0 });
      now = new Date(now.getTime() + retryDelayMs(1));
      expect(await deliver(now)).toMatchObject({ sent: 0, retried: 1 });
      expect((await deliveries())[0]!.lastError).toMatch(/WeChat -1/);
      now = new Date(now.getTime() + retryDelayMs(2));
      expect(await deliver(now)).toMatchObject({ sent: 1 });
      expect(await deliver(new Date(now.getTime() + DAY))).toMatchObject({ sent: 0, retried: 0 });
      const sent = wechat.sent.slice(before);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({ touser: 'openid-a', template_id: 'tmpl-referred-0001' });
      expect(sent[0]!.page).toMatch(/^pages\/notices\/index\?noticeId=\d+$/);
      expect(sent[0]!.data.thing1!.value).toBe('新交办：房屋漏雨');
      expect((await deliveries())[0]).toMatchObject({ status: DeliveryStatus.SENT, attempts: 3, lastError: null });
      expect(await credits(accountA, NoticeKind.REFERRED_TO_UNIT)).toBe(1);
    });

    it('renews an expired or replaced token once and sends; the token is shared through the database', async () => {
      await setCredits(accountA, NoticeKind.REFERRED_TO_UNIT, 5);
      await enqueue([draft()]);
      await deliver(MONDAY_MORNING);
      const issued = wechat.tokensIssued();
      await enqueue([draft()]);
      // A second ORM (another instance) reads the stored token: no new one is fetched.
      const other = await createOrm({ database });
      try {
        expect(await deliver(MONDAY_MORNING, other)).toMatchObject({ sent: 1 });
      } finally {
        await other.close(true);
      }
      expect(wechat.tokensIssued()).toBe(issued);
      wechat.expireTokens();
      await enqueue([draft()]);
      expect(await deliver(MONDAY_MORNING)).toMatchObject({ sent: 1, retried: 0 });
      expect(wechat.tokensIssued()).toBe(issued + 1);
      wechat.invalidateTokens();
      await enqueue([draft()]);
      expect(await deliver(MONDAY_MORNING)).toMatchObject({ sent: 1 });
      expect(wechat.tokensIssued()).toBe(issued + 2);
      const last = wechat.sent[wechat.sent.length - 1]!;
      expect(last.token).toBe(`fake-token-${issued + 2}`);
      // A token near its end (within five minutes) is renewed before use.
      await enqueue([draft()]);
      await deliver(new Date(MONDAY_MORNING.getTime() + 2 * HOUR - 4 * MINUTE));
      expect(wechat.tokensIssued()).toBe(issued + 3);
    });

    it('a refused token that another instance has already replaced is answered with the newer one from the table, not renewed again (issue 17)', async () => {
      await setCredits(accountA, NoticeKind.REFERRED_TO_UNIT, 5);
      await enqueue([draft()]);
      await deliver(MONDAY_MORNING);
      const stale = (await orm.em.fork().findOneOrFail(WechatAccessToken, { appId: config.wechat.appId! })).accessToken;
      const other = await createOrm({ database });
      try {
        // The other instance was refused the stored token and renewed it; WeChat ends the old one.
        const fresh = await accessToken(other.em.fork(), config.wechat, MONDAY_MORNING, stale);
        expect(fresh).not.toBe(stale);
        wechat.invalidateToken(stale);
        const issued = wechat.tokensIssued();
        // This instance, still holding the old token, is refused in turn: it takes the other's, and fetches none
        // (a fetch would end the other instance's token five minutes later).
        expect(await accessToken(orm.em.fork(), config.wechat, MONDAY_MORNING, stale)).toBe(fresh);
        expect(wechat.tokensIssued()).toBe(issued);
        // The refused token still in the table is renewed.
        expect(await accessToken(orm.em.fork(), config.wechat, MONDAY_MORNING, fresh)).not.toBe(fresh);
        expect(wechat.tokensIssued()).toBe(issued + 1);
      } finally {
        await other.close(true);
      }
    });

    it('skips a user WeChat refuses (43101) and zeroes their credits; skips without credit or template', async () => {
      await setCredits(accountB, NoticeKind.REFERRED_TO_UNIT, 3);
      await setCredits(accountB, NoticeKind.DEMAND_ESCALATED, 1);
      wechat.refuseUser('openid-b');
      await enqueue([draft({ recipientCadreIds: [cadreB.id] }), draft({ recipientCadreIds: [cadreB.id], kind: NoticeKind.DEMAND_ESCALATED })]);
      const before = wechat.sent.length;
      expect(await deliver(MONDAY_MORNING)).toMatchObject({ sent: 0, skipped: 2 });
      const [refused, untemplated] = await deliveries();
      expect(refused).toMatchObject({ status: DeliveryStatus.SKIPPED, lastError: expect.stringMatching(/43101/) });
      expect(untemplated).toMatchObject({ status: DeliveryStatus.SKIPPED, lastError: expect.stringMatching(/WECHAT_TEMPLATE_DEMAND_ESCALATED/) });
      expect(await credits(accountB, NoticeKind.REFERRED_TO_UNIT)).toBe(0);
      // A credit used up meanwhile: the delivery written with it is skipped, not sent.
      await setCredits(accountA, NoticeKind.REFERRED_TO_UNIT, 1);
      await enqueue([draft(), draft()]);
      expect(await deliver(MONDAY_MORNING)).toMatchObject({ sent: 1, skipped: 1 });
      expect(wechat.sent.length - before).toBe(1);
    });

    it('waits an hour on the daily quota (45009) without counting it, and gives up after six failed tries', async () => {
      await setCredits(accountA, NoticeKind.REFERRED_TO_UNIT, 5);
      await enqueue([draft(), draft()]);
      wechat.failNext(1, 45009);
      expect(await deliver(MONDAY_MORNING)).toMatchObject({ sent: 0, retried: 2 });
      for (const row of await deliveries()) {
        expect(row).toMatchObject({ status: DeliveryStatus.PENDING, attempts: 0 });
        expect(row.nextAttemptAt.getTime()).toBe(MONDAY_MORNING.getTime() + QUOTA_RETRY_MS);
      }
      await orm.em.fork().nativeDelete(NoticeDelivery, { id: (await deliveries())[1]!.id });
      let now = new Date(MONDAY_MORNING.getTime() + QUOTA_RETRY_MS);
      wechat.failNext(MAX_DELIVERY_ATTEMPTS, 'http500');
      for (let attempt = 1; attempt <= MAX_DELIVERY_ATTEMPTS; attempt += 1) {
        await deliver(now);
        now = new Date(now.getTime() + retryDelayMs(attempt));
      }
      expect((await deliveries())[0]).toMatchObject({ status: DeliveryStatus.FAILED, attempts: MAX_DELIVERY_ATTEMPTS, lastError: 'WeChat answered HTTP 500' });
      expect(await deliver(new Date(now.getTime() + DAY))).toMatchObject({ sent: 0, retried: 0, failed: 0 });
    });

    it('two workers at once (two ORMs) send each delivery once', async () => {
      await setCredits(accountA, NoticeKind.REFERRED_TO_UNIT, 100);
      await enqueue(Array.from({ length: 12 }, (_, n) => draft({ title: `并发 ${n}` })));
      const before = wechat.sent.length;
      const other = await createOrm({ database });
      try {
        const outcomes = await Promise.all([
          deliverPendingNotices(orm.em.fork(), config, MONDAY_MORNING, 'worker-1', { batchSize: 8 }),
          deliverPendingNotices(other.em.fork(), config, MONDAY_MORNING, 'worker-2', { batchSize: 8 }),
        ]);
        const rest = await deliver(MONDAY_MORNING);
        expect(outcomes[0].sent + outcomes[1].sent + rest.sent).toBe(12);
      } finally {
        await other.close(true);
      }
      const sent = wechat.sent.slice(before);
      expect(sent).toHaveLength(12);
      expect(new Set(sent.map((message) => message.page)).size).toBe(12);
      expect((await deliveries()).every((row) => row.status === DeliveryStatus.SENT)).toBe(true);
      expect(await credits(accountA, NoticeKind.REFERRED_TO_UNIT)).toBe(88);
    });

    it('a worker whose batch outlives its lease renews each row before sending it, and never resends a row another worker took over', async () => {
      await setCredits(accountA, NoticeKind.REFERRED_TO_UNIT, 10);
      await enqueue([1, 2, 3, 4].map((n) => draft({ title: `慢批次 ${n}` })));
      const before = wechat.sent.length;
      // The first worker's clock: each of its sends takes two minutes on a slow WeChat, so its claim on
      // the batch (lease of 5 minutes) lapses during the third; then the second worker's tick comes.
      const clock = new ManualClock(MONDAY_MORNING);
      const other = await createOrm({ database });
      let sends = 0;
      let takeover: DeliveryOutcome | null = null;
      const slow = await startRelay(wechat.baseUrl, async (url) => {
        if (!url.pathname.endsWith('/message/subscribe/send')) return;
        sends += 1;
        clock.advance(2 * MINUTE);
        if (sends === 3) takeover = await deliverPendingNotices(other.em.fork(), config, clock.now(), 'worker-2');
      });
      let first: DeliveryOutcome;
      try {
        first = await deliverPendingNotices(orm.em.fork(), { ...config, wechat: { ...config.wechat, apiBase: slow.baseUrl } }, MONDAY_MORNING, 'worker-1', {
          clock,
        });
      } finally {
        await slow.close();
        await other.close(true);
      }
      expect(clock.now().getTime() - MONDAY_MORNING.getTime()).toBeGreaterThan(DELIVERY_LEASE_MS);
      // Each message went out once…
      const sent = wechat.sent.slice(before);
      expect(sent.map((message) => message.data.thing1!.value).sort()).toEqual(['慢批次 1', '慢批次 2', '慢批次 3', '慢批次 4']);
      // The third row's lease was renewed at its send (minute 4), so the second worker took only the fourth,
      // and the first worker, finding the fourth no longer its own, left it unsent.
      expect(takeover).toMatchObject({ sent: 1, lost: 0 });
      expect(first).toMatchObject({ sent: 3, lost: 1 });
      expect((await deliveries()).map((row) => [row.status, row.attempts, row.leaseOwner ?? null])).toEqual(
        Array.from({ length: 4 }, () => [DeliveryStatus.SENT, 1, null]),
      );
      expect(await credits(accountA, NoticeKind.REFERRED_TO_UNIT)).toBe(6);
    });

    it('takes over a lease whose holder died, once it lapses', async () => {
      await setCredits(accountA, NoticeKind.REFERRED_TO_UNIT, 1);
      await enqueue([draft()]);
      const em = orm.em.fork();
      await em.nativeUpdate(NoticeDelivery, {}, { leaseOwner: 'dead-worker#1', leaseUntil: new Date(MONDAY_MORNING.getTime() + 5 * MINUTE) });
      expect(await deliver(MONDAY_MORNING)).toMatchObject({ sent: 0 });
      expect(await deliver(new Date(MONDAY_MORNING.getTime() + 6 * MINUTE))).toMatchObject({ sent: 1 });
    });
  });

  describe('weekly visits-due reminders', () => {
    beforeAll(async () => {
      await clearOutbox();
      const em = orm.em.fork();
      const round = await createRound(em);
      // A's household was last visited 40 days before the week (hardship: every 30 days): overdue.
      const overdue = await createHousehold(em, { region: regions.dongxing, lastVisitAt: new Date(MONDAY_MORNING.getTime() - 40 * DAY) });
      await createAssignment(em, { cadre: cadreA, household: overdue, round, startedAt: new Date('2026-05-10T02:00:00Z') });
      // B's was visited yesterday: not due this week, so B hears nothing.
      const fresh = await createHousehold(em, { region: regions.dongxing, lastVisitAt: new Date(MONDAY_MORNING.getTime() - DAY) });
      await createAssignment(em, { cadre: cadreB, household: fresh, round, startedAt: new Date('2026-05-10T02:00:00Z') });
      await setCredits(accountA, NoticeKind.VISITS_DUE, 3);
    });

    const visitNotices = () => orm.em.fork().find(Notice, { kind: NoticeKind.VISITS_DUE }, { orderBy: { id: 'asc' } });

    it('names ISO weeks, Monday first, across a year end', () => {
      expect(isoWeekOf('2026-12-07')).toEqual({ key: '2026-W50', monday: '2026-12-07' });
      expect(isoWeekOf('2026-12-13')).toEqual({ key: '2026-W50', monday: '2026-12-07' });
      expect(isoWeekOf('2027-01-01')).toEqual({ key: '2026-W53', monday: '2026-12-28' });
      expect(isoWeekOf('2027-01-04')).toEqual({ key: '2027-W01', monday: '2027-01-04' });
    });

    it('tells each cadre with visits due once per ISO week, in the daytime, and never twice when two run at once', async () => {
      // 02:00 Shanghai: nobody is told at night.
      expect(await noticeVisitsDue(orm.em.fork(), new Date('2026-12-06T18:00:00Z'), config.visitIntervals)).toEqual({ noticed: 0, cadresChecked: 0 });
      const other = await createOrm({ database });
      try {
        const [first, second] = await Promise.all([
          noticeVisitsDue(orm.em.fork(), MONDAY_MORNING, config.visitIntervals),
          noticeVisitsDue(other.em.fork(), MONDAY_MORNING, config.visitIntervals),
        ]);
        expect(first.noticed + second.noticed).toBeGreaterThanOrEqual(1);
      } finally {
        await other.close(true);
      }
      // Thursday's one scan reads B only (A was told) and finds nothing due.
      expect(await noticeVisitsDue(orm.em.fork(), new Date(MONDAY_MORNING.getTime() + 3 * DAY), config.visitIntervals)).toEqual({
        noticed: 0,
        cadresChecked: 1,
      });
      let notices = await visitNotices();
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatchObject({ periodKey: '2026-W50', title: '本周待走访 1 户' });
      expect(notices[0]!.recipientAccount.id).toBe(accountA.id);
      expect(notices[0]!.body).toContain('1 户已超期');
      // The next week: one more.
      expect(await noticeVisitsDue(orm.em.fork(), new Date(MONDAY_MORNING.getTime() + 7 * DAY), config.visitIntervals)).toEqual({
        noticed: 1,
        cadresChecked: 2,
      });
      notices = await visitNotices();
      expect(notices.map((notice) => notice.periodKey)).toEqual(['2026-W50', '2026-W51']);
      // A subscribed: each week's reminder goes to WeChat too.
      expect((await deliveries()).map((row) => row.templateKey)).toEqual([NoticeKind.VISITS_DUE, NoticeKind.VISITS_DUE]);
    });

    it("scans the cadres once a day: the week's first scan tells who is due, later ticks that day read no cadre, the next day's catches a household that became due", async () => {
      // Monday 2026-12-28 (ISO week 2026-W53), 09:00 Shanghai.
      const monday = new Date('2026-12-28T01:00:00.000Z');
      const run = (at: Date) => noticeVisitsDue(orm.em.fork(), at, config.visitIntervals);
      const assignmentReads = () => statements.filter((sql) => /\bfrom [`"]?assignment[`"]?/i.test(sql)).length;
      expect(await run(monday)).toEqual({ noticed: 1, cadresChecked: 2 });
      const scanned = await orm.em.fork().findOneOrFail(JobLease, { name: VISITS_DUE_SCANNED });
      expect(scanned.lastStartedAt).toEqual(monday);
      // Every later tick of the day (one a minute) answers from the record: not one statement reads assignments.
      statements.length = 0;
      for (const minutes of [1, 2, 60, 12 * 60]) expect(await run(new Date(monday.getTime() + minutes * MINUTE))).toEqual({ noticed: 0, cadresChecked: 0 });
      expect(assignmentReads()).toBe(0);
      expect(statements.length).toBe(4);
      // Monday evening B takes on a household last visited 40 days ago: due this week. Tuesday's scan tells B.
      const em = orm.em.fork();
      const round = await createRound(em);
      const overdue = await createHousehold(em, { region: regions.dongxing, lastVisitAt: new Date(monday.getTime() - 40 * DAY) });
      await createAssignment(em, { cadre: cadreB, household: overdue, round, startedAt: new Date(monday.getTime() + 10 * HOUR) });
      const tuesday = new Date(monday.getTime() + DAY);
      expect(await run(tuesday)).toEqual({ noticed: 1, cadresChecked: 1 });
      expect(await run(new Date(tuesday.getTime() + 5 * HOUR))).toEqual({ noticed: 0, cadresChecked: 0 });
      // Both told this week: Wednesday's scan reads nobody; the week's notices are one each.
      expect(await run(new Date(tuesday.getTime() + DAY))).toEqual({ noticed: 0, cadresChecked: 0 });
      const week = await orm.em.fork().find(Notice, { kind: NoticeKind.VISITS_DUE, periodKey: '2026-W53' });
      expect(week.map((notice) => notice.recipientAccount.id).sort()).toEqual([accountA.id, accountB.id].sort());
      // The next week starts over with a scan of everyone.
      expect(await run(new Date(monday.getTime() + 7 * DAY))).toEqual({ noticed: 2, cadresChecked: 2 });
    });
  });

  describe('job leases', () => {
    it('lets one of two instances run a job at a time, and frees it when the run ends or its holder dies', async () => {
      const other = await createOrm({ database });
      try {
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let runs = 0;
        const work = async () => {
          runs += 1;
          await gate;
          return 'done';
        };
        const first = runLeased(orm.em.fork(), 'test-job', 'instance-1', MONDAY_MORNING, 10 * MINUTE, work);
        // Let the first take the lease before the second tries.
        await new Promise((resolve) => setTimeout(resolve, 100));
        const second = await runLeased(other.em.fork(), 'test-job', 'instance-2', MONDAY_MORNING, 10 * MINUTE, work);
        expect(second).toEqual({ ran: false });
        release();
        expect(await first).toEqual({ ran: true, result: 'done' });
        expect(runs).toBe(1);
        const lease = await orm.em.fork().findOneOrFail(JobLease, { name: 'test-job' });
        expect(lease).toMatchObject({ owner: null, leaseUntil: null });
        expect(lease.lastFinishedAt).not.toBeNull();
        // Free again once the run ended.
        expect(await runLeased(other.em.fork(), 'test-job', 'instance-2', MONDAY_MORNING, 10 * MINUTE, async () => 1)).toEqual({ ran: true, result: 1 });
        // A holder that died keeps it until its lease passes.
        await orm.em.fork().nativeUpdate(JobLease, { name: 'test-job' }, { owner: 'dead', leaseUntil: new Date(MONDAY_MORNING.getTime() + 10 * MINUTE) });
        expect(await runLeased(other.em.fork(), 'test-job', 'instance-2', MONDAY_MORNING, 10 * MINUTE, async () => 2)).toEqual({ ran: false });
        expect(
          await runLeased(other.em.fork(), 'test-job', 'instance-2', new Date(MONDAY_MORNING.getTime() + 10 * MINUTE), 10 * MINUTE, async () => 3),
        ).toEqual({
          ran: true,
          result: 3,
        });
      } finally {
        await other.close(true);
      }
    });

    it('keeps a run that outlasts its lease while its holder lives (renewed), and lets a holder killed mid-run stall a job for at most JOB_LEASE_MS (issue 17)', async () => {
      const other = await createOrm({ database });
      try {
        const clock = new ManualClock(MONDAY_MORNING);
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const first = runLeased(orm.em.fork(), 'renewed-job', 'instance-1', clock.now(), MINUTE, () => gate, { everyMs: 20, now: () => clock.now() });
        const leaseUntil = async () => (await other.em.fork().findOne(JobLease, { name: 'renewed-job' }))?.leaseUntil?.getTime() ?? 0;
        while ((await leaseUntil()) === 0) await new Promise((resolve) => setTimeout(resolve, 10));
        // The run goes on for three of its leases; each renewal moves the lease on from the clock's time.
        clock.advance(3 * MINUTE);
        while ((await leaseUntil()) < clock.now().getTime() + MINUTE) await new Promise((resolve) => setTimeout(resolve, 10));
        expect(await runLeased(other.em.fork(), 'renewed-job', 'instance-2', clock.now(), MINUTE, async () => 'twice')).toEqual({ ran: false });
        release();
        expect(await first).toEqual({ ran: true, result: undefined });
        expect(await other.em.fork().findOneOrFail(JobLease, { name: 'renewed-job' })).toMatchObject({ owner: null, leaseUntil: null });

        // An instance killed mid-run renews no more: the job is free for the others JOB_LEASE_MS after its last renewal.
        const killedAt = clock.now();
        await orm.em.fork().nativeUpdate(JobLease, { name: 'renewed-job' }, { owner: 'killed', leaseUntil: new Date(killedAt.getTime() + JOB_LEASE_MS) });
        expect(
          await runLeased(other.em.fork(), 'renewed-job', 'instance-2', new Date(killedAt.getTime() + JOB_LEASE_MS - 1), JOB_LEASE_MS, async () => 1),
        ).toEqual({ ran: false });
        expect(await runLeased(other.em.fork(), 'renewed-job', 'instance-2', new Date(killedAt.getTime() + JOB_LEASE_MS), JOB_LEASE_MS, async () => 2)).toEqual(
          { ran: true, result: 2 },
        );
        // Every scheduled job's lease is that short (it was ten minutes and more, unrenewed).
        expect(JOBS.map((job) => job.leaseMs)).toEqual(JOBS.map(() => JOB_LEASE_MS));
        expect(JOB_LEASE_MS).toBeLessThanOrEqual(MINUTE);
      } finally {
        await other.close(true);
      }
    });

    it("runs the server's jobs (escalation sweep, delivery, weekly reminder, the imports' and bulk runs' resumption) in one tick, each under its lease", async () => {
      await clearOutbox();
      await setCredits(accountA, NoticeKind.REFERRED_TO_UNIT, 1);
      const clock = new ManualClock(new Date(MONDAY_MORNING.getTime() + 14 * DAY));
      await enqueue([draft({ at: clock.now() })]);
      const before = wechat.sent.length;
      const scheduler = startScheduler({
        orm,
        config: { ...config, jobs: { enabled: true, intervalSeconds: 3600 } },
        logger: createLogger(config),
        clock,
        jobs: JOBS,
      });
      try {
        await scheduler.tick();
      } finally {
        await scheduler.stop();
      }
      const leases = await orm.em.fork().find(JobLease, { name: { $in: JOBS.map((job) => job.name) } }, { orderBy: { name: 'asc' } });
      expect(leases.map((lease) => lease.name)).toEqual(['bulk-runs', 'escalation-sweep', 'import-resume', 'notice-delivery', 'visits-due']);
      for (const lease of leases) expect(lease).toMatchObject({ owner: null, leaseUntil: null, lastStartedAt: clock.now() });
      expect(wechat.sent.length - before).toBe(1);
    });

    it('two schedulers ticking at once run each job once, and a failing job does not stop the others', async () => {
      const other = await createOrm({ database });
      const clock = new ManualClock(new Date(MONDAY_MORNING.getTime() + DAY));
      const ran: string[] = [];
      const jobs: Job[] = [
        {
          name: 'failing-job',
          leaseMs: MINUTE,
          run: async () => {
            throw new Error('broken');
          },
        },
        {
          name: 'counting-job',
          leaseMs: MINUTE,
          run: async (_em, now, { owner }) => {
            ran.push(`${owner.split(':')[0]}@${now.toISOString()}`);
            await new Promise((resolve) => setTimeout(resolve, 200));
          },
        },
      ];
      const logger = createLogger(config);
      const schedulerConfig = { ...config, jobs: { enabled: true, intervalSeconds: 3600 } };
      const one = startScheduler({ orm, config: schedulerConfig, logger, clock, jobs });
      const two = startScheduler({ orm: other, config: schedulerConfig, logger, clock, jobs });
      try {
        await Promise.all([one.tick(), two.tick()]);
        expect(ran).toHaveLength(1);
        clock.advance(MINUTE);
        await two.tick();
        expect(ran).toHaveLength(2);
      } finally {
        await one.stop();
        await two.stop();
        await other.close(true);
      }
    });
  });
});
