import { useCallback, useState } from 'react';
import { Text, View } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh, useReachBottom } from '@tarojs/taro';
import Tag from '@/components/tag';
import type { ReferralStatus } from '@/graphql/generated/graphql';
import { formatDate } from '@/services/dates';
import { describeError } from '@/services/errors';
import { label } from '@/services/labels';
import { INBOX_TABS, loadInbox, loadLoopSummary, type LoopSummary, type Referral } from '@/services/loop';
import { inboxReferralUrl, requireSession } from '@/services/navigation';
import './index.scss';

/**
 * 待办: the referrals to the handler's units (联络员), by status: 待签收 first, then 办理中, then
 * 已办结 (history). The server orders each tab (pending first, then the oldest due date) and shows
 * only the referral's demand and the household's head name, address and masked phone.
 */
export default function InboxPage() {
  const [status, setStatus] = useState<ReferralStatus>('PENDING');
  const [items, setItems] = useState<Referral[]>([]);
  const [page, setPage] = useState<{ endCursor: string | null; hasNextPage: boolean; totalCount: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [summary, setSummary] = useState<LoopSummary | null>(null);

  const load = useCallback(async (tab: ReferralStatus) => {
    setError(null);
    setLoading(true);
    try {
      const loaded = await loadInbox(tab);
      setItems(loaded.nodes);
      setPage({ ...loaded.pageInfo, totalCount: loaded.totalCount });
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setLoading(false);
    }
  }, []);

  useDidShow(() => {
    if (!requireSession()) return;
    void load(status);
    // The open tabs' counts (and how many are late), whichever tab is on.
    loadLoopSummary()
      .then((loaded) => setSummary(loaded.value))
      .catch(() => undefined);
  });

  function countOf(tab: ReferralStatus): number | null {
    if (tab === status && page) return page.totalCount;
    if (tab === 'PENDING') return summary?.inboxPending ?? null;
    if (tab === 'ACCEPTED') return summary?.inboxAccepted ?? null;
    return null;
  }

  usePullDownRefresh(() => {
    void load(status).finally(() => Taro.stopPullDownRefresh());
  });

  useReachBottom(() => {
    if (!page?.hasNextPage || !page.endCursor || loading) return;
    setLoading(true);
    loadInbox(status, page.endCursor)
      .then((more) => {
        const known = new Set(items.map((item) => item.id));
        setItems([...items, ...more.nodes.filter((item) => !known.has(item.id))]);
        setPage({ ...more.pageInfo, totalCount: more.totalCount });
      })
      .catch((caught) => void Taro.showToast({ title: describeError(caught), icon: 'none' }))
      .finally(() => setLoading(false));
  });

  function choose(tab: ReferralStatus) {
    if (tab === status) return;
    setStatus(tab);
    setItems([]);
    setPage(null);
    void load(tab);
  }

  return (
    <View className="inbox">
      <View className="inbox__tabs">
        {INBOX_TABS.map((tab) => (
          <View key={tab.status} className={`inbox__tab ${tab.status === status ? 'inbox__tab--on' : ''}`} onClick={() => choose(tab.status)}>
            {tab.label}
            {countOf(tab.status) !== null ? `（${countOf(tab.status)}）` : ''}
          </View>
        ))}
      </View>
      {error && <View className="inbox__banner">{error}</View>}
      {summary && summary.inboxOverdue > 0 && <View className="inbox__overdue">{summary.inboxOverdue} 件已超期，请尽快办理</View>}
      {!error && page && items.length === 0 && <View className="empty-note">没有{label('ReferralStatus', status)}的事项</View>}
      {!page && !error && <View className="empty-note">加载中…</View>}
      {items.map((referral) => (
        <View key={referral.id} className="card inbox-item" onClick={() => void Taro.navigateTo({ url: inboxReferralUrl(referral.id) })}>
          <View className="tags">
            <Tag tone="orange">{label('DemandCategory', referral.demand.category)}</Tag>
            <Tag tone={referral.status === 'PENDING' ? 'warning' : referral.status === 'RESOLVED' ? 'green' : 'blue'}>
              {label('ReferralStatus', referral.status)}
            </Tag>
            {referral.overdue && <Tag tone="danger">已超期</Tag>}
            <Text className={referral.overdue ? 'inbox-item__due--late' : 'muted'}>限 {referral.dueOn}</Text>
          </View>
          <View className="inbox-item__text">{referral.demand.text}</View>
          <View className="muted">
            {referral.household.headName} · {referral.household.regionName} · {referral.unit.name} · {formatDate(referral.referredAt)} 交办
          </View>
        </View>
      ))}
      {page?.hasNextPage && <View className="empty-note">{loading ? '加载中…' : '上拉加载更多'}</View>}
    </View>
  );
}
