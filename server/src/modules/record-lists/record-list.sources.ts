import {
  HardshipReason,
  HouseholdStatus,
  LABELS_ZH,
  OPEN_CASE_STATUSES,
  OPEN_DEMAND_STATUSES,
  OPEN_REFERRAL_STATUSES,
  RecordList,
  TargetGroup,
  AssignmentKind,
  DemandCategory,
  DemandStatus,
  maskPhone,
} from '@wanjia/shared';
import type { VisitIntervals } from '../../config';
import type { Em } from '../../core/entity-manager';
import { likeStartingWith } from '../../core/sql-like';
import { inTargetGroupSql, TARGET_GROUP_COLUMN } from '../../core/target-groups';
import { DAY_MS, shanghaiDate, toDate } from '../../core/time';
import { Dialect, sqlStringList, type SqlInstant } from '../analytics/analytics.dialect';
import { dayOf } from '../demands/demand-loop.service';
import { visitSchedule } from '../my-work/visit-schedule';
import { Region } from '../regions/region.entity';

/**
 * The rows of each record list, read from the database in keyset pages (by the id of the list's row,
 * RECORD_LIST_PAGE_ROWS at a time): a list is an async sequence of pages that the writer turns into the
 * file as they come, so a whole city's list is never held in memory. Every statement reads within the
 * resolved region's subtree (the caller's, or a region in it: its path, or one of its villages), as the
 * API's lists do, and writes only what the caller's role reads there: phones masked (maskPhone, as
 * Household.phone for staff), no ID number, no key-focus reason, no petition case detail.
 */

/** A cell: text, a number, or empty. */
export type Cell = string | number | null;

/** Rows read per statement: bounded, so that memory does not grow with the list. */
export const RECORD_LIST_PAGE_ROWS = 500;

/** A list's filters resolved against the database (in scope, existing), as every source reads them. */
export interface ResolvedListFilters {
  regionPath: string;
  roundId: number | null;
  unitId: number | null;
  cadreId: number | null;
  importId: number | null;
  targetGroup: TargetGroup | null;
}

/** What every source reads besides the filters. */
export interface SourceContext {
  em: Em;
  filters: ResolvedListFilters;
  intervals: VisitIntervals;
  now: Date;
}

/** A list: its Chinese headers and its rows, a page at a time. */
export interface RecordSheet {
  headers: readonly string[];
  pages: AsyncIterable<Cell[][]>;
}

/** What the SQL drivers give back for a flag: 0/1 (numbers, or text from an aggregate), or a boolean. */
type SqlFlag = number | string | boolean;

function flag(value: SqlFlag | null | undefined): boolean {
  return Boolean(Number(value ?? 0));
}

function day(value: SqlInstant | null | undefined): string | null {
  return value === null || value === undefined ? null : shanghaiDate(toDate(value));
}

function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

/** The household's columns every list of households reads. */
const HOUSEHOLD_COLUMNS =
  'ho.id as household_id, ho.address, ho.head_name, ho.phone, ho.is_hardship, ho.is_key_focus, ho.is_petitioner, ho.last_visit_at, r.path as region_path';

interface HouseholdColumns {
  household_id: number | string;
  address: string;
  head_name: string;
  phone: string | null;
  is_hardship: SqlFlag;
  is_key_focus: SqlFlag;
  is_petitioner: SqlFlag;
  last_visit_at: SqlInstant | null;
  region_path: string;
}

function targetGroupsOf(row: Pick<HouseholdColumns, 'is_hardship' | 'is_key_focus' | 'is_petitioner'>): string {
  const groups: TargetGroup[] = [];
  if (flag(row.is_hardship)) groups.push(TargetGroup.HARDSHIP);
  if (flag(row.is_key_focus)) groups.push(TargetGroup.KEY_FOCUS);
  if (flag(row.is_petitioner)) groups.push(TargetGroup.PETITIONER);
  return groups.map((group) => LABELS_ZH.TargetGroup[group]).join('、');
}

/** Staff read a household's phone masked (householdPolicy.seesPhone: only the assigned cadre sees it whole). */
function maskedPhone(phone: string | null): string | null {
  return phone ? maskPhone(phone) : null;
}

/**
 * The names of the regions on a path below the city (`平山区/站前街道/东兴社区`), looked up a page at a
 * time and kept by code: what is kept grows with the region tree (a few thousand names), not the list.
 */
class RegionNames {
  private readonly names = new Map<string, string>();

