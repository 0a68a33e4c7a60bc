import Taro from '@tarojs/taro';
import { SubmitHelpRecordDocument } from '@/graphql/generated/graphql';
import { request } from './api';
import { Outbox, type QueuedRecord } from './outbox';
import { releasePhoto, uploadPhoto } from './photos';
import { getSession } from './session';
import { readStored, writeStored } from './storage';

/** Pages listen for this to redraw "待上传" and the history after a record moved. */
export const OUTBOX_CHANGED_EVENT = 'wanjia:outbox-changed';

const STORAGE_KEY = 'outbox';

async function sendRecord(record: QueuedRecord, onPhotoUploaded: (index: number, id: string) => void): Promise<{ id: string }> {
  const photoIds: string[] = [];
  for (const [index, photo] of record.photos.entries()) {
    const id = photo.id ?? (await uploadPhoto(photo.path));
    if (!photo.id) onPhotoUploaded(index, id);
    photoIds.push(id);
  }
  const data = await request(SubmitHelpRecordDocument, { input: { ...record.input, photoIds } });
  return { id: data.submitHelpRecord.id };
}

export const outbox = new Outbox(
  {
    load: () => readStored<QueuedRecord[]>(STORAGE_KEY) ?? [],
    save: (records) => writeStored(STORAGE_KEY, records),
  },
  sendRecord,
  () => getSession()?.accountId ?? null,
  (record) => record.photos.forEach((photo) => releasePhoto(photo.path)),
);

outbox.subscribe(() => Taro.eventCenter.trigger(OUTBOX_CHANGED_EVENT));

const RETRY_EVERY_MS = 60_000;
let started = false;

/** Sends what is queued now, quietly; a refused record is announced so the cadre knows. */
export async function syncOutbox(): Promise<void> {
  if (outbox.pending().length === 0) return;
  const report = await outbox.flush();
  if (report.refused.length > 0) {
    void Taro.showModal({
      title: '有记录未能上传',
      content: `${report.refused.length} 条帮扶记录被服务器退回，请在该户的帮扶记录中查看原因。`,
      showCancel: false,
    });
  }
}

/**
 * Retries the queue whenever the network comes back, when the app returns to the foreground (app.ts
 * calls syncOutbox) and every minute while anything waits.
 */
export function startOutboxSync(): void {
  if (started) return;
  started = true;
  Taro.onNetworkStatusChange((status) => {
    if (status.isConnected) void syncOutbox();
  });
  // The h5 build's onNetworkStatusChange follows navigator.connection, which does not report going
  // offline and back in every browser; the window's online event does.
  if (process.env.TARO_ENV === 'h5' && typeof window !== 'undefined') {
    window.addEventListener('online', () => void syncOutbox());
  }
  setInterval(() => void syncOutbox(), RETRY_EVERY_MS);
}
