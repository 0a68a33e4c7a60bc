import ExcelJS from 'exceljs';
import { shanghaiDate } from '../../core/time';
import type { AnalyticsSliceArgs } from './analytics.inputs';
import { FEN_MEASURES } from './analytics.measures';
import { BreakdownDimension, ReportKind, type AnalyticsFigure } from './analytics.types';

/**
 * Reports as files: the table a report is, its name, the spreadsheet and CSV it is written as (safe to
 * open), and the query string that names it. Computing the report is analytics-report.service.ts.
 */

/** A report as a table: Chinese headers, then rows of text and numbers. */
export interface ReportTable {
  title: string;
  headers: string[];
  rows: (string | number | null)[][];
}

export interface ReportRequest {
  kind: ReportKind;
  dimension: BreakdownDimension | null;
  slice: AnalyticsSliceArgs;
}

export type ReportFormat = 'xlsx' | 'csv';

/** What the office calls each report, in its file name (`平山区-工作概况-2026-12-01.xlsx`). */
const KIND_TITLE: Record<ReportKind, string> = {
  [ReportKind.OVERVIEW]: '工作概况',
  [ReportKind.BREAKDOWN]: '分类统计',
  [ReportKind.COVERAGE_GAPS]: '未落实联系干部户统计',
};

const DIMENSION_TITLE: Record<BreakdownDimension, string> = {
  [BreakdownDimension.REGION_CHILDREN]: '按下级区划',
  [BreakdownDimension.UNIT]: '按单位',
  [BreakdownDimension.TARGET_GROUP]: '按帮扶对象类别',
  [BreakdownDimension.MONTH]: '按月份',
  [BreakdownDimension.ROUND]: '按轮次',
};

/** The same names in ASCII, for the fallback file name of clients that cannot read the UTF-8 one. */
const KIND_SLUG: Record<ReportKind, string> = {
  [ReportKind.OVERVIEW]: 'overview',
  [ReportKind.BREAKDOWN]: 'breakdown',
  [ReportKind.COVERAGE_GAPS]: 'coverage-gaps',
};

/** Offices read money in yuan: amounts leave the API in fen and the spreadsheet in yuan, to the fen. */
export function headerOf(figure: Pick<AnalyticsFigure, 'measure' | 'label'>): string {
  return FEN_MEASURES.has(figure.measure) ? figure.label.replace('（分）', '（元）') : figure.label;
}

export function cellOf(figure: AnalyticsFigure): number | null {
  if (figure.value === null) return null;
  return FEN_MEASURES.has(figure.measure) ? figure.value / 100 : figure.value;
}

/** The region a report covers, as its file name names it. */
export interface ReportRegion {
  name: string;
  code: string;
}

/** A report's file name without its extension: the Chinese one, and the ASCII one for old clients. */
export interface ReportName {
  chinese: string;
  ascii: string;
}

/**
 * Characters a file name (Windows, macOS) or a worksheet name (Excel) may not hold, and control
 * characters; a region named by an administrator could carry one.
 */
const UNSAFE_IN_NAMES = /[\\/:*?"<>|[\]\u0000-\u001f\u007f]/g;

/**
 * `平山区-工作概况-2026-12-01`, `平山区-分类统计-按单位-2026-12-01`: the region, the report (a breakdown
 * with its dimension) and the Asia/Shanghai day; the ASCII fallback names the region by its code.
 */
export function reportName(request: ReportRequest, region: ReportRegion, now: Date): ReportName {
  const day = shanghaiDate(now);
  const breakdown = request.kind === ReportKind.BREAKDOWN && request.dimension ? request.dimension : null;
  const chinese = [region.name.trim(), KIND_TITLE[request.kind], ...(breakdown ? [DIMENSION_TITLE[breakdown]] : []), day]
    .map((part) => part.replace(UNSAFE_IN_NAMES, '_'))
    .filter((part) => part !== '')
    .join('-');
  const slug = [KIND_SLUG[request.kind], ...(breakdown ? [breakdown.toLowerCase().replace(/_/g, '-')] : [])].join('-');
  const ascii = ['wanjia', region.code.replace(/[^0-9A-Za-z]/g, ''), slug, day].filter((part) => part !== '').join('-');
  return { chinese, ascii };
}

/**
 * The xlsx keeps every name exactly as written: exceljs writes a JavaScript string as a shared-string
 * cell (`t="s"`), which Excel, WPS and LibreOffice show as text and never evaluate, and it writes a
 * formula or a hyperlink only for an object value (`{ formula }`, `{ text, hyperlink }`), which a
 * report cell never is (string, number or null, by type). The export tests read the sheet's XML to
 * prove it: no `<f>`, no hyperlink part, a negative amount a number.
 */
export async function toXlsx(table: ReportTable): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = '万家';
  const sheet = workbook.addWorksheet(table.title.slice(0, 31));
  sheet.addRow(table.headers).font = { bold: true };
  for (const row of table.rows) sheet.addRow(row);
  sheet.columns.forEach((column, index) => {
    column.width = index === 0 ? 24 : Math.max(12, (table.headers[index]?.length ?? 0) * 2 + 2);
  });
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/**
 * A text cell that a spreadsheet opening the CSV would read as a formula: one that starts (after any
 * blanks, which some importers trim) with = + - @, their full-width forms ＝＋－＠ (which WPS and
 * Excel with a Chinese input method take for the ASCII ones), or with a tab or carriage return
 * (OWASP's CSV-injection list). `=HYPERLINK(…)` in a unit name would otherwise run on the analyst's
 * machine.
 */
const FORMULA_START = /^[\s\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r]/;

/**
 * A leading apostrophe makes such a cell plain text in every spreadsheet (OWASP's advice); only text
 * is touched, so an amount stays a number (-12.5 is a number, not a formula).
 */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = neutraliseFormula(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV with a UTF-8 byte-order mark: without it Excel reads the Chinese as the local code page. */
export function toCsv(table: ReportTable): Buffer {
  const lines = [table.headers, ...table.rows].map((row) => row.map(csvField).join(','));
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}

/** The parameters that name a report, in the order its canonical query string lists them. */
export const REPORT_QUERY_PARAMETERS = ['kind', 'dimension', 'regionId', 'roundId', 'from', 'to', 'unitId', 'targetGroup'] as const;
export type ReportQueryParameter = (typeof REPORT_QUERY_PARAMETERS)[number];

/**
 * The canonical query string that names a report: every given parameter once, in one fixed order, so
 * that the export and the download's check of its ticket write the same report as the same text.
 */
export function reportQuery(request: ReportRequest): string {
  const values: Record<ReportQueryParameter, string | null | undefined> = {
    kind: request.kind,
    dimension: request.dimension,
    regionId: request.slice.regionId,
    roundId: request.slice.roundId,
    from: request.slice.from,
    to: request.slice.to,
    unitId: request.slice.unitId,
    targetGroup: request.slice.targetGroup,
  };
  const params = new URLSearchParams();
  for (const name of REPORT_QUERY_PARAMETERS) {
    const value = values[name];
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  return params.toString();
}
