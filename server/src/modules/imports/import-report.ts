import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import type { Em } from '../../core/entity-manager';
import { DataImport, DataImportProblem } from './data-import.entity';
import { REPORT_COLUMN, readImportRows, type ImportLayout } from './import-engine';
import { comparable } from './normalize';
// The analysts' CSV field: quoted where needed, and a cell that starts like a formula (= + - @ tab) made text with a leading apostrophe.
import { csvField } from '../analytics/analytics.export';

/**
 * The report: the file's own rows as uploaded, with a 问题 column holding every problem of the row
 * ("列名：说明；…"), so the office fixes the file in place and uploads it again (the 问题 column is then
 * ignored; a report's own 问题 column is overwritten, not doubled). In the CSV report a cell that starts like a
 * formula gets a leading apostrophe (the file's cells may come from another office; Excel would run them); the
 * engine drops that apostrophe again when the fixed report is uploaded, so the round trip holds. Streamed: the file is read again row by
 * row and the problems come from the database in pages merged by row number, so nothing grows with the file.
 */

const PROBLEM_PAGE = 1000;

/** The import's problems in row order, a page at a time. */
async function* problemsInRowOrder(em: Em, importId: number): AsyncGenerator<DataImportProblem> {
  let after: { rowNumber: number; id: number } | null = null;
  for (;;) {
    const page = (await em.find(
      DataImportProblem,
      after
        ? { dataImport: importId, $or: [{ rowNumber: { $gt: after.rowNumber } }, { rowNumber: after.rowNumber, id: { $gt: after.id } }] }
        : { dataImport: importId },
      { orderBy: { rowNumber: 'asc', id: 'asc' }, limit: PROBLEM_PAGE, fields: ['id', 'rowNumber', 'column', 'message'] },
    )) as DataImportProblem[];
    yield* page;
    if (page.length < PROBLEM_PAGE) return;
    const last = page[page.length - 1]!;
    after = { rowNumber: last.rowNumber, id: last.id };
    em.clear();
  }
}

function problemText(problems: DataImportProblem[]): string {
  return problems.map((found) => (found.column ? `${found.column}：${found.message}` : found.message)).join('；');
}

/** Writes the report of a checked (or committed) import to `output` as .xlsx or .csv (the upload's encoding). */
export async function writeReport(em: Em, dataImport: DataImport, file: string, format: 'xlsx' | 'csv', output: Writable): Promise<void> {
  const layout = JSON.parse(dataImport.layout ?? 'null') as ImportLayout | null;
  const problems = problemsInRowOrder(em, dataImport.id);
  let pending: DataImportProblem | null = (await problems.next()).value ?? null;
  const problemsOf = async (rowNumber: number): Promise<DataImportProblem[]> => {
    const found: DataImportProblem[] = [];
    while (pending && pending.rowNumber < rowNumber) pending = (await problems.next()).value ?? null;
    while (pending && pending.rowNumber === rowNumber) {
      found.push(pending);
      pending = (await problems.next()).value ?? null;
    }
    return found;
  };
  const headerRow = layout?.headerRow ?? 1;
  const reportIndex = layout ? layout.headers.findIndex((header) => comparable(header) === comparable(REPORT_COLUMN)) : -1;
  const width = layout ? layout.headers.length : 0;
  const problemColumn = reportIndex >= 0 ? reportIndex : width;

  const rowOut = async (rowNumber: number, texts: string[]): Promise<string[]> => {
    const cells = [...texts];
    while (cells.length < problemColumn) cells.push('');
    if (rowNumber === headerRow) cells[problemColumn] = REPORT_COLUMN;
    else if (rowNumber > headerRow) cells[problemColumn] = problemText(await problemsOf(rowNumber));
    return cells;
  };

  if (format === 'xlsx') {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useSharedStrings: false, useStyles: true });
    const sheet = workbook.addWorksheet('导入报告', { views: [{ state: 'frozen', ySplit: headerRow }] });
    for await (const row of readImportRows(file, dataImport)) {
      const cells = await rowOut(
        row.rowNumber,
        row.cells.map((cell) => cell.text),
      );
      const written = sheet.getRow(row.rowNumber);
      cells.forEach((text, index) => {
        const cell = written.getCell(index + 1);
        cell.value = text;
        // Text, so that ID numbers keep all their digits when the office saves the fixed file.
        cell.numFmt = '@';
      });
      if (row.rowNumber === headerRow) written.font = { bold: true };
      if (cells[problemColumn] && row.rowNumber > headerRow) written.getCell(problemColumn + 1).font = { color: { argb: 'FFC00000' } };
      written.commit();
    }
    sheet.commit();
    await workbook.commit();
    return;
  }
  const encode = dataImport.csvEncoding === 'gb18030' ? (text: string) => iconv.encode(text, 'gb18030') : (text: string) => Buffer.from(text, 'utf8');
  // A BOM, so that Excel opens a UTF-8 report as UTF-8.
  if (dataImport.csvEncoding !== 'gb18030') output.write(Buffer.from([0xef, 0xbb, 0xbf]));
  for await (const row of readImportRows(file, dataImport)) {
    const cells = await rowOut(
      row.rowNumber,
      row.cells.map((cell) => cell.text),
    );
    if (!output.write(encode(`${cells.map(csvField).join(',')}\r\n`))) await new Promise((resolve) => output.once('drain', resolve));
  }
  output.end();
}
