import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Download, Locator, Page } from 'playwright-core';
import { openBrowser, requireChromium, type BrowserSession } from '../support/browser';
import { graphql, startServer, type ServerProcess } from '../support/server-process';

/**
 * The IDE at /graphql, driven in Debian's Chromium as an office drives it all day (issue 14, "Proven"):
 * sign in once on the page's form, run the cookbook from Altair's collections on one tab and another
 * operation on a new tab without ever touching a header, reload and stay signed in, read the docs
 * without reloading them, download an export and read the files back, sign out and be refused.
 * Every asset must come from our own server (intranets have no CDN and no internet), so each test also
 * fails on any request that leaves 127.0.0.1, on any Content-Security-Policy violation and on any
 * error thrown in the page.
 */

type GraphQLBody = { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };

/** The demo data set's staff (server/src/modules/accounts/published-passwords.ts; printed at start and in the README). */
const DEMO_PASSWORDS = { admin: 'wanjia-admin-demo', 'pingshan-admin': 'wanjia-pingshan-demo', analyst: 'wanjia-analyst-demo' } as const;
type DemoStaff = keyof typeof DEMO_PASSWORDS;

/** What contract.md promises the page around Altair holds. */
const wanjia = {
  signInForm: (page: Page) => page.locator('form#wanjia-sign-in'),
  signInError: (page: Page) => page.locator('#wanjia-sign-in-error'),
  bar: (page: Page) => page.locator('#wanjia-bar'),
  who: (page: Page) => page.locator('#wanjia-who'),
  signOut: (page: Page) => page.locator('button#wanjia-sign-out'),
  downloads: (page: Page) => page.locator('#wanjia-downloads a.wanjia-download'),
};
const WELCOME_WINDOW = '欢迎 Welcome';
const COOKBOOK = '万家办事指南 Cookbook';

/**
 * Altair's DOM (8.5.9; its templates are the *.component.html of altair-app), kept in one place so that
 * an upgrade that renames it breaks this object, not the tests. Altair keeps only the active window in
 * the document (the others are cached and hidden), and every window-level control is looked up in it.
 */
const ide = {
  activeWindow: (page: Page) => page.locator('app-window:not(.hide)'),
  queryEditor: (page: Page) => ide.activeWindow(page).locator('app-query-editor .query-editor__input .cm-content'),
  sendButton: (page: Page) => ide.activeWindow(page).locator('[track-id="set_request"]'),
  resultPane: (page: Page) => ide.activeWindow(page).locator('app-query-result .cm-content'),
  statusCode: (page: Page) => ide.activeWindow(page).locator('app-query-result .response-status-code'),
  windowTabs: (page: Page) => page.locator('app-window-switcher-item'),
  activeWindowTab: (page: Page) => page.locator('app-window-switcher-item .window-switcher__item--active'),
  /** The "+ 新建窗口" at the end of the tab list (the tabs themselves are app-window-switcher-item). */
  newWindowButton: (page: Page) => page.locator('.window-switcher__list > .window-switcher__item'),
  collectionsToggle: (page: Page) => page.locator('.side-menu__main-bottom [track-id="show_collections"]').first(),
  collectionsPanel: (page: Page) => page.locator('app-query-collections .query-collections__inner'),
  /** A collection (root or nested) by the title it shows, as its app-query-collection-item. */
  collection: (scope: Page | Locator, title: string) =>
    scope.locator('.query-collections__item-title', { hasText: title }).first().locator('xpath=ancestor::app-query-collection-item[1]'),
  docsButton: (page: Page) => ide.activeWindow(page).locator('[track-id="show_docs"]'),
  docViewer: (page: Page) => ide.activeWindow(page).locator('app-doc-viewer .app-doc-viewer'),
  docsSearch: (page: Page) => ide.activeWindow(page).locator('app-doc-viewer .doc-viewer-search-wrapper input'),
  docsTypeResult: (page: Page, name: string) =>
    ide
      .activeWindow(page)
      .locator('.doc-viewer-search-result-item')
      .filter({ has: page.locator('.cat-type') })
      .filter({ has: page.locator('.doc-viewer-search-result-highlight', { hasText: new RegExp(`^${name}$`) }) }),
  docsTypeView: (page: Page) => ide.activeWindow(page).locator('app-doc-viewer-type .doc-viewer-item-query-inner').first(),
  settingsMenu: (page: Page) => page.locator('li.header__menu-item:has(app-icon[name="settings"])'),
  openMenuItem: (page: Page, label: string) => page.locator('.ant-dropdown-menu-item', { hasText: label }),
  dialog: (page: Page) => page.locator('.ant-modal-content'),
  dialogTitle: (page: Page) => page.locator('.ant-modal-content .app-dialog-title'),
};

