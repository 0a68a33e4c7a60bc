import { useEffect, useState } from 'react';
import { Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import NumberField from '@/components/number-field';
import { Button } from '@/components/ui';
import { loadHouseholdFile, loadOpenDemands, type OpenDemand } from '@/services/household';
import { label } from '@/services/labels';
import { requireSession } from '@/services/navigation';
import { outbox, rememberHelpRecords, seenHelpRecord } from '@/services/records';
import DemandsRaisedField from './fields/demands-raised-field';
import KindsField from './fields/kinds-field';
import LocationField from './fields/location-field';
import OccurredAtField from './fields/occurred-at-field';
import PhotosField from './fields/photos-field';
import ResolvedDemandsField from './fields/resolved-demands-field';
import SummaryField from './fields/summary-field';
import { resolvedByRecordOf, useRecordForm, type RecordFormMode } from './use-record-form';
import './index.scss';

/**
 * What the page was opened for, from its parameters: `correct=<record id>` (更正 of a record the
 * history showed), `queued=<clientId>` (an outbox item, e.g. a refused one from 待处理), or a new record.
 * Null when the record or item is no longer there (sent meanwhile, or the app was restarted).
 */
function modeOf(params: Record<string, string | undefined>): RecordFormMode | null {
  if (params.queued) {
    const item = outbox.find(params.queued);
    if (!item || item.kind === 'confirmation') return null;
    return { kind: 'queued', item, record: item.kind === 'correction' ? (seenHelpRecord(item.recordId)?.record ?? null) : null };
  }
  if (params.correct) {
    const seen = seenHelpRecord(params.correct);
    return seen ? { kind: 'correction', record: seen.record } : null;
  }
  return { kind: 'new' };
}

/** The help record form for one household (opened from its file with the household's id and head's name). */
export default function RecordPage() {
  const { params } = useRouter();
  const [mode, setMode] = useState(() => modeOf(params));
  const [looking, setLooking] = useState(!mode && Boolean(params.correct));

  // The record to correct was not shown in this run (the h5 page was reloaded): the file's history has it.
  useEffect(() => {
    if (mode || !params.correct || !requireSession()) return;
    loadHouseholdFile(params.householdId ?? '')
      .then((loaded) => {
        rememberHelpRecords(params.householdId ?? '', loaded.value.helpRecords.nodes, null);
        const record = loaded.value.helpRecords.nodes.find((candidate) => candidate.id === params.correct);
        if (record) setMode({ kind: 'correction', record });
      })
      .catch(() => undefined)
      .finally(() => setLooking(false));
  }, []);

  if (!mode && looking) return <View className="empty-note">加载中…</View>;
  if (!mode) {
    return (
      <View className="empty-note record-form__missing">
        这条记录已不在此处（可能已上传或已更正），请返回户详情查看。
        <View className="link" onClick={() => void Taro.navigateBack()}>
          返回
        </View>
      </View>
    );
  }
  return <RecordFormScreen householdId={params.householdId ?? ''} headName={decodeURIComponent(params.name ?? '')} mode={mode} />;
}

function RecordFormScreen({ householdId, headName, mode }: { householdId: string; headName: string; mode: RecordFormMode }) {
  const { form, errors, submitting, change, toggleKind, toggleResolved, addDemand, updateDemand, removeDemand, submit, discard } = useRecordForm(
    householdId,
    headName,
    mode,
  );
  const [openDemands, setOpenDemands] = useState<OpenDemand[] | null>(null);
  const correcting = mode.kind === 'correction' || (mode.kind === 'queued' && mode.item.kind === 'correction');
  const refused = mode.kind === 'queued' && mode.item.state === 'refused';
  // The demands the corrected record raised stay raised: shown, not editable.
  const alreadyRaised = mode.kind === 'correction' ? mode.record.demandsRaised : mode.kind === 'queued' ? (mode.record?.demandsRaised ?? []) : [];

  useEffect(() => {
    if (requireSession()) void loadOpenDemands(householdId).then(setOpenDemands);
    if (correcting) void Taro.setNavigationBarTitle({ title: '更正帮扶记录' });
  }, [householdId, correcting]);

  return (
    <View className="record-form">
      <View className="record-form__title">{correcting ? `更正 ${headName} 户的帮扶记录` : `为 ${headName} 户记录帮扶`}</View>
      {correcting && <View className="record-form__note muted">按实际情况修改后提交；原记录保留为历史版本，可随时查看。</View>}
      {refused && <View className="record-form__refused">服务器退回了这条记录：{mode.item.lastError}。请按提示修改后重新提交。</View>}

      <View className="card">
        <KindsField kinds={form.kinds} error={errors.kinds} onToggle={toggleKind} />
        <OccurredAtField date={form.date} time={form.time} error={errors.occurredAt} onChange={(patch) => change(patch, 'occurredAt')} />
        <SummaryField summary={form.summary} error={errors.summary} onInput={(summary) => change({ summary }, 'summary')} />
      </View>

      <View className="card">
        {alreadyRaised.length > 0 && (
          <View className="field record-form__raised">
            <View className="field__label">已记录的诉求</View>
            {alreadyRaised.map((demand) => (
              <View key={demand.id} className="record-form__raised-item muted">
                【{label('DemandCategory', demand.category)}】{demand.text}
              </View>
            ))}
          </View>
        )}
        <DemandsRaisedField
          label={correcting ? '补充遗漏的诉求' : undefined}
          demands={form.demandsRaised}
          errors={errors}
          onAdd={addDemand}
          onUpdate={updateDemand}
          onRemove={removeDemand}
        />
        <ResolvedDemandsField
          openDemands={openDemands}
          resolvedByRecord={resolvedByRecordOf(mode)}
          selected={form.resolvedDemandIds}
          error={errors.resolvedDemandIds}
          onToggle={toggleResolved}
        />
      </View>

      <View className="card">
        <NumberField
          id="field-funds"
          label="资金"
          unit="元"
          type="digit"
          value={form.fundsYuan}
          placeholder="0.00"
          error={errors.funds}
          onInput={(fundsYuan) => change({ fundsYuan }, 'funds')}
        />
        <NumberField
          id="field-materials"
          label="物资价值"
          unit="元"
          type="digit"
          value={form.materialsYuan}
          placeholder="0.00"
          error={errors.materials}
          onInput={(materialsYuan) => change({ materialsYuan }, 'materials')}
        />
        <NumberField
          id="field-problems"
          label="解决实际问题"
          unit="件"
          type="number"
          value={form.problemsSolved}
          placeholder="0"
          error={errors.problemsSolved}
          onInput={(problemsSolved) => change({ problemsSolved }, 'problemsSolved')}
        />
      </View>

      <View className="card">
        <PhotosField
          paths={form.photoPaths}
          keptIds={form.keptPhotoIds}
          error={errors.photos}
          onChange={(photoPaths) => change({ photoPaths }, 'photos')}
          onChangeKept={(keptPhotoIds) => change({ keptPhotoIds }, 'photos')}
        />
        <LocationField location={form.location} error={errors.location} onChange={(location) => change({ location }, 'location')} />
      </View>

      {errors.form && <View className="record-form__form-error">{errors.form}</View>}
      {refused && (
        <View className="record-form__discard">
          <Text className="link" onClick={() => void discard()}>
            放弃这条记录
          </Text>
        </View>
      )}

      <View className="record-form__actions">
        <Button type="primary" block loading={submitting} disabled={submitting} onClick={() => void submit()}>
          {correcting ? '提交更正' : refused ? '重新提交' : '提交'}
        </Button>
      </View>
    </View>
  );
}
