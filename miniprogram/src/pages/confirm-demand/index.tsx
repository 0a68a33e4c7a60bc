import { useEffect, useRef, useState } from 'react';
import { Text, Textarea, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import Field from '@/components/field';
import Tag from '@/components/tag';
import { Button } from '@/components/ui';
import type { Satisfaction } from '@/graphql/generated/graphql';
import { formatDate } from '@/services/dates';
import {
  MAX_CONFIRMATION_NOTE,
  SATISFACTION_OPTIONS,
  checkConfirmation,
  confirmationFieldError,
  rememberAwaitingDemands,
  seenAwaitingDemand,
  submitConfirmation,
  type AwaitingDemand,
  type ConfirmationErrors,
} from '@/services/demands';
import { ApiError, describeError, refusalText } from '@/services/errors';
import { loadHouseholdFile } from '@/services/household';
import { newClientId } from '@/services/ids';
import { label } from '@/services/labels';
import { requireSession } from '@/services/navigation';
import type { QueuedConfirmation } from '@/services/outbox';
import { outbox } from '@/services/records';
import { getSession } from '@/services/session';
import './index.scss';

/** The page's subject: a demand the household page showed, or a queued answer (a refused one from 待处理). */
function subjectOf(params: Record<string, string | undefined>): { demand: AwaitingDemand; queued: QueuedConfirmation | null } | null {
  const item = params.queued ? outbox.find(params.queued) : null;
  if (item?.kind === 'confirmation') {
    return {
      demand: seenAwaitingDemand(String(item.input.demandId)) ?? { id: String(item.input.demandId), category: item.demandCategory, text: item.demandText },
      queued: item,
    };
  }
  const demand = params.demandId ? seenAwaitingDemand(params.demandId) : null;
  return demand ? { demand, queued: null } : null;
}

/**
 * 回访: the household's answer to a resolution, recorded by the cadre on the visit. 满意 / 基本满意
 * close the demand (CONFIRMED); 不满意 (with the reason, required) sends it back to 待办. It goes
 * through the outbox, so it is kept without signal and sent once when the network returns.
 */
export default function ConfirmDemandPage() {
  const { params } = useRouter();
  const [subject, setSubject] = useState(() => subjectOf(params));
  const [looking, setLooking] = useState(!subject && Boolean(params.demandId));

  // Not shown in this run (the h5 page was reloaded): the household's file lists the demands awaiting confirmation.
  useEffect(() => {
    if (subject || !params.demandId || !requireSession()) return;
    loadHouseholdFile(params.householdId ?? '')
      .then((loaded) => {
        rememberAwaitingDemands(loaded.value.demandsAwaitingConfirmation);
        const demand = loaded.value.demandsAwaitingConfirmation.find((candidate) => candidate.id === params.demandId);
        if (demand) setSubject({ demand, queued: null });
      })
      .catch(() => undefined)
      .finally(() => setLooking(false));
  }, []);

  if (!subject && looking) return <View className="empty-note">加载中…</View>;
  if (!subject) {
    return (
      <View className="empty-note">
        这条诉求已不在待确认列表中，请返回户详情查看。
        <View className="link" onClick={() => void Taro.navigateBack()}>
          返回
        </View>
      </View>
    );
  }
  return <ConfirmDemandForm householdId={params.householdId ?? ''} headName={decodeURIComponent(params.name ?? '')} {...subject} />;
}

function ConfirmDemandForm({
  householdId,
  headName,
  demand,
  queued,
}: {
  householdId: string;
  headName: string;
  demand: AwaitingDemand;
  queued: QueuedConfirmation | null;
}) {
  const [satisfaction, setSatisfaction] = useState<Satisfaction | null>(queued?.input.satisfaction ?? null);
  const [note, setNote] = useState(queued?.input.note ?? '');
  const [errors, setErrors] = useState<ConfirmationErrors>(() =>
    queued?.state === 'refused' ? confirmationFieldError(queued.errorField, queued.lastError ?? '') : {},
  );
  const [submitting, setSubmitting] = useState(false);
  // One clientId per answer: a resend is the same answer to the server (a refused one stored nothing).
  const clientId = useRef(queued?.clientId ?? newClientId());
  const refused = queued?.state === 'refused';

  function choose(value: Satisfaction) {
    setSatisfaction(value);
    setErrors((current) => ({ ...current, satisfaction: undefined, note: undefined, form: undefined }));
  }

  async function submit() {
    if (submitting) return;
    const checked = checkConfirmation({ satisfaction, note });
    if ('errors' in checked) {
      setErrors(checked.errors);
      void Taro.showToast({ title: '请检查标红的内容', icon: 'none' });
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
      // The visit's moment; a refused time is replaced by now when the answer is sent again.
      const keepTime = queued?.input.answeredAt && queued.errorField !== 'input.answeredAt';
      const outcome = await submitConfirmation({
        clientId: clientId.current,
        ownerId: session.accountId,
        householdId,
        householdName: headName,
        demand,
        satisfaction: checked.satisfaction,
        note: checked.note,
        answeredAt: keepTime ? String(queued.input.answeredAt) : new Date().toISOString(),
      });
      if (outcome.status === 'refused') {
        const { error } = outcome;
        setErrors(
          error.code === 'BAD_USER_INPUT'
            ? confirmationFieldError(error.field, refusalText(error))
            : { form: `${describeError(error)}：${refusalText(error)}` },
        );
        void Taro.showToast({ title: '提交被退回，已放入待处理，请查看提示', icon: 'none' });
        return;
      }
      const reopened = checked.satisfaction === 'DISSATISFIED';
      if (outcome.status === 'sent') void Taro.showToast({ title: reopened ? '已记录，诉求退回待办' : '已记录', icon: reopened ? 'none' : 'success' });
      else void Taro.showToast({ title: '网络不可用，已保存，待上传', icon: 'none', duration: 2500 });
      void Taro.navigateBack();
    } catch (caught) {
      setErrors({ form: caught instanceof ApiError ? caught.message : describeError(caught) });
    } finally {
      setSubmitting(false);
    }
  }

  async function discard() {
    const removed = await outbox.discard(clientId.current, async () => {
      const { confirm } = await Taro.showModal({
        title: '放弃这条回访记录？',
        content: '放弃后不会上传，也无法找回。',
        confirmText: '放弃',
        confirmColor: '#d93026',
      });
      return confirm;
    });
    if (removed) void Taro.navigateBack();
  }

  return (
    <View className="confirm-demand">
      <View className="confirm-demand__title">{headName} 户 · 回访确认</View>
      {refused && <View className="confirm-demand__refused">服务器退回了这条回访记录：{queued?.lastError}。请修改后重新提交。</View>}

      <View className="card">
        <View className="tags">
          <Tag tone="green">{label('DemandCategory', demand.category)}</Tag>
          {demand.resolvedAt && <Text className="muted">{formatDate(demand.resolvedAt)} 办结</Text>}
        </View>
        <View className="confirm-demand__demand">{demand.text}</View>
      </View>

      <View className="card">
        <Field id="field-satisfaction" label="群众评价" error={errors.satisfaction ?? errors.answeredAt}>
          <View className="confirm-demand__options">
            {SATISFACTION_OPTIONS.map((option) => (
              <View
                key={option.value}
                className={`confirm-demand__option ${satisfaction === option.value ? 'confirm-demand__option--on' : ''} ${option.value === 'DISSATISFIED' ? 'confirm-demand__option--bad' : ''}`}
                onClick={() => choose(option.value)}
              >
                {option.label}
              </View>
            ))}
          </View>
        </Field>
        <Field
          id="field-note"
          label="说明"
          hint={satisfaction === 'DISSATISFIED' ? '必填：群众不满意的原因' : '可不填；选择“不满意”时必填'}
          error={errors.note}
        >
          <Textarea
            className="textarea confirm-demand__note"
            value={note}
            maxlength={MAX_CONFIRMATION_NOTE + 100}
            placeholder={satisfaction === 'DISSATISFIED' ? '例如：路灯修好后又坏了，群众希望彻底解决' : '群众的原话或补充说明'}
            onInput={(event) => {
              setNote(event.detail.value);
              setErrors((current) => ({ ...current, note: undefined, form: undefined }));
            }}
          />
          <View className="confirm-demand__counter muted">
            {note.trim().length}/{MAX_CONFIRMATION_NOTE}
          </View>
        </Field>
        {satisfaction === 'DISSATISFIED' && <View className="confirm-demand__hint">提交后该诉求将退回“待办诉求”，需要重新办理。</View>}
      </View>

      {errors.form && <View className="confirm-demand__form-error">{errors.form}</View>}
      {refused && (
        <View className="confirm-demand__discard">
          <Text className="link" onClick={() => void discard()}>
            放弃这条回访记录
          </Text>
        </View>
      )}

      <View className="confirm-demand__actions">
        <Button type="primary" block className="confirm-demand__submit" loading={submitting} disabled={submitting} onClick={() => void submit()}>
          {refused ? '重新提交' : '提交'}
        </Button>
      </View>
    </View>
  );
}