/** The labels Altair's zh-CN translation (assets/i18n/zh-CN.json) gives the controls the tests use. */
const ZH_CN = { send: '发送请求', docs: '文档', newWindow: '+ 新建窗口', collections: '收藏', settings: '设置', advancedSettings: '切换显示模式' };

const NOT_MOUNTED = 'without the IDE sign-in page: is mountPlayground wired into server/src/app.ts and the server built?';

/** Content-Security-Policy violations Chromium reports on the console: the IDE must run under its policy with none. */
const cspViolations = new WeakMap<BrowserSession, string[]>();

/**
 * Opens /graphql in a fresh browser: without a session that is the sign-in page (Altair comes after
 * signing in). Either page runs under helmet's policy: scripts only from us or with this response's nonce.
 */
async function openIde(session: BrowserSession, url: string): Promise<void> {
  const violations: string[] = [];
  cspViolations.set(session, violations);
  session.page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  const document = await session.page.goto(`${url}/graphql`);
  if (!document || !(await document.text()).includes('id="wanjia-sign-in"')) {
    throw new Error(`the browser opened /graphql and got ${document?.status()} ${NOT_MOUNTED}`);
  }
  const headers = await document.allHeaders();
  expect(headers['content-security-policy'] ?? '').toMatch(/script-src 'self' 'nonce-[^']+'/);
  expect(headers['content-security-policy'] ?? '').toMatch(/frame-ancestors 'self'/);
  expect(headers['x-content-type-options']).toBe('nosniff');
  // Typed into at once, as a person with a saved password does: even before the page script has
  // taken the form over, it would post, never put the password in a URL.
  await wanjia.signInForm(session.page).waitFor();
  expect(await wanjia.signInForm(session.page).getAttribute('method')).toBe('post');
}

function expectNoPolicyViolations(session: BrowserSession): void {
  expect(cspViolations.get(session) ?? []).toEqual([]);
  expect(session.pageErrors).toEqual([]);
}

function expectNoRequestLeftTheMachine(session: BrowserSession): void {
  expect(session.requests.length).toBeGreaterThan(5); // the IDE's own scripts, styles and operations at least
  expect(session.outsideRequests()).toEqual([]);
  expectNoPolicyViolations(session);
}

interface IdeSessionInfo {
  username: string;
  role: 'ADMIN' | 'ANALYST';
  scopeRegion: { id: string; name: string; code: string; level: string } | null;
  accessTokenExpiresAt: string;
  sessionExpiresAt: string;
}

/** Signs in on the page's own form, as a person does: type, press the button, see Altair. */
async function signInOnForm(page: Page, username: DemoStaff): Promise<IdeSessionInfo> {
  const form = wanjia.signInForm(page);
  await form.waitFor();
  await form.locator('input[name=username]').fill(username);
  await form.locator('input[name=password]').fill(DEMO_PASSWORDS[username]);
  const answered = page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/ide/session');
  // Signed in, the page reloads as the IDE: Altair, with the bar above it.
  const ideDocument = page.waitForResponse((response) => response.request().resourceType() === 'document' && new URL(response.url()).pathname === '/graphql');
  await form.locator('button[type=submit]').click();
  expect((await answered).status()).toBe(200);
  const idePage = await ideDocument;
  if (!(await idePage.text()).includes('AltairGraphQL.init')) throw new Error(`signed in, /graphql answered ${idePage.status()} without Altair`);
  // Who the session is, as the server tells the page (the sign-in's own answer went with the reload).
  const current = await page.context().request.get(new URL('/ide/session', page.url()).href);
  expect(current.status()).toBe(200);
  const info = (await current.json()) as IdeSessionInfo;
  expect(info.username).toBe(username);
  await form.waitFor({ state: 'hidden' });
  await expect(textOf(wanjia.who(page))).resolves.toContain(username);
  await ide.sendButton(page).waitFor();
  return info;
}

async function textOf(locator: Locator): Promise<string> {
  await locator.waitFor();
  return locator.innerText();
}

