import { createHash } from 'node:crypto';
import http from 'node:http';
import { GraphQLError, buildSchema, execute, parse, validate, type DocumentNode, type ExecutionResult } from 'graphql';
import { jwtVerify } from 'jose';
import mysql, { type Pool, type PoolConnection, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
// The real server's fallback secret, used when JWT_SECRET is unset, as there.
import { DEVELOPMENT_JWT_SECRET } from '@wanjia/server/dist/config';
import { SQL_COUNT_PATH, TOKEN_AUDIENCE, TOKEN_ISSUER } from './common';

/**
 * The hand-written baseline the real server is measured against: the two cadre operations with
 * graphql-js over Node's http and mysql2, no framework, no ORM, no DataLoader, and the fewest SQL
 * statements the rules allow. It follows the real server's rules (server/src/modules/my-work and
 * help-records) so that both do the same work; where it is faster, that is the price of the stack.
 *
 * Run: DATABASE_URL=mariadb://root@127.0.0.1:3306/wanjia_bench PORT=4100 tsx bench/baseline-server.ts
 */

const SDL = /* GraphQL */ `
  scalar DateTimeISO
  scalar LocalDate

  enum TargetGroup {
    HARDSHIP
    KEY_FOCUS
    PETITIONER
  }
  enum HelpKind {
    VISIT
    POLICY_EXPLANATION
    PROBLEM_SOLVED
    FUNDS
    MATERIALS
    REFERRAL
  }
  enum DemandCategory {
    LIVELIHOOD
    HOUSING
    MEDICAL
    EMPLOYMENT
    EDUCATION
    SOCIAL_SECURITY
    LEGAL
    INFRASTRUCTURE
    OTHER
  }

  type PageInfo {
    hasNextPage: Boolean!
    endCursor: String
  }

  type MyHousehold {
    id: ID!
    headName: String!
    address: String!
    regionName: String!
    targetGroups: [TargetGroup!]!
    lastVisitAt: DateTimeISO
    daysSinceLastVisit: Int
    visitIntervalDays: Int!
    nextVisitDueAt: DateTimeISO!
    visitOverdue: Boolean!
    openDemandCount: Int!
  }

  type MyHouseholdConnection {
    nodes: [MyHousehold!]!
    pageInfo: PageInfo!
  }

  type HelpRecord {
    id: ID!
    clientId: String!
    versionNumber: Int!
  }

  input DemandInput {
    category: DemandCategory!
    text: String!
    dueOn: LocalDate
  }

  input HelpRecordInput {
    clientId: String!
    householdId: ID!
    occurredAt: DateTimeISO!
    kinds: [HelpKind!]!
    summary: String!
    fundsFen: Int = 0
    materialsFen: Int = 0
    problemsSolved: Int = 0
    demandsRaised: [DemandInput!] = []
    resolvedDemandIds: [ID!] = []
    photoIds: [String!] = []
    latitude: Float
    longitude: Float
  }

  type Query {
    myHouseholds(first: Int, after: String): MyHouseholdConnection!
  }
  type Mutation {
    submitHelpRecord(input: HelpRecordInput!): HelpRecord!
  }
`;

// --- configuration ------------------------------------------------------------------------------------

const DAY_MS = 24 * 60 * 60 * 1000;
/** As the real server: a phone's clock may run a little fast. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const MAX_RECORD_FEN = 1_000_000_000;
const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 20;
const OPEN_DEMAND_STATUSES = `'OPEN', 'IN_PROGRESS', 'ESCALATED'`;
const HELP_KINDS = new Set(['VISIT', 'POLICY_EXPLANATION', 'PROBLEM_SOLVED', 'FUNDS', 'MATERIALS', 'REFERRAL']);

interface BaselineConfig {
  port: number;
  databaseUrl: string;
  jwtSecret: string;
  poolMax: number;
  intervals: { hardship: number; keyFocus: number; petitioner: number };
}

function configFrom(environment: NodeJS.ProcessEnv): BaselineConfig {
  const number = (name: string, fallback: number) => {
    const value = Number(environment[name] || fallback);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name}: must be a positive whole number`);
    return value;
  };
  const databaseUrl = environment.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL: must be set (mariadb://root@127.0.0.1:3306/wanjia_bench)');
  return {
    port: number('PORT', 4100),
    databaseUrl,
    jwtSecret: environment.JWT_SECRET || DEVELOPMENT_JWT_SECRET,
    poolMax: number('DB_POOL_MAX', 10),
    intervals: {
      hardship: number('VISIT_INTERVAL_DAYS_HARDSHIP', 30),
      keyFocus: number('VISIT_INTERVAL_DAYS_KEY_FOCUS', 14),
      petitioner: number('VISIT_INTERVAL_DAYS_PETITIONER', 7),
    },
  };
}

// --- database: every statement goes through `sql`, which counts it --------------------------------------

let statements = 0;

type Queryable = Pool | PoolConnection;

/**
 * The text protocol with client-side escaping, as MikroORM's knex uses: one round trip per statement.
 * Prepared statements (mysql2's execute) measured no faster here (MariaDB re-plans them on every
 * execution) and add a PREPARE per statement and connection.
 */
async function sql<T extends RowDataPacket[] | ResultSetHeader>(db: Queryable, text: string, params: unknown[] = []): Promise<T> {
  statements += 1;
  const [result] = await db.query<T>(text, params);
  return result;
}

function poolFor(config: BaselineConfig): Pool {
  const url = new URL(config.databaseUrl);
  return mysql.createPool({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
    database: url.pathname.replace(/^\//, ''),
    connectionLimit: config.poolMax,
    // The database keeps UTC (as the real server writes it); DATETIME values come back as instants.
    timezone: 'Z',
    charset: 'utf8mb4',
  });
}

// --- errors shaped as the real server shapes them ---------------------------------------------------------

function failure(code: 'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_USER_INPUT' | 'CONFLICT', message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: field ? { code, field } : { code } });
}

