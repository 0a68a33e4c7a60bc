import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { requireChromium } from '../support/browser';
import { visiblePage as visible } from '../support/miniprogram/app-page';
import { cadreApi, type CadreApi } from '../support/miniprogram/cadre-api';
import { openMobileBrowser, type MobileSession } from '../support/miniprogram/mobile-browser';
import { H5_DIST } from '../support/miniprogram/static-server';
import { shows } from '../support/miniprogram/waits';
import { graphql, startServer, type ServerProcess } from '../support/server-process';

/**
 * Changes reported from the field (issue 16) in the cadres' app, as its h5 build runs in a phone-sized
 * Chromium served by the API at /app/, on a fresh embedded database with the demo data. A demo cadre
 * opens one of its households, reports a new phone and a member who moved out (报告变更); the city's
 * administrator approves the departure and rejects the phone with a reason over GraphQL; the cadre
 * reads both outcomes under 我的变更报告 (opened from the decision's notice), and the household's page
 * lists the member marked 已迁出. Screenshots go to tests/artifacts/field-reports-*.png.
 */

/** The demo data set's city administrator (server/src/modules/accounts/published-passwords.ts). */
const DEMO_ADMIN = { username: 'admin', password: 'wanjia-admin-demo' } as const;

const app = {
  demoCadre: (page: Page, name: string) => page.locator('.dev-sign-in__cadre', { hasText: name }),
  householdItems: (page: Page) => visible(page).locator('.household-item'),
  householdName: (page: Page) => visible(page).locator('.household__name'),
  reportEntry: (page: Page) => visible(page).locator('.household__report'),
  kind: (page: Page, label: string) => visible(page).locator('.report__choice', { hasText: new RegExp(`^${label}$`) }),
  member: (page: Page, name: string) => visible(page).locator('.report__choice', { hasText: name }),
  input: (page: Page, field: string) => visible(page).locator(`#${field} input`),
  today: (page: Page) => visible(page).locator('.report__today'),
  submit: (page: Page) => visible(page).locator('.report__actions taro-button-core'),
  formError: (page: Page) => visible(page).locator('.field__error, .report__form-error'),
  myReport: (page: Page, text: string) => visible(page).locator('.my-reports__item', { hasText: text }),
  residents: (page: Page) => visible(page).locator('.resident'),
  mineNotices: (page: Page) => visible(page).locator('.mine__notices'),
  mineReports: (page: Page) => visible(page).locator('.mine__reports'),
  notice: (page: Page, text: string) => visible(page).locator('.notice', { hasText: text }),
  tab: (page: Page, name: string) => page.locator('.taro-tabbar__tabbar').getByText(name, { exact: true }),
};

interface Report {
  id: string;
  kind: string;
  status: string;
  decisionNote: string | null;
}

