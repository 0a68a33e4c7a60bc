import fs from 'node:fs/promises';
import path from 'node:path';

/** Where photo bytes live. Local disk today; an object store implements the same three calls. */
export interface PhotoStorage {
  put(id: string, bytes: Buffer): Promise<void>;
  get(id: string): Promise<Buffer | null>;
  has(id: string): Promise<boolean>;
}

/**
 * Content-addressed files under a directory, fanned out by the first two hex digits. Writes go to a
 * temporary file and are renamed into place, so a reader never sees half a photo.
 */
export class LocalDiskPhotoStorage implements PhotoStorage {
  constructor(private readonly root: string) {}

  private fileOf(id: string): string {
    if (!/^[0-9a-f]{64}$/.test(id)) throw new Error('photo ids are SHA-256 hex digests');
    return path.join(this.root, id.slice(0, 2), id);
  }

  async put(id: string, bytes: Buffer): Promise<void> {
    const file = this.fileOf(id);
    if (await this.has(id)) return;
    await fs.mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
    await fs.writeFile(temporary, bytes);
    await fs.rename(temporary, file);
  }

  async get(id: string): Promise<Buffer | null> {
    try {
      return await fs.readFile(this.fileOf(id));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async has(id: string): Promise<boolean> {
    try {
      await fs.access(this.fileOf(id));
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
