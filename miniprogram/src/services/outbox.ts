import type { DemandConfirmationInput, HelpRecordCorrectionInput, HelpRecordInput } from '@/graphql/generated/graphql';
import { ApiError, describeError, isRefusal, refusalText } from './errors';

/**
 * The offline queue ("待上传") of a cadre's writes: new help records, corrections (更正) and the
 * household's answers to a resolution (回访). An item is written here before the first attempt to
 * send it, so that nothing a cadre recorded is lost to a weak signal or a closed app. It leaves the
 * queue only when the server has stored it, or when the cadre discards it: a refused item stays,
 * marked with the server's message and field, in 待处理 until it is fixed and sent again or discarded
 * after the cadre confirmed. Retries send the identical content under the same clientId, which the
 * server turns into exactly one record, version or answer.
 */

export interface QueuedPhoto {
  /** A local file: a temporary path until the item is queued, then a saved copy (weapp). */
  path: string;
  /** The server's id once uploaded, so that a retry does not upload it again. */
  id: string | null;
}

interface QueuedBase {
  /** Made once when the form opened; the key of the item here and of its write on the server. */
  clientId: string;
  /** The account that recorded it: only that account's session sends it. */
  ownerId: string;
  householdId: string;
  householdName: string;
  queuedAt: string;
  state: 'pending' | 'refused';
  attempts: number;
  /** Why the last attempt failed, in Chinese, for the cadre (with the server's words for a refusal). */
  lastError: string | null;
  /** For a refused item: the input field the server named, if any ("input.summary"). */
  errorField: string | null;
}

/** A new help record. */
export interface QueuedSubmission extends QueuedBase {
  kind: 'submission';
  /** Everything sent except the photos' ids, which exist only after the uploads. */
  input: Omit<HelpRecordInput, 'photoIds'>;
  photos: QueuedPhoto[];
}

/** A correction (更正) of a record: the whole record as it should now read. */
export interface QueuedCorrection extends QueuedBase {
  kind: 'correction';
  /** The version corrected (the latest one when the form opened). */
  recordId: string;
  /** Everything sent except photoIds, which are keptPhotoIds followed by the new photos' ids. */
  input: Omit<HelpRecordCorrectionInput, 'photoIds'>;
  /** Photos of the record already on the server that the cadre kept. */
  keptPhotoIds: string[];
  /** New local photos, uploaded before the correction is sent. */
  photos: QueuedPhoto[];
  /** When the corrected version said the help happened (the form shows minutes only). */
  baseOccurredAt: string;
  /** The demands the corrected version had resolved, with their state then: the form shows them again. */
  resolvedByRecord: { id: string; category: string; text: string; status: string }[];
}

/** The household's answer to a resolution (回访). */
export interface QueuedConfirmation extends QueuedBase {
  kind: 'confirmation';
  input: DemandConfirmationInput;
  /** The demand as the cadre saw it, to show in the queue: 【category】text. */
  demandCategory: string;
  demandText: string;
}

export type QueuedItem = QueuedSubmission | QueuedCorrection | QueuedConfirmation;
export type QueuedKind = QueuedItem['kind'];

/** A submission as builds before corrections stored it: no kind. */
export type LegacySubmission = Omit<QueuedSubmission, 'kind'> & { kind?: undefined };

/** The stored form: items queued by builds before corrections existed carry no kind (submissions). */
export type StoredItem = QueuedItem | LegacySubmission;

/** The items as the app stored them before kinds existed read as submissions. */
export function normalizeStored(item: StoredItem): QueuedItem {
  return item.kind === undefined ? { ...item, kind: 'submission' } : item;
}

export interface OutboxStorage {
  load(): StoredItem[];
  save(items: QueuedItem[]): void;
}

/** Sends one item: uploads its photos (reporting each id through onPhotoUploaded), then its mutation. */
export type ItemSender = (item: QueuedItem, onPhotoUploaded: (index: number, id: string) => void) => Promise<{ id: string }>;

export type SubmitOutcome =
  /** recordId (the record, version or demand stored) is null when a background flush sent it first. */
  | { status: 'sent'; recordId: string | null }
  | { status: 'queued'; reason: string }
  /** The item stays in the queue, marked refused (待处理), until it is sent again or discarded. */
  | { status: 'refused'; error: ApiError };

export interface FlushReport {
  sent: string[];
  refused: { clientId: string; error: ApiError }[];
  /** Why flushing stopped early (the network, or the session), if it did. */
  stoppedBy: string | null;
}

type Attempt =
  | { status: 'sent'; recordId: string | null }
  | { status: 'kept'; reason: string }
  | { status: 'refused'; error: ApiError }
  /** No longer pending: an earlier flush sent it (gone) or marked it refused. */
  | { status: 'gone' }
  | { status: 'marked-refused'; item: QueuedItem };

/** The error a refused item was marked with, rebuilt for a caller that did not see the refusal itself. */
function storedRefusal(item: QueuedItem): ApiError {
  return new ApiError({ message: item.lastError ?? '', extensions: { code: 'BAD_USER_INPUT', field: item.errorField ?? undefined } });
}

