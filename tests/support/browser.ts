import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

/** Debian's Chromium: browser tests never download a browser (our machines cannot). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Screenshots and other by-products for people to look at; gitignored. */
export const ARTIFACTS_DIR = path.resolve(__dirname, '..', 'artifacts');

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

/**
 * Fails (never skips) when Chromium is missing: a skipped browser test would look like a pass.
 * The message says how to get it, in CI and on a developer's machine alike.
 */
export function requireChromium(): void {
  if (fs.existsSync(CHROMIUM_PATH)) return;
  const where = process.env.CI === 'true' ? 'CI (.ci/run should have installed it)' : 'this machine';
  throw new Error(
    `Chromium is not installed at ${CHROMIUM_PATH} on ${where}, so the browser tests cannot run. ` +
      `Install Debian's package: apt-get update && apt-get install -y chromium`,
  );
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Every URL the pages, frames and workers asked for, in order. */
  requests: string[];
  /** Requested URLs that would leave this machine: anything but 127.0.0.1 (data: and blob: stay in the page). */
  outsideRequests(): string[];
  /** Errors thrown in the page: any of them is a bug. */
  pageErrors: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A Chromium with a fresh profile, so that no earlier run's storage or cache leaks into a test.
 * `device` sets the screen (a desktop by default; the mini-program's tests ask for a phone).
 */
export async function openBrowser(device: BrowserContextOptions = { viewport: { width: 1400, height: 1200 } }): Promise<BrowserSession> {
  requireChromium();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      ...device,
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
    });
  } catch (error) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  context.setDefaultTimeout(20_000);
  const requests: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  // WebSockets do not show up as requests.
  context.on('page', (page) => page.on('websocket', (socket) => requests.push(socket.url())));
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('websocket', (socket) => requests.push(socket.url()));
  const pageErrors: string[] = [];
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
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
