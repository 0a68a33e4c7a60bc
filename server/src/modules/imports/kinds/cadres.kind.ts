import { CadreRank, ImportKind, ImportMode, ImportProblemSeverity, LABELS_ZH } from '@wanjia/shared';
import type { Em } from '../../../core/entity-manager';
import { Cadre } from '../../cadres/cadre.entity';
import { cadrePolicy } from '../../cadres/cadre.policy';
import { endHandlerTenures } from '../../units/unit-handler-tenure';
import type { Unit } from '../../units/unit.entity';
import type { Cells, ImportContext, ImportKindDefinition, ImportRowInput, RowProblem, RowWritten } from '../import-kind';
import { choiceOf, comparable } from '../normalize';
import {
  findCadres,
  findUnits,
  NOT_FOUND_OR_OUT_OF_SCOPE,
  phoneCell,
  problem,
  textCell,
  unitsNamed,
  wholeNumberCell,
  yesNoCell,
  type UnitReference,
} from './people-lookup';
import { lockRows } from '../../../core/locking';

/**
 * 党员干部 with their unit. A cadre is known by name and phone (its natural key): the same name and
 * phone in the importer's subtree is the same cadre. UPDATE_EXISTING updates its post, rank, party
 * membership, capacity and unit; a cadre of the same name in the same unit with another phone is taken
 * as the same person whose phone changed, with a warning to accept. A unit move ends the cadre's
 * handler (联络员) designations elsewhere as cadres/cadre.service.ts does (unit-handler-tenure), and is
 * refused for a unit's last handler while referrals wait on it.
 */
export interface CadreRow {
  name: string;
  unit: UnitReference;
  post: string;
  rank: CadreRank;
  partyMember: boolean;
  phone: string;
  householdCapacity: number;
}

/** What the database says about one row: its unit, and the cadre it is, if already registered. */
interface CadreResolution {
  unit: Unit | null;
  existing: Cadre | null;
  problems: RowProblem[];
}

const CAPACITY_MAX = 50;
const RANK_LABELS = LABELS_ZH.CadreRank;

function unitColumn(row: CadreRow): string {
  return row.unit.id !== null ? 'unitNumber' : 'unitName';
}

/** Whether the row says nothing the record does not already say. */
function sameAsRecord(row: CadreRow, cadre: Cadre, unit: Unit): boolean {
  return (
    cadre.unit.id === unit.id &&
    cadre.post === row.post &&
    cadre.rank === row.rank &&
    cadre.partyMember === row.partyMember &&
    cadre.phone === row.phone &&
    cadre.householdCapacity === row.householdCapacity
  );
}

/** The fields an update changes, for the import's audit entry. */
function changedFields(row: CadreRow, cadre: Cadre, unit: Unit): string[] {
  const fields: string[] = [];
  if (cadre.unit.id !== unit.id) fields.push('unit');
  for (const field of ['post', 'rank', 'partyMember', 'phone', 'householdCapacity'] as const) if (cadre[field] !== row[field]) fields.push(field);
  return fields;
}

/**
 * The cadres among these moving units who are the last active handler of a unit they leave while
 * referrals wait on it: endHandlerTenures would refuse them, so the row is refused instead of the batch.
 */
async function lastHandlersLeaving(em: Em, moves: { cadreId: number; toUnitId: number }[]): Promise<Set<number>> {
  if (moves.length === 0) return new Set();
  const rows = await em.execute<{ cadre_id: number | string; unit_id: number | string }[]>(
    `select h.cadre_id, h.unit_id from unit_handler h
      where h.ended_at is null and h.cadre_id in (${moves.map(() => '?').join(', ')})
        and exists (select 1 from demand_referral r where r.unit_id = h.unit_id and r.status in ('PENDING', 'ACCEPTED'))
        and not exists (select 1 from unit_handler o join cadre c on c.id = o.cadre_id and c.unit_id = o.unit_id and c.active = 1
                         where o.ended_at is null and o.unit_id = h.unit_id and o.cadre_id <> h.cadre_id)`,
    moves.map((move) => move.cadreId),
  );
  const target = new Map(moves.map((move) => [move.cadreId, move.toUnitId]));
  return new Set(rows.filter((row) => target.get(Number(row.cadre_id)) !== Number(row.unit_id)).map((row) => Number(row.cadre_id)));
}

