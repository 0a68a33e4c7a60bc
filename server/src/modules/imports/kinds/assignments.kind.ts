import { AssignmentKind, HouseholdStatus, ImportKind, ImportMode, ImportProblemSeverity, LABELS_ZH } from '@wanjia/shared';
import { pathInScope, type StaffActor } from '../../../core/caller';
import type { Em } from '../../../core/entity-manager';
import { Assignment } from '../../assignments/assignment.entity';
import { assignmentPolicy } from '../../assignments/assignment.policy';
import type { Cadre } from '../../cadres/cadre.entity';
import { Household } from '../../households/household.entity';
import type { Round } from '../../rounds/round.entity';
import type { Cells, ImportContext, ImportKindDefinition, ImportRowInput, RowProblem, RowWritten } from '../import-kind';
import { choiceOf, comparable } from '../normalize';
import {
  activeLoads,
  findCadres,
  findHouseholds,
  findResidentsByIdNumber,
  findRounds,
  idNumberCell,
  NOT_FOUND_OR_OUT_OF_SCOPE,
  phoneCell,
  problem,
  regionNamedBy,
  textCell,
} from './people-lookup';
import { lockRows } from '../../../core/locking';

/**
 * 干部联系户: a cadre paired with a household, keyed as offices key them. The cadre by phone, or by
 * name and unit; the household by its head's ID number (any member's number finds the household), or
 * the head's phone, or the head's name and village. A name that matches more than one is reported,
 * never guessed. The rules of assignments/assignment.service.ts apply: an active cadre with room
 * (capacity), an active household, a cadre whose unit is in the importer's subtree or above the
 * household (分级负责). A household with an active assignment to another cadre is refused in
 * CREATE_ONLY, and transferred in UPDATE_EXISTING (the old one ended with 导入调整, the new one linked
 * to it by transferredFrom: one history). The same pairing already active is UNCHANGED. About 50,000
 * rows a round: lookups once per batch, the writes as one multi-row UPDATE and one multi-row INSERT.
 */
export interface AssignmentRow {
  cadre: { phone: string | null; name: string | null; unitName: string | null };
  household: { idNumber: string | null; phone: string | null; headName: string | null; village: string | null };
  kind: AssignmentKind;
  /** The round by name; null for the round running on the import's day (else the newest). */
  round: string | null;
}

interface AssignmentResolution {
  cadre: Cadre | null;
  household: Household | null;
  round: Round | null;
  /** The household's active assignment, when it has one. */
  current: Assignment | null;
  problems: RowProblem[];
}

export const TRANSFER_REASON = '导入调整';
const KIND_LABELS = LABELS_ZH.AssignmentKind;

function householdKey(household: AssignmentRow['household']): string {
  if (household.idNumber) return `id:${household.idNumber}`;
  if (household.phone) return `phone:${household.phone}`;
  return `name:${comparable(household.headName ?? '')}@${comparable(household.village ?? '')}`;
}

/**
 * The row's cadre. A cadre of a unit above the importer's scope (a city agency's) is in reach for
 * pairing, but their phone is not the importer's to learn (cadre policy: phones of managed cadres
 * only): such a cadre is found by phone only together with the right name, and a wrong name is
 * answered as "not found", so that a file cannot test which numbers belong to the city's cadres.
 */
/** The column the row names its household by: where a problem with the household itself is reported (it is in the file). */
function householdColumn(household: AssignmentRow['household']): string {
  return household.idNumber ? 'headIdNumber' : household.phone ? 'headPhone' : 'headName';
}

/** The column the row names its cadre by. */
function cadreColumn(cadre: AssignmentRow['cadre']): string {
  return cadre.phone ? 'cadrePhone' : 'cadreName';
}

