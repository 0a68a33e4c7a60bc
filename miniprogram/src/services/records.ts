import Taro from '@tarojs/taro';
import {
  ConfirmDemandResolvedDocument,
  CorrectHelpRecordDocument,
  HelpRecordPageDocument,
  MoreHelpRecordsDocument,
  SubmitHelpRecordDocument,
  type HelpRecordFieldsFragment,
  type HelpRecordInput,
  type HelpRecordPageQuery,
  type MoreHelpRecordsQuery,
} from '@/graphql/generated/graphql';
import { request } from './api';
import { Outbox, type QueuedItem, type QueuedPhoto, type StoredItem, type SubmitOutcome } from './outbox';
import { persistPhoto, releasePhoto, uploadPhoto } from './photos';
import { getSession } from './session';
import { readStored, writeStored } from './storage';

/** Pages listen for this to redraw "待上传", 待处理 and the history after an item moved. */
export const OUTBOX_CHANGED_EVENT = 'wanjia:outbox-changed';

const STORAGE_KEY = 'outbox';

async function uploadAll(photos: readonly QueuedPhoto[], onPhotoUploaded: (index: number, id: string) => void): Promise<string[]> {
  const photoIds: string[] = [];
  for (const [index, photo] of photos.entries()) {
    const id = photo.id ?? (await uploadPhoto(photo.path));
    if (!photo.id) onPhotoUploaded(index, id);
    photoIds.push(id);
  }
  return photoIds;
}

/** Each kind of queued write is one mutation, after the uploads of its new photos. */
async function sendItem(item: QueuedItem, onPhotoUploaded: (index: number, id: string) => void): Promise<{ id: string }> {
  switch (item.kind) {
    case 'submission': {
      const photoIds = await uploadAll(item.photos, onPhotoUploaded);
      const data = await request(SubmitHelpRecordDocument, { input: { ...item.input, photoIds } });
      return { id: data.submitHelpRecord.id };
    }
    case 'correction': {
      const uploaded = await uploadAll(item.photos, onPhotoUploaded);
      const data = await request(CorrectHelpRecordDocument, { id: item.recordId, input: { ...item.input, photoIds: [...item.keptPhotoIds, ...uploaded] } });
      return { id: data.correctHelpRecord.id };
    }
    case 'confirmation': {
      const data = await request(ConfirmDemandResolvedDocument, { input: item.input });
      return { id: data.confirmDemandResolved.id };
    }
  }
}

export const outbox = new Outbox(
  {
    load: () => readStored<StoredItem[]>(STORAGE_KEY) ?? [],
    save: (items) => writeStored(STORAGE_KEY, items),
  },
  sendItem,
  () => getSession()?.accountId ?? null,
  (item) => {
    if (item.kind !== 'confirmation') item.photos.forEach((photo) => releasePhoto(photo.path));
  },
);

outbox.subscribe(() => Taro.eventCenter.trigger(OUTBOX_CHANGED_EVENT));

/**
 * The photos of an item about to be queued: a photo the same item already holds (a refused item being
 * resent) keeps its saved copy and its uploaded id; a new one gets a saved copy; the copies the cadre
 * took out are freed.
 */
export function queuedPhotos(clientId: string, paths: readonly string[]): QueuedPhoto[] {
  const earlier = outbox.find(clientId);
  const held = earlier && earlier.kind !== 'confirmation' ? earlier.photos : [];
  const photos = paths.map((path) => held.find((photo) => photo.path === path) ?? { path: persistPhoto(path), id: null });
  for (const photo of held) if (!paths.includes(photo.path)) releasePhoto(photo.path);
  return photos;
}

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
    kind: 'submission',
    clientId,
    ownerId: draft.ownerId,
    householdId,
    householdName: draft.householdName,
    queuedAt: outbox.find(clientId)?.queuedAt ?? new Date().toISOString(),
    input: { ...draft.input, clientId, householdId },
    photos: queuedPhotos(clientId, draft.photoPaths),
    state: 'pending',
    attempts: 0,
    lastError: null,
    errorField: null,
  });
}

export type HelpRecordsPage = MoreHelpRecordsQuery['household']['helpRecords'];
export type HelpRecord = HelpRecordFieldsFragment;
export type HelpRecordWithVersions = HelpRecordPageQuery['household']['helpRecords']['nodes'][number];

/** A household's help records a page at a time, newest first; the household file brings the first page. */
export const HELP_RECORDS_PAGE = 10;

export async function loadEarlierHelpRecords(householdId: string, after: string): Promise<HelpRecordsPage> {
  const page = (await request(MoreHelpRecordsDocument, { id: householdId, first: HELP_RECORDS_PAGE, after })).household.helpRecords;
  rememberHelpRecords(householdId, page.nodes, after);
  return page;
}

/**
 * The records the history showed, by id, with the cursor of the page each came on: the record detail
 * opens from them at once (also offline) and asks for that page again for the earlier versions.
 * Kept in memory for this run of the app only.
 */
const seenRecords = new Map<string, { householdId: string; after: string | null; record: HelpRecord }>();

export function rememberHelpRecords(householdId: string, records: readonly HelpRecord[], after: string | null): void {
  for (const record of records) seenRecords.set(record.id, { householdId, after, record });
}

export function seenHelpRecord(recordId: string): { householdId: string; after: string | null; record: HelpRecord } | null {
  return seenRecords.get(recordId) ?? null;
}

/**
 * A record with its earlier versions, from the server: the page of the household's history it was
 * on (there is no query for one record). A corrected record answers with its occasion's latest
 * version; null when neither is on that page any more.
 */
export async function loadHelpRecordWithVersions(householdId: string, recordId: string, after: string | null): Promise<HelpRecordWithVersions | null> {
  const data = await request(HelpRecordPageDocument, { householdId, first: HELP_RECORDS_PAGE, after });
  const nodes = data.household.helpRecords.nodes;
  rememberHelpRecords(householdId, nodes, after);
  // The occasion's latest version: the record itself or, once it was corrected (back from 更正), the
  // version that lists it among its earlier ones.
  return nodes.find((record) => record.id === recordId) ?? nodes.find((record) => record.earlierVersions.some((earlier) => earlier.id === recordId)) ?? null;
}

const RETRY_EVERY_MS = 60_000;
let started = false;

/** Sends what is queued now, quietly; a refused item is announced so the cadre knows where to find it. */
export async function syncOutbox(): Promise<void> {
  if (outbox.pending().length === 0) return;
  const report = await outbox.flush();
  if (report.refused.length > 0) {
    void Taro.showModal({
      title: '有记录未能上传',
      content: `${report.refused.length} 条记录被服务器退回，已放入“待处理”（我的 → 待处理），请修改后重新提交。`,
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
