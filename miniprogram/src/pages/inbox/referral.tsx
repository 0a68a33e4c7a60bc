import { useCallback, useState } from 'react';
import { Text, View } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh, useRouter } from '@tarojs/taro';
import DemandTimeline from '@/components/demand-timeline';
import Tag from '@/components/tag';
import TextAction from '@/components/text-action';
import { Button } from '@/components/ui';
import { formatDateTime } from '@/services/dates';
import { describeError } from '@/services/errors';
import { label } from '@/services/labels';
import {
  MAX_LOOP_NOTE,
  MAX_RESOLUTION,
  acceptReferral,
  handlerActions,
  loadReferral,
  loopRefusalText,
  noteDemandProgress,
  resolveReferral,
  returnReferral,
  type Referral,
} from '@/services/loop';
import { requireSession } from '@/services/navigation';
import './index.scss';

type Writing = 'return' | 'progress' | 'resolve' | null;

/**
 * One referral, for the unit's handler: the demand and its every step, the household as far as the
 * handler may know it (head name, address, masked phone, region: not its file), and the actions its
 * status allows: 签收, 退回 (with the reason), 办理进展, 办结 (with the resolution). The household's
 * cadre then records the household's answer (回访) on a visit.
 */
export default function ReferralPage() {
  const { params } = useRouter();
  const id = params.id ?? '';
  const [referral, setReferral] = useState<Referral | null>(null);
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [writing, setWriting] = useState<Writing>(null);
  const [accepting, setAccepting] = useState(false);

  const load = useCallback(async () => {
    setError(null);
    try {
      const loaded = await loadReferral(id);
      setReferral(loaded);
      setMissing(loaded === null);
    } catch (caught) {
      setError(describeError(caught));
    }
  }, [id]);

  useDidShow(() => {
    if (!requireSession()) return;
    void load();
  });

  usePullDownRefresh(() => {
    void load().finally(() => Taro.stopPullDownRefresh());
  });

  /** Runs an action; a refusal is shown (and the screen read again: the state it refused from is stale). */
  async function act(run: () => Promise<unknown>, done: string): Promise<string | null> {
    try {
      await run();
      void Taro.showToast({ title: done, icon: 'success' });
      setWriting(null);
      await load();
      return null;
    } catch (caught) {
      const message = loopRefusalText(caught);
      void load();
      return message;
    }
  }

  async function accept() {
    if (!referral || accepting) return;
    setAccepting(true);
    const refused = await act(() => acceptReferral(referral.id), '已签收');
    setAccepting(false);
    if (refused) setError(refused);
  }

  if (missing) return <View className="empty-note">这条交办事项不存在，或您已不是该单位的联络员。</View>;
  if (!referral) return <View className="empty-note">{error ?? '加载中…'}</View>;

  const can = handlerActions(referral);
  const { demand, household } = referral;
  return (
    <View className="referral">
      {error && <View className="referral__banner">{error}</View>}
      <View className="card">
        <View className="tags">
          <Tag tone="orange">{label('DemandCategory', demand.category)}</Tag>
          <Tag tone={referral.status === 'PENDING' ? 'warning' : referral.status === 'RESOLVED' ? 'green' : 'blue'}>
            {label('ReferralStatus', referral.status)}
          </Tag>
          {referral.overdue && <Tag tone="danger">已超期</Tag>}
          {demand.escalationRung > 0 && <Tag tone="red">督办第 {demand.escalationRung} 级</Tag>}
        </View>
        <View className="referral__text">{demand.text}</View>
        <View className={referral.overdue ? 'referral__late' : 'muted'}>
          {referral.unit.name} · 限 {referral.dueOn} 前办结
        </View>
        <View className="referral__line">
          {referral.referredByName} 于 {formatDateTime(referral.referredAt)} 交办
        </View>
        {referral.note && <View className="referral__line">交办说明：{referral.note}</View>}
        {referral.returnReason && <View className="referral__line">退回原因：{referral.returnReason}</View>}
        {referral.resolution && <View className="referral__line">办结情况：{referral.resolution}</View>}
      </View>

      <View className="card referral__household">
        <View className="card__title">群众</View>
        <View className="referral__line">
          <Text className="referral__head-name">{household.headName}</Text> · {household.regionName}
        </View>
        <View className="referral__line">{household.address}</View>
        {household.maskedPhone && <View className="referral__line muted">电话 {household.maskedPhone}（联系请通过帮扶干部）</View>}
      </View>

      <View className="card">
        <View className="card__title">办理过程</View>
        <DemandTimeline events={demand.events} />
      </View>

      {writing === 'return' && (
        <View className="card">
          <TextAction
            className="referral-return"
            label="退回原因"
            placeholder="例如：不属于本单位职责，建议交办住建部门"
            max={MAX_LOOP_NOTE}
            submitText="确认退回"
            danger
            onCancel={() => setWriting(null)}
            onSubmit={(reason) => act(() => returnReferral(referral.id, reason), '已退回')}
          />
        </View>
      )}
      {writing === 'progress' && (
        <View className="card">
          <TextAction
            className="referral-progress"
            label="办理进展"
            placeholder="例如：已联系施工队，本周内上门维修"
            max={MAX_LOOP_NOTE}
            submitText="提交进展"
            onCancel={() => setWriting(null)}
            onSubmit={(note) => act(() => noteDemandProgress(demand.id, note), '已记录')}
          />
        </View>
      )}
      {writing === 'resolve' && (
        <View className="card">
          <TextAction
            className="referral-resolve"
            label="办结情况"
            placeholder="怎样解决的：做了什么、群众得到了什么"
            max={MAX_RESOLUTION}
            submitText="确认办结"
            onCancel={() => setWriting(null)}
            onSubmit={(resolution) => act(() => resolveReferral(referral.id, resolution), '已办结')}
          />
        </View>
      )}

      {writing === null && (can.accept || can.giveBack || can.note || can.resolve) && (
        <View className="referral__actions">
          {can.accept && (
            <Button type="primary" className="referral__accept" loading={accepting} disabled={accepting} onClick={() => void accept()}>
              签收
            </Button>
          )}
          {can.note && (
            <Button className="referral__progress" onClick={() => setWriting('progress')}>
              办理进展
            </Button>
          )}
          {can.resolve && (
            <Button type="primary" className="referral__resolve" onClick={() => setWriting('resolve')}>
              办结
            </Button>
          )}
          {can.giveBack && (
            <Button className="referral__return" onClick={() => setWriting('return')}>
              退回
            </Button>
          )}
        </View>
      )}
    </View>
  );
}
