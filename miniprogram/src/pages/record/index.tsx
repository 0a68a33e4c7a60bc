import { useEffect, useRef, useState } from 'react';
import { Image, Input, Picker, Text, Textarea, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { Button } from '@/components/ui';
import FieldError from '@/components/field-error';
import { OpenDemandsDocument, type DemandCategory, type HelpKind, type HouseholdFileQuery, type OpenDemandsQuery } from '@/graphql/generated/graphql';
import { request } from '@/services/api';
import { readCache } from '@/services/cache';
import { formatDate, formatTime } from '@/services/dates';
import { ApiError, describeError } from '@/services/errors';
import { newClientId } from '@/services/ids';
import { label } from '@/services/labels';
import { requireSession } from '@/services/navigation';
import { persistPhoto } from '@/services/photos';
import { outbox } from '@/services/records';
import { getSession } from '@/services/session';
import { MAX_DEMANDS, MAX_PHOTOS, MAX_SUMMARY, checkRecordForm, serverFieldError, type FieldErrors, type RecordForm } from './form';
import './index.scss';

interface NumberFieldProps {
  id: string;
  className: string;
  label: string;
  unit: string;
  type: 'digit' | 'number';
  value: string;
  placeholder: string;
  error?: string;
  onInput(value: string): void;
}

/** A labelled numeric input with its unit and its error beside it: the form's amounts and counts. */
function NumberField({ id, className, label: text, unit, type, value, placeholder, error, onInput }: NumberFieldProps) {
  return (
    <View id={id} className={className}>
      <View className="field__label">
        {text}
        <Text className="field__hint">{unit}</Text>
      </View>
      <Input className="input" type={type} value={value} placeholder={placeholder} onInput={(event) => onInput(event.detail.value)} />
      <FieldError message={error} />
    </View>
  );
}

type OpenDemand = OpenDemandsQuery['household']['openDemands'][number];

const KINDS: HelpKind[] = ['VISIT', 'POLICY_EXPLANATION', 'PROBLEM_SOLVED', 'FUNDS', 'MATERIALS', 'REFERRAL'];
const CATEGORIES: DemandCategory[] = ['LIVELIHOOD', 'HOUSING', 'MEDICAL', 'EMPLOYMENT', 'EDUCATION', 'SOCIAL_SECURITY', 'LEGAL', 'INFRASTRUCTURE', 'OTHER'];
const CATEGORY_LABELS = CATEGORIES.map((category) => label('DemandCategory', category));

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

/** The form's fields top to bottom, as their ids, for scrolling to the first one with a message. */
const FIELD_ORDER: [string, string][] = [
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

export default function RecordPage() {
  const { params } = useRouter();
  const householdId = params.householdId ?? '';
  const headName = decodeURIComponent(params.name ?? '');
  const [form, setForm] = useState<RecordForm>(() => emptyForm(new Date()));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [openDemands, setOpenDemands] = useState<OpenDemand[] | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [locating, setLocating] = useState(false);
  // One clientId for this record, whatever happens: every retry of it is the same record to the server.
  const clientId = useRef(newClientId());

  useEffect(() => {
    if (!requireSession()) return;
    request(OpenDemandsDocument, { id: householdId })
      .then((data) => setOpenDemands(data.household.openDemands))
      .catch(() => {
        // Without signal, the household's last-seen open demands are still worth offering.
        const cached = readCache<HouseholdFileQuery['household']>(`household:${householdId}`);
        setOpenDemands(cached?.value.openDemands ?? []);
      });
  }, [householdId]);

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
    const kinds = form.kinds.includes(kind) ? form.kinds.filter((k) => k !== kind) : [...form.kinds, kind];
    change({ kinds }, 'kinds', 'funds', 'materials', 'problemsSolved');
  }

  function toggleResolved(id: string) {
    const ids = form.resolvedDemandIds.includes(id) ? form.resolvedDemandIds.filter((d) => d !== id) : [...form.resolvedDemandIds, id];
    change({ resolvedDemandIds: ids }, 'resolvedDemandIds');
  }

  function updateDemand(index: number, patch: Partial<RecordForm['demandsRaised'][number]>) {
    change({ demandsRaised: form.demandsRaised.map((demand, at) => (at === index ? { ...demand, ...patch } : demand)) }, `demandsRaised.${index}`);
  }

  function removeDemand(index: number) {
    change({ demandsRaised: form.demandsRaised.filter((_, at) => at !== index) });
    // Messages are keyed by position: after a removal they would point at the wrong demand.
    setErrors((current) => Object.fromEntries(Object.entries(current).filter(([key]) => !key.startsWith('demandsRaised'))));
  }

  async function addPhotos() {
    try {
      const result = await Taro.chooseImage({ count: MAX_PHOTOS - form.photoPaths.length, sizeType: ['compressed'], sourceType: ['camera', 'album'] });
      change({ photoPaths: [...form.photoPaths, ...result.tempFilePaths].slice(0, MAX_PHOTOS) }, 'photos');
    } catch {
      // The cadre closed the picker.
    }
  }

  async function addLocation() {
    setLocating(true);
    try {
      const { latitude, longitude } = await Taro.getLocation({ type: 'gcj02' });
      change({ location: { latitude, longitude } }, 'location');
    } catch {
      // Optional: a refused permission or no fix just leaves the record without a place.
      void Taro.showToast({ title: '未能获取位置，可不填', icon: 'none' });
    } finally {
      setLocating(false);
    }
  }

  async function submit() {
    if (submitting) return;
    const checked = checkRecordForm(form, new Date());
    if (!checked.input) {
      setErrors(checked.errors);
      void Taro.showToast({ title: '请检查标红的内容', icon: 'none' });
      scrollToFirstError(checked.errors);
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
      const outcome = await outbox.submit({
        clientId: clientId.current,
        ownerId: session.accountId,
        householdId,
        householdName: headName,
        queuedAt: new Date().toISOString(),
        input: { ...checked.input, clientId: clientId.current, householdId },
        photos: form.photoPaths.map((path) => ({ path: persistPhoto(path), id: null })),
        state: 'pending',
        attempts: 0,
        lastError: null,
        errorField: null,
      });
      if (outcome.status === 'refused') {
        const { error } = outcome;
        const shown = error.code === 'BAD_USER_INPUT' ? serverFieldError(error.field, error.message) : { form: `${describeError(error)}（${error.message}）` };
        setErrors(shown);
        scrollToFirstError(shown);
        void Taro.showToast({ title: '提交被退回，请查看提示', icon: 'none' });
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

  const fieldClass = (key: keyof FieldErrors) => `field ${errors[key] ? 'field--invalid' : ''}`;

  return (
    <View className="record-form">
      <View className="record-form__title">为 {headName} 户记录帮扶</View>

      <View className="card">
        <View id="field-kinds" className={fieldClass('kinds')}>
          <View className="field__label">帮扶方式</View>
          <View>
            {KINDS.map((kind) => (
              <Text key={kind} className={`chip ${form.kinds.includes(kind) ? 'chip--on' : ''}`} onClick={() => toggleKind(kind)}>
                {label('HelpKind', kind)}
              </Text>
            ))}
          </View>
          <FieldError message={errors.kinds} />
        </View>

        <View id="field-occurred-at" className={fieldClass('occurredAt')}>
          <View className="field__label">时间</View>
          <View className="record-form__when">
            <Picker mode="date" value={form.date} end={formatDate(new Date())} onChange={(event) => change({ date: String(event.detail.value) }, 'occurredAt')}>
              <View className="input record-form__picker">{form.date}</View>
            </Picker>
            <Picker mode="time" value={form.time} onChange={(event) => change({ time: String(event.detail.value) }, 'occurredAt')}>
              <View className="input record-form__picker">{form.time}</View>
            </Picker>
          </View>
          <FieldError message={errors.occurredAt} />
        </View>

        <View id="field-summary" className={fieldClass('summary')}>
          <View className="field__label">
            帮扶情况<Text className="field__hint">了解到什么、做了什么</Text>
          </View>
          <Textarea
            className="textarea record-form__summary"
            value={form.summary}
            maxlength={MAX_SUMMARY + 200}
            placeholder="例如：入户走访，了解到老人腿脚不便，已协调社区送医上门……"
            onInput={(event) => change({ summary: event.detail.value }, 'summary')}
          />
          <View className="record-form__counter muted">
            {form.summary.trim().length}/{MAX_SUMMARY}
          </View>
          <FieldError message={errors.summary} />
        </View>
      </View>

      <View className="card">
        <View id="field-demands" className={fieldClass('demandsRaised')}>
          <View className="field__label">
            听取的诉求<Text className="field__hint">可添加多条</Text>
          </View>
          {form.demandsRaised.map((demand, index) => (
            <View key={index} className={`record-form__demand ${errors[`demandsRaised.${index}`] ? 'field--invalid' : ''}`}>
              <View className="record-form__demand-head">
                <Picker
                  mode="selector"
                  range={CATEGORY_LABELS}
                  value={CATEGORIES.indexOf(demand.category)}
                  onChange={(event) => updateDemand(index, { category: CATEGORIES[Number(event.detail.value)] ?? 'OTHER' })}
                >
                  <View className="chip chip--on">{label('DemandCategory', demand.category)} ▾</View>
                </Picker>
                <Text className="link" onClick={() => removeDemand(index)}>
                  删除
                </Text>
              </View>
              <Textarea
                className="textarea record-form__demand-text"
                value={demand.text}
                placeholder="群众反映的诉求"
                onInput={(event) => updateDemand(index, { text: event.detail.value })}
              />
              <FieldError message={errors[`demandsRaised.${index}`]} />
            </View>
          ))}
          {form.demandsRaised.length < MAX_DEMANDS && (
            <View
              className="record-form__add link"
              onClick={() => change({ demandsRaised: [...form.demandsRaised, { category: 'LIVELIHOOD', text: '' }] }, 'demandsRaised')}
            >
              ＋ 添加诉求
            </View>
          )}
          <FieldError message={errors.demandsRaised} />
        </View>

        <View id="field-resolved" className={fieldClass('resolvedDemandIds')}>
          <View className="field__label">
            本次解决的诉求<Text className="field__hint">从待办诉求中选择</Text>
          </View>
          {openDemands === null && <View className="muted">加载中…</View>}
          {openDemands?.length === 0 && <View className="muted">该户暂无待办诉求</View>}
          {openDemands?.map((demand) => (
            <View
              key={demand.id}
              className={`record-form__resolvable ${form.resolvedDemandIds.includes(demand.id) ? 'record-form__resolvable--on' : ''}`}
              onClick={() => toggleResolved(demand.id)}
            >
              <Text className="record-form__check">{form.resolvedDemandIds.includes(demand.id) ? '☑' : '☐'}</Text>
              <Text>
                【{label('DemandCategory', demand.category)}】{demand.text}
              </Text>
            </View>
          ))}
          <FieldError message={errors.resolvedDemandIds} />
        </View>
      </View>

      <View className="card">
        <NumberField
          id="field-funds"
          className={fieldClass('funds')}
          label="资金"
          unit="元"
          type="digit"
          value={form.fundsYuan}
          placeholder="0.00"
          error={errors.funds}
          onInput={(value) => change({ fundsYuan: value }, 'funds')}
        />
        <NumberField
          id="field-materials"
          className={fieldClass('materials')}
          label="物资价值"
          unit="元"
          type="digit"
          value={form.materialsYuan}
          placeholder="0.00"
          error={errors.materials}
          onInput={(value) => change({ materialsYuan: value }, 'materials')}
        />
        <NumberField
          id="field-problems"
          className={fieldClass('problemsSolved')}
          label="解决实际问题"
          unit="件"
          type="number"
          value={form.problemsSolved}
          placeholder="0"
          error={errors.problemsSolved}
          onInput={(value) => change({ problemsSolved: value }, 'problemsSolved')}
        />
      </View>

      <View className="card">
        <View id="field-photos" className={fieldClass('photos')}>
          <View className="field__label">
            照片<Text className="field__hint">最多 {MAX_PHOTOS} 张</Text>
          </View>
          <View className="record-form__photos">
            {form.photoPaths.map((path, index) => (
              <View key={path} className="record-form__photo">
                <Image className="record-form__photo-image" src={path} mode="aspectFill" />
                <Text className="record-form__photo-remove" onClick={() => change({ photoPaths: form.photoPaths.filter((_, at) => at !== index) }, 'photos')}>
                  ×
                </Text>
              </View>
            ))}
            {form.photoPaths.length < MAX_PHOTOS && (
              <View className="record-form__photo record-form__photo--add" onClick={() => void addPhotos()}>
                ＋
              </View>
            )}
          </View>
          <FieldError message={errors.photos} />
        </View>
        <View id="field-location" className={fieldClass('location')}>
          <View className="field__label">
            位置<Text className="field__hint">可不填</Text>
          </View>
          {form.location ? (
            <View className="record-form__location">
              <Text>
                已记录（{form.location.latitude.toFixed(5)}, {form.location.longitude.toFixed(5)}）
              </Text>
              <Text className="link" onClick={() => change({ location: null }, 'location')}>
                移除
              </Text>
            </View>
          ) : (
            <Text className="link" onClick={() => void addLocation()}>
              {locating ? '正在定位…' : '记录当前位置'}
            </Text>
          )}
          <FieldError message={errors.location} />
        </View>
      </View>

      {errors.form && <View className="record-form__form-error">{errors.form}</View>}

      <View className="record-form__actions">
        <Button type="primary" block loading={submitting} disabled={submitting} onClick={() => void submit()}>
          提交
        </Button>
      </View>
    </View>
  );
}
