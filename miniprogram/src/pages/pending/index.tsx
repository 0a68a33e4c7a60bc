import { useEffect, useState } from 'react';
import { Text, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import Tag from '@/components/tag';
import { Empty } from '@/components/ui';
import { formatDateTime } from '@/services/dates';
import { label } from '@/services/labels';
import { queuedItemUrl, requireSession } from '@/services/navigation';
import type { QueuedItem } from '@/services/outbox';
import { OUTBOX_CHANGED_EVENT, outbox } from '@/services/records';
import './index.scss';

const KIND_LABELS: Record<QueuedItem['kind'], string> = { submission: '帮扶记录', correction: '更正', confirmation: '回访确认' };

/** The form field a refusal named, in the cadre's words ("input.summary" → 帮扶情况). */
const FIELD_LABELS: Record<string, string> = {
  kinds: '帮扶方式',
  occurredAt: '时间',
  summary: '帮扶情况',
  demandsRaised: '听取的诉求',
  resolvedDemandIds: '解决的诉求',
  fundsFen: '资金',
  materialsFen: '物资价值',
  problemsSolved: '解决问题',
  photoIds: '照片',
  latitude: '位置',
  longitude: '位置',
  satisfaction: '群众评价',
  note: '说明',
  answeredAt: '回访时间',
  clientId: '记录编号',
  demandId: '诉求',
};

function fieldLabel(field: string | null): string | null {
  if (!field) return null;
  const key = field.replace(/^input\./, '').split('.')[0] ?? '';
  return FIELD_LABELS[key] ?? null;
}

function headline(item: QueuedItem): string {
  if (item.kind === 'confirmation')
    return `【${label('DemandCategory', item.demandCategory)}】${item.demandText} → ${label('Satisfaction', item.input.satisfaction)}`;
  return item.input.summary ?? '';
}

function when(item: QueuedItem): string {
  if (item.kind === 'confirmation') return formatDateTime(String(item.input.answeredAt ?? item.queuedAt));
  return formatDateTime(item.input.occurredAt ?? item.queuedAt);
}

/**
 * 待处理: every write of this cadre the server refused (a record, a correction, a household's answer),
 * kept with the server's message and field until the cadre fixes it in its form and sends it again, or
 * discards it after a confirmation. Nothing here is dropped without the cadre saying so.
 */
export default function PendingPage() {
  const [items, setItems] = useState<QueuedItem[]>([]);
  const refresh = () => setItems(outbox.refused());

  useEffect(() => {
    Taro.eventCenter.on(OUTBOX_CHANGED_EVENT, refresh);
    return () => void Taro.eventCenter.off(OUTBOX_CHANGED_EVENT, refresh);
  }, []);

  useDidShow(() => {
    if (requireSession()) refresh();
  });

  async function discard(item: QueuedItem) {
    await outbox.discard(item.clientId, async () => {
      const { confirm } = await Taro.showModal({
        title: '放弃这条记录？',
        content: `${item.householdName} 户的${KIND_LABELS[item.kind]}将不会上传，也无法找回。`,
        confirmText: '放弃',
        confirmColor: '#d93026',
      });
      return confirm;
    });
  }

  return (
    <View className="pending">
      <View className="pending__intro muted">以下记录被服务器退回，没有保存到系统中。请修改后重新提交，或确认放弃。</View>
      {items.length === 0 && <Empty description="没有待处理的记录" />}
      {items.map((item) => {
        const field = fieldLabel(item.errorField);
        return (
          <View key={item.clientId} className="card pending-item">
            <View className="pending-item__head">
              <View className="tags">
                <Tag tone="danger">{KIND_LABELS[item.kind]}</Tag>
                <Text className="pending-item__household">{item.householdName} 户</Text>
              </View>
              <Text className="muted">{when(item)}</Text>
            </View>
            <View className="pending-item__summary">{headline(item)}</View>
            <View className="pending-item__error">
              {field ? `【${field}】` : ''}
              {item.lastError}
            </View>
            <View className="pending-item__actions">
              <Text className="link pending-item__discard" onClick={() => void discard(item)}>
                放弃
              </Text>
              <Text className="link pending-item__fix" onClick={() => void Taro.navigateTo({ url: queuedItemUrl(item) })}>
                修改并重新提交 ›
              </Text>
            </View>
          </View>
        );
      })}
    </View>
  );
}