/** Waits until the locator's text passes the check, and returns it (the page renders in its own time). */
async function eventuallyText(locator: Locator, check: (text: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  let text = '';
  for (;;) {
    text = await locator.innerText().catch(() => '');
    if (check(text)) return text;
    if (Date.now() > deadline) throw new Error(`${what}; it showed:\n${text}`);
    await locator.page().waitForTimeout(100);
  }
}

function isIntrospection(postData: string | null): boolean {
  return /__schema|IntrospectionQuery/.test(postData ?? '');
}

/**
 * Sends the active window's operation with its own send button and returns what the result pane shows
 * once it shows this response, with the headers the request went out with.
 */
async function sendActiveWindow(page: Page): Promise<{ shown: GraphQLBody; status: string; requestHeaders: Record<string, string> }> {
  // A new window has no result yet (and no pane to wait for).
  const before = (await ide.resultPane(page).count()) ? await ide.resultPane(page).innerText() : '';
  // Altair may load the schema at the same time; the operation is the first other POST to /graphql.
  const responded = page.waitForResponse(
    (response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/graphql' && !isIntrospection(response.request().postData()),
  );
  await ide.sendButton(page).click();
  const response = await responded;
  // Chromium may drop a response body it already handed to the page (under load it does); then the
  // pane alone is the witness, and it must show a whole answer different from what it showed before.
  const sent = (await response.json().catch(() => null)) as GraphQLBody | null;
  // CodeMirror renders only the lines in view (and a margin): a long answer shows as its beginning.
  const compact = (text: string) => text.replace(/\s+/g, '');
  const shownText = await eventuallyText(
    ide.resultPane(page),
    (text) => {
      if (sent) return compact(text).length > 2 && compact(JSON.stringify(sent)).startsWith(compact(text).replace(/[,\]}]*$/, ''));
      try {
        const shown = JSON.parse(text) as GraphQLBody;
        return text !== before && ('data' in shown || 'errors' in shown);
      } catch {
        return false; // not rendered (or not whole) yet
      }
    },
    `the result pane never showed the response ${JSON.stringify(sent).slice(0, 2000)}`,
  );
  return {
    shown: sent ?? (JSON.parse(shownText) as GraphQLBody),
    status: (await ide.statusCode(page).innerText()).trim(),
    requestHeaders: response.request().headers(),
  };
}

/** Replaces the active window's operation, as typed, and sends it. */
async function runInActiveWindow(page: Page, query: string): Promise<{ shown: GraphQLBody; status: string; requestHeaders: Record<string, string> }> {
  await ide.queryEditor(page).fill(query);
  return sendActiveWindow(page);
}

/** An answer with data and no errors: what a working operation gives. */
function expectData(answer: { shown: GraphQLBody; status: string; requestHeaders: Record<string, string> }, what: string): Record<string, unknown> {
  if (answer.shown.errors?.length || !answer.shown.data) {
    throw new Error(`${what} answered ${answer.status}: ${JSON.stringify(answer.shown)}`);
  }
  expect(answer.status).toBe('200 OK');
  expect(Object.values(answer.shown.data).some((value) => value !== null)).toBe(true);
  // The session travels in the cookie: nobody typed a header, and none was sent.
  expect(answer.requestHeaders.authorization).toBeUndefined();
  return answer.shown.data;
}

async function showCollections(page: Page): Promise<void> {
  if (!(await ide.collectionsPanel(page).isVisible())) await ide.collectionsToggle(page).click();
  await ide.collectionsPanel(page).waitFor();
}

/** Opens a collection in the sidebar (a click on its title folds it, so only a folded one is clicked). */
async function expandCollection(collection: Locator): Promise<void> {
  const content = collection.locator('.query-collections__item-content-wrapper').first();
  if (/query-collections__item-content--hidden/.test((await content.getAttribute('class')) ?? '')) {
    await collection.locator('.query-collections__item-details').first().click();
  }
  const deadline = Date.now() + 15_000;
  while (/--hidden/.test((await content.getAttribute('class')) ?? '')) {
    if (Date.now() > deadline) throw new Error(`the collection ${await collection.locator('.query-collections__item-title').first().innerText()} did not open`);
    await collection.page().waitForTimeout(100);
  }
}

/** The first of the titles that the pattern matches, or a failure that lists them all. */
async function pickByTitle(items: Locator, titleOf: (item: Locator) => Locator, pattern: RegExp, what: string): Promise<{ item: Locator; title: string }> {
  const titles: string[] = [];
  for (let index = 0; index < (await items.count()); index++) titles.push((await titleOf(items.nth(index)).innerText()).trim());
  const index = titles.findIndex((title) => pattern.test(title));
  if (index < 0) throw new Error(`no ${what} matches ${pattern}; the cookbook shows: ${JSON.stringify(titles)}`);
  return { item: items.nth(index), title: titles[index]! };
}

/**
 * Opens a saved operation from the cookbook: the root collection, then a chapter (its sub-collection),
 * then a recipe, each picked by its English name. Altair opens a collection's query in a window of its
 * own, named as the recipe.
 */
