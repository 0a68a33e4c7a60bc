/**
 * Where the API answers. The weapp build calls the address inlined at build time (config/index.ts,
 * TARO_APP_API_BASE). The h5 build finds it at run time, first match wins:
 * 1. window.WANJIA_API_BASE, set by the page's config.js: the API writes it when it serves the app at
 *    /app/ (the origin the request came to, or its configured public URL behind a proxy); any other
 *    host may set it by hand in dist/h5/config.js.
 * 2. The page's own origin, when the page came over http(s) from under /app/, the path the API serves
 *    the app at (so a missing or stale config.js still finds the API that served the page).
 * 3. The build-time address (a static server elsewhere, a page opened from disk).
 */

/** The path under which the API serves the h5 build (server: /app/ and /app/config.js). */
export const API_SERVED_APP_PATH = '/app/';

interface H5Window {
  WANJIA_API_BASE?: unknown;
  location?: { protocol?: string; origin?: string; pathname?: string };
}

function h5Window(): H5Window | undefined {
  if (process.env.TARO_ENV !== 'h5') return undefined;
  return typeof window === 'undefined' ? undefined : (window as unknown as H5Window);
}

const withoutTrailingSlash = (address: string) => address.replace(/\/+$/, '');

function configuredApiBase(page: H5Window): string | undefined {
  const value = page.WANJIA_API_BASE;
  return typeof value === 'string' && /^https?:\/\/[^/]/.test(value) ? withoutTrailingSlash(value) : undefined;
}

function servingApiOrigin(page: H5Window): string | undefined {
  const location = page.location;
  if (!location || !/^https?:$/.test(location.protocol ?? '') || !location.origin) return undefined;
  const pathname = location.pathname ?? '';
  const servedByApi = pathname === API_SERVED_APP_PATH.slice(0, -1) || pathname.startsWith(API_SERVED_APP_PATH);
  return servedByApi ? withoutTrailingSlash(location.origin) : undefined;
}

export function apiBase(): string {
  const page = h5Window();
  return (page && (configuredApiBase(page) ?? servingApiOrigin(page))) ?? process.env.TARO_APP_API_BASE;
}
