import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Busboy from 'busboy';
import express, { type Request } from 'express';
import { ImportKind, ImportMode, ImportState, INTAKE_LABELS_ZH } from '@wanjia/shared';
import type { AppConfig } from '../../config';
import type { Orm } from '../../core/entity-manager';
import { BadUserInputError, DomainError, ErrorCode, ForbiddenError } from '../../core/errors';
import { assertAllowed } from '../../core/policy';
import { sendProblem } from '../../http/problem-response';
import type { Logger } from '../../logger';
import { recordAudit } from '../audit/audit.service';
import { actorFromRequest } from '../auth/ide-session';
import { DataImport } from './data-import.entity';
import { inflateBudget, type ImportEngine } from './import-engine';
import { detectCsvEncoding, ImportFileError, inspectXlsx, readHead, sniffFormat } from './import-file';
import { writeReport } from './import-report';
import { writeTemplate } from './import-template';
import { importPolicy } from './imports.policy';
import { importsService } from './imports.service';

/** The multipart field the spreadsheet comes in, and what refusals of the file name. */
const FILE_FIELD = 'file';
/** Lines a CSV may have besides its data rows (the header and title rows above it). */
const CSV_SPARE_LINES = 11;

class ImportNotFoundError extends DomainError {
  constructor() {
    super(ErrorCode.NOT_FOUND, 'no such import');
  }
}

interface Upload {
  kind: string | undefined;
  mode: string | undefined;
  fileName: string;
  tempPath: string;
  sha256: string;
  bytes: number;
  /** CSV: the line breaks seen (a bound on the rows): LF, CR LF, and a lone CR, which csv-parse also ends a record on. */
  lines: number;
}

/** The message of a body that ends before its closing boundary, or a connection dropped mid-upload. */
const MALFORMED_BODY = 'the multipart body is malformed';

/**
 * Reads the multipart body: the fields `kind` and `mode` first, then the part `file`, streamed to a
 * temporary file beside the store (hashed and counted on the way). Refused as soon as it passes the size
 * limit, or (text) the row limit: the rest of the body is drained, never kept.
 */
