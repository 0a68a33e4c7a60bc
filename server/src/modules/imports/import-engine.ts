import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import { ImportProblemSeverity, ImportState, Role } from '@wanjia/shared';
import type { AppConfig } from '../../config';
import { isRootAdmin, type StaffActor } from '../../core/caller';
import type { Clock } from '../../core/clock';
import type { Em, Orm } from '../../core/entity-manager';
import { lockForUpdate } from '../../core/locking';
import { shanghaiDate } from '../../core/time';
import type { Logger } from '../../logger';
import { recordAudit } from '../audit/audit.service';
import type { ResidentWriter } from '../households/duplicate-id-guard';
import { Region } from '../regions/region.entity';
import { DataImport, DataImportKey, DataImportProblem, DataImportRow, ImportRowOutcome, ImportRowVerdict } from './data-import.entity';
import type { Cells, ImportContext, ImportKindDefinition, ImportRowInput, RowProblem } from './import-kind';
import { ImportFileError, inspectXlsx, readCsvRows, readXlsxRows, type ReadRow } from './import-file';
import { importFileName, importFileStoreFor, type ImportFileStore, type StoredImportFile } from './import-file-store';
import { importKinds } from './kinds';
import { ObjectStoreUnavailableError } from '../../core/object-store';
import { comparable, tidy } from './normalize';

/**
 * The import engine (issue 16): the dry run (UPLOADED → CHECKING → CHECKED) and the commit (COMMITTING →
 * COMMITTED), each under a lease on the import's row so that exactly one instance works on an import and
 * a process killed half way is resumed by the next (the scheduler's `import-resume` job, or commitImport
 * called again). The dry run writes nothing but the import's own tables and starts over when resumed;
 * the commit writes in batches of whole groups, each ONE transaction that re-checks its rows, writes
 * them and marks them done, so a resumed commit goes on with the rows not marked and none is written twice.
 */

/** Rows per stored batch (the read) and per commit transaction (whole groups, so a little more): each batch costs a dozen statements, so a 120,000-row file makes about 120 batches. */
export const IMPORT_BATCH_ROWS = 1000;
/** How far the header row may lie below the top (a title row, a date line above it). */
const HEADER_SEARCH_ROWS = 10;
/** The column the report adds; ignored when a fixed report is uploaded again. */
export const REPORT_COLUMN = '问题';
/** The lease: renewed at every batch; a holder silent this long is taken for dead. */
export const IMPORT_LEASE_MS = 2 * 60_000;

/** Problems that inform and need no acceptance (an unknown column; a row an earlier import already wrote). */
const NOTE_CODES = new Set(['UNKNOWN_COLUMN', 'ALREADY_IMPORTED']);

export interface ImportLayout {
  headerRow: number;
  headers: string[];
  /** Column key → index in the row. */
  columns: Record<string, number>;
}

/** Thrown by a test's hook to stand for a process killed between two batches: nothing is released. */
export class SimulatedCrash extends Error {}

export interface CommitHooks {
  /** Called after each committed batch with its number (1, 2, …). */
  afterBatch?: (batch: number) => void;
}

interface StoredProblem extends RowProblem {
  rowNumber: number;
  accepted?: boolean;
  atCommit?: boolean;
}

class CheckFailure extends Error {}

/**
 * A multi-row INSERT of plain values, in chunks: the import's own rows, keys and problems are written
 * many thousands at a time, and making an entity of each (only to insert it) cost more than the SQL.
 * Booleans go as 1/0 (SQLite's driver binds no booleans; MySQL's tinyint takes them).
 */
async function insertPlain(em: Em, table: string, columns: readonly string[], rows: readonly unknown[][]): Promise<void> {
  const chunk = Math.max(1, Math.floor(4000 / columns.length));
  const names = columns.map((column) => `\`${column}\``).join(', ');
  const one = `(${columns.map(() => '?').join(', ')})`;
  for (let start = 0; start < rows.length; start += chunk) {
    const part = rows.slice(start, start + chunk);
    const values = part.flatMap((row) => row.map((value) => (typeof value === 'boolean' ? (value ? 1 : 0) : value)));
    await em.execute(`insert into \`${table}\` (${names}) values ${part.map(() => one).join(', ')}`, values);
  }
}

const PROBLEM_COLUMNS = ['data_import_id', 'row_number', 'column', 'severity', 'code', 'message', 'city_detail', 'accepted', 'at_commit'] as const;

/**
 * A cell as the office typed it, without the apostrophe the CSV report puts before a cell that starts like a
 * formula (= + - @, tab): a fixed report uploaded again reads as the original file did.
 */
function withoutFormulaGuard(text: string): string {
  return /^'(?:[\s\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|[\t\r])/.test(text) ? text.slice(1) : text;
}

/** A stored row as the dry run's check and the commit read it. */
interface StoredRow {
  id: number;
  rowNumber: number;
  groupKey: string;
  payload: string | null;
  contentHash: string;
  verdict: ImportRowVerdict | null;
  accepted: boolean;
}

/** The driver's row with its numbers and flags as numbers and booleans (MySQL and SQLite give 0/1, strings for big ints). */
function storedRow(row: StoredRow): StoredRow {
  return { ...row, id: Number(row.id), rowNumber: Number(row.rowNumber), accepted: row.accepted === true || Number(row.accepted) === 1 };
}

