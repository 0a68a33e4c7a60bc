import { raw } from '@mikro-orm/core';
import {
  Gender,
  HardshipReason,
  HouseholdStatus,
  ImportKind,
  ImportMode,
  ImportProblemSeverity,
  KeyFocusReason,
  LABELS_ZH,
  ResidentRelation,
  TargetGroup,
  checkIdNumber,
  checkPhone,
} from '@wanjia/shared';
import type { Em } from '../../../core/entity-manager';
import { DAY_MS } from '../../../core/time';
import { likeStartingWith } from '../../../core/sql-like';
import { AuditEntry } from '../../audit/audit-entry.entity';
import { recordAudit } from '../../audit/audit.service';
import { idNumberHash } from '../../households/duplicate-id-guard';
import { Household } from '../../households/household.entity';
import { Resident } from '../../households/resident.entity';
import { Region } from '../../regions/region.entity';
import type { Cells, ImportColumn, ImportContext, ImportKindDefinition, ImportRowInput, RowProblem, RowWritten } from '../import-kind';
import { choiceOf, comparable, splitList, tidy } from '../normalize';
import { regionOf, resolveRegions } from './region-lookup';

/** Which of these households lie in the scope (their region's path under `scopeLike`): one statement by primary key. */
async function householdsInScope(em: Em, householdIds: number[], scopeLike: string): Promise<Set<number>> {
  if (householdIds.length === 0) return new Set();
  const found = await em.find(Household, { id: { $in: householdIds }, region: { path: { $like: scopeLike } } }, { fields: ['id'] });
  return new Set(found.map((household) => household.id));
}

/**
 * 帮扶对象户及家庭成员: one row per person, the household's columns repeated on each of its members' rows.
 * Rows belong to one household when they share 户编号, else the head's ID number, else head name +
 * address + village. A household is written whole or not at all (all its rows pass, or none is written).
 */

export interface HouseholdMember {
  name: string;
  relation: ResidentRelation;
  gender: Gender;
  idNumber: string | null;
  birthDate: string | null;
  keyFocusReason: KeyFocusReason | null;
  isPetitioner: boolean;
}

export interface HouseholdRowValues {
  /** Which household the row belongs to (groupKey). */
  group: string;
  headName: string;
  headIdNumber: string | null;
  address: string;
  /** The village or community as the file names it (code, name path or name). */
  regionCell: string;
  phone: string | null;
  targetGroups: TargetGroup[];
  hardshipReasons: HardshipReason[];
  member: HouseholdMember;
}

/** The audit trail's operation of a cross-district finding (one per finding, with a keyed hash of the number). */
export const IMPORT_ELSEWHERE_FINDING = 'importDuplicateElsewhere';

const YES = ['是', '否'] as const;
const labels = <E extends string>(map: Readonly<Record<E, string>>) => Object.values<string>(map);

