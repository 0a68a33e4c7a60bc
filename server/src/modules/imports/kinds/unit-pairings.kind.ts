import { ImportKind, ImportProblemSeverity } from '@wanjia/shared';
import type { Em } from '../../../core/entity-manager';
import type { Round } from '../../rounds/round.entity';
import { UnitPairing } from '../../unit-pairings/unit-pairing.entity';
import { unitPairingPolicy } from '../../unit-pairings/unit-pairing.policy';
import type { Unit } from '../../units/unit.entity';
import type { Cells, ImportContext, ImportKindDefinition, ImportRowInput, RowProblem, RowWritten } from '../import-kind';
import { comparable } from '../normalize';
import { dateCell, findRounds, findUnits, NOT_FOUND_OR_OUT_OF_SCOPE, problem, textCell, unitsNamed, type UnitReference } from './people-lookup';
import { regionOf, resolveRegions } from './region-lookup';

/**
 * 单位结对: a unit paired with a village or community for a round, as unit-pairing.service.ts starts
 * one: a unit of the importer's subtree or above the place (a city agency with a district's village),
 * a place in the subtree, a round by name (the current one when the row names none). An active pairing
 * of the same unit, place and round is UNCHANGED; there is nothing to update (a pairing is ended in
 * the playground, and a new round's are carried over by the bulk runs).
 */
export interface UnitPairingRow {
  unit: UnitReference;
  /** The village or community as the cell names it (code, name path or unique name). */
  village: string;
  round: string | null;
  /** Null: the import's day, kept within the round's dates. */
  startedOn: string | null;
}

interface UnitPairingResolution {
  unit: Unit | null;
  regionId: number | null;
  round: Round | null;
  existing: UnitPairing | null;
  problems: RowProblem[];
}

function unitColumn(row: UnitPairingRow): string {
  return row.unit.id !== null ? 'unitNumber' : 'unitName';
}

/** The day a pairing without one starts: today, kept within the round (a round not begun starts on its first day). */
function startDay(row: UnitPairingRow, round: Round, today: string): string {
  if (row.startedOn) return row.startedOn;
  if (today < round.startsOn) return round.startsOn;
  if (today > round.endsOn) return round.endsOn;
  return today;
}

async function resolve(em: Em, rows: ImportRowInput<UnitPairingRow>[], context: ImportContext): Promise<Map<number, UnitPairingResolution>> {
  const { actor } = context;
  const units = await findUnits(
    em,
    actor,
    rows.map((row) => row.values.unit),
    'linkable',
  );
  const regions = await resolveRegions(
    em,
    actor,
    rows.map((row) => row.values.village),
  );
  const rounds = await findRounds(
    em,
    rows.flatMap((row) => (row.values.round ? [row.values.round] : [])),
    context.today,
  );
  const resolutions = new Map<number, UnitPairingResolution>();
  for (const { rowNumber, values } of rows) {
    const problems: RowProblem[] = [];
    const resolution: UnitPairingResolution = { unit: null, regionId: null, round: null, existing: null, problems };
    resolutions.set(rowNumber, resolution);
    const candidates = unitsNamed(units, values.unit);
    if (candidates.length === 0) problems.push(problem(unitColumn(values), 'NOT_FOUND', `单位${NOT_FOUND_OR_OUT_OF_SCOPE}`));
    else if (candidates.length > 1) problems.push(problem('unitName', 'AMBIGUOUS', `有${candidates.length}个同名单位，请填写单位编号`));
    else resolution.unit = candidates[0]!;
    const region = regionOf(regions, values.village);
    if (!region) problems.push(problem('village', 'REGION_NOT_FOUND', `没有名为“${values.village}”的村或社区`));
    else if (!region.found) problems.push(problem('village', region.code, region.message));
    if (values.round) {
      resolution.round = rounds.byName.get(comparable(values.round)) ?? null;
      if (!resolution.round) problems.push(problem('round', 'NOT_FOUND', '轮次不存在'));
    } else {
      resolution.round = rounds.fallback;
      if (!resolution.round) problems.push(problem(null, 'NO_ROUND', '系统中还没有轮次，请先创建轮次'));
    }
    if (!resolution.unit || !region?.found) continue;
    if (!unitPairingPolicy.mayStart(actor, { unitRegionPath: resolution.unit.region.path, regionPath: region.region.path })) {
      problems.push(problem(unitColumn(values), 'NOT_FOUND', `单位${NOT_FOUND_OR_OUT_OF_SCOPE}`));
      continue;
    }
    resolution.regionId = region.region.id;
    if (resolution.round && values.startedOn && values.startedOn > resolution.round.endsOn) {
      problems.push(problem('startedOn', 'BAD_DATE', `结对日期晚于该轮次的结束日期（${resolution.round.endsOn}）`));
    }
  }
  const placed = [...resolutions.values()].filter((resolution) => resolution.unit && resolution.regionId && resolution.round);
  const active =
    placed.length > 0
      ? await em.find(UnitPairing, {
          unit: { $in: [...new Set(placed.map((resolution) => resolution.unit!.id))] },
          region: { $in: [...new Set(placed.map((resolution) => resolution.regionId!))] },
          endedOn: null,
        })
      : [];
  // The same pairing named two ways in one file (the unit by name, then by number) is written once.
  const claimed = new Map<string, number>();
  for (const [rowNumber, resolution] of resolutions) {
    if (!placed.includes(resolution)) continue;
    const key = `${resolution.unit!.id}|${resolution.regionId}|${resolution.round!.id}`;
    const earlier = claimed.get(key);
    if (earlier !== undefined) resolution.problems.push(problem('village', 'DUPLICATE_IN_FILE', `与第${earlier}行是同一结对`));
    else claimed.set(key, rowNumber);
  }
  for (const resolution of placed) {
    resolution.existing =
      active.find(
        (pairing) => pairing.unit.id === resolution.unit!.id && pairing.region.id === resolution.regionId && pairing.round.id === resolution.round!.id,
      ) ?? null;
  }
  return resolutions;
}

