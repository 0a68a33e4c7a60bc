import { ApiError, NetworkError, SignedOutError } from '@/services/errors';
import { Outbox, type QueuedRecord, type RecordSender } from '@/services/outbox';

function memoryStorage() {
  let saved: QueuedRecord[] = [];
  return {
    load: () => JSON.parse(JSON.stringify(saved)) as QueuedRecord[],
    save: (records: QueuedRecord[]) => void (saved = JSON.parse(JSON.stringify(records)) as QueuedRecord[]),
  };
}

let sequence = 0;
function record(overrides: Partial<QueuedRecord> = {}): QueuedRecord {
  sequence += 1;
  const clientId = `client-${String(sequence).padStart(4, '0')}`;
  return {
    clientId,
    ownerId: 'account-1',
    householdId: '7',
    householdName: '张三',
    queuedAt: '2026-11-28T01:00:00.000Z',
    input: {
      clientId,
      householdId: '7',
      kinds: ['VISIT'],
      occurredAt: '2026-11-28T01:00:00.000Z',
      summary: `走访 ${sequence}`,
      demandsRaised: [{ category: 'MEDICAL', text: '看病难' }],
      resolvedDemandIds: [],
      fundsFen: 12_345,
      materialsFen: 0,
      problemsSolved: 0,
    },
    photos: [],
    state: 'pending',
    attempts: 0,
    lastError: null,
    errorField: null,
    ...overrides,
  };
}

/** A server that stores each clientId once, like submitHelpRecord, and can be cut off. */
function fakeServer() {
  const stored = new Map<string, { summary: string; photoIds: string[] }>();
  const calls: string[] = [];
  const uploads: string[] = [];
  let online = true;
  let refuse: ApiError | null = null;
  const send: RecordSender = async (queued, onPhotoUploaded) => {
    const photoIds: string[] = [];
    for (const [index, photo] of queued.photos.entries()) {
      if (!online) throw new NetworkError('request:fail');
      const id = photo.id ?? `sha-${photo.path}`;
      if (!photo.id) {
        uploads.push(photo.path);
        onPhotoUploaded(index, id);
      }
      photoIds.push(id);
    }
    calls.push(queued.clientId);
    if (!online) throw new NetworkError('request:fail');
    if (refuse) throw refuse;
    if (!stored.has(queued.clientId)) stored.set(queued.clientId, { summary: queued.input.summary, photoIds });
    return { id: `record-${queued.clientId}` };
  };
  return {
    send,
    stored,
    calls,
    uploads,
    goOffline: () => void (online = false),
    goOnline: () => void (online = true),
    refuseWith: (error: ApiError | null) => void (refuse = error),
  };
}

function setup(owner: string | null = 'account-1') {
  const storage = memoryStorage();
  const server = fakeServer();
  const removed: string[] = [];
  const outbox = new Outbox(
    storage,
    server.send,
    () => owner,
    (gone) => removed.push(gone.clientId),
  );
  return { storage, server, outbox, removed };
}