async function openCookbookRecipe(page: Page, pick: { chapter: RegExp; recipe: RegExp }): Promise<{ chapter: string; recipe: string }> {
  await showCollections(page);
  const cookbook = ide.collection(ide.collectionsPanel(page), COOKBOOK);
  await expandCollection(cookbook);
  const chapters = cookbook.locator('.query-collections__item-nested').first().locator('app-query-collection-item');
  const chapter = await pickByTitle(chapters, (item) => item.locator('.query-collections__item-title').first(), pick.chapter, 'chapter');
  // Chapters and recipes are named in Chinese with English alongside ("02 工作概况 Overview").
  expect(chapter.title).toMatch(/[\u4e00-\u9fff].*[A-Za-z]/);
  await expandCollection(chapter.item);
  const recipes = chapter.item.locator('.query-collections__item-queries').first().locator('[data-test-id="query-item-title"]');
  const recipe = await pickByTitle(recipes, (item) => item, pick.recipe, `recipe of ${chapter.title}`);
  expect(recipe.title).toMatch(/[\u4e00-\u9fff].*[A-Za-z]/);
  const windowsBefore = await ide.windowTabs(page).count();
  await recipe.item.click();
  await eventuallyText(ide.activeWindowTab(page), (text) => text.includes(recipe.title), `the recipe ${recipe.title} did not open in the active window`);
  expect(await ide.windowTabs(page).count()).toBe(windowsBefore + 1);
  // The recipe arrives written out, ready to run: a named operation.
  await eventuallyText(ide.queryEditor(page), (text) => /\b(query|mutation)\s+\w+/.test(text), `the recipe ${recipe.title} has no named operation`);
  return { chapter: chapter.title, recipe: recipe.title };
}

/** Opens a blank window with Altair's "+" and makes sure it is the active one. */
async function openNewWindow(page: Page): Promise<void> {
  const windowsBefore = await ide.windowTabs(page).count();
  await ide.newWindowButton(page).click();
  await eventuallyText(page.locator('app-window-switcher-item').last(), (text) => text.trim() !== '', 'no new window appeared');
  expect(await ide.windowTabs(page).count()).toBe(windowsBefore + 1);
  expect(await ide.windowTabs(page).last().locator('.window-switcher__item--active').count()).toBe(1);
  await ide.sendButton(page).waitFor();
}

/** Opens the active window's Docs panel (never its reload button) and finds a type by the docs search. */
async function findTypeInDocs(page: Page, typeName: string): Promise<string> {
  await ide.docsButton(page).click();
  // The schema is there without a reload: the root types are listed.
  await eventuallyText(ide.docViewer(page), (text) => /\bQuery\b/.test(text) && /\bMutation\b/.test(text), 'the Docs panel shows no schema');
  await ide.docsSearch(page).fill(typeName);
  await ide.docsSearch(page).press('Enter');
  await ide.docsSearch(page).press('Escape'); // the suggestions would cover the results
  await ide.docsTypeResult(page, typeName).first().click();
  return eventuallyText(ide.docsTypeView(page), (text) => text.trim().startsWith(typeName), `the docs did not open the type ${typeName}`);
}

/** The welcome window (the first, 欢迎 Welcome) says who is signed in and with what scope. */
async function expectWelcomeSays(page: Page, info: IdeSessionInfo): Promise<void> {
  const welcome = ide.windowTabs(page).filter({ hasText: WELCOME_WINDOW });
  expect(await welcome.count()).toBe(1);
  await welcome.locator('.window-switcher__item').click();
  const scope = info.scopeRegion?.name ?? '全市';
  await eventuallyText(
    ide.activeWindow(page),
    (text) => text.includes(info.username) && text.includes(scope),
    `the welcome window does not say that ${info.username} (${scope}) is signed in`,
  );
}

/** The bar and Altair share the window: the page itself never scrolls the bar (and its downloads) out of sight. */
async function expectBarInView(page: Page): Promise<void> {
  const layout = await page.evaluate(() => {
    const root = (globalThis as unknown as { document: { documentElement: { scrollHeight: number; clientHeight: number } } }).document.documentElement;
    return { scrollHeight: root.scrollHeight, clientHeight: root.clientHeight, scrollY: (globalThis as unknown as { scrollY: number }).scrollY };
  });
  expect(layout).toEqual({ scrollHeight: layout.clientHeight, clientHeight: layout.clientHeight, scrollY: 0 });
  expect((await wanjia.bar(page).boundingBox())?.y).toBe(0);
}

/** Every link on the page, resolved: none may lead off this machine (the lead neutralises Altair's). */
async function linksOffTheMachine(page: Page, origin: string): Promise<string[]> {
  // `href` resolves each against the page, as a click would.
  const hrefs = await page.$$eval('a[href]', (links) => links.map((link) => (link as unknown as { href: string }).href));
  return hrefs.filter((href) => {
    const parsed = new URL(href);
    if (parsed.protocol === 'javascript:' || parsed.protocol === 'blob:' || parsed.protocol === 'data:') return false;
    return parsed.origin !== origin;
  });
}

