import sharp from 'sharp';
import { sniffImageType } from './photo-storage';

/** What is stored of an upload: a freshly encoded image, never the bytes the client sent. */
export interface ReencodedPhoto {
  bytes: Buffer;
  mimeType: PhotoMimeType;
  width: number;
  height: number;
}

export type PhotoMimeType = 'image/jpeg' | 'image/png' | 'image/webp';

/** The upload is not a JPEG, PNG or WebP image that decodes whole. */
export class UndecodablePhotoError extends Error {}

/** libvips' format names for the types we take; anything else it can read (SVG, TIFF, GIF, PDF…) is refused. */
const FORMAT_OF: Record<PhotoMimeType, string> = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp' };

/**
 * A decompression bomb (a small file that claims a huge canvas) is refused before its pixels are
 * decoded: 60 megapixels is above any phone camera (a 50 MP sensor is 8160 × 6120).
 */
const MAX_INPUT_PIXELS = 60_000_000;

/**
 * Decodes an upload and encodes it again in its own format: turned upright from its EXIF orientation,
 * scaled down to `maxEdge` pixels on its longer side, with no metadata kept (EXIF, GPS, XMP, ICC
 * comments: sharp writes none unless asked). Whatever else rode along in the file (an HTML page behind
 * a PNG header, a script after the end marker, a second image in a comment) is not in the pixels and
 * so is not in the result. Only JPEG, PNG and WebP are opened, and only when the first bytes and the
 * decoder agree on the type.
 */
export async function reencodePhoto(input: Buffer, maxEdge: number): Promise<ReencodedPhoto> {
  const sniffed = sniffImageType(input) as PhotoMimeType | null;
  if (!sniffed) throw new UndecodablePhotoError('only JPEG, PNG and WebP photos are accepted');
  try {
    // failOn 'warning' (sharp's default, stated so it stays): a truncated or corrupt file is refused, not half-decoded.
    const decoder = () => sharp(input, { failOn: 'warning', limitInputPixels: MAX_INPUT_PIXELS, animated: false });
    const metadata = await decoder().metadata();
    if (metadata.format !== FORMAT_OF[sniffed]) throw new UndecodablePhotoError('the file is not the image its first bytes claim');
    let pipeline = decoder().autoOrient().resize({ width: maxEdge, height: maxEdge, fit: 'inside', withoutEnlargement: true });
    pipeline =
      sniffed === 'image/jpeg'
        ? pipeline.jpeg({ quality: 85 })
        : sniffed === 'image/png'
          ? pipeline.png({ compressionLevel: 6 })
          : pipeline.webp({ quality: 85 });
    const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
    return { bytes: data, mimeType: sniffed, width: info.width, height: info.height };
  } catch (error) {
    if (error instanceof UndecodablePhotoError) throw error;
    // libvips' messages name its internals; the client only needs to know the image did not decode.
    throw new UndecodablePhotoError('the file does not decode as a JPEG, PNG or WebP image');
  }
}
