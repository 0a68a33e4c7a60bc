import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { getDistDirectory, isSandboxFrame, renderAltair, SANDBOX_FRAME_CSP } from 'altair-static';
import express from 'express';
import type { AppConfig } from '../config';
import type { Orm } from '../core/entity-manager';
import type { Logger } from '../logger';
import { cspNonceOf } from '../http/security-headers';
import { ideSessionActor } from '../modules/auth/ide-session';
import { cookbookFor } from './cookbook';
import { IDE_ASSETS_PATH, renderSignInPage, scriptSafeJson, type IdePageConfig } from './ide-page';
import { welcomeOf, type SignedInStaff } from './welcome';
import { signedInStaffOf } from './signed-in-staff';

export interface PlaygroundOptions {
  /** Where the IDE sends its operations. */
  endpoint: string;
  /** Where browsers open the IDE; may be the GraphQL endpoint itself, mounted before Apollo. */
  path: string;
  orm: Orm;
  config: AppConfig;
  logger: Logger;
}

/** The page script and style (built from ide-client/ by `pnpm build`), found from src/ (tests) and dist/ alike. */
const IDE_CLIENT_DIR = path.resolve(__dirname, '../../dist/ide-client/ide-client');
const IDE_CLIENT_STYLE = path.resolve(__dirname, '../../src/playground/ide-client/wanjia-ide.css');

/** Altair's update check, release banners, notifications and cloud account would all call the internet. */
const OFFLINE_SETTINGS = {
  'alert.disableUpdateNotification': true,
  'banners.disable': true,
  disablePushNotification: true,
  'plugin.list': [],
} as const;

/**
 * Text as a JavaScript template literal inside an inline <script>, as Altair writes its options
 * (backslashes, backticks and `${` escaped), and with no "<", which could end the script early.
 */
function templateLiteral(text: string): string {
  const escaped = text.replaceAll('\\', '\\\\').replaceAll('`', '\\`').replaceAll('${', '\\${').replaceAll('<', '＜');
  return `\`${escaped}\``;
}

/**
 * Serves the Altair GraphQL IDE from altair-static's prebuilt files, behind the IDE session
 * (modules/auth/ide-session.ts): a browser without one gets the sign-in page; a signed-in administrator
 * or analyst gets Altair in Chinese, opened on a welcome window that says who is signed in, with the
 * cookbook of the real tasks in Altair's collections, and our page script (ide-client/) that renews the
 * session, signs out, offers the exports' downloads and keeps every link on this machine.
 * Intranets (and our own machines) cannot reach a CDN, so every script, style, font and image comes from
 * this app. The IDE itself grants nothing: every operation it sends is authorised by the API like any other.
 */
