import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { requireChromium } from '../support/browser';
import { appStorage, visiblePage as visible } from '../support/miniprogram/app-page';
import { solidPng } from '../support/miniprogram/images';
import { openMobileBrowser, type MobileSession } from '../support/miniprogram/mobile-browser';
import { serveH5, type StaticSite } from '../support/miniprogram/static-server';
import { counts, shows } from '../support/miniprogram/waits';
import { graphql, startServer, type ServerProcess } from '../support/server-process';

/**
 * The cadres' mini-program, as its h5 build runs in a phone-sized Chromium against the real server on
 * a fresh embedded database with the demo data: sign in (the development sign-in), the households,
 * one household's file, a help record with a demand and a photo, the history; then the same with the
 * network cut, which must keep the record ("待上传") and deliver it exactly once when the network
 * returns. Screenshots of every screen go to tests/artifacts/miniprogram-*.png.
 */

/** The app's DOM, kept in one place so that a redesign breaks one object, not the whole test. */
const app = {
  demoCadre: (page: Page) => page.locator('.dev-sign-in__cadre'),
  householdItems: (page: Page) => page.locator('.household-item'),
  householdName: (page: Page) => page.locator('.household__name'),
  recordButton: (page: Page) => page.locator('.household__actions taro-button-core', { hasText: '记录帮扶' }),
  history: (page: Page) => page.locator('.record'),
  queued: (page: Page) => page.locator('.record--queued'),
  summary: (page: Page) => page.locator('#field-summary textarea'),
  addDemand: (page: Page) => page.getByText('＋ 添加诉求'),
  demandText: (page: Page, index: number) => page.locator('#field-demands .record-form__demand textarea').nth(index),
  funds: (page: Page) => page.locator('#field-funds input'),
  addPhoto: (page: Page) => page.locator('.record-form__photo--add'),
  photos: (page: Page) => page.locator('.record-form__photo-image'),
  submit: (page: Page) => page.locator('.record-form__actions taro-button-core'),
  tab: (page: Page, name: string) => page.locator('.taro-tabbar__tabbar').getByText(name, { exact: true }),
};

type RecordNode = {
  clientId: string;
  summary: string;
  kinds: string[];
  fundsFen: number;
  photoIds: string[];
  demandsRaised: { category: string; text: string }[];
};