function badInput(field: string, message: string): GraphQLError {
  return failure('BAD_USER_INPUT', message, field);
}

// --- authentication ---------------------------------------------------------------------------------------

interface Caller {
  accountId: number;
  cadreId: number;
  clientAddress: string;
}

/** Verifies the real server's access token (HS256, issuer and audience); only a cadre's token reaches the two operations. */
async function callerOf(request: http.IncomingMessage, key: Uint8Array): Promise<Caller> {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization?.trim() ?? '');
  if (!match) throw failure('UNAUTHENTICATED', 'Sign in first');
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(match[1]!, key, { issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, algorithms: ['HS256'] }));
  } catch {
    throw failure('UNAUTHENTICATED', 'The access token is invalid or expired');
  }
  const accountId = Number(payload.sub);
  if (!Number.isSafeInteger(accountId) || payload.role !== 'CADRE' || typeof payload.cd !== 'number')
    throw failure('FORBIDDEN', 'Only cadres have households of their own');
  return { accountId, cadreId: payload.cd, clientAddress: request.socket.remoteAddress ?? 'unknown' };
}

// --- myHouseholds ----------------------------------------------------------------------------------------

/**
 * One statement: the cadre's active assignments with household, region name, whether a petition
 * case is open and the open demand count; every lookup is an index range (assignment(cadre_id,
 * ended_at), petition_case(household_id), demand(household_id, status)). The schedule (the shortest
 * interval that applies, an open case counting only for a petitioner household, the hardship interval
 * when none applies, as server/src/modules/my-work/visit-schedule.ts) and the most-overdue-first
 * order are computed here rather than in SQL: a cadre's list is bounded by capacity (≤ 50), and
 * doing it in SQL (derived tables, ORDER BY the computed due date, LIMIT) measured ~15 % slower.
 */
const MY_HOUSEHOLDS_SQL = `
  select h.id, h.head_name, h.address, r.name as region_name, h.is_hardship, h.is_key_focus, h.is_petitioner, h.last_visit_at, a.started_at,
         h.is_petitioner and exists (select 1 from petition_case p where p.household_id = h.id and p.status in ('REGISTERED', 'IN_PROGRESS')) as open_case,
         (select count(*) from demand d where d.household_id = h.id and d.status in (${OPEN_DEMAND_STATUSES})) as open_demands
  from assignment a
  join household h on h.id = a.household_id
  join region r on r.id = h.region_id
  where a.cadre_id = ? and a.ended_at is null`;