  constructor(private readonly em: Em) {}

  async load(paths: readonly string[]): Promise<void> {
    const missing = new Set<string>();
    for (const path of paths) for (const code of codesOf(path)) if (!this.names.has(code)) missing.add(code);
    if (missing.size === 0) return;
    const regions = await this.em.find(Region, { code: { $in: [...missing] } }, { fields: ['code', 'name'], connectionType: 'read' });
    for (const region of regions) this.names.set(region.code, region.name);
  }

  of(path: string): string {
    return codesOf(path)
      .slice(1)
      .map((code) => this.names.get(code) ?? code)
      .join('/');
  }
}

function codesOf(path: string): string[] {
  return path.split('/').filter(Boolean);
}

/** The target-group condition on `ho`, when the list is narrowed to one. */
function groupCondition(filters: ResolvedListFilters): string {
  return filters.targetGroup ? ` and ${inTargetGroupSql('ho', filters.targetGroup)}` : '';
}

/**
 * Reads a list a page at a time: `page(afterId)` answers the rows after the last key (the statement's
 * own `id > ? order by id limit ?`) and the key of the last row it read, null at the end.
 */
async function* keysetPages(page: (afterId: number, limit: number) => Promise<{ rows: Cell[][]; lastId: number | null }>): AsyncGenerator<Cell[][]> {
  let afterId = 0;
  for (;;) {
    const { rows, lastId } = await page(afterId, RECORD_LIST_PAGE_ROWS);
    if (rows.length > 0) yield rows;
    if (lastId === null) return;
    afterId = lastId;
  }
}

/**
 * The lists of households and their demands, village by village (in the order of the regions' paths, so
 * the file comes grouped by district, township and village), each village's rows in keyset pages. Why not
 * one keyset over the subtree: with the subtree's condition on the region's path, MariaDB starts from the
 * regions (their path index) and sorts every matching household for every page (292 ms a page at
 * 100,000 households, quadratic over the list); with one village per statement, the household's region
 * index hands the rows over in id order and nothing is sorted. What is kept is the subtree's village ids
 * (the tree's size, a few thousand numbers), not the list.
 */
async function* byVillage(
  em: Em,
  filters: ResolvedListFilters,
  page: (villageId: number, afterId: number, limit: number) => Promise<{ rows: Cell[][]; lastId: number | null }>,
): AsyncGenerator<Cell[][]> {
  const villages = await em
    .getConnection('read')
    .execute<{ id: number | string }[]>(
      'select r.id from region r where r.path like ? and exists (select 1 from household vh where vh.region_id = r.id) order by r.path',
      [likeStartingWith(filters.regionPath)],
    );
  for (const village of villages) yield* keysetPages((afterId, limit) => page(Number(village.id), afterId, limit));
}

// ——— Overdue visits ———————————————————————————————————————————————————————————————

interface OverdueCandidate extends HouseholdColumns {
  started_at: SqlInstant;
  cadre_name: string;
  unit_name: string;
  has_open_case: SqlFlag;
}

/**
 * 超期未走访户: households with an active assignment whose next visit is past due by the visit rule
 * (my-work/visit-schedule.ts: the shortest interval of the household's groups, a petitioner's only while
 * a case is open), as overdueVisits answers them; the cadre is the household's first active assignment's,
 * as there. The statement keeps only the households whose last visit (or assignment) lies beyond the
 * shortest interval of all, which every overdue household does; the rule itself decides each row, so the
 * list and the query cannot disagree.
 */