describe("the cadres' mini-program (h5 build) in Chromium against the real server", () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-miniprogram-'));
  let server: ServerProcess;
  let site: StaticSite;
  let session: MobileSession;
  let apiToken = '';
  let cadreId = '';
  let householdId = '';
  const marker = `E2E-${Date.now().toString(36)}`;

  /** The household's records as the API holds them (read with a token of the same demo cadre). */
  async function recordsOnServer(): Promise<RecordNode[]> {
    const result = await graphql<{ household: { helpRecords: { nodes: RecordNode[] } } }>(
      server.url,
      `
        query ($id: ID!) {
          household(id: $id) {
            helpRecords(first: 100) {
              nodes {
                clientId
                summary
                kinds
                fundsFen
                photoIds
                demandsRaised {
                  category
                  text
                }
              }
            }
          }
        }
      `,
      { id: householdId },
      apiToken,
    );
    if (result.errors) throw new Error(`household(id: ${householdId}) answered ${JSON.stringify(result.errors)}`);
    return result.data!.household.helpRecords.nodes;
  }

  async function fillRecord(page: Page, summary: string, demand: string, photo: Buffer) {
    await app.recordButton(page).tap();
    await app.summary(page).waitFor();
    await app.summary(page).fill(summary);
    await app.addDemand(page).tap();
    await app.demandText(page, 0).fill(demand);
    await app.funds(page).fill('200.50');
    const chooser = page.waitForEvent('filechooser');
    await app.addPhoto(page).tap();
    await (await chooser).setFiles({ name: 'visit.png', mimeType: 'image/png', buffer: photo });
    await app.photos(page).first().waitFor();
  }

  beforeAll(async () => {
    requireChromium();
    site = await serveH5();
    server = await startServer({
      SQLITE_PATH: path.join(folder, 'wanjia.sqlite'),
      PHOTO_DIR: path.join(folder, 'photos'),
      DEV_SIGN_IN: 'true',
      CORS_ORIGINS: site.url,
    });
    site.setApiBase(server.url);
    session = await openMobileBrowser();
  });

  afterAll(async () => {
    await session?.close();
    await site?.close();
    await server?.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('signs a demo cadre in, lists the households, opens one and records a visit with a demand and a photo, exactly once', async () => {
    const { page } = session;
    await page.goto(site.url);
    await app.demoCadre(page).first().waitFor();
    await session.screenshot('miniprogram-login.png');

    const cadres = await graphql<{ developmentCadres: { id: string; name: string }[] }>(server.url, '{ developmentCadres { id name } }');
    const cadre = cadres.data!.developmentCadres[0]!;
    cadreId = cadre.id;
    await shows(app.demoCadre(page).first(), cadre.name);
    await app.demoCadre(page).first().tap();

    // The list: the cadre's households, overdue first, with tags and days since the last visit.
    await app.householdItems(page).first().waitFor();
    const mine = await graphql<{ developmentSignIn: { accessToken: string } }>(
      server.url,
      'mutation ($id: ID!) { developmentSignIn(cadreId: $id) { accessToken } }',
      { id: cadreId },
    );
    apiToken = mine.data!.developmentSignIn.accessToken;
    const listed = await graphql<{ myHouseholds: { totalCount: number; nodes: { id: string; headName: string; visitOverdue: boolean }[] } }>(
      server.url,
      '{ myHouseholds(first: 50) { totalCount nodes { id headName visitOverdue } } }',
      {},
      apiToken,
    );
    const households = listed.data!.myHouseholds;
    expect(households.totalCount).toBeGreaterThan(0);
    await counts(app.householdItems(page), Math.min(households.totalCount, 20));
    const shownNames = await app.householdItems(page).locator('.household-item__name').allInnerTexts();
    expect(shownNames).toEqual(households.nodes.slice(0, 20).map((household) => household.headName));
    await shows(visible(page), `共 ${households.totalCount} 户`);
    await shows(visible(page), /天未走访|尚未走访|今天已走访/);
    await session.screenshotWhole('miniprogram-households.png');

    // Filter by target group, then search by name, as the API filters them.
    const keyFocus = await graphql<{ myHouseholds: { totalCount: number } }>(
      server.url,
      '{ myHouseholds(first: 1, filter: { targetGroup: KEY_FOCUS }) { totalCount } }',
      {},
      apiToken,
    );
    await visible(page).locator('.chip', { hasText: '重点关注' }).tap();
    await shows(visible(page), `共 ${keyFocus.data!.myHouseholds.totalCount} 户`);
    await counts(app.householdItems(page), Math.min(keyFocus.data!.myHouseholds.totalCount, 20));
    await visible(page).locator('.chip', { hasText: '全部' }).tap();
    await shows(visible(page), `共 ${households.totalCount} 户`);
    const wanted = households.nodes[households.nodes.length - 1]!;
    await visible(page).locator('.households__search-input input').fill(wanted.headName);
    await visible(page).locator('.households__search-button').tap();
    await counts(app.householdItems(page), 1);
    await shows(app.householdItems(page), wanted.headName);
    await visible(page).locator('.households__search-input input').fill('');
    await visible(page).locator('.households__search-button').tap();
    await counts(app.householdItems(page), Math.min(households.totalCount, 20));

    // One household's file: residents (ID numbers masked), demands, petition cases, history.
    const chosen = households.nodes[0]!;
    householdId = chosen.id;
    await app.householdItems(page).first().tap();
    await shows(app.householdName(page), chosen.headName);
    await shows(visible(page), '家庭成员');
    await shows(visible(page), /身份证 \d{6}\*{12}(?![\dX])/);
    await shows(visible(page), '待办诉求');
    const before = await recordsOnServer();
    await session.screenshotWhole('miniprogram-household.png');

    // The form: a summary, a demand heard, funds in yuan, a photo.
    await fillRecord(page, `${marker} 入户走访，了解老人近况`, `${marker} 希望协助办理残疾证`, solidPng(200, 22, 29));
    await session.screenshotWhole('miniprogram-record-form.png');
    await app.submit(page).tap();

    // Back on the household, the record heads the history.
    await app.householdName(page).waitFor();
    await shows(app.history(page).first(), `${marker} 入户走访`);
    await shows(app.history(page).first(), '资金 ¥200.50');
    await shows(app.history(page).first(), `新诉求：【生活困难】${marker} 希望协助办理残疾证`);
    await counts(app.queued(page), 0);
    await session.screenshotWhole('miniprogram-household-after-submit.png');

    const after = await recordsOnServer();
    const ours = after.filter((record) => record.summary.startsWith(marker));
    expect(after).toHaveLength(before.length + 1);
    expect(ours).toEqual([
      {
        clientId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        summary: `${marker} 入户走访，了解老人近况`,
        kinds: ['VISIT'],
        fundsFen: 20_050,
        photoIds: [expect.stringMatching(/^[0-9a-f]{64}$/)],
        demandsRaised: [{ category: 'LIVELIHOOD', text: `${marker} 希望协助办理残疾证` }],
      },
    ]);
  });

  it('keeps a record made without network as "待上传" and delivers it exactly once when the network returns', async () => {
    const { page, context } = session;
    const offlineMarker = `${marker}-offline`;
    await fillRecord(page, `${offlineMarker} 村里没有信号时的走访`, `${offlineMarker} 反映道路积水`, solidPng(31, 111, 209));

    await context.setOffline(true);
    await app.submit(page).tap();
    await app.householdName(page).waitFor();
    await counts(app.queued(page), 1);
    await shows(app.queued(page), '待上传');
    await shows(app.queued(page), `${offlineMarker} 村里没有信号时的走访`);
    await session.screenshotWhole('miniprogram-household-queued.png');
    expect((await recordsOnServer()).filter((record) => record.summary.startsWith(offlineMarker))).toEqual([]);
    // The queue is in the phone's storage, with the record's clientId, not just on the screen.
    const queuedRecords = (await appStorage(page, 'wanjia:outbox')) as { clientId: string; state: string }[];
    expect(queuedRecords).toEqual([expect.objectContaining({ state: 'pending', clientId: expect.stringMatching(/^[0-9a-f-]{36}$/) })]);

    await context.setOffline(false);
    await counts(app.queued(page), 0, 30_000);
    await shows(app.history(page).first(), `${offlineMarker} 村里没有信号时的走访`);
    await session.screenshotWhole('miniprogram-household-synced.png');

    const delivered = (await recordsOnServer()).filter((record) => record.summary.startsWith(offlineMarker));
    expect(delivered).toEqual([
      expect.objectContaining({
        clientId: queuedRecords[0]!.clientId,
        photoIds: [expect.stringMatching(/^[0-9a-f]{64}$/)],
        demandsRaised: [{ category: 'LIVELIHOOD', text: `${offlineMarker} 反映道路积水` }],
      }),
    ]);
    // And the first record is still there once.
    expect((await recordsOnServer()).filter((record) => record.summary.startsWith(`${marker} `))).toHaveLength(1);
  });

  it("shows the cadre's figures on 我的 and signs out back to the sign-in page", async () => {
    const { page } = session;
    const stats = await graphql<{ myStats: { households: number; thisMonth: { visits: number } } }>(
      server.url,
      '{ myStats { households thisMonth { visits } } }',
      {},
      apiToken,
    );
    // From the household back to the list (the phone's back gesture), then the 我的 tab.
    await page.goBack();
    await app.tab(page, '我的').tap();
    await shows(visible(page), '本月');
    await shows(visible(page).locator('.totals__item', { hasText: '帮扶记录（次）' }).first(), String(stats.data!.myStats.thisMonth.visits));
    await shows(visible(page).locator('.totals__item', { hasText: '联系户数' }), String(stats.data!.myStats.households));
    await session.screenshotWhole('miniprogram-mine.png');

    await visible(page).locator('taro-button-core', { hasText: '退出登录' }).tap();
    await page.getByText('确定', { exact: true }).tap();
    await app.demoCadre(page).first().waitFor();
    expect(await appStorage(page, 'wanjia:session')).toBeNull();

    expect(session.pageErrors).toEqual([]);
    expect(session.outsideRequests()).toEqual([]);
  });
});
