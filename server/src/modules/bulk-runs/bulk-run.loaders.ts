import DataLoader from 'dataloader';
import type { Em } from '../../core/entity-manager';
import { bulkRunService } from './bulk-run.service';
import type { BulkRunReasonCount } from './bulk-run.types';

export function createBulkRunLoaders(em: Em) {
  return {
    /** The skip reasons of each run on a page: one grouped statement for the page. */
    bulkRunReasonCounts: new DataLoader<number, BulkRunReasonCount[]>(async (runIds) => {
      const byRun = await bulkRunService.reasonCounts(em, runIds);
      return runIds.map((id) => byRun.get(id) ?? []);
    }),
  };
}
