import { Text, View } from '@tarojs/components';
import { formatFen } from '@wanjia/shared';
import Tag from '@/components/tag';
import type { HelpRecordFieldsFragment } from '@/graphql/generated/graphql';
import { formatDateTime } from '@/services/dates';
import { label } from '@/services/labels';
import type { QueuedRecord } from '@/services/outbox';
import { outbox } from '@/services/records';

/** The household file's history: records the server holds, and this phone's queued ones above them. */

function kindsText(kinds: readonly string[]): string {
  return kinds.map((kind) => label('HelpKind', kind)).join('、');
}

function Amounts({ fundsFen, materialsFen, problemsSolved }: { fundsFen: number; materialsFen: number; problemsSolved: number }) {
  const parts = [
    fundsFen > 0 ? `资金 ${formatFen(fundsFen)}` : null,
    materialsFen > 0 ? `物资 ${formatFen(materialsFen)}` : null,
    problemsSolved > 0 ? `解决问题 ${problemsSolved} 件` : null,
  ].filter(Boolean);
  return parts.length > 0 ? <View className="record__amounts">{parts.join(' · ')}</View> : null;
}

/** A record still in this phone's outbox: waiting to be sent, or refused (with why, until dismissed). */
export function QueuedItem({ record }: { record: QueuedRecord }) {
  const refused = record.state === 'refused';
  return (
    <View className={`record record--queued ${refused ? 'record--refused' : ''}`}>
      <View className="record__head">
        <Text className="record__time">{formatDateTime(record.input.occurredAt)}</Text>
        <Tag tone={refused ? 'danger' : 'warning'}>{refused ? '未能上传' : '待上传'}</Tag>
      </View>
      <View className="record__kinds">{kindsText(record.input.kinds)}</View>
      <View className="record__summary">{record.input.summary}</View>
      <Amounts fundsFen={record.input.fundsFen ?? 0} materialsFen={record.input.materialsFen ?? 0} problemsSolved={record.input.problemsSolved ?? 0} />
      {(record.input.demandsRaised ?? []).map((demand, index) => (
        <View key={index} className="record__demand">
          新诉求：【{label('DemandCategory', demand.category)}】{demand.text}
        </View>
      ))}
      {record.photos.length > 0 && <View className="muted">照片 {record.photos.length} 张</View>}
      {record.lastError && <View className={refused ? 'record__error' : 'muted'}>{refused ? record.lastError : `上次尝试：${record.lastError}`}</View>}
      {refused && (
        <View className="record__dismiss" onClick={() => outbox.dismiss(record.clientId)}>
          知道了，移除此条
        </View>
      )}
    </View>
  );
}

/** A record as the server holds it, with its version when it was corrected. */
export function RecordItem({ record }: { record: HelpRecordFieldsFragment }) {
  return (
    <View className="record">
      <View className="record__head">
        <Text className="record__time">{formatDateTime(record.occurredAt)}</Text>
        <Text className="muted">
          {record.cadre.name}
          {record.versionNumber > 1 ? ` · 第 ${record.versionNumber} 版` : ''}
        </Text>
      </View>
      <View className="record__kinds">{kindsText(record.kinds)}</View>
      <View className="record__summary">{record.summary}</View>
      <Amounts fundsFen={record.fundsFen} materialsFen={record.materialsFen} problemsSolved={record.problemsSolved} />
      {record.demandsRaised.map((demand) => (
        <View key={demand.id} className="record__demand">
          新诉求：【{label('DemandCategory', demand.category)}】{demand.text}
        </View>
      ))}
      {record.demandsResolved.map((demand) => (
        <View key={demand.id} className="record__demand record__demand--resolved">
          已解决：【{label('DemandCategory', demand.category)}】{demand.text}
        </View>
      ))}
      {record.photoIds.length > 0 && <View className="muted">照片 {record.photoIds.length} 张</View>}
    </View>
  );
}
