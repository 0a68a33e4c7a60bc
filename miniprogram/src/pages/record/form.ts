import { MAX_RECORD_FEN, fenToYuanString, parseYuanToFen } from '@wanjia/shared';
import type { DemandCategory, HelpKind, HelpRecordInput } from '@/graphql/generated/graphql';
import { formatDate, formatTime, shanghaiInstant } from '@/services/dates';

/** What the form holds while the cadre types: text as typed, amounts in yuan. */
export interface RecordForm {
  kinds: HelpKind[];
  date: string;
  time: string;
  summary: string;
  demandsRaised: { category: DemandCategory; text: string }[];
  resolvedDemandIds: string[];
  fundsYuan: string;
  materialsYuan: string;
  problemsSolved: string;
  /** New photos: local files, uploaded when the record is sent. */
  photoPaths: string[];
  /** A correction's photos already on the server that the cadre keeps (their ids); [] for a new record. */
  keptPhotoIds: string[];
  location: { latitude: number; longitude: number } | null;
}

/** What a record (or a queued one) said, in the units the API speaks: the form is filled from it. */
export interface RecordValues {
  kinds: readonly HelpKind[];
  occurredAt: string;
  summary: string;
  demandsRaised?: readonly { category: DemandCategory; text: string }[] | null;
  resolvedDemandIds?: readonly string[] | null;
  fundsFen?: number | null;
  materialsFen?: number | null;
  problemsSolved?: number | null;
  latitude?: number | null;
  longitude?: number | null;
}

const yuanInput = (fen: number | null | undefined) => (fen ? fenToYuanString(fen) : '');

/** The form showing a record as it reads: for a correction (更正) or a refused record being fixed. */
export function formFromValues(values: RecordValues, photos: { paths: readonly string[]; keptIds: readonly string[] }): RecordForm {
  return {
    kinds: [...values.kinds],
    date: formatDate(values.occurredAt),
    time: formatTime(values.occurredAt),
    summary: values.summary,
    demandsRaised: (values.demandsRaised ?? []).map((demand) => ({ category: demand.category, text: demand.text })),
    resolvedDemandIds: [...(values.resolvedDemandIds ?? [])],
    fundsYuan: yuanInput(values.fundsFen),
    materialsYuan: yuanInput(values.materialsFen),
    problemsSolved: values.problemsSolved ? String(values.problemsSolved) : '',
    photoPaths: [...photos.paths],
    keptPhotoIds: [...photos.keptIds],
    location: values.latitude != null && values.longitude != null ? { latitude: values.latitude, longitude: values.longitude } : null,
  };
}

/** Keys of the places a message can be shown beside; demands are "demandsRaised.<index>". */
export type FieldKey =
  | 'kinds'
  | 'occurredAt'
  | 'summary'
  | 'demandsRaised'
  | `demandsRaised.${number}`
  | 'resolvedDemandIds'
  | 'funds'
  | 'materials'
  | 'problemsSolved'
  | 'photos'
  | 'location'
  | 'form';

export type FieldErrors = Partial<Record<FieldKey, string>>;

export const MAX_SUMMARY = 1000;
export const MAX_PHOTOS = 9;
export const MAX_DEMANDS = 20;
export const MAX_PROBLEMS = 100;
/** The server accepts a phone clock up to five minutes fast. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

function checkYuan(value: string, label: string): { fen: number } | { error: string } {
  if (value.trim() === '') return { fen: 0 };
  const fen = parseYuanToFen(value);
  if (fen === null) return { error: `${label}请填写金额（元），最多两位小数` };
  if (fen > MAX_RECORD_FEN) return { error: `${label}不能超过 ${MAX_RECORD_FEN / 100} 元` };
  return { fen };
}

export type CheckedRecord = Omit<HelpRecordInput, 'clientId' | 'householdId' | 'photoIds'>;

/**
 * The local checks, the same rules the server applies plus a few that catch slips (a funds visit
 * with no amount). Returns the input to send, in fen and UTC, or the errors by field.
 */
