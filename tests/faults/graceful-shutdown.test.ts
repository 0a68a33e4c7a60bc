import { checkRecords, storedClientIds, type AcknowledgedRecord } from '../support/record-check';
import { SUBMIT_HELP_RECORD, deliver, newVisit, signInDemoCadres, sleep, tally, type CallOutcome, type Delivery } from '../support/cadre-client';
import { holdRequest } from '../support/held-request';
import { createScratchDatabase, mysqlServer, type ScratchDatabase } from '../support/mysql';
import { startServer, type ServerProcess } from '../support/server-process';

/**
 * SIGTERM while cadres are submitting (a deploy, or the host shutting down): the server stops
 * accepting connections, answers every request it had already taken in full, closes the database
 * and exits 0. Phones whose request never got in (connection refused or reset before any answer)
 * keep the record and send it again to the restarted server, where it lands exactly once.
 */

const CADRE_WORKERS_EACH = 3;
const HELD_REQUESTS = 3;
const LOAD_BEFORE_SIGNAL_MS = 3_000;
/** A generous bound on the whole shutdown: Apollo's drain gives in-flight requests 10 s. */
const EXIT_BOUND_MS = 20_000;

describe('graceful shutdown under load', () => {
  const mysql = mysqlServer();
  let database: ScratchDatabase;
  const environment = (): Record<string, string> => ({
    DATABASE_URL: database.urlThrough(mysql.host, mysql.port),
    DEMO_DATA: 'true',
    DEV_SIGN_IN: 'true',
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    DB_POOL_MAX: '5',
    HOST: '127.0.0.1',
    // The restarted server must accept the first one's tokens.
    JWT_SECRET: 'graceful-shutdown-test-secret-0123456789abcdef',
  });
  let first: ServerProcess | null = null;
  let second: ServerProcess | null = null;

  beforeAll(async () => {
    database = await createScratchDatabase(mysql, 'shutdown');
  });

  afterAll(async () => {
    await first?.stop('SIGKILL');
    await second?.stop('SIGTERM');
    await database?.drop();
  });

  it('finishes the requests in flight, exits 0, and every submission lands exactly once after the restart', async () => {
    first = await startServer(environment());
    const cadres = await signInDemoCadres(first.url);
    expect(cadres.length).toBeGreaterThan(0);

    let url = first.url;
    let creating = true;
    let serial = 0;
    const deliveries: Delivery[] = [];
    const workers = cadres.flatMap((cadre) =>
      Array.from({ length: CADRE_WORKERS_EACH }, async (_, worker) => {
        let index = worker;
        while (creating) {
          const household = cadre.households[index++ % cadre.households.length]!;
          deliveries.push(await deliver(() => url, cadre.token, newVisit(household, ++serial), { backoffMs: 200, keepTrying: () => true }));
        }
      }),
    );

    await sleep(LOAD_BEFORE_SIGNAL_MS);
    // Requests certainly in flight when the signal arrives: headers parsed, body still coming.
    const heldInputs = Array.from({ length: HELD_REQUESTS }, (_, index) => {
      const cadre = cadres[index % cadres.length]!;
      return { cadre, input: newVisit(cadre.households[index % cadre.households.length]!, ++serial) };
    });
    const held = await Promise.all(heldInputs.map(({ cadre, input }) => holdRequest(first!.url, SUBMIT_HELP_RECORD, { input }, cadre.token)));
    await sleep(200);
    const signalledAt = Date.now();
    first.child.kill('SIGTERM');
    await sleep(500);
    for (const request of held) request.release();
    const heldAnswers = await Promise.all(held.map((request) => request.answer));
    const exitCode = await within(first.exited, EXIT_BOUND_MS);
    const shutdownMs = Date.now() - signalledAt;
    const firstOutput = first.output();

    // The phones keep what did not get through and send it to the restarted server.
    second = await startServer(environment());
    url = second.url;
    await sleep(2_000);
    creating = false;
    await Promise.all(workers);

    const attempts = deliveries.flatMap((delivery) => delivery.attempts);
    const failures = attempts.filter((attempt): attempt is Extract<CallOutcome<unknown>, { ok: false }> => !attempt.ok);
    const acknowledged: AcknowledgedRecord[] = deliveries
      .filter((delivery) => delivery.recordId !== null)
      .map((delivery) => ({ clientId: delivery.clientId, recordId: delivery.recordId!, operation: 'submitHelpRecord' }));
    const heldRecords = heldAnswers.map((answer, index) => {
      if ('error' in answer) return { clientId: heldInputs[index]!.input.clientId, error: answer.error };
      const body = JSON.parse(answer.body) as { data?: { submitHelpRecord: { id: string } }; errors?: unknown[] };
      return { clientId: heldInputs[index]!.input.clientId, status: answer.status, recordId: body.data?.submitHelpRecord.id ?? null, errors: body.errors };
    });
    for (const record of heldRecords) {
      if ('recordId' in record && record.recordId) acknowledged.push({ clientId: record.clientId, recordId: record.recordId, operation: 'submitHelpRecord' });
    }

    const connection = await database.connect();
    let check;
    let storedCounts;
    try {
      check = await checkRecords(connection, acknowledged);
      storedCounts = await storedClientIds(connection, [...deliveries.map((delivery) => delivery.clientId), ...heldInputs.map(({ input }) => input.clientId)]);
    } finally {
      await connection.end();
    }

    console.log(
      [
        'SIGTERM under load',
        '  exit code %s, %d ms after the signal',
        '  requests held in flight across the signal: %j',
        '  submissions: %d records, %d requests tried, %d acknowledged (+%d held), %d left unsent',
        '  failed attempts by code (retried after the restart): %j',
        '  records lost: %d, stored twice: %d, without audit entry: %d, household visit behind: %d',
      ].join('\n'),
      exitCode,
      shutdownMs,
      heldRecords.map((record) => ('error' in record ? record.error : `${record.status} record ${record.recordId}`)),
      deliveries.length,
      attempts.length,
      acknowledged.length - heldRecords.length,
      heldRecords.length,
      deliveries.filter((delivery) => delivery.recordId === null).length,
      tally(failures.map((failure) => failure.code)),
      check.lost.length,
      check.duplicated.length,
      check.withoutAudit.length,
      check.visitBehind.length,
    );

    expect({ exitCode, output: exitCode === 0 ? '' : firstOutput }).toEqual({ exitCode: 0, output: '' });
    // Every request in flight got its complete answer: the record, stored.
    expect(heldRecords.map((record) => ('recordId' in record && record.recordId ? 'stored' : record))).toEqual(heldRecords.map(() => 'stored'));
    // A request either never got in (connection refused; or sent on a kept-alive connection just as
    // the server closed it for being idle, which undici reports as "other side closed") or was
    // answered in full: no 5xx, no internal error, no answer cut off half-way. The held requests
    // above are the ones certainly in flight, and each got its whole answer.
    expect(failures.filter((failure) => !failure.connectionError)).toEqual([]);
    expect(failures.length).toBeGreaterThan(0);
    // Everything the phones held was delivered once the server was back, exactly once.
    expect(deliveries.filter((delivery) => delivery.recordId === null || delivery.refused)).toEqual([]);
    expect(check.lost).toEqual([]);
    expect(check.duplicated).toEqual([]);
    expect(check.wrongId).toEqual([]);
    expect(check.withoutAudit).toEqual([]);
    expect(check.visitBehind).toEqual([]);
    expect(check.orphaned).toEqual([]);
    expect([...storedCounts.values()].filter((count) => count !== 1)).toEqual([]);
    expect(storedCounts.size).toBe(deliveries.length + heldInputs.length);
  });
});

/** The promise's value, or 'still running' when it has not settled within the bound. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), ms)));
  try {
    return await Promise.race([promise, bound]);
  } finally {
    clearTimeout(timer);
  }
}
