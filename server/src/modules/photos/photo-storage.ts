import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { AppConfig } from '../../config';
import { objectStoreOf, type S3ObjectStore, type StoredObjectStream } from '../../core/object-store';
import type { Logger } from '../../logger';

/**
 * Which image of a photo: the stored (re-encoded) photo, or its thumbnail (THUMBNAIL_EDGE, JPEG), kept
 * beside it under a key derived from the photo's id. The shared bucket keys them `photos/<id>` and `photos/<id>.thumb.jpg`.
 */
export type PhotoVariant = 'original' | 'thumbnail';

/**
 * Where photo bytes live: the local disk (the embedded default) or the S3-compatible bucket every instance
 * shares (OBJECT_STORAGE_URL). Null and false mean "no such image"; a store that cannot answer throws
 * (the object store's ObjectStoreUnavailableError, a 503 with Retry-After).
 */
export interface PhotoStorage {
  /** Writes once: an image already stored under the key is kept (a photo's images never change). */
  put(id: string, bytes: Buffer, variant?: PhotoVariant): Promise<void>;
  /** The whole image (making a thumbnail needs it whole). */
  get(id: string, variant?: PhotoVariant): Promise<Buffer | null>;
  /** The image as a stream, to send on as it is read (the downloads). */
  open(id: string, variant?: PhotoVariant): Promise<StoredObjectStream | null>;
  has(id: string, variant?: PhotoVariant): Promise<boolean>;
}

function assertPhotoId(id: string): void {
  // The key is built from it: nothing but a digest may reach a path or an object key.
  if (!/^[0-9a-f]{64}$/.test(id)) throw new Error('photo ids are SHA-256 hex digests');
}

/** The suffix a thumbnail's key adds to its photo's id (the same for every storage). */
export const THUMBNAIL_KEY_SUFFIX = '.thumb.jpg';

/**
 * Content-addressed files under a directory, fanned out by the first two hex digits. Writes go to a
 * temporary file and are renamed into place, so a reader never sees half a photo.
 */
export class LocalDiskPhotoStorage implements PhotoStorage {
  constructor(private readonly root: string) {}

  private fileOf(id: string, variant: PhotoVariant): string {
    assertPhotoId(id);
    return path.join(this.root, id.slice(0, 2), variant === 'thumbnail' ? `${id}${THUMBNAIL_KEY_SUFFIX}` : id);
  }

  /** Writes once: bytes already stored under the key are kept (a photo's images never change). */
  async put(id: string, bytes: Buffer, variant: PhotoVariant = 'original'): Promise<void> {
    const file = this.fileOf(id, variant);
    if (await this.has(id, variant)) return;
    await fs.mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
    await fs.writeFile(temporary, bytes);
    await fs.rename(temporary, file);
  }

  async get(id: string, variant: PhotoVariant = 'original'): Promise<Buffer | null> {
    try {
      return await fs.readFile(this.fileOf(id, variant));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async open(id: string, variant: PhotoVariant = 'original'): Promise<StoredObjectStream | null> {
    let handle: fs.FileHandle;
    try {
      // Opened here, not by createReadStream, so that a missing file is null now rather than a stream error later.
      handle = await fs.open(this.fileOf(id, variant), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const { size } = await handle.stat();
    return { body: handle.createReadStream() as Readable, bytes: size };
  }

  async has(id: string, variant: PhotoVariant = 'original'): Promise<boolean> {
    try {
      await fs.access(this.fileOf(id, variant));
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * Photos in the shared bucket, under `photos/<id>` and `photos/<id>.thumb.jpg` (the same key derivation as
 * the disk's, without its fan-out folders, which an object store does not need). A PUT is atomic, so a
 * reader never sees half a photo; "writes once" is a HEAD before the PUT (the bytes under a
 * content-addressed key are the same whoever writes them, so two instances racing both write the same).
 */
export class ObjectStorePhotoStorage implements PhotoStorage {
  constructor(private readonly store: S3ObjectStore) {}

  private keyOf(id: string, variant: PhotoVariant): string {
    assertPhotoId(id);
    return `photos/${variant === 'thumbnail' ? `${id}${THUMBNAIL_KEY_SUFFIX}` : id}`;
  }

  async put(id: string, bytes: Buffer, variant: PhotoVariant = 'original'): Promise<void> {
    const key = this.keyOf(id, variant);
    if (await this.store.exists(key)) return;
    // The stored type is only informative (the routes send the photo row's type); sniffed, not trusted from the client.
    await this.store.putBytes(key, bytes, variant === 'thumbnail' ? 'image/jpeg' : (sniffImageType(bytes) ?? 'application/octet-stream'));
  }

  async get(id: string, variant: PhotoVariant = 'original'): Promise<Buffer | null> {
    return this.store.getBytes(this.keyOf(id, variant));
  }

  async open(id: string, variant: PhotoVariant = 'original'): Promise<StoredObjectStream | null> {
    return this.store.open(this.keyOf(id, variant));
  }

  async has(id: string, variant: PhotoVariant = 'original'): Promise<boolean> {
    return this.store.exists(this.keyOf(id, variant));
  }
}

/** The photo storage the configuration names: the shared bucket when OBJECT_STORAGE_URL is set, else PHOTO_DIR. */
export function photoStorageFor(config: Pick<AppConfig, 'objectStorage' | 'photos'>, logger: Logger): PhotoStorage {
  const store = objectStoreOf(config, logger);
  return store ? new ObjectStorePhotoStorage(store) : new LocalDiskPhotoStorage(config.photos.dir);
}

/** The image types a phone camera produces, recognised by their first bytes rather than by the name. */
export function sniffImageType(bytes: Buffer): string | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length >= 12 && bytes.toString('ascii', 0, 4) === 'RIFF' && bytes.toString('ascii', 8, 12) === 'WEBP') return 'image/webp';
  return null;
}
