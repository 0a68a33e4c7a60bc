import { useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import type { HelpKind } from '@/graphql/generated/graphql';
import { submitCorrection, type ResolvedByRecord } from '@/services/corrections';
import { formatDate, formatTime } from '@/services/dates';
import { ApiError, describeError, refusalText } from '@/services/errors';
import { newClientId } from '@/services/ids';
import { requireSession } from '@/services/navigation';
import type { QueuedCorrection, QueuedSubmission, SubmitOutcome } from '@/services/outbox';
import { outbox, submitHelpRecord, type HelpRecord } from '@/services/records';
import { getSession } from '@/services/session';
import { checkRecordForm, formFromValues, serverFieldError, type FieldErrors, type RecordForm } from './form';

type DemandRaised = RecordForm['demandsRaised'][number];

/**
 * What the form is for: a new record; a correction (更正) of a record's latest version; or an item of
 * the outbox opened again (a refused one from 待处理, to fix and send again under its own clientId).
 */
export type RecordFormMode =
  { kind: 'new' } | { kind: 'correction'; record: HelpRecord } | { kind: 'queued'; item: QueuedSubmission | QueuedCorrection; record: HelpRecord | null };

function emptyForm(now: Date): RecordForm {
  return {
    kinds: ['VISIT'],
    date: formatDate(now),
    time: formatTime(now),
    summary: '',
    demandsRaised: [],
    resolvedDemandIds: [],
    fundsYuan: '',
    materialsYuan: '',
    problemsSolved: '',
    photoPaths: [],
    keptPhotoIds: [],
    location: null,
  };
}

/** The form as it opens for a mode (exported for the tests). */
export function initialForm(mode: RecordFormMode): RecordForm {
  switch (mode.kind) {
    case 'new':
      return emptyForm(new Date());
    case 'correction': {
      const { record } = mode;
      // The demands raised stay raised (shown read-only); the form's list is for ones the record missed.
      return formFromValues(
        { ...record, demandsRaised: [], resolvedDemandIds: record.demandsResolved.map((demand) => demand.id) },
        { paths: [], keptIds: record.photoIds },
      );
    }
    case 'queued': {
      const { item } = mode;
      const { input } = item;
      const paths = item.photos.map((photo) => photo.path);
      // A queued correction carries every field (corrections.ts sends the whole record); the defaults are for type's sake.
      return formFromValues(
        {
          ...input,
          kinds: input.kinds ?? [],
          occurredAt: input.occurredAt ?? item.queuedAt,
          summary: input.summary ?? '',
          resolvedDemandIds: (input.resolvedDemandIds ?? []).map(String),
        },
        { paths, keptIds: item.kind === 'correction' ? item.keptPhotoIds : [] },
      );
    }
  }
}

/** The demands the corrected record had resolved (to show ticked; a confirmed one cannot be unticked). */
export function resolvedByRecordOf(mode: RecordFormMode): ResolvedByRecord[] {
  if (mode.kind === 'correction') return mode.record.demandsResolved.map(({ id, category, text, status }) => ({ id, category, text, status }));
  if (mode.kind === 'queued' && mode.item.kind === 'correction') return mode.item.resolvedByRecord;
  return [];
}

/** The form's fields top to bottom, with the id each is drawn under (`field-<id>`), for scrolling to the first message. */
const FIELD_ORDER: [keyof FieldErrors, string][] = [
  ['kinds', 'kinds'],
  ['occurredAt', 'occurred-at'],
  ['summary', 'summary'],
  ['demandsRaised', 'demands'],
  ['resolvedDemandIds', 'resolved'],
  ['funds', 'funds'],
  ['materials', 'materials'],
  ['problemsSolved', 'problems'],
  ['photos', 'photos'],
  ['location', 'location'],
];

function scrollToFirstError(errors: FieldErrors) {
  const keys = Object.keys(errors);
  const first = FIELD_ORDER.find(([key]) => keys.some((shown) => shown === key || shown.startsWith(`${key}.`)));
  if (first) void Taro.pageScrollTo({ selector: `#field-${first[1]}`, duration: 200 }).catch(() => undefined);
}

/** Where the server's refusal goes on the form: beside its field for BAD_USER_INPUT, above the button otherwise. */
function refusalErrors(error: ApiError): FieldErrors {
  return error.code === 'BAD_USER_INPUT' ? serverFieldError(error.field, refusalText(error)) : { form: `${describeError(error)}：${refusalText(error)}` };
}

/** A refused item opened from 待处理 shows what the server said, marked on its field. */
function initialErrors(mode: RecordFormMode): FieldErrors {
  if (mode.kind !== 'queued' || mode.item.state !== 'refused') return {};
  const message = mode.item.lastError ?? '';
  return mode.item.errorField ? serverFieldError(mode.item.errorField, message) : { form: message };
}

const toggled = <T>(list: readonly T[], item: T): T[] => (list.includes(item) ? list.filter((other) => other !== item) : [...list, item]);

/**
 * The help record form's state and behaviour: what the cadre typed, the messages beside the fields,
 * the local checks, and the submission through the outbox (sent now, or queued for when the signal
 * returns). Editing a field clears its message and the form-wide one. A refusal keeps the record in
 * the outbox (待处理) and shows the server's message beside the field.
 */
export function useRecordForm(householdId: string, householdName: string, mode: RecordFormMode) {
  const [form, setForm] = useState<RecordForm>(() => initialForm(mode));
  const [errors, setErrors] = useState<FieldErrors>(() => initialErrors(mode));
  const [submitting, setSubmitting] = useState(false);
  // One clientId for this record (or correction) whatever happens: every retry of it is the same write
  // to the server. A queued item keeps its own: the server stored nothing under it when it refused it.
  const clientId = useRef(mode.kind === 'queued' ? mode.item.clientId : newClientId());

  function change(patch: Partial<RecordForm>, ...cleared: (keyof FieldErrors)[]) {
    setForm((current) => ({ ...current, ...patch }));
    if (cleared.length > 0) {
      setErrors((current) => {
        const next = { ...current };
        for (const key of [...cleared, 'form' as const]) delete next[key];
        return next;
      });
    }
  }

  function toggleKind(kind: HelpKind) {
    // The amounts' messages depend on the kinds chosen ("选择了资金帮扶，请填写金额").
    change({ kinds: toggled(form.kinds, kind) }, 'kinds', 'funds', 'materials', 'problemsSolved');
  }

  function toggleResolved(demandId: string) {
    change({ resolvedDemandIds: toggled(form.resolvedDemandIds, demandId) }, 'resolvedDemandIds');
  }

  function addDemand() {
    change({ demandsRaised: [...form.demandsRaised, { category: 'LIVELIHOOD', text: '' }] }, 'demandsRaised');
  }

  function updateDemand(index: number, patch: Partial<DemandRaised>) {
    change({ demandsRaised: form.demandsRaised.map((demand, at) => (at === index ? { ...demand, ...patch } : demand)) }, `demandsRaised.${index}`);
  }

  function removeDemand(index: number) {
    change({ demandsRaised: form.demandsRaised.filter((_, at) => at !== index) });
    // Messages are keyed by position: after a removal they would point at the wrong demand.
    setErrors((current) => Object.fromEntries(Object.entries(current).filter(([key]) => !key.startsWith('demandsRaised'))));
  }

  function showErrors(shown: FieldErrors, toast: string) {
    setErrors(shown);
    void Taro.showToast({ title: toast, icon: 'none' });
    scrollToFirstError(shown);
  }

  function send(input: NonNullable<ReturnType<typeof checkRecordForm>['input']>, ownerId: string): Promise<SubmitOutcome> {
    const correcting = mode.kind === 'correction' ? { recordId: mode.record.id, baseOccurredAt: mode.record.occurredAt } : null;
    const queuedCorrection = mode.kind === 'queued' && mode.item.kind === 'correction' ? mode.item : null;
    const target = correcting ?? (queuedCorrection ? { recordId: queuedCorrection.recordId, baseOccurredAt: queuedCorrection.baseOccurredAt } : null);
    if (target) {
      return submitCorrection({
        clientId: clientId.current,
        ownerId,
        householdId,
        householdName,
        ...target,
        content: input,
        keptPhotoIds: form.keptPhotoIds,
        photoPaths: form.photoPaths,
        resolvedByRecord: resolvedByRecordOf(mode),
      });
    }
    return submitHelpRecord({ clientId: clientId.current, ownerId, householdId, householdName, input, photoPaths: form.photoPaths });
  }

  async function submit() {
    if (submitting) return;
    const checked = checkRecordForm(form, new Date());
    if (!checked.input) {
      showErrors(checked.errors, '请检查标红的内容');
      return;
    }
    const session = getSession();
    if (!session) {
      requireSession();
      return;
    }
    setErrors({});
    setSubmitting(true);
    try {
      const outcome = await send(checked.input, session.accountId);
      if (outcome.status === 'refused') {
        showErrors(refusalErrors(outcome.error), '提交被退回，已放入待处理，请查看提示');
        return;
      }
      if (outcome.status === 'sent') void Taro.showToast({ title: '已提交', icon: 'success' });
      else void Taro.showToast({ title: '网络不可用，已保存，待上传', icon: 'none', duration: 2500 });
      void Taro.navigateBack();
    } catch (caught) {
      setErrors({ form: caught instanceof ApiError ? caught.message : describeError(caught) });
    } finally {
      setSubmitting(false);
    }
  }

  /** 放弃: a refused item leaves the outbox only once the cadre confirmed it. */
  async function discard() {
    const removed = await outbox.discard(clientId.current, async () => {
      const { confirm } = await Taro.showModal({
        title: '放弃这条记录？',
        content: '放弃后这条记录不会上传，也无法找回。',
        confirmText: '放弃',
        confirmColor: '#d93026',
      });
      return confirm;
    });
    if (removed) void Taro.navigateBack();
  }

  return { form, errors, submitting, clientId: clientId.current, change, toggleKind, toggleResolved, addDemand, updateDemand, removeDemand, submit, discard };
}
