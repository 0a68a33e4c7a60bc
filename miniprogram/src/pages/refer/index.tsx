import { useEffect, useState } from 'react';
import { Picker, Text, Textarea, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import Field from '@/components/field';
import Tag from '@/components/tag';
import { Button } from '@/components/ui';
import { describeError } from '@/services/errors';
import { label } from '@/services/labels';
import {
  MAX_LOOP_NOTE,
  loadHouseholdDemandLoop,
  loadReferralTargets,
  loopRefusalText,
  referDemand,
  referralDueRange,
  rememberLoopDemands,
  seenLoopDemand,
  type LoopDemand,
  type ReferralUnit,
} from '@/services/loop';
import { checkOptionalText } from '@/services/loop-actions';
import { requireSession } from '@/services/navigation';
import { promptNoticeSubscriptions, recordNoticeAnswer } from '@/services/notices';
import './index.scss';

/**
 * 交办: the household's cadre refers an open demand to a unit in reach (the household's township, its
 * district's and the city's bureaus, each with a handler, as referralTargets lists them), with a
 * note and a due date; left empty, the server sets the category's referral days and says which date.
 */
export default function ReferPage() {
  const { params } = useRouter();
  const demandId = params.demandId ?? '';
  const householdId = params.householdId ?? '';
  const headName = decodeURIComponent(params.name ?? '');
  const [demand, setDemand] = useState<LoopDemand | null>(() => seenLoopDemand(demandId));
  const [targets, setTargets] = useState<ReferralUnit[] | null>(null);
  const [unitId, setUnitId] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [dueOn, setDueOn] = useState<string | null>(null);
  const [errors, setErrors] = useState<{ unit?: string; note?: string; dueOn?: string; form?: string }>({});
  const [loadError, setLoadError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const range = referralDueRange(new Date());

  useEffect(() => {
    if (!requireSession()) return;
    loadReferralTargets(demandId)
      .then(setTargets)
      .catch((caught) => setLoadError(describeError(caught)));
    if (!demand)
      loadHouseholdDemandLoop(householdId)
        .then(({ open }) => {
          rememberLoopDemands(open);
          setDemand(open.find((candidate) => candidate.id === demandId) ?? null);
        })
        .catch(() => undefined);
  }, []);

  async function submit() {
    if (submitting) return;
    const checkedNote = checkOptionalText(note, MAX_LOOP_NOTE, '交办说明');
    const found: typeof errors = {};
    if (!unitId) found.unit = '请选择承办单位';
    if ('error' in checkedNote) found.note = checkedNote.error;
    if (!unitId || 'error' in checkedNote) {
      setErrors(found);
      return;
    }
    setErrors({});
    setSubmitting(true);
    // WeChat's subscription prompt (weapp with templates only) opens only from the tap itself.
    const subscriptions = promptNoticeSubscriptions();
    try {
      const referral = await referDemand({ demandId, unitId, note: checkedNote.value, dueOn });
      await recordNoticeAnswer(subscriptions);
      void Taro.showToast({ title: `已交办，限 ${referral.dueOn} 前办结`, icon: 'none', duration: 2500 });
      void Taro.navigateBack();
    } catch (caught) {
      const message = loopRefusalText(caught);
      const field = (caught as { field?: string }).field?.replace(/^input\./, '');
      if (field === 'unitId') setErrors({ unit: message });
      else if (field === 'note') setErrors({ note: message });
      else if (field === 'dueOn') setErrors({ dueOn: message });
      else setErrors({ form: message });
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <View className="refer">
      <View className="refer__title">{headName} 户 · 交办</View>
      {demand && (
        <View className="card">
          <View className="tags">
            <Tag tone="orange">{label('DemandCategory', demand.category)}</Tag>
            <Text className="muted">{label('DemandStatus', demand.status)}</Text>
          </View>
          <View className="refer__demand">{demand.text}</View>
        </View>
      )}
      <View className="card">
        <Field id="field-unit" label="承办单位" hint="本户所在地的单位（有联络员的）" error={errors.unit}>
          {loadError && <View className="muted">{loadError}</View>}
          {!targets && !loadError && <View className="muted">加载中…</View>}
          {targets?.length === 0 && <View className="muted">没有可交办的单位（所在地单位尚未指定联络员）</View>}
          {targets?.map((unit) => (
            <View
              key={unit.id}
              className={`refer__unit ${unit.id === unitId ? 'refer__unit--on' : ''}`}
              onClick={() => {
                setUnitId(unit.id);
                setErrors((current) => ({ ...current, unit: undefined, form: undefined }));
              }}
            >
              <View className="refer__unit-name">{unit.name}</View>
              <Text className="muted">
                {unit.regionName} · {label('UnitLevel', unit.level)} · {label('UnitKind', unit.kind)}
              </Text>
            </View>
          ))}
        </Field>
        <Field id="field-note" label="交办说明" hint="可不填" error={errors.note}>
          <Textarea
            className="textarea refer__note"
            value={note}
            maxlength={MAX_LOOP_NOTE + 100}
            placeholder="需要承办单位了解的情况"
            onInput={(event) => {
              setNote(event.detail.value);
              setErrors((current) => ({ ...current, note: undefined }));
            }}
          />
        </Field>
        <Field id="field-due" label="办结期限" error={errors.dueOn}>
          <Picker mode="date" value={dueOn ?? range.start} start={range.start} end={range.end} onChange={(event) => setDueOn(String(event.detail.value))}>
            <View className="refer__due">{dueOn ? `${dueOn} 前办结` : '按该类诉求的规定期限（提交后显示日期）'} ›</View>
          </Picker>
          {dueOn && (
            <Text className="link" onClick={() => setDueOn(null)}>
              改回规定期限
            </Text>
          )}
        </Field>
      </View>
      {errors.form && <View className="refer__form-error">{errors.form}</View>}
      <View className="refer__actions">
        <Button type="primary" block className="refer__submit" loading={submitting} disabled={submitting || !targets?.length} onClick={() => void submit()}>
          交办
        </Button>
      </View>
    </View>
  );
}