export const HOUSEHOLD_COLUMNS: readonly ImportColumn[] = [
  {
    key: 'householdCode',
    header: '户编号',
    aliases: ['户号', '家庭编号'],
    required: false,
    example: 'PS-001',
    text: true,
    hint: '可不填：同一户的各行填同一编号；不填时按户主身份证号（或户主姓名+地址+村）归户',
  },
  { key: 'headName', header: '户主姓名', aliases: ['户主'], required: true, example: '张建国' },
  { key: 'headIdNumber', header: '户主身份证号', aliases: ['户主身份证'], required: false, example: '210502195806152417', text: true, hint: '18位，文本格式' },
  { key: 'address', header: '地址', aliases: ['家庭住址', '住址', '家庭地址'], required: true, example: '桥头镇桥头村3组15号' },
  {
    key: 'region',
    header: '所在村(社区)',
    aliases: ['所在村（社区）', '村(社区)', '村（社区）', '所在村', '所在社区', '村社区', '区划代码'],
    required: true,
    example: '平山区/桥头镇/桥头村',
    hint: '12位区划代码，或“区/镇/村”，或唯一的村（社区）名',
  },
  { key: 'phone', header: '联系电话', aliases: ['电话', '手机号', '手机', '联系方式'], required: false, example: '13904141234', text: true },
  {
    key: 'targetGroups',
    header: '帮扶类别',
    aliases: ['类别', '对象类别'],
    required: true,
    example: '困难家庭',
    choices: labels(LABELS_ZH.TargetGroup),
    hint: '可填多个，用顿号分隔：困难家庭、重点关注、信访群众',
  },
  {
    key: 'hardshipReasons',
    header: '困难原因',
    aliases: ['致困原因'],
    required: false,
    example: '因病、因残',
    choices: labels(LABELS_ZH.HardshipReason),
    hint: '可填多个，用顿号分隔',
  },
  { key: 'name', header: '姓名', aliases: ['成员姓名', '家庭成员姓名'], required: true, example: '张建国' },
  { key: 'relation', header: '与户主关系', aliases: ['关系'], required: true, example: '户主', choices: labels(LABELS_ZH.ResidentRelation) },
  { key: 'gender', header: '性别', required: false, example: '男', choices: labels(LABELS_ZH.Gender), hint: '不填时按身份证号' },
  {
    key: 'idNumber',
    header: '身份证号',
    aliases: ['身份证号码', '公民身份号码', '成员身份证号'],
    required: false,
    example: '210502195806152417',
    text: true,
    hint: '18位，文本格式',
  },
  {
    key: 'birthDate',
    header: '出生日期',
    aliases: ['出生年月日'],
    required: false,
    example: '1958-06-15',
    text: true,
    hint: '如 1958-06-15；不填时按身份证号',
  },
  { key: 'keyFocusReason', header: '重点关注原因', aliases: ['关注原因'], required: false, example: '', choices: labels(LABELS_ZH.KeyFocusReason) },
  { key: 'isPetitioner', header: '是否信访人', aliases: ['信访人'], required: false, example: '否', choices: YES },
];

function problem(column: string | null, code: string, message: string, severity = ImportProblemSeverity.ERROR): RowProblem {
  return { column, severity, code, message };
}

const listed = (values: readonly string[]) => `不在可选列表中：${values.join('、')}`;

/** A date as offices write it: 1958-06-15, 1958/6/15, 1958.6.15, 19580615, 1958年6月15日. */
export function parseLocalDate(cell: string): string | null {
  const text = tidy(cell);
  const match = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(text) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

function idProblemCode(kind: string): string {
  return kind === 'CHECK_DIGIT' ? 'ID_CHECK_DIGIT' : kind === 'BIRTH_DATE' ? 'ID_BIRTH_DATE' : kind === 'REGION' ? 'ID_REGION' : 'ID_FORMAT';
}

function parseIdNumber(cell: string, column: string, problems: RowProblem[]): string | null {
  const text = tidy(cell).replace(/\s/g, '');
  if (!text) return null;
  const check = checkIdNumber(text);
  if (!check.valid) {
    problems.push(problem(column, idProblemCode(check.problem), check.message));
    return null;
  }
  return check.normalized;
}

function parseList<E extends string>(cell: string, column: string, map: Readonly<Record<E, string>>, problems: RowProblem[]): E[] {
  const values: E[] = [];
  for (const part of splitList(cell)) {
    const value = choiceOf(part, map);
    if (value === undefined) problems.push(problem(column, 'NOT_IN_LIST', `“${part}”${listed(Object.values(map))}`));
    else if (!values.includes(value)) values.push(value);
  }
  return values;
}

function parseChoice<E extends string>(cell: string, column: string, map: Readonly<Record<E, string>>, problems: RowProblem[]): E | null {
  if (!tidy(cell)) return null;
  const value = choiceOf(cell, map);
  if (value === undefined) problems.push(problem(column, 'NOT_IN_LIST', `“${tidy(cell)}”${listed(Object.values(map))}`));
  return value ?? null;
}

/** What check() found for a row, for write() in the same transaction. */
interface Resolution {
  regionId?: number;
  regionPath?: string;
  /** UPDATE_EXISTING: the resident the row's ID number names (in scope) and its household. */
  residentId?: number;
  householdId?: number;
  /** CREATE_ONLY into a household an earlier import wrote: members are added, the household's columns left as they are. */
  addOnly?: boolean;
}

const resolutions = new WeakMap<object, Resolution>();

function resolutionOf(row: object): Resolution {
  let resolution = resolutions.get(row);
  if (!resolution) resolutions.set(row, (resolution = {}));
  return resolution;
}

type Row = ImportRowInput<HouseholdRowValues>;

function groupsOf(rows: Row[]): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const list = groups.get(row.values.group) ?? [];
    list.push(row);
    groups.set(row.values.group, list);
  }
  return groups;
}