function findCadre(cadres: readonly Cadre[], wanted: AssignmentRow['cadre'], actor: StaffActor, problems: RowProblem[]): Cadre | null {
  const name = wanted.name ? comparable(wanted.name) : null;
  if (wanted.phone) {
    const named = (cadre: Cadre) => name !== null && comparable(cadre.name) === name;
    const byPhone = cadres.filter((cadre) => cadre.phone === wanted.phone && (pathInScope(actor, cadre.unit.region.path) || named(cadre)));
    const matching = name ? byPhone.filter(named) : byPhone;
    if (byPhone.length === 0) problems.push(problem('cadrePhone', 'NOT_FOUND', `该电话的干部${NOT_FOUND_OR_OUT_OF_SCOPE}`));
    else if (matching.length === 0) problems.push(problem('cadreName', 'NAME_MISMATCH', '干部姓名与该电话登记的干部不一致'));
    else if (matching.length > 1) problems.push(problem('cadrePhone', 'AMBIGUOUS', '该电话登记了多名干部，请填写干部姓名'));
    else return matching[0]!;
    return null;
  }
  const unitName = comparable(wanted.unitName ?? '');
  const byName = cadres.filter((cadre) => comparable(cadre.name) === name && comparable(cadre.unit.name) === unitName);
  if (byName.length === 0) problems.push(problem('cadreName', 'NOT_FOUND', `该单位的这名干部${NOT_FOUND_OR_OUT_OF_SCOPE}`));
  else if (byName.length > 1) problems.push(problem('cadreName', 'AMBIGUOUS', '干部姓名重复，请填写干部电话'));
  else return byName[0]!;
  return null;
}

function findHousehold(
  found: { byIdNumber: Map<string, Household[]>; households: readonly Household[] },
  wanted: AssignmentRow['household'],
  problems: RowProblem[],
): Household | null {
  const headName = wanted.headName ? comparable(wanted.headName) : null;
  if (wanted.idNumber) {
    const households = found.byIdNumber.get(wanted.idNumber) ?? [];
    if (households.length === 0) problems.push(problem('headIdNumber', 'NOT_FOUND', `该身份证号的户${NOT_FOUND_OR_OUT_OF_SCOPE}`));
    else if (households.length > 1) problems.push(problem('headIdNumber', 'AMBIGUOUS', '该身份证号登记在多户中，请先在系统中核对'));
    else if (headName && comparable(households[0]!.headName) !== headName)
      problems.push(problem('headName', 'NAME_MISMATCH', '户主姓名与该身份证号登记的户不一致'));
    else return households[0]!;
    return null;
  }
  if (wanted.phone) {
    const byPhone = found.households.filter((household) => household.phone === wanted.phone);
    const named = headName ? byPhone.filter((household) => comparable(household.headName) === headName) : byPhone;
    if (byPhone.length === 0) problems.push(problem('headPhone', 'NOT_FOUND', `该电话的户${NOT_FOUND_OR_OUT_OF_SCOPE}`));
    else if (named.length === 0) problems.push(problem('headName', 'NAME_MISMATCH', '户主姓名与该电话登记的户不一致'));
    else if (named.length > 1) problems.push(problem('headPhone', 'AMBIGUOUS', '电话重复，请填写户主身份证号'));
    else return named[0]!;
    return null;
  }
  const byName = found.households.filter((household) => comparable(household.headName) === headName && regionNamedBy(household.region, wanted.village ?? ''));
  if (byName.length === 0) problems.push(problem('headName', 'NOT_FOUND', `该村（社区）的这户${NOT_FOUND_OR_OUT_OF_SCOPE}`));
  else if (byName.length > 1) problems.push(problem('headName', 'AMBIGUOUS', '姓名重复，请填写身份证号或电话'));
  else return byName[0]!;
  return null;
}

