import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { raw } from '@mikro-orm/core';
import Busboy from 'busboy';
import express, { type Request, type Response } from 'express';
import type { AppConfig } from '../../config';
import type { Em, Orm } from '../../core/entity-manager';
import { BadUserInputError, ConflictError, DomainError, ErrorCode, TooManyRequestsError } from '../../core/errors';
import { assertAllowed } from '../../core/policy';
import { likeContaining } from '../../core/sql-like';
import { DAY_MS } from '../../core/time';
import { sendProblem } from '../../http/problem-response';
import type { Logger } from '../../logger';
import { UserAccount } from '../accounts/user-account.entity';
import { actorFromBearer } from '../auth/bearer-token.guard';
import { HelpRecord } from '../help-records/help-record.entity';
import { householdPolicy } from '../households/household.policy';
import { Photo } from './photo.entity';
import { photoPolicy } from './photo.policy';
import { makeThumbnail, OversizedPhotoError, reencodePhoto, UndecodablePhotoError } from './photo-image';
import type { RateLimits } from '../../graphql/limits/rate-limits';
import type { PhotoStorage } from './photo-storage';
import type { StoredObjectStream } from '../../core/object-store';

/** A photo or thumbnail opened on its own is a picture: no scripts, no plugins, no frames. */
const PHOTO_CONTENT_SECURITY_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox";

/** The multipart field the photo comes in: what Taro.uploadFile sends, and what refusals name. */
const UPLOAD_FIELD = 'file';

class PhotoNotFoundError extends DomainError {
  constructor() {
    super(ErrorCode.NOT_FOUND, 'no such photo');
  }
}

/** Reads the single file part of a multipart body, refusing it as soon as it passes the size limit. */
function readUpload(request: Request, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let parser: Busboy.Busboy;
    try {
      parser = Busboy({ headers: request.headers, limits: { files: 1, fileSize: maxBytes, fields: 10 } });
    } catch {
      reject(new BadUserInputError(UPLOAD_FIELD, 'send the photo as multipart/form-data in a field named "file"'));
      return;
    }
    let received: Buffer | null = null;
    let tooLarge = false;
    const malformed = () => reject(new BadUserInputError(UPLOAD_FIELD, 'the multipart body is malformed'));
    parser.on('file', (name, stream) => {
      const chunks: Buffer[] = [];
      // A body cut off before its closing boundary errors on the file's stream, not the parser's: without
      // a listener that 'error' was unhandled and ended the process, for any signed-in cadre to send.
      stream.on('error', malformed);
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => (tooLarge = true));
      stream.on('end', () => {
        if (name === 'file') received = Buffer.concat(chunks);
      });
    });
    parser.on('error', malformed);
    request.on('aborted', malformed);
    parser.on('close', () => {
      if (tooLarge) reject(new BadUserInputError(UPLOAD_FIELD, `the photo is larger than ${Math.floor(maxBytes / 1_000_000)} MB`, { httpStatus: 413 }));
      else if (!received || received.length === 0) reject(new BadUserInputError(UPLOAD_FIELD, 'no photo in the field named "file"'));
      else resolve(received);
    });
    request.pipe(parser);
  });
}

/** A spent upload quota: which one, its size, and when the oldest upload in the window leaves it. */
function quotaSpent(limit: 'photosPerDay' | 'photoBytesPerDay', max: number, retryAfter: number): TooManyRequestsError {
  const message =
    limit === 'photosPerDay'
      ? `this account has uploaded ${max} photos in the last 24 hours; try again later`
      : `this account has uploaded ${Math.floor(max / 1_000_000)} MB of photos in the last 24 hours; try again later`;
  return new TooManyRequestsError(retryAfter, message, { limit, max });
}

/**
 * What the account stored in the last 24 hours, read from the photo rows (so it holds across instances
 * and restarts): how many, how many bytes, and when the oldest of them was uploaded.
 */