function overdueVisits({ em, filters, intervals, now }: SourceContext): RecordSheet {
  const dialect = new Dialect(em);
  const names = new RegionNames(em);
  const shortest = Math.min(intervals.hardship, intervals.keyFocus, intervals.petitioner);
  const round = filters.roundId !== null ? ' and a.round_id = ?' : '';
  const unit = filters.unitId !== null ? ' and c.unit_id = ?' : '';
  const sql = `select ${HOUSEHOLD_COLUMNS}, a.started_at, c.name as cadre_name, u.name as unit_name,
      exists (select 1 from petition_case pc where pc.household_id = ho.id and pc.status in (${sqlStringList(OPEN_CASE_STATUSES)})) as has_open_case
    from household ho
    join region r on r.id = ho.region_id
    join assignment a on a.id = (select min(a2.id) from assignment a2 where a2.household_id = ho.id and a2.ended_at is null)
    join cadre c on c.id = a.cadre_id
    join unit u on u.id = c.unit_id
   where ho.region_id = ? and ho.status = ?${groupCondition(filters)} and coalesce(ho.last_visit_at, a.started_at) < ?${round}${unit} and ho.id > ?
   order by ho.id limit ?`;
  const params = [
    HouseholdStatus.ACTIVE,
    dialect.instant(new Date(now.getTime() - shortest * DAY_MS)),
    ...(filters.roundId !== null ? [filters.roundId] : []),
    ...(filters.unitId !== null ? [filters.unitId] : []),
  ];
  return {
    headers: ['户编号', '所在区划', '地址', '户主', '联系电话', '帮扶对象类别', '联系干部', '干部所在单位', '最近走访日期', '应走访日期', '超期天数'],
    pages: byVillage(em, filters, async (villageId, afterId, limit) => {
      const found = await em.getConnection('read').execute<OverdueCandidate[]>(sql, [villageId, ...params, afterId, limit]);
      await names.load(found.map((row) => row.region_path));
      const rows: Cell[][] = [];
      for (const row of found) {
        const lastVisitAt = row.last_visit_at === null ? null : toDate(row.last_visit_at);
        const schedule = visitSchedule(
          {
            isHardship: flag(row.is_hardship),
            isKeyFocus: flag(row.is_key_focus),
            isPetitioner: flag(row.is_petitioner),
            hasOpenPetitionCase: flag(row.has_open_case),
            lastVisitAt,
            assignedAt: toDate(row.started_at),
          },
          intervals,
          now,
        );
        if (!schedule.overdue) continue;
        rows.push([
          Number(row.household_id),
          names.of(row.region_path),
          row.address,
          row.head_name,
          maskedPhone(row.phone),
          targetGroupsOf(row),
          row.cadre_name,
          row.unit_name,
          lastVisitAt ? shanghaiDate(lastVisitAt) : null,
          shanghaiDate(schedule.dueAt),
          Math.floor((now.getTime() - schedule.dueAt.getTime()) / DAY_MS),
        ]);
      }
      return { rows, lastId: found.length < limit ? null : Number(found[found.length - 1]!.household_id) };
    }),
  };
}

// ——— Open and overdue demands ———————————————————————————————————————————————————

interface DemandRow {
  id: number | string;
  text: string;
  category: DemandCategory;
  status: DemandStatus;
  raised_at: SqlInstant;
  due_on: Date | string | null;
  escalation_rung: number | string;
  household_id: number | string;
  head_name: string;
  address: string;
  region_path: string;
}

/** The open referral's due date while one is open, else the demand's own (issue 15; as Demand.effectiveDueOn and the figures). */
const EFFECTIVE_DUE = `coalesce((select min(er.due_on) from demand_referral er where er.demand_id = d.id and er.status in (${sqlStringList(OPEN_REFERRAL_STATUSES)})), d.due_on)`;

/**
 * 未办结诉求 / 超期诉求: the open demands (OPEN_DEMAND_STATUSES) of the subtree's households, as `demands`
 * answers them; overdue ones are past their effective due date before today (Asia/Shanghai), as
 * Demand.overdue and the DEMANDS_OVERDUE figure count them. `unitId`: demands referred to that unit now
 * (an open referral). The referred unit is the open referral's.
 */
