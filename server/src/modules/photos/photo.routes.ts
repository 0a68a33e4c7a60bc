import { createHash } from 'node:crypto';
import Busboy from 'busboy';
import express, { type Request, type Response } from 'express';
import { Role } from '@wanjia/shared';
import type { AppConfig } from '../../config';
import type { Orm } from '../../db/orm';
import type { Logger } from '../../logger';
import { UserAccount } from '../accounts/user-account.entity';
import { Assignment } from '../assignments/assignment.entity';
import { isStaff } from '../auth/actor';
import { HttpProblem, actorFromBearer } from '../auth/http-auth';
import { HelpRecord } from '../help-records/help-record.entity';
import { Photo } from './photo.entity';
import { sniffImageType, type PhotoStorage } from './photo-storage';

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

function sendProblem(response: Response, logger: Logger, error: unknown): void {
  if (error instanceof HttpProblem) {
    response.status(error.status).json({ error: { code: error.code, message: error.message, field: error.code === 'BAD_USER_INPUT' ? 'file' : undefined } });
    return;
  }
  logger.error({ err: error }, 'photo request failed');
  response.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' } });
}

/**
 * POST /uploads/photos (multipart, field "file": what Taro.uploadFile sends) stores a JPEG, PNG or
 * WebP under its SHA-256 and returns that id for a help record's photoIds. GET /photos/:id serves it
 * to its uploader and to whoever may read a household whose records show it.
 */
export function photoRoutes(orm: Orm, config: AppConfig, storage: PhotoStorage, logger: Logger): express.Router {
  const router = express.Router();

  router.post('/uploads/photos', async (request, response) => {
    try {
      const actor = await actorFromBearer(request, config, orm.em.fork());
      const bytes = await readUpload(request, config.photos.maxBytes);
      const mimeType = sniffImageType(bytes);
      if (!mimeType) throw new HttpProblem(415, 'BAD_USER_INPUT', 'only JPEG, PNG and WebP photos are accepted');
      const id = createHash('sha256').update(bytes).digest('hex');
      await storage.put(id, bytes);
      const em = orm.em.fork();
      if (!(await em.count(Photo, { id, uploadedBy: actor.accountId }))) {
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
      response.type(photo.mimeType).set('Cache-Control', 'private, max-age=86400').send(bytes);
    } catch (error) {
      sendProblem(response, logger, error);
    }
  });

  return router;
}