interface HouseholdRow extends RowDataPacket {
  id: number;
  head_name: string;
  address: string;
  region_name: string;
  is_hardship: number;
  is_key_focus: number;
  is_petitioner: number;
  last_visit_at: Date | null;
  started_at: Date;
  open_case: number;
  open_demands: number;
}

function encodeCursor(values: (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

function decodeCursor(cursor: string): [number, number] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(values) && values.length === 2 && values.every((value) => Number.isSafeInteger(value))) return values as [number, number];
  } catch {
    // falls through to the error below
  }
  throw badInput('after', 'after is not a cursor this list gave out');
}

async function myHouseholds(pool: Pool, config: BaselineConfig, caller: Caller, args: { first?: number | null; after?: string | null }) {
  const size = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) throw badInput('first', `first must be between 1 and ${MAX_PAGE_SIZE}`);
  const after = args.after ? decodeCursor(args.after) : null;
  const rows = await sql<HouseholdRow[]>(pool, MY_HOUSEHOLDS_SQL, [caller.cadreId]);
  const now = Date.now();
  const { hardship, keyFocus, petitioner } = config.intervals;
  const scheduled = rows.map((row) => {
    let interval = Infinity;
    if (row.is_hardship) interval = hardship;
    if (row.is_key_focus) interval = Math.min(interval, keyFocus);
    if (row.open_case) interval = Math.min(interval, petitioner);
    if (interval === Infinity) interval = hardship;
    const last = row.last_visit_at?.getTime() ?? null;
    return { row, interval, last, due: (last ?? row.started_at.getTime()) + interval * DAY_MS };
  });
  scheduled.sort((a, b) => a.due - b.due || a.row.id - b.row.id);
  // The cursor is (due, id) as the real server's: the page starts after it.
  const start = after ? scheduled.findIndex((entry) => entry.due > after[0] || (entry.due === after[0] && entry.row.id > after[1])) : 0;
  const from = start < 0 ? scheduled.length : start;
  const page = scheduled.slice(from, from + size);
  const nodes = page.map(({ row, interval, last, due }) => ({
    id: String(row.id),
    headName: row.head_name,
    address: row.address,
    regionName: row.region_name,
    targetGroups: [...(row.is_hardship ? ['HARDSHIP'] : []), ...(row.is_key_focus ? ['KEY_FOCUS'] : []), ...(row.is_petitioner ? ['PETITIONER'] : [])],
    lastVisitAt: row.last_visit_at?.toISOString() ?? null,
    daysSinceLastVisit: last === null ? null : Math.floor((now - last) / DAY_MS),
    visitIntervalDays: interval,
    nextVisitDueAt: new Date(due).toISOString(),
    visitOverdue: due < now,
    openDemandCount: Number(row.open_demands),
  }));
  const last = page[page.length - 1];
  return { nodes, pageInfo: { hasNextPage: from + size < scheduled.length, endCursor: last ? encodeCursor([last.due, last.row.id]) : null } };
}

// --- submitHelpRecord --------------------------------------------------------------------------------------