/** A GraphQL POST from the page itself, as Altair sends one (same origin, the page's cookies). */
async function graphqlFromPage(page: Page, query: string): Promise<GraphQLBody> {
  return page.evaluate(async (operation) => {
    const response = await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: operation }) });
    return (await response.json()) as GraphQLBody;
  }, query);
}

async function ideCookies(session: BrowserSession) {
  const cookies = await session.context.cookies();
  return { access: cookies.find((cookie) => cookie.name === 'wanjia_ide_access'), refresh: cookies.find((cookie) => cookie.name === 'wanjia_ide_refresh') };
}

/** The session lives in two cookies the page's scripts cannot read, and only for the browser session. */
async function expectSessionCookies(session: BrowserSession): Promise<string> {
  const { access, refresh } = await ideCookies(session);
  expect(access).toEqual(expect.objectContaining({ httpOnly: true, sameSite: 'Strict', path: '/', expires: -1 }));
  expect(refresh).toEqual(expect.objectContaining({ httpOnly: true, sameSite: 'Strict', path: '/ide/session', expires: -1 }));
  // Nothing of it in the page's storage (the page's scripts never see it).
  const stored = await session.page.evaluate(() => {
    const page = globalThis as unknown as { localStorage: Record<string, string>; sessionStorage: Record<string, string> };
    return JSON.stringify([Object.entries(page.localStorage), Object.entries(page.sessionStorage)]);
  });
  expect(stored).not.toContain(access!.value);
  expect(stored).not.toContain(refresh!.value);
  return access!.value;
}

/** ACCESS_TOKEN_TTL_SECONDS of the server under test: the least config.ts allows. */
const ACCESS_TOKEN_TTL_SECONDS = 30;

/** When an access token (a JWT) ends, in epoch milliseconds, read from its payload. */
function expiryOf(jwt: string): number {
  const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: number };
  if (typeof payload.exp !== 'number') throw new Error('the access cookie is not a JWT with an expiry');
  return payload.exp * 1000;
}

/** The operation a new window gets: who the caller is and the overview, answered only to a signed-in caller. */
const SIGNED_IN_AS = `query SignedInAs {
  me { username role scopeRegion { name } }
  campaignOverview { figures { measure label value } }
}`;

const EXPORT_OVERVIEW = `mutation ExportOverview {
  exportReport(kind: OVERVIEW) { fileName xlsxUrl csvUrl expiresAt }
}`;

/** Today in Asia/Shanghai (YYYY-MM-DD), the day a report's file name carries. */
function shanghaiToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes (doubled) and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (quoted && character === '"' && text[index + 1] === '"') {
      field += '"';
      index++;
    } else if (character === '"') {
      quoted = !quoted;
    } else if (quoted) {
      field += character;
    } else if (character === ',') {
      endField();
    } else if (character === '\r' || character === '\n') {
      if (character === '\r' && text[index + 1] === '\n') index++;
      endRow();
    } else {
      field += character;
    }
  }
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

/** Clicks a download link in the page and keeps the file Chromium saved. */
async function download(page: Page, link: Locator): Promise<{ fileName: string; bytes: Buffer }> {
  const started = page.waitForEvent('download');
  await link.click();
  const file: Download = await started;
  const failure = await file.failure();
  if (failure) throw new Error(`the download of ${await link.getAttribute('href')} failed: ${failure}`);
  return { fileName: file.suggestedFilename(), bytes: fs.readFileSync((await file.path())!) };
}

async function xlsxRows(bytes: Buffer): Promise<unknown[][]> {
  const workbook = new ExcelJS.Workbook();
  // exceljs's types name an older Node Buffer than @types/node's generic one.
  await workbook.xlsx.load(bytes as unknown as Parameters<typeof workbook.xlsx.load>[0]);
  const sheet = workbook.worksheets[0];
  const rows: unknown[][] = [];
  // Every column of every row, an empty cell as null (row.values is sparse).
  sheet.eachRow((row) => rows.push(Array.from({ length: sheet.columnCount }, (_, index) => row.getCell(index + 1).value ?? null)));
  return rows;
}

