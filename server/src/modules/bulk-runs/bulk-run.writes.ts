import { AssignmentKind } from '@wanjia/shared';
import type { Em } from '../../core/entity-manager';
import { Assignment } from '../assignments/assignment.entity';
import { BulkRunItem } from './bulk-run-item.entity';
import { BulkRunItemOutcome, BulkRunSkipReason } from './bulk-run.enums';
import { placeholders } from './bulk-run.facts';

/** What one batch decided: items written (with the row each became) and items skipped. */
export interface BatchOutcome {
  done: { itemId: number; resultId: number }[];
  skipped: { itemId: number; reason: BulkRunSkipReason }[];
}

/**
 * Another writer got there between the batch's reads and its conditional writes (a single transfer of
 * one of its households, a second worker whose lease had lapsed): the batch is rolled back and read again.
 */
export class BatchRaceError extends Error {
  constructor(what: string) {
    super(`bulk run batch raced another writer (${what}); the batch is read again`);
  }
}

export interface Successor {
  /** The active assignment that ends. */
  fromId: number;
  householdId: number;
  kind: AssignmentKind;
  cadreId: number;
  roundId: number;
}

/**
 * The single transfer's two writes, for a batch: the current assignments end (now, the reason) and
 * their successors start, each linked by transferredFrom — so a household's history reads as one
 * chain across transfers and rounds. The end is conditional on the assignment being still active; if
 * any was not, another writer raced the batch and it is rolled back. Three statements whatever the size.
 */
export async function writeSuccessors(tx: Em, successors: readonly Successor[], now: Date, reason: string): Promise<Map<number, number>> {
  if (successors.length === 0) return new Map();
  const fromIds = successors.map((successor) => successor.fromId);
  const ended = await tx.nativeUpdate(Assignment, { id: { $in: fromIds }, endedAt: null }, { endedAt: now, endReason: reason });
  if (ended !== successors.length) throw new BatchRaceError('an assignment had ended');
  await tx.insertMany(
    Assignment,
    successors.map((successor) => ({
      cadre: successor.cadreId,
      household: successor.householdId,
      round: successor.roundId,
      kind: successor.kind,
      startedAt: now,
      endedAt: null,
      endReason: null,
      transferredFrom: successor.fromId,
      createdAt: now,
    })),
  );
  const rows = await tx.execute<{ id: unknown; transferred_from_id: unknown }[]>(
    `select id, transferred_from_id from assignment where transferred_from_id in (${placeholders(fromIds)})`,
    fromIds,
  );
  return new Map(rows.map((row) => [Number(row.transferred_from_id), Number(row.id)]));
}

/**
 * Marks the batch's items, in the batch's transaction: done ones with what they became (one UPDATE
 * with a CASE), skipped ones with their reason (one UPDATE per reason). Conditional on the items being
 * still pending: an item already marked means another worker did the batch, and this one rolls back.
 */
export async function markItems(tx: Em, outcome: BatchOutcome): Promise<void> {
  if (outcome.done.length > 0) {
    const ids = outcome.done.map((item) => item.itemId);
    const cases = outcome.done.map(() => 'when ? then ?').join(' ');
    const result = await tx.execute<{ affectedRows: number }>(
      `update bulk_run_item set outcome = ?, result_id = case id ${cases} end where outcome = ? and id in (${placeholders(ids)})`,
      [BulkRunItemOutcome.DONE, ...outcome.done.flatMap((item) => [item.itemId, item.resultId]), BulkRunItemOutcome.PENDING, ...ids],
      'run',
    );
    if (Number(result.affectedRows) !== ids.length) throw new BatchRaceError('an item was already done');
  }
  const byReason = new Map<BulkRunSkipReason, number[]>();
  for (const item of outcome.skipped) byReason.set(item.reason, [...(byReason.get(item.reason) ?? []), item.itemId]);
  for (const [reason, ids] of byReason) {
    const marked = await tx.nativeUpdate(
      BulkRunItem,
      { id: { $in: ids }, outcome: BulkRunItemOutcome.PENDING },
      { outcome: BulkRunItemOutcome.SKIPPED, reason, skippedAtRun: true },
    );
    if (marked !== ids.length) throw new BatchRaceError('an item was already skipped');
  }
}
