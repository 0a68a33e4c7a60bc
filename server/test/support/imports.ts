import { deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import type { RunningApp } from './server';

/**
 * Spreadsheets as offices send them, written by the tests with the library (exceljs) or by hand (CSV in
 * UTF-8, with a BOM, or GB18030), and the import's HTTP routes and GraphQL as a client calls them.
 */

export type Sheet = (string | number | Date | { formula: string; result?: string | number } | null)[][];

/** An .xlsx with one sheet holding the given rows (the first is the header row), all cells as given. */
export async function xlsxOf(rows: Sheet, options: { merge?: string; textColumns?: number[] } = {}): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Sheet1');
  for (const row of rows) sheet.addRow(row.map((cell) => (cell === null ? null : cell)));
  for (const column of options.textColumns ?? []) sheet.getColumn(column).numFmt = '@';
  if (options.merge) sheet.mergeCells(options.merge);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** A CSV of the rows, quoted where needed, in UTF-8 (optionally with a BOM) or GB18030. */
export function csvOf(rows: (string | number)[][], encoding: 'utf-8' | 'utf-8-bom' | 'gb18030' = 'utf-8'): Buffer {
  const text =
    rows.map((row) => row.map((cell) => (/[",\r\n]/.test(String(cell)) ? `"${String(cell).replace(/"/g, '""')}"` : String(cell))).join(',')).join('\r\n') +
    '\r\n';
  if (encoding === 'gb18030') return iconv.encode(text, 'gb18030');
  const bytes = Buffer.from(text, 'utf8');
  return encoding === 'utf-8-bom' ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]) : bytes;
}

export interface UploadAnswer {
  status: number;
  body: { id?: string; state?: string; error?: { code: string; field?: string; message: string } };
}

/** POST /imports as the desk sends it: kind, mode, then the file. */
export async function uploadImport(
  server: RunningApp,
  headers: Record<string, string>,
  kind: string,
  bytes: Buffer,
  options: { mode?: string; fileName?: string } = {},
): Promise<UploadAnswer> {
  const form = new FormData();
  form.append('kind', kind);
  if (options.mode) form.append('mode', options.mode);
  form.append('file', new Blob([bytes]), options.fileName ?? 'list.xlsx');
  const response = await fetch(`${server.url}/imports`, { method: 'POST', body: form, headers });
  return { status: response.status, body: (await response.json()) as UploadAnswer['body'] };
}

export const IMPORT_FIELDS = `id kind mode state fileName fileHash rowsDone rowsTotal failure checkedAt committedAt
  counts { rows ready warnings accepted refused created updated unchanged }`;

export interface ImportView {
  id: string;
  state: string;
  mode: string;
  rowsDone: number;
  rowsTotal: number | null;
  failure: string | null;
  fileHash: string;
  counts: Record<'rows' | 'ready' | 'warnings' | 'accepted' | 'refused' | 'created' | 'updated' | 'unchanged', number>;
}

export interface ProblemView {
  rowNumber: number;
  column: string | null;
  severity: 'ERROR' | 'WARNING';
  code: string;
  message: string;
  accepted: boolean;
  elsewhere: string | null;
}

/** The import as dataImport answers it, once the step under way has ended (polled; the engine works in the background). */
export async function settledImport(server: RunningApp, headers: Record<string, string>, id: string): Promise<ImportView> {
  // Up to two minutes: the shared test machine can be slow; a step that never ends still fails the test.
  for (let attempt = 0; attempt < 2400; attempt += 1) {
    const body = await server.graphql<{ dataImport: ImportView }>(`query ($id: ID!) { dataImport(id: $id) { ${IMPORT_FIELDS} } }`, { id }, headers);
    if (!body.data) throw new Error(JSON.stringify(body.errors));
    if (!['UPLOADED', 'CHECKING', 'COMMITTING'].includes(body.data.dataImport.state)) return body.data.dataImport;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`import ${id} did not settle`);
}

/** Every problem of the import (all pages). */
export async function problemsOf(server: RunningApp, headers: Record<string, string>, id: string): Promise<ProblemView[]> {
  const problems: ProblemView[] = [];
  let after: string | null = null;
  for (;;) {
    const body: {
      data?: { dataImport: { problems: { nodes: ProblemView[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } } | null;
      errors?: unknown;
    } = await server.graphql(
      `query ($id: ID!, $after: String) { dataImport(id: $id) { problems(first: 100, after: $after) { nodes { rowNumber column severity code message accepted elsewhere } pageInfo { hasNextPage endCursor } } } }`,
      { id, after },
      headers,
    );
    if (!body.data) throw new Error(JSON.stringify(body.errors));
    problems.push(...body.data.dataImport.problems.nodes);
    if (!body.data.dataImport.problems.pageInfo.hasNextPage) return problems;
    after = body.data.dataImport.problems.pageInfo.endCursor;
  }
}

/** Uploads and waits for the dry run. */
export async function checkedImport(
  server: RunningApp,
  headers: Record<string, string>,
  kind: string,
  bytes: Buffer,
  options: { mode?: string; fileName?: string } = {},
): Promise<ImportView> {
  const uploaded = await uploadImport(server, headers, kind, bytes, options);
  if (uploaded.status !== 201) throw new Error(`upload refused: ${JSON.stringify(uploaded.body)}`);
  return settledImport(server, headers, uploaded.body.id!);
}

/** commitImport, then waits for it to end. */
export async function committedImport(server: RunningApp, headers: Record<string, string>, id: string): Promise<ImportView> {
  const body = await server.graphql<{ commitImport: ImportView }>(
    `mutation ($input: CommitImportInput!) { commitImport(input: $input) { ${IMPORT_FIELDS} } }`,
    { input: { importId: id } },
    headers,
  );
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return settledImport(server, headers, id);
}

/** Reads an .xlsx (the template, the report) into rows of cell texts. */
export async function rowsOfXlsx(bytes: ArrayBuffer | Buffer): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as ArrayBuffer);
  const sheet = workbook.worksheets[0]!;
  const rows: string[][] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, column) => (cells[column - 1] = cell.text ?? ''));
    rows.push(Array.from(cells, (cell) => cell ?? ''));
  });
  return rows;
}

export interface ZipPart {
  name: string;
  data: Buffer;
  /** What the central directory claims the part expands to (a bomb lies here). */
  declaredSize?: number;
}

/** A zip written by hand, deflated, with the sizes it declares under the test's control. */
export function zipOf(parts: ZipPart[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const compressed = deflateRawSync(part.data);
    const name = Buffer.from(part.name, 'utf8');
    const size = part.declaredSize ?? part.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