describe('changes reported from the field in the cadres’ app (h5 served by the API at /app/) in Chromium: 报告变更, 审核, 我的变更报告', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-field-reports-'));
  const marker = `E2E16-${Date.now().toString(36)}`;
  const rejection = `${marker} 电话经核实不是户主本人`;
  const newPhone = '13912345678';
  let server: ServerProcess;
  let session: MobileSession;
  let appUrl = '';
  let adminToken = '';
  let cadreName = '';
  let cadreApiOf: CadreApi;
  let householdId = '';
  let headName = '';
  let member: { id: string; name: string };

  async function answer<T>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
    const result = await graphql<T>(server.url, query, variables, token);
    if (result.errors) throw new Error(`the API answered ${JSON.stringify(result.errors)} to ${query.trim().slice(0, 80)}`);
    return result.data!;
  }

  async function reportsOnServer(): Promise<Report[]> {
    return (
      await answer<{ myFieldReports: { nodes: Report[] } }>('{ myFieldReports(first: 50) { nodes { id kind status decisionNote } } }', {}, cadreApiOf.token)
    ).myFieldReports.nodes;
  }

  async function openHousehold(page: Page) {
    await page.goto(appUrl);
    await app.householdItems(page).first().waitFor();
    await visible(page).locator('.household-item', { hasText: headName }).first().tap();
    await shows(app.householdName(page), headName);
  }

  beforeAll(async () => {
    requireChromium();
    server = await startServer({
      SQLITE_PATH: path.join(folder, 'wanjia.sqlite'),
      PHOTO_DIR: path.join(folder, 'photos'),
      DEV_SIGN_IN: 'true',
      JOBS_ENABLED: 'false',
      RATE_LIMITS: 'false',
      CADRE_APP_DIR: H5_DIST,
    });
    appUrl = `${server.url}/app/`;
    const served = await fetch(appUrl);
    if (!served.ok) throw new Error(`the API does not serve the cadre app at /app/ (${served.status}); build it: pnpm --filter @wanjia/miniprogram build:h5`);
    const login = await graphql<{ login: { accessToken: string } }>(
      server.url,
      'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }',
      { u: DEMO_ADMIN.username, p: DEMO_ADMIN.password },
    );
    adminToken = login.data!.login.accessToken;
    const { developmentCadres } = await answer<{ developmentCadres: { id: string; name: string }[] }>('{ developmentCadres { id name } }', {}, adminToken);
    cadreName = developmentCadres[0]!.name;
    cadreApiOf = await cadreApi(server.url, developmentCadres[0]!.id);

    // A household of the cadre's with at least two members, neither having left: the second moves out.
    for (const household of await cadreApiOf.assignedHouseholds()) {
      const { household: file } = await answer<{ household: { residents: { id: string; name: string; departure: string | null }[] } }>(
        'query ($id: ID!) { household(id: $id) { residents { id name departure } } }',
        { id: household.id },
        cadreApiOf.token,
      );
      const present = file.residents.filter((resident) => !resident.departure);
      if (present.length >= 2) {
        householdId = household.id;
        headName = household.headName;
        member = present[present.length - 1]!;
        break;
      }
    }
    if (!householdId) throw new Error('the first demo cadre has no household with two members');
    session = await openMobileBrowser();
  });

  afterAll(async () => {
    await session?.close();
    await server?.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('the cadre reports a new phone and a member who moved out from the household’s page; both wait for review', async () => {
    const { page } = session;
    await page.goto(`${appUrl}#/pages/login/index`);
    await app.demoCadre(page, cadreName).first().waitFor();
    await app.demoCadre(page, cadreName).first().tap();
    await app.householdItems(page).first().waitFor();
    await openHousehold(page);

    // 电话变更: a wrong number is refused in Chinese before anything is sent.
    await app.reportEntry(page).tap();
    await app.kind(page, '电话变更').tap();
    await app.input(page, 'field-phone').fill('12345');
    await app.submit(page).tap();
    await shows(app.formError(page), '电话号码格式不对');
    expect(await reportsOnServer()).toEqual([]);
    await app.input(page, 'field-phone').fill(newPhone);
    await session.screenshotWhole('field-reports-phone.png');
    await app.submit(page).tap();
    await shows(app.myReport(page, '电话变更'), '待审核');
    await shows(app.myReport(page, '电话变更'), newPhone);

    // 成员迁出: the member picked from the household's members, the day today.
    await openHousehold(page);
    await app.reportEntry(page).tap();
    await app.kind(page, '成员迁出').tap();
    await app.member(page, member.name).first().tap();
    await app.today(page).tap();
    await session.screenshotWhole('field-reports-moved-out.png');
    await app.submit(page).tap();
    await shows(app.myReport(page, '成员迁出'), '待审核');
    await shows(app.myReport(page, '成员迁出'), member.name);
    await session.screenshotWhole('field-reports-pending.png');

    const reports = await reportsOnServer();
    expect(reports.map((report) => [report.kind, report.status]).sort()).toEqual([
      ['MEMBER_MOVED_OUT', 'PENDING'],
      ['PHONE_CHANGED', 'PENDING'],
    ]);
    expect(session.pageErrors).toEqual([]);
  });

  it('the administrator approves the departure and rejects the phone with a reason; the cadre reads both outcomes and the member is marked 已迁出', async () => {
    const reports = await reportsOnServer();
    const phone = reports.find((report) => report.kind === 'PHONE_CHANGED')!;
    const movedOut = reports.find((report) => report.kind === 'MEMBER_MOVED_OUT')!;
    // The inbox of the city's administrator holds both, the phone masked.
    const { fieldReports } = await answer<{ fieldReports: { nodes: { id: string; proposal: { phone: string | null } }[] } }>(
      '{ fieldReports(first: 100, filter: { status: PENDING }) { nodes { id proposal { phone } } } }',
      {},
      adminToken,
    );
    expect(fieldReports.nodes.find((node) => node.id === phone.id)?.proposal.phone).toBe('139****5678');
    const { household } = await answer<{ household: { version: number } }>(
      'query ($id: ID!) { household(id: $id) { version } }',
      { id: householdId },
      adminToken,
    );
    await answer(
      'mutation ($input: ApproveFieldReportInput!) { approveFieldReport(input: $input) { id status } }',
      { input: { reportId: movedOut.id, expectedVersion: household.version, note: `${marker} 已核实迁出` } },
      adminToken,
    );
    await answer(
      'mutation ($input: RejectFieldReportInput!) { rejectFieldReport(input: $input) { id status } }',
      { input: { reportId: phone.id, reason: rejection } },
      adminToken,
    );

    // The decision's notice opens 我的变更报告, with both outcomes and the administrator's words.
    const { page } = session;
    await page.goto(appUrl);
    await app.householdItems(page).first().waitFor();
    await app.tab(page, '我的').tap();
    await app.mineNotices(page).tap();
    await app.notice(page, '变更报告未采纳').first().waitFor();
    await session.screenshotWhole('field-reports-notices.png');
    await app.notice(page, '变更报告未采纳').first().tap();
    await shows(app.myReport(page, '电话变更'), '未采纳');
    await shows(app.myReport(page, '电话变更'), `未采纳原因：${rejection}`);
    await shows(app.myReport(page, '成员迁出'), '已采纳');
    await shows(app.myReport(page, '成员迁出'), '已核实迁出');
    await session.screenshotWhole('field-reports-outcomes.png');
    // The same list opens from 我的 (its entry beside 消息).
    await page.goto(appUrl);
    await app.householdItems(page).first().waitFor();
    await app.tab(page, '我的').tap();
    await app.mineReports(page).tap();
    await shows(app.myReport(page, '电话变更'), '未采纳');
    await shows(app.myReport(page, '成员迁出'), '已采纳');

    // The member stays on the household's page, marked 已迁出 (never deleted).
    await openHousehold(page);
    await shows(app.residents(page).filter({ hasText: member.name }), '已迁出');
    await session.screenshotWhole('field-reports-household.png');
    const { household: after } = await answer<{ household: { phone: string | null; residents: { id: string; departure: string | null }[] } }>(
      'query ($id: ID!) { household(id: $id) { phone residents { id departure } } }',
      { id: householdId },
      cadreApiOf.token,
    );
    expect(after.residents.find((resident) => resident.id === member.id)?.departure).toBe('MOVED_OUT');
    expect(after.phone).not.toBe(newPhone);
    expect(session.pageErrors).toEqual([]);
  });
});
