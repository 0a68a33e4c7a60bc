import { Text, View } from '@tarojs/components';
import Field from '@/components/field';
import type { OpenDemand } from '@/services/household';
import { label } from '@/services/labels';

interface ResolvedDemandsFieldProps {
  /** The household's open demands; null while they load. */
  openDemands: readonly OpenDemand[] | null;
  selected: readonly string[];
  error: string | undefined;
  onToggle(demandId: string): void;
}

/** Which of the household's open demands this visit resolved. */
export default function ResolvedDemandsField({ openDemands, selected, error, onToggle }: ResolvedDemandsFieldProps) {
  return (
    <Field id="field-resolved" label="本次解决的诉求" hint="从待办诉求中选择" error={error}>
      {openDemands === null && <View className="muted">加载中…</View>}
      {openDemands?.length === 0 && <View className="muted">该户暂无待办诉求</View>}
      {openDemands?.map((demand) => (
        <View
          key={demand.id}
          className={`record-form__resolvable ${selected.includes(demand.id) ? 'record-form__resolvable--on' : ''}`}
          onClick={() => onToggle(demand.id)}
        >
          <Text className="record-form__check">{selected.includes(demand.id) ? '☑' : '☐'}</Text>
          <Text>
            【{label('DemandCategory', demand.category)}】{demand.text}
          </Text>
        </View>
      ))}
    </Field>
  );
}
