import { OPEN_CASE_STATUSES, SETTLED_CASE_STATUSES } from '@wanjia/shared';
import type { Em } from '../../core/entity-manager';
import { toDate } from '../../core/time';
import type { Dialect, SqlInstant as Instant } from './analytics.dialect';
import { MEASURES, isCounted, type Family, type FamilyValues } from './analytics.measures';
import { dayStartMs, type MonthSpan, type Slice } from './analytics.slice';
import { AnalyticsMeasure } from './analytics.types';
import { familySource } from './figures.sources';
import { distinctCountsByMonth, monthBounds, type SpannedRow } from './figures.month-runs';

type Row = SpannedRow<AnalyticsMeasure>;

const truthy = (value: unknown) => Boolean(Number(value));
const endOf = (value: Instant | null) => (value == null ? null : toDate(value).getTime());

/** Assignments: the cadres engaged and the households helped, by group, for as long as they last. */
async function assignmentRows(em: Em, dialect: Dialect, family: 'ASSIGNMENT' | 'CADRE', slice: Slice): Promise<Row[]> {
  const source = familySource(dialect, family, slice, { kind: 'none' });
  const flags = family === 'ASSIGNMENT' ? ', ho.is_hardship as h, ho.is_key_focus as k, ho.is_petitioner as p' : '';
  const found = await em
    .getConnection('read')
    .execute<{ household_id: number; cadre_id: number; started_at: Instant; ended_at: Instant | null; h?: unknown; k?: unknown; p?: unknown }[]>(
      `select a.household_id, a.cadre_id, a.started_at, a.ended_at${flags} ${source.body.sql}`,
      source.body.params,
    );
  return found.map((row) => {
    const household = Number(row.household_id);
    return {
      start: toDate(row.started_at).getTime(),
      end: endOf(row.ended_at),
      ids: {
        [AnalyticsMeasure.CADRES_ENGAGED]: Number(row.cadre_id),
        [AnalyticsMeasure.HOUSEHOLDS_HELPED]: household,
        [AnalyticsMeasure.HARDSHIP_HOUSEHOLDS_HELPED]: truthy(row.h) ? household : null,
        [AnalyticsMeasure.KEY_FOCUS_HOUSEHOLDS_HELPED]: truthy(row.k) ? household : null,
        [AnalyticsMeasure.PETITIONER_HOUSEHOLDS_HELPED]: truthy(row.p) ? household : null,
      },
    };
  });
}

/** A counted resident counts in the months an assignment of the slice covers the household. */
async function personRows(em: Em, dialect: Dialect, slice: Slice): Promise<Row[]> {
  const source = familySource(dialect, 'ASSIGNMENT', slice, { kind: 'none' });
  const found = await em.getConnection('read').execute<{ rid: number; kf: unknown; pt: unknown; s: Instant; e: Instant | null }[]>(
    `select rs.id as rid, (rs.key_focus_reason is not null) as kf, rs.is_petitioner as pt, x.s, x.e
         from (select a.household_id as hid, a.started_at as s, a.ended_at as e ${source.body.sql}) x
         join resident rs on rs.household_id = x.hid
        where rs.key_focus_reason is not null or rs.is_petitioner = 1`,
    source.body.params,
  );
  return found.map((row) => ({
    start: toDate(row.s).getTime(),
    end: endOf(row.e),
    ids: {
      [AnalyticsMeasure.KEY_FOCUS_PERSONS]: truthy(row.kf) ? Number(row.rid) : null,
      [AnalyticsMeasure.PETITIONERS]: truthy(row.pt) ? Number(row.rid) : null,
    },
  }));
}

