import { ApiError, NetworkError, SignedOutError } from '@/services/errors';
import {
  Outbox,
  type ItemSender,
  type QueuedConfirmation,
  type QueuedCorrection,
  type QueuedItem,
  type QueuedSubmission,
  type StoredItem,
} from '@/services/outbox';

type QueuedRecord = QueuedSubmission;
type RecordSender = ItemSender;

function memoryStorage(initial: StoredItem[] = []) {
  let saved: StoredItem[] = JSON.parse(JSON.stringify(initial)) as StoredItem[];
  return {
    load: () => JSON.parse(JSON.stringify(saved)) as StoredItem[],
    save: (items: QueuedItem[]) => void (saved = JSON.parse(JSON.stringify(items)) as StoredItem[]),
  };
}

let sequence = 0;
function record(overrides: Partial<QueuedRecord> = {}): QueuedRecord {
  sequence += 1;
  const clientId = `client-${String(sequence).padStart(4, '0')}`;
  return {
    kind: 'submission',
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

/**
 * A server that stores each clientId once, like submitHelpRecord, correctHelpRecord and
 * confirmDemandResolved, and can be cut off. Records each mutation it was sent, with its clientId.
 */
function fakeServer() {
  const stored = new Map<string, { summary: string; photoIds: string[] }>();
  const calls: string[] = [];
  const mutations: { mutation: string; clientId: string; variables: Record<string, unknown> }[] = [];
  const uploads: string[] = [];
  let online = true;
  let refuse: ApiError | null = null;
  const send: RecordSender = async (queued, onPhotoUploaded) => {
    const photoIds: string[] = [];
    if (queued.kind === 'confirmation') {
      calls.push(queued.clientId);
      if (!online) throw new NetworkError('request:fail');
      if (refuse) throw refuse;
      mutations.push({ mutation: 'confirmDemandResolved', clientId: queued.input.clientId, variables: { input: queued.input } });
      if (!stored.has(queued.clientId)) stored.set(queued.clientId, { summary: String(queued.input.note ?? ''), photoIds: [] });
      return { id: String(queued.input.demandId) };
    }
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
    if (queued.kind === 'correction') {
      mutations.push({
        mutation: 'correctHelpRecord',
        clientId: queued.input.clientId,
        variables: { id: queued.recordId, input: { ...queued.input, photoIds: [...queued.keptPhotoIds, ...photoIds] } },
      });
    } else {
      mutations.push({ mutation: 'submitHelpRecord', clientId: queued.input.clientId, variables: { input: { ...queued.input, photoIds } } });
    }
    if (!stored.has(queued.clientId)) stored.set(queued.clientId, { summary: queued.input.summary ?? '', photoIds });
    return { id: `record-${queued.clientId}` };
  };
  return {
    send,
    stored,
    calls,
    mutations,
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

  it('keeps a record refused while its form is open, marked refused with the message and field (待处理), and never sends it by itself', async () => {
    const { outbox, server, removed } = setup();
    const refusal = new ApiError({ message: 'occurredAt is in the future', extensions: { code: 'BAD_USER_INPUT', field: 'input.occurredAt' } });
    server.refuseWith(refusal);
    const refused = record();
    const outcome = await outbox.submit(refused);
    expect(outcome).toEqual({ status: 'refused', error: refusal });
    expect(outbox.list()).toEqual([
      expect.objectContaining({
        clientId: refused.clientId,
        state: 'refused',
        // In Chinese for the cadre (the server's words are English): what the refused field means.
        lastError: '填写的内容有误：走访时间不在您帮扶该户的期间内，或晚于当前时间，请核对走访时间。',
        errorField: 'input.occurredAt',
      }),
    ]);
    expect(outbox.refused().map((item) => item.clientId)).toEqual([refused.clientId]);
    expect(outbox.pending()).toEqual([]);
    expect(removed).toEqual([]);
    server.refuseWith(null);
    await outbox.flush();
    expect(server.calls).toEqual([refused.clientId]);
  });

  it('sends a fixed refused record once, under its own clientId', async () => {
    const { outbox, server } = setup();
    server.goOffline();
    const earlier = record();
    await outbox.submit(earlier);
    server.goOnline();
    server.refuseWith(new ApiError({ message: 'summary must not be blank', extensions: { code: 'BAD_USER_INPUT', field: 'input.summary' } }));
    const refused = record();
    await outbox.submit(refused);
    server.refuseWith(null);
    server.calls.length = 0;

    // The form reopened from 待处理 sends the fixed content under the same clientId: the server stored nothing under it.
    const fixed = { ...refused, input: { ...refused.input, summary: '入户走访，已修改' } };
    const outcome = await outbox.submit(fixed);
    expect(outcome).toEqual({ status: 'sent', recordId: `record-${refused.clientId}` });
    await outbox.flush();
    expect(server.calls.filter((clientId) => clientId === refused.clientId)).toHaveLength(1);
    expect(server.stored.get(refused.clientId)?.summary).toBe('入户走访，已修改');
    expect(outbox.list().map((item) => item.clientId)).toEqual([]);
    expect([...server.stored.keys()].sort()).toEqual([earlier.clientId, refused.clientId].sort());
  });

  it('discards a refused item only after the cadre confirmed, and never a pending one', async () => {
    const { outbox, server, removed } = setup();
    server.refuseWith(new ApiError({ message: 'Not allowed', extensions: { code: 'FORBIDDEN' } }));
    const refused = record();
    await outbox.submit(refused);
    server.refuseWith(null);
    server.goOffline();
    const waiting = record();
    await outbox.submit(waiting);

    const asked: string[] = [];
    await expect(outbox.discard(refused.clientId, async (item) => (asked.push(item.clientId), false))).resolves.toBe(false);
    expect(outbox.find(refused.clientId)).toMatchObject({ state: 'refused' });
    await expect(outbox.discard(waiting.clientId, async () => true)).resolves.toBe(false);
    expect(outbox.find(waiting.clientId)).toMatchObject({ state: 'pending' });
    expect(asked).toEqual([refused.clientId]);

    await expect(outbox.discard(refused.clientId, async () => true)).resolves.toBe(true);
    expect(outbox.list().map((item) => item.clientId)).toEqual([waiting.clientId]);
    expect(removed).toEqual([refused.clientId]);
  });

  it('marks a record the server refuses during a background flush, goes on with the others, and drops it when discarded', async () => {
    const { outbox, server } = setup();
    server.goOffline();
    const doomed = record();
    await outbox.submit(doomed);
    server.goOnline();
    server.refuseWith(new ApiError({ message: 'Not allowed', extensions: { code: 'FORBIDDEN' } }));
    const report = await outbox.flush();
    expect(report.refused.map((refused) => refused.clientId)).toEqual([doomed.clientId]);
    const [marked] = outbox.list();
    expect(marked).toMatchObject({
      state: 'refused',
      lastError: '无权操作（该户可能已不在您的名下）：您已不是该户的帮扶干部，或该户已移交；如有疑问请联系管理员。',
    });
    expect(outbox.pending()).toEqual([]);
    // A refused record is not sent again.
    server.refuseWith(null);
    await outbox.flush();
    expect(server.stored.size).toBe(0);

    await outbox.discard(doomed.clientId, async () => true);
    expect(outbox.list()).toEqual([]);
  });

  it('cannot dismiss a record that is still waiting to be sent', async () => {
    const { outbox, server } = setup();
    server.goOffline();
    const waiting = record();
    await outbox.submit(waiting);
    await outbox.discard(waiting.clientId, async () => true);
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
    expect((outbox2.list()[0] as QueuedRecord).photos).toEqual([
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

function correction(overrides: Partial<QueuedCorrection> = {}): QueuedCorrection {
  sequence += 1;
  const clientId = `correction-${String(sequence).padStart(4, '0')}`;
  return {
    kind: 'correction',
    clientId,
    ownerId: 'account-1',
    householdId: '7',
    householdName: '张三',
    queuedAt: '2026-11-29T01:00:00.000Z',
    recordId: '501',
    input: {
      clientId,
      occurredAt: '2026-11-28T01:00:00.000Z',
      kinds: ['VISIT'],
      summary: '走访（更正）',
      fundsFen: 0,
      materialsFen: 0,
      problemsSolved: 0,
      latitude: null,
      longitude: null,
      resolvedDemandIds: ['41'],
      demandsRaised: [],
    },
    keptPhotoIds: ['photo-kept'],
    photos: [{ path: 'new.jpg', id: null }],
    baseOccurredAt: '2026-11-28T01:00:00.000Z',
    resolvedByRecord: [{ id: '41', category: 'MEDICAL', text: '看病难', status: 'RESOLVED' }],
    state: 'pending',
    attempts: 0,
    lastError: null,
    errorField: null,
    ...overrides,
  };
}

function confirmation(overrides: Partial<QueuedConfirmation> = {}): QueuedConfirmation {
  sequence += 1;
  const clientId = `answer-${String(sequence).padStart(4, '0')}`;
  return {
    kind: 'confirmation',
    clientId,
    ownerId: 'account-1',
    householdId: '7',
    householdName: '张三',
    queuedAt: '2026-11-29T01:00:00.000Z',
    input: { demandId: '41', clientId, satisfaction: 'DISSATISFIED', note: '路灯又坏了', answeredAt: '2026-11-29T01:00:00.000Z' },
    demandCategory: 'INFRASTRUCTURE',
    demandText: '路灯不亮',
    state: 'pending',
    attempts: 0,
    lastError: null,
    errorField: null,
    ...overrides,
  };
}

describe('corrections and household answers in the same queue', () => {
  it('sends a correction as correctHelpRecord under its own clientId, kept photos first, after uploading the new one', async () => {
    const { outbox, server } = setup();
    const corrected = correction();
    await expect(outbox.submit(corrected)).resolves.toEqual({ status: 'sent', recordId: `record-${corrected.clientId}` });
    expect(server.uploads).toEqual(['new.jpg']);
    expect(server.mutations).toEqual([
      {
        mutation: 'correctHelpRecord',
        clientId: corrected.clientId,
        variables: { id: '501', input: { ...corrected.input, photoIds: ['photo-kept', 'sha-new.jpg'] } },
      },
    ]);
  });

  it('sends an answer as confirmDemandResolved under its own clientId, and a resend after a lost answer is the same answer', async () => {
    const { outbox, server } = setup();
    server.goOffline();
    const answer = confirmation();
    await expect(outbox.submit(answer)).resolves.toMatchObject({ status: 'queued' });
    server.goOnline();
    await outbox.flush();
    expect(server.mutations).toEqual([{ mutation: 'confirmDemandResolved', clientId: answer.clientId, variables: { input: answer.input } }]);
    expect(server.calls).toEqual([answer.clientId, answer.clientId]);
    expect(server.stored.size).toBe(1);
    expect(outbox.list()).toEqual([]);
  });

  it('keeps a refused correction and a refused answer in 待处理 with the field the server named', async () => {
    const { outbox, server } = setup();
    server.refuseWith(new ApiError({ message: 'note is required for DISSATISFIED', extensions: { code: 'BAD_USER_INPUT', field: 'input.note' } }));
    const answer = confirmation({ input: { demandId: '41', clientId: 'answer-x', satisfaction: 'DISSATISFIED', note: null } });
    await outbox.submit({ ...answer, clientId: 'answer-x' });
    server.refuseWith(new ApiError({ message: 'demand 41 is CONFIRMED', extensions: { code: 'BAD_USER_INPUT', field: 'input.resolvedDemandIds.0' } }));
    const corrected = correction();
    await outbox.submit(corrected);
    expect(outbox.refused().map((item) => [item.kind, item.errorField])).toEqual([
      ['confirmation', 'input.note'],
      ['correction', 'input.resolvedDemandIds.0'],
    ]);
  });

  it('loads items stored before kinds existed as submissions, and sends them with submitHelpRecord', async () => {
    const { kind: _kind, ...stored } = record();
    const server = fakeServer();
    const outbox = new Outbox(memoryStorage([stored]), server.send, () => 'account-1');
    expect(outbox.pending()).toEqual([expect.objectContaining({ kind: 'submission', clientId: stored.clientId })]);
    await outbox.flush();
    expect(server.mutations).toEqual([{ mutation: 'submitHelpRecord', clientId: stored.clientId, variables: { input: { ...stored.input, photoIds: [] } } }]);
    expect(outbox.list()).toEqual([]);
  });
});