async function resolve(em: Em, rows: ImportRowInput<AssignmentRow>[], context: ImportContext): Promise<Map<number, AssignmentResolution>> {
  const { actor } = context;
  const values = rows.map((row) => row.values);
  const cadres = await findCadres(
    em,
    actor,
    {
      phones: values.flatMap((row) => (row.cadre.phone ? [row.cadre.phone] : [])),
      names: values.flatMap((row) => (!row.cadre.phone && row.cadre.name ? [row.cadre.name] : [])),
    },
    'linkable',
  );
  const residents = await findResidentsByIdNumber(
    em,
    actor,
    values.flatMap((row) => (row.household.idNumber ? [row.household.idNumber] : [])),
  );
  const byIdNumber = new Map<string, Household[]>();
  for (const resident of residents) {
    const list = byIdNumber.get(resident.idNumber!) ?? [];
    if (!list.some((household) => household.id === resident.household.id)) list.push(resident.household);
    byIdNumber.set(resident.idNumber!, list);
  }
  const households = await findHouseholds(em, actor, {
    phones: values.flatMap((row) => (!row.household.idNumber && row.household.phone ? [row.household.phone] : [])),
    headNames: values.flatMap((row) => (!row.household.idNumber && !row.household.phone && row.household.headName ? [row.household.headName] : [])),
  });
  const rounds = await findRounds(
    em,
    values.flatMap((row) => (row.round ? [row.round] : [])),
    context.today,
  );

  const resolutions = new Map<number, AssignmentResolution>();
  for (const { rowNumber, values: row } of rows) {
    const problems: RowProblem[] = [];
    const cadre = findCadre(cadres, row.cadre, actor, problems);
    const household = findHousehold({ byIdNumber, households }, row.household, problems);
    let round: Round | null = null;
    if (row.round) {
      round = rounds.byName.get(comparable(row.round)) ?? null;
      if (!round) problems.push(problem('round', 'NOT_FOUND', '轮次不存在'));
    } else {
      round = rounds.fallback;
      if (!round) problems.push(problem(null, 'NO_ROUND', '系统中还没有轮次，请先创建轮次'));
    }
    resolutions.set(rowNumber, { cadre, household, round, current: null, problems });
  }

  const householdIds = [...resolutions.values()].flatMap((resolution) => (resolution.household ? [resolution.household.id] : []));
  // Who holds the household is read under its lock in a commit, as assignment.service.ts assigns.
  await lockRows(em, Household, householdIds);
  const currents = householdIds.length > 0 ? await em.find(Assignment, { household: { $in: [...new Set(householdIds)] }, endedAt: null }) : [];
  const currentOf = new Map(currents.map((assignment) => [assignment.household.id, assignment]));
  const loads = await activeLoads(
    em,
    cadres.map((cadre) => cadre.id),
  );

  // The same household keyed two ways in one file (by ID number here, by phone there) escapes the
  // file's keys; once found, the second row is the duplicate, so a household never gets two cadres.
  const claimed = new Map<number, number>();
  for (const { rowNumber, values: row } of rows) {
    const resolution = resolutions.get(rowNumber)!;
    const { cadre, household, problems } = resolution;
    if (household) {
      const earlier = claimed.get(household.id);
      if (earlier !== undefined) {
        problems.push(problem(householdColumn(row.household), 'DUPLICATE_IN_FILE', `与第${earlier}行是同一户：一户只能由一名干部联系`));
        continue;
      }
      claimed.set(household.id, rowNumber);
    }
    if (!cadre || !household) continue;
    // Who may be linked is decided before what state things are in, as the service does.
    if (!assignmentPolicy.mayPair(actor, { cadreUnitRegionPath: cadre.unit.region.path, householdRegionPath: household.region.path })) {
      problems.push(problem(cadreColumn(row.cadre), 'NOT_FOUND', `该干部${NOT_FOUND_OR_OUT_OF_SCOPE}`));
      continue;
    }
    if (!cadre.active) problems.push(problem(cadreColumn(row.cadre), 'CADRE_INACTIVE', '该干部已停用'));
    if (household.status !== HouseholdStatus.ACTIVE) {
      problems.push(
        problem(
          householdColumn(row.household),
          'HOUSEHOLD_NOT_ACTIVE',
          `该户状态为“${LABELS_ZH.HouseholdStatus[household.status as HouseholdStatus]}”，不在帮扶中`,
        ),
      );
    }
    const current = currentOf.get(household.id) ?? null;
    resolution.current = current;
    if (current && current.cadre.id === cadre.id) continue;
    if (current && context.mode === ImportMode.CREATE_ONLY) {
      problems.push(problem(householdColumn(row.household), 'ASSIGNED_ELSEWHERE', '已由其他干部联系（如需调整，请选择“新增并更新已有”）'));
      continue;
    }
    if (problems.some((found) => found.severity === ImportProblemSeverity.ERROR)) continue;
    const load = loads.get(cadre.id) ?? 0;
    if (load >= cadre.householdCapacity) {
      problems.push(problem(cadreColumn(row.cadre), 'OVER_CAPACITY', `该干部已联系${load}户，达到联系户数上限${cadre.householdCapacity}户`));
      continue;
    }
    // The batch's own rows count toward the cadre's capacity as they are taken, in the file's order, and
    // a transfer frees a place with the cadre it leaves for the rows after it: at no point of that order
    // does a cadre hold more than their capacity, so neither does the batch's write.
    loads.set(cadre.id, load + 1);
    if (current) loads.set(current.cadre.id, Math.max(0, (loads.get(current.cadre.id) ?? 0) - 1));
  }
  return resolutions;
}

