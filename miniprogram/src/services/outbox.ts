import type { HelpRecordInput } from '@/graphql/generated/graphql';
import { ApiError, describeError, isRefusal } from './errors';

/**
 * The offline queue ("待上传") of help records. A record is written here before the first attempt
 * to send it, so that nothing a cadre recorded is lost to a weak signal or a closed app. It leaves
 * the queue only when the server has stored it, or when the server refused it (then the cadre sees
 * why). Retries send the identical content under the same clientId, which the server turns into
 * exactly one record.
 */

export interface QueuedPhoto {
  /** A local file: a temporary path until the record is queued, then a saved copy (weapp). */
  path: string;
  /** The server's id once uploaded, so that a retry does not upload it again. */
  id: string | null;
}

export interface QueuedRecord {
  clientId: string;
  /** The account that recorded it: only that account's session sends it. */
  ownerId: string;
  householdId: string;
  householdName: string;
  queuedAt: string;
  /** Everything sent except the photos' ids, which exist only after the uploads. */
  input: Omit<HelpRecordInput, 'photoIds'>;
  photos: QueuedPhoto[];
  state: 'pending' | 'refused';
  attempts: number;
  /** Why the last attempt failed, in Chinese, for the cadre. */
  lastError: string | null;
  /** For a refused record: the input field the server named, if any. */
  errorField: string | null;
}

export interface OutboxStorage {
  load(): QueuedRecord[];
  save(records: QueuedRecord[]): void;
}

/** Sends one record: uploads its photos (reporting each id through onPhotoUploaded), then submits it. */
export type RecordSender = (record: QueuedRecord, onPhotoUploaded: (index: number, id: string) => void) => Promise<{ id: string }>;

export type SubmitOutcome =
  /** recordId is null when a background flush happened to send it first. */
  { status: 'sent'; recordId: string | null } | { status: 'queued'; reason: string } | { status: 'refused'; error: ApiError };

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
  | { status: 'marked-refused'; record: QueuedRecord };

export class Outbox {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly storage: OutboxStorage,
    private readonly send: RecordSender,
    /** The signed-in account; records of another account wait until it signs in again. */
    private readonly currentOwner: () => string | null,
    /** Called when a record leaves the queue for good (sent, refused or dismissed): its photo copies can go. */
    private readonly onRemoved: (record: QueuedRecord) => void = () => undefined,
  ) {}

  list(): QueuedRecord[] {
    return this.storage.load();
  }

  /** Records waiting to be sent by the signed-in account. */
  pending(): QueuedRecord[] {
    const owner = this.currentOwner();
    return this.list().filter((record) => record.state === 'pending' && record.ownerId === owner);
  }

  forHousehold(householdId: string): QueuedRecord[] {
    return this.list().filter((record) => record.householdId === householdId);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Keeps the record, then tries to send it at once. A refusal takes it out of the queue again (the
   * form that submitted it is still open and shows the errors); anything else leaves it queued.
   */
  submit(record: QueuedRecord): Promise<SubmitOutcome> {
    this.upsert({ ...record, state: 'pending' });
    return this.exclusive(async () => {
      const attempt = await this.attempt(record.clientId);
      switch (attempt.status) {
        case 'sent':
          return attempt;
        case 'gone':
          return { status: 'sent', recordId: null };
        case 'kept':
          return { status: 'queued', reason: attempt.reason };
        case 'refused':
          this.remove(record.clientId);
          return { status: 'refused', error: attempt.error };
        case 'marked-refused':
          this.remove(record.clientId);
          return {
            status: 'refused',
            error: new ApiError({
              message: attempt.record.lastError ?? '',
              extensions: { code: 'BAD_USER_INPUT', field: attempt.record.errorField ?? undefined },
            }),
          };
      }
    });
  }

  /**
   * Sends every pending record, oldest first. Stops at the first failure that is not a refusal (the
   * next ones would fail the same way); a refused record stays visible, marked, until dismissed.
   */
  flush(): Promise<FlushReport> {
    return this.exclusive(async () => {
      const report: FlushReport = { sent: [], refused: [], stoppedBy: null };
      for (const record of this.pending()) {
        const attempt = await this.attempt(record.clientId);
        if (attempt.status === 'sent') report.sent.push(record.clientId);
        else if (attempt.status === 'gone' || attempt.status === 'marked-refused') continue;
        else if (attempt.status === 'refused') {
          this.update(record.clientId, (current) => ({
            ...current,
            state: 'refused',
            lastError: `${describeError(attempt.error)}：${attempt.error.message}`,
            errorField: attempt.error.field ?? null,
          }));
          report.refused.push({ clientId: record.clientId, error: attempt.error });
        } else {
          report.stoppedBy = attempt.reason;
          break;
        }
      }
      return report;
    });
  }

  /** Removes a refused record once the cadre has seen why. Pending records cannot be dismissed. */
  dismiss(clientId: string): void {
    const record = this.list().find((candidate) => candidate.clientId === clientId);
    if (record?.state === 'refused') this.remove(clientId);
  }

  private async attempt(clientId: string): Promise<Attempt> {
    const record = this.list().find((candidate) => candidate.clientId === clientId);
    if (!record) return { status: 'gone' };
    if (record.state !== 'pending') return { status: 'marked-refused', record };
    this.update(clientId, (current) => ({ ...current, attempts: current.attempts + 1 }));
    try {
      const stored = await this.send(record, (index, id) =>
        this.update(clientId, (current) => ({
          ...current,
          photos: current.photos.map((photo, at) => (at === index ? { ...photo, id } : photo)),
        })),
      );
      this.remove(clientId);
      return { status: 'sent', recordId: stored.id };
    } catch (error) {
      if (isRefusal(error)) return { status: 'refused', error };
      // Network failures, an expired session, overload or a server fault: the record waits for the next try.
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

  private upsert(record: QueuedRecord): void {
    const records = this.list().filter((candidate) => candidate.clientId !== record.clientId);
    this.write([...records, record]);
  }

  private update(clientId: string, change: (record: QueuedRecord) => QueuedRecord): void {
    this.write(this.list().map((record) => (record.clientId === clientId ? change(record) : record)));
  }

  private remove(clientId: string): void {
    const record = this.list().find((candidate) => candidate.clientId === clientId);
    this.write(this.list().filter((candidate) => candidate.clientId !== clientId));
    if (record) this.onRemoved(record);
  }

  private write(records: QueuedRecord[]): void {
    this.storage.save(records);
    for (const listener of this.listeners) listener();
  }
}
