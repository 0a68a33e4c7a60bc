import { useState } from 'react';
import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import DemandTimeline from '@/components/demand-timeline';
import Tag from '@/components/tag';
import TextAction from '@/components/text-action';
import { formatDate } from '@/services/dates';
import type { HouseholdFile } from '@/services/household';
import { label } from '@/services/labels';
import { MAX_LOOP_NOTE, cadreActions, dueLine, loopRefusalText, noteDemandProgress, startDemandWork, type LoopDemand } from '@/services/loop';
import { referUrl } from '@/services/navigation';

interface OpenDemandsProps {
  householdId: string;
  headName: string;
  demands: HouseholdFile['openDemands'];
  /** The same demands with the loop's fields (status, referral, timeline), when the server answered them. */
  loop: ReadonlyMap<string, LoopDemand>;
  /** After an action: read the household again. */
  onChanged(): void;
}

/**
 * The demands still to be dealt with. Online, each shows where it stands in the loop (its open
 * referral and the unit, the due date that counts now, an escalation) with its whole timeline, and
 * the cadre's actions: 开始办理, 交办, 办理进展. Offline, the file's copy (category, status, due date).
 */
export function OpenDemandsCard({ householdId, headName, demands, loop, onChanged }: OpenDemandsProps) {
  return (
    <View className="card">
      <View className="card__title">待办诉求（{demands.length}）</View>
      {demands.length === 0 && <View className="empty-note">暂无待办诉求</View>}
      {demands.map((demand) => (
        <OpenDemand key={demand.id} householdId={householdId} headName={headName} demand={demand} loop={loop.get(demand.id) ?? null} onChanged={onChanged} />
      ))}
    </View>
  );
}

function OpenDemand({
  householdId,
  headName,
  demand,
  loop,
  onChanged,
}: {
  householdId: string;
  headName: string;
  demand: HouseholdFile['openDemands'][number];
  loop: LoopDemand | null;
  onChanged(): void;
}) {
  const [showTimeline, setShowTimeline] = useState(false);
  const [writing, setWriting] = useState(false);
  const [starting, setStarting] = useState(false);
  const today = formatDate(new Date());
  const status = loop?.status ?? demand.status;
  const due = loop ? dueLine(loop) : demand.dueOn ? { text: `限 ${demand.dueOn} 前办结`, late: demand.dueOn < today } : null;
  const referral = loop?.currentReferral ?? null;
  const can = loop ? cadreActions(loop) : { start: false, refer: false, note: false };

  async function start() {
    if (starting) return;
    setStarting(true);
    try {
      await startDemandWork(demand.id, null);
      void Taro.showToast({ title: '已开始办理', icon: 'success' });
      onChanged();
    } catch (caught) {
      void Taro.showModal({ title: '未能开始办理', content: loopRefusalText(caught), showCancel: false });
      onChanged();
    } finally {
      setStarting(false);
    }
  }

  return (
    <View className="demand demand-loop">
      <View className="tags">
        <Tag tone="orange">{label('DemandCategory', demand.category)}</Tag>
        <Text className="demand-loop__status muted">{label('DemandStatus', status)}</Text>
        {demand.reopenCount > 0 && <Tag tone="red">群众不满意，重新办理{demand.reopenCount > 1 ? ` ${demand.reopenCount} 次` : ''}</Tag>}
        {loop && loop.escalationRung > 0 && <Tag tone="danger">督办第 {loop.escalationRung} 级</Tag>}
        {due && <Text className={due.late ? 'demand__due--late' : 'muted'}>{due.text}</Text>}
      </View>
      <View className="demand__text">{demand.text}</View>
      {referral && (
        <View className="demand-loop__referral">
          已交办 {referral.unit.name} · {label('ReferralStatus', referral.status)} · 限 {referral.dueOn} 前办结
          {referral.overdue ? '（已超期）' : ''}
        </View>
      )}
      {loop && (
        <View className="demand-loop__actions">
          {can.start && (
            <Text className="link demand-loop__start" onClick={() => void start()}>
              {starting ? '提交中…' : '开始办理'}
            </Text>
          )}
          {can.refer && (
            <Text className="link demand-loop__refer" onClick={() => void Taro.navigateTo({ url: referUrl(householdId, headName, demand.id) })}>
              交办
            </Text>
          )}
          {can.note && !writing && (
            <Text className="link demand-loop__note" onClick={() => setWriting(true)}>
              办理进展
            </Text>
          )}
          <Text className="link demand-loop__timeline-toggle" onClick={() => setShowTimeline(!showTimeline)}>
            {showTimeline ? '收起办理过程' : `办理过程（${loop.events.length}）`}
          </Text>
        </View>
      )}
      {writing && (
        <TextAction
          className="demand-progress"
          label="办理进展"
          placeholder="例如：已联系村委会，下周上门查看"
          max={MAX_LOOP_NOTE}
          submitText="提交进展"
          onCancel={() => setWriting(false)}
          onSubmit={async (note) => {
            try {
              await noteDemandProgress(demand.id, note);
              setWriting(false);
              onChanged();
              return null;
            } catch (caught) {
              return loopRefusalText(caught);
            }
          }}
        />
      )}
      {loop && showTimeline && <DemandTimeline events={loop.events} />}
    </View>
  );
}