function demands({ em, filters, now }: SourceContext, overdueOnly: boolean): RecordSheet {
  const names = new RegionNames(em);
  const today = shanghaiDate(now);
  const unit =
    filters.unitId !== null
      ? ` and exists (select 1 from demand_referral ur where ur.demand_id = d.id and ur.unit_id = ? and ur.status in (${sqlStringList(OPEN_REFERRAL_STATUSES)}))`
      : '';
  const overdue = overdueOnly ? ` and ${EFFECTIVE_DUE} < ?` : '';
  const sql = `select d.id, d.text, d.category, d.status, d.raised_at, d.due_on, d.escalation_rung, ho.id as household_id, ho.head_name, ho.address, r.path as region_path
      from demand d
      join household ho on ho.id = d.household_id
      join region r on r.id = ho.region_id
     where ho.region_id = ?${groupCondition(filters)} and d.status in (${sqlStringList(OPEN_DEMAND_STATUSES)})${unit}${overdue} and d.id > ?
     order by d.id limit ?`;
  const params = [...(filters.unitId !== null ? [filters.unitId] : []), ...(overdueOnly ? [today] : [])];
  const headers = ['诉求编号', '诉求内容', '诉求类别', '状态', '户编号', '户主', '所在区划', '地址', '提出日期', '应办结日期', '交办单位', '督办层级'];
  return {
    headers: overdueOnly ? [...headers, '逾期天数'] : headers,
    pages: byVillage(em, filters, async (villageId, afterId, limit) => {
      const found = await em.getConnection('read').execute<DemandRow[]>(sql, [villageId, ...params, afterId, limit]);
      await names.load(found.map((row) => row.region_path));
      const referrals = await openReferralsOf(
        em,
        found.map((row) => Number(row.id)),
      );
      const rows = found.map((row): Cell[] => {
        const referral = referrals.get(Number(row.id));
        const due = referral?.dueOn ?? dayOf(row.due_on);
        const cells: Cell[] = [
          Number(row.id),
          row.text,
          LABELS_ZH.DemandCategory[row.category] ?? row.category,
          LABELS_ZH.DemandStatus[row.status] ?? row.status,
          Number(row.household_id),
          row.head_name,
          names.of(row.region_path),
          row.address,
          day(row.raised_at),
          due,
          referral?.unitName ?? null,
          Number(row.escalation_rung),
        ];
        if (overdueOnly) cells.push(due === null ? null : Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${due}T00:00:00Z`)) / DAY_MS));
        return cells;
      });
      return { rows, lastId: found.length < limit ? null : Number(found[found.length - 1]!.id) };
    }),
  };
}

/** The open referral (PENDING or ACCEPTED) of each demand of a page: its unit's name and due date. One statement. */
async function openReferralsOf(em: Em, demandIds: readonly number[]): Promise<Map<number, { unitName: string; dueOn: string | null }>> {
  if (demandIds.length === 0) return new Map();
  const rows = await em.getConnection('read').execute<{ demand_id: number | string; unit_name: string; due_on: Date | string }[]>(
    `select er.demand_id, u.name as unit_name, er.due_on from demand_referral er join unit u on u.id = er.unit_id
        where er.demand_id in (${placeholders(demandIds)}) and er.status in (${sqlStringList(OPEN_REFERRAL_STATUSES)}) order by er.due_on desc, er.id desc`,
    [...demandIds],
  );
  // Ordered latest due first, so the earliest due (EFFECTIVE_DUE's min) is written last and kept.
  return new Map(rows.map((row) => [Number(row.demand_id), { unitName: row.unit_name, dueOn: dayOf(row.due_on) }]));
}

// ——— Coverage gaps ———————————————————————————————————————————————————————————————

interface GapRow extends HouseholdColumns {
  hardship_reasons: string | null;
  created_at: SqlInstant;
}

function hardshipReasonsOf(stored: string | null): string {
  return (stored ?? '')
    .split(',')
    .filter(Boolean)
    .map((reason) => LABELS_ZH.HardshipReason[reason as HardshipReason] ?? reason)
    .join('、');
}

/**
 * 未结对户: active households in a target group with no active assignment, as the coverage-gap figures and
 * their UNASSIGNED_HOUSEHOLDS drill-down count them (analytics/coverage-gaps.service.ts).
 */
function coverageGaps({ em, filters }: SourceContext): RecordSheet {
  const names = new RegionNames(em);
  const anyGroup = Object.values(TARGET_GROUP_COLUMN)
    .map((column) => `ho.${column} = 1`)
    .join(' or ');
  const sql = `select ${HOUSEHOLD_COLUMNS}, ho.hardship_reasons, ho.created_at
      from household ho join region r on r.id = ho.region_id
     where ho.region_id = ? and ho.status = ?${groupCondition(filters)} and (${anyGroup})
       and not exists (select 1 from assignment a where a.household_id = ho.id and a.ended_at is null)
       and ho.id > ?
     order by ho.id limit ?`;
  return {
    headers: ['户编号', '所在区划', '地址', '户主', '联系电话', '帮扶对象类别', '困难类型', '最近走访日期', '登记日期'],
    pages: byVillage(em, filters, async (villageId, afterId, limit) => {
      const found = await em.getConnection('read').execute<GapRow[]>(sql, [villageId, HouseholdStatus.ACTIVE, afterId, limit]);
      await names.load(found.map((row) => row.region_path));
      const rows = found.map((row): Cell[] => [
        Number(row.household_id),
        names.of(row.region_path),
        row.address,
        row.head_name,
        maskedPhone(row.phone),
        targetGroupsOf(row),
        hardshipReasonsOf(row.hardship_reasons),
        day(row.last_visit_at),
        day(row.created_at),
      ]);
      return { rows, lastId: found.length < limit ? null : Number(found[found.length - 1]!.household_id) };
    }),
  };
}

// ——— Caseloads ————————————————————————————————————————————————————————————————————

interface CaseloadRow extends HouseholdColumns {
  assignment_id: number | string;
  kind: AssignmentKind;
  started_at: SqlInstant;
  cadre_name: string;
  post: string;
}

/** How many open demands each household of a page has. One statement. */
async function openDemandCounts(em: Em, householdIds: readonly number[]): Promise<Map<number, number>> {
  if (householdIds.length === 0) return new Map();
  const rows = await em
    .getConnection('read')
    .execute<{ household_id: number | string; n: number | string }[]>(
      `select household_id, count(*) as n from demand where household_id in (${placeholders(householdIds)}) and status in (${sqlStringList(OPEN_DEMAND_STATUSES)}) group by household_id`,
      [...householdIds],
    );
  return new Map(rows.map((row) => [Number(row.household_id), Number(row.n)]));
}

/**
 * 干部联系户清单 / 单位联系户清单: the active assignments of one cadre, or of the cadres of one unit, to the
 * subtree's households, one line per assignment (as `assignments` answers them with its cadre or unit
 * filter and active ones only), with the household's last visit and open demands. A cadre or a unit
 * above the caller's region (a city bureau's cadre in a district's village) is listed with the households
 * in the caller's subtree only.
 */
function caseload({ em, filters }: SourceContext, by: 'cadre' | 'unit'): RecordSheet {
  const names = new RegionNames(em);
  const owner = by === 'cadre' ? 'a.cadre_id = ?' : 'c.unit_id = ?';
  const round = filters.roundId !== null ? ' and a.round_id = ?' : '';
  const sql = `select a.id as assignment_id, a.kind, a.started_at, c.name as cadre_name, c.post, ${HOUSEHOLD_COLUMNS}
      from assignment a
      join cadre c on c.id = a.cadre_id
      join household ho on ho.id = a.household_id
      join region r on r.id = ho.region_id
     where ${owner} and a.ended_at is null and r.path like ?${groupCondition(filters)}${round} and a.id > ?
     order by a.id limit ?`;
  const params = [
    by === 'cadre' ? filters.cadreId : filters.unitId,
    likeStartingWith(filters.regionPath),
    ...(filters.roundId !== null ? [filters.roundId] : []),
  ];
  return {
    headers: ['联系干部', '职务', '户编号', '所在区划', '地址', '户主', '联系电话', '帮扶对象类别', '联系方式', '联系开始日期', '最近走访日期', '未办结诉求数'],
    pages: keysetPages(async (afterId, limit) => {
      const found = await em.getConnection('read').execute<CaseloadRow[]>(sql, [...params, afterId, limit]);
      await names.load(found.map((row) => row.region_path));
      const open = await openDemandCounts(em, [...new Set(found.map((row) => Number(row.household_id)))]);
      const rows = found.map((row): Cell[] => [
        row.cadre_name,
        row.post,
        Number(row.household_id),
        names.of(row.region_path),
        row.address,
        row.head_name,
        maskedPhone(row.phone),
        targetGroupsOf(row),
        LABELS_ZH.AssignmentKind[row.kind] ?? row.kind,
        day(row.started_at),
        day(row.last_visit_at),
        open.get(Number(row.household_id)) ?? 0,
      ]);
      return { rows, lastId: found.length < limit ? null : Number(found[found.length - 1]!.assignment_id) };
    }),
  };
}

/** The sources of the lists read here; IMPORT_PROBLEMS comes from the imports module (record-list.service.ts). */
export const RECORD_SOURCES: Readonly<Record<Exclude<RecordList, RecordList.IMPORT_PROBLEMS>, (context: SourceContext) => RecordSheet>> = {
  [RecordList.OVERDUE_VISITS]: overdueVisits,
  [RecordList.OPEN_DEMANDS]: (context) => demands(context, false),
  [RecordList.OVERDUE_DEMANDS]: (context) => demands(context, true),
  [RecordList.COVERAGE_GAPS]: coverageGaps,
  [RecordList.CADRE_CASELOAD]: (context) => caseload(context, 'cadre'),
  [RecordList.UNIT_CASELOAD]: (context) => caseload(context, 'unit'),
};
