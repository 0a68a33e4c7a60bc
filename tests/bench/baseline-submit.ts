import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { DemandCategory } from '@wanjia/shared';
import { TARGET_GROUP_BIT } from '@wanjia/server/dist/core/target-groups';
import { CLOCK_SKEW_MS, DAY_MS, HELP_KINDS, MAX_RECORD_FEN, badInput, failure, sql, type Caller } from './baseline-support';

// --- submitHelpRecord --------------------------------------------------------------------------------------

/** MySQL datetime(3) text for a UTC instant, as the real server stores instants. */
export function sqlInstant(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

export interface DemandInput {
  category: string;
  text: string;
  dueOn?: string | null;
}

export interface HelpRecordInput {
  clientId: string;
  householdId: string;
  occurredAt: string;
  kinds: string[];
  summary: string;
  fundsFen: number;
  materialsFen: number;
  problemsSolved: number;
  demandsRaised: DemandInput[];
  resolvedDemandIds: string[];
  photoIds: string[];
  latitude?: number | null;
  longitude?: number | null;
}

/** The checks of the real server's HelpRecordInput, in the same order of importance. */
export function checked(input: HelpRecordInput, now: number) {
  // Explicit nulls for the list fields mean "none", as type-graphql's defaults make them.
  input.demandsRaised ??= [];
  input.resolvedDemandIds ??= [];
  input.photoIds ??= [];
  if (!/^[A-Za-z0-9_-]{8,64}$/.test(input.clientId)) throw badInput('input.clientId', 'clientId must be 8-64 letters, digits, dashes or underscores (a UUID)');
  const householdId = Number(input.householdId);
  if (!Number.isSafeInteger(householdId) || householdId <= 0) throw badInput('input.householdId', 'householdId is not an id');
  const occurredAt = Date.parse(input.occurredAt);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(input.occurredAt) || Number.isNaN(occurredAt)) throw badInput('input.occurredAt', 'occurredAt must be an ISO date-time');
  if (occurredAt > now + CLOCK_SKEW_MS) throw badInput('input.occurredAt', 'occurredAt is in the future');
  if (input.kinds.length === 0) throw badInput('input.kinds', 'kinds must name at least one kind of help');
  if (new Set(input.kinds).size !== input.kinds.length || !input.kinds.every((kind) => HELP_KINDS.has(kind)))
    throw badInput('input.kinds', 'kinds must be distinct kinds of help');
  const summary = input.summary.trim();
  if (input.summary.length < 1 || input.summary.length > 1000 || summary.length === 0) throw badInput('input.summary', 'summary must be 1-1000 characters');
  for (const field of ['fundsFen', 'materialsFen'] as const) {
    const value = input[field];
    if (!Number.isSafeInteger(value) || value < 0 || value > MAX_RECORD_FEN) throw badInput(`input.${field}`, `${field} must be 0 to ${MAX_RECORD_FEN} fen`);
  }
  if (!Number.isInteger(input.problemsSolved) || input.problemsSolved < 0 || input.problemsSolved > 100)
    throw badInput('input.problemsSolved', 'problemsSolved must be 0 to 100');
  if (input.photoIds.length > 9 || new Set(input.photoIds).size !== input.photoIds.length || !input.photoIds.every((id) => /^[0-9a-f]{64}$/.test(id))) {
    throw badInput('input.photoIds', 'photoIds must be ids returned by the photo upload');
  }
  const latitude = input.latitude ?? null;
  const longitude = input.longitude ?? null;
  if ((latitude === null) !== (longitude === null))
    throw badInput(latitude === null ? 'input.latitude' : 'input.longitude', 'latitude and longitude go together');
  if (latitude !== null && (latitude < -90 || latitude > 90)) throw badInput('input.latitude', 'latitude must be -90 to 90');
  if (longitude !== null && (longitude < -180 || longitude > 180)) throw badInput('input.longitude', 'longitude must be -180 to 180');
  if (input.demandsRaised.length > 20) throw badInput('input.demandsRaised', 'at most 20 demands per record');
  input.demandsRaised.forEach((demand, index) => {
    if (demand.text.length < 2 || demand.text.length > 1000) throw badInput(`input.demandsRaised.${index}.text`, 'text must be 2-1000 characters');
    if (demand.dueOn != null && !/^\d{4}-\d{2}-\d{2}$/.test(demand.dueOn)) throw badInput(`input.demandsRaised.${index}.dueOn`, 'dueOn must be YYYY-MM-DD');
  });
  const resolvedDemandIds = input.resolvedDemandIds.map((id, index) => {
    const value = Number(id);
    if (!Number.isSafeInteger(value) || value <= 0) throw badInput(`input.resolvedDemandIds.${index}`, 'not an id');
    return value;
  });
  if (resolvedDemandIds.length > 50 || new Set(resolvedDemandIds).size !== resolvedDemandIds.length)
    throw badInput('input.resolvedDemandIds', 'at most 50 distinct demands');
  return { householdId, occurredAt, summary, latitude, longitude, resolvedDemandIds };
}