/** MySQL datetime(3) text for a UTC instant, as the real server stores instants. */
function sqlInstant(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

interface DemandInput {
  category: string;
  text: string;
  dueOn?: string | null;
}

interface HelpRecordInput {
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
function checked(input: HelpRecordInput, now: number) {
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
function contentHash(input: HelpRecordInput, householdId: number, occurredAt: number, resolvedDemandIds: number[]): string {
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
 * `occurredAt` (INSERT … SELECT): authorization, the assignment's window and the round come from the
 * same statement that writes, with no read before it. The unique client_id makes a retry fail that
 * insert; only then is the first record read back. Happy path: BEGIN, UPDATE household, INSERT
 * help_record, INSERT audit_entry, COMMIT.
 *
 * The household is updated first on purpose: the record's foreign key takes a shared lock on the
 * household row, and upgrading it to the update's exclusive lock deadlocks two submissions for the
 * same household (measured here under load). Taking the exclusive lock first queues them instead;
 * a refused submission rolls the update back with everything else.
 */
const INSERT_RECORD_SQL = `
  insert into help_record (household_id, cadre_id, assignment_id, round_id, occurred_at, kinds, summary, funds_fen, materials_fen, problems_solved,
                           photo_ids, latitude, longitude, client_id, content_hash, supersedes_id, version_number, is_latest, created_at)
  select a.household_id, a.cadre_id, a.id, a.round_id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, 1, 1, ?
  from assignment a
  where a.household_id = ? and a.cadre_id = ? and a.started_at <= ? and (a.ended_at is null or a.ended_at >= ?)
  order by a.started_at desc
  limit 1`;

/** A visit is not an edit of the household's file: no version bump, as in the real server. */
const TOUCH_HOUSEHOLD_SQL = 'update household set last_visit_at = ? where id = ? and (last_visit_at is null or last_visit_at < ?)';

/** The audit entry takes the household's region path in the same statement. */
const INSERT_AUDIT_SQL = `
  insert into audit_entry (actor_id, at, operation, entity_name, entity_id, changes, client_address, region_path)
  select ?, ?, 'submitHelpRecord', 'HelpRecord', ?, ?, ?, r.path
  from household h join region r on r.id = h.region_id
  where h.id = ?`;

interface StoredRecord extends RowDataPacket {
  id: number;
  client_id: string;
  version_number: number;
  content_hash: string;
}

async function submitHelpRecord(pool: Pool, caller: Caller, input: HelpRecordInput) {
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
      await sql(connection, TOUCH_HOUSEHOLD_SQL, [occurred, householdId, occurred]);
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
      ]);
      if (inserted.affectedRows === 0) throw await whyNotAssigned(connection, caller, householdId);
      recordId = inserted.insertId;
    } catch (error) {
      await sql(connection, 'rollback');
      if ((error as { code?: string }).code === 'ER_DUP_ENTRY' && String((error as Error).message).includes('client_id'))
        return replay(connection, input.clientId, hash);
      throw error;
    }

    if (input.demandsRaised.length > 0) {
      const rows = input.demandsRaised.map(() => `(?, ?, ?, ?, ?, 'OPEN', ?, ?, ?)`).join(', ');
      await sql(
        connection,
        `insert into demand (household_id, category, text, raised_at, due_on, status, raised_in_id, created_at, updated_at) values ${rows}`,
        input.demandsRaised.flatMap((demand) => [
          householdId,
          demand.category,
          demand.text.trim(),
          occurred,
          demand.dueOn ?? new Date(occurredAt + 30 * DAY_MS).toISOString().slice(0, 10),
          recordId,
          stamp,
          stamp,
        ]),
      );
    }
    if (resolvedDemandIds.length > 0) {
      const resolved = await sql<ResultSetHeader>(
        connection,
        `update demand set status = 'RESOLVED', resolved_by_id = ?, resolved_at = ?, updated_at = ?
         where household_id = ? and status in (${OPEN_DEMAND_STATUSES}) and id in (${resolvedDemandIds.map(() => '?').join(',')})`,
        [recordId, occurred, stamp, householdId, ...resolvedDemandIds],
      );
      if (resolved.affectedRows !== resolvedDemandIds.length) {
        await sql(connection, 'rollback');
        throw badInput('input.resolvedDemandIds', 'only open demands of this household can be resolved');
      }
    }
    const changes = JSON.stringify({
      household: householdId,
      kinds: input.kinds,
      fundsFen: input.fundsFen,
      materialsFen: input.materialsFen,
      demandsRaised: input.demandsRaised.length,
      demandsResolved: resolvedDemandIds,
    });
    await sql(connection, INSERT_AUDIT_SQL, [caller.accountId, stamp, String(recordId), changes, caller.clientAddress, householdId]);
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
async function whyNotAssigned(connection: PoolConnection, caller: Caller, householdId: number): Promise<GraphQLError> {
  const [row] = await sql<RowDataPacket[]>(connection, 'select count(*) as n from assignment where cadre_id = ? and household_id = ?', [
    caller.cadreId,
    householdId,
  ]);
  return Number(row!.n) === 0
    ? failure('FORBIDDEN', 'Not found or not yours')
    : badInput('input.occurredAt', 'occurredAt falls outside the time you were assigned to this household');
}

/** A retry answers with the first record; the same clientId with other content is refused. */
async function replay(connection: PoolConnection, clientId: string, hash: string) {
  const [first] = await sql<StoredRecord[]>(connection, 'select id, client_id, version_number, content_hash from help_record where client_id = ?', [clientId]);
  if (!first) throw new Error(`help record ${clientId} vanished after a duplicate-key error`);
  if (first.content_hash !== hash) {
    throw failure('CONFLICT', 'This clientId was already used for a different record; generate a new clientId for a new record', 'input.clientId');
  }
  return { id: String(first.id), clientId: first.client_id, versionNumber: first.version_number };
}

// --- HTTP -------------------------------------------------------------------------------------------------------

export interface BaselineServer {
  server: http.Server;
  pool: Pool;
  close(): Promise<void>;
}

export async function startBaselineServer(config: BaselineConfig): Promise<BaselineServer> {
  const schema = buildSchema(SDL);
  const pool = poolFor(config);
  const key = new TextEncoder().encode(config.jwtSecret);
  // Apollo keeps parsed and validated documents; so does the baseline, or it would flatter the real server.
  const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();

  const rootValue = {
    myHouseholds: (args: { first?: number | null; after?: string | null }, context: { caller: Promise<Caller> }) =>
      context.caller.then((caller) => myHouseholds(pool, config, caller, args)),
    submitHelpRecord: (args: { input: HelpRecordInput }, context: { caller: Promise<Caller> }) =>
      context.caller.then((caller) => submitHelpRecord(pool, caller, args.input)),
  };

  function documentFor(query: string): DocumentNode | readonly GraphQLError[] {
    let document = documents.get(query);
    if (!document) {
      try {
        const parsed = parse(query);
        const errors = validate(schema, parsed);
        document = errors.length > 0 ? errors : parsed;
      } catch (error) {
        document = [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
      }
      if (documents.size > 1000) documents.clear();
      documents.set(query, document);
    }
    return document;
  }

  async function handleGraphql(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of request as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > 1_000_000) return send(response, 413, { errors: [{ message: 'request too large' }] });
      chunks.push(chunk);
    }
    let body: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
    } catch {
      return send(response, 400, { errors: [{ message: 'the body must be JSON' }] });
    }
    if (typeof body.query !== 'string') return send(response, 400, { errors: [{ message: 'query must be a string' }] });
    const document = documentFor(body.query);
    if (Array.isArray(document)) return send(response, 400, { errors: document.map((error) => error.toJSON()) });
    const caller = callerOf(request, key);
    caller.catch(() => undefined); // consumed by the resolver; an unused rejection must not crash the process
    const result = (await execute({
      schema,
      document: document as DocumentNode,
      rootValue,
      contextValue: { caller },
      variableValues: (body.variables ?? undefined) as Record<string, unknown> | undefined,
      operationName: typeof body.operationName === 'string' ? body.operationName : undefined,
    })) as ExecutionResult;
    if (result.errors) {
      for (const error of result.errors) {
        if (!error.extensions?.code) console.error(error.originalError ?? error);
      }
    }
    send(response, 200, result);
  }

  const server = http.createServer((request, response) => {
    const path = request.url?.split('?')[0];
    if (request.method === 'POST' && path === '/graphql') {
      handleGraphql(request, response).catch((error: unknown) => {
        console.error(error);
        send(response, 500, { errors: [{ message: 'internal error' }] });
      });
    } else if (request.method === 'GET' && path === SQL_COUNT_PATH) {
      send(response, 200, { statements });
    } else if (request.method === 'GET' && path === '/readyz') {
      pool.query('select 1').then(
        () => send(response, 200, { status: 'ready' }),
        () => send(response, 503, { status: 'unavailable' }),
      );
    } else {
      send(response, 404, { error: 'not found' });
    }
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(config.port, '127.0.0.1', resolve));
  return {
    server,
    pool,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}

function send(response: http.ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) return;
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

if (require.main === module) {
  const config = configFrom(process.env);
  startBaselineServer(config)
    .then((baseline) => {
      console.log(`baseline GraphQL server on http://127.0.0.1:${config.port}/graphql`);
      const stop = () => void baseline.close().then(() => process.exit(0));
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
