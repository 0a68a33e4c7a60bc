import type { Locator } from 'playwright-core';

/**
 * Retrying checks of what a page shows, for jest (playwright-core has no assertion library): each one
 * polls until the page agrees or the time is up, then fails with what was there instead.
 */
async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, describe: (value: T | undefined) => string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    try {
      last = await read();
      if (ok(last)) return last;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) throw new Error(describe(last));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The first element the locator finds shows the text (or matches the pattern). */
export async function shows(locator: Locator, expected: string | RegExp, timeoutMs = 20_000): Promise<string> {
  const matches = (text: string) => (typeof expected === 'string' ? text.includes(expected) : expected.test(text));
  return until(
    () => locator.first().innerText({ timeout: 1_000 }),
    matches,
    (text) => `expected ${locator} to show ${String(expected)}; it showed:\n${text ?? '(nothing)'}`,
    timeoutMs,
  );
}

/** The locator finds exactly this many elements. */
export async function counts(locator: Locator, expected: number, timeoutMs = 20_000): Promise<void> {
  await until(
    () => locator.count(),
    (count) => count === expected,
    (count) => `expected ${locator} to find ${expected} elements; it found ${count}`,
    timeoutMs,
  );
}