export const unitPairingsKind: ImportKindDefinition<UnitPairingRow> = {
  kind: ImportKind.UNIT_PAIRINGS,
  title: '单位结对',
  supportsUpdate: false,
  columns: [
    {
      key: 'unitName',
      header: '单位名称',
      aliases: ['结对单位', '帮扶单位', '单位'],
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
    {
      key: 'village',
      header: '结对村(社区)',
      aliases: ['所在村(社区)', '村(社区)', '结对村', '结对社区'],
      required: true,
      example: '平山区/站前街道/东兴社区',
      hint: '12位区划代码，或“区/街道/社区”，或不重名的村（社区）名称',
      text: true,
    },
    { key: 'round', header: '轮次', required: false, example: '', hint: '不填为当前轮次' },
    { key: 'startedOn', header: '结对日期', aliases: ['开始日期', '结对时间'], required: false, example: '2026-05-01', hint: '不填为导入当天' },
  ],

  parse(cells: Cells, problems: RowProblem[]): UnitPairingRow | null {
    const before = problems.length;
    const unitName = textCell(cells, 'unitName', '单位名称', problems, { required: false, maxLength: 128 });
    const unitNumberText = (cells.unitNumber ?? '').trim();
    let unitNumber: number | null = null;
    if (unitNumberText) {
      if (/^\d{1,9}$/.test(unitNumberText)) unitNumber = Number(unitNumberText);
      else problems.push(problem('unitNumber', 'BAD_NUMBER', '单位编号应为数字'));
    } else if (!unitName && !(cells.unitName ?? '').trim()) {
      problems.push(problem('unitName', 'REQUIRED', '单位名称不能为空（或填写单位编号）'));
    }
    const village = textCell(cells, 'village', '结对村(社区)', problems, { required: true, maxLength: 255 });
    const round = textCell(cells, 'round', '轮次', problems, { required: false, maxLength: 64 });
    const startedOn = dateCell(cells, 'startedOn', '结对日期', problems);
    if (problems.length > before || !village) return null;
    return { unit: { id: unitNumber, name: unitNumber === null ? unitName : null }, village, round, startedOn };
  },

  keys(values: UnitPairingRow) {
    const unit = values.unit.id !== null ? `#${values.unit.id}` : comparable(values.unit.name ?? '');
    return { exact: [`id:unit-pairing:${unit}|${comparable(values.village)}|${comparable(values.round ?? '')}`], likely: [] };
  },

  async check(em: Em, rows: ImportRowInput<UnitPairingRow>[], context: ImportContext): Promise<void> {
    const resolutions = await resolve(em, rows, context);
    for (const row of rows) row.problems.push(...resolutions.get(row.rowNumber)!.problems);
  },

  async write(tx: Em, rows: ImportRowInput<UnitPairingRow>[], context: ImportContext): Promise<RowWritten[]> {
    const resolutions = await resolve(tx, rows, context);
    const written: RowWritten[] = [];
    const creations: { rowNumber: number; unit: Unit; regionId: number; round: Round; startedOn: string }[] = [];
    for (const { rowNumber, values } of rows) {
      const { unit, regionId, round, existing, problems } = resolutions.get(rowNumber)!;
      // The engine re-ran the check in this transaction and passes only rows without errors.
      if (!unit || !regionId || !round || problems.some((found) => found.severity === ImportProblemSeverity.ERROR)) {
        throw new Error(`unit pairings import: row ${rowNumber} no longer passes its check`);
      }
      if (existing) written.push({ rowNumber, outcome: 'UNCHANGED', entityName: 'UnitPairing', entityId: existing.id });
      else creations.push({ rowNumber, unit, regionId, round, startedOn: startDay(values, round, context.today) });
    }
    if (creations.length > 0) {
      // Entities, not plain rows: the multi-row insert then hands back every row's id (see assignments.kind.ts).
      const created = creations.map((creation) =>
        tx.create(
          UnitPairing,
          { unit: creation.unit.id, region: creation.regionId, round: creation.round.id, startedOn: creation.startedOn },
          { persist: false },
        ),
      );
      await tx.insertMany(created);
      creations.forEach(({ rowNumber }, index) => written.push({ rowNumber, outcome: 'CREATED', entityName: 'UnitPairing', entityId: created[index]!.id }));
    }
    return written.sort((a, b) => a.rowNumber - b.rowNumber);
  },
};
