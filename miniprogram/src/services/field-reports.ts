import { INTAKE_LABELS_ZH, checkIdNumber, checkPhone } from '@wanjia/shared';
import {
  MyFieldReportsDocument,
  ReportFieldChangeDocument,
  WithdrawFieldReportDocument,
  type FieldReportFieldsFragment,
  type FieldReportKind,
  type FieldReportStatus,
  type Gender,
  type ReportFieldChangeInput,
  type TargetGroup,
} from '@/graphql/generated/graphql';
import { request } from './api';
import { ApiError, describeError, isRefusal } from './errors';
import { runAction } from './loop-actions';

/**
 * 报告变更: what a cadre found on a visit, sent as a proposal for the township's or district's
 * administrators to approve or reject. The clientId is made once per report and kept on the phone
 * (under the account, with the content it was made for) until the server answered: tapping again
 * after a lost answer, or opening the form again after the app was closed, sends the same clientId and
 * the server answers the same report instead of filing it twice. Other content is another report.
 */

export type FieldReport = FieldReportFieldsFragment;
export type ReportKind = FieldReportKind;
export const MY_REPORTS_PAGE = '/pages/my-reports/index';

export function reportChangeUrl(householdId: string, headName: string): string {
  return `/pages/report-change/index?householdId=${encodeURIComponent(householdId)}&name=${encodeURIComponent(headName)}`;
}

/** The kinds a cadre reports from a household's page, in the order the form offers them. */
export const REPORT_KINDS: readonly ReportKind[] = [
  'PHONE_CHANGED',
  'MEMBER_BORN',
  'MEMBER_DIED',
  'MEMBER_MOVED_OUT',
  'HOUSEHOLD_MOVED',
  'HARDSHIP_ENDED',
  'NEW_HOUSEHOLD',
];

export function kindLabel(kind: string): string {
  return (INTAKE_LABELS_ZH.FieldReportKind as Record<string, string>)[kind] ?? kind;
}

export function statusLabel(status: string): string {
  return (INTAKE_LABELS_ZH.FieldReportStatus as Record<string, string>)[status] ?? status;
}

export function departureLabel(departure: string): string {
  return (INTAKE_LABELS_ZH.ResidentDeparture as Record<string, string>)[departure] ?? departure;
}

/** What the form holds, as typed. */
export interface ReportForm {
  kind: ReportKind;
  phone: string;
  name: string;
  gender: Gender | null;
  birthDate: string | null;
  idNumber: string;
  residentId: string | null;
  leftOn: string | null;
  address: string;
  headName: string;
  targetGroups: TargetGroup[];
  note: string;
}

export function emptyForm(kind: ReportKind): ReportForm {
  return {
    kind,
    phone: '',
    name: '',
    gender: null,
    birthDate: null,
    idNumber: '',
    residentId: null,
    leftOn: null,
    address: '',
    headName: '',
    targetGroups: [],
    note: '',
  };
}

export const MAX_REPORT_NOTE = 500;

export type FormErrors = Partial<Record<keyof ReportForm | 'form', string>>;

function today(now: Date): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

/**
 * The form's values for the kind, checked as the server checks them (the same shared validators),
 * with the problems in Chinese by field: nothing is sent until they are fixed.
 */
export function checkReport(
  form: ReportForm,
  context: { householdId: string; villageId: string | null },
  now = new Date(),
): { input: Omit<ReportFieldChangeInput, 'clientId'> } | { errors: FormErrors } {
  const errors: FormErrors = {};
  const note = form.note.trim();
  if (note.length > MAX_REPORT_NOTE) errors.note = `说明最多 ${MAX_REPORT_NOTE} 字`;
  const base = { kind: form.kind, householdId: form.kind === 'NEW_HOUSEHOLD' ? null : context.householdId, note: note || null };
  let values: Partial<ReportFieldChangeInput> = {};
  switch (form.kind) {
    case 'PHONE_CHANGED': {
      const check = form.phone.trim() ? checkPhone(form.phone.trim()) : null;
      if (!check) errors.phone = '请填写新的电话号码';
      else if (!check.valid) errors.phone = '电话号码格式不对（11 位手机号，或带区号的座机如 0414-2812345）';
      values = { phone: form.phone.trim() };
      break;
    }
    case 'MEMBER_BORN': {
      if (!form.name.trim()) errors.name = '请填写新生儿姓名';
      if (!form.gender) errors.gender = '请选择性别';
      if (!form.birthDate) errors.birthDate = '请选择出生日期';
      else if (form.birthDate > today(now)) errors.birthDate = '出生日期不能晚于今天';
      const idNumber = form.idNumber.trim().toUpperCase();
      if (idNumber) {
        const check = checkIdNumber(idNumber);
        if (!check.valid) errors.idNumber = '身份证号不正确（请核对校验位和出生日期）';
        else if (form.birthDate && check.birthDate !== form.birthDate) errors.idNumber = `身份证号中的出生日期是 ${check.birthDate}，与所选出生日期不一致`;
      }
      values = { name: form.name.trim(), gender: form.gender, birthDate: form.birthDate, idNumber: idNumber || null };
      break;
    }
    case 'MEMBER_DIED':
    case 'MEMBER_MOVED_OUT': {
      if (!form.residentId) errors.residentId = '请选择是哪位家庭成员';
      if (!form.leftOn) errors.leftOn = form.kind === 'MEMBER_DIED' ? '请选择去世日期' : '请选择迁出日期';
      else if (form.leftOn > today(now)) errors.leftOn = '日期不能晚于今天';
      values = { residentId: form.residentId, leftOn: form.leftOn };
      break;
    }
    case 'HOUSEHOLD_MOVED': {
      if (form.address.trim().length < 2) errors.address = '请填写新地址（至少 2 个字）';
      values = { address: form.address.trim() };
      break;
    }
    case 'HARDSHIP_ENDED':
      if (!note) errors.note = '请说明为何不再困难（如已稳定就业）';
      break;
    case 'NEW_HOUSEHOLD': {
      if (!form.headName.trim()) errors.headName = '请填写户主姓名';
      if (form.address.trim().length < 2) errors.address = '请填写地址（至少 2 个字）';
      if (form.targetGroups.length === 0) errors.targetGroups = '请至少选择一类帮扶对象';
      const phone = form.phone.trim();
      if (phone && !checkPhone(phone).valid) errors.phone = '电话号码格式不对（11 位手机号，或带区号的座机如 0414-2812345）';
      if (!context.villageId) errors.form = '无法确定所在村（社区），请从该村的帮扶户页面报告';
      values = {
        regionId: context.villageId,
        headName: form.headName.trim(),
        address: form.address.trim(),
        phone: phone || null,
        targetGroups: form.targetGroups,
      };
      break;
    }
  }
  if (Object.keys(errors).length > 0) return { errors };
  return { input: { ...base, ...values } };
}

