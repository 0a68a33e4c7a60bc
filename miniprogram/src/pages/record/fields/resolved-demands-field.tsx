import { Text, View } from '@tarojs/components';
import Field from '@/components/field';
import Tag from '@/components/tag';
import type { ResolvedByRecord } from '@/services/corrections';
import type { OpenDemand } from '@/services/household';
import { label } from '@/services/labels';

interface ResolvedDemandsFieldProps {
  /** The household's open demands; null while they load. */
  openDemands: readonly OpenDemand[] | null;
  /** A correction's: the demands the record had resolved (ticked to begin with). */
  resolvedByRecord?: readonly ResolvedByRecord[];
  selected: readonly string[];
  error: string | undefined;
  onToggle(demandId: string): void;
}

/**
 * Which demands this visit resolved: the household's open demands, and for a correction the ones the
 * record had resolved. A demand the household has already confirmed stays resolved (it cannot be
 * withdrawn); one still awaiting confirmation goes back to open when unticked.
 */
export default function ResolvedDemandsField({ openDemands, resolvedByRecord = [], selected, error, onToggle }: ResolvedDemandsFieldProps) {
  const earlier = new Set(resolvedByRecord.map((demand) => demand.id));
  const choices = [...resolvedByRecord, ...(openDemands ?? []).filter((demand) => !earlier.has(demand.id))];
  return (
    <Field id="field-resolved" label="本次解决的诉求" hint="从待办诉求中选择" error={error}>
      {openDemands === null && <View className="muted">加载中…</View>}
      {openDemands !== null && choices.length === 0 && <View className="muted">该户暂无待办诉求</View>}
      {/* Ticked before (a refused record opened from 待处理) but no longer open: shown, so it can be unticked. */}
      {openDemands !== null &&
        selected
          .filter((id) => !choices.some((demand) => demand.id === id))
          .map((id) => (
            <View key={id} className="record-form__resolvable record-form__resolvable--on record-form__resolvable--stale" onClick={() => onToggle(id)}>
              <Text className="record-form__check">☑</Text>
              <Text>所选诉求已不是待办状态（可能已在别处办结），请点此取消勾选</Text>
            </View>
          ))}
      {choices.map((demand) => {
        const on = selected.includes(demand.id);
        const fixed = demand.status === 'CONFIRMED';
        return (
          <View
            key={demand.id}
            className={`record-form__resolvable ${on ? 'record-form__resolvable--on' : ''} ${fixed ? 'record-form__resolvable--fixed' : ''}`}
            onClick={() => {
              if (!fixed) onToggle(demand.id);
            }}
          >
            <Text className="record-form__check">{on ? '☑' : '☐'}</Text>
            <Text>
              【{label('DemandCategory', demand.category)}】{demand.text}
            </Text>
            {earlier.has(demand.id) && <Tag tone={fixed ? 'green' : 'grey'}>{fixed ? '群众已确认' : '待群众确认'}</Tag>}
          </View>
        );
      })}
    </Field>
  );
}
