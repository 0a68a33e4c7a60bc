import DataLoader from 'dataloader';
import type { EntityDictionary } from '@mikro-orm/core';
import type { Em } from '../../core/entity-manager';
import { pageSize, type Connection } from '../../core/pagination';
import { encodeCursor } from '../../core/pagination';
import { HelpRecord } from '../help-records/help-record.entity';
import { helpRecordService } from '../help-records/help-record.service';
import { toDate } from '../../core/time';

/** One household's page of help records, as `Household.helpRecords(first, after, includeSuperseded)` asks. */
export interface HouseholdRecordPageKey {
  householdId: number;
  first?: number;
  after?: string;
  includeSuperseded: boolean;
}

/** A help_record row with its rank's columns and its assignment's end (the page's one statement). */
type RankedRow = Record<string, unknown> & {
  id: number | string;
  household_id: number | string;
  page_total: number | string;
  page_assignment_ended_at: Date | string | number | null;
};

/**
 * The first page of help records of many households in one statement, whatever their number: the
 * caseload refresh asks `myHouseholds(first: 100) { nodes { file { helpRecords(first: 10) } } }`, and one
 * keyset query per household would make that 100 statements. A window function ranks each household's
 * records newest occasion first (the `help_record_household_occurred_index` serves the `household_id in`
 * filter) and counts them (totalCount); the rows come back whole and are mapped to entities, with their
 * assignment's end, which `correctable` needs (primed into `assignmentEndedAt`, which would otherwise
 * read it in a statement of its own). Window functions run on MariaDB 10.2+, MySQL 8 and SQLite 3.25+.
 */
async function firstPages(
  em: Em,
  householdIds: readonly number[],
  size: number,
  includeSuperseded: boolean,
  assignmentEndedAt: DataLoader<number, Date | null>,
): Promise<Connection<HelpRecord>[]> {
  const rows = await em.getConnection().execute<RankedRow[]>(
    `select ranked.*, a.ended_at as page_assignment_ended_at
       from (select r.*,
                    row_number() over (partition by r.household_id order by r.occurred_at desc, r.id desc) as page_position,
                    count(*) over (partition by r.household_id) as page_total
               from help_record r
              where r.household_id in (${householdIds.map(() => '?').join(', ')})${includeSuperseded ? '' : ' and r.is_latest = 1'}) ranked
       join assignment a on a.id = ranked.assignment_id
      where page_position <= ?
      order by ranked.household_id, page_position`,
    [...householdIds, size],
  );
  const records = rows.map((row) => {
    const { page_position: _position, page_total: _total, page_assignment_ended_at: endedAt, ...columns } = row;
    // Raw column values: em.map converts them as a find would (dates, the array columns).
    const record = em.map(HelpRecord, columns as EntityDictionary<HelpRecord>);
    assignmentEndedAt.prime(record.assignment.id, endedAt === null ? null : toDate(endedAt));
    return record;
  });
  const recordById = new Map(records.map((record) => [record.id, record]));
  const pages = new Map<number, { nodes: HelpRecord[]; total: number }>(householdIds.map((id) => [id, { nodes: [], total: 0 }]));
  for (const row of rows) {
    const page = pages.get(Number(row.household_id));
    const record = recordById.get(Number(row.id));
    if (!page || !record) continue;
    page.nodes.push(record);
    page.total = Number(row.page_total);
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
export function createHouseholdRecordPageLoaders(em: Em, assignmentEndedAt: DataLoader<number, Date | null>) {
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
          const pages = await firstPages(em, householdIds, pageSize({ first: batch[0]!.first }), batch[0]!.includeSuperseded, assignmentEndedAt);
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
