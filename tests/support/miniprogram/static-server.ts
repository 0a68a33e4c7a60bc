import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { REPOSITORY_ROOT } from '../server-process';

/** The mini-program's h5 build, as `pnpm build` leaves it; H5_DIST names another (e.g. a copy, while someone else rebuilds dist/). */
export const H5_DIST = path.resolve(process.env.H5_DIST?.trim() || path.join(REPOSITORY_ROOT, 'miniprogram', 'dist', 'h5'));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

export interface StaticSite {
  url: string;
  /** What the h5 build's config.js says, i.e. which API the app calls. */
  setApiBase(apiBase: string): void;
  close(): Promise<void>;
}

/**
 * Serves the h5 build on 127.0.0.1 as any static host would, except for config.js, the build's
 * deploy-time settings file, which points the app at the API under test.
 */
export async function serveH5(root = H5_DIST): Promise<StaticSite> {
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    throw new Error(`${root}/index.html is missing: build the mini-program first (pnpm build, or pnpm --filter @wanjia/miniprogram build)`);
  }
  let configJs = '';
  const server = http.createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    if (pathname === '/config.js') {
      response.writeHead(200, { 'content-type': TYPES['.js']!, 'cache-control': 'no-store' });
      response.end(configJs);
      return;
    }
    const file = path.normalize(path.join(root, pathname === '/' ? 'index.html' : pathname));
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    fs.createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setApiBase(apiBase: string) {
      configJs = `window.WANJIA_API_BASE = ${JSON.stringify(apiBase)};\n`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