/** For each group of the batch with a row an earlier import wrote: what that row became (its record). */
function groupsWrittenAs(
  rows: readonly StoredRow[],
  already: ReadonlyMap<string, { entityName: string | null; entityId: number | null }>,
): Map<string, { entityName: string; entityId: number }> {
  const writtenAs = new Map<string, { entityName: string; entityId: number }>();
  for (const row of rows) {
    const previous = already.get(row.contentHash);
    if (previous?.entityName && previous.entityId != null && !writtenAs.has(row.groupKey)) {
      writtenAs.set(row.groupKey, { entityName: previous.entityName, entityId: previous.entityId });
    }
  }
  return writtenAs;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Where the local disk store keeps an import's file (IMPORT_DIR/<id>-<hash>.<format>). */
export function importFilePath(dir: string, dataImport: StoredImportFile): string {
  return path.join(dir, importFileName(dataImport));
}

/** The byte budget a file may expand to: generous for real sheets (xml is ~10× its zip), tiny for bombs. */
export function inflateBudget(config: AppConfig): number {
  return Math.min(2_000_000_000, config.imports.maxBytes * 40);
}

/** The file's rows, streamed by its format. */
export function readImportRows(file: string, dataImport: Pick<DataImport, 'fileFormat' | 'csvEncoding'>): AsyncGenerator<ReadRow> {
  return dataImport.fileFormat === 'xlsx' ? readXlsxRows(file) : readCsvRows(file, dataImport.csvEncoding === 'gb18030' ? 'gb18030' : 'utf-8');
}

/** Finds the kind's columns in a row; null when it is no header row. */
export function matchHeader(definition: ImportKindDefinition<unknown>, row: ReadRow): ImportLayout | null {
  const known = new Map<string, string>();
  for (const column of definition.columns) {
    for (const name of [column.header, ...(column.aliases ?? [])]) known.set(comparable(name), column.key);
  }
  // As the file has them (problems and the report name columns so); matched in their comparable form.
  const headers = row.cells.map((cell) => cell.text.trim());
  const columns: Record<string, number> = {};
  let matched = 0;
  headers.forEach((header, index) => {
    const key = known.get(comparable(header));
    if (key && columns[key] === undefined) {
      columns[key] = index;
      matched += 1;
    }
  });
  return matched > 0 ? { headerRow: row.rowNumber, headers, columns } : null;
}

export class ImportEngine {
  readonly owner = `${hostname().slice(0, 24)}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly orm: Orm,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** Where the uploaded files are kept: IMPORT_DIR, or the bucket every instance shares (OBJECT_STORAGE_URL). */
    readonly files: ImportFileStore = importFileStoreFor(config, logger),
  ) {}

  kindOf(kind: DataImport['kind']): ImportKindDefinition<unknown> | undefined {
    return importKinds({ elsewherePerDay: this.config.imports.elsewherePerDay, now: () => this.clock.now() })[kind];
  }

  /** Waits for the background work this instance started (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  /** Runs the dry run or the commit in the background; its failures are the import's (state FAILED), never the request's. */
  startInBackground(importId: number, step: 'check' | 'commit', leased = false): void {
    const work = (step === 'check' ? this.check(importId, leased) : this.commit(importId, {}, leased)).catch((error: unknown) => {
      if (!(error instanceof SimulatedCrash)) this.logger.error({ err: error, importId }, 'import step failed');
    });
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
  }

  /** Takes the import's lease if it is free (never held, released, or lapsed) and the import is in one of `states`. */
  async takeLease(importId: number, states: ImportState[], next: ImportState): Promise<boolean> {
    const now = this.clock.now();
    const taken = await this.orm.em
      .fork()
      .nativeUpdate(
        DataImport,
        { id: importId, state: { $in: states }, $or: [{ leaseUntil: null }, { leaseUntil: { $lte: now } }] },
        { state: next, leaseOwner: this.owner, leaseUntil: new Date(now.getTime() + IMPORT_LEASE_MS) },
      );
    return taken === 1;
  }

  /** Renews the lease (in the batch's transaction): false when another instance took it over, and the work must stop. */
  private async renew(em: Em, importId: number, state: ImportState, progress: Partial<DataImport> = {}): Promise<boolean> {
    const now = this.clock.now();
    const renewed = await em.nativeUpdate(
      DataImport,
      { id: importId, leaseOwner: this.owner, state },
      { leaseUntil: new Date(now.getTime() + IMPORT_LEASE_MS), ...progress },
    );
    return renewed === 1;
  }

  private async finish(importId: number, changes: Partial<DataImport>): Promise<void> {
    await this.orm.em.fork().nativeUpdate(DataImport, { id: importId, leaseOwner: this.owner }, { ...changes, leaseOwner: null, leaseUntil: null });
  }

  /** The importer as the kinds see it: the uploader, acting in the import's scope. */
  private async contextOf(em: Em, dataImport: DataImport, phase: ImportContext['phase']): Promise<ImportContext> {
    await em.populate(dataImport, ['createdBy']);
    const actor: StaffActor = {
      accountId: dataImport.createdBy.id,
      role: Role.ADMIN,
      scopeRegionId: dataImport.scopeRegion.id,
      scopePath: dataImport.scopePath,
      cadreId: null,
    };
    const writer: ResidentWriter = {
      actor,
      clientAddress: 'import',
      duplicateIds: { hitsPerDay: this.config.duplicateIdHitsPerDay, secret: this.config.auth.jwtSecret },
    };
    return { importId: dataImport.id, actor, writer, mode: dataImport.mode, cityWide: isRootAdmin(actor), today: shanghaiDate(this.clock.now()), phase };
  }

  // ---------------------------------------------------------------- the dry run

  /** The dry run, if this instance takes the lease (a fresh upload, or a dry run whose holder died: started over). */
  async check(importId: number, leased = false): Promise<void> {
    if (!leased && !(await this.takeLease(importId, [ImportState.UPLOADED, ImportState.CHECKING], ImportState.CHECKING))) return;
    const em = this.orm.em.fork();
    const dataImport = await em.findOneOrFail(DataImport, importId);
    const definition = this.kindOf(dataImport.kind);
    try {
      if (!definition) throw new CheckFailure('这类导入尚未开放');
      const started = Date.now();
      const timings: Record<string, number> = {};
      const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
        const at = Date.now();
        try {
          return await work();
        } finally {
          timings[step] = Date.now() - at;
        }
      };
      await this.clearCheck(importId);
      const layout = await timed('read', () => this.readAndStore(dataImport, definition));
      if (!layout) return;
      await timed('duplicatesInFile', () => this.findDuplicatesInFile(importId));
      if (!(await timed('check', () => this.checkStoredRows(dataImport, definition, layout)))) return;
      await this.tally(importId);
      this.logger.info({ importId, ms: Date.now() - started, timings }, 'import checked');
      await this.finish(importId, { state: ImportState.CHECKED, checkedAt: this.clock.now() });
    } catch (error) {
      if (error instanceof SimulatedCrash) throw error;
      if (error instanceof ObjectStoreUnavailableError) {
        // The shared store is down, not the file at fault: the import waits, UPLOADED and unleased, and the
        // scheduler's import-resume job (any instance) checks it again once the store answers.
        await this.finish(importId, { state: ImportState.UPLOADED, failure: '文件存储暂时不可用：恢复后将自动继续检查' });
        return;
      }
      const failure = error instanceof CheckFailure || error instanceof ImportFileError ? error.message : '检查时出错，请重新上传；如仍失败请联系系统管理员';
      if (!(error instanceof CheckFailure || error instanceof ImportFileError)) this.logger.error({ err: error, importId }, 'import check failed');
      // A file refused as a whole keeps nothing: what the run stored of its rows, and the file itself, go
      // (a file past the row limit must not leave 200,000 rows behind). The import keeps its failure.
      const owned = await this.orm.em.fork().count(DataImport, { id: importId, leaseOwner: this.owner, state: ImportState.CHECKING });
      if (owned) {
        await this.clearCheck(importId);
        await this.files
          .remove(dataImport)
          .catch((removal: unknown) => this.logger.error({ err: removal, importId }, 'a refused import file could not be removed'));
      }
      await this.finish(importId, { state: ImportState.FAILED, failure: failure.slice(0, 500) });
    }
  }

  /** A dry run starts over: what an earlier (killed) run stored of it goes. */
  private async clearCheck(importId: number): Promise<void> {
    const em = this.orm.em.fork();
    await em.nativeDelete(DataImportProblem, { dataImport: importId });
    await em.nativeDelete(DataImportKey, { dataImport: importId });
    await em.nativeDelete(DataImportRow, { dataImport: importId });
    await em.nativeUpdate(DataImport, { id: importId }, { rowsDone: 0, rowsTotal: null, layout: null, failure: null });
  }

  /** Reads the file once, storing its rows, keys and parse problems in batches. Null when the whole import failed. */
  private async readAndStore(dataImport: DataImport, definition: ImportKindDefinition<unknown>): Promise<ImportLayout | null> {
    const local = await this.files.open(dataImport);
    if (!local) throw new CheckFailure('上传的文件已不在服务器上，请重新上传');
    try {
      return await this.readLocalAndStore(dataImport, definition, local.path);
    } finally {
      await local.release();
    }
  }

  /** readAndStore on the local file (the store's own, or a working copy of the bucket's). */
  private async readLocalAndStore(dataImport: DataImport, definition: ImportKindDefinition<unknown>, file: string): Promise<ImportLayout | null> {
    const merges = dataImport.fileFormat === 'xlsx' ? (await inspectXlsx(file, inflateBudget(this.config))).merges : [];
    let layout: ImportLayout | null = null;
    let seenRows = 0;
    let dataRows = 0;
    let batch: { row: ReadRow; cells: Cells; problems: RowProblem[]; values: unknown }[] = [];
    const textColumns = new Set(definition.columns.filter((column) => column.text).map((column) => column.key));
    const flush = async () => {
      if (!batch.length) return;
      await this.storeBatch(dataImport, definition, layout!, batch, dataRows);
      batch = [];
    };
    for await (const row of readImportRows(file, dataImport)) {
      if (!layout) {
        seenRows += 1;
        layout = matchHeader(definition, row);
        if (!layout) {
          if (seenRows >= HEADER_SEARCH_ROWS) break;
          continue;
        }
        const merged = merges.find((merge) => merge.firstRow <= row.rowNumber && merge.lastRow >= row.rowNumber);
        if (merged) throw new CheckFailure(`表头（第${row.rowNumber}行）有合并单元格 ${merged.ref}：请取消合并，每列一个表头`);
        const missing = definition.columns.filter((column) => column.required && layout!.columns[column.key] === undefined);
        if (missing.length) throw new CheckFailure(`缺少必填列：${missing.map((column) => column.header).join('、')}（表头在第${row.rowNumber}行）`);
        const claimed = new Set(Object.values(layout.columns));
        const seen = new Map<string, number>();
        layout.headers.forEach((header, index) => {
          const key = comparable(header);
          if (!key) return;
          if (seen.has(key)) throw new CheckFailure(`表头（第${row.rowNumber}行）中“${header}”出现了两次`);
          seen.set(key, index);
        });
        const unknown = layout.headers.filter((header, index) => header && !claimed.has(index) && comparable(header) !== comparable(REPORT_COLUMN));
        if (unknown.length) {
          await this.insertProblems(
            this.orm.em.fork(),
            unknown.map((header) =>
              this.problemRow(dataImport.id, {
                rowNumber: row.rowNumber,
                column: header,
                severity: ImportProblemSeverity.WARNING,
                code: 'UNKNOWN_COLUMN',
                message: `不认识的列“${header}”，已忽略`,
                accepted: true,
              }),
            ),
          );
        }
        continue;
      }
      if (row.cells.every((cell) => !tidy(cell.text) && !cell.formula)) continue;
      dataRows += 1;
      if (dataRows > this.config.imports.maxRows) throw new CheckFailure(`文件超过${this.config.imports.maxRows}行的上限：请分成几个文件上传`);
      const cells: Record<string, string> = {};
      const problems: RowProblem[] = [];
      for (const column of definition.columns) {
        const index = layout.columns[column.key];
        const cell = index === undefined ? undefined : row.cells[index];
        cells[column.key] = cell ? tidy(withoutFormulaGuard(cell.text)) : '';
        if (cell?.formula) problems.push({ column: column.key, severity: ImportProblemSeverity.ERROR, code: 'FORMULA', message: '公式单元格：请粘贴为数值' });
        else if (cell?.lostDigits && textColumns.has(column.key)) {
          problems.push({
            column: column.key,
            severity: ImportProblemSeverity.ERROR,
            code: 'NUMBER_LOST_DIGITS',
            message: '该列被存成了数字，末几位已丢失：请把该列设为文本格式后重新填写',
          });
        }
      }
      const values = problems.some((found) => found.severity === ImportProblemSeverity.ERROR) ? null : definition.parse(cells, problems);
      batch.push({ row, cells, problems, values });
      if (batch.length >= IMPORT_BATCH_ROWS) await flush();
    }
    if (!layout) {
      throw new CheckFailure(
        seenRows === 0
          ? '文件是空的'
          : `前${HEADER_SEARCH_ROWS}行中找不到表头（如“${definition.columns.find((column) => column.required)?.header ?? definition.columns[0]!.header}”）：请使用导入模板`,
      );
    }
    await flush();
    if (dataRows === 0) throw new CheckFailure('文件中只有表头，没有数据行');
    await this.orm.em.fork().nativeUpdate(DataImport, { id: dataImport.id }, { layout: JSON.stringify(layout), rowsTotal: dataRows, rowsDone: 0 });
    return layout;
  }

  /** A problem as a row of data_import_problem (PROBLEM_COLUMNS). */
  private problemRow(importId: number, found: StoredProblem, header?: string | null): unknown[] {
    return [
      importId,
      found.rowNumber,
      header === undefined ? found.column : header,
      found.severity,
      found.code.slice(0, 40),
      found.message.slice(0, 500),
      found.cityDetail?.slice(0, 255) ?? null,
      found.accepted ?? false,
      found.atCommit ?? false,
    ];
  }

  private insertProblems(em: Em, rows: unknown[][]): Promise<void> {
    return insertPlain(em, 'data_import_problem', PROBLEM_COLUMNS, rows);
  }

  private headerOf(layout: ImportLayout, key: string | null): string | null {
    if (key === null) return null;
    const index = layout.columns[key];
    return index === undefined ? key : (layout.headers[index] ?? key);
  }

  private async storeBatch(
    dataImport: DataImport,
    definition: ImportKindDefinition<unknown>,
    layout: ImportLayout,
    batch: { row: ReadRow; cells: Cells; problems: RowProblem[]; values: unknown }[],
    rowsRead: number,
  ): Promise<void> {
    await this.orm.em.fork().transactional(async (tx) => {
      if (!(await this.renew(tx, dataImport.id, ImportState.CHECKING, { rowsDone: rowsRead }))) throw new CheckFailure('导入已被取消或由其他进程接手');
      const rows: unknown[][] = [];
      const keys: unknown[][] = [];
      const problems: unknown[][] = [];
      for (const { row, cells, problems: found, values } of batch) {
        const groupKey = (values !== null && definition.groupKey ? definition.groupKey(values) : `row:${row.rowNumber}`).slice(0, 191);
        const hash = sha256(`${dataImport.kind}\u0001${definition.columns.map((column) => comparable(cells[column.key] ?? '')).join('\u0001')}`);
        rows.push([dataImport.id, row.rowNumber, groupKey, values === null ? null : JSON.stringify(values), hash, false]);
        if (values !== null) {
          const { exact, likely } = definition.keys(values);
          for (const [list, isExact] of [
            [exact, true],
            [likely, false],
          ] as const) {
            for (const key of new Set(list)) {
              keys.push([dataImport.id, sha256(key), isExact, key.slice(0, key.indexOf(':')).slice(0, 32), row.rowNumber, groupKey]);
            }
          }
        }
        for (const problem of found)
          problems.push(this.problemRow(dataImport.id, { ...problem, rowNumber: row.rowNumber }, this.headerOf(layout, problem.column)));
      }
      await insertPlain(tx, 'data_import_row', ['data_import_id', 'row_number', 'group_key', 'payload', 'content_hash', 'accepted'], rows);
      await insertPlain(tx, 'data_import_key', ['data_import_id', 'key_hash', 'exact', 'sort', 'row_number', 'group_key'], keys);
      await this.insertProblems(tx, problems);
    });
  }

  /**
   * Rows sharing a key, found with grouped queries over the import's keys (memory does not grow with the
   * file): an `id:` key shared → ERROR on every row after the first; another key shared by rows of
   * different groups → WARNING on the first row of each later group.
   */
  private async findDuplicatesInFile(importId: number): Promise<void> {
    const em = this.orm.em.fork();
    const exact = await em.execute<{ row_number: number; first_row: number; sort: string }[]>(
      `select k.\`row_number\`, f.first_row, k.sort from data_import_key k
         join (select key_hash, min(\`row_number\`) as first_row from data_import_key where data_import_id = ? and exact = ? group by key_hash having count(*) > 1) f
           on f.key_hash = k.key_hash
       where k.data_import_id = ? and k.exact = ? and k.\`row_number\` <> f.first_row order by k.\`row_number\``,
      [importId, true, importId, true],
    );
    const likely = await em.execute<{ row_number: number; first_row: number; sort: string }[]>(
      `select k.\`row_number\`, f.first_row, k.sort from data_import_key k
         join (select key_hash, min(\`row_number\`) as first_row from data_import_key where data_import_id = ? and exact = ? group by key_hash having count(distinct group_key) > 1) f
           on f.key_hash = k.key_hash
         join data_import_key g on g.data_import_id = k.data_import_id and g.key_hash = k.key_hash and g.\`row_number\` = f.first_row
       where k.data_import_id = ? and k.exact = ? and k.group_key <> g.group_key
         and k.\`row_number\` = (select min(x.\`row_number\`) from data_import_key x where x.data_import_id = k.data_import_id and x.key_hash = k.key_hash and x.group_key = k.group_key)
       order by k.\`row_number\``,
      [importId, false, importId, false],
    );
    const problems: unknown[][] = [];
    const seen = new Set<string>();
    for (const found of exact) {
      if (seen.has(`e${found.row_number}`)) continue;
      seen.add(`e${found.row_number}`);
      problems.push(
        this.problemRow(importId, {
          rowNumber: Number(found.row_number),
          column: null,
          severity: ImportProblemSeverity.ERROR,
          code: 'DUPLICATE_IN_FILE',
          message: `与第${found.first_row}行重复（${found.sort === 'id' ? '身份证号相同' : '同一条记录'}）`,
        }),
      );
    }
    for (const found of likely) {
      if (seen.has(`l${found.row_number}`)) continue;
      seen.add(`l${found.row_number}`);
      const why = found.sort === 'name+address' ? '户主姓名和地址相同' : found.sort === 'head+phone' ? '户主姓名和电话相同' : '关键信息相同';
      problems.push(
        this.problemRow(importId, {
          rowNumber: Number(found.row_number),
          column: null,
          severity: ImportProblemSeverity.WARNING,
          code: 'LIKELY_DUPLICATE_IN_FILE',
          message: `疑似与第${found.first_row}行重复（${why}）`,
        }),
      );
    }
    await this.insertProblems(em, problems);
  }

  /** The next batch of stored rows in group order, completed to whole groups; `filter` narrows it (the commit: not done yet). */
  /**
   * The next batch of stored rows in group order, completed to whole groups; `onlyPending`: the rows the
   * commit has not marked yet. Read as plain rows (no entity per row: a batch is a thousand of them).
   */
  private async nextGroups(em: Em, importId: number, after: { groupKey: string; rowNumber: number } | null, onlyPending: boolean): Promise<StoredRow[]> {
    const columns = 'id, `row_number` as rowNumber, group_key as groupKey, payload, content_hash as contentHash, verdict, accepted';
    const pending = onlyPending ? ' and outcome is null' : '';
    const read = (where: string, params: unknown[], limit: string) =>
      em.execute<StoredRow[]>(
        `select ${columns} from data_import_row where data_import_id = ?${pending} and ${where} order by group_key, \`row_number\`${limit}`,
        [importId, ...params],
      );
    const page = after
      ? await read('(group_key > ? or (group_key = ? and `row_number` > ?))', [after.groupKey, after.groupKey, after.rowNumber], ` limit ${IMPORT_BATCH_ROWS}`)
      : await read('1 = 1', [], ` limit ${IMPORT_BATCH_ROWS}`);
    const rows = page.map(storedRow);
    if (rows.length < IMPORT_BATCH_ROWS) return rows;
    const last = rows[rows.length - 1]!;
    const rest = await read('group_key = ? and `row_number` > ?', [last.groupKey, last.rowNumber], '');
    return [...rows, ...rest.map(storedRow)];
  }

  /** Rows an earlier import of the same kind and scope already wrote (the same cells): import and row by content hash. */
  private async alreadyWritten(
    em: Em,
    dataImport: DataImport,
    hashes: string[],
  ): Promise<Map<string, { importId: number; rowNumber: number; entityName: string | null; entityId: number | null }>> {
    if (!hashes.length) return new Map();
    // Two plain index reads (content hash, then the imports they belong to), not a join the planner may walk the other way.
    const candidates = await em.execute<
      { content_hash: string; data_import_id: number; row_number: number; entity_name: string | null; entity_id: number | null }[]
    >(
      `select content_hash, data_import_id, \`row_number\`, entity_name, entity_id from data_import_row
       where content_hash in (${hashes.map(() => '?').join(', ')}) and outcome in ('CREATED', 'UPDATED', 'UNCHANGED') and data_import_id <> ?`,
      [...hashes, dataImport.id],
    );
    if (!candidates.length) return new Map();
    const importIds = [...new Set(candidates.map((row) => Number(row.data_import_id)))];
    const sameScope = new Set(
      (
        await em.execute<{ id: number }[]>(`select id from data_import where id in (${importIds.map(() => '?').join(', ')}) and kind = ? and scope_path = ?`, [
          ...importIds,
          dataImport.kind,
          dataImport.scopePath,
        ])
      ).map((row) => Number(row.id)),
    );
    const found = candidates
      .filter((row) => sameScope.has(Number(row.data_import_id)))
      .sort((a, b) => Number(a.data_import_id) - Number(b.data_import_id) || Number(a.row_number) - Number(b.row_number));
    const map = new Map<string, { importId: number; rowNumber: number; entityName: string | null; entityId: number | null }>();
    for (const row of found) {
      if (!map.has(row.content_hash)) {
        map.set(row.content_hash, {
          importId: Number(row.data_import_id),
          rowNumber: Number(row.row_number),
          entityName: row.entity_name,
          entityId: row.entity_id === null ? null : Number(row.entity_id),
        });
      }
    }
    return map;
  }

  /** The kind's database checks over the stored rows, group by group; each row's verdict. False when the run lost its lease. */
  private async checkStoredRows(dataImport: DataImport, definition: ImportKindDefinition<unknown>, layout: ImportLayout): Promise<boolean> {
    const em = this.orm.em.fork();
    const context = await this.contextOf(em, dataImport, 'dryRun');
    let after: { groupKey: string; rowNumber: number } | null = null;
    let done = 0;
    for (;;) {
      const rows = await this.nextGroups(em.fork(), dataImport.id, after, false);
      if (!rows.length) return true;
      const last = rows[rows.length - 1]!;
      after = { groupKey: last.groupKey, rowNumber: last.rowNumber };
      const numbers = rows.map((row) => row.rowNumber);
      const stored = await em
        .fork()
        .find(DataImportProblem, { dataImport: dataImport.id, rowNumber: { $in: numbers } }, { fields: ['rowNumber', 'severity', 'code'] });
      const hasErrorStored = new Set(stored.filter((found) => found.severity === ImportProblemSeverity.ERROR).map((found) => found.rowNumber));
      const already = await this.alreadyWritten(em, dataImport, [...new Set(rows.map((row) => row.contentHash))]);
      const writtenAs = groupsWrittenAs(rows, already);
      const newProblems: StoredProblem[] = [];
      const inputs: ImportRowInput<unknown>[] = [];
      for (const row of rows) {
        const previous = already.get(row.contentHash);
        if (previous && !hasErrorStored.has(row.rowNumber)) {
          newProblems.push({
            rowNumber: row.rowNumber,
            column: null,
            severity: ImportProblemSeverity.WARNING,
            code: 'ALREADY_IMPORTED',
            message: `已由导入#${previous.importId}第${previous.rowNumber}行写入`,
            accepted: true,
          });
          continue;
        }
        if (row.payload && !hasErrorStored.has(row.rowNumber))
          inputs.push({ rowNumber: row.rowNumber, values: JSON.parse(row.payload) as unknown, problems: [], groupWrittenAs: writtenAs.get(row.groupKey) });
      }
      if (inputs.length) await definition.check(em.fork(), inputs, context);
      for (const input of inputs) for (const problem of input.problems) newProblems.push({ ...problem, rowNumber: input.rowNumber });

      // A group is written whole: a row with an error keeps the group's other rows out.
      const errorRows = new Set([
        ...hasErrorStored,
        ...newProblems.filter((found) => found.severity === ImportProblemSeverity.ERROR).map((found) => found.rowNumber),
      ]);
      const alreadyRows = new Set(newProblems.filter((found) => found.code === 'ALREADY_IMPORTED').map((found) => found.rowNumber));
      const byGroup = new Map<string, StoredRow[]>();
      for (const row of rows) {
        const members = byGroup.get(row.groupKey);
        if (members) members.push(row);
        else byGroup.set(row.groupKey, [row]);
      }
      for (const members of byGroup.values()) {
        const failing = members.filter((row) => errorRows.has(row.rowNumber));
        if (!failing.length) continue;
        for (const row of members) {
          if (errorRows.has(row.rowNumber) || alreadyRows.has(row.rowNumber)) continue;
          newProblems.push({
            rowNumber: row.rowNumber,
            column: null,
            severity: ImportProblemSeverity.ERROR,
            code: 'GROUP_HAS_ERRORS',
            message: `与第${failing.map((found) => found.rowNumber).join('、')}行同属一户（一组），那一行有错误，本组暂不导入`,
          });
          errorRows.add(row.rowNumber);
        }
      }
      const warned = new Set([
        ...stored.filter((found) => found.severity === ImportProblemSeverity.WARNING && !NOTE_CODES.has(found.code)).map((found) => found.rowNumber),
        ...newProblems.filter((found) => found.severity === ImportProblemSeverity.WARNING && !found.accepted).map((found) => found.rowNumber),
      ]);
      done += rows.length;
      const ok = await em.fork().transactional(async (tx) => {
        if (!(await this.renew(tx, dataImport.id, ImportState.CHECKING, { rowsDone: done }))) return false;
        await this.insertProblems(
          tx,
          newProblems.map((found) => this.problemRow(dataImport.id, found, this.headerOf(layout, found.column))),
        );
        const byVerdict: Record<ImportRowVerdict, number[]> = { READY: [], WARNING: [], ERROR: [] };
        for (const row of rows) {
          const verdict = errorRows.has(row.rowNumber) ? ImportRowVerdict.ERROR : warned.has(row.rowNumber) ? ImportRowVerdict.WARNING : ImportRowVerdict.READY;
          byVerdict[verdict].push(row.id);
        }
        for (const [verdict, ids] of Object.entries(byVerdict) as [ImportRowVerdict, number[]][]) {
          if (ids.length) await tx.nativeUpdate(DataImportRow, { id: { $in: ids } }, { verdict });
        }
        return true;
      });
      if (!ok) return false;
    }
  }

  /** The counts, from the rows themselves (one grouped query), so they are right however often a step was resumed. */
  async tally(importId: number, em: Em = this.orm.em.fork()): Promise<void> {
    const rows = await em.execute<{ verdict: string | null; accepted: number | boolean; outcome: string | null; n: number | string }[]>(
      'select verdict, accepted, outcome, count(*) as n from data_import_row where data_import_id = ? group by verdict, accepted, outcome',
      [importId],
    );
    const counts = { readyCount: 0, warningCount: 0, acceptedCount: 0, refusedCount: 0, createdCount: 0, updatedCount: 0, unchangedCount: 0 };
    for (const row of rows) {
      const n = Number(row.n);
      const accepted = row.accepted === true || Number(row.accepted) === 1;
      if (row.verdict === ImportRowVerdict.READY) counts.readyCount += n;
      if (row.verdict === ImportRowVerdict.WARNING) {
        counts.warningCount += n;
        if (accepted) counts.acceptedCount += n;
      }
      if (row.verdict === ImportRowVerdict.ERROR || row.outcome === ImportRowOutcome.REFUSED) counts.refusedCount += n;
      if (row.outcome === ImportRowOutcome.CREATED) counts.createdCount += n;
      if (row.outcome === ImportRowOutcome.UPDATED) counts.updatedCount += n;
      if (row.outcome === ImportRowOutcome.UNCHANGED) counts.unchangedCount += n;
    }
    await em.nativeUpdate(DataImport, { id: importId }, counts);
  }

  // ---------------------------------------------------------------- the commit

  /**
   * The commit, if this instance takes the lease: from CHECKED, or resuming a COMMITTING import whose
   * holder died. Each batch of whole groups is one transaction: renew the lease, re-check the rows,
   * write those that pass, mark every row of the batch with its outcome, add to the counts.
   */
  async commit(importId: number, hooks: CommitHooks = {}, leased = false): Promise<void> {
    if (!leased && !(await this.takeLease(importId, [ImportState.CHECKED, ImportState.COMMITTING], ImportState.COMMITTING))) return;
    const em = this.orm.em.fork();
    const dataImport = await em.findOneOrFail(DataImport, importId, { populate: ['scopeRegion'] });
    const definition = this.kindOf(dataImport.kind);
    try {
      if (!definition) throw new CheckFailure('这类导入尚未开放');
      const layout = JSON.parse(dataImport.layout ?? 'null') as ImportLayout | null;
      if (!layout) throw new CheckFailure('导入尚未检查');
      const context = await this.contextOf(em, dataImport, 'commit');
      const changedFields = new Set<string>();
      let batchNumber = 0;
      // Keyset over the (import, group, row) index from where the last batch ended; a resumed commit starts
      // at the beginning and skips what is marked done.
      let after: { groupKey: string; rowNumber: number } | null = null;
      for (;;) {
        const rows = await this.nextGroups(em.fork(), importId, after, true);
        if (!rows.length) break;
        const last = rows[rows.length - 1]!;
        after = { groupKey: last.groupKey, rowNumber: last.rowNumber };
        batchNumber += 1;
        const ok = await this.orm.em.fork().transactional(async (tx) => {
          // Batches of imports into one scope take turns (the scope region's row, locked first, before any
          // plain read takes the snapshot): a second import of the same file then sees the first's rows
          // written, and writes none twice (review item 8; SQLite serialises writers on its own).
          await lockForUpdate(tx, Region, dataImport.scopeRegion.id);
          if (!(await this.renew(tx, importId, ImportState.COMMITTING))) return false;
          await this.commitBatch(tx, dataImport, definition, layout, context, rows, changedFields);
          return true;
        });
        if (!ok) return;
        hooks.afterBatch?.(batchNumber);
      }
      await this.orm.em.fork().transactional(async (tx) => {
        await this.tally(importId, tx);
        const done = await tx.findOneOrFail(DataImport, importId);
        const updated = await tx.find(
          DataImportRow,
          { dataImport: importId, outcome: ImportRowOutcome.UPDATED },
          { fields: ['entityName', 'entityId'], limit: 500, orderBy: { rowNumber: 'asc' } },
        );
        recordAudit(tx, context.writer, {
          operation: 'commitImport',
          entityName: 'DataImport',
          entityId: importId,
          regionPath: dataImport.scopePath,
          changes: {
            kind: dataImport.kind,
            mode: dataImport.mode,
            fileName: dataImport.fileName,
            fileHash: dataImport.fileHash,
            rows: done.rowsTotal,
            created: done.createdCount,
            updated: done.updatedCount,
            unchanged: done.unchangedCount,
            refused: done.refusedCount,
            updatedRecords: updated.map((row) => `${row.entityName}#${row.entityId}`),
            changedFields: [...changedFields].sort(),
          },
        });
        await tx.flush();
        await tx.nativeUpdate(
          DataImport,
          { id: importId, leaseOwner: this.owner },
          { state: ImportState.COMMITTED, committedAt: this.clock.now(), leaseOwner: null, leaseUntil: null, rowsDone: done.rowsTotal ?? 0 },
        );
      });
    } catch (error) {
      if (error instanceof SimulatedCrash) throw error;
      this.logger.error({ err: error, importId }, 'import commit failed');
      const failure = error instanceof CheckFailure ? error.message : '写入时出错：已写入的行保留，可再次点击“导入”继续';
      // What was written stays written (each batch committed whole); a later commitImport goes on from there.
      await this.finish(importId, { state: error instanceof CheckFailure ? ImportState.FAILED : ImportState.CHECKED, failure });
    }
  }

  private async commitBatch(
    tx: Em,
    dataImport: DataImport,
    definition: ImportKindDefinition<unknown>,
    layout: ImportLayout,
    context: ImportContext,
    rows: StoredRow[],
    changedFields: Set<string>,
  ): Promise<void> {
    const importId = dataImport.id;
    const numbers = rows.map((row) => row.rowNumber);
    const stored = await tx.find(DataImportProblem, { dataImport: importId, rowNumber: { $in: numbers } }, { fields: ['rowNumber', 'severity', 'code'] });
    const already = await this.alreadyWritten(tx, dataImport, [...new Set(rows.map((row) => row.contentHash))]);
    const outcome = new Map<number, { outcome: ImportRowOutcome; entityName?: string | null; entityId?: number | null }>();
    const blocked = new Set<string>();
    // The dry run's problem codes of each row, by row number (one pass, not a search per row).
    const codesOf = new Map<number, Set<string>>();
    for (const found of stored) {
      const codes = codesOf.get(found.rowNumber);
      if (codes) codes.add(found.code);
      else codesOf.set(found.rowNumber, new Set([found.code]));
    }
    for (const row of rows) {
      const previous = already.get(row.contentHash);
      if (codesOf.get(row.rowNumber)?.has('ALREADY_IMPORTED') && previous) {
        outcome.set(row.rowNumber, { outcome: ImportRowOutcome.UNCHANGED, entityName: previous.entityName, entityId: previous.entityId });
      } else if (row.verdict === ImportRowVerdict.ERROR || (row.verdict === ImportRowVerdict.WARNING && !row.accepted) || !row.payload || !row.verdict) {
        blocked.add(row.groupKey);
      }
    }
    let candidates = rows.filter((row) => !outcome.has(row.rowNumber) && !blocked.has(row.groupKey));
    const inputs = new Map<number, ImportRowInput<unknown>>();
    const writtenAs = groupsWrittenAs(rows, already);
    for (const row of candidates) {
      inputs.set(row.rowNumber, {
        rowNumber: row.rowNumber,
        values: JSON.parse(row.payload!) as unknown,
        problems: [],
        groupWrittenAs: writtenAs.get(row.groupKey),
      });
    }
    const atCommit: StoredProblem[] = [];
    if (inputs.size) {
      await definition.check(tx, [...inputs.values()], context);
      // The database may have changed since the dry run: a new error, or a warning the importer never saw, keeps the group out.
      for (const row of candidates) {
        const input = inputs.get(row.rowNumber)!;
        const seenCodes = new Set(codesOf.get(row.rowNumber) ?? []);
        // A likely duplicate within the file the importer accepted is, once its twin is written, one in the database.
        if (seenCodes.has('LIKELY_DUPLICATE_IN_FILE')) seenCodes.add('LIKELY_DUPLICATE');
        const fresh = input.problems.filter((found) => found.severity === ImportProblemSeverity.ERROR || !seenCodes.has(found.code));
        if (fresh.length) {
          blocked.add(row.groupKey);
          for (const found of fresh) atCommit.push({ ...found, rowNumber: row.rowNumber, atCommit: true });
        }
      }
      candidates = candidates.filter((row) => !blocked.has(row.groupKey));
    }
    if (candidates.length) {
      const written = await definition.write(
        tx,
        candidates.map((row) => inputs.get(row.rowNumber)!),
        context,
      );
      for (const entry of written) {
        outcome.set(entry.rowNumber, { outcome: entry.outcome as ImportRowOutcome, entityName: entry.entityName, entityId: entry.entityId });
        for (const field of entry.changedFields ?? []) changedFields.add(field);
      }
    }
    for (const row of rows) if (!outcome.has(row.rowNumber)) outcome.set(row.rowNumber, { outcome: ImportRowOutcome.REFUSED });
    await this.insertProblems(
      tx,
      atCommit.map((found) => this.problemRow(importId, found, this.headerOf(layout, found.column))),
    );
    // One UPDATE per outcome and entity name, the entity ids by CASE: a batch costs a handful of statements.
    const byKind = new Map<string, StoredRow[]>();
    for (const row of rows) {
      const result = outcome.get(row.rowNumber)!;
      const key = `${result.outcome}\u0001${result.entityName ?? ''}`;
      const list = byKind.get(key);
      if (list) list.push(row);
      else byKind.set(key, [row]);
    }
    for (const [key, list] of byKind) {
      const [kind, entityName] = key.split('\u0001') as [ImportRowOutcome, string];
      const withIds = list.filter((row) => outcome.get(row.rowNumber)!.entityId != null);
      const cases = withIds.map(() => 'when ? then ?').join(' ');
      const params: unknown[] = [kind, entityName || null];
      let sql = 'update data_import_row set outcome = ?, entity_name = ?';
      if (withIds.length) {
        sql += `, entity_id = case id ${cases} else entity_id end`;
        for (const row of withIds) params.push(row.id, outcome.get(row.rowNumber)!.entityId);
      }
      sql += ` where id in (${list.map(() => '?').join(', ')})`;
      params.push(...list.map((row) => row.id));
      await tx.execute(sql, params);
    }
    await tx.execute('update data_import set rows_done = rows_done + ? where id = ?', [rows.length, importId]);
  }

  // ---------------------------------------------------------------- resuming

  /** The scheduler's job: imports whose holder died mid-step (lease lapsed) are taken up again here. */
  async resumeLapsed(): Promise<number> {
    const now = this.clock.now();
    const lapsed = await this.orm.em
      .fork()
      .find(
        DataImport,
        { state: { $in: [ImportState.UPLOADED, ImportState.CHECKING, ImportState.COMMITTING] }, $or: [{ leaseUntil: null }, { leaseUntil: { $lte: now } }] },
        { fields: ['id', 'state'], limit: 5, orderBy: { id: 'asc' } },
      );
    for (const found of lapsed) {
      if (found.state === ImportState.COMMITTING) await this.commit(found.id);
      else await this.check(found.id);
    }
    return lapsed.length;
  }
}

/**
 * The engine of each app (createApp makes it), found by the app's configuration object: the resolvers
 * reach it through their context's `config`, the routes and the scheduler's job are handed it.
 */
const engines = new WeakMap<AppConfig, ImportEngine>();

export function registerImportEngine(config: AppConfig, engine: ImportEngine): ImportEngine {
  engines.set(config, engine);
  return engine;
}

export function importEngineOf(config: AppConfig): ImportEngine {
  const engine = engines.get(config);
  if (!engine) throw new Error('no import engine for this app (createApp registers it)');
  return engine;
}
