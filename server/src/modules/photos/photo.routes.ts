import { createHash } from 'node:crypto';
import { raw } from '@mikro-orm/core';
import Busboy from 'busboy';
import express, { type Request, type Response } from 'express';
import { Role } from '@wanjia/shared';
import type { AppConfig } from '../../config';
import type { Em, Orm } from '../../db/orm';
import type { Logger } from '../../logger';
import { UserAccount } from '../accounts/user-account.entity';
import { Assignment } from '../assignments/assignment.entity';
import { isStaff } from '../auth/actor';
import { HttpProblem, actorFromBearer } from '../auth/http-auth';
import { HelpRecord } from '../help-records/help-record.entity';
import { Photo } from './photo.entity';
import { reencodePhoto, UndecodablePhotoError } from './photo-image';
import type { PhotoStorage } from './photo-storage';

/** Reads the single file part of a multipart body, refusing it as soon as it passes the size limit. */
function readUpload(request: Request, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let parser: Busboy.Busboy;
    try {
      parser = Busboy({ headers: request.headers, limits: { files: 1, fileSize: maxBytes, fields: 10 } });
    } catch {
      reject(new HttpProblem(400, 'BAD_USER_INPUT', 'send the photo as multipart/form-data in a field named "file"'));
      return;
    }
    let received: Buffer | null = null;
    let tooLarge = false;
    parser.on('file', (name, stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => (tooLarge = true));
      stream.on('end', () => {
        if (name === 'file') received = Buffer.concat(chunks);
      });
    });
    parser.on('error', () => reject(new HttpProblem(400, 'BAD_USER_INPUT', 'the multipart body is malformed')));
    parser.on('close', () => {
      if (tooLarge) reject(new HttpProblem(413, 'BAD_USER_INPUT', `the photo is larger than ${Math.floor(maxBytes / 1_000_000)} MB`));
      else if (!received || received.length === 0) reject(new HttpProblem(400, 'BAD_USER_INPUT', 'no photo in the field named "file"'));
      else resolve(received);
    });
    request.pipe(parser);
  });
}

const DAY_MS = 86_400_000;

