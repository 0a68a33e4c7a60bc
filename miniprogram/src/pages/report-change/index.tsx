import { useEffect, useState } from 'react';
import { Input, Picker, Text, Textarea, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import Field from '@/components/field';
import { Button } from '@/components/ui';
import type { Gender, TargetGroup } from '@/graphql/generated/graphql';
import { TARGET_GROUP_OPTIONS } from '@/services/enum-options';
import {
  MAX_REPORT_NOTE,
  MY_REPORTS_PAGE,
  REPORT_KINDS,
  checkReport,
  emptyForm,
  kindLabel,
  reportRefusal,
  sendReport,
  type FormErrors,
  type ReportForm,
  type ReportKind,
} from '@/services/field-reports';
import { loadHouseholdFile, type HouseholdFile } from '@/services/household';
import { label } from '@/services/labels';
import { requireSession } from '@/services/navigation';
import { promptNoticeSubscriptions, recordNoticeAnswer } from '@/services/notices';
import './index.scss';

const GENDERS: readonly Gender[] = ['MALE', 'FEMALE'];

function Choices<T extends string>({
  id,
  options,
  selected,
  onPick,
}: {
  id: string;
  options: readonly { value: T; label: string }[];
  selected: readonly T[];
  onPick: (value: T) => void;
}) {
  return (
    <View className="report__choices">
      {options.map((option) => (
        <View
          key={option.value}
          id={`${id}-${option.value}`}
          className={`report__choice ${selected.includes(option.value) ? 'report__choice--on' : ''}`}
          onClick={() => onPick(option.value)}
        >
          {option.label}
        </View>
      ))}
    </View>
  );
}

function DateField({
  id,
  title,
  value,
  error,
  onChange,
}: {
  id: string;
  title: string;
  value: string | null;
  error?: string;
  onChange: (day: string) => void;
}) {
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  return (
    <Field id={id} label={title} error={error}>
      <Picker mode="date" value={value ?? today} start="1900-01-01" end={today} onChange={(event) => onChange(String(event.detail.value))}>
        <View className="report__picker">{value ?? '请选择日期'} ›</View>
      </Picker>
      {/* Most changes are reported on the visit that found them: today in one tap. */}
      {value !== today && (
        <Text className="link report__today" onClick={() => onChange(today)}>
          今天
        </Text>
      )}
    </Field>
  );
}

/**
 * 报告变更: what the cadre found on a visit to this household (a new phone, a member born, died or
 * moved out, the household moved or no longer in hardship, a new household nearby to screen in),
 * checked here in Chinese before it is sent, and sent with a clientId kept until the server answers.
 * It changes nothing by itself: the township's or district's administrators approve or reject it,
 * and the cadre reads the outcome under 我的变更报告.
 */
export default function ReportChangePage() {
  const { params } = useRouter();
  const householdId = params.householdId ?? '';
  const headName = decodeURIComponent(params.name ?? '');
  const [household, setHousehold] = useState<HouseholdFile | null>(null);
  const [form, setForm] = useState<ReportForm>(() => emptyForm('PHONE_CHANGED'));
  const [errors, setErrors] = useState<FormErrors>({});
  const [submitting, setSubmitting] = useState(false);

  useEffect(() => {
    if (!requireSession()) return;
    loadHouseholdFile(householdId)
      .then((loaded) => setHousehold(loaded.value))
      .catch(() => undefined);
  }, []);

  function change(values: Partial<ReportForm>, field: keyof FormErrors) {
    setForm((current) => ({ ...current, ...values }));
    setErrors((current) => ({ ...current, [field]: undefined, form: undefined }));
  }

  const members = (household?.residents ?? []).filter((resident) => !resident.departure);
  const villageId = household?.region.id ?? null;

  async function submit() {
    if (submitting) return;
    const checked = checkReport(form, { householdId, villageId });
    if ('errors' in checked) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    setSubmitting(true);
    // WeChat's subscription prompt (weapp with templates only) opens only from the tap itself: the decision's notice.
    const subscriptions = promptNoticeSubscriptions();
    try {
      await sendReport(householdId || 'new', checked.input);
      await recordNoticeAnswer(subscriptions);
      void Taro.showToast({ title: '已提交，等待审核', icon: 'none', duration: 2000 });
      void Taro.redirectTo({ url: MY_REPORTS_PAGE });
    } catch (caught) {
      const { field, text } = reportRefusal(caught);
      setErrors({ [field]: text });
    } finally {
      setSubmitting(false);
    }
  }

  const kind = form.kind;
  return (
    <View className="report">
      <View className="report__title">{headName} 户 · 报告变更</View>
      <View className="card">
        <Field id="field-kind" label="变更内容" error={undefined}>
          <Choices<ReportKind>
            id="kind"
            options={REPORT_KINDS.map((value) => ({ value, label: kindLabel(value) }))}
            selected={[kind]}
            onPick={(value) => {
              setForm(emptyForm(value));
              setErrors({});
            }}
          />
        </Field>
      </View>

      <View className="card">
        {kind === 'PHONE_CHANGED' && (
          <Field id="field-phone" label="新电话" error={errors.phone}>
            <Input
              id="input-phone"
              className="input"
              type="number"
              value={form.phone}
              maxlength={20}
              placeholder="11 位手机号或带区号的座机"
              onInput={(event) => change({ phone: event.detail.value }, 'phone')}
            />
          </Field>
        )}

        {kind === 'MEMBER_BORN' && (
          <>
            <Field id="field-name" label="姓名" error={errors.name}>
              <Input
                id="input-name"
                className="input"
                value={form.name}
                maxlength={64}
                placeholder="新生儿姓名"
                onInput={(event) => change({ name: event.detail.value }, 'name')}
              />
            </Field>
            <Field id="field-gender" label="性别" error={errors.gender}>
              <Choices<Gender>
                id="gender"
                options={GENDERS.map((value) => ({ value, label: label('Gender', value) }))}
                selected={form.gender ? [form.gender] : []}
                onPick={(gender) => change({ gender }, 'gender')}
              />
            </Field>
            <DateField
              id="field-birth"
              title="出生日期"
              value={form.birthDate}
              error={errors.birthDate}
              onChange={(birthDate) => change({ birthDate }, 'birthDate')}
            />
            <Field id="field-id" label="身份证号" hint="已办理的填写，可不填" error={errors.idNumber}>
              <Input
                id="input-id"
                className="input"
                value={form.idNumber}
                maxlength={18}
                placeholder="18 位身份证号"
                onInput={(event) => change({ idNumber: event.detail.value }, 'idNumber')}
              />
            </Field>
          </>
        )}

        {(kind === 'MEMBER_DIED' || kind === 'MEMBER_MOVED_OUT') && (
          <>
            <Field id="field-member" label="家庭成员" error={errors.residentId}>
              {!household && <View className="muted">加载中…</View>}
              {household && members.length === 0 && <View className="muted">该户没有在册成员</View>}
              <Choices<string>
                id="member"
                options={members.map((resident) => ({ value: resident.id, label: `${resident.name}（${label('ResidentRelation', resident.relation)}）` }))}
                selected={form.residentId ? [form.residentId] : []}
                onPick={(residentId) => change({ residentId }, 'residentId')}
              />
            </Field>
            <DateField
              id="field-left-on"
              title={kind === 'MEMBER_DIED' ? '去世日期' : '迁出日期'}
              value={form.leftOn}
              error={errors.leftOn}
              onChange={(leftOn) => change({ leftOn }, 'leftOn')}
            />
          </>
        )}

        {kind === 'HOUSEHOLD_MOVED' && (
          <Field id="field-address" label="新地址" hint="同村（社区）内搬迁；迁往别村请在说明中写明" error={errors.address}>
            <Input
              id="input-address"
              className="input"
              value={form.address}
              maxlength={255}
              placeholder="如 东兴路 8 号 2 单元"
              onInput={(event) => change({ address: event.detail.value }, 'address')}
            />
          </Field>
        )}

        {kind === 'HARDSHIP_ENDED' && <View className="muted">审核通过后，该户不再列为困难群众（仍属其他帮扶类别的，保留其他类别）。</View>}

        {kind === 'NEW_HOUSEHOLD' && (
          <>
            <View className="muted">与本户同村（社区）：{household?.region.name ?? '…'}</View>
            <Field id="field-head" label="户主姓名" error={errors.headName}>
              <Input
                id="input-head"
                className="input"
                value={form.headName}
                maxlength={64}
                onInput={(event) => change({ headName: event.detail.value }, 'headName')}
              />
            </Field>
            <Field id="field-address" label="地址" error={errors.address}>
              <Input
                id="input-address"
                className="input"
                value={form.address}
                maxlength={255}
                onInput={(event) => change({ address: event.detail.value }, 'address')}
              />
            </Field>
            <Field id="field-phone" label="电话" hint="可不填" error={errors.phone}>
              <Input
                id="input-phone"
                className="input"
                type="number"
                value={form.phone}
                maxlength={20}
                onInput={(event) => change({ phone: event.detail.value }, 'phone')}
              />
            </Field>
            <Field id="field-groups" label="帮扶类别" error={errors.targetGroups}>
              <Choices<TargetGroup>
                id="group"
                options={TARGET_GROUP_OPTIONS}
                selected={form.targetGroups}
                onPick={(group) =>
                  change(
                    { targetGroups: form.targetGroups.includes(group) ? form.targetGroups.filter((value) => value !== group) : [...form.targetGroups, group] },
                    'targetGroups',
                  )
                }
              />
            </Field>
          </>
        )}

        <Field id="field-note" label="说明" hint={kind === 'HARDSHIP_ENDED' ? '必填' : '可不填'} error={errors.note}>
          <Textarea
            id="input-note"
            className="textarea report__note"
            value={form.note}
            maxlength={MAX_REPORT_NOTE + 100}
            placeholder="需要审核人员了解的情况"
            onInput={(event) => change({ note: event.detail.value }, 'note')}
          />
        </Field>
      </View>
      {errors.form && <View className="report__form-error">{errors.form}</View>}
      <View className="report__actions">
        <Button type="primary" block className="report__submit" loading={submitting} disabled={submitting} onClick={() => void submit()}>
          提交报告
        </Button>
      </View>
      <View className="report__mine">
        <Text className="link" onClick={() => void Taro.navigateTo({ url: MY_REPORTS_PAGE })}>
          我的变更报告 ›
        </Text>
      </View>
    </View>
  );
}