export const assignmentsKind: ImportKindDefinition<AssignmentRow> = {
  kind: ImportKind.ASSIGNMENTS,
  title: '干部联系户',
  supportsUpdate: true,
  columns: [
    { key: 'cadreName', header: '干部姓名', aliases: ['联系干部', '帮扶干部', '帮扶责任人'], required: false, example: '王建国' },
    {
      key: 'cadrePhone',
      header: '干部电话',
      aliases: ['干部手机号', '干部联系电话', '帮扶干部电话'],
      required: false,
      example: '13812345678',
      hint: '有电话时按电话找干部；否则按干部姓名和单位',
      text: true,
    },
    { key: 'cadreUnit', header: '干部单位', aliases: ['干部所在单位', '帮扶单位'], required: false, example: '本溪市民政局', hint: '不填干部电话时必填' },
    { key: 'headName', header: '户主姓名', aliases: ['户主'], required: false, example: '李桂兰' },
    {
      key: 'headIdNumber',
      header: '户主身份证号',
      aliases: ['户主身份证号码', '身份证号'],
      required: false,
      example: '210502195003150023',
      hint: '有身份证号时按身份证号找户',
      text: true,
    },
    { key: 'headPhone', header: '户主电话', aliases: ['户联系电话', '联系电话'], required: false, example: '', hint: '无身份证号时可按电话找户', text: true },
    {
      key: 'village',
      header: '所在村(社区)',
      aliases: ['村(社区)', '所在村', '所在社区', '村社区'],
      required: false,
      example: '东兴社区',
      hint: '村（社区）名称或12位区划代码；只填户主姓名时必填',
      text: true,
    },
    {
      key: 'kind',
      header: '联系方式',
      aliases: ['联系类型', '帮扶方式'],
      required: true,
      example: KIND_LABELS[AssignmentKind.ONE_TO_ONE],
      choices: Object.values(KIND_LABELS),
    },
    { key: 'round', header: '轮次', required: false, example: '', hint: '不填为当前轮次' },
  ],

  parse(cells: Cells, problems: RowProblem[]): AssignmentRow | null {
    const before = problems.length;
    const cadreName = textCell(cells, 'cadreName', '干部姓名', problems, { required: false, maxLength: 64 });
    const cadrePhone = phoneCell(cells, 'cadrePhone', '干部电话', problems);
    const cadreUnit = textCell(cells, 'cadreUnit', '干部单位', problems, { required: false, maxLength: 128 });
    if (!(cells.cadrePhone ?? '').trim()) {
      if (!cadreName && !(cells.cadreName ?? '').trim()) problems.push(problem('cadreName', 'REQUIRED', '请填写干部电话，或干部姓名和单位'));
      else if (!cadreUnit && !(cells.cadreUnit ?? '').trim()) problems.push(problem('cadreUnit', 'REQUIRED', '没有干部电话时，干部单位不能为空'));
    }
    const headName = textCell(cells, 'headName', '户主姓名', problems, { required: false, maxLength: 64 });
    const headIdNumber = idNumberCell(cells, 'headIdNumber', '户主身份证号', problems, new Date());
    const headPhone = phoneCell(cells, 'headPhone', '户主电话', problems);
    const village = textCell(cells, 'village', '所在村(社区)', problems, { required: false, maxLength: 255 });
    if (!(cells.headIdNumber ?? '').trim() && !(cells.headPhone ?? '').trim()) {
      if (!headName && !(cells.headName ?? '').trim()) problems.push(problem('headName', 'REQUIRED', '请填写户主身份证号、户主电话，或户主姓名和所在村(社区)'));
      else if (!village && !(cells.village ?? '').trim()) problems.push(problem('village', 'REQUIRED', '只有户主姓名时，所在村(社区)不能为空'));
    }
    const kindCell = cells.kind ?? '';
    const kind = choiceOf<AssignmentKind>(kindCell, KIND_LABELS);
    if (!kindCell.trim()) problems.push(problem('kind', 'REQUIRED', '联系方式不能为空'));
    else if (!kind) problems.push(problem('kind', 'NOT_IN_LIST', `联系方式不在可选列表中：${Object.values(KIND_LABELS).join('、')}`));
    const round = textCell(cells, 'round', '轮次', problems, { required: false, maxLength: 64 });
    if (problems.length > before || !kind) return null;
    return {
      cadre: { phone: cadrePhone, name: cadreName, unitName: cadreUnit },
      household: { idNumber: headIdNumber, phone: headPhone, headName, village },
      kind,
      round,
    };
  },

  keys(values: AssignmentRow) {
    // A household has one cadre: the same household twice in one file is an error, whoever the cadres.
    return { exact: [`id:assignment-household:${householdKey(values.household)}`], likely: [] };
  },

  async check(em: Em, rows: ImportRowInput<AssignmentRow>[], context: ImportContext): Promise<void> {
    const resolutions = await resolve(em, rows, context);
    for (const row of rows) row.problems.push(...resolutions.get(row.rowNumber)!.problems);
  },

  async write(tx: Em, rows: ImportRowInput<AssignmentRow>[], context: ImportContext): Promise<RowWritten[]> {
    const resolutions = await resolve(tx, rows, context);
    const now = new Date();
    const written: RowWritten[] = [];
    const inserts: { rowNumber: number; cadre: Cadre; household: Household; round: Round; kind: AssignmentKind; from: Assignment | null }[] = [];
    for (const { rowNumber, values } of rows) {
      const { cadre, household, round, current, problems } = resolutions.get(rowNumber)!;
      // The engine re-ran the check in this transaction and passes only rows without errors.
      if (!cadre || !household || !round || problems.some((found) => found.severity === ImportProblemSeverity.ERROR)) {
        throw new Error(`assignments import: row ${rowNumber} no longer passes its check`);
      }
      if (current && current.cadre.id === cadre.id) {
        written.push({ rowNumber, outcome: 'UNCHANGED', entityName: 'Assignment', entityId: current.id });
        continue;
      }
      inserts.push({ rowNumber, cadre, household, round, kind: values.kind, from: current });
    }
    const ending = inserts.flatMap((insert) => (insert.from ? [insert.from.id] : []));
    if (ending.length > 0) {
      const ended = await tx.nativeUpdate(Assignment, { id: { $in: ending }, endedAt: null }, { endedAt: now, endReason: TRANSFER_REASON });
      if (ended !== ending.length) throw new Error('assignments import: an assignment to transfer ended meanwhile');
    }
    if (inserts.length > 0) {
      // Entities, not plain rows: MikroORM's multi-row insert then hands back every row's id (a plain-row
      // insertMany answers only the first), which the import's row traceability needs.
      const created = inserts.map((insert) =>
        tx.create(
          Assignment,
          {
            cadre: insert.cadre.id,
            household: insert.household.id,
            round: insert.round.id,
            kind: insert.kind,
            startedAt: now,
            transferredFrom: insert.from?.id ?? null,
            createdAt: now,
          },
          { persist: false },
        ),
      );
      await tx.insertMany(created);
      inserts.forEach((insert, index) =>
        written.push({
          rowNumber: insert.rowNumber,
          outcome: insert.from ? 'UPDATED' : 'CREATED',
          entityName: 'Assignment',
          entityId: created[index]!.id,
          ...(insert.from ? { changedFields: ['cadre'] } : {}),
        }),
      );
    }
    return written.sort((a, b) => a.rowNumber - b.rowNumber);
  },
};
