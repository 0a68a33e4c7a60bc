import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { openBrowser, requireChromium, type BrowserSession } from '../support/browser';
import { startServer, type ServerProcess } from '../support/server-process';

/**
 * The GraphQL IDE at /graphql, driven in Debian's Chromium as an administrator drives it: type an
 * operation, send it, read the result pane, paste a token into the headers. Every asset must come from
 * our own server (intranets have no CDN), so the test also fails on any request that leaves 127.0.0.1.
 */

type GraphQLBody = { data?: Record<string, unknown> | null; errors?: { message: string }[] };

/** Altair's DOM, kept in one place so that an upgrade that renames it breaks one function, not the tests. */
const ide = {
  queryEditor: (page: Page) => page.locator('app-query-editor .query-editor__input .cm-content'),
  sendButton: (page: Page) => page.locator('[track-id="set_request"]'),
  resultPane: (page: Page) => page.locator('app-query-result .cm-content'),
  statusCode: (page: Page) => page.locator('app-query-result .response-status-code'),
};

/** Replaces the active tab's operation, sends it, and returns what the result pane shows once it shows this response. */
async function runInIde(page: Page, query: string): Promise<{ shown: GraphQLBody; status: string; authorization?: string }> {
  await ide.queryEditor(page).fill(query);
  const before = await ide
    .resultPane(page)
    .innerText()
    .catch(() => '');
  const responded = page.waitForResponse(
    (response) => response.request().method() === 'POST' && (response.request().postData() ?? '').includes(JSON.stringify(query)),
  );
  await ide.sendButton(page).click();
  const response = await responded;
  // Chromium may drop a response body it already handed to the page (under load it does); then the
  // pane alone is the witness, and it must at least have changed from what it showed before.
  const sent = (await response.json().catch(() => null)) as GraphQLBody | null;
  let shownText = '';
  const deadline = Date.now() + 15_000;
  for (;;) {
    shownText = await ide
      .resultPane(page)
      .innerText()
      .catch(() => '');
    try {
      const shown = JSON.parse(shownText) as GraphQLBody;
      if (sent ? JSON.stringify(shown) === JSON.stringify(sent) : shownText !== before && ('data' in shown || 'errors' in shown)) break;
    } catch {
      // not rendered (or not whole) yet
    }
    if (Date.now() > deadline) {
      throw new Error(`the result pane never showed the response.\nresponse: ${JSON.stringify(sent)}\npane: ${shownText}`);
    }
    await page.waitForTimeout(100);
  }
  return {
    shown: JSON.parse(shownText) as GraphQLBody,
    status: (await ide.statusCode(page).innerText()).trim(),
    authorization: response.request().headers().authorization,
  };
}

/** Adds a header to the active tab through the IDE's own "Set Headers" dialog. */
async function addHeaderInIde(page: Page, key: string, value: string): Promise<void> {
  await page.locator('[track-id="show_set_headers"]').click();
  const keys = page.locator('app-x-input[placeholder="Header key"] [contenteditable="true"]');
  // The dialog opens with one empty row; add another only if that one is taken.
  if ((await keys.last().innerText()).trim() !== '') await page.getByRole('button', { name: 'Add header' }).click();
  await keys.last().fill(key);
  await page.locator('app-x-input[placeholder="Header value"] [contenteditable="true"]').last().fill(value);
  await page.getByRole('button', { name: 'Done' }).click();
}

const NOT_MOUNTED = 'without the IDE: is mountPlayground wired into server/src/app.ts and the server built?';

/** Content-Security-Policy violations Chromium reports on the console: the IDE must run under its policy with none. */
const cspViolations = new WeakMap<BrowserSession, string[]>();

