import { BulkRunState } from '@wanjia/shared';
import type { Clock } from '../../core/clock';
import type { Em } from '../../core/entity-manager';
import { recordAudit } from '../audit/audit.service';
import { BulkRunItem } from './bulk-run-item.entity';
import { BulkRun } from './bulk-run.entity';
import { BulkRunItemOutcome, BulkRunKind } from './bulk-run.enums';
import { lockHouseholds } from './bulk-run.facts';
import { runActor } from './bulk-run.rules';
import { BatchRaceError, markItems } from './bulk-run.writes';
import { runReassignmentBatch } from './bulk-reassignment';
import { runRolloverBatch } from './round-rollover';
import { countsOf } from './bulk-run.counts';
import { findCurrent } from '../../core/locking';

/**
 * Runs started bulk runs to the end, batch by batch, under a lease on the run's row (lease_owner,
 * lease_until, as job_lease does for jobs): any number of instances may call it; each run is worked by
 * the one instance whose conditional UPDATE took its lease, and a run whose worker died is taken by
 * another once the lease lapses.
 *
 * Each batch is one transaction that renews the lease (and fails if it was lost or the run cancelled),
 * re-checks its items, writes the new rows and marks the items done — all or nothing, so a process
 * killed anywhere leaves every item either done with its row written or still pending. The unique
 * (run, subject) and the conditional updates make a batch that raced another writer roll back instead
 * of writing anything twice.
 */

export const BULK_RUN_BATCH_SIZE = 500;
/** Longer than one batch takes; renewed by every batch. */
export const BULK_RUN_LEASE_MS = 2 * 60_000;
/** Batches that fail in a row before the run is given up as FAILED. */
export const BULK_RUN_MAX_FAILURES = 5;
const RACE_RETRIES = 3;

export interface BulkRunWorkerOptions {
  /** This instance's name in leases. */
  owner: string;
  clock: Clock;
  batchSize?: number;
  leaseMs?: number;
  /** Batches per call, over all runs (the job's share of a tick); default: until every run is done. */
  maxBatches?: number;
  /** Called after each committed batch: where a test stops the worker as a killed process would stop. */
  afterBatch?: (runId: number, batch: number) => void | Promise<void>;
}

export interface BulkRunWorkerResult {
  batches: number;
  items: number;
  finished: number[];
}

type BatchResult = { kind: 'lost' } | { kind: 'empty' } | { kind: 'done'; items: number };

const freeLease = (now: Date) => ({ $or: [{ leaseUntil: null }, { leaseUntil: { $lte: now } }] });

/** Works every running run whose lease is free (or lapsed) until it is done or the batch budget is spent. */
export async function advanceBulkRuns(em: Em, options: BulkRunWorkerOptions): Promise<BulkRunWorkerResult> {
  const leaseMs = options.leaseMs ?? BULK_RUN_LEASE_MS;
  const result: BulkRunWorkerResult = { batches: 0, items: 0, finished: [] };
  const budget = options.maxBatches ?? Number.POSITIVE_INFINITY;
  const waiting = await em
    .fork()
    .find(BulkRun, { state: BulkRunState.RUNNING, ...freeLease(options.clock.now()) }, { fields: ['id'], orderBy: { id: 'asc' }, limit: 20 });
  for (const { id } of waiting) {
    if (result.batches >= budget) break;
    const now = options.clock.now();
    const taken = await em
      .fork()
      .nativeUpdate(
        BulkRun,
        { id, state: BulkRunState.RUNNING, ...freeLease(now) },
        { leaseOwner: options.owner, leaseUntil: new Date(now.getTime() + leaseMs) },
      );
    if (taken === 0) continue;
    await driveRun(em, id, options, leaseMs, budget, result);
  }
  return result;
}

async function driveRun(em: Em, runId: number, options: BulkRunWorkerOptions, leaseMs: number, budget: number, result: BulkRunWorkerResult): Promise<void> {
  for (;;) {
    if (result.batches >= budget) {
      // Out of budget for this call: the lease is let go so that the next tick (here or elsewhere) goes on.
      await em.fork().nativeUpdate(BulkRun, { id: runId, leaseOwner: options.owner }, { leaseOwner: null, leaseUntil: null });
      return;
    }
    let batch: BatchResult;
    try {
      batch = await batchWithRetries(em, runId, options, leaseMs);
    } catch (error) {
      await recordFailure(em, runId, options, error);
      throw error;
    }
    if (batch.kind === 'lost') return;
    if (batch.kind === 'empty') {
      if (await finish(em, runId, options.owner, options.clock.now())) result.finished.push(runId);
      return;
    }
    result.batches += 1;
    result.items += batch.items;
    try {
      await options.afterBatch?.(runId, result.batches);
    } catch (error) {
      await recordFailure(em, runId, options, error);
      throw error;
    }
  }
}

