import type { HelpRecordCorrectionInput, HelpRecordInput } from '@/graphql/generated/graphql';
import { formatDateTime } from './dates';
import { outbox, queuedPhotos } from './records';
import type { QueuedCorrection, SubmitOutcome } from './outbox';

/**
 * Corrections (更正) of a help record. The server takes the whole record as it should now read, with
 * omitted fields unchanged; the app always sends every field, built so that nothing the cadre kept is
 * lost: the photos kept stay in photoIds (before the new ones), the demands still ticked stay in
 * resolvedDemandIds, and a time the cadre did not touch is sent as the record had it (the form shows
 * minutes only). Corrections go through the same outbox as new records, under their own clientId made
 * once when the form opened, so that a resend never makes two versions.
 */

/** The form's checked content, as for a new record (checkRecordForm's answer). */
export type CorrectedContent = Omit<HelpRecordInput, 'clientId' | 'householdId' | 'photoIds'>;

/** A demand the corrected record had resolved, shown in the form (and in 待处理) with its state. */
export interface ResolvedByRecord {
  id: string;
  category: string;
  text: string;
  status: string;
}

export interface CorrectionDraft {
  /** Made once when the correction form opened (not the record's clientId). */
  clientId: string;
  ownerId: string;
  householdId: string;
  householdName: string;
  /** The version corrected. */
  recordId: string;
  /** When the record said the help happened: sent unchanged when the form's minute still shows it. */
  baseOccurredAt: string;
  content: CorrectedContent;
  /** The record's photos on the server the cadre kept, in the order shown. */
  keptPhotoIds: string[];
  /** New local photos. */
  photoPaths: string[];
  resolvedByRecord: ResolvedByRecord[];
}

/** The correction input, photoIds aside (kept ids + new uploads, joined when sending). */
export function correctionInput(draft: Pick<CorrectionDraft, 'clientId' | 'baseOccurredAt' | 'content'>): Omit<HelpRecordCorrectionInput, 'photoIds'> {
  const { content } = draft;
  const occurredAt = formatDateTime(content.occurredAt) === formatDateTime(draft.baseOccurredAt) ? draft.baseOccurredAt : content.occurredAt;
  return {
    clientId: draft.clientId,
    occurredAt,
    kinds: [...content.kinds],
    summary: content.summary,
    fundsFen: content.fundsFen ?? 0,
    materialsFen: content.materialsFen ?? 0,
    problemsSolved: content.problemsSolved ?? 0,
    latitude: content.latitude ?? null,
    longitude: content.longitude ?? null,
    resolvedDemandIds: [...(content.resolvedDemandIds ?? [])],
    // Only demands heard that the earlier version missed: those already raised stay raised.
    demandsRaised: (content.demandsRaised ?? []).map((demand) => ({ ...demand })),
  };
}

/** The queued correction for a draft (exported for the tests: what the outbox will send). */
export function queuedCorrection(draft: CorrectionDraft): QueuedCorrection {
  const earlier = outbox.find(draft.clientId);
  return {
    kind: 'correction',
    clientId: draft.clientId,
    ownerId: draft.ownerId,
    householdId: draft.householdId,
    householdName: draft.householdName,
    queuedAt: earlier?.queuedAt ?? new Date().toISOString(),
    recordId: draft.recordId,
    input: correctionInput(draft),
    keptPhotoIds: [...draft.keptPhotoIds],
    photos: queuedPhotos(draft.clientId, draft.photoPaths),
    resolvedByRecord: draft.resolvedByRecord,
    baseOccurredAt: draft.baseOccurredAt,
    state: 'pending',
    attempts: 0,
    lastError: null,
    errorField: null,
  };
}

/** Queues the correction and tries to send it at once (as submitHelpRecord does for new records). */
export function submitCorrection(draft: CorrectionDraft): Promise<SubmitOutcome> {
  return outbox.submit(queuedCorrection(draft));
}

/** Corrections of a record still in this phone's queue (shown as 待上传 on the record they correct). */
export function queuedCorrectionsOf(recordId: string): QueuedCorrection[] {
  return outbox.list().filter((item): item is QueuedCorrection => item.kind === 'correction' && item.recordId === recordId);
}
