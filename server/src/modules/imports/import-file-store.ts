import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AppConfig } from '../../config';
import { objectStoreOf, type S3ObjectStore } from '../../core/object-store';
import type { Logger } from '../../logger';
import type { DataImport } from './data-import.entity';

/**
 * Where an import's uploaded spreadsheet is kept between the upload, the dry run, the commit's resume and
 * the report downloads (issue 16), which may each run on another instance (issue 17): IMPORT_DIR on the
 * local disk by default, the shared bucket when OBJECT_STORAGE_URL is set.
 *
 * The readers need the file on a local disk whatever the store: an xlsx is a zip whose directory is at its
 * end (the zip-bomb pre-scan and exceljs read it by offset), so from the bucket the file is downloaded to a
 * working copy under IMPORT_DIR, checked against the SHA-256 taken at upload, read, and removed.
 */

export type StoredImportFile = Pick<DataImport, 'id' | 'fileHash' | 'fileFormat'>;

/** A local file holding the import's bytes; release() when done (removes a working copy, keeps the disk store's own file). */
export interface LocalImportFile {
  path: string;
  release(): Promise<void>;
}

export interface ImportFileStore {
  /** True when every instance sees the same files (the bucket). */
  readonly shared: boolean;
  /**
   * Keeps a vetted upload as the import's file. 'move': the local file is the store's afterwards (renamed
   * into IMPORT_DIR, or removed once in the bucket); 'copy': it is left where it is (the CLI's own file).
   */
  keep(dataImport: StoredImportFile, localFile: string, how: 'move' | 'copy'): Promise<void>;
  /** The import's file on the local disk for the readers; null when the store has none (removed, or never stored). */
  open(dataImport: StoredImportFile): Promise<LocalImportFile | null>;
  /** Removes the import's file (a file refused as a whole keeps nothing); no error when there is none. */
  remove(dataImport: StoredImportFile): Promise<void>;
}

/** The import's file name: its id, the start of its hash, its format (the same in IMPORT_DIR and in the bucket). */
export function importFileName(dataImport: StoredImportFile): string {
  return `${dataImport.id}-${dataImport.fileHash.slice(0, 16)}.${dataImport.fileFormat}`;
}

const CONTENT_TYPES: Record<StoredImportFile['fileFormat'], string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv',
};

/** IMPORT_DIR/<id>-<hash>.<format>, as before issue 17. */
export class LocalDiskImportFileStore implements ImportFileStore {
  readonly shared = false;

  constructor(private readonly dir: string) {}

  pathOf(dataImport: StoredImportFile): string {
    return path.join(this.dir, importFileName(dataImport));
  }

  async keep(dataImport: StoredImportFile, localFile: string, how: 'move' | 'copy'): Promise<void> {
    await fs.promises.mkdir(this.dir, { recursive: true });
    if (how === 'move') await fs.promises.rename(localFile, this.pathOf(dataImport));
    else await fs.promises.copyFile(localFile, this.pathOf(dataImport));
  }

  async open(dataImport: StoredImportFile): Promise<LocalImportFile | null> {
    const file = this.pathOf(dataImport);
    if (!fs.existsSync(file)) return null;
    return { path: file, release: async () => undefined };
  }

  async remove(dataImport: StoredImportFile): Promise<void> {
    await fs.promises.rm(this.pathOf(dataImport), { force: true });
  }
}

/** Working copies a killed process left behind are removed once they are this old (no step holds one that long). */
const STALE_WORKING_COPY_MS = 12 * 60 * 60_000;
const WORKING_COPY_PREFIX = 'working-';

/** The stored file's bytes are not those hashed at upload: never read (it is not what the office sent). */
export class ImportFileMismatchError extends Error {}

/**
 * `imports/<id>-<hash>.<format>` in the shared bucket. IMPORT_DIR holds only what is in flight on this
 * instance: uploads being received (`upload-….part`) and working copies being read (`working-…`).
 */
export class ObjectStoreImportFileStore implements ImportFileStore {
  readonly shared = true;

  constructor(
    private readonly store: S3ObjectStore,
    private readonly workDir: string,
    /** A stored file larger than this is not one we kept (uploads are refused past IMPORT_MAX_BYTES). */
    private readonly maxBytes: number,
    private readonly logger: Logger,
  ) {}

  keyOf(dataImport: StoredImportFile): string {
    return `imports/${importFileName(dataImport)}`;
  }

  async keep(dataImport: StoredImportFile, localFile: string, how: 'move' | 'copy'): Promise<void> {
    await this.store.putFile(this.keyOf(dataImport), localFile, CONTENT_TYPES[dataImport.fileFormat]);
    if (how === 'move') await fs.promises.rm(localFile, { force: true });
  }

  async open(dataImport: StoredImportFile): Promise<LocalImportFile | null> {
    const found = await this.store.open(this.keyOf(dataImport));
    if (!found) return null;
    await fs.promises.mkdir(this.workDir, { recursive: true });
    this.removeStaleWorkingCopies();
    const copy = path.join(this.workDir, `${WORKING_COPY_PREFIX}${randomBytes(6).toString('hex')}-${importFileName(dataImport)}`);
    const hash = createHash('sha256');
    let bytes = 0;
    const { maxBytes } = this;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        if (bytes > maxBytes) {
          done(new ImportFileMismatchError(`the stored import file is larger than IMPORT_MAX_BYTES (${maxBytes} bytes)`));
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(found.body, counted, fs.createWriteStream(copy, { mode: 0o600 }));
      if (hash.digest('hex') !== dataImport.fileHash) throw new ImportFileMismatchError('the stored import file does not match the SHA-256 taken at upload');
    } catch (error) {
      await fs.promises.rm(copy, { force: true });
      if (error instanceof ImportFileMismatchError) throw error;
      // The bucket broke off mid-download: as unavailable as if it had not answered.
      throw this.store.unavailableError('get', this.keyOf(dataImport), error);
    }
    return { path: copy, release: () => fs.promises.rm(copy, { force: true }) };
  }

  async remove(dataImport: StoredImportFile): Promise<void> {
    await this.store.remove(this.keyOf(dataImport));
  }

  /** Best effort, in the background: the working copies of a process killed mid-read. */
  private removeStaleWorkingCopies(): void {
    void (async () => {
      const now = Date.now();
      for (const name of await fs.promises.readdir(this.workDir)) {
        if (!name.startsWith(WORKING_COPY_PREFIX)) continue;
        const file = path.join(this.workDir, name);
        const { mtimeMs } = await fs.promises.stat(file).catch(() => ({ mtimeMs: now }));
        if (now - mtimeMs > STALE_WORKING_COPY_MS) await fs.promises.rm(file, { force: true });
      }
    })().catch((error: unknown) => this.logger.warn({ err: error, dir: this.workDir }, 'stale import working copies could not be removed'));
  }
}

/** The import file store the configuration names: the shared bucket when OBJECT_STORAGE_URL is set, else IMPORT_DIR. */
export function importFileStoreFor(config: Pick<AppConfig, 'objectStorage' | 'imports'>, logger: Logger): ImportFileStore {
  const store = objectStoreOf(config, logger);
  return store ? new ObjectStoreImportFileStore(store, config.imports.dir, config.imports.maxBytes, logger) : new LocalDiskImportFileStore(config.imports.dir);
}
