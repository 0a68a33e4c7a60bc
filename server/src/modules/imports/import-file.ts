import fs from 'node:fs';
import { createInflateRaw } from 'node:zlib';
import { parse as parseCsv } from 'csv-parse';
import type ExcelJS from 'exceljs';
import { MendedWorkbookReader } from './exceljs-reader';
import iconv from 'iconv-lite';
import type { ImportFileFormat } from './data-import.entity';

/**
 * Reading an office's spreadsheet as a stream (issue 16): `.xlsx` with exceljs's streaming reader, `.csv`
 * with csv-parse after the encoding is told (UTF-8 with or without BOM, else GB18030, which Chinese Excel
 * writes). Nothing here holds the file: rows come one at a time, and reading stops at the row limit.
 *
 * Hostile files are refused before the reader sees them: bytes that are neither an xlsx zip nor text, a zip
 * whose parts would expand past a byte budget (declared sizes, then the bytes actually inflated while the
 * sheet is pre-scanned), merged cells in the header row (the pre-scan reads the sheet's <mergeCell>s,
 * which exceljs's streaming reader skips).
 */

/** A refusal of the file as a whole, in Chinese; the route answers it as BAD_USER_INPUT on `file`. */
export class ImportFileError extends Error {}

/** One cell as read: its text, or what makes it unusable. */
export interface ReadCell {
  text: string;
  /** A formula: its cached value is whatever the last program to save the file computed; never trusted. */
  formula?: boolean;
  /** A number too long for a spreadsheet's 15 significant digits (an ID number typed as a number). */
  lostDigits?: boolean;
}

export interface ReadRow {
  rowNumber: number;
  cells: ReadCell[];
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);

/** Tells the format from the first bytes, whatever the file is named; null for neither. */
export function sniffFormat(head: Buffer): ImportFileFormat | 'xls' | null {
  if (head.subarray(0, 4).equals(ZIP_MAGIC)) return 'xlsx';
  if (head.subarray(0, 4).equals(OLE_MAGIC)) return 'xls';
  if (head.length === 0) return null;
  // Text: no NUL byte, hardly any control characters (tabs and line breaks aside).
  let control = 0;
  for (const byte of head) {
    if (byte === 0) return null;
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) control += 1;
  }
  return control * 100 > head.length ? null : 'csv';
}

/**
 * The CSV's encoding from a sample of its first bytes: a BOM or valid UTF-8 means UTF-8; anything else is
 * GB18030 (a superset of GBK and GB2312: never decode as 'gbk', which loses the 4-byte characters of
 * rare names).
 */
export function detectCsvEncoding(sample: Buffer): 'utf-8' | 'gb18030' {
  if (sample.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))) return 'utf-8';
  // A sample may end inside a multi-byte character: drop up to 3 trailing continuation bytes.
  let end = sample.length;
  for (let back = 0; back < 4 && end > 0 && (sample[end - 1]! & 0xc0) === 0x80; back += 1) end -= 1;
  if (end > 0 && sample[end - 1]! >= 0xc0) end -= 1;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, end));
    return 'utf-8';
  } catch {
    return 'gb18030';
  }
}

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

