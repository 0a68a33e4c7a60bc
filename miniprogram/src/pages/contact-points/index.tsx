import { useCallback, useState } from 'react';
import { Text, View } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro';
import Tag from '@/components/tag';
import type { LeaderEscalationFieldsFragment } from '@/graphql/generated/graphql';
import { loadContactPoints, type ContactPoints } from '@/services/contact-points';
import { formatDateTime } from '@/services/dates';
import { describeError } from '@/services/errors';
import { label } from '@/services/labels';
import { requireSession } from '@/services/navigation';
import './index.scss';

function Escalations({ escalations }: { escalations: readonly LeaderEscalationFieldsFragment[] }) {
  if (escalations.length === 0) return null;
  return (
    <View className="contact-points__escalations">
      {escalations.map((escalation) => (
        <View key={escalation.id} className="contact-points__escalation">
          <View className="tags">
            <Tag tone="danger">
              督办第 {escalation.level} 级 · {escalation.rungName}
            </Tag>
            <Text className="muted">超期 {escalation.daysOverdue} 天</Text>
          </View>
          <View className="contact-points__text">
            【{label('DemandCategory', escalation.demand.category)}】{escalation.demand.text}
          </View>
          <Text className="muted">
            {escalation.targetRegionName} · 限 {escalation.lapsedDueOn} · {formatDateTime(escalation.escalatedAt)} 升级
          </Text>
        </View>
      ))}
    </View>
  );
}

/** 我的联系点: for leaders (包案领导, contact-point holders) only; 我的 shows the entry when isLeader. */
export default function ContactPointsPage() {
  const [data, setData] = useState<ContactPoints | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      const loaded = await loadContactPoints();
      setData(loaded.value);
      if (loaded.offlineCopyFrom !== null) setError(`网络不可用，显示的是 ${formatDateTime(loaded.offlineCopyFrom)} 的数据`);
    } catch (caught) {
      setError(describeError(caught));
    }
  }, []);

  useDidShow(() => {
    if (!requireSession()) return;
    void load();
  });

  usePullDownRefresh(() => {
    void load().finally(() => Taro.stopPullDownRefresh());
  });

  if (!data) return <View className="empty-note">{error ?? '加载中…'}</View>;
  return (
    <View className="contact-points">
      {error && <View className="contact-points__banner">{error}</View>}
      {data.points.length === 0 && data.cases.length === 0 && <View className="empty-note">暂无联系点或包案</View>}
      {data.points.map((point) => (
        <View key={point.id} className="card contact-point">
          <View className="card__title">
            <Text>{point.targetName}</Text>
            <Text className="muted">{point.kindName}</Text>
          </View>
          <View className="tags">
            <Text>待办诉求 {point.openDemands} 件</Text>
            {point.overdueDemands > 0 && <Tag tone="danger">超期 {point.overdueDemands} 件</Tag>}
          </View>
          <Escalations escalations={point.escalations} />
        </View>
      ))}
      {data.cases.map((petition) => (
        <View key={petition.id} className="card contact-case">
          <View className="card__title">
            <Text>{petition.caseLabel}</Text>
            <Text className="muted">{label('PetitionCaseStatus', petition.status)}</Text>
          </View>
          {petition.majorBacklog && <Tag tone="danger">重大积案</Tag>}
          {petition.openDemands.map((demand) => (
            <View key={demand.id} className="contact-points__text">
              【{label('DemandCategory', demand.category)}】{demand.text}
              <Text className={demand.overdue ? 'contact-points__late' : 'muted'}>
                {' '}
                {label('DemandStatus', demand.status)}
                {demand.effectiveDueOn ? ` · 限 ${demand.effectiveDueOn}` : ''}
              </Text>
            </View>
          ))}
          <Escalations escalations={petition.escalations} />
        </View>
      ))}
    </View>
  );
}
