import { randomUUID } from 'node:crypto';
import type mysql from 'mysql2/promise';
import type { DatabaseConfig } from '../src/config';
import { CONFLICT_RETRIED_MESSAGE, conflictRetryCounts, conflictRetrySettings, isConflict, type ConflictRetryLogger } from '../src/core/conflict-retry';
import type { Em } from '../src/core/entity-manager';
import type { Orm } from '../src/db/orm';
import { HelpRecord } from '../src/modules/help-records/help-record.entity';
import { Round } from '../src/modules/rounds/round.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { connectTo, mysqlServerAt } from './support/mysql-server';
import { createAccount, createAssignment, createCadre, createHousehold, createRegionTree, createRound, createUnit, tokenFor } from './support/factories';
import { startApp, type RunningApp } from './support/server';

// Real InnoDB deadlocks need MySQL; registered only when the global setup found it (always under CI).
const describeMysql = databaseKinds().includes('mysql') ? describe : () => undefined;

/**
 * The probe table's rows: the transaction under test takes row 1 then row 2, its opponent row 2 then
 * row 1. Row 3 is left to the transaction under test. The opponent also changes every row of a
 * table of its own (retry_weight), which makes it the heavier transaction: InnoDB rolls back the
 * lighter one of a deadlock, the transaction under test.
 */
const PROBE_ROWS = 3;
const WEIGHT_ROWS = 50;

/**
 * The transaction under test loses a real InnoDB deadlock: it updates row 1 and waits for row 2,
 * which the opponent (a connection of its own) holds together with many others; the opponent then
 * asks for row 1, InnoDB finds the cycle and rolls back the lighter transaction — this one — with
 * 1213. The opponent commits.
 */
async function loseDeadlock(tx: Em, opponent: mysql.Connection, observer: mysql.Connection): Promise<void> {
  await opponent.query('begin');
  // Heavy: many changed rows, so that InnoDB picks the transaction under test as the victim.
  await opponent.query('update retry_weight set n = n + 1');
  await opponent.query('update retry_probe set n = n + 1 where id = 2');
  await tx.execute('update retry_probe set n = n + 1 where id = 1');
  const [{ thread }] = await tx.execute<{ thread: number }[]>('select connection_id() as thread');
  const blocked = tx.execute('update retry_probe set n = n + 1 where id = 2');
  blocked.catch(() => undefined);
  await waitUntilWaitingForALock(observer, Number(thread));
  const cycle = opponent.query('update retry_probe set n = n + 1 where id = 1');
  try {
    await blocked;
  } finally {
    // The opponent's own failure is the test's, never a conflict of the transaction under test.
    await cycle.catch((error: unknown) => {
      throw new Error(`the deadlock's opponent failed: ${String(error)}`);
    });
    await opponent.query('commit');
  }
  throw new Error('the deadlock did not happen: the transaction under test was not chosen as its victim');
}

/**
 * Polls information_schema.innodb_trx, no faster than every 150 ms: InnoDB refreshes that table's
 * cache only when it was not read for 100 ms, so a tighter loop would read a stale picture forever.
 */