export function checkRecordForm(form: RecordForm, now: Date): { input: CheckedRecord; errors: null } | { input: null; errors: FieldErrors } {
  const errors: FieldErrors = {};

  if (form.kinds.length === 0) errors.kinds = '请至少选择一种帮扶方式';

  const occurredAt = shanghaiInstant(form.date, form.time);
  if (!occurredAt) errors.occurredAt = '请选择日期和时间';
  else if (occurredAt.getTime() > now.getTime() + CLOCK_SKEW_MS) errors.occurredAt = '时间不能晚于现在';

  const summary = form.summary.trim();
  if (summary === '') errors.summary = '请填写帮扶情况';
  else if (summary.length > MAX_SUMMARY) errors.summary = `帮扶情况不超过 ${MAX_SUMMARY} 字（现 ${summary.length} 字）`;

  if (form.demandsRaised.length > MAX_DEMANDS) errors.demandsRaised = `一次最多记录 ${MAX_DEMANDS} 条诉求`;
  form.demandsRaised.forEach((demand, index) => {
    const text = demand.text.trim();
    if (text.length < 2) errors[`demandsRaised.${index}`] = '诉求内容至少 2 个字';
    else if (text.length > 1000) errors[`demandsRaised.${index}`] = '诉求内容不超过 1000 字';
  });

  const funds = checkYuan(form.fundsYuan, '资金');
  if ('error' in funds) errors.funds = funds.error;
  else if (form.kinds.includes('FUNDS') && funds.fen === 0) errors.funds = '选择了资金帮扶，请填写金额';

  const materials = checkYuan(form.materialsYuan, '物资价值');
  if ('error' in materials) errors.materials = materials.error;
  else if (form.kinds.includes('MATERIALS') && materials.fen === 0) errors.materials = '选择了物资帮扶，请填写物资价值';

  const problemsText = form.problemsSolved.trim();
  const problemsSolved = problemsText === '' ? 0 : Number(problemsText);
  if (!/^\d*$/.test(problemsText) || !Number.isSafeInteger(problemsSolved) || problemsSolved > MAX_PROBLEMS) {
    errors.problemsSolved = `请填写 0 到 ${MAX_PROBLEMS} 的整数`;
  } else if (form.kinds.includes('PROBLEM_SOLVED') && problemsSolved === 0) {
    errors.problemsSolved = '选择了解决问题，请填写解决了几件';
  }

  if (form.photoPaths.length + form.keptPhotoIds.length > MAX_PHOTOS) errors.photos = `最多 ${MAX_PHOTOS} 张照片`;

  if (Object.keys(errors).length > 0 || !occurredAt || 'error' in funds || 'error' in materials) return { input: null, errors };
  return {
    input: {
      kinds: form.kinds,
      occurredAt: occurredAt.toISOString(),
      summary,
      demandsRaised: form.demandsRaised.map((demand) => ({ category: demand.category, text: demand.text.trim() })),
      resolvedDemandIds: form.resolvedDemandIds,
      fundsFen: funds.fen,
      materialsFen: materials.fen,
      problemsSolved,
      latitude: form.location?.latitude ?? null,
      longitude: form.location?.longitude ?? null,
    },
    errors: null,
  };
}

const SERVER_FIELDS: Record<string, FieldKey> = {
  kinds: 'kinds',
  occurredAt: 'occurredAt',
  summary: 'summary',
  demandsRaised: 'demandsRaised',
  resolvedDemandIds: 'resolvedDemandIds',
  fundsFen: 'funds',
  materialsFen: 'materials',
  problemsSolved: 'problemsSolved',
  photoIds: 'photos',
  latitude: 'location',
  longitude: 'location',
};

const SERVER_MESSAGES: Partial<Record<FieldKey, string>> = {
  kinds: '帮扶方式不被接受',
  occurredAt: '帮扶时间不被接受（不能晚于现在，且须在您联系该户期间）',
  summary: '帮扶情况不被接受（1 到 1000 字）',
  resolvedDemandIds: '所选诉求已不是待办状态，请刷新后重选',
  funds: '资金金额不被接受',
  materials: '物资价值不被接受',
  problemsSolved: '解决问题件数不被接受',
  photos: '照片不被接受（仅支持 JPEG、PNG、WebP，须由本人上传）',
  location: '位置不被接受',
};

/**
 * Where to show a BAD_USER_INPUT the server sent: its extensions.field ("input.summary",
 * "input.demandsRaised.1.text") mapped onto the form, with a Chinese message and the server's words.
 */
export function serverFieldError(field: string | undefined, message: string): FieldErrors {
  const path = (field ?? '').replace(/^input\./, '').split('.');
  const demand = path[0] === 'demandsRaised' && path[1] !== undefined && /^\d+$/.test(path[1]) ? Number(path[1]) : null;
  if (demand !== null) return { [`demandsRaised.${demand}`]: `诉求不被接受：${message}` };
  const key = SERVER_FIELDS[path[0] ?? ''];
  if (!key) return { form: `提交被退回：${message}` };
  return { [key]: `${SERVER_MESSAGES[key] ?? '此项不被接受'}（${message}）` };
}