function receiveUpload(request: Request, config: AppConfig): Promise<Upload> {
  return new Promise((resolve, reject) => {
    let parser: Busboy.Busboy;
    try {
      parser = Busboy({
        headers: request.headers,
        limits: { files: 1, fileSize: config.imports.maxBytes, fields: 10, fieldSize: 1000 },
        defParamCharset: 'utf8',
      });
    } catch {
      reject(new BadUserInputError(FILE_FIELD, 'send the spreadsheet as multipart/form-data: fields kind and mode, then the file in a field named "file"'));
      return;
    }
    const fields: Record<string, string> = {};
    let upload: Upload | null = null;
    let refusal: BadUserInputError | null = null;
    let writing: Promise<void> = Promise.resolve();
    let settled = false;
    /*
     * A body cut off before its closing boundary makes busboy emit 'error' on the parser AND on the file
     * stream; an 'error' nobody listens to would end the process. Every error source lands here: the
     * answer is a refusal naming the file, and the partial file is removed.
     */
    let out: fs.WriteStream | null = null;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      const removeAndReject = () => {
        if (upload) fs.rmSync(upload.tempPath, { force: true });
        reject(error);
      };
      // The file is removed once its stream has closed: removed while the stream was still opening it,
      // the open created it again afterwards, and a refused upload left its part behind.
      if (out && !out.closed) {
        out.once('close', removeAndReject);
        out.destroy();
      } else removeAndReject();
    };
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      if (name !== FILE_FIELD || upload) {
        stream.resume();
        return;
      }
      fs.mkdirSync(config.imports.dir, { recursive: true });
      const tempPath = path.join(config.imports.dir, `upload-${randomBytes(8).toString('hex')}.part`);
      const hash = createHash('sha256');
      const file = fs.createWriteStream(tempPath);
      out = file;
      const current: Upload = {
        kind: fields.kind,
        mode: fields.mode,
        fileName: (info.filename || 'upload').slice(0, 255),
        tempPath,
        sha256: '',
        bytes: 0,
        lines: 0,
      };
      upload = current;
      let textual: boolean | null = null;
      // A CR that ended the previous chunk: a LF starting this one belongs to it (one CR LF break).
      let endedOnCr = false;
      stream.on('data', (chunk: Buffer) => {
        if (refusal) return;
        textual ??= sniffFormat(chunk.subarray(0, 4096)) === 'csv';
        current.bytes += chunk.length;
        current.lines += lineBreaks(chunk, endedOnCr);
        endedOnCr = chunk.length > 0 && chunk[chunk.length - 1] === 13;
        // A text file with more lines than the limit allows rows: refused now, the rest drained unread.
        if (textual && current.lines > config.imports.maxRows + CSV_SPARE_LINES) {
          refusal = new BadUserInputError(FILE_FIELD, `文件超过${config.imports.maxRows}行的上限：请分成几个文件上传`);
          file.end();
          return;
        }
        hash.update(chunk);
        file.write(chunk);
      });
      stream.on('limit', () => {
        refusal = new BadUserInputError(FILE_FIELD, `文件超过 ${Math.floor(config.imports.maxBytes / 1_000_000)} MB 的上限：请分成几个文件上传`, {
          httpStatus: 413,
        });
      });
      stream.on('error', () => {
        file.destroy();
        fail(new BadUserInputError(FILE_FIELD, MALFORMED_BODY));
      });
      writing = new Promise((done, failWriting) => {
        stream.on('end', () => {
          current.sha256 = hash.digest('hex');
          file.end(() => done());
        });
        file.on('error', failWriting);
      });
    });
    parser.on('error', () => fail(new BadUserInputError(FILE_FIELD, MALFORMED_BODY)));
    request.on('aborted', () => fail(new BadUserInputError(FILE_FIELD, MALFORMED_BODY)));
    request.on('error', () => fail(new BadUserInputError(FILE_FIELD, MALFORMED_BODY)));
    parser.on('close', () => {
      void writing.then(
        () => {
          if (settled) return;
          const received = upload as Upload | null;
          if (refusal) fail(refusal);
          else if (!received) fail(new BadUserInputError(FILE_FIELD, '没有收到文件：请在名为 file 的字段中上传 .xlsx 或 .csv'));
          else {
            settled = true;
            resolve({ ...received, kind: received.kind ?? fields.kind, mode: received.mode ?? fields.mode });
          }
        },
        (error: unknown) => fail(error),
      );
    });
    request.pipe(parser);
  });
}

/** Line breaks in a chunk: each LF, and each CR not followed by a LF (old Mac Excel ends its lines on a lone CR). */
function lineBreaks(chunk: Buffer, previousEndedOnCr: boolean): number {
  let breaks = 0;
  for (let index = chunk.indexOf(10); index >= 0; index = chunk.indexOf(10, index + 1)) breaks += 1;
  for (let index = chunk.indexOf(13); index >= 0; index = chunk.indexOf(13, index + 1)) {
    // A CR LF is one break, counted at its LF; a CR at the chunk's end is settled by the next chunk.
    if (chunk[index + 1] !== 10) breaks += 1;
  }
  // The CR that ended the previous chunk was counted there; if this chunk starts with its LF, that LF is the same break.
  if (previousEndedOnCr && chunk[0] === 10) breaks -= 1;
  return breaks;
}

function oneOf<T extends string>(values: readonly T[], value: string | undefined, field: string, fallback?: T): T {
  if (value === undefined || value === '') {
    if (fallback !== undefined) return fallback;
    throw new BadUserInputError(field, `${field} is required: one of ${values.join(', ')}`);
  }
  if (!values.includes(value as T)) throw new BadUserInputError(field, `${field} must be one of ${values.join(', ')}`);
  return value as T;
}

