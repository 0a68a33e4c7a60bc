import type { BulkRun } from './bulk-run.entity';
import type { BulkRunCounts } from './bulk-run.types';

/** The run's counts from its counters (kept in the batches' transactions: no count query). */
export function countsOf(run: Pick<BulkRun, 'itemsTotal' | 'itemsPlanned' | 'itemsDone' | 'itemsSkippedAtRun'>): BulkRunCounts {
  return {
    total: run.itemsTotal,
    planned: run.itemsPlanned,
    skippedByPlan: run.itemsTotal - run.itemsPlanned,
    done: run.itemsDone,
    skippedAtRun: run.itemsSkippedAtRun,
    pending: run.itemsPlanned - run.itemsDone - run.itemsSkippedAtRun,
  };
}
