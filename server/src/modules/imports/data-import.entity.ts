import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, type Opt, type Rel } from '@mikro-orm/core';
import { ImportKind, ImportMode, ImportProblemSeverity, ImportState } from '@wanjia/shared';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { UserAccount } from '../accounts/user-account.entity';
import { Region } from '../regions/region.entity';

/** How the uploaded file is read again (the check, the commit's resume, the report). */
export type ImportFileFormat = 'xlsx' | 'csv';

/**
 * One upload of a spreadsheet (issue 16): the file (kept under IMPORT_DIR by id), who uploaded it and the
 * scope it imports into (the importer's scope at upload), its state, its counts and the lease of the
 * instance working on it. The dry run and the commit only ever write this row and its rows, keys and
 * problems until the commit's batches write the records themselves.
 */
@Entity({ tableName: 'data_import' })
@Index({ properties: ['scopePath', 'id'], name: 'data_import_scope_index' })
@Index({ properties: ['state', 'leaseUntil'], name: 'data_import_state_lease_index' })
@ObjectType('DataImport', { description: 'An upload of a spreadsheet to import (导入): its state, counts and problems.' })
export class DataImport {
  @Field(() => ID)
  @PrimaryKey()
  id!: number;

  @Field(() => ImportKind)
  @Enum({ items: () => ImportKind })
  kind!: ImportKind;

  @Field(() => ImportMode)
  @Enum({ items: () => ImportMode })
  mode!: ImportMode;

  @Field(() => ImportState)
  @Enum({ items: () => ImportState })
  state: ImportState & Opt = ImportState.UPLOADED;

  @Field({ description: 'The file name as uploaded.' })
  @Property({ length: 255 })
  fileName!: string;

  @Field({ description: 'SHA-256 of the uploaded bytes (hex).' })
  @Property({ length: 64 })
  fileHash!: string;

  @Property({ type: 'string', length: 8 })
  fileFormat!: ImportFileFormat;

  /** A CSV's encoding as detected ('utf-8', 'gb18030'): the report is written back in it. */
  @Property({ type: 'string', length: 16, nullable: true })
  csvEncoding?: string | null;

  @ManyToOne(() => UserAccount)
  createdBy!: Rel<UserAccount>;

  /** The importer's scope at upload; everything the file names must lie in it. */
  @ManyToOne(() => Region)
  scopeRegion!: Rel<Region>;

  /** The scope's region path, kept on the row so that lists are scoped with one index range. */
  @Property({ length: 255 })
  scopePath!: string;

  /**
   * The file's header row as JSON: `{ row, headers: [text…], columns: { key: index } }`, set by the first
   * read; problems and the report name each column as the file has it.
   */
  @Property({ type: 'text', nullable: true })
  layout?: string | null;

  @Field(() => Int, { nullable: true, description: 'Data rows in the file, once read.' })
  @Property({ type: 'integer', nullable: true })
  rowsTotal?: number | null;

  @Field(() => Int, { description: 'Progress of the step under way: rows read or checked (CHECKING), rows written (COMMITTING).' })
  @Property({ type: 'integer', default: 0 })
  rowsDone: number & Opt = 0;

  @Property({ type: 'integer', default: 0 })
  readyCount: number & Opt = 0;

  @Property({ type: 'integer', default: 0 })
  warningCount: number & Opt = 0;

  @Property({ type: 'integer', default: 0 })
  acceptedCount: number & Opt = 0;

  @Property({ type: 'integer', default: 0 })
  refusedCount: number & Opt = 0;

  @Property({ type: 'integer', default: 0 })
  createdCount: number & Opt = 0;

  @Property({ type: 'integer', default: 0 })
  updatedCount: number & Opt = 0;

  @Property({ type: 'integer', default: 0 })
  unchangedCount: number & Opt = 0;

  @Field(() => String, { nullable: true, description: 'Why the check or the commit failed as a whole (a missing column, an unreadable file), in Chinese.' })
  @Property({ type: 'string', length: 500, nullable: true })
  failure?: string | null;

  /** The instance working on the import and until when; a lapsed lease lets another instance resume. */
  @Property({ type: 'string', length: 64, nullable: true })
  leaseOwner?: string | null;

  @Property({ type: 'Date', length: 3, nullable: true })
  leaseUntil?: Date | null;

