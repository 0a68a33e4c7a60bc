import { birthYearOf, maskIdNumber } from '@wanjia/shared';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { encodeCursor } from './baseline-my-households';
import { DAY_MS, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, OPEN_DEMAND_STATUSES, badInput, failure, sql, type BaselineConfig, type Caller } from './baseline-support';
import { shanghaiDay } from './baseline-submit';

// --- household(id): the household screen's file ---------------------------------------------------------

/**
 * The file a cadre opens (the mini-program's HouseholdFile document): the household with its place,
 * members, open demands and those awaiting the household's confirmation, petition cases with their
 * leaders, and the first page of help records with their authors and demands. Six statements, each an
 * index range, in three steps as graphql-js resolves the levels: the household, readable only while
 * the caller is assigned to it (the scope is in the statement itself); then members, demands (open and
 * awaiting confirmation in one read), petition cases (the leader joined) and the page of records (its
 * author, the assignment's end for `correctable` and the total by a window, in one read) side by side;
 * then the page's demands raised or resolved, in one read.
 */
export const HOUSEHOLD_SQL = `
  select h.id, h.head_name, h.address, h.phone, h.status, h.is_hardship, h.is_key_focus, h.is_petitioner, h.hardship_reasons, h.last_visit_at,
         r.id as region_id, r.name as region_name
  from household h join region r on r.id = h.region_id
  where h.id = ? and h.id in (select a.household_id from assignment a where a.cadre_id = ? and a.ended_at is null)`;

const RESIDENTS_SQL = `
  select id, name, relation, gender, birth_date, id_number, key_focus_reason, is_petitioner, departure, left_on
  from resident where household_id = ? order by id`;

const DEMANDS_SQL = `
  select id, category, text, status, raised_at, due_on, reopen_count, resolved_at, resolved_by_id
  from demand where household_id = ? and status in (${OPEN_DEMAND_STATUSES}, 'RESOLVED')`;

const PETITION_CASES_SQL = `
  select p.id, p.title, p.demand, p.status, p.major_backlog, p.received_on, p.resolution, l.name as leader_name
  from petition_case p left join cadre l on l.id = p.responsible_leader_id
  where p.household_id = ? order by p.id desc`;

const RECORDS_PAGE_SQL = `
  select r.id, r.client_id, r.occurred_at, r.kinds, r.summary, r.funds_fen, r.materials_fen, r.problems_solved, r.photo_ids, r.latitude, r.longitude,
         r.version_number, r.is_latest, r.cadre_id, c.name as cadre_name, a.ended_at as assignment_ended_at, count(*) over () as total
  from help_record r join cadre c on c.id = r.cadre_id join assignment a on a.id = r.assignment_id
  where r.household_id = ? and r.is_latest = 1
  order by r.occurred_at desc, r.id desc
  limit ?`;

interface HouseholdRow extends RowDataPacket {
  id: number;
  head_name: string;
  address: string;
  phone: string | null;
  status: string;
  is_hardship: number;
  is_key_focus: number;
  is_petitioner: number;
  hardship_reasons: string | null;
  last_visit_at: Date | null;
  region_id: number;
  region_name: string;
}

interface DemandRow extends RowDataPacket {
  id: number;
  category: string;
  text: string;
  status: string;
  raised_at: Date;
  due_on: string | null;
  reopen_count: number;
  resolved_at: Date | null;
  resolved_by_id: number | null;
  raised_in_id?: number | null;
}

interface RecordRow extends RowDataPacket {
  id: number;
  client_id: string;
  occurred_at: Date;
  kinds: string;
  summary: string;
  funds_fen: number;
  materials_fen: number;
  problems_solved: number;
  photo_ids: string | null;
  latitude: number | null;
  longitude: number | null;
  version_number: number;
  is_latest: number;
  cadre_id: number;
  cadre_name: string;
  assignment_ended_at: Date | null;
  total: number;
}

const list = (value: string | null) => (value ? value.split(',') : []);

