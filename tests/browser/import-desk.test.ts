import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Download, Locator, Page } from 'playwright-core';
import { idNumberCheckCharacter } from '@wanjia/shared';
import { openBrowser, requireChromium, type BrowserSession } from '../support/browser';
import { startServer, type ServerProcess } from '../support/server-process';

/**
 * The office upload page (/imports/desk) driven in Debian's Chromium as a district office uses it
 * (issue 16, "Proven"): sign in on the page, download the households template, fill it (here with
 * exceljs, as the office fills it in its spreadsheet program: good rows, a member whose ID number's check
 * digit is wrong, and a likely duplicate), upload it, read the check's problems on the page (the bad row
 * named with its column as the file has it), accept the warning, commit, see the counts, and download the
 * report whose 问题 column says what was wrong. Nothing may leave 127.0.0.1, the page must throw nothing
 * and violate no Content-Security-Policy; screenshots at 1280×800 and on a narrow window.
 */

/** The demo data set's district administrator (server/src/modules/accounts/published-passwords.ts). */
const DISTRICT_ADMIN = { username: 'pingshan-admin', password: 'wanjia-pingshan-demo' } as const;
/** 平山区's county code: the ID numbers of people registered there begin with it. */
const PINGSHAN = '210502';

const desk = {
  signInForm: (page: Page) => page.locator('form#desk-sign-in'),
  kind: (page: Page) => page.getByLabel('导入类型'),
  templateLink: (page: Page) => page.locator('a#desk-template'),
  mode: (page: Page, label: string) => page.getByLabel(label, { exact: true }),
  file: (page: Page) => page.getByLabel('填好的文件（.xlsx 或 .csv）'),
  upload: (page: Page) => page.getByRole('button', { name: '上传并检查' }),
  state: (page: Page) => page.locator('#desk-state'),
  count: (page: Page, key: string) => page.locator(`#desk-import [data-count="${key}"]`),
  problemRows: (page: Page) => page.locator('#desk-problem-rows tr'),
  commit: (page: Page) => page.locator('button#desk-commit'),
  report: (page: Page) => page.locator('a#desk-report'),
};

/** A valid GB 11643 ID number of someone registered in 平山区, born on `birth` (YYYYMMDD); odd sequence for a man. */
function idNumber(birth: string, sequence: number): string {
  const first17 = `${PINGSHAN}${birth}${String(sequence).padStart(3, '0')}`;
  return first17 + idNumberCheckCharacter(first17);
}

/** The same number with another check character: what a slip of the finger on the last digit gives. */
function withWrongCheckDigit(id: string): string {
  const wrong = id[17] === '1' ? '2' : '1';
  return id.slice(0, 17) + wrong;
}

async function download(page: Page, link: Locator): Promise<{ fileName: string; bytes: Buffer }> {
  const started = page.waitForEvent('download');
  await link.click();
  const file: Download = await started;
  const failure = await file.failure();
  if (failure) throw new Error(`the download of ${await link.getAttribute('href')} failed: ${failure}`);
  return { fileName: file.suggestedFilename(), bytes: fs.readFileSync((await file.path())!) };
}

async function loadWorkbook(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  // exceljs's types name an older Node Buffer than @types/node's generic one.
  await workbook.xlsx.load(bytes as unknown as Parameters<typeof workbook.xlsx.load>[0]);
  return workbook;
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object' && 'richText' in value) return value.richText.map((part) => part.text).join('');
  return String(value);
}

