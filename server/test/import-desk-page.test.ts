import fs from 'node:fs';
import path from 'node:path';
import { ImportKind, INTAKE_LABELS_ZH, RegionLevel, Role } from '@wanjia/shared';
import type { DatabaseConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { Region } from '../src/modules/regions/region.entity';
import { importKinds } from '../src/modules/imports/kinds';
import type { DeskPageConfig } from '../src/playground/import-desk/import-desk-config';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { createAccount, createRegion, createRegionTree, tokenFor } from './support/factories';
import { startApp, type RunningApp } from './support/server';

/**
 * The office upload page at /imports/desk as the server writes it: the sign-in form without an IDE
 * session, the desk for an administrator, a word for an analyst; only this server's own script (with the
 * response's CSP nonce) and style, nothing from outside (intranets reach no CDN), every control labelled.
 * (tests/browser/import-desk.test.ts drives the same page in Chromium through a whole import.)
 */
const PASSWORD = 'import-desk-test-password-1';
const BUILT_SCRIPT = path.resolve(__dirname, '../dist/import-desk-client/client/import-desk.js');

describe.each(databaseKinds())('the import desk page on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let district: Region;

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'import_desk_page'));
    const em = orm.em.fork();
    ({ pingshan: district } = await createRegionTree(em));
    await createAccount(em, { role: Role.ADMIN, username: 'desk-admin', password: PASSWORD, scopeRegion: district });
    await createAccount(em, { role: Role.ANALYST, username: 'desk-analyst', password: PASSWORD, scopeRegion: district });
    // The playground off, as in production without introspection: the desk does not depend on the IDE.
    server = await startApp(orm, database, (config) => ({ ...config, playground: false, introspection: false }));
  });

  afterAll(async () => {
    await server?.close();
    await orm.close(true);
    await dropScratchDatabase(database);
  });

  async function sessionCookies(username: string): Promise<string> {
    const response = await fetch(`${server.url}/ide/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ username, password: PASSWORD }),
    });
    expect(response.status).toBe(200);
    return response.headers
      .getSetCookie()
      .map((cookie) => cookie.split(';')[0]!)
      .join('; ');
  }

  async function openDesk(headers: Record<string, string> = {}): Promise<{ status: number; html: string; csp: string; cacheControl: string | null }> {
    const response = await fetch(`${server.url}/imports/desk`, { headers: { accept: 'text/html', ...headers } });
    return {
      status: response.status,
      html: await response.text(),
      csp: response.headers.get('content-security-policy') ?? '',
      cacheControl: response.headers.get('cache-control'),
    };
  }

  function configOf(html: string): DeskPageConfig {
    const match = /<script type="application\/json" id="wanjia-desk-config">([^<]*)<\/script>/.exec(html);
    if (!match) throw new Error('the page carries no #wanjia-desk-config');
    return JSON.parse(match[1]!) as DeskPageConfig;
  }

  /** Every script and style the page names, and every absolute URL in it: all must be this server's. */
  function expectNothingFromOutside(html: string): void {
    expect(html).not.toMatch(/(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/@import|url\(/i);
    const sources = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((match) => match[1]);
    expect(sources).toEqual(['/imports/desk/assets/import-desk.js']);
    const styles = [...html.matchAll(/<link[^>]*\shref="([^"]+)"/g)].map((match) => match[1]);
    expect(styles).toEqual(['/imports/desk/assets/import-desk.css']);
  }

  /** The CSP: scripts only from this origin with this response's nonce, nothing inline without it, no framing by others. */
  function expectStrictPolicy(html: string, csp: string): void {
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/connect-src 'self'/);
    expect(csp).toMatch(/script-src-attr 'none'/);
    expect(csp).toMatch(/frame-ancestors 'self'/);
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    const nonce = /script-src 'self' 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(html).toContain(`<script type="module" nonce="${nonce}" src="/imports/desk/assets/import-desk.js"></script>`);
    // The only other script element is the JSON config, which a browser never runs.
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((match) => match[1]!);
    expect(scripts.filter((attributes) => !attributes.includes(`nonce="${nonce}"`))).toEqual([' type="application/json" id="wanjia-desk-config"']);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  }

  /** Every input and select has a label (for= its id, or around it): a screen reader names each control. */
  function expectLabelledControls(html: string): void {
    const controls = [...html.matchAll(/<(input|select)\b([^>]*)>/g)];
    expect(controls.length).toBeGreaterThan(0);
    for (const [control, , attributes] of controls) {
      const id = /\sid="([^"]+)"/.exec(attributes!)?.[1];
      const labelledFor = id !== undefined && html.includes(`<label for="${id}"`);
      const wrapped = new RegExp(`<label[^>]*>[^<]*${control!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).test(html);
      expect({ control, labelled: labelledFor || wrapped }).toEqual({ control, labelled: true });
    }
  }

  it('gives a browser without a session the sign-in form, in Chinese, with the strict policy and nothing from outside', async () => {
    const { status, html, csp, cacheControl } = await openDesk();
    expect(status).toBe(200);
    expect(cacheControl).toBe('no-store');
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toMatch(/<form id="desk-sign-in"/);
    expect(html).toContain('请用管理员账号登录');
    expect(configOf(html)).toEqual({ mode: 'sign-in' });
    expect(html).not.toContain('desk-upload-form');
    expectStrictPolicy(html, csp);
    expectNothingFromOutside(html);
    expectLabelledControls(html);
  });

  it('gives a bearer token the sign-in form too: the page is for the browser session only', async () => {
    const admin = await createAccount(orm.em.fork(), { role: Role.ADMIN, scopeRegion: district });
    const { html } = await openDesk({ authorization: `Bearer ${await tokenFor(admin, server)}` });
    expect(configOf(html)).toEqual({ mode: 'sign-in' });
  });

  it('gives a signed-in administrator the desk: every kind by its Chinese label, both modes, template link, upload, counts, problems', async () => {
    const { status, html, csp } = await openDesk({ cookie: await sessionCookies('desk-admin') });
    expect(status).toBe(200);
    const config = configOf(html);
    if (config.mode !== 'desk') throw new Error(`expected the desk, got ${config.mode}`);
    expect(config.staff).toMatchObject({ username: 'desk-admin', roleLabel: '管理员', scopeRegion: { name: district.name, code: district.code } });
    // The kinds the engine takes, by their Chinese labels (a kind not registered yet is not offered).
    const registered = importKinds({ elsewherePerDay: 1, now: () => new Date() });
    expect(config.kinds).toEqual(
      Object.values(ImportKind)
        .filter((value) => registered[value] !== undefined)
        .map((value) => ({ value, label: INTAKE_LABELS_ZH.ImportKind[value] })),
    );
    expect(config.kinds.map((choice) => choice.value)).toContain(ImportKind.HOUSEHOLDS);
    expect(config.modes.map((mode) => mode.label)).toEqual(['仅新增', '新增并更新已有']);
    expect(config.endpoint).toBe('/graphql');
    for (const choice of config.kinds) expect(html).toContain(`<option value="${choice.value}">${choice.label}</option>`);
    expect(html).toContain('href="/imports/templates/HOUSEHOLDS.xlsx" download');
    expect(html).toMatch(/<input type="radio" name="mode" value="CREATE_ONLY" checked> 仅新增/);
    expect(html).toMatch(/<input type="radio" name="mode" value="UPDATE_EXISTING"> 新增并更新已有/);
    expect(html).toMatch(/<input id="desk-file" name="file" type="file" accept="\.xlsx,\.csv/);
    for (const id of [
      'desk-progress',
      'desk-commit',
      'desk-cancel',
      'desk-report',
      'desk-accept-page',
      'desk-accept-all',
      'desk-problem-rows',
      'desk-previous',
      'desk-next',
    ]) {
      expect(html).toContain(`id="${id}"`);
    }
    // Progress and outcomes are announced to screen readers.
    expect(html).toMatch(/id="desk-progress-text" aria-live="polite"/);
    expect(html).toMatch(/id="desk-upload-error" class="desk-error" role="alert"/);
    expect(html).toContain(`desk-admin（管理员，${district.name}（区））`);
    expectStrictPolicy(html, csp);
    expectNothingFromOutside(html);
    expectLabelledControls(html);
  });

  it("answers the page's GraphQL calls signed in by the session cookie alone, with the playground off", async () => {
    const cookie = await sessionCookies('desk-admin');
    const ask = (headers: Record<string, string>) =>
      fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, ...headers },
        body: JSON.stringify({ query: '{ dataImports(first: 10) { nodes { id } totalCount } }' }),
      }).then((response) => response.json() as Promise<{ data?: { dataImports: { totalCount: number } }; errors?: { extensions?: { code?: string } }[] }>);
    // What the browser sends with the page's fetch: the same-origin proof.
    expect(await ask({ 'sec-fetch-site': 'same-origin' })).toEqual({ data: { dataImports: { nodes: [], totalCount: 0 } } });
    // Another site's page posting with the cookie is anonymous.
    expect((await ask({ 'sec-fetch-site': 'cross-site' })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('tells a signed-in analyst that importing is for administrators, with no upload form', async () => {
    const { html } = await openDesk({ cookie: await sessionCookies('desk-analyst') });
    const config = configOf(html);
    expect(config.mode).toBe('not-admin');
    expect(html).toContain('数据导入仅限管理员');
    expect(html).not.toContain('desk-upload-form');
    expect(html).toContain('id="desk-sign-out"');
  });

  it('writes names from the database as text: a region or account name cannot become markup or script', async () => {
    const em = orm.em.fork();
    const hostile = '</script><img src=x onerror=alert(1)>"\'&';
    const city = await em.findOneOrFail(Region, { code: '210500000000' });
    const region = await createRegion(em, { code: '210599000000', name: hostile, level: RegionLevel.DISTRICT, parent: city });
    await createAccount(em, { role: Role.ADMIN, username: 'desk-admin-2', password: PASSWORD, scopeRegion: region });
    const { html } = await openDesk({ cookie: await sessionCookies('desk-admin-2') });
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;');
    const config = configOf(html);
    if (config.mode !== 'desk') throw new Error(`expected the desk, got ${config.mode}`);
    expect(config.staff.scopeRegion?.name).toBe(hostile);
    // Still exactly two script elements: the JSON config and our own script.
    expect(html.match(/<script\b/g)).toHaveLength(2);
  });

  it('serves its own style and built script from this server, naming nothing outside it', async () => {
    const style = await fetch(`${server.url}/imports/desk/assets/import-desk.css`);
    expect(style.status).toBe(200);
    expect(style.headers.get('content-type')).toMatch(/^text\/css/);
    const css = await style.text();
    expect(css).not.toMatch(/https?:|@import|url\(/i);
    expect(css).toMatch(/@media \(max-width: 640px\)/);

    // `pnpm test` builds first; the page script is the client/ program compiled by `pnpm --filter @wanjia/server build`.
    if (!fs.existsSync(BUILT_SCRIPT)) throw new Error(`${BUILT_SCRIPT} is missing: build the page script first (pnpm --filter @wanjia/server build)`);
    const script = await fetch(`${server.url}/imports/desk/assets/import-desk.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    const code = await script.text();
    expect(code).not.toMatch(/https?:\/\//);
    // It calls only this server: the session, the upload, the GraphQL endpoint it is given, the template and report links.
    expect(code).toContain("'/ide/session'");
    expect(code).toContain("fetch('/imports'");
    expect(code).not.toMatch(/\beval\(|new Function\(|innerHTML/);

    expect((await fetch(`${server.url}/imports/desk/assets/other.js`)).status).toBe(404);
  });
});