/** The household fields every row of a group repeats; they must agree. */
const HOUSEHOLD_FIELDS: { key: keyof HouseholdRowValues; column: string; label: string }[] = [
  { key: 'headName', column: 'headName', label: '户主姓名' },
  { key: 'address', column: 'address', label: '地址' },
  { key: 'regionCell', column: 'region', label: '所在村(社区)' },
  { key: 'phone', column: 'phone', label: '联系电话' },
  { key: 'targetGroups', column: 'targetGroups', label: '帮扶类别' },
  { key: 'hardshipReasons', column: 'hardshipReasons', label: '困难原因' },
];

async function elsewhereFindingsToday(em: Em, accountId: number, now: Date): Promise<number> {
  return em.count(AuditEntry, { actor: accountId, operation: IMPORT_ELSEWHERE_FINDING, at: { $gt: new Date(now.getTime() - DAY_MS) } });
}

export interface HouseholdsKindOptions {
  /** Cross-district findings one account may be told in any 24 hours (IMPORT_ELSEWHERE_PER_DAY). */
  elsewherePerDay: number;
  /** "Now" for the finding budget (the injected clock). */
  now: () => Date;
}

/** The households kind; the budget of cross-district findings comes from the configuration. */
export function householdsKind(options: HouseholdsKindOptions): ImportKindDefinition<HouseholdRowValues> {
  return {
    kind: ImportKind.HOUSEHOLDS,
    title: '帮扶对象户及家庭成员',
    columns: HOUSEHOLD_COLUMNS,
    supportsUpdate: true,

    parse(cells: Cells, problems: RowProblem[]): HouseholdRowValues | null {
      for (const column of HOUSEHOLD_COLUMNS) {
        if (column.required && !tidy(cells[column.key] ?? '')) problems.push(problem(column.key, 'REQUIRED', `${column.header}必须填写`));
      }
      const headName = tidy(cells.headName ?? '');
      const name = tidy(cells.name ?? '');
      const address = tidy(cells.address ?? '');
      const regionCell = tidy(cells.region ?? '');
      const headIdNumber = parseIdNumber(cells.headIdNumber ?? '', 'headIdNumber', problems);
      const idNumber = parseIdNumber(cells.idNumber ?? '', 'idNumber', problems);
      let phone: string | null = null;
      if (tidy(cells.phone ?? '')) {
        const check = checkPhone(tidy(cells.phone ?? ''));
        if (check.valid) phone = check.normalized;
        else problems.push(problem('phone', 'BAD_PHONE', check.message));
      }
      const targetGroups = parseList<TargetGroup>(cells.targetGroups ?? '', 'targetGroups', LABELS_ZH.TargetGroup, problems);
      const hardshipReasons = parseList<HardshipReason>(cells.hardshipReasons ?? '', 'hardshipReasons', LABELS_ZH.HardshipReason, problems);
      const relation = parseChoice<ResidentRelation>(cells.relation ?? '', 'relation', LABELS_ZH.ResidentRelation, problems);
      let gender = parseChoice<Gender>(cells.gender ?? '', 'gender', LABELS_ZH.Gender, problems);
      const keyFocusReason = parseChoice<KeyFocusReason>(cells.keyFocusReason ?? '', 'keyFocusReason', LABELS_ZH.KeyFocusReason, problems);
      const petitioner = parseChoice(cells.isPetitioner ?? '', 'isPetitioner', { YES: '是', NO: '否' } as const, problems);
      let birthDate: string | null = null;
      if (tidy(cells.birthDate ?? '')) {
        birthDate = parseLocalDate(cells.birthDate ?? '');
        const today = new Date().toISOString().slice(0, 10);
        if (!birthDate) problems.push(problem('birthDate', 'BAD_DATE', `出生日期“${tidy(cells.birthDate ?? '')}”无法识别：请写成 1958-06-15`));
        else if (birthDate > today || birthDate < '1900-01-01') {
          problems.push(problem('birthDate', 'BAD_DATE', '出生日期应在1900-01-01到今天之间'));
          birthDate = null;
        }
      }
      if (idNumber) {
        const check = checkIdNumber(idNumber);
        if (check.valid) {
          if (birthDate && birthDate !== check.birthDate) {
            problems.push(problem('birthDate', 'BIRTH_DATE_MISMATCH', `出生日期与身份证号不一致（身份证号中为 ${check.birthDate}）`));
          }
          birthDate ??= check.birthDate;
          if (gender && gender !== check.gender) {
            problems.push(problem('gender', 'GENDER_MISMATCH', `性别与身份证号不一致（身份证号中为${LABELS_ZH.Gender[check.gender]}）`));
          }
          gender ??= check.gender;
        }
      }
      if (!gender && !tidy(cells.gender ?? '') && !idNumber) problems.push(problem('gender', 'REQUIRED', '性别必须填写（或填写身份证号）'));
      if (relation === ResidentRelation.HEAD) {
        if (name && headName && comparable(name) !== comparable(headName)) {
          problems.push(problem('name', 'HEAD_MISMATCH', '与户主关系为“户主”，但姓名与户主姓名不一致'));
        }
        if (idNumber && headIdNumber && idNumber !== headIdNumber) {
          problems.push(problem('idNumber', 'HEAD_MISMATCH', '与户主关系为“户主”，但身份证号与户主身份证号不一致'));
        }
      }
      if (keyFocusReason && !targetGroups.includes(TargetGroup.KEY_FOCUS)) {
        problems.push(problem('keyFocusReason', 'KEY_FOCUS_WITHOUT_GROUP', '填写了重点关注原因，帮扶类别应包含“重点关注”'));
      }
      if (!headName || !name || !address || !regionCell || !relation || !gender || targetGroups.length === 0) return null;
      if (problems.some((found) => found.severity === ImportProblemSeverity.ERROR)) return null;
      const code = tidy(cells.householdCode ?? '');
      const group = code
        ? `code:${comparable(code)}`
        : headIdNumber
          ? `head:${headIdNumber}`
          : `name:${comparable(headName)}|${comparable(address)}|${comparable(regionCell)}`;
      return {
        group: group.slice(0, 191),
        headName,
        headIdNumber,
        address,
        regionCell,
        phone,
        targetGroups,
        hardshipReasons,
        member: { name, relation, gender, idNumber, birthDate, keyFocusReason, isPetitioner: petitioner === 'YES' },
      };
    },

    groupKey: (values) => values.group,

    keys(values) {
      const exact = values.member.idNumber ? [`id:${values.member.idNumber}`] : [];
      const likely = [`name+address:${comparable(values.headName)}|${comparable(values.address)}`];
      if (values.phone) likely.push(`head+phone:${comparable(values.headName)}|${values.phone}`);
      return { exact, likely };
    },

    async check(em: Em, rows: Row[], context: ImportContext): Promise<void> {
      const { actor } = context;
      const groups = groupsOf(rows);

      // The village or community of each row, in scope, one lookup for the batch.
      const regions = await resolveRegions(
        em,
        actor,
        rows.map((row) => row.values.regionCell),
      );
      for (const row of rows) {
        const resolution = regionOf(regions, row.values.regionCell);
        if (resolution?.found) Object.assign(resolutionOf(row), { regionId: resolution.region.id, regionPath: resolution.region.path });
        else if (resolution) row.problems.push(problem('region', resolution.code, resolution.message));
      }

      // A household's rows agree on the household's columns, and it has one head.
      for (const members of groups.values()) {
        const [first] = members;
        for (const row of members.slice(1)) {
          for (const field of HOUSEHOLD_FIELDS) {
            if (JSON.stringify(row.values[field.key]) !== JSON.stringify(first!.values[field.key])) {
              row.problems.push(problem(field.column, 'INCONSISTENT_HOUSEHOLD', `同一户各行的${field.label}应相同（与第${first!.rowNumber}行不同）`));
            }
          }
        }
        const heads = members.filter((row) => row.values.member.relation === ResidentRelation.HEAD);
        for (const extra of heads.slice(1)) {
          extra.problems.push(problem('relation', 'TWO_HEADS', `同一户有两位户主（另见第${heads[0]!.rowNumber}行）`));
        }
      }

      // Exact duplicates by ID number in the importer's scope: refused, or the record to update.
      const scopeLike = likeStartingWith(actor.scopePath);
      const ids = [...new Set(rows.map((row) => row.values.member.idNumber).filter((id): id is string => Boolean(id)))];
      // By the ID number's index first, then the scope on the few households found: joined in one
      // statement, MariaDB walked the scope's regions and read every resident of the district per batch,
      // so a district's import slowed as it grew (a quarter of a second a batch at 120,000 residents).
      const byId = ids.length ? await em.find(Resident, { idNumber: { $in: ids } }, { fields: ['id', 'idNumber', 'household'] }) : [];
      const scopedHouseholds = await householdsInScope(em, [...new Set(byId.map((resident) => resident.household.id))], scopeLike);
      const inScope = byId
        .filter((resident) => scopedHouseholds.has(resident.household.id))
        .map((resident) => ({ id: resident.id, idNumber: resident.idNumber!, household: resident.household.id }));
      const residentOfId = new Map(inScope.map((resident) => [resident.idNumber, resident]));
      for (const row of rows) {
        const found = row.values.member.idNumber ? residentOfId.get(row.values.member.idNumber) : undefined;
        if (!found) continue;
        if (context.mode === ImportMode.UPDATE_EXISTING) Object.assign(resolutionOf(row), { residentId: found.id, householdId: Number(found.household) });
        else
          row.problems.push(
            problem('idNumber', 'DUPLICATE_IN_DATABASE', `该身份证号已在您管辖范围内登记（户#${found.household}）：如需更新请选择“新增并更新已有”`),
          );
      }
      for (const members of groups.values()) {
        const households = new Set(members.map((row) => resolutionOf(row).householdId).filter(Boolean));
        if (households.size > 1) {
          for (const row of members) {
            if (resolutionOf(row).householdId)
              row.problems.push(problem('idNumber', 'MEMBERS_IN_TWO_HOUSEHOLDS', `同一户的成员在系统中属于不同的户（户#${[...households].join('、#')}）`));
          }
        }
        const [target] = households;
        if (target) for (const row of members) resolutionOf(row).householdId = target;
      }

      // A household an earlier import wrote, to which this file adds members (the list uploaded again with a
      // newborn added): the new rows join that household rather than make a second one.
      const earlier = [...groups.values()].filter((members) => !resolutionOf(members[0]!).householdId && members[0]!.groupWrittenAs?.entityName === 'Resident');
      if (earlier.length) {
        const written = await em.find(
          Resident,
          { id: { $in: earlier.map((members) => members[0]!.groupWrittenAs!.entityId) }, household: { region: { path: { $like: scopeLike } } } },
          { fields: ['id', 'household'] },
        );
        for (const members of earlier) {
          const found = written.find((resident) => resident.id === members[0]!.groupWrittenAs!.entityId);
          if (found)
            for (const row of members)
              Object.assign(resolutionOf(row), { householdId: found.household.id, addOnly: context.mode !== ImportMode.UPDATE_EXISTING });
        }
      }

      // A person registered in another district: told without where or what; each finding audited
      // (a keyed hash, never the number) and bounded per account and day.
      if (context.phase === 'dryRun') {
        const outside = ids.filter((id) => !residentOfId.has(id));
        let spent = await elsewhereFindingsToday(em, actor.accountId, options.now());
        const left = () => options.elsewherePerDay - spent;
        const elsewhere =
          outside.length && left() > 0
            ? await em
                .createQueryBuilder(Resident, 'r')
                .select(['r.idNumber', raw('g.name as region_name')])
                .join('r.household', 'h')
                .join('h.region', 'g')
                .where({ idNumber: { $in: outside } })
                .execute<{ idNumber: string; region_name: string }[]>('all', true)
            : [];
        const regionOfId = new Map(elsewhere.map((found) => [found.idNumber, found.region_name ?? (found as unknown as { regionName: string }).regionName]));
        const findings: { rowNumber: number; idNumber: string }[] = [];
        for (const row of rows) {
          const id = row.values.member.idNumber;
          if (!id || residentOfId.has(id)) continue;
          if (left() <= 0) {
            row.problems.push(problem('idNumber', 'ELSEWHERE_UNCHECKED', '跨区查重次数已用完，请市级管理员核查', ImportProblemSeverity.WARNING));
            continue;
          }
          const where = regionOfId.get(id);
          if (where === undefined) continue;
          spent += 1;
          findings.push({ rowNumber: row.rowNumber, idNumber: id });
          row.problems.push({ ...problem('idNumber', 'DUPLICATE_ELSEWHERE', '该人员已在本市其他地区登记', ImportProblemSeverity.WARNING), cityDetail: where });
        }
        if (findings.length) {
          await em.fork().transactional(async (tx) => {
            for (const finding of findings) {
              recordAudit(tx, context.writer, {
                operation: IMPORT_ELSEWHERE_FINDING,
                entityName: 'DataImport',
                entityId: context.importId,
                regionPath: actor.scopePath,
                changes: { rowNumber: finding.rowNumber, idNumberHash: idNumberHash(context.writer.duplicateIds.secret, finding.idNumber) },
              });
            }
          });
        }
      }

      // Likely duplicates in the scope: the same head and address, or the same head and phone (warnings).
      const fresh = [...groups.values()].filter((members) => !members.some((row) => resolutionOf(row).householdId));
      const headNames = [...new Set(fresh.map((members) => members[0]!.values.headName))];
      const phones = [...new Set(fresh.map((members) => members[0]!.values.phone).filter((phone): phone is string => Boolean(phone)))];
      // The head-name and phone indexes first, the scope on what they find (as for the ID numbers above).
      const candidates = headNames.length
        ? await em.find(
            Household,
            { $or: [{ headName: { $in: headNames } }, ...(phones.length ? [{ phone: { $in: phones } }] : [])] },
            { fields: ['id', 'headName', 'address', 'phone'] },
          )
        : [];
      const similarInScope = await householdsInScope(
        em,
        candidates.map((household) => household.id),
        scopeLike,
      );
      const similar = candidates.filter((household) => similarInScope.has(household.id));
      for (const members of fresh) {
        const first = members[0]!;
        const head = comparable(first.values.headName);
        const sameAddress = similar.find(
          (household) => comparable(household.headName) === head && comparable(household.address) === comparable(first.values.address),
        );
        if (sameAddress) {
          first.problems.push(
            problem('address', 'LIKELY_DUPLICATE', `疑似重复：已有户主同名、地址相同的户（户#${sameAddress.id}）`, ImportProblemSeverity.WARNING),
          );
          continue;
        }
        const samePhone = first.values.phone
          ? similar.find((household) => comparable(household.headName) === head && household.phone === first.values.phone)
          : undefined;
        if (samePhone)
          first.problems.push(
            problem('phone', 'LIKELY_DUPLICATE', `疑似重复：已有户主同名、电话相同的户（户#${samePhone.id}）`, ImportProblemSeverity.WARNING),
          );
      }
      // A household is written whole: the engine keeps a group's other rows out when one has an error.
    },

    async write(tx: Em, rows: Row[], context: ImportContext): Promise<RowWritten[]> {
      const written: RowWritten[] = [];
      const groups = groupsOf(rows);
      const toUpdate = [...groups.values()].filter((members) => resolutionOf(members[0]!).householdId);
      const toCreate = [...groups.values()].filter((members) => !resolutionOf(members[0]!).householdId);

      // New households: one multi-row insert for the households, one for their members.
      const households = toCreate.map((members) => {
        const { values } = members[0]!;
        const household = tx.create(
          Household,
          {
            region: tx.getReference(Region, resolutionOf(members[0]!).regionId!),
            address: values.address,
            headName: values.headName,
            phone: values.phone,
            hardshipReasons: values.hardshipReasons,
            status: HouseholdStatus.ACTIVE,
            isHardship: values.targetGroups.includes(TargetGroup.HARDSHIP),
            isKeyFocus: values.targetGroups.includes(TargetGroup.KEY_FOCUS),
            isPetitioner: values.targetGroups.includes(TargetGroup.PETITIONER),
            version: 1,
          },
          { persist: false },
        );
        return household;
      });
      if (households.length) await tx.insertMany(households);
      const residents: { row: Row; resident: Resident }[] = [];
      toCreate.forEach((members, index) => {
        for (const row of members) {
          residents.push({ row, resident: tx.create(Resident, { ...row.values.member, household: households[index]! }, { persist: false }) });
        }
      });

      // Existing households (UPDATE_EXISTING): the household's columns and the matched members updated,
      // new members added, the version bumped once per household.
      const existing = toUpdate.length ? await tx.find(Household, { id: { $in: toUpdate.map((members) => resolutionOf(members[0]!).householdId!) } }) : [];
      const matchedIds = toUpdate.flatMap((members) => members.map((row) => resolutionOf(row).residentId).filter((id): id is number => Boolean(id)));
      const matched = matchedIds.length ? await tx.find(Resident, { id: { $in: matchedIds } }) : [];
      for (const members of toUpdate) {
        const household = existing.find((found) => found.id === resolutionOf(members[0]!).householdId)!;
        const { values } = members[0]!;
        const next = {
          region: resolutionOf(members[0]!).regionId!,
          address: values.address,
          headName: values.headName,
          phone: values.phone,
          targetGroups: values.targetGroups,
          hardshipReasons: values.hardshipReasons,
        };
        const before = {
          region: household.region.id,
          address: household.address,
          headName: household.headName,
          phone: household.phone ?? null,
          targetGroups: household.targetGroups,
          hardshipReasons: household.hardshipReasons,
        };
        const addOnly = resolutionOf(members[0]!).addOnly === true;
        const householdChanges = addOnly
          ? []
          : (Object.keys(next) as (keyof typeof next)[]).filter((key) => JSON.stringify(next[key]) !== JSON.stringify(before[key]));
        let memberChanged = false;
        for (const row of members) {
          const residentId = resolutionOf(row).residentId;
          if (!residentId) {
            residents.push({ row, resident: tx.create(Resident, { ...row.values.member, household }, { persist: false }) });
            memberChanged = true;
            continue;
          }
          const resident = matched.find((found) => found.id === residentId)!;
          const member = row.values.member;
          const fields = (Object.keys(member) as (keyof HouseholdMember)[]).filter(
            (key) => JSON.stringify(member[key] ?? null) !== JSON.stringify(resident[key] ?? null),
          );
          if (fields.length) {
            Object.assign(resident, member);
            memberChanged = true;
          }
          written.push({
            rowNumber: row.rowNumber,
            outcome: fields.length || householdChanges.length ? 'UPDATED' : 'UNCHANGED',
            entityName: 'Resident',
            entityId: resident.id,
            changedFields: [...householdChanges.map((field) => `household.${field}`), ...fields],
          });
        }
        if (addOnly && memberChanged) household.version += 1;
        else if (householdChanges.length || memberChanged) {
          household.region = tx.getReference(Region, next.region);
          household.address = next.address;
          household.headName = next.headName;
          household.phone = next.phone;
          household.targetGroups = next.targetGroups;
          household.hardshipReasons = next.hardshipReasons;
          household.version += 1;
        }
      }
      if (residents.length) await tx.insertMany(residents.map((entry) => entry.resident));
      for (const { row, resident } of residents) written.push({ rowNumber: row.rowNumber, outcome: 'CREATED', entityName: 'Resident', entityId: resident.id });
      await tx.flush();
      void context;
      return written;
    },
  };
}
