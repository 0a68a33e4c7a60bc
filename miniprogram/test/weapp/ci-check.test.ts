import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WEAPP_DIST } from './simulator';

/**
 * scripts/weapp-ci-check.mjs (WeChat's own build tool over the weapp build) fails, with the tool's
 * message, on the two faults it exists to catch: a page of app.json without its files, and JavaScript
 * WeChat's compiler cannot parse. Each runs on a broken copy of the build; `pnpm test` runs the check
 * itself on the real build right after jest.
 */

const SCRIPT = path.resolve(__dirname, '..', '..', 'scripts', 'weapp-ci-check.mjs');

function brokenCopy(breakIt: (folder: string) => void): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-weapp-broken-'));
  fs.cpSync(WEAPP_DIST, folder, { recursive: true });
  breakIt(folder);
  return folder;
}

function runCheck(folder: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, folder], { timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: `${stdout}\n${stderr}` });
    });
  });
}

it('fails on a page without its JavaScript and on JavaScript WeChat cannot parse, naming the file', async () => {
  const app = JSON.parse(fs.readFileSync(path.join(WEAPP_DIST, 'app.json'), 'utf8')) as { pages: string[] };
  const missingPage = app.pages[app.pages.length - 1]!;
  const brokenPage = app.pages[1]!;
  const missing = brokenCopy((folder) => fs.rmSync(path.join(folder, `${missingPage}.js`)));
  const broken = brokenCopy((folder) => fs.appendFileSync(path.join(folder, `${brokenPage}.js`), '\nfunction ( {\n'));
  try {
    const [withoutPage, unparsable] = await Promise.all([runCheck(missing), runCheck(broken)]);
    expect(withoutPage.code).toBe(1);
    expect(withoutPage.output).toContain(`weapp CI check FAILED: getCompiledResult (WeChat DevTools compile): app.json: ["pages"]`);
    expect(withoutPage.output).toContain(`could not find the corresponding file: "${missingPage}.js"`);
    expect(unparsable.code).toBe(1);
    expect(unparsable.output).toContain(`weapp CI check FAILED: getCompiledResult (WeChat DevTools compile): file: ${brokenPage}.js`);
    expect(unparsable.output).toMatch(/Unexpected token/);
  } finally {
    fs.rmSync(missing, { recursive: true, force: true });
    fs.rmSync(broken, { recursive: true, force: true });
  }
}, 150_000);
