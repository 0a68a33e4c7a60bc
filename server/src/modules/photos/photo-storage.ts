import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Which image of a photo: the stored (re-encoded) photo, or its thumbnail (THUMBNAIL_EDGE, JPEG), kept
 * beside it under a key derived from the photo's id. An object store keys them `<id>` and `<id>.thumb.jpg`.
 */
export type PhotoVariant = 'original' | 'thumbnail';

/** Where photo bytes live. Local disk today; an object store implements the same three calls. */
export interface PhotoStorage {
  put(id: string, bytes: Buffer, variant?: PhotoVariant): Promise<void>;
  get(id: string, variant?: PhotoVariant): Promise<Buffer | null>;
  has(id: string, variant?: PhotoVariant): Promise<boolean>;
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
    if (!/^[0-9a-f]{64}$/.test(id)) throw new Error('photo ids are SHA-256 hex digests');
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

  async has(id: string, variant: PhotoVariant = 'original'): Promise<boolean> {
    try {
      await fs.access(this.fileOf(id, variant));
      return true;
    } catch {
      return false;
    }
  }
}

/** The image types a phone camera produces, recognised by their first bytes rather than by the name. */
export function sniffImageType(bytes: Buffer): string | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length >= 12 && bytes.toString('ascii', 0, 4) === 'RIFF' && bytes.toString('ascii', 8, 12) === 'WEBP') return 'image/webp';
  return null;
}
