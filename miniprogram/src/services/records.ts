import Taro from '@tarojs/taro';
import { MoreHelpRecordsDocument, SubmitHelpRecordDocument, type HelpRecordInput, type MoreHelpRecordsQuery } from '@/graphql/generated/graphql';
import { request } from './api';
import { Outbox, type QueuedRecord, type SubmitOutcome } from './outbox';
import { persistPhoto, releasePhoto, uploadPhoto } from './photos';
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

/** A help record as the form hands it over: checked, amounts in fen, photos still as local paths. */
export interface HelpRecordDraft {
  /** Made once when the form opened: every retry of this record is the same record to the server. */
  clientId: string;
  ownerId: string;
  householdId: string;
  householdName: string;
  input: Omit<HelpRecordInput, 'clientId' | 'householdId' | 'photoIds'>;
  photoPaths: string[];
}

/** Queues the record (so that it survives a weak signal or a closed app) and tries to send it at once. */
export function submitHelpRecord(draft: HelpRecordDraft): Promise<SubmitOutcome> {
  const { clientId, householdId } = draft;
  return outbox.submit({
    clientId,
    ownerId: draft.ownerId,
    householdId,
    householdName: draft.householdName,
    queuedAt: new Date().toISOString(),
    input: { ...draft.input, clientId, householdId },
    photos: draft.photoPaths.map((path) => ({ path: persistPhoto(path), id: null })),
    state: 'pending',
    attempts: 0,
    lastError: null,
    errorField: null,
  });
}

export type HelpRecordsPage = MoreHelpRecordsQuery['household']['helpRecords'];

/** A household's help records a page at a time, newest first; the household file brings the first page. */
export const HELP_RECORDS_PAGE = 10;

export async function loadEarlierHelpRecords(householdId: string, after: string): Promise<HelpRecordsPage> {
  return (await request(MoreHelpRecordsDocument, { id: householdId, first: HELP_RECORDS_PAGE, after })).household.helpRecords;
}

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
