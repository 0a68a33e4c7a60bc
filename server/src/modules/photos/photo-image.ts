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

/** The upload is an image, but with more pixels than a phone photo needs (MAX_INPUT_PIXELS). */
export class OversizedPhotoError extends Error {}

/** libvips' format names for the types we take; anything else it can read (SVG, TIFF, GIF, PDF…) is refused. */
const FORMAT_OF: Record<PhotoMimeType, string> = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp' };

/**
 * The most pixels an upload may have, checked from its header before any pixel is decoded (and again by
 * libvips while decoding). Every upload attempt may cost a decode this large, so it is sized on what the
 * app sends, not on the largest camera: the mini-program asks WeChat for compressed photos (a few
 * megapixels), a phone's ordinary photo is 12 MP (4032 × 3024) and a 24 MP camera's 6000 × 4000 still
 * fits. A 48-50 MP "high resolution" shot is refused with a message saying so. Measured (reencodePhoto,
 * median of 5, on the 2-core build machine under load): a 60 MP PNG of 3.5 MB 2.3-4.8 s and ≈ 700 MB of
 * memory; at 25 MP a PNG 1.2 s, a JPEG of 5.9 MB 0.9 s; a 12 MP phone JPEG 0.5 s.
 */
export const MAX_INPUT_PIXELS = 25_000_000;

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
    // The header alone (no pixel is decoded), read without the pixel limit so that a photo too large is told so.
    const metadata = await sharp(input, { limitInputPixels: false }).metadata();
    if (metadata.format !== FORMAT_OF[sniffed]) throw new UndecodablePhotoError('the file is not the image its first bytes claim');
    if ((metadata.width ?? 0) * (metadata.height ?? 0) > MAX_INPUT_PIXELS) {
      throw new OversizedPhotoError(`the photo has more than ${MAX_INPUT_PIXELS / 1_000_000} megapixels; send an ordinary (not high-resolution) photo`);
    }
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
    if (error instanceof UndecodablePhotoError || error instanceof OversizedPhotoError) throw error;
    // libvips' messages name its internals; the client only needs to know the image did not decode.
    throw new UndecodablePhotoError('the file does not decode as a JPEG, PNG or WebP image');
  }
}

/** The longer side, in pixels, of a photo's thumbnail: a history list shows three in a row on a phone. */
export const THUMBNAIL_EDGE = 320;

/**
 * The thumbnail of a stored photo: upright (autoOrient, in case a photo stored by an older version still
 * carried its orientation), at most THUMBNAIL_EDGE on its longer side, a JPEG of quality 75 on white (a
 * PNG's transparency has no JPEG equivalent), with no metadata (sharp writes none unless asked). Made
 * from the stored photo, never from an upload, so it decodes what this server encoded.
 */
export async function makeThumbnail(storedPhoto: Buffer): Promise<Buffer> {
  return sharp(storedPhoto, { failOn: 'warning', limitInputPixels: MAX_INPUT_PIXELS, animated: false })
    .autoOrient()
    .resize({ width: THUMBNAIL_EDGE, height: THUMBNAIL_EDGE, fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 75 })
    .toBuffer();
}
