import type { ImportKind, ImportMode, ImportProblemSeverity } from '@wanjia/shared';
import type { StaffActor } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import type { ResidentWriter } from '../households/duplicate-id-guard';

/**
 * What the import engine asks of each kind of spreadsheet (issue 16). The engine reads the file,
 * matches headers to columns, stores each row, finds duplicates within the file from the rows' keys,
 * batches, runs the transactions and keeps the counts; a kind knows its columns and its rules.
 */

/** A column of a kind's template, and how a file's header is recognised as it. */
export interface ImportColumn {
  /** What the kind's code reads the cell by (camelCase, stable). */
  key: string;
  /** The Chinese header the template writes. */
  header: string;
  /** Other headers offices write for the same column; matched, like `header`, after normalising width and spaces. */
  aliases?: readonly string[];
  required: boolean;
  /** The template's example row. */
  example: string;
  /** The enumerated values as a file writes them (Chinese labels): the template's drop-down list. */
  choices?: readonly string[];
  /** A short note for the template's header comment (format, what may be left empty). */
  hint?: string;
  /** Typed as text in the template, so that a spreadsheet keeps 18-digit ID numbers and leading zeros. */
  text?: boolean;
}

/** One row's cells by column key: trimmed text, '' for an empty or absent cell. */
export type Cells = Readonly<Record<string, string>>;

export interface RowProblem {
  /** The column key at fault, or null for the row as a whole; reports show the file's own header for it. */
  column: string | null;
  severity: ImportProblemSeverity;
  /** A stable machine code: ID_CHECK_DIGIT, BIRTH_DATE_MISMATCH, NOT_IN_LIST, OUT_OF_SCOPE, DUPLICATE_IN_FILE… */
  code: string;
  /** What is wrong, in Chinese, for the office that fixes the file. */
  message: string;
  /**
   * For the city's administrators only: where the other record is (DUPLICATE_ELSEWHERE). Never shown,
   * exported or logged for anyone else.
   */
  cityDetail?: string;
}

/** A row as the kind's checks and writer see it: its row number in the file, its parsed values, its problems so far. */
export interface ImportRowInput<V> {
  rowNumber: number;
  values: V;
  /** Pushed to by `check`; a row with an ERROR, or a WARNING not accepted, is not written. */
  problems: RowProblem[];
  /**
   * Set when other rows of the row's group were written by an earlier import (the same file uploaded again
   * with a member added): what one of them became, so that the kind adds to that record's group (the
   * household) instead of creating a second one.
   */
  groupWrittenAs?: { entityName: string; entityId: number };
}

/** What a row became at commit, for the traceability of each record to its import and row. */
export interface RowWritten {
  rowNumber: number;
  outcome: 'CREATED' | 'UPDATED' | 'UNCHANGED';
  entityName: string;
  entityId: number;
  /** UPDATED: the fields that changed (names only, never values); the import's audit entry lists them. */
  changedFields?: string[];
}

export interface ImportContext {
  importId: number;
  /** The importer: an administrator; everything the file names must lie in `actor.scopePath`. */
  actor: StaffActor;
  /** The importer as the audit trail and the duplicate-ID guard take it. */
  writer: ResidentWriter;
  mode: ImportMode;
  /** True for the city's administrators: they are told where a duplicate elsewhere is. */
  cityWide: boolean;
  /** "Today" in Asia/Shanghai (YYYY-MM-DD), from the injected clock. */
  today: string;
  /**
   * Which call this is: the dry run's check, or the commit's re-check inside its transaction. Checks that
   * write beside the import (the audited cross-district finding) or cost a budget run in the dry run only.
   */
  phase: 'dryRun' | 'commit';
}

export interface ImportKindDefinition<V> {
  kind: ImportKind;
  /** The template's sheet name and title, in Chinese. */
  title: string;
  columns: readonly ImportColumn[];
  /** Whether ImportMode.UPDATE_EXISTING means anything for this kind. */
  supportsUpdate: boolean;
  /**
   * One row's checks that need no database: required cells, formats (ID check digit, birth date against
   * the ID number, phone, dates), enumerated values. Pushes problems; null when the row cannot be used.
   * The values must survive JSON (the engine stores them between the dry run and the commit).
   */
  parse(cells: Cells, problems: RowProblem[]): V | null;
  /** Rows written together (a household's members); by default each row is its own group. */
  groupKey?(values: V): string;
  /**
   * The row's keys for duplicates within the file, each prefixed with its sort (`id:`, `name+address:`,
   * `head+phone:`): rows that share an `id:` key are errors, rows that share another key are warnings.
   */
  keys(values: V): { exact: string[]; likely: string[] };
  /**
   * A batch's checks against the database: what it names exists and lies in the importer's scope,
   * duplicates against the database. Called by the dry run, and again inside each commit transaction
   * (the database may have changed since), on the same rows.
   */
  check(em: Em, rows: ImportRowInput<V>[], context: ImportContext): Promise<void>;
  /** Writes the batch's rows that passed, in the engine's transaction; says what each became. */
  write(tx: Em, rows: ImportRowInput<V>[], context: ImportContext): Promise<RowWritten[]>;
}