/** The refusal of a field the server named, in Chinese, for the form's field it belongs to. */
const FIELD_TEXT: Record<string, [keyof FormErrors, string]> = {
  'input.phone': ['phone', '电话号码不对，或与该户现有电话相同'],
  phone: ['phone', '电话号码格式不对'],
  'input.name': ['name', '请填写姓名'],
  'input.birthDate': ['birthDate', '出生日期不对（不能晚于今天）'],
  'input.idNumber': ['idNumber', '身份证号与出生日期不一致，或身份证号不正确'],
  idNumber: ['idNumber', '身份证号不正确'],
  'input.residentId': ['residentId', '该成员已不在本户（可能已报告过）'],
  'input.leftOn': ['leftOn', '日期不对（不能晚于今天）'],
  'input.address': ['address', '地址与现有地址相同，或不完整'],
  'input.regionId': ['form', '所在村（社区）不在您帮扶的区县内'],
  'input.kind': ['form', '该户已不在困难群众名单中，无需报告'],
  'input.clientId': ['form', '这份报告与已提交的另一份内容冲突，请重新填写'],
};

export function reportRefusal(error: unknown): { field: keyof FormErrors; text: string } {
  if (error instanceof ApiError) {
    const known = error.field ? FIELD_TEXT[error.field] : undefined;
    if (known) return { field: known[0], text: known[1] };
    if (error.code === 'FORBIDDEN') return { field: 'form', text: '您已不是该户的帮扶干部，不能再报告该户的变更' };
  }
  return { field: 'form', text: describeError(error) };
}

/** Sends the report under its kept clientId (for this content); a refusal settles it, a lost answer keeps it for the retry. */
export function sendReport(subjectId: string, input: Omit<ReportFieldChangeInput, 'clientId'>): Promise<FieldReport> {
  const content: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(input)) content[key] = value == null ? null : Array.isArray(value) ? value.join(',') : String(value);
  return runAction(`field-report:${subjectId}:${input.kind}`, content, async (clientId) => {
    return (await request(ReportFieldChangeDocument, { input: { ...input, clientId } })).reportFieldChange;
  });
}

export async function loadMyReports(status: FieldReportStatus | null = null, after: string | null = null) {
  return (await request(MyFieldReportsDocument, { first: 50, after, status })).myFieldReports;
}

export async function withdrawReport(reportId: string): Promise<FieldReport> {
  return (await request(WithdrawFieldReportDocument, { input: { reportId } })).withdrawFieldReport;
}

/** One line of what a report proposes, for the cadre's list (the cadre's own values, in full). */
export function proposalSummary(report: FieldReport): string {
  const values = report.applied ?? report.proposal;
  switch (report.kind) {
    case 'PHONE_CHANGED':
      return `新电话 ${values.phone ?? ''}`;
    case 'MEMBER_BORN':
      return `${values.name ?? ''}，${values.birthDate ?? ''} 出生`;
    case 'MEMBER_DIED':
      return `${report.proposal.residentName ?? ''}，${values.leftOn ?? ''} 去世`;
    case 'MEMBER_MOVED_OUT':
      return `${report.proposal.residentName ?? ''}，${values.leftOn ?? ''} 迁出`;
    case 'HOUSEHOLD_MOVED':
      return `新地址 ${values.regionName ? `${values.regionName} ` : ''}${values.address ?? ''}`;
    case 'HARDSHIP_ENDED':
      return report.proposal.note ?? '';
    case 'NEW_HOUSEHOLD':
      return `${values.headName ?? ''}，${values.address ?? ''}`;
    default:
      return '';
  }
}

export { isRefusal };