describe('the office upload page at /imports/desk in Chromium', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-import-desk-'));
  let server: ServerProcess;
  let session: BrowserSession | undefined;
  const violations: string[] = [];

  beforeAll(async () => {
    requireChromium();
    // Development on the embedded database, which starts with the demo data (平山区 and its administrator).
    server = await startServer({
      SQLITE_PATH: path.join(folder, 'wanjia.sqlite'),
      NODE_ENV: 'development',
      IMPORT_DIR: path.join(folder, 'imports'),
    });
  });

  afterAll(async () => {
    await session?.close();
    await server?.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('takes a district office from the template to a committed import and its report', async () => {
    session = await openBrowser({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', acceptDownloads: true });
    const { page } = session;
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });

    // Signed out: the page's own sign-in form, in Chinese.
    const opened = await page.goto(`${server.url}/imports/desk`);
    expect(opened?.status()).toBe(200);
    expect((await opened!.allHeaders())['content-security-policy']).toMatch(/script-src 'self' 'nonce-[^']+'/);
    const form = desk.signInForm(page);
    await form.getByLabel('用户名').fill(DISTRICT_ADMIN.username);
    await form.getByLabel('密码', { exact: true }).fill(DISTRICT_ADMIN.password);
    const reloaded = page.waitForResponse(
      (response) => response.request().resourceType() === 'document' && new URL(response.url()).pathname === '/imports/desk',
    );
    await form.getByRole('button', { name: '登录' }).click();
    await reloaded;
    await page.locator('.desk-who', { hasText: DISTRICT_ADMIN.username }).waitFor();
    await session.screenshot('import-desk-1-signed-in.png');

    // A community of the administrator's district, as an office names it in the file (its code).
    const scope = await page.context().request.post(`${server.url}/graphql`, {
      headers: { 'content-type': 'application/json', origin: server.url },
      data: { query: '{ regions { code name level children { code name level children { code name level } } } }' },
    });
    type RegionNode = { code: string; name: string; level: string; children?: RegionNode[] };
    const scopeBody = (await scope.json()) as { data?: { regions: RegionNode[] }; errors?: unknown };
    const all: RegionNode[] = [];
    const walk = (nodes: RegionNode[] = []) => nodes.forEach((node) => (all.push(node), walk(node.children)));
    walk(scopeBody.data?.regions);
    const place = all.find((node) => (node.level === 'COMMUNITY' || node.level === 'VILLAGE') && node.code.startsWith(PINGSHAN));
    if (!place) throw new Error(`no village or community of 平山区 in the administrator's scope: ${JSON.stringify(scopeBody).slice(0, 400)}`);

    // The template of the households kind, from the link on the page.
    await desk.kind(page).selectOption('HOUSEHOLDS');
    expect(await desk.templateLink(page).getAttribute('href')).toBe('/imports/templates/HOUSEHOLDS.xlsx');
    const template = await download(page, desk.templateLink(page));
    expect(template.fileName).toMatch(/\.xlsx$/);
    const workbook = await loadWorkbook(template.bytes);
    const sheet = workbook.worksheets[0]!;
    const headers = (sheet.getRow(1).values as ExcelJS.CellValue[]).slice(1).map(cellText);
    expect(headers).toEqual(expect.arrayContaining(['姓名', '身份证号']));
    const column = (header: string): number => {
      const index = headers.indexOf(header);
      if (index < 0) throw new Error(`the households template has no column ${header}: ${headers.join(' | ')}`);
      return index + 1;
    };

    // Filled in as an office fills it: the example row replaced by its own rows.
    type Person = { name: string; relation: string; gender: string; id: string; birth: string };
    type Household = { head: Person; address: string; phone: string; members: Person[] };
    const person = (name: string, relation: string, gender: string, birth: string, sequence: number): Person => ({
      name,
      relation,
      gender,
      id: idNumber(birth.replaceAll('-', ''), sequence),
      birth,
    });
    const good: Household = {
      head: person('韩立新', '户主', '男', '1961-04-12', 231),
      address: `${place.name}3号楼2单元101室`,
      phone: '13904141234',
      members: [person('周桂兰', '配偶', '女', '1963-08-30', 242)],
    };
    const withBadId: Household = {
      head: person('邵德明', '户主', '男', '1958-01-05', 251),
      address: `${place.name}7号楼1单元302室`,
      phone: '13904145678',
      members: [{ ...person('邵婷', '子女', '女', '1990-11-11', 262), id: withWrongCheckDigit(idNumber('19901111', 262)) }],
    };
    // Keyed again by another clerk: the same head and address in full-width digits and 號. A likely duplicate.
    const likelyDuplicate: Household = {
      head: person('韩立新', '户主', '男', '1961-04-12', 271),
      address: `${place.name}３號楼2单元101室`,
      phone: '13904149999',
      members: [],
    };
    const householdValues = (household: Household, member: Person): Record<string, string> => ({
      户主姓名: household.head.name,
      户主身份证号: household.head.id,
      地址: household.address,
      '所在村(社区)': place.code,
      联系电话: household.phone,
      帮扶类别: '困难家庭',
      困难原因: '因病',
      姓名: member.name,
      与户主关系: member.relation,
      性别: member.gender,
      身份证号: member.id,
      出生日期: member.birth,
      重点关注原因: '',
      是否信访人: '否',
    });
    const rows: Record<string, string>[] = [];
    for (const household of [good, withBadId, likelyDuplicate]) {
      for (const member of [household.head, ...household.members]) rows.push(householdValues(household, member));
    }
    sheet.spliceRows(2, Math.max(sheet.rowCount - 1, 0));
    rows.forEach((values, index) => {
      const row = sheet.getRow(2 + index);
      for (const [header, value] of Object.entries(values)) {
        const at = headers.findIndex((name) => name.replace(/[（）]/g, (p) => (p === '（' ? '(' : ')')) === header);
        if (at >= 0) row.getCell(at + 1).value = value;
      }
      row.commit();
    });
    const badRowNumber = 2 + rows.findIndex((values) => values['身份证号'] === withBadId.members[0]!.id);
    const duplicateRowNumber = 2 + rows.findIndex((values) => values['身份证号'] === likelyDuplicate.head.id);
    const filled = path.join(folder, '平山区排查名单.xlsx');
    await workbook.xlsx.writeFile(filled);

    // Upload, in create-only mode.
    await desk.mode(page, '仅新增').check();
    await desk.file(page).setInputFiles(filled);
    await desk.upload(page).click();
    await page.locator('#desk-state', { hasText: '已检查' }).waitFor({ timeout: 60_000 });
    await expect(desk.count(page, 'rows').textContent()).resolves.toBe(String(rows.length));

    // The bad row, named with its column as the file has it and what is wrong.
    const badRow = desk
      .problemRows(page)
      .filter({ hasText: `第 ${badRowNumber} 行` })
      .filter({ hasText: '错误' });
    await badRow.first().waitFor();
    const badCells = await badRow.first().locator('td').allTextContents();
    expect(badCells[1]).toBe(headers[column('身份证号') - 1]);
    expect(badCells[3]).toMatch(/校验/);
    expect(badCells[4]).toBe('须修改文件');
    await page.locator('#desk-problems').scrollIntoViewIfNeeded();
    await session.screenshot('import-desk-2-checked.png');

    // The likely duplicate is a warning the office accepts for that row.
    const warning = desk
      .problemRows(page)
      .filter({ hasText: `第 ${duplicateRowNumber} 行` })
      .filter({ hasText: '提醒' });
    await warning.first().waitFor();
    await warning
      .first()
      .getByRole('button', { name: `接受第 ${duplicateRowNumber} 行的提醒` })
      .click();
    await desk
      .problemRows(page)
      .filter({ hasText: `第 ${duplicateRowNumber} 行` })
      .filter({ hasText: '已接受' })
      .first()
      .waitFor();
    await expect(desk.count(page, 'accepted').textContent()).resolves.not.toBe('0');

    // Commit, and watch it finish.
    await desk.commit(page).click();
    await page.locator('#desk-state', { hasText: '已导入' }).waitFor({ timeout: 60_000 });
    // The good household (2 rows) and the accepted duplicate (1 row) are written; the bad household is not.
    const created = Number(await desk.count(page, 'created').textContent());
    expect(created).toBeGreaterThan(0);
    await expect(desk.count(page, 'refused').textContent()).resolves.not.toBe('0');
    await session.screenshot('import-desk-3-committed.png');

    // The report: the original rows with the 问题 column saying what is wrong with the bad row.
    await desk.report(page).waitFor();
    const report = await download(page, desk.report(page));
    const reportSheet = (await loadWorkbook(report.bytes)).worksheets[0]!;
    const reportHeaders = (reportSheet.getRow(1).values as ExcelJS.CellValue[]).slice(1).map(cellText);
    const problemsColumn = reportHeaders.indexOf('问题') + 1;
    expect(problemsColumn).toBeGreaterThan(0);
    expect(reportHeaders.slice(0, headers.length)).toEqual(headers);
    expect(cellText(reportSheet.getRow(badRowNumber).getCell(column('身份证号')).value)).toBe(withBadId.members[0]!.id);
    expect(cellText(reportSheet.getRow(badRowNumber).getCell(problemsColumn).value)).toMatch(/身份证号.*校验/);
    expect(cellText(reportSheet.getRow(2).getCell(problemsColumn).value)).toBe('');

    // A narrow window: the same page, usable without sideways scrolling of the page itself.
    await page.setViewportSize({ width: 400, height: 800 });
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
    expect(overflow).toBeLessThanOrEqual(0);
    await session.screenshot('import-desk-4-narrow.png');

    expect(session.outsideRequests()).toEqual([]);
    expect(session.pageErrors).toEqual([]);
    expect(violations).toEqual([]);
  });

  it('lets the office cancel a checked import, which then writes nothing and cannot be committed', async () => {
    // Signed in by the first test's session (same browser profile is not kept: sign in again).
    await session?.close();
    session = await openBrowser({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const { page } = session;
    await page.goto(`${server.url}/imports/desk`);
    const form = desk.signInForm(page);
    await form.getByLabel('用户名').fill(DISTRICT_ADMIN.username);
    await form.getByLabel('密码', { exact: true }).fill(DISTRICT_ADMIN.password);
    await form.getByRole('button', { name: '登录' }).click();
    await desk.upload(page).waitFor();

    const csv = path.join(folder, '待取消.csv');
    const template = (await loadWorkbook(fs.readFileSync(path.join(folder, '平山区排查名单.xlsx')))).worksheets[0]!;
    const lines: string[] = [];
    template.eachRow((row) => lines.push((row.values as ExcelJS.CellValue[]).slice(1).map(cellText).join(',')));
    // The first household of the file again, as a UTF-8 CSV with BOM (already written: it changes nothing).
    fs.writeFileSync(csv, `\uFEFF${lines.slice(0, 3).join('\r\n')}\r\n`);
    // By keyboard this time: from the file to the button with Tab, Enter to upload; Tab order follows the page.
    await desk.file(page).setInputFiles(csv);
    await desk.file(page).focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('desk-upload-button');
    await page.keyboard.press('Enter');
    await page.locator('#desk-state', { hasText: '已检查' }).waitFor({ timeout: 60_000 });
    expect(await desk.report(page).getAttribute('href')).toMatch(/\/report\.csv$/);

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: '取消本次导入' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('#desk-state', { hasText: '已取消' }).waitFor();
    expect(await desk.commit(page).isDisabled()).toBe(true);
    await expect(desk.count(page, 'created').textContent()).resolves.toBe('0');
    await page.locator('#desk-recent-rows tr', { hasText: '待取消.csv' }).filter({ hasText: '已取消' }).waitFor();
    expect(session.outsideRequests()).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });
});
