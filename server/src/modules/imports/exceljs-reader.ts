import { createRequire } from 'node:module';
import { StringDecoder } from 'node:string_decoder';
import type ExcelJS from 'exceljs';

/**
 * exceljs's streaming WorkbookReader, with one bug of its own mended: its SAX step (lib/utils/parse-sax.js)
 * turns each inflated chunk into a string on its own, so a character whose UTF-8 bytes straddle two chunks
 * (every Chinese character is three bytes) comes out as U+FFFD — about one row in two thousand of a Chinese
 * sheet (exceljs issues #2063, #2084, #2316; the fixes, PRs #1665 and #2081, are unmerged in 4.4.0). Names
 * and addresses must arrive as typed, so the reader here is exceljs's own, loaded once more with a SAX step
 * that decodes across chunks (a StringDecoder). The copy is private to this module: every other user of
 * exceljs keeps the package as installed, and nothing in node_modules is changed.
 */

type Events = { eventType: 'opentag' | 'text' | 'closetag'; value: unknown }[];

interface SaxesParserLike {
  on(event: 'error', handler: (error: Error) => void): void;
  on(event: 'opentag' | 'text' | 'closetag', handler: (value: unknown) => void): void;
  write(chunk: string): void;
}

const requireFromHere = createRequire(__filename);
const readerPath = requireFromHere.resolve('exceljs/lib/stream/xlsx/workbook-reader.js');
const requireFromExceljs = createRequire(readerPath);
const { SaxesParser } = requireFromExceljs('saxes') as { SaxesParser: new () => SaxesParserLike };

/** exceljs's parse-sax, decoding the chunks as one UTF-8 stream. */
async function* parseSax(iterable: AsyncIterable<Buffer | string>): AsyncGenerator<Events> {
  const parser = new SaxesParser();
  const decoder = new StringDecoder('utf8');
  let error: Error | undefined;
  parser.on('error', (err) => (error = err));
  let events: Events = [];
  parser.on('opentag', (value) => events.push({ eventType: 'opentag', value }));
  parser.on('text', (value) => events.push({ eventType: 'text', value }));
  parser.on('closetag', (value) => events.push({ eventType: 'closetag', value }));
  for await (const chunk of iterable) {
    parser.write(typeof chunk === 'string' ? chunk : decoder.write(chunk));
    if (error) throw error;
    yield events;
    events = [];
  }
  const rest = decoder.end();
  if (rest) parser.write(rest);
  if (error) throw error;
  if (events.length) yield events;
}

type ReaderClass = typeof ExcelJS.stream.xlsx.WorkbookReader;

/** Loads exceljs's workbook and worksheet readers once more, with the mended parse-sax, leaving the module cache as it was. */
function loadMendedReader(): ReaderClass {
  const cache = requireFromExceljs.cache;
  const parseSaxPath = requireFromExceljs.resolve('exceljs/lib/utils/parse-sax.js');
  const worksheetPath = requireFromExceljs.resolve('exceljs/lib/stream/xlsx/worksheet-reader.js');
  const hyperlinkPath = requireFromExceljs.resolve('exceljs/lib/stream/xlsx/hyperlink-reader.js');
  const touched = [parseSaxPath, readerPath, worksheetPath, hyperlinkPath];
  const saved = new Map(touched.map((path) => [path, cache[path]]));
  try {
    for (const path of touched) delete cache[path];
    requireFromExceljs(parseSaxPath);
    cache[parseSaxPath]!.exports = parseSax;
    return requireFromExceljs(readerPath) as ReaderClass;
  } finally {
    for (const [path, module] of saved) {
      if (module) cache[path] = module;
      else delete cache[path];
    }
  }
}

export const MendedWorkbookReader: ReaderClass = loadMendedReader();
