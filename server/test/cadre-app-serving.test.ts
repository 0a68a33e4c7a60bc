import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type DatabaseConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { cadreAppBanner, inlineScriptHashes } from '../src/http/cadre-app.routes';
import { dropScratchDatabase, migratedOrm } from './support/databases';
import { startApp, type RunningApp } from './support/server';

/**
 * The cadre app's h5 build served by the API at /app/ (contract "h5 served by the API"), against a small
 * fake build folder shaped like Taro's output: index.html with its inline font-size script, hashed files.
 */

const INLINE_SCRIPT = '!function(n){n.document.documentElement.style.fontSize="20px"}(window);';
const INDEX_HTML = `<!doctype html><html lang="zh-CN"><head><title>万家 · 干部端</title><script src="config.js"></script><script>${INLINE_SCRIPT}</script><script defer="defer" src="js/app.d831367a.js"></script><link href="css/app.a967ed4d.css" rel="stylesheet"></head><body><div id="app"></div></body></html>`;

function fakeBuild(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-h5-'));
  fs.mkdirSync(path.join(folder, 'js'));
  fs.mkdirSync(path.join(folder, 'css'));
  fs.writeFileSync(path.join(folder, 'index.html'), INDEX_HTML);
  fs.writeFileSync(path.join(folder, 'js', 'app.d831367a.js'), 'console.log("app");');
  fs.writeFileSync(path.join(folder, 'css', 'app.a967ed4d.css'), 'body{margin:0}');
  // The build's own settings file (copied from src/h5-config.js): the API's generated one answers instead.
  fs.writeFileSync(path.join(folder, 'config.js'), '// build default');
  fs.writeFileSync(path.join(folder, '.secret'), 'hidden');
  return folder;
}

