import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { requireChromium } from '../support/browser';
import { appStorage, visiblePage as visible } from '../support/miniprogram/app-page';
import { cadreApi, type CadreApi } from '../support/miniprogram/cadre-api';
import { solidPng } from '../support/miniprogram/images';
import { openMobileBrowser, type MobileSession } from '../support/miniprogram/mobile-browser';
import { H5_DIST } from '../support/miniprogram/static-server';
import { counts, shows } from '../support/miniprogram/waits';
import { graphql, startServer, type ServerProcess } from '../support/server-process';

/**
 * The cadres' app of issue 13 as its h5 build runs in a phone-sized Chromium, served by the API itself
 * at /app/ (so it finds its API with nothing configured), on a fresh embedded database with the demo
 * data: the whole caseload kept for offline use, a record's detail with its photos (thumbnail, then
 * the full photo), a correction (更正), the household's answer (回访) reopening a demand, and a record
 * the server refuses kept in 待处理 until it is fixed and accepted once. Each step is checked through
 * the API too. Screenshots of each new screen go to tests/artifacts/cadre-app-*.png.
 */

/** The app's DOM (class names D1/D2 keep stable), in one place so a redesign breaks one object. */
const app = {
  demoCadre: (page: Page) => page.locator('.dev-sign-in__cadre'),
  offlineAge: (page: Page) => visible(page).locator('.households__offline-age'),
  householdItems: (page: Page) => visible(page).locator('.household-item'),
  householdName: (page: Page) => visible(page).locator('.household__name'),
  back: (page: Page) => page.locator('.taro-navigation-bar-back:visible'),
  recordButton: (page: Page) => visible(page).locator('.household__actions taro-button-core', { hasText: '记录帮扶' }),
  history: (page: Page) => visible(page).locator('.record'),
  recordOpen: (page: Page, text: string) => visible(page).locator('.record', { hasText: text }).locator('.record__open'),
  thumbnails: (page: Page, text: string) => visible(page).locator('.record', { hasText: text }).locator('.photo-thumbs__image'),
  thumbnailItems: (page: Page, text: string) => visible(page).locator('.record', { hasText: text }).locator('.photo-thumbs__item'),
  preview: (page: Page) => page.locator('.preview-image'),
  detail: (page: Page) => visible(page).locator('.record-detail'),
  detailCorrect: (page: Page) => visible(page).locator('.record-detail__actions taro-button-core'),
  formTitle: (page: Page) => visible(page).locator('.record-form__title'),
  summary: (page: Page) => visible(page).locator('#field-summary textarea'),
  resolvable: (page: Page, text: string) => visible(page).locator('.record-form__resolvable', { hasText: text }),
  staleResolvable: (page: Page) => visible(page).locator('.record-form__resolvable--stale'),
  serverPhotos: (page: Page) => visible(page).locator('.record-form__photo--server'),
  refusedBanner: (page: Page) => visible(page).locator('.record-form__refused'),
  resolvedError: (page: Page) => visible(page).locator('#field-resolved .field__error'),
  submit: (page: Page) => visible(page).locator('.record-form__actions taro-button-core'),
  awaitingDemand: (page: Page, text: string) => visible(page).locator('.awaiting__demand', { hasText: text }),
  openDemand: (page: Page, text: string) => visible(page).locator('.demand:not(.awaiting__demand)', { hasText: text }),
  confirmOption: (page: Page, label: string) => visible(page).locator('.confirm-demand__option', { hasText: new RegExp(`^${label}$`) }),
  confirmNote: (page: Page) => visible(page).locator('.confirm-demand__note textarea'),
  confirmSubmit: (page: Page) => visible(page).locator('.confirm-demand__actions taro-button-core'),
  pendingBanner: (page: Page) => visible(page).locator('.household__pending'),
  pendingItems: (page: Page) => visible(page).locator('.pending-item'),
  pendingFix: (page: Page) => visible(page).locator('.pending-item__fix'),
  tab: (page: Page, name: string) => page.locator('.taro-tabbar__tabbar').getByText(name, { exact: true }),
};