/** The zip's central directory, read from the end of the file (the End Of Central Directory record). */
function zipEntries(fd: number, fileSize: number): ZipEntry[] {
  const tailSize = Math.min(fileSize, 65_557);
  const tail = Buffer.alloc(tailSize);
  fs.readSync(fd, tail, 0, tailSize, fileSize - tailSize);
  const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new ImportFileError('文件不是有效的 .xlsx（压缩包已损坏）：请用 Excel 或 WPS 另存为 .xlsx 后重新上传');
  const count = tail.readUInt16LE(eocd + 10);
  const size = tail.readUInt32LE(eocd + 12);
  const offset = tail.readUInt32LE(eocd + 16);
  if (offset + size > fileSize || count > 10_000) throw new ImportFileError('文件不是有效的 .xlsx（压缩包目录无效）');
  const directory = Buffer.alloc(size);
  fs.readSync(fd, directory, 0, size, offset);
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let index = 0; index < count; index += 1) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== 0x02014b50) throw new ImportFileError('文件不是有效的 .xlsx（压缩包目录无效）');
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    entries.push({
      method: directory.readUInt16LE(at + 10),
      compressedSize: directory.readUInt32LE(at + 20),
      uncompressedSize: directory.readUInt32LE(at + 24),
      name: directory.toString('utf8', at + 46, at + 46 + nameLength),
      localHeaderOffset: directory.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The worksheet the import reads: the first one of the workbook's parts (sheet1.xml in every file Excel, WPS or LibreOffice writes). */
function firstSheet(entries: ZipEntry[]): ZipEntry | undefined {
  return entries
    .filter((entry) => /^xl\/worksheets\/sheet\d+\.xml$/.test(entry.name))
    .sort((a, b) => Number(/\d+/.exec(a.name.slice(14))![0]) - Number(/\d+/.exec(b.name.slice(14))![0]))[0];
}

const BOMB = '文件解压后过大（疑似压缩炸弹），已拒绝：请只保留需要导入的一张工作表';

/**
 * Shares of the inflate budget for the parts exceljs's reader holds in memory rather than streams: every
 * shared string is kept in a JS array (about three times its XML size), the styles are parsed whole. A
 * table of millions of tiny strings is small on disk and within the byte budget, yet takes gigabytes once
 * cached (review item 3), so those parts get budgets of their own.
 */
const SHARED_STRINGS_SHARE = 1 / 5;
const STYLES_SHARE = 1 / 40;
/** Shared strings a sheet of the row limit can use: distinct cells per row, generously. */
const SHARED_STRINGS_PER_ROW = 30;

/**
 * Inflates one entry as a stream and hands each chunk on; throws once more than `budget` bytes came out,
 * or more than the entry declares (a lying size is a bomb: the reader would trust what the pre-scan did not see).
 */
async function inflateEntry(path: string, fd: number, entry: ZipEntry, budget: number, onChunk: (chunk: string) => void): Promise<number> {
  const header = Buffer.alloc(30);
  fs.readSync(fd, header, 0, 30, entry.localHeaderOffset);
  if (header.readUInt32LE(0) !== 0x04034b50) throw new ImportFileError('文件不是有效的 .xlsx（压缩包已损坏）');
  const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const raw = fs.createReadStream(path, { start, end: start + Math.max(entry.compressedSize, 1) - 1 });
  const source = entry.method === 0 ? raw : raw.pipe(createInflateRaw());
  let produced = 0;
  let carry = '';
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      produced += chunk.length;
      if (produced > budget || produced > entry.uncompressedSize) throw new ImportFileError(BOMB);
      // Keep the tail of the previous chunk so that a tag split across chunks is still seen.
      const text = carry + chunk.toString('latin1');
      onChunk(text);
      carry = text.slice(-200);
    }
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    throw new ImportFileError('文件不是有效的 .xlsx（压缩数据已损坏）');
  } finally {
    raw.destroy();
  }
  return produced;
}

