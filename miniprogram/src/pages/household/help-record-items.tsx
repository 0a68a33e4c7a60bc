import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { formatFen } from '@wanjia/shared';
import PhotoThumbs from '@/components/photo-thumbs';
import Tag from '@/components/tag';
import type { HelpRecordFieldsFragment } from '@/graphql/generated/graphql';
import { formatDateTime } from '@/services/dates';
import { label } from '@/services/labels';
import { queuedItemUrl } from '@/services/navigation';
import type { QueuedConfirmation, QueuedCorrection, QueuedSubmission } from '@/services/outbox';

/** The household file's history: records the server holds, and this phone's queued ones above them. */

export function kindsText(kinds: readonly string[]): string {
  return kinds.map((kind) => label('HelpKind', kind)).join('、');
}

export function Amounts({ fundsFen, materialsFen, problemsSolved }: { fundsFen: number; materialsFen: number; problemsSolved: number }) {
  const parts = [
    fundsFen > 0 ? `资金 ${formatFen(fundsFen)}` : null,
    materialsFen > 0 ? `物资 ${formatFen(materialsFen)}` : null,
    problemsSolved > 0 ? `解决问题 ${problemsSolved} 件` : null,
  ].filter(Boolean);
  return parts.length > 0 ? <View className="record__amounts">{parts.join(' · ')}</View> : null;
}

/** A refused item's reason and the way to its 待处理 form; a pending one's last failure. */
function QueueState({ item }: { item: QueuedSubmission | QueuedCorrection | QueuedConfirmation }) {
  const refused = item.state === 'refused';
  return (
    <>
      {item.lastError && <View className={refused ? 'record__error' : 'muted'}>{refused ? item.lastError : `上次尝试：${item.lastError}`}</View>}
      {refused && (
        <View className="record__dismiss" onClick={() => void Taro.navigateTo({ url: queuedItemUrl(item) })}>
          修改后重新提交
        </View>
      )}
    </>
  );
}

/** A new record still in this phone's outbox: waiting to be sent, or refused (then it is in 待处理 too). */
export function QueuedItem({ record }: { record: QueuedSubmission }) {
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
      <QueueState item={record} />
    </View>
  );
}

/** A correction of this record still in the queue, shown on the record it corrects. */
function QueuedCorrectionNote({ correction }: { correction: QueuedCorrection }) {
  const refused = correction.state === 'refused';
  return (
    <View className={`record__correction record--queued ${refused ? 'record--refused' : ''}`}>
      <View className="record__head">
        <Text className="muted">更正：{correction.input.summary}</Text>
        <Tag tone={refused ? 'danger' : 'warning'}>{refused ? '更正未能上传' : '更正待上传'}</Tag>
      </View>
      <QueueState item={correction} />
    </View>
  );
}

interface RecordItemProps {
  record: HelpRecordFieldsFragment;
  /** Corrections of this record waiting in this phone's queue. */
  queuedCorrections: readonly QueuedCorrection[];
  onOpen(): void;
}

/** A record as the server holds it: 已更正 when corrected, its photos as thumbnails; a tap opens it. */
export function RecordItem({ record, queuedCorrections, onOpen }: RecordItemProps) {
  return (
    <View className="record">
      <View className="record__open" onClick={onOpen}>
        <View className="record__head">
          <Text className="record__time">{formatDateTime(record.occurredAt)}</Text>
          <View className="tags">
            {record.corrected && <Tag tone="blue">已更正</Tag>}
            <Text className="muted">
              {record.cadre.name}
              {record.versionNumber > 1 ? ` · 第 ${record.versionNumber} 版` : ''}
            </Text>
          </View>
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
      </View>
      <PhotoThumbs ids={record.photoIds} small />
      {queuedCorrections.map((correction) => (
        <QueuedCorrectionNote key={correction.clientId} correction={correction} />
      ))}
      <View className="record__more link" onClick={onOpen}>
        查看详情
      </View>
    </View>
  );
}
