import type { FilterQuery } from '@mikro-orm/core';
import { Role } from '@wanjia/shared';
import type { Actor } from '../../core/caller';
import { likeContaining } from '../../core/sql-like';
import type { HelpRecord } from '../help-records/help-record.entity';
import { helpRecordPolicy } from '../help-records/help-record.policy';

/**
 * Photos of help records (POST /uploads/photos, GET /photos/:id). Only cadres upload: a record's
 * photos must be its author's uploads, and only cadres write records, so an upload of staff's could
 * only ever cost the server a decode. A photo is read by its uploader, and by whoever may read a help
 * record that shows it (help record policy: the records of the households in the caller's scope).
 */
export const photoPolicy = {
  mayUpload(actor: Actor): boolean {
    return actor.role === Role.CADRE;
  },

  /**
   * The records that show this photo and that the caller may read: one of them is enough to read
   * the photo. `photoId` is a checked SHA-256 (64 hex digits).
   */
  recordsShowing(actor: Actor, photoId: string): FilterQuery<HelpRecord> {
    return { $and: [{ photoIds: { $like: likeContaining(photoId) } }, helpRecordPolicy.scope(actor)] };
  },

  isUploader(actor: Actor, photo: { uploadedBy: number }): boolean {
    return photo.uploadedBy === actor.accountId;
  },

  /** Whether the caller reads the photo: their own upload, or shown on a record they may read. */
  mayRead(actor: Actor, photo: { uploadedBy: number; shownOnReadableRecord: boolean }): boolean {
    return this.isUploader(actor, photo) || photo.shownOnReadableRecord;
  },
};