/** Checks the stored upload is a spreadsheet we can read, and not a trap; its format and (CSV) encoding. The CLI vets its file the same way. */
export async function vetFile(
  upload: Pick<Upload, 'tempPath' | 'bytes'> & { fileName?: string },
  config: AppConfig,
): Promise<{ format: 'xlsx' | 'csv'; encoding: 'utf-8' | 'gb18030' | null }> {
  if (upload.bytes === 0) throw new BadUserInputError(FILE_FIELD, '文件是空的');
  const head = readHead(upload.tempPath);
  const format = sniffFormat(head);
  if (format === 'xls') throw new BadUserInputError(FILE_FIELD, '这是旧版 .xls 文件：请在 Excel 或 WPS 中另存为 .xlsx 后上传');
  // A file named .xlsx that is no zip (an HTML page saved under that name, a web page "exported to Excel")
  // is not a spreadsheet, even when its bytes happen to be text: it is never read as a CSV.
  const namedXlsx = upload.fileName !== undefined && /\.xlsx$/i.test(upload.fileName);
  if (format === null || (namedXlsx && format !== 'xlsx'))
    throw new BadUserInputError(FILE_FIELD, '文件不是 .xlsx 或 .csv 表格：请上传导入模板填好后的文件', { httpStatus: 415 });
  if (format === 'csv') {
    const encoding = detectCsvEncoding(head);
    return { format, encoding };
  }
  try {
    await inspectXlsx(upload.tempPath, inflateBudget(config), config.imports.maxRows, CSV_SPARE_LINES);
  } catch (error) {
    if (error instanceof ImportFileError) throw new BadUserInputError(FILE_FIELD, error.message);
    throw error;
  }
  return { format, encoding: null };
}