export function mountPlayground(app: express.Express, options: PlaygroundOptions): void {
  const { orm, config, logger } = options;
  const ideRoot = options.path.replace(/\/+$/, '');
  // Altair's init script: the page's own, rendered per response (the welcome says who is signed in).
  const initCall = 'AltairGraphQL.init(';

  const renderIde = (nonce: string, staff: SignedInStaff): string => {
    const endpoint = new URL(options.endpoint, 'http://placeholder').pathname;
    const welcome = welcomeOf(staff);
    // The welcome names the account and its scope, text from the database: Altair's page is rendered
    // and taken apart around a placeholder, and the text goes in last, so no name can move the cuts.
    const welcomePlaceholder = `WANJIA_WELCOME_${randomBytes(12).toString('hex')}`;
    const html = renderAltair({
      cspNonce: nonce,
      baseURL: `${ideRoot}/`,
      endpointURL: 'WANJIA_PLAYGROUND_ENDPOINT',
      initialWindows: [
        {
          initialName: welcome.name,
          endpointURL: 'WANJIA_PLAYGROUND_ENDPOINT',
          initialQuery: welcomePlaceholder,
        },
      ],
      initialSettings: {
        ...OFFLINE_SETTINGS,
        'plugin.list': [],
        language: 'zh-CN',
        // The docs are there as soon as the page is: the session cookie already signs the introspection in.
        'schema.reloadOnStart': true,
        'request.withCredentials': true,
      },
      disableAccount: true,
      // Each load starts from the welcome and the current cookbook; query results are not brought back
      // from the browser's storage (office PCs are shared), and the page script clears what Altair stores.
      preserveState: false,
    });
    // Altair only accepts an absolute endpoint URL, and only the browser knows the scheme and host it
    // reached us by (behind a TLS proxy we may see plain http).
    let page = html.replaceAll('`WANJIA_PLAYGROUND_ENDPOINT`', `new URL(${JSON.stringify(endpoint)}, location.href).href`);
    if (page.includes('WANJIA_PLAYGROUND_ENDPOINT')) throw new Error('altair-static rendered its options in an unexpected form');
    // Altair starts once the page script has put the cookbook into its collections (ide-client waits for
    // IndexedDB): the init call is handed to the page script instead of running at once.
    const initAt = page.lastIndexOf(initCall);
    const scriptEnd = page.indexOf('</script></body>', initAt);
    if (initAt < 0 || scriptEnd < 0) throw new Error('altair-static no longer ends its page with AltairGraphQL.init(...)');
    const init = page.slice(initAt, scriptEnd).trimEnd().replace(/;$/, '');
    if (/<\/script/i.test(init)) throw new Error('the IDE options must not contain "</script"');
    page = `${page.slice(0, initAt)}window.wanjiaIde.start(() => ${init});${page.slice(scriptEnd)}`;
    const placeholderLiteral = `\`${welcomePlaceholder}\``;
    if (page.split(placeholderLiteral).length !== 2) throw new Error('altair-static rendered the welcome in an unexpected form');
    return page.replace(placeholderLiteral, () => templateLiteral(welcome.query));
  };

  app.use(IDE_ASSETS_PATH, (request, response, next) => {
    const file = request.path === '/wanjia-ide.js' ? path.join(IDE_CLIENT_DIR, 'wanjia-ide.js') : request.path === '/wanjia-ide.css' ? IDE_CLIENT_STYLE : null;
    if (!file || request.method !== 'GET') return next();
    if (!fs.existsSync(file)) {
      logger.error({ file }, 'the IDE page script is not built: run pnpm --filter @wanjia/server build');
      return response.status(404).end();
    }
    response
      .type(file.endsWith('.js') ? 'text/javascript' : 'text/css')
      .set('Cache-Control', 'no-cache')
      .sendFile(file);
  });

  app.get(options.path, async (request, response, next) => {
    // Only a browser asking for a page gets the IDE; clients asking for JSON (and GET queries)
    // fall through to Apollo, which is mounted after us on the same path.
    const wantsPage = request.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
    if (!wantsPage || request.query.query !== undefined) return next();
    try {
      const nonce = cspNonceOf(response);
      const em = orm.em.fork();
      const { actor } = await ideSessionActor(request, config, em);
      const staff = actor ? await signedInStaffOf(em, actor) : null;
      response.type('html').set('Cache-Control', 'no-store');
      if (!staff || !actor) {
        response.send(renderSignInPage(nonce, { mode: 'sign-in', endpoint: options.endpoint }));
        return;
      }
      const pageConfig: IdePageConfig = {
        mode: 'ide',
        endpoint: options.endpoint,
        staff,
        cookbook: await cookbookFor(em, actor),
      };
      const configScript = `<script type="application/json" id="wanjia-ide-config">${scriptSafeJson(pageConfig)}</script>`;
      const pageScript = `<link rel="stylesheet" href="${IDE_ASSETS_PATH}/wanjia-ide.css"><script type="module" nonce="${nonce}" src="${IDE_ASSETS_PATH}/wanjia-ide.js"></script>`;
      // Our script first (a module, so it runs in order, before Altair's init snippet hands itself over).
      response.send(
        renderIde(nonce, staff).replace(
          '<script type="module" src="polyfills.js">',
          () => `${configScript}${pageScript}<script type="module" src="polyfills.js">`,
        ),
      );
    } catch (error) {
      logger.error({ err: error }, 'the IDE page failed');
      response.status(500).type('text').send('Internal server error');
    }
  });

  app.use(
    ideRoot,
    express.static(getDistDirectory(), {
      index: false,
      redirect: false,
      // Altair runs user pre-request scripts in this frame; Altair asks that it be sandboxed.
      setHeaders: (response, file) => {
        if (isSandboxFrame(file)) response.setHeader('Content-Security-Policy', SANDBOX_FRAME_CSP);
      },
    }),
  );
}