/** A raw GET, so that paths reach the server exactly as written (fetch would normalise `..`). */
function rawGet(
  url: string,
  requestPath: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: hostname, port, path: requestPath, method: 'GET', headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('the cadre app served at /app/', () => {
  let orm: Orm;
  let database: DatabaseConfig;
  let build: string;
  let server: RunningApp;
  let unbuilt: RunningApp;
  let proxied: RunningApp;

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm('sqlite', 'cadre_app'));
    build = fakeBuild();
    server = await startApp(orm, database, (config) => ({ ...config, cadreAppDir: build }));
    unbuilt = await startApp(orm, database, (config) => ({ ...config, cadreAppDir: path.join(build, 'missing') }));
    // Behind one proxy (loopback: the test's own connections) with a configured public address.
    proxied = await startApp(orm, database, (config) => ({ ...config, cadreAppDir: build, trustProxy: ['loopback'] }));
  });

  afterAll(async () => {
    await Promise.all([server.close(), unbuilt.close(), proxied.close()]);
    await orm.close(true);
    await dropScratchDatabase(database);
    fs.rmSync(build, { recursive: true, force: true });
  });

  it('serves index.html at /app/ with a CSP that allows its files and its one inline script by hash, nothing from elsewhere', async () => {
    const response = await rawGet(server.url, '/app/');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toBe(INDEX_HTML);
    expect(response.headers['cache-control']).toBe('no-cache');
    const hash = createHash('sha256').update(INLINE_SCRIPT).digest('base64');
    const csp = response.headers['content-security-policy'] as string;
    const directives = new Map(csp.split('; ').map((directive) => [directive.split(' ')[0]!, directive.split(' ').slice(1)]));
    expect(directives.get('script-src')).toEqual(["'self'", `'sha256-${hash}'`]);
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'self'"]);
    expect(directives.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    // No other origin, no inline script by permission, no eval, no upgrade on plain HTTP.
    expect(csp).not.toMatch(/https?:|\*|'unsafe-eval'|upgrade-insecure-requests/);
    expect(directives.get('script-src')).not.toContain("'unsafe-inline'");
    // helmet's other headers still apply.
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(inlineScriptHashes(INDEX_HTML)).toEqual([hash]);
  });

  it('redirects /app to /app/, serves the hashed files cacheable for ever, and index.html for the app’s own routes', async () => {
    const bare = await rawGet(server.url, '/app?x=1');
    expect({ status: bare.status, location: bare.headers.location }).toEqual({ status: 308, location: '/app/?x=1' });
    const script = await rawGet(server.url, '/app/js/app.d831367a.js');
    expect({ status: script.status, body: script.body, cache: script.headers['cache-control'] }).toEqual({
      status: 200,
      body: 'console.log("app");',
      cache: 'public, max-age=31536000, immutable',
    });
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect((await rawGet(server.url, '/app/css/app.a967ed4d.css')).headers['content-type']).toMatch(/^text\/css/);
    const route = await rawGet(server.url, '/app/pages/households/index');
    expect({ status: route.status, body: route.body }).toEqual({ status: 200, body: INDEX_HTML });
    expect((await rawGet(server.url, '/app/js/missing.12345678.js')).status).toBe(404);
  });

  it('writes /app/config.js naming the origin the request came to (never cached), the configured public URL first', async () => {
    const direct = await rawGet(server.url, '/app/config.js');
    expect(direct.status).toBe(200);
    expect(direct.headers['content-type']).toMatch(/^text\/javascript/);
    expect(direct.headers['cache-control']).toBe('no-store');
    expect(direct.body).toContain(`window.WANJIA_API_BASE = ${JSON.stringify(server.url)};`);
    // Another name for the same server (a LAN address, a phone on the same network): that origin.
    const byName = await rawGet(server.url, '/app/config.js', { host: 'wanjia.local:4000' });
    expect(byName.body).toContain('window.WANJIA_API_BASE = "http://wanjia.local:4000";');
    // A Host that is no host name is not written into a script.
    expect((await rawGet(server.url, '/app/config.js', { host: 'x";alert(1);"' })).status).toBe(404);
    // Forwarded headers count only from a trusted proxy.
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'wanjia.example.gov.cn' };
    expect((await rawGet(server.url, '/app/config.js', forwarded)).body).toContain(`= ${JSON.stringify(server.url)};`);
    expect((await rawGet(proxied.url, '/app/config.js', forwarded)).body).toContain('window.WANJIA_API_BASE = "https://wanjia.example.gov.cn";');
    // Over HTTPS (as the trusted proxy says) the CSP upgrades the app's requests too.
    expect((await rawGet(proxied.url, '/app/', forwarded)).headers['content-security-policy']).toMatch(/upgrade-insecure-requests/);
    const configured = await startApp(orm, database, (config) => ({ ...config, cadreAppDir: build, publicUrl: 'https://wanjia.example.gov.cn' }));
    try {
      expect((await rawGet(configured.url, '/app/config.js')).body).toContain('window.WANJIA_API_BASE = "https://wanjia.example.gov.cn";');
    } finally {
      await configured.close();
    }
  });

  it('answers 404 for any path outside the folder, encoded or not, and for hidden files', async () => {
    const outside = [
      '/app/../package.json',
      '/app/%2e%2e/package.json',
      '/app/%2E%2E/%2E%2E/package.json',
      '/app/..%2fpackage.json',
      '/app/..%5cpackage.json',
      '/app/js/..%2f..%2f..%2fpackage.json',
      '/app/%252e%252e/package.json',
      '/app/%00index.html',
      '/app/.secret',
      '/app/%2esecret',
    ];
    for (const requestPath of outside) {
      const response = await rawGet(server.url, requestPath);
      expect({ requestPath, status: response.status }).toEqual({ requestPath, status: 404 });
      expect(response.body).not.toContain('hidden');
      expect(response.body).not.toContain('"name"');
    }
  });

  it('without the build answers 404 saying how to build it, and the start banner says the same', async () => {
    for (const requestPath of ['/app/', '/app/config.js', '/app/index.html']) {
      const response = await rawGet(unbuilt.url, requestPath);
      expect({ requestPath, status: response.status }).toEqual({ requestPath, status: 404 });
      expect(JSON.parse(response.body)).toEqual({
        error: expect.objectContaining({ code: 'NOT_FOUND', message: expect.stringContaining('pnpm --filter @wanjia/miniprogram build:h5') }),
      });
    }
    const development = { ...loadConfig({ NODE_ENV: 'development', DEV_SIGN_IN: 'true' }), port: 4000 };
    expect(await cadreAppBanner({ ...development, cadreAppDir: path.join(build, 'missing') })).toBe(
      `Cadre app (h5): not built (${path.join(build, 'missing')} has no index.html); build it with \`pnpm --filter @wanjia/miniprogram build:h5\`, then open http://localhost:4000/app/`,
    );
    expect(await cadreAppBanner({ ...development, cadreAppDir: build })).toBe(
      'Cadre app (h5): http://localhost:4000/app/ — sign in with 开发登录 as a demo cadre',
    );
    // Without the development sign-in the banner still shows the way, and how to turn the demo cadres on.
    expect(await cadreAppBanner({ ...development, devSignIn: false, cadreAppDir: build })).toBe(
      'Cadre app (h5): http://localhost:4000/app/ — cadres sign in through WeChat; for the demo cadres (开发登录) start with DEV_SIGN_IN=true pnpm start',
    );
  });

  it('leaves the rest of the server as it was: the IDE keeps its own CSP', async () => {
    const ide = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(ide.headers.get('content-security-policy')).toMatch(/script-src 'self' 'nonce-/);
    expect((await rawGet(server.url, '/healthz')).status).toBe(200);
  });
});
