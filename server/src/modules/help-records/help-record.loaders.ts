import DataLoader from 'dataloader';
import type { Em } from '../../core/entity-manager';
import { toDate } from '../../core/time';
import { HelpRecord } from './help-record.entity';

/**
 * Request-scoped loaders of help records' history. What they load is checked for the caller by the
 * object scope guard (a HelpRecord is a household-file type).
 */
export function createHelpRecordLoaders(em: Em) {
  return {
    /**
     * The earlier versions of each record, newest first: for a whole list of records one recursive
     * walk down the `supersedes` chain (MariaDB 10.2+ and SQLite 3.8.3+ have WITH RECURSIVE; each step
     * is a primary-key lookup) and one read of the rows. The caller asks only for corrected records.
     */
    earlierVersionsOf: new DataLoader<number, HelpRecord[]>(async (recordIds) => {
      const chain = await em.execute<{ root_id: number | string; id: number | string }[]>(
        `with recursive chain (root_id, id, supersedes_id) as (
           select id, id, supersedes_id from help_record where id in (${recordIds.map(() => '?').join(', ')})
           union all
           select chain.root_id, h.id, h.supersedes_id from chain join help_record h on h.id = chain.supersedes_id
         )
         select root_id, id from chain where id <> root_id`,
        [...recordIds],
      );
      const ids = [...new Set(chain.map((row) => Number(row.id)))];
      const rows = ids.length === 0 ? [] : await em.find(HelpRecord, { id: { $in: ids } });
      const byId = new Map(rows.map((row) => [row.id, row]));
      const groups = new Map<number, HelpRecord[]>(recordIds.map((id) => [id, []]));
      for (const link of chain) {
        const version = byId.get(Number(link.id));
        if (version) groups.get(Number(link.root_id))?.push(version);
      }
      return recordIds.map((id) => (groups.get(id) ?? []).sort((a, b) => b.versionNumber - a.versionNumber));
    }),

    /**
     * When each assignment ended (null: still active), by id, in one statement per batch. Raw rows:
     * a partial Assignment in the request's identity map would be handed to later reads of it.
     */
    assignmentEndedAt: new DataLoader<number, Date | null>(async (assignmentIds) => {
      const rows = await em.execute<{ id: number | string; ended_at: Date | string | number | null }[]>(
        `select id, ended_at from assignment where id in (${assignmentIds.map(() => '?').join(', ')})`,
        [...assignmentIds],
      );
      const byId = new Map(rows.map((row) => [Number(row.id), row.ended_at === null ? null : toDate(row.ended_at)]));
      return assignmentIds.map((id) => byId.get(id) ?? null);
    }),
  };
}