export class Outbox {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly storage: OutboxStorage,
    private readonly send: ItemSender,
    /** The signed-in account; items of another account wait until it signs in again. */
    private readonly currentOwner: () => string | null,
    /** Called when an item leaves the queue for good (sent or discarded): its photo copies can go. */
    private readonly onRemoved: (item: QueuedItem) => void = () => undefined,
  ) {}

  list(): QueuedItem[] {
    return this.storage.load().map(normalizeStored);
  }

  find(clientId: string): QueuedItem | null {
    return this.list().find((item) => item.clientId === clientId) ?? null;
  }

  /** Items waiting to be sent by the signed-in account. */
  pending(): QueuedItem[] {
    const owner = this.currentOwner();
    return this.list().filter((item) => item.state === 'pending' && item.ownerId === owner);
  }

  /** 待处理: the signed-in account's items the server refused, oldest first, kept until fixed or discarded. */
  refused(): QueuedItem[] {
    const owner = this.currentOwner();
    return this.list().filter((item) => item.state === 'refused' && item.ownerId === owner);
  }

  forHousehold(householdId: string): QueuedItem[] {
    return this.list().filter((item) => item.householdId === householdId);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Keeps the item (replacing a refused one under the same clientId: the fixed version of it), then
   * tries to send it at once. A refusal keeps it, marked refused with the server's message and field:
   * the form that submitted it shows the errors, and 待处理 lists it until it is resent or discarded.
   */
  submit(item: QueuedItem): Promise<SubmitOutcome> {
    this.upsert({ ...item, state: 'pending', lastError: null, errorField: null });
    return this.exclusive(async () => {
      const attempt = await this.attempt(item.clientId);
      switch (attempt.status) {
        case 'sent':
          return attempt;
        case 'gone':
          return { status: 'sent', recordId: null };
        case 'kept':
          return { status: 'queued', reason: attempt.reason };
        case 'refused':
          this.markRefused(item.clientId, attempt.error);
          return { status: 'refused', error: attempt.error };
        case 'marked-refused':
          return { status: 'refused', error: storedRefusal(attempt.item) };
      }
    });
  }

  /**
   * Sends every pending item, oldest first. Stops at the first failure that is not a refusal (the
   * next ones would fail the same way); a refused item stays in 待处理, marked, until resent or discarded.
   */
  flush(): Promise<FlushReport> {
    return this.exclusive(async () => {
      const report: FlushReport = { sent: [], refused: [], stoppedBy: null };
      for (const item of this.pending()) {
        const attempt = await this.attempt(item.clientId);
        if (attempt.status === 'sent') report.sent.push(item.clientId);
        else if (attempt.status === 'gone' || attempt.status === 'marked-refused') continue;
        else if (attempt.status === 'refused') {
          this.markRefused(item.clientId, attempt.error);
          report.refused.push({ clientId: item.clientId, error: attempt.error });
        } else {
          report.stoppedBy = attempt.reason;
          break;
        }
      }
      return report;
    });
  }

  /**
   * Throws away a refused item, only once the cadre has said so (confirm answers true). Pending items
   * cannot be discarded: they are on their way. Answers whether the item was removed.
   */
  async discard(clientId: string, confirm: (item: QueuedItem) => Promise<boolean>): Promise<boolean> {
    const item = this.find(clientId);
    if (item?.state !== 'refused') return false;
    if (!(await confirm(item))) return false;
    return this.exclusive(async () => {
      // Still refused after the dialog (not resent meanwhile from another screen)?
      if (this.find(clientId)?.state !== 'refused') return false;
      this.remove(clientId);
      return true;
    });
  }

  private markRefused(clientId: string, error: ApiError): void {
    this.update(clientId, (current) => ({
      ...current,
      state: 'refused',
      lastError: `${describeError(error)}：${refusalText(error)}`,
      errorField: error.field ?? null,
    }));
  }

  private async attempt(clientId: string): Promise<Attempt> {
    const item = this.find(clientId);
    if (!item) return { status: 'gone' };
    if (item.state !== 'pending') return { status: 'marked-refused', item };
    this.update(clientId, (current) => ({ ...current, attempts: current.attempts + 1 }));
    try {
      const stored = await this.send(item, (index, id) =>
        this.update(clientId, (current) =>
          current.kind === 'confirmation' ? current : { ...current, photos: current.photos.map((photo, at) => (at === index ? { ...photo, id } : photo)) },
        ),
      );
      this.remove(clientId);
      return { status: 'sent', recordId: stored.id };
    } catch (error) {
      if (isRefusal(error)) return { status: 'refused', error };
      // Network failures, an expired session, overload or a server fault: the item waits for the next try.
      const reason = describeError(error);
      this.update(clientId, (current) => ({ ...current, lastError: reason }));
      return { status: 'kept', reason };
    }
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task, task);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private upsert(item: QueuedItem): void {
    const items = this.list();
    const at = items.findIndex((candidate) => candidate.clientId === item.clientId);
    // A resent item keeps its place in the queue (oldest first).
    if (at >= 0) items[at] = item;
    else items.push(item);
    this.write(items);
  }

  private update(clientId: string, change: (item: QueuedItem) => QueuedItem): void {
    this.write(this.list().map((item) => (item.clientId === clientId ? change(item) : item)));
  }

  private remove(clientId: string): void {
    const item = this.find(clientId);
    this.write(this.list().filter((candidate) => candidate.clientId !== clientId));
    if (item) this.onRemoved(item);
  }

  private write(items: QueuedItem[]): void {
    this.storage.save(items);
    for (const listener of this.listeners) listener();
  }
}