describe("the cadres' app (h5 served by the API at /app/) in Chromium: offline caseload, record detail, 更正, 回访, 待处理", () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-cadre-app-'));
  const marker = `E2E13-${Date.now().toString(36)}`;
  let server: ServerProcess;
  let session: MobileSession;
  let api: CadreApi;
  let appUrl = '';
  let householdId = '';
  let headName = '';
  let photoId = '';
  /** Raised through the API: one to resolve with the photo record (then 回访), one the app's record races for. */
  const demands = { confirmed: `${marker} 屋顶漏雨`, raced: `${marker} 门前路灯不亮` };
  const ids = { confirmed: '', raced: '' };
  const photoRecordSummary = `${marker} 请人修好了屋顶`;

  /** Opens a household from the list (the app loaded afresh at its first page, the list), and waits for its file. */
  async function openHousehold(page: Page, name: string) {
    await page.goto(appUrl);
    await app.householdItems(page).first().waitFor();
    await visible(page).locator('.household-item', { hasText: name }).first().tap();
    await shows(app.householdName(page), name);
  }

  beforeAll(async () => {
    requireChromium();
    server = await startServer({
      SQLITE_PATH: path.join(folder, 'wanjia.sqlite'),
      PHOTO_DIR: path.join(folder, 'photos'),
      DEV_SIGN_IN: 'true',
      CADRE_APP_DIR: H5_DIST,
    });
    appUrl = `${server.url}/app/`;
    const served = await fetch(appUrl);
    if (!served.ok) throw new Error(`the API does not serve the cadre app at /app/ (${served.status}); build it: pnpm --filter @wanjia/miniprogram build:h5`);
    session = await openMobileBrowser();
  });

  afterAll(async () => {
    await session?.close();
    await server?.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('signs in, keeps the whole caseload, and opens every assigned household without network', async () => {
    const { page, context } = session;
    // The caseload requests the app sends (their variables), to count them.
    const caseloadRequests: unknown[] = [];
    page.on('request', (request) => {
      const body = request.url() === `${server.url}/graphql` ? (request.postDataJSON() as { operationName?: string; variables?: unknown } | null) : null;
      if (body?.operationName === 'MyCaseload') caseloadRequests.push(body.variables);
    });
    await page.goto(appUrl);
    await app.demoCadre(page).first().waitFor();
    const cadreName = (await app.demoCadre(page).first().innerText()).trim();
    await app.demoCadre(page).first().tap();
    await app.householdItems(page).first().waitFor();

    // The same cadre through the API (the first demo cadre the sign-in page lists).
    const cadres = await graphql<{ developmentCadres: { id: string; name: string }[] }>(server.url, '{ developmentCadres { id name } }');
    const cadre = cadres.data!.developmentCadres[0]!;
    expect(cadreName).toContain(cadre.name);
    api = await cadreApi(server.url, cadre.id);

    const assigned = await api.assignedHouseholds();
    expect(assigned.length).toBeGreaterThan(0);
    expect(await app.householdItems(page).locator('.household-item__name').allInnerTexts()).toEqual(assigned.map((household) => household.headName));
    householdId = assigned[0]!.id;
    headName = assigned[0]!.headName;

    // The caseload refresh runs on sign-in (one request per 100 households): each household's file is
    // then on the phone, for this account.
    await shows(app.offlineAge(page), '离线数据更新于', 60_000);
    expect(caseloadRequests).toEqual([expect.objectContaining({ first: 100 })]);
    for (const household of assigned) {
      expect(await appStorage(page, `wanjia:cache:household:${household.id}`)).toMatchObject({ value: { id: household.id, headName: household.headName } });
    }

    await context.setOffline(true);
    try {
      for (const { id, headName: name } of assigned) {
        const copy = (await appStorage(page, `wanjia:cache:household:${id}`)) as { value: { helpRecords: { totalCount: number } } };
        await visible(page).locator('.household-item', { hasText: name }).first().tap();
        await shows(app.householdName(page), name);
        await shows(visible(page), '家庭成员');
        await shows(visible(page), /网络不可用，显示的是/);
        // The whole history's count, as the server gave it (the copy holds its first page).
        await shows(visible(page), `帮扶记录（${copy.value.helpRecords.totalCount}）`);
        if (name === headName) await session.screenshotWhole('cadre-app-offline.png');
        // At once: with the h5 slide animation Taro's router raced a quick back and left the list hidden.
        await app.back(page).tap();
        await app.householdItems(page).first().waitFor();
      }
    } finally {
      await context.setOffline(false);
    }
    expect(session.pageErrors).toEqual([]);
  });

  it('shows a record’s thumbnail in the history and its full photo on tap, and its detail', async () => {
    const { page } = session;
    // Through the API: a record raising two demands, then one with a photo resolving the first.
    await api.submitRecord({
      householdId,
      summary: `${marker} 入户走访，听取诉求`,
      demandsRaised: [
        { category: 'HOUSING', text: demands.confirmed },
        { category: 'INFRASTRUCTURE', text: demands.raced },
      ],
    });
    const raised = await api.demandsOf(householdId);
    ids.confirmed = raised.open.find((demand) => demand.text === demands.confirmed)!.id;
    ids.raced = raised.open.find((demand) => demand.text === demands.raced)!.id;
    photoId = await api.uploadPhoto(solidPng(200, 22, 29, 480), 'roof.png');
    await api.submitRecord({ householdId, summary: photoRecordSummary, photoIds: [photoId], resolvedDemandIds: [ids.confirmed] });

    await openHousehold(page, headName);
    await shows(app.history(page).first(), photoRecordSummary);
    // The thumbnail, downloaded with the token (a blob URL in h5), never the full photo for the history.
    await app.thumbnails(page, photoRecordSummary).first().locator('img').waitFor();
    expect(await app.thumbnails(page, photoRecordSummary).first().locator('img').getAttribute('src')).toMatch(/^blob:/);
    expect(session.requests).toContain(`${server.url}/photos/${photoId}/thumbnail`);
    expect(session.requests).not.toContain(`${server.url}/photos/${photoId}`);
    await session.screenshotWhole('cadre-app-history.png');

    // A tap: the full photo, in Taro's h5 previewImage.
    await app.thumbnailItems(page, photoRecordSummary).first().tap();
    await app.preview(page).locator('img').first().waitFor();
    expect(await app.preview(page).locator('img').first().getAttribute('src')).toMatch(/^blob:/);
    expect(session.requests).toContain(`${server.url}/photos/${photoId}`);
    await session.screenshot('cadre-app-photo.png');
    await app.preview(page).click();
    await app.preview(page).waitFor({ state: 'detached' });

    await app.recordOpen(page, photoRecordSummary).tap();
    await app.detail(page).waitFor();
    await shows(app.detail(page), photoRecordSummary);
    await shows(app.detail(page), `解决：【住房】${demands.confirmed}`);
    await session.screenshotWhole('cadre-app-record-detail.png');
  });

  it('corrects the record (the summary only): exactly one latest version, its photo and resolved demand kept', async () => {
    const { page } = session;
    const corrected = `${photoRecordSummary}（更正：屋顶和院墙都修好了）`;
    await app.detailCorrect(page).tap();
    await shows(app.formTitle(page), '更正');
    await counts(app.serverPhotos(page), 1);
    await app.summary(page).fill(corrected);
    await session.screenshotWhole('cadre-app-correction.png');
    await app.submit(page).tap();
    // Back on the detail: the new version, or (today) the old one saying that a newer version exists.
    const escaped = corrected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await shows(app.detail(page), new RegExp(`已有更新的版本|${escaped}`));

    const ours = (await api.records(householdId)).filter((record) => record.summary.startsWith(photoRecordSummary));
    expect(ours).toEqual([
      expect.objectContaining({
        summary: corrected,
        versionNumber: 2,
        corrected: true,
        photoIds: [photoId],
        demandsResolved: [{ id: ids.confirmed, text: demands.confirmed }],
        earlierVersions: [expect.objectContaining({ versionNumber: 1, summary: photoRecordSummary })],
      }),
    ]);

    // The history shows the latest version, marked 已更正, with its photo.
    await openHousehold(page, headName);
    await shows(visible(page).locator('.record', { hasText: corrected }), '已更正');
    await counts(visible(page).locator('.record', { hasText: photoRecordSummary }), 1);
    await app.thumbnails(page, corrected).first().locator('img').waitFor();
  });

  it('records the household’s 不满意 with a note: the demand reopens (API) and is back in 待办', async () => {
    const { page } = session;
    const note = `${marker} 下雨仍然漏`;
    await openHousehold(page, headName);
    await app.awaitingDemand(page, demands.confirmed).tap();
    await app.confirmOption(page, '不满意').tap();
    await app.confirmNote(page).fill(note);
    await session.screenshotWhole('cadre-app-confirm.png');
    await app.confirmSubmit(page).tap();
    await app.householdName(page).waitFor();

    await shows(app.openDemand(page, demands.confirmed), demands.confirmed);
    await counts(app.awaitingDemand(page, demands.confirmed), 0);
    expect(await api.demand(householdId, ids.confirmed)).toMatchObject({
      status: 'OPEN',
      satisfaction: 'DISSATISFIED',
      confirmationNote: note,
      reopenCount: 1,
    });
  });

  it('keeps a record the server refuses (its demand resolved meanwhile elsewhere) in 待处理, fixed there and accepted once', async () => {
    const { page } = session;
    const summary = `${marker} 联系供电所修路灯`;
    await openHousehold(page, headName);
    await app.recordButton(page).tap();
    await app.summary(page).waitFor();
    await app.summary(page).fill(summary);
    await app.resolvable(page, demands.raced).tap();
    await app.resolvable(page, demands.raced).and(visible(page).locator('.record-form__resolvable--on')).waitFor();

    // Meanwhile another write resolves the same demand (another device, the same cadre).
    await api.submitRecord({ householdId, summary: `${marker} 另一台设备记录：路灯已修`, resolvedDemandIds: [ids.raced] });
    await app.submit(page).tap();
    // Refused: the form stays, the field marked with the server's message.
    await shows(app.resolvedError(page), /\S/);
    expect((await api.records(householdId)).filter((record) => record.summary === summary)).toEqual([]);

    // Kept in 待处理 (the household page says so), with the server's message; opened in its form, the
    // stale demand unticked and sent again.
    await page.goBack();
    await app.pendingBanner(page).tap();
    await counts(app.pendingItems(page), 1);
    await shows(app.pendingItems(page), summary);
    await session.screenshotWhole('cadre-app-pending.png');
    await app.pendingFix(page).tap();
    await app.refusedBanner(page).waitFor();
    expect(await app.summary(page).inputValue()).toBe(summary);
    await app.staleResolvable(page).tap();
    await counts(app.staleResolvable(page), 0);
    await app.submit(page).tap();

    const deadline = Date.now() + 30_000;
    let accepted = (await api.records(householdId)).filter((record) => record.summary === summary);
    while (accepted.length === 0 && Date.now() < deadline) {
      await page.waitForTimeout(500);
      accepted = (await api.records(householdId)).filter((record) => record.summary === summary);
    }
    expect(accepted).toEqual([expect.objectContaining({ summary, demandsResolved: [] })]);
    const outbox = ((await appStorage(page, 'wanjia:outbox')) ?? []) as unknown[];
    expect(outbox).toEqual([]);
    expect(session.pageErrors).toEqual([]);
    expect(session.outsideRequests()).toEqual([]);
  });
});
