import { useEffect, useState } from 'react';
import { View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import NumberField from '@/components/number-field';
import { Button } from '@/components/ui';
import { loadOpenDemands, type OpenDemand } from '@/services/household';
import { requireSession } from '@/services/navigation';
import DemandsRaisedField from './fields/demands-raised-field';
import KindsField from './fields/kinds-field';
import LocationField from './fields/location-field';
import OccurredAtField from './fields/occurred-at-field';
import PhotosField from './fields/photos-field';
import ResolvedDemandsField from './fields/resolved-demands-field';
import SummaryField from './fields/summary-field';
import { useRecordForm } from './use-record-form';
import './index.scss';

/** The help record form for one household (opened from its file with the household's id and head's name). */
export default function RecordPage() {
  const { params } = useRouter();
  const householdId = params.householdId ?? '';
  const headName = decodeURIComponent(params.name ?? '');
  const { form, errors, submitting, change, toggleKind, toggleResolved, addDemand, updateDemand, removeDemand, submit } = useRecordForm(householdId, headName);
  const [openDemands, setOpenDemands] = useState<OpenDemand[] | null>(null);

  useEffect(() => {
    if (requireSession()) void loadOpenDemands(householdId).then(setOpenDemands);
  }, [householdId]);

  return (
    <View className="record-form">
      <View className="record-form__title">为 {headName} 户记录帮扶</View>

      <View className="card">
        <KindsField kinds={form.kinds} error={errors.kinds} onToggle={toggleKind} />
        <OccurredAtField date={form.date} time={form.time} error={errors.occurredAt} onChange={(patch) => change(patch, 'occurredAt')} />
        <SummaryField summary={form.summary} error={errors.summary} onInput={(summary) => change({ summary }, 'summary')} />
      </View>

      <View className="card">
        <DemandsRaisedField demands={form.demandsRaised} errors={errors} onAdd={addDemand} onUpdate={updateDemand} onRemove={removeDemand} />
        <ResolvedDemandsField openDemands={openDemands} selected={form.resolvedDemandIds} error={errors.resolvedDemandIds} onToggle={toggleResolved} />
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
        <PhotosField paths={form.photoPaths} error={errors.photos} onChange={(photoPaths) => change({ photoPaths }, 'photos')} />
        <LocationField location={form.location} error={errors.location} onChange={(location) => change({ location }, 'location')} />
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
