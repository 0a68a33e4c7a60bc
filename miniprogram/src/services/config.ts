/**
 * Build-time settings (config/index.ts inlines them). The h5 build may also be pointed at another API
 * at deploy time by its config.js (window.WANJIA_API_BASE), so that one build serves any host.
 */
declare const window: { WANJIA_API_BASE?: string } | undefined;

function runtimeApiBase(): string | undefined {
  if (process.env.TARO_ENV !== 'h5' || typeof window === 'undefined') return undefined;
  const value = window.WANJIA_API_BASE;
  return typeof value === 'string' && /^https?:\/\//.test(value) ? value.replace(/\/+$/, '') : undefined;
}

export function apiBase(): string {
  return runtimeApiBase() ?? process.env.TARO_APP_API_BASE;
}