describe('the offline queue of help records', () => {
  it('sends a record at once when the network is there, and keeps nothing afterwards', async () => {
    const { outbox, server, removed } = setup();
    const first = record();
    await expect(outbox.submit(first)).resolves.toEqual({ status: 'sent', recordId: `record-${first.clientId}` });
    expect(outbox.list()).toEqual([]);
    expect([...server.stored.keys()]).toEqual([first.clientId]);
    expect(removed).toEqual([first.clientId]);
  });

  it('keeps a record that could not be sent, with its clientId, and sends the identical record when the network returns', async () => {
    const { outbox, server } = setup();
    server.goOffline();
    const offline = record();
    const outcome = await outbox.submit(offline);
    expect(outcome).toEqual({ status: 'queued', reason: '网络不可用，请稍后重试' });
    const [kept] = outbox.list();
    expect(kept).toMatchObject({ clientId: offline.clientId, state: 'pending', attempts: 1, lastError: '网络不可用，请稍后重试' });
    expect(kept!.input).toEqual(offline.input);

    server.goOnline();
    const report = await outbox.flush();
    expect(report).toEqual({ sent: [offline.clientId], refused: [], stoppedBy: null });
    expect(outbox.list()).toEqual([]);
    expect(server.stored.size).toBe(1);
    // Both attempts carried the same clientId, so the server made one record of them.
    expect(server.calls).toEqual([offline.clientId, offline.clientId]);
  });

  it('never drops a record on network errors, however many times they happen', async () => {
    const { outbox, server } = setup();
    server.goOffline();
    const stubborn = record();
    await outbox.submit(stubborn);
    for (let attempt = 0; attempt < 25; attempt += 1) await outbox.flush();
    expect(outbox.pending().map((queued) => queued.clientId)).toEqual([stubborn.clientId]);
    expect(outbox.list()[0]!.attempts).toBe(26);
  });

  it('keeps records when the session has run out, for the next sign-in to send', async () => {
    const storage = memoryStorage();
    const outbox = new Outbox(
      storage,
      async () => Promise.reject(new SignedOutError()),
      () => 'account-1',
    );
    const waiting = record();
    await expect(outbox.submit(waiting)).resolves.toEqual({ status: 'queued', reason: '登录已失效，请重新登录' });
    expect(outbox.pending()).toHaveLength(1);
  });

  it('keeps records on a server fault or overload (no verdict on the record)', async () => {
    for (const code of ['INTERNAL_SERVER_ERROR', 'TOO_MANY_REQUESTS', 'UNAVAILABLE']) {
      const storage = memoryStorage();
      const outbox = new Outbox(
        storage,
        async () => Promise.reject(new ApiError({ message: 'x', extensions: { code } })),
        () => 'account-1',
      );
      await outbox.submit(record());
      expect(outbox.pending()).toHaveLength(1);
    }
  });

  it('sends queued records oldest first and stops at the first network failure', async () => {
    const { outbox, server } = setup();
    server.goOffline();
    const records = [record(), record(), record()];
    for (const queued of records) await outbox.submit(queued);
    server.calls.length = 0;
    const report = await outbox.flush();
    expect(report.stoppedBy).toBe('网络不可用，请稍后重试');
    expect(server.calls).toEqual([records[0]!.clientId]);

    server.goOnline();
    await outbox.flush();
    expect([...server.stored.keys()]).toEqual(records.map((queued) => queued.clientId));
  });

  it('takes a refused record out of the queue when the form that submitted it is still open', async () => {
    const { outbox, server } = setup();
    const refusal = new ApiError({ message: 'occurredAt is in the future', extensions: { code: 'BAD_USER_INPUT', field: 'input.occurredAt' } });
    server.refuseWith(refusal);
    const outcome = await outbox.submit(record());
    expect(outcome).toEqual({ status: 'refused', error: refusal });
    expect(outbox.list()).toEqual([]);
  });

  it('marks a record the server refuses during a background flush, goes on with the others, and drops it when dismissed', async () => {
    const { outbox, server } = setup();
    server.goOffline();
    const doomed = record();
    await outbox.submit(doomed);
    server.goOnline();
    server.refuseWith(new ApiError({ message: 'Not allowed', extensions: { code: 'FORBIDDEN' } }));
    const report = await outbox.flush();
    expect(report.refused.map((refused) => refused.clientId)).toEqual([doomed.clientId]);
    const [marked] = outbox.list();
    expect(marked).toMatchObject({ state: 'refused', lastError: '无权操作（该户可能已不在您的名下）：Not allowed' });
    expect(outbox.pending()).toEqual([]);
    // A refused record is not sent again.
    server.refuseWith(null);
    await outbox.flush();
    expect(server.stored.size).toBe(0);

    outbox.dismiss(doomed.clientId);
    expect(outbox.list()).toEqual([]);
  });

  it('cannot dismiss a record that is still waiting to be sent', async () => {
    const { outbox, server } = setup();
    server.goOffline();
    const waiting = record();
    await outbox.submit(waiting);
    outbox.dismiss(waiting.clientId);
    expect(outbox.pending()).toHaveLength(1);
  });

  it('uploads each photo once, even when the record itself failed to send after the uploads', async () => {
    const { outbox, server } = setup();
    const withPhotos = record({
      photos: [
        { path: 'a.jpg', id: null },
        { path: 'b.jpg', id: null },
      ],
    });
    let failSubmit = true;
    const flaky: RecordSender = async (queued, onPhotoUploaded) => {
      const result = server.send(queued, onPhotoUploaded);
      if (failSubmit) {
        failSubmit = false;
        await result;
        throw new NetworkError('timeout');
      }
      return result;
    };
    const outbox2 = new Outbox(memoryStorage(), flaky, () => 'account-1');
    await outbox2.submit(withPhotos);
    expect(outbox2.list()[0]!.photos).toEqual([
      { path: 'a.jpg', id: 'sha-a.jpg' },
      { path: 'b.jpg', id: 'sha-b.jpg' },
    ]);
    await outbox2.flush();
    expect(server.uploads).toEqual(['a.jpg', 'b.jpg']);
    expect(server.stored.get(withPhotos.clientId)?.photoIds).toEqual(['sha-a.jpg', 'sha-b.jpg']);
    expect(outbox.list()).toEqual([]);
  });

  it("sends only the signed-in account's records", async () => {
    const storage = memoryStorage();
    const server = fakeServer();
    let owner = 'account-1';
    const outbox = new Outbox(storage, server.send, () => owner);
    server.goOffline();
    const mine = record();
    await outbox.submit(mine);
    server.goOnline();
    owner = 'account-2';
    await outbox.flush();
    expect(server.stored.size).toBe(0);
    expect(outbox.list()).toHaveLength(1);
    owner = 'account-1';
    await outbox.flush();
    expect([...server.stored.keys()]).toEqual([mine.clientId]);
  });

  it('sends each record once when flushes and a submission overlap', async () => {
    const { outbox, server } = setup();
    server.goOffline();
    const earlier = [record(), record()];
    for (const queued of earlier) await outbox.submit(queued);
    server.goOnline();
    server.calls.length = 0;
    const late = record();
    const results = await Promise.all([outbox.flush(), outbox.flush(), outbox.submit(late), outbox.flush()]);
    expect(server.calls.sort()).toEqual([...earlier, late].map((queued) => queued.clientId).sort());
    // A flush queued before the submission's own attempt may have sent it: still "sent", never twice.
    expect(results[2]).toMatchObject({ status: 'sent' });
    expect(outbox.list()).toEqual([]);
  });
});