async function uploadsInLastDay(em: Em, accountId: number, now: Date): Promise<{ count: number; bytes: number; oldest: Date | null }> {
  const [row] = await em
    .createQueryBuilder(Photo, 'p')
    .select([raw('count(*) as uploads'), raw('coalesce(sum(p.size_bytes), 0) as bytes'), raw('min(p.created_at) as oldest')])
    .where({ uploadedBy: accountId, createdAt: { $gt: new Date(now.getTime() - DAY_MS) } })
    .execute<{ uploads: number | string; bytes: number | string; oldest: Date | string | number | null }[]>('all', false);
  const oldest = row?.oldest === null || row?.oldest === undefined ? null : new Date(row.oldest);
  return { count: Number(row?.uploads ?? 0), bytes: Number(row?.bytes ?? 0), oldest };
}

function retryAfterSeconds(oldest: Date | null, now: Date): number {
  if (!oldest || Number.isNaN(oldest.getTime())) return 60;
  return Math.max(1, Math.ceil((oldest.getTime() + DAY_MS - now.getTime()) / 1000));
}

type Quota = Pick<AppConfig['photos'], 'uploadsPerDay' | 'uploadBytesPerDay'>;

/** Throws the spent quota, if adding `sizeBytes` more (0: anything at all) would pass one. */
function assertQuotaLeft(used: Awaited<ReturnType<typeof uploadsInLastDay>>, sizeBytes: number, quota: Quota, now: Date): void {
  if (used.count >= quota.uploadsPerDay) throw quotaSpent('photosPerDay', quota.uploadsPerDay, retryAfterSeconds(used.oldest, now));
  const full = sizeBytes === 0 ? used.bytes >= quota.uploadBytesPerDay : used.bytes + sizeBytes > quota.uploadBytesPerDay;
  if (full) throw quotaSpent('photoBytesPerDay', quota.uploadBytesPerDay, retryAfterSeconds(used.oldest, now));
}

interface NewPhoto {
  id: string;
  mimeType: string;
  sizeBytes: number;
}

/**
 * Checks the quota and writes the photo's row in one transaction that first locks the uploader's account
 * row (InnoDB's row lock; SQLite's write lock), so that one account's parallel uploads check and reserve
 * one after another and the quota is never passed, on any number of instances. 'mine': the account
 * stored these bytes before (an outbox retry), which costs no quota.
 */
async function reservePhoto(orm: Orm, accountId: number, photo: NewPhoto, quota: Quota, now: Date): Promise<'new' | 'mine'> {
  const reserve = () =>
    orm.em.fork().transactional(async (tx) => {
      // The first statement, so that every read below sees the uploads committed before the lock was granted.
      await tx.nativeUpdate(UserAccount, { id: accountId }, { sessionGeneration: raw('session_generation') });
      const existing = await tx.findOne(Photo, photo.id);
      if (existing) {
        if (existing.uploadedBy.id !== accountId) throw new ConflictError('this photo was uploaded by someone else; take a photo of your own');
        return 'mine' as const;
      }
      assertQuotaLeft(await uploadsInLastDay(tx, accountId, now), photo.sizeBytes, quota, now);
      tx.create(Photo, { ...photo, uploadedBy: tx.getReference(UserAccount, accountId) });
      return 'new' as const;
    });
  try {
    return await reserve();
  } catch (error) {
    // Another account stored the same bytes at the same moment: its row won; answer as for a later upload.
    if (error instanceof DomainError || !(await orm.em.fork().count(Photo, { id: photo.id }))) throw error;
    return reserve();
  }
}

/**
 * POST /uploads/photos (multipart, field "file": what Taro.uploadFile sends) decodes a JPEG, PNG or
 * WebP, stores the re-encoded image (upright, scaled to PHOTO_MAX_EDGE, no EXIF or GPS) under its
 * SHA-256 with its thumbnail (THUMBNAIL_EDGE px, JPEG) beside it, and returns that id for a help
 * record's photoIds. Every attempt counts against the photo-upload rate budgets (per account and per
 * address), and what is stored against each account's daily quota. GET /photos/:id serves the photo,
 * GET /photos/:id/thumbnail its thumbnail (made on the first request for a photo stored before
 * thumbnails existed), both with the same authorization and the same 404. Who may do either is the
 * photo policy's (photo.policy.ts).
 */
