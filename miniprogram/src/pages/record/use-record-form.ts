import { useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import type { HelpKind } from '@/graphql/generated/graphql';
import { formatDate, formatTime } from '@/services/dates';
import { ApiError, describeError } from '@/services/errors';
import { newClientId } from '@/services/ids';
import { requireSession } from '@/services/navigation';
import { submitHelpRecord } from '@/services/records';
import { getSession } from '@/services/session';
import { checkRecordForm, serverFieldError, type FieldErrors, type RecordForm } from './form';

type DemandRaised = RecordForm['demandsRaised'][number];

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
    location: null,
  };
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

const toggled = <T>(list: readonly T[], item: T): T[] => (list.includes(item) ? list.filter((other) => other !== item) : [...list, item]);

/**
 * The help record form's state and behaviour: what the cadre typed, the messages beside the fields,
 * the local checks, and the submission through the outbox (sent now, or queued for when the signal
 * returns). Editing a field clears its message and the form-wide one.
 */
export function useRecordForm(householdId: string, householdName: string) {
  const [form, setForm] = useState<RecordForm>(() => emptyForm(new Date()));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [submitting, setSubmitting] = useState(false);
  // One clientId for this record, whatever happens: every retry of it is the same record to the server.
  const clientId = useRef(newClientId());

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
      const outcome = await submitHelpRecord({
        clientId: clientId.current,
        ownerId: session.accountId,
        householdId,
        householdName,
        input: checked.input,
        photoPaths: form.photoPaths,
      });
      if (outcome.status === 'refused') {
        const { error } = outcome;
        const shown = error.code === 'BAD_USER_INPUT' ? serverFieldError(error.field, error.message) : { form: `${describeError(error)}（${error.message}）` };
        showErrors(shown, '提交被退回，请查看提示');
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

  return { form, errors, submitting, change, toggleKind, toggleResolved, addDemand, updateDemand, removeDemand, submit };
}