async function resolve(em: Em, rows: ImportRowInput<CadreRow>[], context: ImportContext): Promise<Map<number, CadreResolution>> {
  const { actor } = context;
  const units = await findUnits(
    em,
    actor,
    rows.map((row) => row.values.unit),
    'managed',
  );
  const cadres = await findCadres(em, actor, { phones: rows.map((row) => row.values.phone), names: rows.map((row) => row.values.name) }, 'managed');
  await lockRows(
    em,
    Cadre,
    cadres.map((cadre) => cadre.id),
  );
  const resolutions = new Map<number, CadreResolution>();
  const moves: { cadreId: number; toUnitId: number; rowNumber: number }[] = [];
  for (const { rowNumber, values } of rows) {
    const problems: RowProblem[] = [];
    const resolution: CadreResolution = { unit: null, existing: null, problems };
    resolutions.set(rowNumber, resolution);
    const candidates = unitsNamed(units, values.unit);
    if (candidates.length === 0) {
      problems.push(problem(unitColumn(values), 'NOT_FOUND', `单位${NOT_FOUND_OR_OUT_OF_SCOPE}`));
      continue;
    }
    if (candidates.length > 1) {
      problems.push(problem('unitName', 'AMBIGUOUS', `有${candidates.length}个同名单位，请填写单位编号`));
      continue;
    }
    const unit = candidates[0]!;
    resolution.unit = unit;
    const name = comparable(values.name);
    const samePhone = cadres.filter((cadre) => cadre.phone === values.phone);
    const same = samePhone.filter((cadre) => comparable(cadre.name) === name);
    if (same.length > 1) {
      problems.push(problem('phone', 'AMBIGUOUS', '本辖区已有多名同名同电话的干部，请先在系统中核对'));
      continue;
    }
    let existing = same[0] ?? null;
    if (!existing) {
      // The same name in the same unit with another phone: most often the person's new number.
      const renumbered = cadres.filter((cadre) => cadre.unit.id === unit.id && comparable(cadre.name) === name && cadre.phone !== values.phone);
      if (renumbered.length > 0 && context.mode === ImportMode.UPDATE_EXISTING && renumbered.length === 1) {
        existing = renumbered[0]!;
        problems.push(problem('phone', 'PHONE_CHANGED', '本单位已有同名干部，登记的电话不同：确认后将更新为本行的电话', ImportProblemSeverity.WARNING));
      } else if (renumbered.length > 0) {
        problems.push(problem('name', 'LIKELY_DUPLICATE', '本单位已有同名干部（电话不同）；如为同一人，请核对电话', ImportProblemSeverity.WARNING));
      }
      const otherName = samePhone.find((cadre) => comparable(cadre.name) !== name);
      if (otherName) problems.push(problem('phone', 'PHONE_IN_USE', `该电话已登记给干部${otherName.name}`, ImportProblemSeverity.WARNING));
    }
    if (!existing) continue;
    resolution.existing = existing;
    if (sameAsRecord(values, existing, unit)) continue;
    if (context.mode === ImportMode.CREATE_ONLY) {
      problems.push(problem('name', 'DUPLICATE_IN_DATABASE', '该干部已登记（姓名和电话相同）；如需更新，请选择“新增并更新已有”'));
      continue;
    }
    if (!cadrePolicy.mayUpdate(actor, { unitRegionPath: existing.unit.region.path, newUnitRegionPath: unit.region.path })) {
      problems.push(problem(unitColumn(values), 'NOT_FOUND', `单位${NOT_FOUND_OR_OUT_OF_SCOPE}`));
      continue;
    }
    if (existing.unit.id !== unit.id) moves.push({ cadreId: existing.id, toUnitId: unit.id, rowNumber });
  }
  const lastHandlers = await lastHandlersLeaving(em, moves);
  for (const move of moves) {
    if (lastHandlers.has(move.cadreId)) {
      resolutions
        .get(move.rowNumber)!
        .problems.push(
          problem(
            unitColumn(rows.find((row) => row.rowNumber === move.rowNumber)!.values),
            'LAST_HANDLER',
            '该干部是原单位最后一名联络员，且有待办理的转办诉求：请先指定接替的联络员',
          ),
        );
    }
  }
  return resolutions;
}