describe('the IDE an office lives in, at /graphql in Chromium', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-playground-'));
  let server: ServerProcess;
  let session: BrowserSession | undefined;

  beforeAll(async () => {
    requireChromium();
    // Development on the embedded database, which starts with the demo data; the IDE and
    // introspection (staff only) said outright, since production keeps them off.
    // Access tokens live for the shortest time the config allows, so that a test outlives its first
    // one and the page's renewal is what keeps it signed in.
    server = await startServer({
      SQLITE_PATH: path.join(folder, 'wanjia.sqlite'),
      NODE_ENV: 'development',
      PLAYGROUND: 'true',
      INTROSPECTION: 'true',
      ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TOKEN_TTL_SECONDS),
    });
  });

  afterEach(async () => {
    await session?.close();
    session = undefined;
  });

  afterAll(async () => {
    await server?.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('serves the page from our own files, asks who is signing in, and says a wrong password in Chinese', async () => {
    const page = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
    const html = await page.text();
    if (page.status !== 200 || !html.includes('id="wanjia-sign-in"')) {
      throw new Error(`GET /graphql with Accept: text/html answered ${page.status} ${NOT_MOUNTED}`);
    }
    // Without a session the page is the sign-in form alone: Altair and the cookbook come after it.
    expect(html).not.toContain('AltairGraphQL.init');
    // Clients that ask for JSON still reach Apollo on the same path.
    const api = await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(await api.json()).toEqual({ data: { __typename: 'Query' } });

    session = await openBrowser();
    await openIde(session, server.url);
    try {
      // Without a session the page's own requests are refused.
      const anonymous = await graphqlFromPage(session.page, '{ me { username } }');
      expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

      const form = wanjia.signInForm(session.page);
      await form.locator('input[name=username]').fill('admin');
      await form.locator('input[name=password]').fill('not-the-password');
      const refused = session.page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/ide/session');
      await form.locator('button[type=submit]').click();
      expect((await refused).status()).toBe(401);
      const error = await eventuallyText(wanjia.signInError(session.page), (text) => text.trim() !== '', 'no sign-in error was shown');
      expect(error).toMatch(/[\u4e00-\u9fff]/);
      expect(await form.isVisible()).toBe(true);
      expect(await ideCookies(session)).toEqual({ access: undefined, refresh: undefined });
    } finally {
      await session.screenshot('playground-wrong-password.png');
    }
    expectNoRequestLeftTheMachine(session);
  });

  it('a one-time password: the form asks for a new one in Chinese and signs in with it', async () => {
    // An administrator hands out a one-time password (resetPassword) to a new analyst of the district.
    const signedIn = await graphql<{ login: { accessToken: string; account: { scopeRegion: { id: string } } } }>(
      server.url,
      'mutation { login(username: "pingshan-admin", password: "wanjia-pingshan-demo") { accessToken account { scopeRegion { id } } } }',
    );
    const token = signedIn.data!.login.accessToken;
    const username = `ide-otp-${randomBytes(4).toString('hex')}`;
    const created = await graphql<{ createAccount: { id: string } }>(
      server.url,
      'mutation($input: CreateAccountInput!) { createAccount(input: $input) { id } }',
      { input: { username, password: `Aa1-${randomBytes(12).toString('hex')}`, role: 'ANALYST', scopeRegionId: signedIn.data!.login.account.scopeRegion.id } },
      token,
    );
    expect(created.errors).toBeUndefined();
    const reset = await graphql<{ resetPassword: { oneTimePassword: string } }>(
      server.url,
      'mutation($id: ID!) { resetPassword(accountId: $id) { oneTimePassword } }',
      { id: created.data!.createAccount.id },
      token,
    );
    expect(reset.errors).toBeUndefined();

    session = await openBrowser();
    const { page } = session;
    await openIde(session, server.url);
    try {
      const form = wanjia.signInForm(page);
      const newPassword = form.locator('input[name=newPassword]');
      expect(await newPassword.isVisible()).toBe(false);
      await form.locator('input[name=username]').fill(username);
      await form.locator('input[name=password]').fill(reset.data!.resetPassword.oneTimePassword);
      const asked = page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/ide/session');
      await form.locator('button[type=submit]').click();
      expect((await asked).status()).toBe(403);
      await newPassword.waitFor();
      expect(await eventuallyText(wanjia.signInError(page), (text) => text.trim() !== '', 'no word about the one-time password')).toMatch(/[\u4e00-\u9fff]/);
      expect(await ideCookies(session)).toEqual({ access: undefined, refresh: undefined });
      await session.screenshot('playground-one-time-password.png');

      await newPassword.fill(`Wanjia-${randomBytes(10).toString('hex')}`);
      const ideDocument = page.waitForResponse(
        (response) => response.request().resourceType() === 'document' && new URL(response.url()).pathname === '/graphql',
      );
      await form.locator('button[type=submit]').click();
      await ideDocument;
      await form.waitFor({ state: 'hidden' });
      await expect(textOf(wanjia.who(page))).resolves.toContain(username);
      await ide.sendButton(page).waitFor();
      await expectWelcomeSays(page, (await (await page.context().request.get(`${server.url}/ide/session`)).json()) as IdeSessionInfo);
    } finally {
      await session.screenshot('playground-new-password.png');
    }
    expectNoRequestLeftTheMachine(session);
  });

  it('an analyst signs in once and works on two tabs, reloads and stays signed in, reads the docs, and signs out', async () => {
    session = await openBrowser();
    const { page } = session;
    await openIde(session, server.url);
    try {
      const info = await signInOnForm(page, 'analyst');
      expect(info.role).toBe('ANALYST');
      const accessCookie = await expectSessionCookies(session);
      await expectWelcomeSays(page, info);
      await expectBarInView(page);
      await session.screenshot('playground-signed-in.png');

      // Altair speaks Chinese (its zh-CN translation).
      expect((await ide.sendButton(page).innerText()).trim()).toBe(ZH_CN.send);
      expect((await ide.docsButton(page).innerText()).trim()).toBe(ZH_CN.docs);
      expect((await ide.newWindowButton(page).innerText()).trim()).toBe(ZH_CN.newWindow);
      await showCollections(page);
      expect((await ide.collectionsPanel(page).locator('.query-collections__title').innerText()).trim()).toBe(ZH_CN.collections);

      // The docs are there as soon as the caller is signed in, without a reload.
      expect(await findTypeInDocs(page, 'Household')).toMatch(/^Household/);
      await session.screenshot('playground-docs.png');

      // A recipe from the cookbook, as it is.
      const first = await openCookbookRecipe(page, { chapter: /\bOverview\b/, recipe: /\bOverview\b/ });
      const overview = expectData(await sendActiveWindow(page), `the recipe ${first.chapter} / ${first.recipe}`);
      expect(JSON.stringify(overview)).toMatch(/"figures":\[\{/);
      await session.screenshot('playground-cookbook.png');

      // Another operation on a brand-new tab: no header was ever set, and it answers the analyst.
      await openNewWindow(page);
      const answered = expectData(await runInActiveWindow(page, SIGNED_IN_AS), 'SignedInAs on a new tab') as {
        me: { username: string; role: string };
        campaignOverview: { figures: unknown[] };
      };
      expect(answered.me).toEqual(expect.objectContaining({ username: 'analyst', role: 'ANALYST' }));
      expect(answered.campaignOverview.figures.length).toBeGreaterThan(0);
      // The new tab has the docs too, again without a reload.
      expect(await findTypeInDocs(page, 'Household')).toMatch(/^Household/);
      await session.screenshot('playground-new-window.png');

      // The page renews the access cookie on its own while it is open: past the first token's life,
      // Altair still answers, with a newer cookie.
      const firstExpiry = expiryOf(accessCookie);
      expect(firstExpiry - Date.now()).toBeLessThanOrEqual(ACCESS_TOKEN_TTL_SECONDS * 1000);
      while (Date.now() <= firstExpiry + 1000) await page.waitForTimeout(500);
      expectData(await runInActiveWindow(page, SIGNED_IN_AS), 'SignedInAs past the first access token');
      const renewedCookie = (await ideCookies(session)).access?.value;
      expect(renewedCookie).toBeDefined();
      expect(expiryOf(renewedCookie!)).toBeGreaterThan(firstExpiry);

      // A reload within the browser session: still signed in, no form, and the welcome says who.
      await page.reload();
      await ide.sendButton(page).waitFor();
      expect(await wanjia.signInForm(page).isVisible()).toBe(false);
      await expect(textOf(wanjia.who(page))).resolves.toContain('analyst');
      await expectWelcomeSays(page, info);
      expectData(await runInActiveWindow(page, SIGNED_IN_AS), 'SignedInAs after a reload');
      await session.screenshot('playground-reloaded.png');

      // Nothing on the page leads off the machine, with Altair's settings, docs and collections open.
      await showCollections(page);
      await ide.docsButton(page).click();
      await ide.docViewer(page).waitFor();
      await ide.settingsMenu(page).click();
      await ide.openMenuItem(page, ZH_CN.settings).click();
      await eventuallyText(ide.dialogTitle(page), (text) => text.trim() === ZH_CN.settings, 'the settings dialog did not open in Chinese');
      await session.screenshot('playground-settings.png');
      const advanced = ide.dialog(page).locator('a', { hasText: ZH_CN.advancedSettings });
      if (await advanced.count()) await advanced.first().click();
      expect(await linksOffTheMachine(page, server.url)).toEqual([]);
      await page.keyboard.press('Escape');
      await ide.dialog(page).waitFor({ state: 'hidden' });
      await expectBarInView(page);

      // Signing out: the form is back, the page's next request is refused, and so is the last access
      // cookie, still unexpired, replayed by someone who copied it (its refresh family is revoked).
      const lastCookie = (await ideCookies(session)).access!.value;
      expect(expiryOf(lastCookie)).toBeGreaterThan(Date.now() + 2000);
      await wanjia.signOut(page).click();
      await wanjia.signInForm(page).waitFor();
      expect(await ideCookies(session)).toEqual({ access: undefined, refresh: undefined });
      const afterSignOut = await graphqlFromPage(page, '{ me { username } }');
      expect(afterSignOut.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      const replayed = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: server.url, cookie: `wanjia_ide_access=${lastCookie}` },
        body: JSON.stringify({ query: '{ me { username } }' }),
      });
      expect(((await replayed.json()) as GraphQLBody).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      await session.screenshot('playground-signed-out.png');
    } finally {
      await session.screenshot('playground-analyst.png');
    }
    expectNoRequestLeftTheMachine(session);
  });

  it("a district administrator runs the cookbook on two tabs and downloads its district's report as xlsx and csv", async () => {
    session = await openBrowser();
    const { page } = session;
    await openIde(session, server.url);
    try {
      const info = await signInOnForm(page, 'pingshan-admin');
      expect(info.role).toBe('ADMIN');
      expect(info.scopeRegion?.name).toBe('平山区');
      await expectSessionCookies(session);
      await expectWelcomeSays(page, info);

      const first = await openCookbookRecipe(page, { chapter: /\bHouseholds\b/, recipe: /\bFind households\b/ });
      const found = expectData(await sendActiveWindow(page), `the recipe ${first.chapter} / ${first.recipe}`);
      expect(JSON.stringify(found)).toMatch(/"totalCount":[1-9]/);
      const second = await openCookbookRecipe(page, { chapter: /\bAssigning cadres\b/, recipe: /\bCadres with capacity\b/ });
      expectData(await sendActiveWindow(page), `the recipe ${second.chapter} / ${second.recipe}`);
      await session.screenshot('playground-cookbook-admin.png');

      await openNewWindow(page);
      const answered = expectData(await runInActiveWindow(page, SIGNED_IN_AS), 'SignedInAs on a new tab') as {
        me: { username: string; scopeRegion: { name: string } };
        campaignOverview: { figures: { measure: string; label: string; value: number | null }[] };
      };
      expect(answered.me).toEqual(expect.objectContaining({ username: 'pingshan-admin', scopeRegion: { name: '平山区' } }));

      // The export, run on that tab: the page offers both files as links to this server.
      const exported = expectData(await runInActiveWindow(page, EXPORT_OVERVIEW), 'exportReport') as {
        exportReport: { fileName: string; xlsxUrl: string; csvUrl: string; expiresAt: string };
      };
      const { xlsxUrl, csvUrl, expiresAt } = exported.exportReport;
      expect(new URL(xlsxUrl).origin).toBe(server.url);
      expect(new URL(csvUrl).origin).toBe(server.url);
      expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
      const xlsxLink = wanjia.downloads(page).and(page.locator(`[href="${xlsxUrl}"]`));
      const csvLink = wanjia.downloads(page).and(page.locator(`[href="${csvUrl}"]`));
      await xlsxLink.waitFor();
      await csvLink.waitFor();
      await expectBarInView(page);
      expect(await xlsxLink.getAttribute('download')).not.toBeNull();
      expect(await csvLink.getAttribute('download')).not.toBeNull();
      await session.screenshot('playground-export.png');

      // Downloaded in the browser, named in Chinese, and read back: the same overview in both files.
      const baseName = `平山区-工作概况-${shanghaiToday()}`;
      const xlsx = await download(page, xlsxLink);
      expect(xlsx.fileName).toBe(`${baseName}.xlsx`);
      const sheet = await xlsxRows(xlsx.bytes);
      expect(sheet[0]).toEqual(['指标', '数值']);
      const csv = await download(page, csvLink);
      expect(csv.fileName).toBe(`${baseName}.csv`);
      expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 with BOM, so Excel reads the Chinese
      const csvRows = parseCsv(csv.bytes.subarray(3).toString('utf8')).filter((row) => row.some((cell) => cell !== ''));
      expect(csvRows[0]).toEqual(['指标', '数值']);
      expect(csvRows.slice(1)).toEqual(sheet.slice(1).map((row) => row.map((cell) => (cell === null || cell === undefined ? '' : String(cell)))));
      // A count in the files is the count the overview answered on the tab (amounts are yuan there, fen here).
      const counted = answered.campaignOverview.figures.find((figure) => figure.value !== null && !figure.label.includes('（分）'));
      expect(counted).toBeDefined();
      expect(sheet).toContainEqual([counted!.label, counted!.value]);

      // Signing out ends the downloads too: the same link now answers 401.
      await wanjia.signOut(page).click();
      await wanjia.signInForm(page).waitFor();
      const afterSignOut = await graphqlFromPage(page, '{ me { username } }');
      expect(afterSignOut.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect((await session.context.request.get(xlsxUrl)).status()).toBe(401);
    } finally {
      await session.screenshot('playground-admin.png');
    }
    expectNoRequestLeftTheMachine(session);
  });
});