/** Pairings cover days: a month when they start on or before its last day and end on or after its first. */
async function pairingRows(em: Em, dialect: Dialect, slice: Slice): Promise<Row[]> {
  const source = familySource(dialect, 'PAIRING', slice, { kind: 'none' });
  const found = await em
    .getConnection('read')
    .execute<{ unit_id: number; region_id: number; level: string; sd: string; ed: string | null }[]>(
      `select p.unit_id, p.region_id, r.level, substr(p.started_on, 1, 10) as sd, substr(p.ended_on, 1, 10) as ed ${source.body.sql}`,
      source.body.params,
    );
  return found.map((row) => ({
    start: dayStartMs(row.sd),
    end: row.ed == null ? null : dayStartMs(row.ed),
    ids: {
      [AnalyticsMeasure.UNITS_PAIRED]: Number(row.unit_id),
      [AnalyticsMeasure.VILLAGES_COVERED]: row.level === 'VILLAGE' ? Number(row.region_id) : null,
      [AnalyticsMeasure.COMMUNITIES_COVERED]: row.level === 'COMMUNITY' ? Number(row.region_id) : null,
    },
  }));
}

/** Petition cases, from the day received until resolved. */
async function caseRows(em: Em, dialect: Dialect, slice: Slice): Promise<Row[]> {
  const source = familySource(dialect, 'CASE', slice, { kind: 'none' });
  const found = await em
    .getConnection('read')
    .execute<{ id: number; major_backlog: unknown; status: string; rd: string; resolved_at: Instant | null }[]>(
      `select pc.id, pc.major_backlog, pc.status, substr(pc.received_on, 1, 10) as rd, pc.resolved_at ${source.body.sql}`,
      source.body.params,
    );
  const open = new Set<string>(OPEN_CASE_STATUSES);
  const settled = new Set<string>(SETTLED_CASE_STATUSES);
  return found.map((row) => {
    const id = Number(row.id);
    return {
      start: dayStartMs(row.rd),
      end: endOf(row.resolved_at),
      ids: {
        [AnalyticsMeasure.PETITION_CASES]: id,
        [AnalyticsMeasure.MAJOR_PETITION_CASES]: truthy(row.major_backlog) ? id : null,
        [AnalyticsMeasure.OPEN_PETITION_CASES]: open.has(row.status) ? id : null,
        [AnalyticsMeasure.RESOLVED_PETITION_CASES]: settled.has(row.status) ? id : null,
      },
    };
  });
}

async function spannedRows(em: Em, dialect: Dialect, family: Family, slice: Slice): Promise<Row[] | null> {
  switch (family) {
    case 'ASSIGNMENT':
    case 'CADRE':
      return assignmentRows(em, dialect, family, slice);
    case 'PERSON':
      return personRows(em, dialect, slice);
    case 'PAIRING':
      return pairingRows(em, dialect, slice);
    case 'CASE':
      return caseRows(em, dialect, slice);
    default:
      return null;
  }
}

/**
 * The families whose rows last over time (pairings, assignments, the persons they reach, open cases)
 * counted per month: a row counts in a month when its span overlaps it — it started before the
 * month's end and had not ended before the month's start, the rule the SQL of the other groupings
 * uses. Joining every row to every month in SQL took seconds on a city; here the slice's rows are
 * read once and put into the months they overlap (figures.month-runs.ts). Null for a family whose
 * rows are events (demands, help records): those the SQL groups by month.
 */
export async function spannedByMonth(em: Em, dialect: Dialect, family: Family, slice: Slice, months: MonthSpan[]): Promise<FamilyValues | null> {
  const definitions = MEASURES.filter((definition) => definition.family === family).filter(isCounted);
  const rows = await spannedRows(em, dialect, family, slice);
  if (rows === null) return null;
  // Every measure of the family must be one this knows how to count; otherwise the SQL counts it.
  if (rows.length > 0 && definitions.some((definition) => !(definition.measure in rows[0]!.ids))) return null;
  const bounds = monthBounds(months);
  const measures = definitions.map((definition) => definition.measure);
  const counts = distinctCountsByMonth(rows, measures, bounds);
  const values: FamilyValues = new Map();
  bounds.forEach((month, index) => {
    values.set(month.key, new Map(measures.map((measure) => [measure, counts.get(measure)![index]!])));
  });
  return values;
}
