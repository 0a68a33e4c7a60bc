import { AssignmentKind, HouseholdStatus, TargetGroup } from '@wanjia/shared';
import type { Em } from '../../core/entity-manager';
import { likeStartingWith } from '../../core/sql-like';
import { inTargetGroupSql } from '../../core/target-groups';
import { lockRows } from '../../core/locking';
import { Household } from '../households/household.entity';

/**
 * The facts a bulk run decides on, read in batches: one statement per page of candidates (or per batch
 * of items) and per kind of fact, never one per item. Raw SQL because a city round is ~50,000
 * assignments: plain rows, no entities in the identity map.
 */

export function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

/** An assignment with what the rules read: its household's standing and place, its cadre's. */
export interface AssignmentFacts {
  id: number;
  active: boolean;
  roundId: number;
  kind: AssignmentKind;
  householdId: number;
  householdStatus: HouseholdStatus;
  householdPath: string;
  cadreId: number;
  cadreActive: boolean;
  cadreCapacity: number;
  cadreUnitId: number;
  cadreUnitPath: string;
}

export interface AssignmentSelection {
  /** Active assignments of a round, of a cadre, of a unit's cadres or of these households… */
  roundId?: number;
  cadreId?: number;
  unitId?: number;
  householdIds?: readonly number[];
  /** …whose household lies under this path, in this target group. */
  regionPath?: string;
  targetGroup?: TargetGroup | null;
  /** A page: ids after this one, this many. */
  afterId?: number;
  limit?: number;
}

const ASSIGNMENT_FACTS = `select a.id, case when a.ended_at is null then 1 else 0 end as active, a.round_id, a.kind, a.household_id,
    h.status as household_status, hr.path as household_path, a.cadre_id, c.active as cadre_active,
    c.household_capacity as cadre_capacity, c.unit_id as cadre_unit_id, ur.path as cadre_unit_path
  from assignment a
  join household h on h.id = a.household_id
  join region hr on hr.id = h.region_id
  join cadre c on c.id = a.cadre_id
  join unit u on u.id = c.unit_id
  join region ur on ur.id = u.region_id`;

type Row = Record<string, unknown>;

function assignmentOf(row: Row): AssignmentFacts {
  return {
    id: Number(row.id),
    active: Number(row.active) === 1,
    roundId: Number(row.round_id),
    kind: row.kind as AssignmentKind,
    householdId: Number(row.household_id),
    householdStatus: row.household_status as HouseholdStatus,
    householdPath: String(row.household_path),
    cadreId: Number(row.cadre_id),
    cadreActive: Number(row.cadre_active) === 1 || row.cadre_active === true,
    cadreCapacity: Number(row.cadre_capacity),
    cadreUnitId: Number(row.cadre_unit_id),
    cadreUnitPath: String(row.cadre_unit_path),
  };
}

/** A page of active assignments matching the selection, in id order. */
export async function activeAssignments(em: Em, selection: AssignmentSelection): Promise<AssignmentFacts[]> {
  const where = ['a.ended_at is null'];
  const params: unknown[] = [];
  const add = (condition: string, ...values: unknown[]) => {
    where.push(condition);
    params.push(...values);
  };
  if (selection.roundId !== undefined) add('a.round_id = ?', selection.roundId);
  if (selection.cadreId !== undefined) add('a.cadre_id = ?', selection.cadreId);
  if (selection.unitId !== undefined) add('c.unit_id = ?', selection.unitId);
  if (selection.householdIds !== undefined) {
    if (selection.householdIds.length === 0) return [];
    add(`a.household_id in (${placeholders(selection.householdIds)})`, ...selection.householdIds);
  }
  if (selection.regionPath !== undefined) add('hr.path like ?', likeStartingWith(selection.regionPath));
  if (selection.targetGroup) add(inTargetGroupSql('h', selection.targetGroup));
  if (selection.afterId !== undefined) add('a.id > ?', selection.afterId);
  const limit = selection.limit === undefined ? '' : ` limit ${Math.trunc(selection.limit)}`;
  const rows = await em.execute<Row[]>(`${ASSIGNMENT_FACTS} where ${where.join(' and ')} order by a.id${limit}`, params);
  return rows.map(assignmentOf);
}