  @Field(() => Date)
  @Property({ type: 'Date', length: 3 })
  createdAt: Date & Opt = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'Date', length: 3, nullable: true })
  checkedAt?: Date | null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'Date', length: 3, nullable: true })
  committedAt?: Date | null;

  @Property({ type: 'Date', length: 3, onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}

/** What the dry run made of a row. */
export enum ImportRowVerdict {
  READY = 'READY',
  WARNING = 'WARNING',
  ERROR = 'ERROR',
}

/** What a row became at commit: written (created, updated), found written before (unchanged), or not written. */
export enum ImportRowOutcome {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  UNCHANGED = 'UNCHANGED',
  REFUSED = 'REFUSED',
}

/**
 * A data row of an import: its parsed values (payload, JSON) between the dry run and the commit, the hash
 * of its cells (the same row imported again is found by it), the dry run's verdict, and what it became:
 * the outcome and the record it wrote (entity_name, entity_id), so that every record created or updated
 * by an import is traceable to the import and the row.
 */
@Entity({ tableName: 'data_import_row' })
@Unique({ properties: ['dataImport', 'rowNumber'], name: 'data_import_row_import_row_unique' })
@Index({ properties: ['dataImport', 'groupKey', 'rowNumber'], name: 'data_import_row_import_group_index' })
@Index({ properties: ['dataImport', 'outcome'], name: 'data_import_row_import_outcome_index' })
@Index({ properties: ['contentHash'], name: 'data_import_row_content_hash_index' })
@Index({ properties: ['entityName', 'entityId'], name: 'data_import_row_entity_index' })
export class DataImportRow {
  @PrimaryKey()
  id!: number;

  @ManyToOne(() => DataImport)
  dataImport!: Rel<DataImport>;

  /** The row's number in the file (the header row is 1 in a template). */
  @Property({ type: 'integer' })
  rowNumber!: number;

  /** Rows written together (a household's members) share it; by default the row number. */
  @Property({ type: 'string', length: 191 })
  groupKey!: string;

  /** The kind's parsed values (JSON); null when the row could not be parsed. */
  @Property({ type: 'text', nullable: true })
  payload?: string | null;

  /** SHA-256 of the kind and the row's cells, normalised: the same row uploaded again has the same hash. */
  @Property({ type: 'string', length: 64 })
  contentHash!: string;

  @Enum({ items: () => ImportRowVerdict, nullable: true })
  verdict?: ImportRowVerdict | null;

  /** The importer accepted the row's warnings. */
  @Property({ type: 'boolean', default: false })
  accepted: boolean & Opt = false;

  /** Set by the commit's transaction that wrote (or refused) the row: set means done. */
  @Enum({ items: () => ImportRowOutcome, nullable: true })
  outcome?: ImportRowOutcome | null;

  @Property({ type: 'string', length: 64, nullable: true })
  entityName?: string | null;

  @Property({ type: 'integer', nullable: true })
  entityId?: number | null;
}

/**
 * A row's key for duplicates within the file (kind.keys: `id:…`, `name+address:…`), hashed: the dry run
 * finds rows sharing a key with one grouped query over the import's keys, so memory does not grow with
 * the file.
 */
@Entity({ tableName: 'data_import_key' })
@Index({ properties: ['dataImport', 'keyHash', 'rowNumber'], name: 'data_import_key_import_hash_index' })
export class DataImportKey {
  @PrimaryKey()
  id!: number;

  @ManyToOne(() => DataImport)
  dataImport!: Rel<DataImport>;

  @Property({ type: 'string', length: 64 })
  keyHash!: string;

  /** An `id:` key: rows sharing it are errors; other keys are warnings. */
  @Property({ type: 'boolean' })
  exact!: boolean;

  /** The key's sort (`id`, `name+address`…), for the message. */
  @Property({ type: 'string', length: 32 })
  sort!: string;

  @Property({ type: 'integer' })
  rowNumber!: number;

  @Property({ type: 'string', length: 191 })
  groupKey!: string;
}

/** A problem found in a row (or in the file's header row): row, column as the file has it, what is wrong. */
@Entity({ tableName: 'data_import_problem' })
@Index({ properties: ['dataImport', 'rowNumber', 'id'], name: 'data_import_problem_import_row_index' })
@Index({ properties: ['dataImport', 'severity', 'id'], name: 'data_import_problem_import_severity_index' })
@ObjectType('DataImportProblem', { description: 'A problem of a row of an import (or of its header row), in Chinese.' })
export class DataImportProblem {
  @Field(() => ID)
  @PrimaryKey()
  id!: number;

  @ManyToOne(() => DataImport)
  dataImport!: Rel<DataImport>;

  @Field(() => Int, { description: "The row's number in the file." })
  @Property({ type: 'integer' })
  rowNumber!: number;

  @Field(() => String, { nullable: true, description: 'The header as the file has it; null for the row as a whole.' })
  @Property({ type: 'string', length: 255, nullable: true })
  column?: string | null;

  @Field(() => ImportProblemSeverity)
  @Enum({ items: () => ImportProblemSeverity })
  severity!: ImportProblemSeverity;

  @Field({ description: 'A stable code: ID_CHECK_DIGIT, NOT_IN_LIST, OUT_OF_SCOPE, DUPLICATE_IN_FILE…' })
  @Property({ length: 40 })
  code!: string;

  @Field()
  @Property({ length: 500 })
  message!: string;

  /** Where a duplicate elsewhere in the city is: for the city's administrators only (the type resolves it). */
  @Property({ type: 'string', length: 255, nullable: true })
  cityDetail?: string | null;

  /** Whether the importer accepted it (warnings only); copied from the row when warnings are accepted. */
  @Field(() => Boolean)
  @Property({ type: 'boolean', default: false })
  accepted: boolean & Opt = false;

  /** Found by the commit's re-check (the database changed since the dry run). */
  @Property({ type: 'boolean', default: false })
  atCommit: boolean & Opt = false;
}
