import fs from 'node:fs';
import path from 'node:path';
import { ARTIFACTS_DIR, openBrowser, type BrowserSession } from '../browser';

export interface MobileSession extends BrowserSession {
  /** The whole of the current page, as if the phone were tall enough to show it without scrolling. */
  screenshotWhole(name: string): Promise<string>;
}

const PHONE = { width: 390, height: 844 };

/**
 * Debian's Chromium as a phone: a touch screen and a phone-sized viewport, because Taro's h5 buttons
 * act on touch events (a mouse click does not submit a form). A fresh profile every time.
 */
export async function openMobileBrowser(): Promise<MobileSession> {
  const session = await openBrowser({
    viewport: PHONE,
    deviceScaleFactor: 2,
    hasTouch: true,
    isMobile: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  const { page } = session;
  return {
    ...session,
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
  };
}