/** What a cadre's file screen asks; the nested lists are functions, so graphql-js reads only what the document selects. */
export async function household(pool: Pool, config: BaselineConfig, caller: Caller, args: { id: string }) {
  const id = Number(args.id);
  if (!Number.isSafeInteger(id) || id <= 0) throw badInput('id', 'id is not an id');
  const [row] = await sql<HouseholdRow[]>(pool, HOUSEHOLD_SQL, [id, caller.cadreId]);
  if (!row) throw failure('FORBIDDEN', 'Not found or not yours');
  let demands: Promise<DemandRow[]> | null = null;
  const demandsOnce = () => (demands ??= sql<DemandRow[]>(pool, DEMANDS_SQL, [id]));
  const thisYear = Number(shanghaiDay(Date.now()).slice(0, 4));
  return {
    id: String(row.id),
    headName: row.head_name,
    address: row.address,
    // The assigned cadre sees the phone in full (the household policy); only cadres reach here.
    phone: row.phone,
    status: row.status,
    targetGroups: [...(row.is_hardship ? ['HARDSHIP'] : []), ...(row.is_key_focus ? ['KEY_FOCUS'] : []), ...(row.is_petitioner ? ['PETITIONER'] : [])],
    hardshipReasons: list(row.hardship_reasons),
    lastVisitAt: row.last_visit_at?.toISOString() ?? null,
    region: { id: String(row.region_id), name: row.region_name },
    residents: async () =>
      (await sql<RowDataPacket[]>(pool, RESIDENTS_SQL, [id])).map((resident) => {
        const year = birthYearOf(resident.birth_date as string | null);
        return {
          id: String(resident.id),
          name: resident.name,
          relation: resident.relation,
          gender: resident.gender,
          age: year === null ? null : thisYear - year,
          birthYear: year,
          idNumber: resident.id_number ? maskIdNumber(resident.id_number as string) : null,
          isPetitioner: Boolean(resident.is_petitioner),
          isKeyFocus: resident.key_focus_reason != null,
          // Cadres and administrators see the reason (the resident policy); only cadres reach here.
          keyFocusReason: resident.key_focus_reason ?? null,
          departure: resident.departure ?? null,
          leftOn: resident.left_on ?? null,
        };
      }),
    openDemands: async () =>
      (await demandsOnce())
        .filter((demand) => demand.status !== 'RESOLVED')
        .sort((a, b) => b.raised_at.getTime() - a.raised_at.getTime())
        .map(demandAnswer),
    demandsAwaitingConfirmation: async () =>
      (await demandsOnce())
        .filter((demand) => demand.status === 'RESOLVED')
        .sort((a, b) => (b.resolved_at?.getTime() ?? -Infinity) - (a.resolved_at?.getTime() ?? -Infinity) || b.id - a.id)
        .map(demandAnswer),
    petitionCases: async () =>
      (await sql<RowDataPacket[]>(pool, PETITION_CASES_SQL, [id])).map((petition) => ({
        id: String(petition.id),
        title: petition.title,
        demand: petition.demand,
        status: petition.status,
        majorBacklog: Boolean(petition.major_backlog),
        receivedOn: petition.received_on,
        resolution: petition.resolution ?? null,
        responsibleLeader: petition.leader_name == null ? null : { name: petition.leader_name },
      })),
    helpRecords: (page: { first?: number | null; after?: string | null }) => recordsPage(pool, config, caller, id, page),
  };
}

function demandAnswer(demand: DemandRow) {
  return {
    id: String(demand.id),
    category: demand.category,
    text: demand.text,
    status: demand.status,
    raisedAt: demand.raised_at.toISOString(),
    dueOn: demand.due_on,
    reopenCount: demand.reopen_count,
    resolvedAt: demand.resolved_at?.toISOString() ?? null,
    resolvedById: demand.resolved_by_id === null ? null : String(demand.resolved_by_id),
  };
}

async function recordsPage(pool: Pool, config: BaselineConfig, caller: Caller, householdId: number, page: { first?: number | null; after?: string | null }) {
  const size = page.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) throw badInput('first', `first must be between 1 and ${MAX_PAGE_SIZE}`);
  // The mini-program's later pages are another document (MoreHelpRecords), not measured here.
  if (page.after) throw badInput('after', 'the baseline serves first pages only');
  const rows = await sql<RecordRow[]>(pool, RECORDS_PAGE_SQL, [householdId, size]);
  const ids = rows.map((row) => row.id);
  const demands =
    ids.length === 0
      ? []
      : await sql<DemandRow[]>(
          pool,
          `select id, category, text, status, raised_in_id, resolved_by_id from demand
           where raised_in_id in (${ids.map(() => '?').join(',')}) or resolved_by_id in (${ids.map(() => '?').join(',')}) order by id`,
          [...ids, ...ids],
        );
  const now = Date.now();
  const nodes = rows.map((row) => {
    const lateGraceOver = row.assignment_ended_at !== null && now - row.assignment_ended_at.getTime() > config.lateGraceDays * DAY_MS;
    const short = (demand: DemandRow) => ({ id: String(demand.id), category: demand.category, text: demand.text, status: demand.status });
    return {
      id: String(row.id),
      clientId: row.client_id,
      occurredAt: row.occurred_at.toISOString(),
      kinds: list(row.kinds),
      summary: row.summary,
      fundsFen: row.funds_fen,
      materialsFen: row.materials_fen,
      problemsSolved: row.problems_solved,
      photoIds: list(row.photo_ids),
      latitude: row.latitude,
      longitude: row.longitude,
      versionNumber: row.version_number,
      corrected: row.version_number > 1,
      correctable: row.cadre_id === caller.cadreId && Boolean(row.is_latest) && !lateGraceOver,
      cadre: { id: String(row.cadre_id), name: row.cadre_name },
      demandsRaised: demands.filter((demand) => demand.raised_in_id === row.id).map(short),
      demandsResolved: demands.filter((demand) => demand.resolved_by_id === row.id).map(short),
    };
  });
  const total = rows.length === 0 ? 0 : Number(rows[0]!.total);
  const last = rows[rows.length - 1];
  return {
    nodes,
    totalCount: total,
    pageInfo: { hasNextPage: total > rows.length, endCursor: last ? encodeCursor([last.occurred_at.getTime(), last.id]) : null },
  };
}