async function waitUntilWaitingForALock(observer: mysql.Connection, thread: number): Promise<void> {
  for (;;) {
    const [rows] = await observer.query<mysql.RowDataPacket[]>("select 1 from information_schema.innodb_trx where trx_mysql_thread_id = ? and trx_state = 'LOCK WAIT'", [
      thread,
    ]);
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** What the retry logged, by message. */
function capturingLogger(): ConflictRetryLogger & { lines: { message: string; details: Record<string, unknown> }[] } {
  const lines: { message: string; details: Record<string, unknown> }[] = [];
  return { lines, warn: (details, message) => lines.push({ message, details }) };
}

describeMysql('a transaction refused by a conflict (real InnoDB deadlocks on MariaDB)', () => {
  let orm: Orm;
  let database: DatabaseConfig;
  let opponent: mysql.Connection;
  let observer: mysql.Connection;
  let logger: ReturnType<typeof capturingLogger>;
  const settingsBefore = { ...conflictRetrySettings };

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm('mysql', 'conflict_retry'));
    if (database.kind !== 'mysql') throw new Error('MySQL only');
    const server = mysqlServerAt(database.url);
    opponent = await connectTo(server, server.baseName);
    observer = await connectTo(server, server.baseName);
    await opponent.query('create table retry_probe (id int primary key, n int not null) engine = InnoDB');
    await opponent.query('create table retry_weight (id int primary key, n int not null) engine = InnoDB');
    await opponent.query(`insert into retry_weight (id, n) values ${Array.from({ length: WEIGHT_ROWS }, (_, index) => `(${index + 1}, 0)`).join(', ')}`);
  });

  beforeEach(async () => {
    await opponent.query('delete from retry_probe');
    await opponent.query(`insert into retry_probe (id, n) values ${Array.from({ length: PROBE_ROWS }, (_, index) => `(${index + 1}, 0)`).join(', ')}`);
    logger = capturingLogger();
    conflictRetrySettings.logger = logger;
    conflictRetrySettings.retries = 4;
  });

  afterAll(async () => {
    Object.assign(conflictRetrySettings, settingsBefore);
    await opponent?.end();
    await observer?.end();
    await orm?.close(true);
    if (database) await dropScratchDatabase(database);
  });

  async function probe(id: number): Promise<number> {
    const [rows] = await observer.query<mysql.RowDataPacket[]>('select n from retry_probe where id = ?', [id]);
    return Number(rows[0]!.n);
  }

  it('runs the deadlock victim again: it commits once, counted and logged, and the caller holds only what the committed attempt made', async () => {
    const em = orm.em.fork();
    const retriedBefore = conflictRetryCounts.retried;
    const name = `冲突重试${randomUUID().slice(0, 8)}`;
    const refusedIds: number[] = [];
    let attempts = 0;
    const round = await em.transactional(async (tx) => {
      attempts += 1;
      const created = tx.create(Round, { name, startsOn: '2026-05-01', endsOn: '2029-04-30' });
      await tx.flush();
      if (attempts === 1) {
        refusedIds.push(created.id);
        await loseDeadlock(tx, opponent, observer);
      }
      await tx.execute('update retry_probe set n = n + 10 where id = 1');
      return created;
    });

    expect(attempts).toBe(2);
    expect(conflictRetryCounts.retried - retriedBefore).toBe(1);
    expect(logger.lines.map((line) => line.message)).toEqual([CONFLICT_RETRIED_MESSAGE]);
    expect(logger.lines[0]!.details).toMatchObject({ attempt: 1, retries: 4, errno: 1213 });
    // The refused attempt's writes were rolled back; the opponent's and the second attempt's stand.
    expect(await probe(1)).toBe(1 + 10);
    expect(await probe(2)).toBe(1);
    const [rounds] = await observer.query<mysql.RowDataPacket[]>('select id from round where name = ?', [name]);
    expect(rounds.map((row) => Number(row.id))).toEqual([round.id]);
    expect(refusedIds).not.toContain(round.id);
    // The caller's unit of work: the committed round, not the refused one (whose row does not exist).
    const heldRounds = [...em.getUnitOfWork().getIdentityMap()].filter((entity): entity is Round => entity instanceof Round);
    expect(heldRounds.map((held) => held.id)).toEqual([round.id]);
    expect(await em.findOne(Round, refusedIds[0]!)).toBeNull();
  });

  it('gives up after DATABASE_CONFLICT_RETRIES re-runs: the conflict reaches the caller and nothing of the transaction stays', async () => {
    conflictRetrySettings.retries = 2;
    const exhaustedBefore = conflictRetryCounts.exhausted;
    let attempts = 0;
    const error = await orm.em
      .fork()
      .transactional(async (tx) => {
        attempts += 1;
        await loseDeadlock(tx, opponent, observer);
      })
      .then(
        () => null,
        (caught: unknown) => caught,
      );

    expect(isConflict(error)).toBe(true);
    expect(attempts).toBe(3);
    expect(conflictRetryCounts.exhausted - exhaustedBefore).toBe(1);
    expect(logger.lines.map((line) => line.message)).toEqual([
      CONFLICT_RETRIED_MESSAGE,
      CONFLICT_RETRIED_MESSAGE,
      'transaction conflict: retries exhausted, the error goes to the caller',
    ]);
    // Three opponents committed; none of the three refused attempts did.
    expect(await probe(1)).toBe(3);
  });

  it('does not run a transaction again for an error that is not a conflict', async () => {
    let attempts = 0;
    await expect(
      orm.em.fork().transactional(async (tx) => {
        attempts += 1;
        await tx.execute('update retry_probe set n = n + 1 where id = 1');
        // A duplicate key: refused for good, not by a conflict.
        await tx.execute('insert into retry_probe (id, n) values (1, 0)');
      }),
    ).rejects.toMatchObject({ name: 'UniqueConstraintViolationException' });
    expect(attempts).toBe(1);

    await expect(
      orm.em.fork().transactional(async () => {
        attempts += 1;
        throw new Error('a rule said no');
      }),
    ).rejects.toThrow('a rule said no');
    expect(attempts).toBe(2);
    expect(logger.lines).toEqual([]);
    expect(await probe(1)).toBe(0);
  });

  it('never runs a nested transaction again on its own: the outermost one is run again from the start, nested call and all', async () => {
    const retriedBefore = conflictRetryCounts.retried;
    let outer = 0;
    let inner = 0;
    await orm.em.fork().transactional(async (tx) => {
      outer += 1;
      await tx.execute('update retry_probe set n = n + 100 where id = ?', [PROBE_ROWS]);
      await tx.transactional(async (nested) => {
        inner += 1;
        if (outer === 1) await loseDeadlock(nested, opponent, observer);
        await nested.execute('update retry_probe set n = n + 10 where id = 1');
      });
    });

    expect([outer, inner]).toEqual([2, 2]);
    expect(conflictRetryCounts.retried - retriedBefore).toBe(1);
    expect(logger.lines.map((line) => line.message)).toEqual([CONFLICT_RETRIED_MESSAGE]);
    expect(await probe(1)).toBe(1 + 10);
    // The outer transaction's own write before the nested call was rolled back with the refused attempt and made once.
    expect(await probe(PROBE_ROWS)).toBe(100);
  });

  it('does not run it again when the refused attempt changed an entity the caller had loaded before (the edit could be applied twice)', async () => {
    const em = orm.em.fork();
    const round = await createRound(em);
    const unsafeBefore = conflictRetryCounts.unsafe;
    let attempts = 0;
    const error = await em
      .transactional(async (tx) => {
        attempts += 1;
        const same = await tx.findOneOrFail(Round, round.id);
        same.name = `${same.name}·改`;
        await tx.flush();
        await loseDeadlock(tx, opponent, observer);
      })
      .then(
        () => null,
        (caught: unknown) => caught,
      );

    expect(isConflict(error)).toBe(true);
    expect(attempts).toBe(1);
    expect(conflictRetryCounts.unsafe - unsafeBefore).toBe(1);
    expect(logger.lines.map((line) => line.message)).toEqual(['transaction conflict not retried: the refused attempt changed entities loaded before the transaction']);
  });

  describe('the cadres’ submitHelpRecord losing a deadlock', () => {
    let server: RunningApp;
    let token: string;
    let householdId: number;

    beforeAll(async () => {
      const em = orm.em.fork();
      const regions = await createRegionTree(em);
      const round = await createRound(em);
      const unit = await createUnit(em, { region: regions.city });
      const cadre = await createCadre(em, { unit });
      const household = await createHousehold(em, { region: regions.dongxing });
      await createAssignment(em, { cadre, household, round, startedAt: new Date(Date.now() - 30 * 86_400_000) });
      householdId = household.id;
      server = await startApp(orm, database);
      token = await tokenFor(await createAccount(em, { cadre }), server);
    });

    afterAll(async () => {
      await server?.close();
    });

    const SUBMIT = 'mutation ($input: HelpRecordInput!) { submitHelpRecord(input: $input) { id clientId } }';
    // One time for every visit of this test: a resend must be identical to what was sent.
    const occurredAt = new Date(Date.now() - 10 * 60_000).toISOString();
    const visit = (clientId: string) => ({
      clientId,
      householdId: String(householdId),
      occurredAt,
      kinds: ['VISIT', 'FUNDS'],
      summary: '走访并送慰问金',
      fundsFen: 30_000,
    });
    const submit = async (clientId: string): Promise<string> => {
      const body = await server.graphql<{ submitHelpRecord: { id: string } }>(SUBMIT, { input: visit(clientId) }, { authorization: `Bearer ${token}` });
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data!.submitHelpRecord.id;
    };
    const monthly = async (): Promise<{ records: number; funds: number }> => {
      // Only this describe's submissions write help records in this database.
      const [rows] = await observer.query<mysql.RowDataPacket[]>('select coalesce(sum(records), 0) as records, coalesce(sum(funds_fen), 0) as funds from help_record_monthly');
      return { records: Number(rows[0]!.records), funds: Number(rows[0]!.funds) };
    };

    it('is run again and stays exactly once by its clientId: one record, one summary increment, one audit entry', async () => {
      // A first visit makes the month's summary row that the deadlock is fought over.
      await submit(randomUUID());
      const before = await monthly();
      const retriedBefore = conflictRetryCounts.retried;

      // The opponent: many changed rows (heavy), then the summary row; the submission locks its
      // household, writes the record and waits for the summary row; the opponent asks for the household.
      await opponent.query('begin');
      await opponent.query('update retry_weight set n = n + 1');
      // (The round is read first: a subquery on help_record inside the UPDATE would lock the household's records' gap, where the submission inserts.)
      const [rounds] = await observer.query<mysql.RowDataPacket[]>('select round_id from help_record where household_id = ? limit 1', [householdId]);
      await opponent.query('update help_record_monthly set records = records where round_id = ?', [rounds[0]!.round_id]);
      const clientId = randomUUID();
      const submitted = submit(clientId);
      submitted.catch(() => undefined);
      const waiting = await (async () => {
        for (;;) {
          const [rows] = await observer.query<mysql.RowDataPacket[]>(
            `select t.trx_mysql_thread_id as thread from information_schema.innodb_trx t join information_schema.processlist p on p.id = t.trx_mysql_thread_id
              where p.db = database() and t.trx_state = 'LOCK WAIT' and t.trx_query like '%help_record_monthly%'`,
          );
          if (rows.length > 0) return Number(rows[0]!.thread);
          // No faster: see waitUntilWaitingForALock.
          await new Promise((resolve) => setTimeout(resolve, 150));
        }
      })();
      expect(waiting).toBeGreaterThan(0);
      await opponent.query('update household set last_visit_at = last_visit_at where id = ?', [householdId]);
      await opponent.query('commit');
      const id = await submitted;

      expect(conflictRetryCounts.retried - retriedBefore).toBe(1);
      expect(logger.lines.filter((line) => line.message === CONFLICT_RETRIED_MESSAGE)).toHaveLength(1);
      const [stored] = await observer.query<mysql.RowDataPacket[]>('select id from help_record where client_id = ?', [clientId]);
      expect(stored.map((row) => String(row.id))).toEqual([id]);
      expect(await monthly()).toEqual({ records: before.records + 1, funds: before.funds + 30_000 });
      const [audits] = await observer.query<mysql.RowDataPacket[]>(
        "select count(*) as n from audit_entry where entity_name = 'HelpRecord' and entity_id = ? and operation = 'submitHelpRecord'",
        [id],
      );
      expect(Number(audits[0]!.n)).toBe(1);
      // The phone sends it again (its answer was lost): the same record, nothing more.
      expect(await submit(clientId)).toBe(id);
      expect(await monthly()).toEqual({ records: before.records + 1, funds: before.funds + 30_000 });
      const em = orm.em.fork();
      expect(await em.count(HelpRecord, { clientId })).toBe(1);
    });
  });
});