/** The real server's fingerprint of a submission (help-record.service.ts): a retry is told from a different record by it. */
export function contentHash(input: HelpRecordInput, householdId: number, occurredAt: number, resolvedDemandIds: number[]): string {
  const canonical = {
    supersedes: null,
    householdId,
    occurredAt: new Date(occurredAt).toISOString(),
    kinds: [...input.kinds].sort(),
    summary: input.summary,
    fundsFen: input.fundsFen,
    materialsFen: input.materialsFen,
    problemsSolved: input.problemsSolved,
    photoIds: input.photoIds,
    latitude: input.latitude ?? null,
    longitude: input.longitude ?? null,
    demandsRaised: input.demandsRaised.map((demand) => [demand.category, demand.text, demand.dueOn ?? null]),
    resolvedDemandIds: [...resolvedDemandIds].sort((a, b) => a - b),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/**
 * The record is inserted straight from the assignment that covered the cadre and household at
 * `occurredAt` (INSERT … SELECT): authorization, the assignment's window (an ended one within the late
 * grace), the round and the analysts' attribution (the household's place and target groups, the
 * cadre's unit) come from the same statement that writes, with no read before it. The unique
 * (cadre_id, client_id) key makes a resend fail that insert; only then is the first record read back.
 * Happy path: BEGIN, UPDATE household, INSERT help_record, upsert help_record_monthly, INSERT
 * audit_entry, COMMIT.
 *
 * The household is updated first on purpose: the record's foreign key takes a shared lock on the
 * household row, and upgrading it to the update's exclusive lock deadlocks two submissions for the
 * same household (measured here under load). Taking the exclusive lock first queues them instead;
 * a refused submission rolls the update back with everything else.
 */
export const INSERT_RECORD_SQL = `
  insert into help_record (household_id, cadre_id, assignment_id, round_id, occurred_at, kinds, summary, funds_fen, materials_fen, problems_solved,
                           photo_ids, latitude, longitude, client_id, content_hash, supersedes_id, version_number, is_latest, created_at,
                           attributed_region_id, attributed_unit_id, attributed_groups)
  select a.household_id, a.cadre_id, a.id, a.round_id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, 1, 1, ?,
         h.region_id, c.unit_id, h.is_hardship * ${TARGET_GROUP_BIT.HARDSHIP} + h.is_key_focus * ${TARGET_GROUP_BIT.KEY_FOCUS} + h.is_petitioner * ${TARGET_GROUP_BIT.PETITIONER}
  from assignment a
  join household h on h.id = a.household_id
  join cadre c on c.id = a.cadre_id
  where a.household_id = ? and a.cadre_id = ? and a.started_at <= ? and (a.ended_at is null or (a.ended_at >= ? and a.ended_at >= ?))
  order by a.started_at desc
  limit 1`;

/** The record's month (Asia/Shanghai) of the analysts' summary gains it, from the attribution just written. */
export const ADD_TO_MONTHLY_SQL = `
  insert into help_record_monthly (round_id, month, region_id, unit_id, target_groups, records, funds_fen, materials_fen, problems_solved)
  select round_id, ?, attributed_region_id, attributed_unit_id, attributed_groups, 1, funds_fen, materials_fen, problems_solved from help_record where id = ?
  on duplicate key update help_record_monthly.records = help_record_monthly.records + values(records),
    help_record_monthly.funds_fen = help_record_monthly.funds_fen + values(funds_fen),
    help_record_monthly.materials_fen = help_record_monthly.materials_fen + values(materials_fen),
    help_record_monthly.problems_solved = help_record_monthly.problems_solved + values(problems_solved)`;

/**
 * A visit is not an edit of the household's file: no version bump, as in the real server; the
 * comparison sits in the SET clause so that the row is found by primary key alone; lock_version moves,
 * as the server's household lock (server/src/core/locking.ts).
 */
export const TOUCH_HOUSEHOLD_SQL =
  'update household set last_visit_at = case when last_visit_at is null or last_visit_at < ? then ? else last_visit_at end, lock_version = lock_version + 1 where id = ?';

/** The audit entry takes the household's region path in the same statement. */
export const INSERT_AUDIT_SQL = `
  insert into audit_entry (actor_id, at, operation, entity_name, entity_id, changes, client_address, region_path)
  select ?, ?, ?, 'HelpRecord', ?, ?, ?, r.path
  from household h join region r on r.id = h.region_id
  where h.id = ?`;

export interface StoredRecord extends RowDataPacket {
  id: number;
  client_id: string;
  version_number: number;
  content_hash: string;
  household_id: number;
}

/** The real server's time limits when demand_deadline has no row for a category (demand-deadline.service.ts). */
const DEFAULT_DEMAND_DAYS: Partial<Record<DemandCategory, number>> = { HOUSING: 30, EMPLOYMENT: 30, EDUCATION: 30, LEGAL: 30, INFRASTRUCTURE: 30 } as Partial<
  Record<DemandCategory, number>
>;

/** The Asia/Shanghai calendar day of an instant, as the real server dates demands and months. */
export function shanghaiDay(ms: number): string {
  return new Date(ms + 8 * 60 * 60 * 1000).toISOString().slice(0, 10);
}

export async function submitHelpRecord(pool: Pool, caller: Caller, input: HelpRecordInput, lateGraceDays: number) {
  const now = Date.now();
  const { householdId, occurredAt, summary, latitude, longitude, resolvedDemandIds } = checked(input, now);
  const hash = contentHash(input, householdId, occurredAt, resolvedDemandIds);
  const occurred = sqlInstant(occurredAt);
  const stamp = sqlInstant(now);
  const connection = await pool.getConnection();
  try {
    await sql(connection, 'start transaction');
    let recordId: number;
    try {
      await sql(connection, TOUCH_HOUSEHOLD_SQL, [occurred, occurred, householdId]);
      if (input.photoIds.length > 0) {
        const [found] = await sql<RowDataPacket[]>(
          connection,
          `select count(*) as n from photo where uploaded_by_id = ? and id in (${input.photoIds.map(() => '?').join(',')})`,
          [caller.accountId, ...input.photoIds],
        );
        if (Number(found!.n) !== input.photoIds.length) throw badInput('input.photoIds', 'every photo must be uploaded by you first');
      }
      const inserted = await sql<ResultSetHeader>(connection, INSERT_RECORD_SQL, [
        occurred,
        input.kinds.join(','),
        summary,
        input.fundsFen,
        input.materialsFen,
        input.problemsSolved,
        input.photoIds.join(','),
        latitude,
        longitude,
        input.clientId,
        hash,
        stamp,
        householdId,
        caller.cadreId,
        occurred,
        occurred,
        sqlInstant(now - lateGraceDays * DAY_MS),
      ]);
      if (inserted.affectedRows === 0) throw await whyNotAssigned(connection, caller, householdId);
      recordId = inserted.insertId;
    } catch (error) {
      await sql(connection, 'rollback');
      if ((error as { code?: string }).code === 'ER_DUP_ENTRY' && String((error as Error).message).includes('cadre_client'))
        return replay(connection, caller, input.clientId, hash, stamp);
      throw error;
    }

    await sql(connection, ADD_TO_MONTHLY_SQL, [shanghaiDay(occurredAt).slice(0, 7), recordId]);
    if (input.demandsRaised.length > 0) {
      // Due the category's time limit (demand_deadline, else the real server's defaults) after the visit's day, unless given.
      const rows = input.demandsRaised
        .map(
          () =>
            `select ?, ?, ?, ?, coalesce(?, date_add(?, interval coalesce((select demand_days from demand_deadline where category = ?), ?) day)), 'OPEN', ?, ?, ?`,
        )
        .join(' union all ');
      await sql(
        connection,
        `insert into demand (household_id, category, text, raised_at, due_on, status, raised_in_id, created_at, updated_at) ${rows}`,
        input.demandsRaised.flatMap((demand) => [
          householdId,
          demand.category,
          demand.text.trim(),
          occurred,
          demand.dueOn ?? null,
          shanghaiDay(occurredAt),
          demand.category,
          DEFAULT_DEMAND_DAYS[demand.category as DemandCategory] ?? 15,
          recordId,
          stamp,
          stamp,
        ]),
      );
      // The demand timeline's first step, as the server writes it.
      await sql(
        connection,
        "insert into demand_event (demand_id, kind, at, actor_account_id, help_record_id, created_at) select id, 'RAISED', raised_at, ?, raised_in_id, ? from demand where raised_in_id = ?",
        [caller.accountId, stamp, recordId],
      );
    }
    if (resolvedDemandIds.length > 0) {
      // Open demands of the household raised by the visit and not reopened after it (the server's rule).
      const resolved = await sql<ResultSetHeader>(
        connection,
        `update demand set status = 'RESOLVED', resolved_by_id = ?, resolved_at = ?, updated_at = ?
         where household_id = ? and status in ('OPEN', 'IN_PROGRESS', 'ESCALATED') and id in (${resolvedDemandIds.map(() => '?').join(',')}) and raised_at <= ?
           and not exists (select 1 from demand_event e where e.demand_id = demand.id and e.kind in ('REOPENED', 'RESOLUTION_WITHDRAWN', 'WORK_STARTED', 'REFERRED', 'ACCEPTED', 'RETURNED', 'PROGRESS_NOTED', 'INSTRUCTED') and e.at > ?)`,
        [recordId, occurred, stamp, householdId, ...resolvedDemandIds, occurred, occurred],
      );
      if (resolved.affectedRows !== resolvedDemandIds.length) {
        await sql(connection, 'rollback');
        throw badInput(
          'input.resolvedDemandIds',
          'only open demands of this household, raised by the time of this visit and not reopened after it, can be resolved by it',
        );
      }
      await sql(
        connection,
        "insert into demand_event (demand_id, kind, at, actor_account_id, help_record_id, created_at) select id, 'RESOLVED', resolved_at, ?, resolved_by_id, ? from demand where resolved_by_id = ?",
        [caller.accountId, stamp, recordId],
      );
    }
    const changes = JSON.stringify({
      household: householdId,
      kinds: input.kinds,
      fundsFen: input.fundsFen,
      materialsFen: input.materialsFen,
      demandsRaised: input.demandsRaised.length,
      demandsResolved: resolvedDemandIds,
    });
    await sql(connection, INSERT_AUDIT_SQL, [caller.accountId, stamp, 'submitHelpRecord', String(recordId), changes, caller.clientAddress, householdId]);
    await sql(connection, 'commit');
    return { id: String(recordId), clientId: input.clientId, versionNumber: 1 };
  } catch (error) {
    if (!(error instanceof GraphQLError)) await connection.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    connection.release();
  }
}

/** Only on the error path: tells "not your household" from "not yours at that time", as the real server does. */
export async function whyNotAssigned(connection: PoolConnection, caller: Caller, householdId: number): Promise<GraphQLError> {
  const [row] = await sql<RowDataPacket[]>(connection, 'select count(*) as n from assignment where cadre_id = ? and household_id = ?', [
    caller.cadreId,
    householdId,
  ]);
  return Number(row!.n) === 0
    ? failure('FORBIDDEN', 'Not found or not yours')
    : badInput('input.occurredAt', 'occurredAt falls outside the time you were assigned to this household');
}

/**
 * A resend answers with the first record and leaves an audit entry (who sent it again, from where),
 * as the real server does; the same clientId with other content is refused.
 */
export async function replay(connection: PoolConnection, caller: Caller, clientId: string, hash: string, stamp: string) {
  const [first] = await sql<StoredRecord[]>(
    connection,
    'select id, client_id, version_number, content_hash, household_id from help_record where cadre_id = ? and client_id = ?',
    [caller.cadreId, clientId],
  );
  if (!first) throw new Error(`help record ${clientId} vanished after a duplicate-key error`);
  if (first.content_hash !== hash) {
    throw failure('CONFLICT', 'This clientId was already used for a different record; generate a new clientId for a new record', 'input.clientId');
  }
  await sql(connection, INSERT_AUDIT_SQL, [
    caller.accountId,
    stamp,
    'resendHelpRecord',
    String(first.id),
    JSON.stringify({ mutation: 'submitHelpRecord', clientId }),
    caller.clientAddress,
    first.household_id,
  ]);
  return { id: String(first.id), clientId: first.client_id, versionNumber: first.version_number };
}