async function openIde(session: BrowserSession, url: string): Promise<void> {
  const violations: string[] = [];
  cspViolations.set(session, violations);
  session.page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  const document = await session.page.goto(`${url}/graphql`);
  if (!document || !(await document.text()).includes('AltairGraphQL.init')) {
    throw new Error(`the browser opened /graphql and got ${document?.status()} ${NOT_MOUNTED}`);
  }
  // The page runs under helmet's policy: scripts only from us or with this response's nonce.
  const policy = (await document.allHeaders())['content-security-policy'] ?? '';
  expect(policy).toMatch(/script-src 'self' 'nonce-[^']+'/);
  expect(policy).toMatch(/frame-ancestors 'self'/);
  expect((await document.allHeaders())['x-content-type-options']).toBe('nosniff');
  await ide.sendButton(session.page).waitFor();
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

describe('the GraphQL IDE at /graphql in Chromium', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-playground-'));
  let server: ServerProcess;
  let session: BrowserSession | undefined;

  beforeAll(async () => {
    requireChromium();
    // Development, where the IDE is on by default; said outright, since production keeps it off.
    server = await startServer({ SQLITE_PATH: path.join(folder, 'wanjia.sqlite'), NODE_ENV: 'development', PLAYGROUND: 'true', INTROSPECTION: 'true' });
  });

  afterEach(async () => {
    await session?.close();
    session = undefined;
  });

  afterAll(async () => {
    await server?.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('serves the IDE to browsers from our own files, and the API behind it refuses a query without a token', async () => {
    const page = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
    const html = await page.text();
    if (page.status !== 200 || !html.includes('AltairGraphQL.init')) {
      throw new Error(`GET /graphql with Accept: text/html answered ${page.status} ${NOT_MOUNTED}`);
    }
    // Clients that ask for JSON still reach Apollo on the same path.
    const api = await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(await api.json()).toEqual({ data: { __typename: 'Query' } });

    session = await openBrowser();
    await openIde(session, server.url);
    const { shown, status } = await runInIde(session.page, '{ regions { name children { name } } }');
    try {
      expect(status).toBe('200 OK');
      expect(shown.data).toBeNull();
      expect(shown.errors).toEqual([expect.objectContaining({ message: 'Sign in first', extensions: { code: 'UNAUTHENTICATED' } })]);
      expect(await ide.resultPane(session.page).innerText()).toMatch(/UNAUTHENTICATED/);
    } finally {
      await session.screenshot('playground-regions.png');
    }
    expectNoRequestLeftTheMachine(session);
  });

  it('signs in with the login mutation, takes the token into its headers and lists households', async () => {
    session = await openBrowser();
    const { page } = session;
    await openIde(session, server.url);
    try {
      const login = await runInIde(
        page,
        'mutation { login(username: "pingshan-admin", password: "wanjia-pingshan-demo") { accessToken account { username role } } }',
      );
      expect(login.shown.errors).toBeUndefined();
      const signedIn = (login.shown.data as { login: { accessToken: string; account: { username: string; role: string } } }).login;
      expect(signedIn.account).toEqual({ username: 'pingshan-admin', role: 'ADMIN' });
      expect(signedIn.accessToken).toMatch(/\S{20,}/);

      await addHeaderInIde(page, 'Authorization', `Bearer ${signedIn.accessToken}`);
      const households = await runInIde(page, '{ households(first: 5) { totalCount nodes { id headName address } } }');
      expect(households.authorization).toBe(`Bearer ${signedIn.accessToken}`);
      expect(households.status).toBe('200 OK');
      expect(households.shown.errors).toBeUndefined();
      const connection = (households.shown.data as { households: { totalCount: number; nodes: { id: string; headName: string; address: string }[] } })
        .households;
      expect(connection.totalCount).toBeGreaterThanOrEqual(5);
      expect(connection.nodes).toHaveLength(5);
      for (const household of connection.nodes) expect(household.headName).toMatch(/\S/);
      // The same, read off the page as a person would see it.
      const paneText = await ide.resultPane(page).innerText();
      expect(paneText.match(/"headName"/g)).toHaveLength(5);
      expect(paneText).toContain(`"totalCount": ${connection.totalCount}`);
      expect(paneText).not.toContain('"errors"');
    } finally {
      await session.screenshot('playground.png');
    }
    expectNoRequestLeftTheMachine(session);
  });
});
