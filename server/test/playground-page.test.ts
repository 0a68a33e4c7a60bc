import vm from 'node:vm';
import { Role } from '@wanjia/shared';
import type { DatabaseConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import type { IdePageConfig } from '../src/playground/ide-page-config';
import { Region } from '../src/modules/regions/region.entity';
import { dropScratchDatabase, migratedOrm } from './support/databases';
import { createAccount, createCadre, createRegionTree, createUnit, tokenFor } from './support/factories';
import { startApp, type RunningApp } from './support/server';

/**
 * The IDE's page as the server writes it: a sign-in form for a browser without an IDE session, and
 * for an administrator or analyst with one, Altair in Chinese opened on a welcome that names them,
 * with the cookbook for the page script and nothing a name in the database could turn into a script.
 * (The browser suite drives the same page in Chromium.)
 */
const PASSWORD = 'ide-page-test-password-1';

describe('the IDE page at /graphql', () => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let district: Region;

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm('sqlite', 'playground_page'));
    const em = orm.em.fork();
    ({ pingshan: district } = await createRegionTree(em));
    await createAccount(em, { role: Role.ANALYST, username: 'page-analyst', password: PASSWORD, scopeRegion: district });
    await createAccount(em, { role: Role.ADMIN, username: 'page-admin', password: PASSWORD, scopeRegion: district });
    server = await startApp(orm, database, (config) => ({ ...config, playground: true, introspection: true }));
  });

  afterAll(async () => {
    await server?.close();
    await orm.close(true);
    await dropScratchDatabase(database);
  });

  /** The IDE session's cookies for the account, as a browser would hold them after the sign-in form. */
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

  async function openPage(cookie?: string): Promise<{ status: number; html: string; csp: string }> {
    const response = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html', ...(cookie ? { cookie } : {}) } });
    return { status: response.status, html: await response.text(), csp: response.headers.get('content-security-policy') ?? '' };
  }

  function configOf(html: string): IdePageConfig {
    const match = /<script type="application\/json" id="wanjia-ide-config">([^<]*)<\/script>/.exec(html);
    if (!match) throw new Error('the page carries no #wanjia-ide-config');
    return JSON.parse(match[1]!) as IdePageConfig;
  }

  it('gives a browser without a session the sign-in form in Chinese, and no IDE', async () => {
    const { status, html } = await openPage();
    expect(status).toBe(200);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toMatch(/<form id="wanjia-sign-in"/);
    expect(html).toMatch(/<input name="username"/);
    expect(html).toMatch(/<input name="password" type="password"/);
    expect(html).toContain('id="wanjia-sign-in-error"');
    expect(html).not.toContain('AltairGraphQL');
    expect(configOf(html)).toEqual({ mode: 'sign-in', endpoint: '/graphql' });
  });

  it('gives a bearer token no IDE either: the page is for the browser session only', async () => {
    const analyst = await createAccount(orm.em.fork(), { role: Role.ANALYST, scopeRegion: district });
    const response = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html', authorization: `Bearer ${await tokenFor(analyst, server)}` } });
    expect(await response.text()).toMatch(/<form id="wanjia-sign-in"/);
  });

  it('opens Altair in Chinese for a signed-in analyst, on a welcome that names them and their scope, with the cookbook', async () => {
    const { status, html, csp } = await openPage(await sessionCookies('page-analyst'));
    expect(status).toBe(200);
    const nonce = /script-src 'self' 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    // Our page script runs first, with this response's nonce; Altair starts when it hands over.
    expect(html).toContain(`<script type="module" nonce="${nonce}" src="/ide/assets/wanjia-ide.js"></script>`);
    expect(html.indexOf('/ide/assets/wanjia-ide.js')).toBeLessThan(html.indexOf('src="main.js"'));
    expect(html).toContain('window.wanjiaIde.start(() => AltairGraphQL.init(');
    expect(html).toMatch(/language: `zh-CN`/);
    expect(html).toMatch(/'schema\.reloadOnStart': true/);
    expect(html).toMatch(/preserveState: false/);
    expect(html).toMatch(/disableAccount: true/);
    expect(html).toContain('initialName: `欢迎 Welcome`');
    expect(html).toContain('page-analyst（分析员 ANALYST）');
    expect(html).toContain(`${district.name}（区，${district.code}）`);
    const config = configOf(html);
    if (config.mode !== 'ide') throw new Error('expected the IDE');
    expect(config.staff).toEqual({
      username: 'page-analyst',
      role: 'ANALYST',
      roleLabel: '分析员',
      scopeRegion: { name: district.name, code: district.code, levelLabel: '区' },
    });
    expect(config.cookbook.length).toBeGreaterThan(0);
    for (const chapter of config.cookbook) {
      for (const recipe of chapter.recipes) {
        // An analyst's cookbook changes nothing but the audit trail of an export.
        if (/^\s*mutation\b/m.test(recipe.query)) expect(recipe.query).toMatch(/exportReport/);
      }
    }
  });

  it("gives an administrator the administrators' chapters", async () => {
    const html = (await openPage(await sessionCookies('page-admin'))).html;
    const config = configOf(html);
    if (config.mode !== 'ide') throw new Error('expected the IDE');
    const operations = config.cookbook.flatMap((chapter) => chapter.recipes.map((recipe) => recipe.query)).join('\n');
    expect(operations).toMatch(/createHousehold/);
    // A district's administrator opens no round (the city does).
    expect(operations).not.toMatch(/createRound/);
    expect(operations).toMatch(/auditEntries/);
  });

  it('keeps a name from the database from writing a script into the page', async () => {
    const em = orm.em.fork();
    const hostile = '平山区</script><script>alert(1)</script>`${alert(2)}`\\ AltairGraphQL.init( WANJIA_PLAYGROUND_ENDPOINT';
    await em.nativeUpdate(Region, { id: district.id }, { name: hostile });
    try {
      const { html } = await openPage(await sessionCookies('page-admin'));
      expect(html).not.toContain('<script>alert(1)');
      expect(html).not.toMatch(/<\/script><script>alert/);
      // Still the same name for the page script, which puts it into the page as text.
      const config = configOf(html);
      if (config.mode !== 'ide') throw new Error('expected the IDE');
      expect(config.staff.scopeRegion?.name).toBe(hostile);
      // The init script still parses, and the welcome reaches Altair with the name as it is written ("<" aside).
      expect(html.split('window.wanjiaIde.start(() => AltairGraphQL.init(')).toHaveLength(2);
      const initScript = /<script type="module" nonce="[^"]+">([\s\S]*?)<\/script><\/body>/.exec(html)?.[1];
      expect(initScript).toBeDefined();
      const started: { initialWindows?: { initialQuery?: string }[] }[] = [];
      const browser = {
        window: { wanjiaIde: { start: (init: () => void) => init() } },
        AltairGraphQL: { init: (options: (typeof started)[number]) => started.push(options) },
        location: { href: `${server.url}/graphql` },
        URL,
      };
      vm.runInNewContext(initScript!, browser);
      expect(started).toHaveLength(1);
      expect(started[0]!.initialWindows?.[0]?.initialQuery).toContain(hostile.replaceAll('<', '＜'));
      // Only our scripts: the page script, the config data, Altair's own and its init.
      const scripts = html.match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.every((tag) => /type="module"|type="application\/json"/.test(tag))).toBe(true);
    } finally {
      await em.nativeUpdate(Region, { id: district.id }, { name: district.name });
    }
  });

  it('serves the page script and its style from this server', async () => {
    const script = await fetch(`${server.url}/ide/assets/wanjia-ide.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(await script.text()).toContain('wanjiaIde');
    const style = await fetch(`${server.url}/ide/assets/wanjia-ide.css`);
    expect(style.status).toBe(200);
    expect(style.headers.get('content-type')).toMatch(/text\/css/);
    expect((await fetch(`${server.url}/ide/assets/other.js`)).status).toBe(404);
  });

  it('names no address off this machine in the pages it writes', async () => {
    const signIn = (await openPage()).html;
    const ide = (await openPage(await sessionCookies('page-analyst'))).html;
    for (const html of [signIn, ide]) {
      const addresses = html.match(/(?:src|href)="(?:https?:)?\/\/[^"]+"/g) ?? [];
      expect(addresses).toEqual([]);
    }
  });

  it('still answers API clients on the same path', async () => {
    const em = orm.em.fork();
    const cadre = await createAccount(em, { cadre: await createCadre(em, { unit: await createUnit(em, { region: district }) }) });
    const body = await server.graphql<{ me: { role: string } }>('{ me { role } }', {}, { authorization: `Bearer ${await tokenFor(cadre, server)}` });
    expect(body.data?.me.role).toBe('CADRE');
  });
});
