import DataLoader from 'dataloader';
import type { Em } from '../../core/entity-manager';
import { pageSize, type Connection } from '../../core/pagination';
import { encodeCursor } from '../../core/pagination';
import { HelpRecord } from '../help-records/help-record.entity';
import { helpRecordService } from '../help-records/help-record.service';

/** One household's page of help records, as `Household.helpRecords(first, after, includeSuperseded)` asks. */
export interface HouseholdRecordPageKey {
  householdId: number;
  first?: number;
  after?: string;
  includeSuperseded: boolean;
}

interface RankedRow {
  id: number | string;
  household_id: number | string;
  total: number | string;
}

/**
 * The first page of help records of many households in two statements, whatever their number: the
 * caseload refresh asks `myHouseholds(first: 100) { nodes { file { helpRecords(first: 10) } } }`, and one
 * keyset query per household would make that 200 statements. A window function ranks each household's
 * records newest occasion first (the `help_record_household_occurred_index` serves the `household_id in`
 * filter) and counts them (totalCount); the ranked ids are then loaded as entities. Window functions run
 * on MariaDB 10.2+, MySQL 8 and SQLite 3.25+.
 */
async function firstPages(em: Em, householdIds: readonly number[], size: number, includeSuperseded: boolean): Promise<Connection<HelpRecord>[]> {
  const rows = await em.getConnection().execute<RankedRow[]>(
    `select id, household_id, total
       from (select r.id, r.household_id,
                    row_number() over (partition by r.household_id order by r.occurred_at desc, r.id desc) as position,
                    count(*) over (partition by r.household_id) as total
               from help_record r
              where r.household_id in (${householdIds.map(() => '?').join(', ')})${includeSuperseded ? '' : ' and r.is_latest = 1'}) ranked
      where position <= ?
      order by household_id, position`,
    [...householdIds, size],
  );
  const records = rows.length === 0 ? [] : await em.find(HelpRecord, { id: { $in: rows.map((row) => Number(row.id)) } });
  const recordById = new Map(records.map((record) => [record.id, record]));
  const pages = new Map<number, { nodes: HelpRecord[]; total: number }>(householdIds.map((id) => [id, { nodes: [], total: 0 }]));
  for (const row of rows) {
    const page = pages.get(Number(row.household_id));
    const record = recordById.get(Number(row.id));
    if (!page || !record) continue;
    page.nodes.push(record);
    page.total = Number(row.total);
  }
  return householdIds.map((id) => {
    const { nodes, total } = pages.get(id)!;
    const last = nodes[nodes.length - 1];
    return {
      nodes,
      totalCount: total,
      pageInfo: { hasNextPage: total > nodes.length, endCursor: last ? encodeCursor([last.occurredAt.getTime(), last.id]) : null },
    };
  });
}

/**
 * Request-scoped: `helpRecordPagesByHousehold` answers `Household.helpRecords` for every household of a
 * request together. First pages (no `after`) of the same size are batched; a later page is one
 * household's "more" and is read as before (help-record.service listForHousehold), with the same
 * cursors either way.
 */
export function createHouseholdRecordPageLoaders(em: Em) {
  return {
    helpRecordPagesByHousehold: new DataLoader<HouseholdRecordPageKey, Connection<HelpRecord>, string>(
      async (keys) => {
        const answers = new Map<HouseholdRecordPageKey, Connection<HelpRecord>>();
        const batches = new Map<string, HouseholdRecordPageKey[]>();
        for (const key of keys) {
          if (key.after) continue;
          const batch = `${pageSize({ first: key.first })}|${key.includeSuperseded}`;
          batches.set(batch, [...(batches.get(batch) ?? []), key]);
        }
        for (const batch of batches.values()) {
          const householdIds = [...new Set(batch.map((key) => key.householdId))];
          const pages = await firstPages(em, householdIds, pageSize({ first: batch[0]!.first }), batch[0]!.includeSuperseded);
          const byHousehold = new Map(householdIds.map((id, index) => [id, pages[index]!]));
          for (const key of batch) answers.set(key, byHousehold.get(key.householdId)!);
        }
        return Promise.all(
          keys.map(
            (key) => answers.get(key) ?? helpRecordService.listForHousehold(em, key.householdId, { first: key.first, after: key.after }, key.includeSuperseded),
          ),
        );
      },
      { cacheKeyFn: (key) => JSON.stringify([key.householdId, key.first ?? null, key.after ?? null, key.includeSuperseded]) },
    ),
  };
}
