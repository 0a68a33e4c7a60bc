import { raw } from '@mikro-orm/core';
import { ImportKind, ImportMode, ImportProblemSeverity, LABELS_ZH, PetitionCaseStatus, SETTLED_CASE_STATUSES } from '@wanjia/shared';
import type { Em } from '../../../core/entity-manager';
import { Household } from '../../households/household.entity';
import { householdPolicy } from '../../households/household.policy';
import { Resident } from '../../households/resident.entity';
import { PetitionCase } from '../../petition-cases/petition-case.entity';
import type { Cells, ImportContext, ImportKindDefinition, ImportRowInput, RowProblem, RowWritten } from '../import-kind';
import { choiceOf, comparable } from '../normalize';
import { dateCell, findResidentsByIdNumber, idNumberCell, NOT_FOUND_OR_OUT_OF_SCOPE, problem, textCell, yesNoCell } from './people-lookup';
import { lockRows } from '../../../core/locking';

/**
 * 信访案件 of petitioners already registered (the households import brings them in). The petitioner is
 * found by ID number among the residents of the importer's subtree; the name must agree with it. A
 * case is known by its petitioner and the day it was received (natural key: one petitioner's case of
 * one day): the same again is UNCHANGED, a different one is refused in CREATE_ONLY and updates the
 * case in UPDATE_EXISTING — except a case already 已息访 (closed is terminal, as
 * petition-case.service.ts keeps it). Importing a case marks the person and the household as
 * petitioners (信访群众), the household's version bumped like any edit of its file.
 */
export interface PetitionCaseRow {
  petitionerName: string;
  idNumber: string;
  title: string;
  demand: string;
  receivedOn: string;
  majorBacklog: boolean;
  status: PetitionCaseStatus;
  resolution: string | null;
}

interface PetitionCaseResolution {
  resident: Resident | null;
  existing: PetitionCase | null;
  problems: RowProblem[];
}

const STATUS_LABELS = LABELS_ZH.PetitionCaseStatus;

function isSettled(status: PetitionCaseStatus): boolean {
  return SETTLED_CASE_STATUSES.includes(status);
}

function sameAsRecord(row: PetitionCaseRow, record: PetitionCase): boolean {
  return (
    record.title === row.title &&
    record.demand === row.demand &&
    record.majorBacklog === row.majorBacklog &&
    record.status === row.status &&
    (record.resolution ?? null) === (isSettled(row.status) ? row.resolution : (record.resolution ?? null))
  );
}

async function resolve(em: Em, rows: ImportRowInput<PetitionCaseRow>[], context: ImportContext): Promise<Map<number, PetitionCaseResolution>> {
  const { actor } = context;
  const residents = await findResidentsByIdNumber(
    em,
    actor,
    rows.map((row) => row.values.idNumber),
  );
  const residentIds = residents.map((resident) => resident.id);
  const cases =
    residentIds.length > 0
      ? await em.find(PetitionCase, { resident: { $in: residentIds }, receivedOn: { $in: [...new Set(rows.map((row) => row.values.receivedOn))] } })
      : [];
  await lockRows(
    em,
    PetitionCase,
    cases.map((found) => found.id),
  );
  const resolutions = new Map<number, PetitionCaseResolution>();
  for (const { rowNumber, values } of rows) {
    const problems: RowProblem[] = [];
    const resolution: PetitionCaseResolution = { resident: null, existing: null, problems };
    resolutions.set(rowNumber, resolution);
    if (values.receivedOn > context.today) problems.push(problem('receivedOn', 'BAD_DATE', '受理日期晚于今天'));
    const matching = residents.filter((resident) => resident.idNumber === values.idNumber);
    if (matching.length === 0) {
      problems.push(problem('idNumber', 'NOT_FOUND', `该身份证号的信访人${NOT_FOUND_OR_OUT_OF_SCOPE}（请先导入其所在户）`));
      continue;
    }
    if (matching.length > 1) {
      problems.push(problem('idNumber', 'AMBIGUOUS', '该身份证号登记在多户中，请先在系统中核对'));
      continue;
    }
    const resident = matching[0]!;
    if (!householdPolicy.mayManage(actor, { regionPath: resident.household.region.path })) {
      problems.push(problem('idNumber', 'NOT_FOUND', `该身份证号的信访人${NOT_FOUND_OR_OUT_OF_SCOPE}`));
      continue;
    }
    if (comparable(resident.name) !== comparable(values.petitionerName)) {
      problems.push(problem('petitionerName', 'NAME_MISMATCH', '信访人姓名与该身份证号登记的不一致'));
      continue;
    }
    resolution.resident = resident;
    const existing = cases.find((found) => found.resident?.id === resident.id && found.receivedOn === values.receivedOn) ?? null;
    resolution.existing = existing;
    if (!existing || sameAsRecord(values, existing)) continue;
    if (context.mode === ImportMode.CREATE_ONLY) {
      problems.push(problem('receivedOn', 'DUPLICATE_IN_DATABASE', '该信访人在该受理日期已有案件；如需更新，请选择“新增并更新已有”'));
    } else if (existing.status === PetitionCaseStatus.CLOSED) {
      problems.push(problem(null, 'CASE_CLOSED', '该案件已息访，不能再更改'));
    }
  }
  return resolutions;
}

