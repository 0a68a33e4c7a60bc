import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import express, { type Request, type Response } from 'express';
import type { AppConfig } from '../config';
import { DomainError, ErrorCode } from '../core/errors';
import type { Logger } from '../logger';
import { sendProblem } from './problem-response';
import { cadreAppContentSecurityPolicy } from './security-headers';

/** Where the cadre app is served: the same origin as /graphql, so the h5 build needs no CORS and no configured address. */
export const CADRE_APP_PATH = '/app';

/** The command that builds what is served here (the banner and the 404 say it). */
export const CADRE_APP_BUILD_COMMAND = 'pnpm --filter @wanjia/miniprogram build:h5';

class CadreAppNotFoundError extends DomainError {
  constructor(message = 'no such file in the cadre app') {
    super(ErrorCode.NOT_FOUND, message);
  }
}

/** A host as a Host header may carry it: a name or IPv4 address, or a bracketed IPv6 address, and a port. */
const HOST_PATTERN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** Webpack's content-hashed names (app.d831367a.js): their bytes never change under that name. */
const CONTENT_HASHED = /\.[0-9a-f]{8,}\.(?:js|css|png|jpe?g|gif|svg|webp|woff2?|ttf)$/;

/**
 * The origin the cadre app is to call: PUBLIC_URL when a proxy's public address is configured, else the
 * origin this request came to (Express reads X-Forwarded-Proto and -Host only from a TRUST_PROXY proxy).
 * Null for a Host that is no host name (it is written into a script).
 */
export function apiOriginFor(request: Request, config: Pick<AppConfig, 'publicUrl'>): string | null {
  if (config.publicUrl) return config.publicUrl;
  const host = request.host;
  if (!host || !HOST_PATTERN.test(host)) return null;
  return `${request.protocol}://${host}`;
}

/**
 * The file a path under /app/ names inside the build folder, or null when it names none: every segment is
 * decoded once and must be a plain name (no `..`, `.`, hidden names, slashes or backslashes once decoded,
 * no NUL), so `/app/../package.json`, `/app/%2e%2e/…` and `/app/..%2f…` name nothing.
 */
function fileUnder(root: string, requestPath: string): string | null {
  const segments = requestPath.split('/').filter((segment) => segment !== '');
  const names: string[] = [];
  for (const segment of segments) {
    let name: string;
    try {
      name = decodeURIComponent(segment);
    } catch {
      return null;
    }
    if (name.startsWith('.') || /[/\\\0]/.test(name)) return null;
    names.push(name);
  }
  const file = path.resolve(root, ...names);
  return file === root || file.startsWith(root + path.sep) ? file : null;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/** The sha256 (base64) of each inline script of a page: what its CSP allows, and nothing else inline. */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const match of html.matchAll(/<script(?![^>]*\bsrc\s*=)[^>]*>([\s\S]*?)<\/script>/gi)) {
    if (match[1]) hashes.push(createHash('sha256').update(match[1], 'utf8').digest('base64'));
  }
  return hashes;
}

/** Whether the h5 build is there to serve (its index.html), read afresh so that a build made after start is served. */
export function cadreAppBuilt(config: Pick<AppConfig, 'cadreAppDir'>): Promise<boolean> {
  return isFile(path.join(config.cadreAppDir, 'index.html'));
}

/**
 * The start banner's line about the cadre app (development, with the development sign-in on): its address
 * and how to sign in, or the command that builds it when the build is missing.
 */
export async function cadreAppBanner(config: Pick<AppConfig, 'cadreAppDir' | 'devSignIn' | 'port' | 'publicUrl'>): Promise<string> {
  const address = `${config.publicUrl ?? `http://localhost:${config.port}`}${CADRE_APP_PATH}/`;
  if (!(await cadreAppBuilt(config))) {
    return `Cadre app (h5): not built (${config.cadreAppDir} has no index.html); build it with \`${CADRE_APP_BUILD_COMMAND}\`, then open ${address}`;
  }
  return `Cadre app (h5): ${address}${
    config.devSignIn
      ? ' — sign in with 开发登录 as a demo cadre'
      : ' — cadres sign in through WeChat; for the demo cadres (开发登录) start with DEV_SIGN_IN=true pnpm start'
  }`;
}

/**
 * The cadre app's h5 build at /app/ (CADRE_APP_DIR, by default miniprogram/dist/h5), when it is built:
 * its files, `index.html` for paths that name no file (the app's own routes), and a generated
 * `/app/config.js` that points the app at this origin (`window.WANJIA_API_BASE`), so one build runs on any
 * host. Its own CSP (cadreAppContentSecurityPolicy); the rest of the security headers are helmet's.
 */
export function cadreAppRoutes(config: AppConfig, logger: Logger): express.Router {
  const router = express.Router();
  const root = path.resolve(config.cadreAppDir);
  const apiOrigin = config.publicUrl ? new URL(config.publicUrl).origin : null;

  const setPolicy = (request: Request, response: Response, hashes: readonly string[] = []) =>
    response.set('Content-Security-Policy', cadreAppContentSecurityPolicy(hashes, request.secure, apiOrigin));

  const sendIndex = async (request: Request, response: Response) => {
    const html = await fs.readFile(path.join(root, 'index.html'), 'utf8');
    setPolicy(request, response, inlineScriptHashes(html));
    // Revalidated on every visit: it names the content-hashed scripts of the current build.
    response.set('Cache-Control', 'no-cache').type('html').send(html);
  };

  router.get('/', async (request, response, next) => {
    // `/app` without its slash: the app's relative script paths need the folder form.
    if (request.originalUrl.split('?')[0] === CADRE_APP_PATH) {
      const query = request.originalUrl.slice(CADRE_APP_PATH.length);
      response.redirect(308, `${CADRE_APP_PATH}/${query}`);
      return;
    }
    next();
  });

  router.get(/.*/, async (request, response) => {
    try {
      if (!(await cadreAppBuilt(config))) throw new CadreAppNotFoundError(`the cadre app is not built; build it with \`${CADRE_APP_BUILD_COMMAND}\``);
      if (request.path === '/config.js') {
        const origin = apiOriginFor(request, config);
        if (!origin) throw new CadreAppNotFoundError('no cadre app settings for this host');
        setPolicy(request, response);
        // Per host, so never cached: a proxy or the browser keeping one host's answer for another would misdirect the app.
        response
          .set('Cache-Control', 'no-store')
          .type('text/javascript')
          .send(
            `// Written by the API that serves this app: the app calls the API at the origin it was loaded from.\nwindow.WANJIA_API_BASE = ${JSON.stringify(origin)};\n`,
          );
        return;
      }
      const file = fileUnder(root, request.path);
      if (file === null) throw new CadreAppNotFoundError();
      if (file === root || file === path.join(root, 'index.html')) return await sendIndex(request, response);
      if (await isFile(file)) {
        setPolicy(request, response);
        const cacheControl = CONTENT_HASHED.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache';
        await new Promise<void>((resolve, reject) =>
          response.sendFile(file, { dotfiles: 'deny', cacheControl: false, headers: { 'Cache-Control': cacheControl } }, (error) =>
            error ? reject(error) : resolve(),
          ),
        );
        return;
      }
      // A path with no file extension is one of the app's own routes: the app answers it.
      if (!path.basename(file).includes('.')) return await sendIndex(request, response);
      throw new CadreAppNotFoundError();
    } catch (error) {
      if (response.headersSent) return;
      sendProblem(response, error, { logger, logMessage: 'cadre app request failed' });
    }
  });

  return router;
}
