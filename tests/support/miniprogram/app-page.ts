import type { Page } from 'playwright-core';

// What the browser tests read of the app's h5 page beside what it shows: its storage, the page on screen.

/** A value the app keeps with Taro.setStorageSync (the h5 build wraps it as {"data": …} in localStorage). */
export async function appStorage(page: Page, key: string): Promise<unknown> {
  const raw = await page.evaluate(
    (name) => (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem(name),
    key,
  );
  if (raw === null) return null;
  const wrapped = JSON.parse(raw) as { data?: unknown };
  return typeof wrapped.data === 'string' ? JSON.parse(wrapped.data) : wrapped.data;
}

/** The current page of the h5 router (earlier pages stay in the DOM, hidden). */
export const visiblePage = (page: Page) => page.locator('.taro_page:visible').last();