export const cadresKind: ImportKindDefinition<CadreRow> = {
  kind: ImportKind.CADRES,
  title: '党员干部',
  supportsUpdate: true,
  columns: [
    { key: 'name', header: '姓名', aliases: ['干部姓名'], required: true, example: '王建国' },
    {
      key: 'unitName',
      header: '所在单位',
      aliases: ['单位名称', '单位', '工作单位'],
      required: false,
      example: '本溪市民政局',
      hint: '单位全称；同名单位请改填单位编号',
    },
    {
      key: 'unitNumber',
      header: '单位编号',
      aliases: ['单位ID', '单位代码'],
      required: false,
      example: '',
      hint: '系统中的单位编号；填写后以编号为准',
      text: true,
    },
    { key: 'post', header: '职务', required: true, example: '科长' },
    { key: 'rank', header: '职级', required: true, example: RANK_LABELS[CadreRank.SECTION], choices: Object.values(RANK_LABELS) },
    { key: 'partyMember', header: '是否党员', aliases: ['党员'], required: false, example: '是', choices: ['是', '否'], hint: '不填视为“是”' },
    {
      key: 'phone',
      header: '联系电话',
      aliases: ['手机号', '手机号码', '电话'],
      required: true,
      example: '13812345678',
      hint: '11位手机号或带区号的固定电话；与姓名一起识别干部',
      text: true,
    },
    {
      key: 'householdCapacity',
      header: '联系户数上限',
      aliases: ['可联系户数', '联系户数'],
      required: false,
      example: '5',
      hint: `0到${CAPACITY_MAX}，不填为5`,
    },
  ],

  parse(cells: Cells, problems: RowProblem[]): CadreRow | null {
    const before = problems.length;
    const name = textCell(cells, 'name', '姓名', problems, { required: true, maxLength: 64 });
    const unitName = textCell(cells, 'unitName', '所在单位', problems, { required: false, maxLength: 128 });
    const unitNumberText = (cells.unitNumber ?? '').trim();
    let unitNumber: number | null = null;
    if (unitNumberText) {
      if (/^\d{1,9}$/.test(unitNumberText)) unitNumber = Number(unitNumberText);
      else problems.push(problem('unitNumber', 'BAD_NUMBER', '单位编号应为数字'));
    } else if (!unitName && !(cells.unitName ?? '').trim()) {
      problems.push(problem('unitName', 'REQUIRED', '所在单位不能为空（或填写单位编号）'));
    }
    const post = textCell(cells, 'post', '职务', problems, { required: true, maxLength: 64 });
    const rankCell = cells.rank ?? '';
    const rank = choiceOf<CadreRank>(rankCell, RANK_LABELS);
    if (!rankCell.trim()) problems.push(problem('rank', 'REQUIRED', '职级不能为空'));
    else if (!rank) problems.push(problem('rank', 'NOT_IN_LIST', `职级不在可选列表中：${Object.values(RANK_LABELS).join('、')}`));
    const partyMember = yesNoCell(cells, 'partyMember', '是否党员', problems, true);
    const phone = phoneCell(cells, 'phone', '联系电话', problems);
    if (!phone && !(cells.phone ?? '').trim()) problems.push(problem('phone', 'REQUIRED', '联系电话不能为空（与姓名一起识别干部）'));
    const householdCapacity = wholeNumberCell(cells, 'householdCapacity', '联系户数上限', problems, { max: CAPACITY_MAX, fallback: 5 });
    if (problems.length > before || !name || !post || !rank || partyMember === null || !phone || householdCapacity === null) return null;
    return { name, unit: { id: unitNumber, name: unitNumber === null ? unitName : null }, post, rank, partyMember, phone, householdCapacity };
  },

  keys(values: CadreRow) {
    const unit = values.unit.id !== null ? `#${values.unit.id}` : comparable(values.unit.name ?? '');
    // Two rows of one name in one unit are most often the same person keyed twice (a warning to accept, as against the database).
    return {
      exact: [`id:cadre:${comparable(values.name)}|${values.phone}`],
      likely: [`phone:${values.phone}`, `name+unit:${comparable(values.name)}|${unit}`],
    };
  },

  async check(em: Em, rows: ImportRowInput<CadreRow>[], context: ImportContext): Promise<void> {
    const resolutions = await resolve(em, rows, context);
    for (const row of rows) row.problems.push(...resolutions.get(row.rowNumber)!.problems);
  },

  async write(tx: Em, rows: ImportRowInput<CadreRow>[], context: ImportContext): Promise<RowWritten[]> {
    const resolutions = await resolve(tx, rows, context);
    const written: RowWritten[] = [];
    const creations: { rowNumber: number; values: CadreRow; unit: Unit }[] = [];
    const now = new Date();
    for (const { rowNumber, values } of rows) {
      const { unit, existing, problems } = resolutions.get(rowNumber)!;
      // The check just ran in this transaction and the engine wrote only rows that passed it; a row
      // refused now (the database changed in between) must not be half written.
      if (!unit || problems.some((found) => found.severity === ImportProblemSeverity.ERROR)) {
        throw new Error(`cadres import: row ${rowNumber} no longer passes its check`);
      }
      if (!existing) {
        creations.push({ rowNumber, values, unit });
        continue;
      }
      if (sameAsRecord(values, existing, unit)) {
        written.push({ rowNumber, outcome: 'UNCHANGED', entityName: 'Cadre', entityId: existing.id });
        continue;
      }
      const previousUnit = { id: existing.unit.id, regionPath: existing.unit.region.path };
      await tx.nativeUpdate(
        Cadre,
        { id: existing.id },
        {
          unit: unit.id,
          post: values.post,
          rank: values.rank,
          partyMember: values.partyMember,
          phone: values.phone,
          householdCapacity: values.householdCapacity,
          updatedAt: now,
        },
      );
      if (previousUnit.id !== unit.id) {
        await endHandlerTenures(tx, context.writer, {
          cadreId: existing.id,
          reason: '调离本单位',
          now,
          regionPath: previousUnit.regionPath,
          keepUnitId: unit.id,
        });
      }
      written.push({ rowNumber, outcome: 'UPDATED', entityName: 'Cadre', entityId: existing.id, changedFields: changedFields(values, existing, unit) });
    }
    if (creations.length > 0) {
      // Entities, not plain rows: the multi-row insert then hands back every row's id (see assignments.kind.ts).
      const created = creations.map(({ values, unit }) =>
        tx.create(
          Cadre,
          {
            name: values.name,
            unit: unit.id,
            post: values.post,
            rank: values.rank,
            partyMember: values.partyMember,
            phone: values.phone,
            householdCapacity: values.householdCapacity,
            createdAt: now,
            updatedAt: now,
          },
          { persist: false },
        ),
      );
      await tx.insertMany(created);
      creations.forEach(({ rowNumber }, index) => written.push({ rowNumber, outcome: 'CREATED', entityName: 'Cadre', entityId: created[index]!.id }));
    }
    return written.sort((a, b) => a.rowNumber - b.rowNumber);
  },
};
