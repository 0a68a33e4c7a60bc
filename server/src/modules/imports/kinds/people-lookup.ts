import type { FilterQuery } from '@mikro-orm/core';
import { checkIdNumber, checkPhone, ImportProblemSeverity } from '@wanjia/shared';
import type { Em } from '../../../core/entity-manager';
import { regionSubtree } from '../../../core/region-scope';
import type { StaffActor } from '../../../core/caller';
import { Cadre } from '../../cadres/cadre.entity';
import { Household } from '../../households/household.entity';
import { householdPolicy } from '../../households/household.policy';
import { Resident } from '../../households/resident.entity';
import { residentPolicy } from '../../households/resident.policy';
import { Round } from '../../rounds/round.entity';
import { Unit } from '../../units/unit.entity';
import type { Cells, RowProblem } from '../import-kind';
import { comparable, tidy } from '../normalize';

/**
 * What the petition-case, cadre, unit-pairing and assignment rows name — people (cadres, heads of
 * households, petitioners), units and rounds — found for a whole batch at once: one query per sort of
 * name per batch, never one per row (an assignment file holds ~50,000 rows).
 *
 * Every lookup is bounded by the importer's scope in SQL, so that a unit, cadre or household outside it
 * is simply not found: the row says "不存在或不在您管辖范围内" in both cases (NOT_FOUND), and an importer
 * cannot learn from a file whether something exists in another district.
 *
 * The first part reads the cells these kinds share (names, phones, ID numbers, dates, 是/否), with the
 * problems in Chinese naming the column.
 */

/** One message for "does not exist" and "exists outside your scope", so that neither is told apart. */
export const NOT_FOUND_OR_OUT_OF_SCOPE = '不存在或不在您管辖范围内';

export function problem(column: string | null, code: string, message: string, severity = ImportProblemSeverity.ERROR): RowProblem {
  return { column, severity, code, message };
}

/** A required cell's tidied text, or a REQUIRED problem; a cell over `maxLength` characters is TOO_LONG. */
export function textCell(
  cells: Cells,
  key: string,
  label: string,
  problems: RowProblem[],
  options: { required: boolean; maxLength: number; minLength?: number },
): string | null {
  const text = tidy(cells[key] ?? '');
  if (!text) {
    if (options.required) problems.push(problem(key, 'REQUIRED', `${label}不能为空`));
    return null;
  }
  if (text.length > options.maxLength) {
    problems.push(problem(key, 'TOO_LONG', `${label}不能超过${options.maxLength}个字`));
    return null;
  }
  if (options.minLength && text.length < options.minLength) {
    problems.push(problem(key, 'TOO_SHORT', `${label}至少${options.minLength}个字`));
    return null;
  }
  // Control characters come from pasted text; no name, title or demand has them (core/validation PlainText).
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/.test(text)) {
    problems.push(problem(key, 'BAD_TEXT', `${label}含有不可见的控制字符，请重新输入`));
    return null;
  }
  return text;
}

/** A phone in the stored form (mobile digits, or 0414-2812345), or a BAD_PHONE problem. */
export function phoneCell(cells: Cells, key: string, label: string, problems: RowProblem[]): string | null {
  const text = tidy(cells[key] ?? '');
  if (!text) return null;
  const check = checkPhone(text);
  if (!check.valid) {
    problems.push(problem(key, 'BAD_PHONE', `${label}：${check.message}`));
    return null;
  }
  return check.normalized;
}

const ID_PROBLEM_CODES = { FORMAT: 'ID_FORMAT', REGION: 'ID_REGION', BIRTH_DATE: 'ID_BIRTH_DATE', CHECK_DIGIT: 'ID_CHECK_DIGIT' } as const;

/** An 18-character ID number in the stored form (upper-case X), or its problem (check digit, birth date…). */
export function idNumberCell(cells: Cells, key: string, label: string, problems: RowProblem[], today: Date): string | null {
  const text = tidy(cells[key] ?? '').replace(/\s/g, '');
  if (!text) return null;
  const check = checkIdNumber(text, today);
  if (!check.valid) {
    problems.push(problem(key, ID_PROBLEM_CODES[check.problem], `${label}：${check.message}`));
    return null;
  }
  return check.normalized;
}