function columnLetters(index: number): string {
  let letters = '';
  for (let n = index; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

export { columnLetters };

export interface XlsxInspection {
  /** Merged ranges (A1:B1) of the first sheet, as the file declares them. */
  merges: { ref: string; firstRow: number; lastRow: number }[];
  /** Rows the first sheet declares (its <row> elements). */
  rows: number;
}

/**
 * Looks at an xlsx before it is read: a valid zip, parts whose declared sizes stay under the budget, and
 * the first sheet (and the shared strings) actually inflated under the same budget — a zip bomb declares
 * small sizes and expands to gigabytes, and is stopped at the budget, never expanded. Collects the
 * sheet's merged ranges on the way.
 */
export async function inspectXlsx(path: string, budget: number, maxRows = Number.MAX_SAFE_INTEGER, spareRows = 0): Promise<XlsxInspection> {
  const fd = fs.openSync(path, 'r');
  try {
    const entries = zipEntries(fd, fs.fstatSync(fd).size);
    const declared = entries.reduce((sum, entry) => sum + entry.uncompressedSize, 0);
    if (declared > budget) throw new ImportFileError(BOMB);
    const sheet = firstSheet(entries);
    if (!sheet) throw new ImportFileError('文件中没有工作表：请用 Excel 或 WPS 另存为 .xlsx 后重新上传');
    const merges: XlsxInspection['merges'] = [];
    const seen = new Set<string>();
    let left = budget;
    const strings = entries.find((entry) => entry.name === 'xl/sharedStrings.xml');
    if (strings) {
      const stringsLimit = maxRows === Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : (maxRows + spareRows) * SHARED_STRINGS_PER_ROW;
      let items = 0;
      left -= await inflateEntry(path, fd, strings, Math.min(left, Math.floor(budget * SHARED_STRINGS_SHARE)), (text) => {
        // Counted in the whole chunk: the carried tail may count one item twice, harmless against a bound.
        items += text.match(/<si[\s>]/g)?.length ?? 0;
        if (items > stringsLimit) throw new ImportFileError(BOMB);
      });
    }
    // Every other part is inflated too (the reader reads them all, in archive order, whatever the pre-scan
    // picked): styles under their own small budget, each part no larger than it declares (review items 1, 2).
    for (const entry of entries) {
      if (entry === strings || entry === sheet || entry.name.endsWith('/')) continue;
      const limit = entry.name === 'xl/styles.xml' ? Math.min(left, Math.floor(budget * STYLES_SHARE)) : left;
      left -= await inflateEntry(path, fd, entry, limit, () => undefined);
    }
    let rows = 0;
    let counted = '';
    await inflateEntry(path, fd, sheet, left, (text) => {
      // `text` starts with the previous chunk's tail: count the rows of the new part only.
      rows += (text.match(/<row[\s>]/g)?.length ?? 0) - (counted.match(/<row[\s>]/g)?.length ?? 0);
      counted = text.slice(-200);
      if (rows > maxRows + spareRows) throw new ImportFileError(`文件超过${maxRows}行的上限：请分成几个文件上传`);
      for (const match of text.matchAll(/<mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"/g)) {
        const ref = `${match[1]}${match[2]}:${match[3]}${match[4]}`;
        if (seen.has(ref)) continue;
        seen.add(ref);
        merges.push({ ref, firstRow: Number(match[2]), lastRow: Number(match[4]) });
      }
    });
    return { merges, rows };
  } finally {
    fs.closeSync(fd);
  }
}

function dateText(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** A cell's value as text, the way an office worker sees it. */
function cellOf(value: ExcelJS.CellValue): ReadCell {
  if (value === null || value === undefined) return { text: '' };
  if (typeof value === 'string') return { text: value };
  if (typeof value === 'number') {
    // Past 15 significant digits a spreadsheet number has lost its last digits (an ID number typed as a number).
    if (Number.isInteger(value) && Math.abs(value) >= 1e15) return { text: BigInt(value).toString(), lostDigits: true };
    return { text: String(value) };
  }
  if (typeof value === 'boolean') return { text: value ? '是' : '否' };
  if (value instanceof Date) return { text: dateText(value) };
  if ('formula' in value || 'sharedFormula' in value) return { text: '', formula: true };
  if ('richText' in value) return { text: value.richText.map((part) => part.text).join('') };
  if ('text' in value) return { text: String(value.text) };
  if ('error' in value) return { text: '' };
  return { text: '' };
}

/** The number of the worksheet inspectXlsx pre-scans (sheetN.xml), or null when the archive has none. */
function firstSheetNumber(path: string): string | null {
  const fd = fs.openSync(path, 'r');
  try {
    const sheet = firstSheet(zipEntries(fd, fs.fstatSync(fd).size));
    return sheet ? /\d+/.exec(sheet.name.slice(14))![0] : null;
  } finally {
    fs.closeSync(fd);
  }
}

/** The rows of the first sheet of an xlsx, streamed (exceljs WorkbookReader; shared strings cached, styles only for dates). */
export async function* readXlsxRows(path: string): AsyncGenerator<ReadRow> {
  const wanted = firstSheetNumber(path);
  const reader = new MendedWorkbookReader(path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    // Styles say which numbers are dates; hyperlinks are not needed. Entries are emitted only to learn
    // each worksheet's part number (sheetN.xml) just before the worksheet itself comes.
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'emit',
  });
  let partNumber: string | null = null;
  // exceljs's typings omit that its WorkbookReader is an EventEmitter (lib/stream/xlsx/workbook-reader.js).
  (reader as unknown as NodeJS.EventEmitter).on('entry', (entry: { type: string; id?: string }) => {
    if (entry.type === 'worksheet') partNumber = entry.id ?? null;
  });
  for await (const worksheet of reader) {
    // The reader goes in archive order: a sheet stored before sheet1.xml is not the one the pre-scan vetted
    // (review item 2); it is skipped, and the reader drains it unread.
    if (partNumber !== wanted) continue;
    for await (const row of worksheet as AsyncIterable<ExcelJS.Row>) {
      const cells: ReadCell[] = [];
      row.eachCell({ includeEmpty: true }, (cell, column) => {
        cells[column - 1] = cellOf(cell.value);
      });
      for (let index = 0; index < cells.length; index += 1) cells[index] ??= { text: '' };
      yield { rowNumber: row.number, cells };
    }
    // The first sheet only: others (notes, lists for drop-downs) are not data.
    break;
  }
}

/** The records of a CSV, streamed: decoded from its encoding, BOM dropped, rows of any width. */
export async function* readCsvRows(path: string, encoding: 'utf-8' | 'gb18030'): AsyncGenerator<ReadRow> {
  const file = fs.createReadStream(path);
  const decoded = encoding === 'utf-8' ? file.setEncoding('utf8') : file.pipe(iconv.decodeStream('gb18030'));
  const parser = decoded.pipe(parseCsv({ bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: false }));
  let rowNumber = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      rowNumber += 1;
      yield { rowNumber, cells: record.map((text) => ({ text })) };
    }
  } catch (error) {
    if (error instanceof Error && 'code' in error && String((error as { code: unknown }).code).startsWith('CSV_')) {
      throw new ImportFileError(`CSV 文件第${rowNumber + 1}行无法读取（引号不配对等）：请用 Excel 或 WPS 另存为 .xlsx 后重新上传`);
    }
    throw error;
  } finally {
    file.destroy();
  }
}

/** A sample of the file's first bytes (format and encoding detection). */
export function readHead(path: string, bytes = 65_536): Buffer {
  const fd = fs.openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const read = fs.readSync(fd, buffer, 0, bytes, 0);
    return buffer.subarray(0, read);
  } finally {
    fs.closeSync(fd);
  }
}