export function photoRoutes(orm: Orm, config: AppConfig, storage: PhotoStorage, logger: Logger, rateLimits: RateLimits): express.Router {
  const router = express.Router();

  /**
   * Makes and stores a photo's thumbnail. Callers make it only when none is stored (once per photo: a
   * re-upload, an outbox retry, does not decode the photo again); it is deterministic and the storage
   * writes once, so two requests making it at the same moment leave the same bytes.
   */
  const storeThumbnail = async (id: string, photoBytes: Buffer): Promise<Buffer> => {
    const thumbnail = await makeThumbnail(photoBytes);
    await storage.put(id, thumbnail, 'thumbnail');
    return thumbnail;
  };

  router.post('/uploads/photos', async (request, response) => {
    try {
      const actor = await actorFromBearer(request, config, orm.em.fork());
      assertAllowed(photoPolicy.mayUpload(actor), 'only cadres upload photos, for the help records they write');
      // Every attempt, before anything is read: an undecodable file or a re-upload costs a decode too.
      await rateLimits.consumePhotoUpload(actor, request.ip ?? request.socket.remoteAddress ?? 'unknown');
      const now = new Date();
      // A first look before the body is read or decoded, so that a spent quota costs nothing more; the
      // binding check is reservePhoto's, after the decode.
      assertQuotaLeft(await uploadsInLastDay(orm.em.fork(), actor.accountId, now), 0, config.photos, now);
      const upload = await readUpload(request, config.photos.maxBytes);
      let photo: Awaited<ReturnType<typeof reencodePhoto>>;
      try {
        photo = await reencodePhoto(upload, config.photos.maxEdge);
      } catch (error) {
        if (error instanceof OversizedPhotoError) throw new BadUserInputError(UPLOAD_FIELD, error.message, { httpStatus: 413 });
        if (error instanceof UndecodablePhotoError) throw new BadUserInputError(UPLOAD_FIELD, error.message, { httpStatus: 415 });
        throw error;
      }
      const { bytes, mimeType } = photo;
      const id = createHash('sha256').update(bytes).digest('hex');
      const reserved = await reservePhoto(orm, actor.accountId, { id, mimeType, sizeBytes: bytes.length }, config.photos, now);
      try {
        // Content-addressed, so writing it again (a retry) changes nothing.
        await storage.put(id, bytes);
      } catch (error) {
        // No row without its file: the quota it took is given back.
        if (reserved === 'new') await orm.em.fork().nativeDelete(Photo, { id, uploadedBy: actor.accountId });
        throw error;
      }
      try {
        if (!(await storage.has(id, 'thumbnail'))) await storeThumbnail(id, bytes);
      } catch (error) {
        // The photo is stored and its thumbnail can be made from it later: the first request for it tries again.
        logger.warn({ err: error, photoId: id }, 'photo thumbnail could not be made at upload');
      }
      response.status(201).json({ id, mimeType, sizeBytes: bytes.length });
    } catch (error) {
      request.resume();
      sendProblem(response, error, { logger, logMessage: 'photo request failed', uploadField: UPLOAD_FIELD });
    }
  });

  /**
   * The photo the caller may read, or 404 for one that is missing or not theirs to see (the same answer).
   * Its uploader's own photo costs no further statement; anyone else's needs a readable record showing it.
   */
  const readablePhoto = async (request: Request): Promise<Photo> => {
    const actor = await actorFromBearer(request, config, orm.em.fork());
    const id = request.params.id ?? '';
    if (typeof id !== 'string' || !/^[0-9a-f]{64}$/.test(id)) throw new PhotoNotFoundError();
    const em = orm.em.fork();
    const photo = await em.findOne(Photo, id);
    if (!photo) throw new PhotoNotFoundError();
    const uploadedBy = photo.uploadedBy.id;
    let allowed = photoPolicy.mayRead(actor, { uploadedBy, shownOnReadableRecord: false });
    if (!allowed) {
      // Records of the households the caller may read (not the help-record scope's "records I wrote": a photo
      // follows the household file, as before the policies).
      const showing = await em.count(HelpRecord, { photoIds: { $like: likeContaining(id) }, household: householdPolicy.scope(actor) });
      allowed = photoPolicy.mayRead(actor, { uploadedBy, shownOnReadableRecord: showing > 0 });
    }
    if (!allowed) throw new PhotoNotFoundError();
    return photo;
  };

  const imageHeaders = (response: Response, mimeType: string, fileName: string): Response =>
    response.type(mimeType).set({
      'Cache-Control': 'private, max-age=86400',
      // Opened on its own, a photo is a picture and nothing else: no scripts, no plugins, no frames,
      // even if a browser were to look past the content type (helmet adds nosniff to every answer).
      'Content-Security-Policy': PHOTO_CONTENT_SECURITY_POLICY,
      'Content-Disposition': `inline; filename="${fileName}"`,
    });

  const sendImage = (response: Response, mimeType: string, fileName: string, bytes: Buffer) => {
    imageHeaders(response, mimeType, fileName).send(bytes);
  };

  /**
   * Sends a stored image as it is read from the storage (the bucket's answer goes on to the client chunk by
   * chunk). The storage answered before this is called, so a missing image or a store that is down is still
   * a 404 or 503; a stream that breaks after the headers can only cut the answer short, which the client
   * sees as a failed download (logged here).
   */
  const streamImage = async (request: Request, response: Response, mimeType: string, fileName: string, image: StoredObjectStream) => {
    imageHeaders(response, mimeType, fileName);
    // The image's name is its content's hash (the thumbnail's is made from it): a strong validator, which
    // res.send used to derive from the bytes; a client that has it gets 304 and no bytes.
    response.set('ETag', `"${fileName}"`);
    if (request.fresh) {
      image.body.destroy();
      response.status(304).end();
      return;
    }
    if (image.bytes !== null) response.set('Content-Length', String(image.bytes));
    try {
      await pipeline(image.body, response);
    } catch (error) {
      // A client that hung up mid-download is not a fault of ours.
      if (!response.destroyed || (error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
        logger.warn({ err: error }, 'photo download cut short');
      }
      image.body.destroy();
      response.destroy();
    }
  };

  /** Answers a failure: a JSON problem while nothing was sent yet, else the connection is cut (the image was half sent). */
  const fail = (response: Response, error: unknown) => {
    if (response.headersSent) {
      response.destroy();
      return;
    }
    sendProblem(response, error, { logger, logMessage: 'photo request failed' });
  };

  router.get('/photos/:id', async (request, response) => {
    try {
      const photo = await readablePhoto(request);
      const image = await storage.open(photo.id);
      if (!image) throw new PhotoNotFoundError();
      await streamImage(request, response, photo.mimeType, `${photo.id}.${photo.mimeType.slice('image/'.length)}`, image);
    } catch (error) {
      fail(response, error);
    }
  });

  router.get('/photos/:id/thumbnail', async (request, response) => {
    try {
      const photo = await readablePhoto(request);
      const fileName = `${photo.id}-thumbnail.jpeg`;
      const stored = await storage.open(photo.id, 'thumbnail');
      if (stored) {
        await streamImage(request, response, 'image/jpeg', fileName, stored);
        return;
      }
      // A photo stored before thumbnails existed: made (and stored) now, from the whole photo.
      const photoBytes = await storage.get(photo.id);
      if (!photoBytes) throw new PhotoNotFoundError();
      sendImage(response, 'image/jpeg', fileName, await storeThumbnail(photo.id, photoBytes));
    } catch (error) {
      fail(response, error);
    }
  });

  return router;
}