/**
 * A date as offices type it (2026-05-01, 2026/5/1, 2026.5.1, 2026年5月1日; a spreadsheet's own date
 * cell reaches the kind as YYYY-MM-DD), as YYYY-MM-DD; BAD_DATE for anything else or a day that does
 * not exist.
 */
export function dateCell(cells: Cells, key: string, label: string, problems: RowProblem[]): string | null {
  const text = tidy(cells[key] ?? '');
  if (!text) return null;
  const match = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00(?:\.000)?)?Z?)?$/.exec(text);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const date = new Date(Date.UTC(year, month - 1, day));
    if (year >= 1900 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day) {
      return `${match[1]}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    }
  }
  problems.push(problem(key, 'BAD_DATE', `${label}不是有效日期（请写成 2026-05-01）`));
  return null;
}

const YES = new Set(['是', 'y', 'yes', 'true', '1', '√', '✓']);
const NO = new Set(['否', 'n', 'no', 'false', '0', '×', '✗']);

/** 是/否 (or an empty cell: `fallback`); NOT_IN_LIST for anything else. */
export function yesNoCell(cells: Cells, key: string, label: string, problems: RowProblem[], fallback: boolean): boolean | null {
  const text = comparable(cells[key] ?? '');
  if (!text) return fallback;
  if (YES.has(text)) return true;
  if (NO.has(text)) return false;
  problems.push(problem(key, 'NOT_IN_LIST', `${label}不在可选列表中：是、否`));
  return null;
}

/** A non-negative whole number up to `max`, or `fallback` for an empty cell; BAD_NUMBER otherwise. */
export function wholeNumberCell(cells: Cells, key: string, label: string, problems: RowProblem[], range: { max: number; fallback: number }): number | null {
  const text = tidy(cells[key] ?? '');
  if (!text) return range.fallback;
  if (!/^\d{1,6}(?:\.0+)?$/.test(text) || Number(text) > range.max) {
    problems.push(problem(key, 'BAD_NUMBER', `${label}应为0到${range.max}之间的整数`));
    return null;
  }
  return Number.parseInt(text, 10);
}

// ─── Lookups ────────────────────────────────────────────────────────────────────────────────────

/**
 * Which units (and their cadres) a row may name:
 * - `managed`: units of the importer's subtree (a cadre is created or updated only there);
 * - `linkable`: those, and the units of the regions above the importer's scope (分级负责: a city
 *   agency's cadre looks after a district's household, a city agency pairs with its village), as
 *   core/region-scope `mayLinkAcross` allows for targets inside the scope.
 */
export type UnitReach = 'managed' | 'linkable';

/** The materialized paths of the regions above the scope root ("a/", "a/b/" for "a/b/c/"). */
function ancestorPaths(scopePath: string): string[] {
  const codes = scopePath.split('/').filter(Boolean);
  return codes.slice(0, -1).map((_, index) => `${codes.slice(0, index + 1).join('/')}/`);
}

function unitRegionCondition(actor: StaffActor, reach: UnitReach): FilterQuery<Unit> {
  const inScope = { region: regionSubtree(actor) };
  const above = ancestorPaths(actor.scopePath);
  if (reach === 'managed' || above.length === 0) return inScope;
  return { $or: [inScope, { region: { path: { $in: above } } }] };
}

/** A unit as a row names it: by its number (the id the playground shows) or by its full name. */
export interface UnitReference {
  id: number | null;
  name: string | null;
}

/** The units in reach that any of the references name, one query. */
export async function findUnits(em: Em, actor: StaffActor, references: readonly UnitReference[], reach: UnitReach): Promise<Unit[]> {
  const ids = unique(references.map((reference) => reference.id).filter((id): id is number => id !== null));
  const names = nameForms(references.map((reference) => reference.name).filter((name): name is string => name !== null));
  if (ids.length === 0 && names.length === 0) return [];
  const named: FilterQuery<Unit>[] = [];
  if (ids.length > 0) named.push({ id: { $in: ids } });
  if (names.length > 0) named.push({ name: { $in: names } });
  return em.find(Unit, { $and: [{ $or: named }, unitRegionCondition(actor, reach)] }, { populate: ['region'] });
}

/** Each reference's units: by number, else by name (compared as offices type it). */
export function unitsNamed(units: readonly Unit[], reference: UnitReference): Unit[] {
  if (reference.id !== null) return units.filter((unit) => unit.id === reference.id);
  if (reference.name === null) return [];
  const wanted = comparable(reference.name);
  return units.filter((unit) => comparable(unit.name) === wanted);
}

/** The cadres in reach with any of these phones or names, with their unit and its region, one query. */
export async function findCadres(
  em: Em,
  actor: StaffActor,
  wanted: { phones: readonly string[]; names: readonly string[] },
  reach: UnitReach,
): Promise<Cadre[]> {
  const phones = unique(wanted.phones);
  const names = nameForms(wanted.names);
  if (phones.length === 0 && names.length === 0) return [];
  const named: FilterQuery<Cadre>[] = [];
  if (phones.length > 0) named.push({ phone: { $in: phones } });
  if (names.length > 0) named.push({ name: { $in: names } });
  return em.find(Cadre, { $and: [{ $or: named }, { unit: unitRegionCondition(actor, reach) }] }, { populate: ['unit.region'] });
}

/** How many households each cadre looks after now (active assignments), one grouped query. */
export async function activeLoads(em: Em, cadreIds: readonly number[]): Promise<Map<number, number>> {
  const ids = unique(cadreIds);
  const loads = new Map<number, number>();
  if (ids.length === 0) return loads;
  const rows = await em.execute<{ cadre_id: number | string; n: number | string }[]>(
    `select cadre_id, count(*) as n from assignment where ended_at is null and cadre_id in (${ids.map(() => '?').join(', ')}) group by cadre_id`,
    ids,
  );
  for (const row of rows) loads.set(Number(row.cadre_id), Number(row.n));
  return loads;
}

/** The residents in the importer's scope with these ID numbers, with their household and its region, one query. */
export async function findResidentsByIdNumber(em: Em, actor: StaffActor, idNumbers: readonly string[]): Promise<Resident[]> {
  const wanted = unique(idNumbers);
  if (wanted.length === 0) return [];
  return em.find(Resident, { $and: [{ idNumber: { $in: wanted } }, residentPolicy.scope(actor)] }, { populate: ['household.region'] });
}

/** The households in the importer's scope whose phone or head's name is any of these, with their region, one query. */
export async function findHouseholds(em: Em, actor: StaffActor, wanted: { phones: readonly string[]; headNames: readonly string[] }): Promise<Household[]> {
  const phones = unique(wanted.phones);
  const headNames = nameForms(wanted.headNames);
  if (phones.length === 0 && headNames.length === 0) return [];
  const named: FilterQuery<Household>[] = [];
  if (phones.length > 0) named.push({ phone: { $in: phones } });
  if (headNames.length > 0) named.push({ headName: { $in: headNames } });
  return em.find(Household, { $and: [{ $or: named }, householdPolicy.scope(actor)] }, { populate: ['region'] });
}

/** Whether a cell names this village or community: its 12-digit code, its name, or a name path ending in it (平山区/站前街道/东兴社区). */
export function regionNamedBy(region: { code: string; name: string }, cell: string): boolean {
  const text = comparable(cell);
  if (text === region.code) return true;
  const last =
    text
      .split(/[/／\\]/)
      .filter(Boolean)
      .pop() ?? '';
  return last === comparable(region.name);
}

/** Rounds are city-wide: every round by name, and the one to use when a row names none. */
export async function findRounds(em: Em, names: readonly string[], today: string): Promise<{ byName: Map<string, Round>; fallback: Round | null }> {
  const wanted = unique(names);
  const rounds = wanted.length > 0 ? await em.find(Round, { name: { $in: wanted } }) : [];
  const byName = new Map(rounds.map((round) => [comparable(round.name), round]));
  const fallback =
    (await em.findOne(Round, { startsOn: { $lte: today }, endsOn: { $gte: today } }, { orderBy: { startsOn: 'desc' } })) ??
    (await em.findOne(Round, {}, { orderBy: { startsOn: 'desc' } }));
  return { byName, fallback };
}

/**
 * The forms of typed names to ask the database for: as tidied, and without its spaces (an office types
 * "平山区 民政局" for the unit registered as "平山区民政局"); the rows found are then compared with
 * `comparable`, which folds the rest (width, 號/号).
 */
function nameForms(names: readonly string[]): string[] {
  return unique(names.flatMap((name) => [name, name.replace(/\s+/g, '')]));
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