async function batchWithRetries(em: Em, runId: number, options: BulkRunWorkerOptions, leaseMs: number): Promise<BatchResult> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await runBatch(em.fork(), runId, options, leaseMs);
    } catch (error) {
      if (!(error instanceof BatchRaceError) || attempt >= RACE_RETRIES) throw error;
    }
  }
}

async function runBatch(em: Em, runId: number, options: BulkRunWorkerOptions, leaseMs: number): Promise<BatchResult> {
  const now = options.clock.now();
  return em.transactional(async (tx): Promise<BatchResult> => {
    // First, so that a cancel (or a second worker) waits for this batch on the row lock, or wins and stops it.
    const renewed = await tx.nativeUpdate(
      BulkRun,
      { id: runId, leaseOwner: options.owner, state: BulkRunState.RUNNING },
      { leaseUntil: new Date(now.getTime() + leaseMs) },
    );
    if (renewed === 0) return { kind: 'lost' };
    // Locking reads first (MariaDB): the run, its next items, then the households' locks. InnoDB takes a
    // transaction's snapshot at its first plain read, so every fact the batch reads afterwards is what was
    // committed before it held the households' locks (a transfer racing it has either committed or waits;
    // on Galera it is refused at commit and re-run). The run's row orders its workers by the lease renewal
    // above, a real write that Galera certifies too; the items are written by this batch.
    const [run] = await findCurrent(tx, BulkRun, { id: runId });
    if (!run) return { kind: 'lost' };
    const items = await findCurrent(
      tx,
      BulkRunItem,
      { run: runId, outcome: BulkRunItemOutcome.PENDING },
      { orderBy: { id: 'asc' }, limit: options.batchSize ?? BULK_RUN_BATCH_SIZE },
    );
    if (items.length === 0) return { kind: 'empty' };
    await lockHouseholds(
      tx,
      items.flatMap((item) => (item.householdId ? [item.householdId] : [])),
    );
    const actor = runActor(run);
    const outcome =
      run.kind === BulkRunKind.ROUND_ROLLOVER ? await runRolloverBatch(tx, run, items, actor, now) : await runReassignmentBatch(tx, run, items, actor, now);
    await markItems(tx, outcome);
    await tx.execute(
      'update bulk_run set items_done = items_done + ?, items_skipped_at_run = items_skipped_at_run + ?, failures = 0, failure = null where id = ?',
      [outcome.done.length, outcome.skipped.length, runId],
      'run',
    );
    return { kind: 'done', items: items.length };
  });
}

/** Done: every planned item is written or skipped. One audit entry with the counts. */
async function finish(em: Em, runId: number, owner: string, now: Date): Promise<boolean> {
  return em.fork().transactional(async (tx) => {
    const closed = await tx.nativeUpdate(
      BulkRun,
      { id: runId, leaseOwner: owner, state: BulkRunState.RUNNING },
      { state: BulkRunState.DONE, finishedAt: now, leaseOwner: null, leaseUntil: null },
    );
    if (closed === 0) return false;
    const run = await tx.findOneOrFail(BulkRun, runId);
    recordAudit(
      tx,
      { actor: null, clientAddress: null },
      { operation: 'finishBulkRun', entityName: 'BulkRun', entityId: runId, regionPath: run.regionPath, changes: { kind: run.kind, counts: countsOf(run) } },
    );
    await tx.flush();
    return true;
  });
}

/**
 * A batch that failed: said on the run, the lease left to lapse (the retry comes after it, not at
 * once), and after a few failures in a row the run is FAILED, with an audit entry.
 */
async function recordFailure(em: Em, runId: number, options: BulkRunWorkerOptions, error: unknown): Promise<void> {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 255);
  await em.fork().transactional(async (tx) => {
    const run = await tx.findOne(BulkRun, { id: runId, leaseOwner: options.owner, state: BulkRunState.RUNNING });
    if (!run) return;
    run.failures += 1;
    run.failure = message;
    if (run.failures >= BULK_RUN_MAX_FAILURES) {
      run.state = BulkRunState.FAILED;
      run.finishedAt = options.clock.now();
      run.leaseOwner = null;
      run.leaseUntil = null;
      recordAudit(
        tx,
        { actor: null, clientAddress: null },
        { operation: 'failBulkRun', entityName: 'BulkRun', entityId: runId, regionPath: run.regionPath, changes: { counts: countsOf(run), failure: message } },
      );
    }
  });
}