/** These assignments as they are now, ended ones included (the run's re-check). */
export async function assignmentsById(em: Em, ids: readonly number[]): Promise<Map<number, AssignmentFacts>> {
  if (ids.length === 0) return new Map();
  const rows = await em.execute<Row[]>(`${ASSIGNMENT_FACTS} where a.id in (${placeholders(ids)})`, [...ids]);
  return new Map(rows.map((row) => [Number(row.id), assignmentOf(row)]));
}

/** Which of these households have an active assignment (in the round, when one is named). */
export async function householdsWithActiveAssignment(em: Em, householdIds: readonly number[], roundId?: number): Promise<Set<number>> {
  if (householdIds.length === 0) return new Set();
  const ids = [...new Set(householdIds)];
  const round = roundId === undefined ? '' : ' and round_id = ?';
  const rows = await em.execute<Row[]>(
    `select distinct household_id from assignment where ended_at is null${round} and household_id in (${placeholders(ids)})`,
    [...(roundId === undefined ? [] : [roundId]), ...ids],
  );
  return new Set(rows.map((row) => Number(row.household_id)));
}

/** Each cadre's active assignments (in the round, when one is named): the load capacity is checked against. */
export async function activeLoads(em: Em, cadreIds: readonly number[], roundId?: number): Promise<Map<number, number>> {
  if (cadreIds.length === 0) return new Map();
  const ids = [...new Set(cadreIds)];
  const round = roundId === undefined ? '' : ' and round_id = ?';
  const rows = await em.execute<Row[]>(
    `select cadre_id, count(*) as active_count from assignment where ended_at is null${round} and cadre_id in (${placeholders(ids)}) group by cadre_id`,
    [...(roundId === undefined ? [] : [roundId]), ...ids],
  );
  return new Map(rows.map((row) => [Number(row.cadre_id), Number(row.active_count)]));
}

export interface CadreFacts {
  id: number;
  active: boolean;
  capacity: number;
  unitId: number;
  unitPath: string;
}

export async function cadresById(em: Em, ids: readonly number[]): Promise<Map<number, CadreFacts>> {
  if (ids.length === 0) return new Map();
  const unique = [...new Set(ids)];
  const rows = await em.execute<Row[]>(
    `select c.id, c.active, c.household_capacity, c.unit_id, ur.path from cadre c join unit u on u.id = c.unit_id join region ur on ur.id = u.region_id
     where c.id in (${placeholders(unique)})`,
    unique,
  );
  return new Map(
    rows.map((row) => [
      Number(row.id),
      {
        id: Number(row.id),
        active: Number(row.active) === 1 || row.active === true,
        capacity: Number(row.household_capacity),
        unitId: Number(row.unit_id),
        unitPath: String(row.path),
      },
    ]),
  );
}

/** The region path of each of these households (those that exist). */
export async function householdPaths(em: Em, ids: readonly number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await em.execute<Row[]>(`select h.id, r.path from household h join region r on r.id = h.region_id where h.id in (${placeholders(ids)})`, [
    ...ids,
  ]);
  return new Map(rows.map((row) => [Number(row.id), String(row.path)]));
}

/**
 * Takes the households' row locks for the batch's transaction (core/locking.ts lockRows, in id order), as
 * assignCadre and transferAssignment lock the one household they change: a single transfer racing the
 * batch waits for it and then finds the assignment ended (on Galera: is refused at commit and re-run).
 */
export async function lockHouseholds(em: Em, ids: readonly number[]): Promise<void> {
  await lockRows(em, Household, ids);
}

/** The deepest region path both paths lie under (segment by segment: `21…/2105…/`). */
export function commonPath(a: string, b: string): string {
  const left = a.split('/').filter(Boolean);
  const right = b.split('/').filter(Boolean);
  const shared: string[] = [];
  for (let index = 0; index < Math.min(left.length, right.length) && left[index] === right[index]; index += 1) shared.push(left[index]!);
  return shared.length === 0 ? '' : `${shared.join('/')}/`;
}