export const petitionCasesKind: ImportKindDefinition<PetitionCaseRow> = {
  kind: ImportKind.PETITION_CASES,
  title: '信访案件',
  supportsUpdate: true,
  columns: [
    { key: 'petitionerName', header: '信访人姓名', aliases: ['信访人', '姓名'], required: true, example: '李桂兰' },
    {
      key: 'idNumber',
      header: '信访人身份证号',
      aliases: ['身份证号', '身份证号码', '公民身份号码'],
      required: true,
      example: '210502195003150023',
      text: true,
    },
    { key: 'title', header: '信访事项', aliases: ['案件标题', '标题', '案由'], required: true, example: '房屋漏雨维修' },
    { key: 'demand', header: '诉求内容', aliases: ['诉求', '主要诉求', '信访诉求'], required: true, example: '请求协调维修屋顶' },
    {
      key: 'receivedOn',
      header: '受理日期',
      aliases: ['登记日期', '信访日期'],
      required: true,
      example: '2026-05-10',
      hint: '如 2026-05-10；与信访人一起识别案件',
    },
    {
      key: 'majorBacklog',
      header: '是否重大积访',
      aliases: ['重大积访案件', '重大积访'],
      required: false,
      example: '否',
      choices: ['是', '否'],
      hint: '不填视为“否”',
    },
    {
      key: 'status',
      header: '办理状态',
      aliases: ['状态', '案件状态'],
      required: false,
      example: STATUS_LABELS[PetitionCaseStatus.REGISTERED],
      choices: Object.values(STATUS_LABELS),
      hint: '不填为“已登记”',
    },
    { key: 'resolution', header: '办理结果', aliases: ['化解情况', '处理结果'], required: false, example: '', hint: '状态为“已化解”或“已息访”时必填' },
  ],

  parse(cells: Cells, problems: RowProblem[]): PetitionCaseRow | null {
    const before = problems.length;
    const petitionerName = textCell(cells, 'petitionerName', '信访人姓名', problems, { required: true, maxLength: 64 });
    const idNumber = idNumberCell(cells, 'idNumber', '信访人身份证号', problems, new Date());
    if (!(cells.idNumber ?? '').trim()) problems.push(problem('idNumber', 'REQUIRED', '信访人身份证号不能为空'));
    const title = textCell(cells, 'title', '信访事项', problems, { required: true, maxLength: 200, minLength: 2 });
    const demand = textCell(cells, 'demand', '诉求内容', problems, { required: true, maxLength: 5000, minLength: 2 });
    const receivedOn = dateCell(cells, 'receivedOn', '受理日期', problems);
    if (!(cells.receivedOn ?? '').trim()) problems.push(problem('receivedOn', 'REQUIRED', '受理日期不能为空'));
    const majorBacklog = yesNoCell(cells, 'majorBacklog', '是否重大积访', problems, false);
    const statusCell = cells.status ?? '';
    const status = statusCell.trim() ? choiceOf<PetitionCaseStatus>(statusCell, STATUS_LABELS) : PetitionCaseStatus.REGISTERED;
    if (!status) problems.push(problem('status', 'NOT_IN_LIST', `办理状态不在可选列表中：${Object.values(STATUS_LABELS).join('、')}`));
    const resolution = textCell(cells, 'resolution', '办理结果', problems, { required: Boolean(status && isSettled(status)), maxLength: 2000, minLength: 2 });
    if (problems.length > before || !petitionerName || !idNumber || !title || !demand || !receivedOn || majorBacklog === null || !status) return null;
    return { petitionerName, idNumber, title, demand, receivedOn, majorBacklog, status, resolution: isSettled(status) ? resolution : null };
  },

  keys(values: PetitionCaseRow) {
    return { exact: [`id:petition-case:${values.idNumber}|${values.receivedOn}`], likely: [`petition-title:${values.idNumber}|${comparable(values.title)}`] };
  },

  async check(em: Em, rows: ImportRowInput<PetitionCaseRow>[], context: ImportContext): Promise<void> {
    const resolutions = await resolve(em, rows, context);
    for (const row of rows) row.problems.push(...resolutions.get(row.rowNumber)!.problems);
  },

  async write(tx: Em, rows: ImportRowInput<PetitionCaseRow>[], context: ImportContext): Promise<RowWritten[]> {
    const resolutions = await resolve(tx, rows, context);
    const now = new Date();
    const written: RowWritten[] = [];
    const creations: { rowNumber: number; values: PetitionCaseRow; resident: Resident }[] = [];
    for (const { rowNumber, values } of rows) {
      const { resident, existing, problems } = resolutions.get(rowNumber)!;
      // The engine re-ran the check in this transaction and passes only rows without errors.
      if (!resident || problems.some((found) => found.severity === ImportProblemSeverity.ERROR)) {
        throw new Error(`petition cases import: row ${rowNumber} no longer passes its check`);
      }
      if (!existing) {
        creations.push({ rowNumber, values, resident });
        continue;
      }
      if (sameAsRecord(values, existing)) {
        written.push({ rowNumber, outcome: 'UNCHANGED', entityName: 'PetitionCase', entityId: existing.id });
        continue;
      }
      const settled = isSettled(values.status);
      await tx.nativeUpdate(
        PetitionCase,
        { id: existing.id },
        {
          title: values.title,
          demand: values.demand,
          majorBacklog: values.majorBacklog,
          status: values.status,
          resolvedAt: settled ? (existing.resolvedAt ?? now) : null,
          resolution: settled ? values.resolution : (existing.resolution ?? null),
          updatedAt: now,
        },
      );
      const changedFields: string[] = (['title', 'demand', 'majorBacklog', 'status'] as const).filter((field) => existing[field] !== values[field]);
      if (settled && existing.resolution !== values.resolution) changedFields.push('resolution');
      written.push({ rowNumber, outcome: 'UPDATED', entityName: 'PetitionCase', entityId: existing.id, changedFields });
    }
    if (creations.length > 0) {
      // Entities, not plain rows: the multi-row insert then hands back every row's id (see assignments.kind.ts).
      const created = creations.map(({ values, resident }) =>
        tx.create(
          PetitionCase,
          {
            household: resident.household.id,
            resident: resident.id,
            title: values.title,
            demand: values.demand,
            receivedOn: values.receivedOn,
            majorBacklog: values.majorBacklog,
            status: values.status,
            resolvedAt: isSettled(values.status) ? now : null,
            resolution: values.resolution,
            createdAt: now,
            updatedAt: now,
          },
          { persist: false },
        ),
      );
      await tx.insertMany(created);
      creations.forEach(({ rowNumber }, index) => written.push({ rowNumber, outcome: 'CREATED', entityName: 'PetitionCase', entityId: created[index]!.id }));
    }
    const residents = [...new Map([...resolutions.values()].flatMap(({ resident }) => (resident ? [[resident.id, resident] as const] : []))).values()];
    const unflaggedResidents = residents.filter((resident) => !resident.isPetitioner).map((resident) => resident.id);
    if (unflaggedResidents.length > 0) await tx.nativeUpdate(Resident, { id: { $in: unflaggedResidents } }, { isPetitioner: true, updatedAt: now });
    const unflaggedHouseholds = [...new Set(residents.filter((resident) => !resident.household.isPetitioner).map((resident) => resident.household.id))];
    if (unflaggedHouseholds.length > 0) {
      await tx.nativeUpdate(
        Household,
        { id: { $in: unflaggedHouseholds }, isPetitioner: false },
        { isPetitioner: true, version: raw('version + 1'), updatedAt: now },
      );
    }
    return written.sort((a, b) => a.rowNumber - b.rowNumber);
  },
};