function attachment(ascii: string, chinese: string): string {
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(chinese)}`;
}

/**
 * POST /imports (multipart: kind, mode, then file) stores the spreadsheet under IMPORT_DIR and answers 201
 * `{ id, state }`; the dry run starts by itself. GET /imports/templates/<KIND>.xlsx is a kind's template;
 * GET /imports/<id>/report.xlsx (and .csv for a CSV upload) the original rows with a 问题 column.
 * Administrators only (Bearer token, or the IDE session's cookie with its same-origin proof on the POST),
 * and for an import only those whose scope holds it (404 otherwise, as for one that does not exist).
 */
export function importRoutes(orm: Orm, config: AppConfig, logger: Logger, engine: ImportEngine): express.Router {
  const router = express.Router();

  router.post('/imports', async (request, response) => {
    let upload: Upload | null = null;
    try {
      const actor = await actorFromRequest(request, config, orm.em.fork(), { allowIdeCookie: true });
      assertAllowed(importPolicy.mayImport(actor), 'only administrators import');
      upload = await receiveUpload(request, config);
      const kind = oneOf(Object.values(ImportKind), upload.kind, 'kind');
      const mode = oneOf(Object.values(ImportMode), upload.mode, 'mode', ImportMode.CREATE_ONLY);
      const definition = engine.kindOf(kind);
      if (!definition) throw new BadUserInputError('kind', `${INTAKE_LABELS_ZH.ImportKind[kind]}的导入尚未开放`);
      if (mode === ImportMode.UPDATE_EXISTING && !definition.supportsUpdate) throw new BadUserInputError('mode', `${definition.title}不支持“新增并更新已有”`);
      const { format, encoding } = await vetFile(upload, config);
      const clientAddress = request.ip ?? request.socket.remoteAddress ?? 'unknown';
      const dataImport = await importsService.create(
        orm.em.fork(),
        { actor, clientAddress },
        {
          kind,
          mode,
          fileName: upload.fileName,
          fileHash: upload.sha256,
          fileFormat: format,
          csvEncoding: encoding,
        },
      );
      try {
        await engine.files.keep(dataImport, upload.tempPath, 'move');
      } catch (error) {
        // The shared store refused or could not be reached: the import exists (its upload is on the record)
        // but has no file, so it is failed at once rather than left for the resume job to find empty.
        await orm.em
          .fork()
          .nativeUpdate(DataImport, { id: dataImport.id }, { state: ImportState.FAILED, failure: '文件存储暂时不可用，文件未能保存：请稍后重新上传' });
        throw error;
      }
      upload = null;
      engine.startInBackground(dataImport.id, 'check');
      response.status(201).json({ id: String(dataImport.id), state: ImportState.UPLOADED });
    } catch (error) {
      if (upload) fs.rmSync(upload.tempPath, { force: true });
      request.resume();
      sendProblem(response, error, { logger, logMessage: 'import upload failed', uploadField: FILE_FIELD });
    }
  });

  router.get('/imports/templates/:file', async (request, response) => {
    try {
      const actor = await actorFromRequest(request, config, orm.em.fork(), { allowIdeCookie: true });
      assertAllowed(importPolicy.mayImport(actor), 'only administrators import');
      const match = /^([A-Z_]+)\.xlsx$/.exec(String(request.params.file ?? ''));
      const definition = match && (Object.values(ImportKind) as string[]).includes(match[1]!) ? engine.kindOf(match[1] as ImportKind) : undefined;
      if (!definition) throw new ImportNotFoundError();
      response
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .set('Content-Disposition', attachment(`${definition.kind}.xlsx`, `${definition.title}导入模板.xlsx`))
        .set('Cache-Control', 'private, no-store');
      await writeTemplate(definition, response);
      response.end();
    } catch (error) {
      sendProblem(response, error, { logger, logMessage: 'import template failed' });
    }
  });

  // Any segment in the id's place reaches this route, so that an id that is no id (letters, -1, 1.5, 20
  // digits) is answered as the JSON problem the desk and scripts parse, like an import that does not exist.
  router.get(/^\/imports\/([^/]+)\/report\.([^/]+)$/, async (request, response) => {
    try {
      const actor = await actorFromRequest(request, config, orm.em.fork(), { allowIdeCookie: true });
      assertAllowed(importPolicy.mayImport(actor), 'only administrators import');
      const match = /^\/imports\/(\d{1,12})\/report\.(xlsx|csv)$/.exec(request.path);
      if (!match) throw new ImportNotFoundError();
      const [, id, format] = match as unknown as [string, string, string];
      const em = orm.em.fork();
      let dataImport: DataImport;
      try {
        dataImport = await importsService.manageable(em, actor, Number(id));
      } catch (error) {
        if (error instanceof ForbiddenError) throw new ImportNotFoundError();
        throw error;
      }
      if (format === 'csv' && dataImport.fileFormat !== 'csv')
        throw new BadUserInputError('format', 'the .csv report is for CSV uploads; download report.xlsx');
      if (!dataImport.layout) throw new BadUserInputError('id', '导入尚未检查完，报告稍后可下载');
      const file = await engine.files.open(dataImport);
      if (!file) throw new ImportNotFoundError();
      try {
        const clientAddress = request.ip ?? request.socket.remoteAddress ?? 'unknown';
        // The report repeats the file's own cells (ID numbers among them): its download is on the record.
        await em.fork().transactional(async (tx) => {
          recordAudit(
            tx,
            { actor, clientAddress },
            { operation: 'downloadImportReport', entityName: 'DataImport', entityId: dataImport.id, regionPath: dataImport.scopePath, changes: { format } },
          );
        });
        const base = dataImport.fileName.replace(/\.(xlsx|csv)$/i, '');
        response
          .type(
            format === 'xlsx'
              ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
              : `text/csv; charset=${dataImport.csvEncoding === 'gb18030' ? 'gb18030' : 'utf-8'}`,
          )
          .set('Content-Disposition', attachment(`import-${dataImport.id}-report.${format}`, `${base}-导入报告.${format}`))
          .set('Cache-Control', 'private, no-store');
        await writeReport(em, dataImport, file.path, format as 'xlsx' | 'csv', response);
      } finally {
        await file.release();
      }
      if (!response.writableEnded) response.end();
    } catch (error) {
      if (response.headersSent) {
        logger.error({ err: error }, 'import report failed while streaming');
        response.destroy();
        return;
      }
      sendProblem(response, error, { logger, logMessage: 'import report failed' });
    }
  });

  return router;
}
