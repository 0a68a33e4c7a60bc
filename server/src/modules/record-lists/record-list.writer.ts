import { once, type EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { csvField } from '../analytics/analytics.export';
import type { Cell, RecordSheet } from './record-list.sources';
import type { FileExtension } from './record-list.types';

/**
 * Writes a record list to the response as its pages come: the xlsx through exceljs's streaming
 * WorkbookWriter (each row committed, so it leaves memory as it is written), the CSV line by line. After
 * each page the writer waits until the response has taken what was written (backpressure), so that a slow
 * client slows the reading from the database instead of filling the server's memory.
 */

/**
 * Characters XML 1.0 cannot carry (C0 controls other than tab, line feed and carriage return, and the
 * non-characters U+FFFE/U+FFFF): a name typed with one would make the sheet unreadable.
 */
const NOT_IN_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

function xlsxCell(cell: Cell): string | number | null {
  return typeof cell === 'string' ? cell.replace(NOT_IN_XML, '') : cell;
}

/**
 * Whether a stream's writable side is past its high-water mark. The zip's streams are readable-stream 2
 * (archiver's), which predate `writableNeedDrain`: their state says it.
 */
function needsDrain(stream: Writable): boolean {
  return stream.writableNeedDrain ?? Boolean((stream as Writable & { _writableState?: { needDrain?: boolean } })._writableState?.needDrain);
}

/** Resolves at the first of the events; the listeners of the others are removed (a list has thousands of pages). */
async function firstOf(events: readonly [EventEmitter, string][]): Promise<void> {
  const controller = new AbortController();
  try {
    await Promise.race(events.map(([emitter, name]) => once(emitter, name, { signal: controller.signal }).catch(() => undefined)));
  } finally {
    controller.abort();
  }
}

/**
 * Waits until a stream past its high-water mark has passed on what it holds ('drain'), or until the
 * response is gone (the client left: nothing will drain any more).
 */
async function drained(stream: Writable, response: Writable): Promise<void> {
  // `closed` too: a 'close' already emitted would never resolve the wait below.
  while (needsDrain(stream) && !stream.destroyed && !response.destroyed && !response.closed) {
    await firstOf([
      [stream, 'drain'],
      [stream, 'close'],
      [response, 'close'],
    ]);
  }
}

/** What a writer reports when the file is complete. */
export interface WrittenList {
  rows: number;
  /** The client went away before the end: the list was not read to its end. */
  aborted: boolean;
}

/**
 * The xlsx, streamed. Text is written inline (`useSharedStrings: false`: a shared-string table would keep
 * every distinct name of the city in memory until the end): exceljs writes a string as `t="str"` with its
 * value and no formula, which Excel, WPS and LibreOffice show as text and never evaluate; a formula or a
 * hyperlink is written only for an object value, which a cell never is (string, number or null, by type).
 */
async function writeXlsx(response: Writable, title: string, sheet: RecordSheet): Promise<WrittenList> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: response, useSharedStrings: false, useStyles: true });
  const worksheet = workbook.addWorksheet(title.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  worksheet.columns = sheet.headers.map((header) => ({ key: header, width: Math.max(12, header.length * 2 + 4) }));
  const head = worksheet.addRow([...sheet.headers]);
  head.font = { bold: true };
  head.commit();
  // The worksheet's part goes through the zip's compressor, which takes what it is given without
  // pushing back: wait on it too, or a slow client would leave the rows piling up in front of it.
  const compressor = (): Writable | undefined => (worksheet as unknown as { stream?: { pipes?: Writable[] } }).stream?.pipes?.[0];
  let rows = 0;
  for await (const page of sheet.pages) {
    if (response.destroyed) return { rows, aborted: true };
    for (const cells of page) worksheet.addRow(cells.map(xlsxCell)).commit();
    rows += page.length;
    const zipInput = compressor();
    if (zipInput) await drained(zipInput, response);
    await drained(response, response);
  }
  worksheet.commit();
  await workbook.commit();
  return { rows, aborted: false };
}

/** The CSV, streamed: UTF-8 with a byte-order mark (without it Excel reads the Chinese as the local code page), CRLF lines. */
async function writeCsv(response: Writable, sheet: RecordSheet): Promise<WrittenList> {
  const line = (cells: readonly Cell[]) => `${cells.map(csvField).join(',')}\r\n`;
  response.write(`\uFEFF${line(sheet.headers)}`, 'utf8');
  let rows = 0;
  for await (const page of sheet.pages) {
    if (response.destroyed) return { rows, aborted: true };
    response.write(page.map(line).join(''), 'utf8');
    rows += page.length;
    await drained(response, response);
  }
  await new Promise<void>((resolve) => response.end(resolve));
  return { rows, aborted: false };
}

export function writeRecordList(response: Writable, format: FileExtension, title: string, sheet: RecordSheet): Promise<WrittenList> {
  return format === 'xlsx' ? writeXlsx(response, title, sheet) : writeCsv(response, sheet);
}
