import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ARTIFACTS_DIR, CHROMIUM_PATH, requireChromium } from '../browser';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface MobileSession {
  context: BrowserContext;
  page: Page;
  requests: string[];
  /** Requested URLs that would leave this machine (anything but 127.0.0.1; data: and blob: stay in the page). */
  outsideRequests(): string[];
  /** Errors thrown in the page: any of them is a bug. */
  pageErrors: string[];
  /** The screen as the phone shows it. */
  screenshot(name: string): Promise<string>;
  /** The whole of the current page, as if the phone were tall enough to show it without scrolling. */
  screenshotWhole(name: string): Promise<string>;
  close(): Promise<void>;
}

const PHONE = { width: 390, height: 844 };

/**
 * Debian's Chromium as a phone: a touch screen and a phone-sized viewport, because Taro's h5 buttons
 * act on touch events (a mouse click does not submit a form). A fresh profile every time.
 */
export async function openMobileBrowser(): Promise<MobileSession> {
  requireChromium();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-mobile-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: PHONE,
      deviceScaleFactor: 2,
      hasTouch: true,
      isMobile: true,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
  } catch (error) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  context.setDefaultTimeout(20_000);
  const requests: string[] = [];
  const pageErrors: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return {
    context,
    page,
    requests,
    pageErrors,
    outsideRequests: () =>
      requests.filter((url) => {
        const parsed = new URL(url);
        if (parsed.protocol === 'data:' || parsed.protocol === 'blob:' || url === 'about:blank') return false;
        return parsed.hostname !== '127.0.0.1';
      }),
    async screenshot(name: string) {
      fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
      const file = path.join(ARTIFACTS_DIR, name);
      await page.screenshot({ path: file });
      return file;
    },
    async screenshotWhole(name: string) {
      const height = await page.evaluate(() => {
        type Box = { scrollHeight: number; getClientRects(): ArrayLike<unknown> };
        const doc = (globalThis as unknown as { document: { documentElement: Box; querySelectorAll(selector: string): ArrayLike<Box> } }).document;
        // Pages lower in the router's stack stay in the DOM, hidden: measure only the one on screen.
        const shown = Array.from(doc.querySelectorAll('.taro_page'), (element) => (element.getClientRects().length > 0 ? element.scrollHeight : 0));
        return Math.max(...shown, 0);
      });
      await page.setViewportSize({ width: PHONE.width, height: Math.min(Math.max(height, PHONE.height), 4000) });
      try {
        await page.waitForTimeout(300);
        fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
        const file = path.join(ARTIFACTS_DIR, name);
        await page.screenshot({ path: file });
        return file;
      } finally {
        await page.setViewportSize(PHONE);
      }
    },
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