/** A spent upload quota: which one, its size, and when the oldest upload in the window leaves it. */
class QuotaProblem extends HttpProblem {
  constructor(
    readonly limit: 'photosPerDay' | 'photoBytesPerDay',
    readonly max: number,
    readonly retryAfterSeconds: number,
  ) {
    super(
      429,
      'TOO_MANY_REQUESTS',
      limit === 'photosPerDay'
        ? `this account has uploaded ${max} photos in the last 24 hours; try again later`
        : `this account has uploaded ${Math.floor(max / 1_000_000)} MB of photos in the last 24 hours; try again later`,
      'file',
    );
  }
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

function sendProblem(response: Response, logger: Logger, error: unknown): void {
  if (error instanceof QuotaProblem) {
    response
      .status(error.status)
      .set('Retry-After', String(error.retryAfterSeconds))
      .json({
        error: { code: error.code, message: error.message, field: 'file', limit: error.limit, max: error.max, retryAfterSeconds: error.retryAfterSeconds },
      });
    return;
  }
  if (error instanceof HttpProblem) {
    response.status(error.status).json({ error: { code: error.code, message: error.message, field: error.code === 'BAD_USER_INPUT' ? 'file' : undefined } });
    return;
  }
  logger.error({ err: error }, 'photo request failed');
  response.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' } });
}

/**
 * POST /uploads/photos (multipart, field "file": what Taro.uploadFile sends) decodes a JPEG, PNG or
 * WebP, stores the re-encoded image (upright, scaled to PHOTO_MAX_EDGE, no EXIF or GPS) under its
 * SHA-256 and returns that id for a help record's photoIds; each account has a daily quota. GET
 * /photos/:id serves it to its uploader and to whoever may read a household whose records show it.
 */
export function photoRoutes(orm: Orm, config: AppConfig, storage: PhotoStorage, logger: Logger): express.Router {
  const router = express.Router();

  router.post('/uploads/photos', async (request, response) => {
    try {
      const actor = await actorFromBearer(request, config, orm.em.fork());
      const { uploadsPerDay, uploadBytesPerDay } = config.photos;
      const now = new Date();
      // Checked before the body is read or decoded, so a spent quota costs the server nothing more.
      const used = await uploadsInLastDay(orm.em.fork(), actor.accountId, now);
      if (used.count >= uploadsPerDay) throw new QuotaProblem('photosPerDay', uploadsPerDay, retryAfterSeconds(used.oldest, now));
      if (used.bytes >= uploadBytesPerDay) throw new QuotaProblem('photoBytesPerDay', uploadBytesPerDay, retryAfterSeconds(used.oldest, now));
      const upload = await readUpload(request, config.photos.maxBytes);
      let photo: Awaited<ReturnType<typeof reencodePhoto>>;
      try {
        photo = await reencodePhoto(upload, config.photos.maxEdge);
      } catch (error) {
        if (error instanceof UndecodablePhotoError) throw new HttpProblem(415, 'BAD_USER_INPUT', error.message);
        throw error;
      }
      const { bytes, mimeType } = photo;
      const id = createHash('sha256').update(bytes).digest('hex');
      const em = orm.em.fork();
      const alreadyMine = (await em.count(Photo, { id, uploadedBy: actor.accountId })) > 0;
      // A retry of a photo already stored costs no quota; a new one must fit in what is left of the day's bytes.
      if (!alreadyMine && used.bytes + bytes.length > uploadBytesPerDay) {
        throw new QuotaProblem('photoBytesPerDay', uploadBytesPerDay, retryAfterSeconds(used.oldest, now));
      }
      await storage.put(id, bytes);
      if (!alreadyMine) {
        // Another account may have uploaded the same bytes: each uploader gets a row of their own id space.
        const existing = await em.findOne(Photo, id);
        if (!existing) {
          em.create(Photo, { id, mimeType, sizeBytes: bytes.length, uploadedBy: em.getReference(UserAccount, actor.accountId) });
          await em.flush().catch(async (error: unknown) => {
            if (!(await orm.em.fork().count(Photo, { id }))) throw error;
          });
        } else if (existing.uploadedBy.id !== actor.accountId) {
          throw new HttpProblem(409, 'CONFLICT', 'this photo was uploaded by someone else; take a photo of your own');
        }
      }
      response.status(201).json({ id, mimeType, sizeBytes: bytes.length });
    } catch (error) {
      request.resume();
      sendProblem(response, logger, error);
    }
  });

  router.get('/photos/:id', async (request, response) => {
    try {
      const actor = await actorFromBearer(request, config, orm.em.fork());
      const id = request.params.id ?? '';
      if (!/^[0-9a-f]{64}$/.test(id)) throw new HttpProblem(404, 'NOT_FOUND', 'no such photo');
      const em = orm.em.fork();
      const photo = await em.findOne(Photo, id);
      let allowed = photo !== null && photo.uploadedBy.id === actor.accountId;
      if (photo && !allowed) {
        const shownOn = { photoIds: { $like: `%${id}%` } };
        if (isStaff(actor)) {
          allowed = (await em.count(HelpRecord, { ...shownOn, household: { region: { path: { $like: `${actor.scopePath}%` } } } })) > 0;
        } else if (actor.role === Role.CADRE && actor.cadreId !== null) {
          const records = await em.find(HelpRecord, shownOn, { fields: ['household'], limit: 20 });
          const households = [...new Set(records.map((record) => record.household.id))];
          allowed = households.length > 0 && (await em.count(Assignment, { cadre: actor.cadreId, endedAt: null, household: { $in: households } })) > 0;
        }
      }
      // Missing and not allowed look the same.
      const bytes = allowed ? await storage.get(id) : null;
      if (!photo || !bytes) throw new HttpProblem(404, 'NOT_FOUND', 'no such photo');
      response
        .type(photo.mimeType)
        .set({
          'Cache-Control': 'private, max-age=86400',
          // Opened on its own, a photo is a picture and nothing else: no scripts, no plugins, no frames,
          // even if a browser were to look past the content type (helmet adds nosniff to every answer).
          'Content-Security-Policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox",
          'Content-Disposition': `inline; filename="${id}.${photo.mimeType.slice('image/'.length)}"`,
        })
        .send(bytes);
    } catch (error) {
      sendProblem(response, logger, error);
    }
  });

  return router;
}
