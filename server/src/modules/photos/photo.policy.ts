import { Role } from '@wanjia/shared';
import type { Actor } from '../../core/caller';
import type { Policy } from '../../core/policy';

/**
 * Photos of help records (POST /uploads/photos, GET /photos/:id). A photo is read by its uploader,
 * and by whoever may read a help record that shows it: the routes count such records under the help
 * household policy's scope (records of the households in the caller's scope).
 */
export const photoPolicy = {
  /**
   * Only cadres upload: a record's photos must be its author's uploads, and only cadres write
   * records, so an upload of staff's could only ever cost the server a decode.
   */
  mayUpload(actor: Actor): boolean {
    return actor.role === Role.CADRE;
  },

  mayRead(actor: Actor, photo: { uploadedBy: number; shownOnReadableRecord: boolean }): boolean {
    return photo.uploadedBy === actor.accountId || photo.shownOnReadableRecord;
  },
} satisfies Policy;
