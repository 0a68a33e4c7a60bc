import { useCallback, useEffect, useState } from 'react';
import { Text, View } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro';
import { formatFen } from '@wanjia/shared';
import { Button } from '@/components/ui';
import type { TotalsFieldsFragment } from '@/graphql/generated/graphql';
import { signOut } from '@/services/auth';
import { formatDateTime } from '@/services/dates';
import { describeError } from '@/services/errors';
import { MY_REPORTS_PAGE } from '@/services/field-reports';
import { loadLoopSummary, type LoopSummary } from '@/services/loop';
import { showLoopBadge } from '@/services/loop-badge';
import { CONTACT_POINTS_PAGE, INBOX_PAGE, NOTICES_PAGE, PENDING_PAGE, requireSession } from '@/services/navigation';
import { OUTBOX_CHANGED_EVENT, outbox, syncOutbox } from '@/services/records';
import { getSession } from '@/services/session';
import { loadMyStats, type MyStats } from '@/services/stats';
import './index.scss';

function Totals({ title, totals }: { title: string; totals: TotalsFieldsFragment }) {
  return (
    <View className="card">
      <View className="card__title">{title}</View>
      <View className="totals">
        <View className="totals__item">
          <Text className="totals__value">{totals.visits}</Text>
          <Text className="muted">帮扶记录（次）</Text>
        </View>
        <View className="totals__item">
          <Text className="totals__value">{totals.problemsSolved}</Text>
          <Text className="muted">解决问题（件）</Text>
        </View>
        <View className="totals__item">
          <Text className="totals__value totals__value--money">{formatFen(totals.fundsFen)}</Text>
          <Text className="muted">资金</Text>
        </View>
        <View className="totals__item">
          <Text className="totals__value totals__value--money">{formatFen(totals.materialsFen)}</Text>
          <Text className="muted">物资价值</Text>
        </View>
      </View>
    </View>
  );
}

export default function MinePage() {
  const [stats, setStats] = useState<MyStats | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [offlineCopyFrom, setOfflineCopyFrom] = useState<string | null>(null);
  const [pending, setPending] = useState(0);
  const [refused, setRefused] = useState(0);
  const [syncing, setSyncing] = useState(false);
  const [loop, setLoop] = useState<LoopSummary | null>(null);

  // The loop's entries (消息, 待办, 我的联系点) and the tab's badge; the last copy without signal.
  const loadLoop = useCallback(async () => {
    try {
      const loaded = await loadLoopSummary();
      setLoop(loaded.value);
      showLoopBadge(loaded.value);
    } catch {
      // Shown without counts.
    }
  }, []);

  const countQueue = () => {
    setPending(outbox.pending().length);
    setRefused(outbox.refused().length);
  };

  const load = useCallback(async () => {
    setError(null);
    try {
      const loaded = await loadMyStats();
      if (loaded.offlineCopyFrom === null) {
        setStats(loaded.value);
        setOfflineCopyFrom(null);
        return;
      }
      setError(describeError(loaded.failure));
      const copy = loaded.value;
      setStats((current) => current ?? copy);
      setOfflineCopyFrom(loaded.offlineCopyFrom);
    } catch (caught) {
      setError(describeError(caught));
    }
  }, []);

  useEffect(() => {
    Taro.eventCenter.on(OUTBOX_CHANGED_EVENT, countQueue);
    return () => void Taro.eventCenter.off(OUTBOX_CHANGED_EVENT, countQueue);
  }, []);

  useDidShow(() => {
    if (!requireSession()) return;
    countQueue();
    void load();
    void loadLoop();
  });

  usePullDownRefresh(() => {
    void Promise.all([load(), loadLoop()]).finally(() => Taro.stopPullDownRefresh());
  });

  async function uploadNow() {
    setSyncing(true);
    try {
      await syncOutbox();
      const left = outbox.pending();
      void Taro.showToast({ title: left.length === 0 ? '已全部上传' : `仍有 ${left.length} 条未上传：${left[0]?.lastError ?? ''}`, icon: 'none' });
      void load();
    } finally {
      setSyncing(false);
    }
  }

  async function confirmSignOut() {
    const waiting = pending + refused;
    const { confirm } = await Taro.showModal({
      title: '退出登录',
      content: waiting > 0 ? `还有 ${waiting} 条记录待上传或待处理，将在您下次登录后继续。确定退出？` : '确定退出登录？',
    });
    if (!confirm) return;
    // app.ts takes the cadre to the sign-in page.
    await signOut();
  }

  const cadre = stats?.me.cadre ?? getSession()?.cadre;
  const unitName = stats?.me.cadre?.unit.name ?? getSession()?.cadre?.unitName;
  return (
    <View className="mine">
      <View className="mine__profile">
        <Text className="mine__name">{cadre?.name ?? ''}</Text>
        <Text className="mine__unit">
          {unitName ?? ''}
          {cadre?.post ? ` · ${cadre.post}` : ''}
        </Text>
      </View>

      {offlineCopyFrom && <View className="mine__banner">网络不可用，显示的是 {formatDateTime(offlineCopyFrom)} 的数据</View>}
      {error && !offlineCopyFrom && <View className="mine__banner">{error}</View>}

      <View className="card mine__loop">
        <View className="mine__entry mine__notices" onClick={() => void Taro.navigateTo({ url: NOTICES_PAGE })}>
          <Text>消息</Text>
          <Text className={loop && loop.unreadNotices > 0 ? 'mine__badge' : 'muted'}>
            {loop && loop.unreadNotices > 0 ? `${loop.unreadNotices} 条未读 ›` : '›'}
          </Text>
        </View>
        {/* Every cadre reports changes found on visits (报告变更 on a household's page); the outcomes are read here too. */}
        <View className="mine__entry mine__reports" onClick={() => void Taro.navigateTo({ url: MY_REPORTS_PAGE })}>
          <Text>我的变更报告</Text>
          <Text className="muted">›</Text>
        </View>
        {loop && loop.handlerUnits.length > 0 && (
          <View className="mine__entry mine__inbox" onClick={() => void Taro.navigateTo({ url: INBOX_PAGE })}>
            <View>
              <Text>待办（交办事项）</Text>
              <View className="muted">{loop.handlerUnits.map((unit) => unit.name).join('、')} 联络员</View>
            </View>
            <Text className={loop.inboxPending > 0 ? 'mine__badge' : 'muted'}>
              {loop.inboxPending > 0 ? `${loop.inboxPending} 件待签收 ›` : loop.inboxAccepted > 0 ? `${loop.inboxAccepted} 件办理中 ›` : '›'}
            </Text>
          </View>
        )}
        {loop && loop.handlerUnits.length > 0 && loop.inboxOverdue > 0 && <View className="mine__overdue">其中 {loop.inboxOverdue} 件已超期</View>}
        {loop?.isLeader && (
          <View className="mine__entry mine__contact-points" onClick={() => void Taro.navigateTo({ url: CONTACT_POINTS_PAGE })}>
            <Text>我的联系点</Text>
            <Text className="muted">›</Text>
          </View>
        )}
      </View>

      <View className={`card mine__pending ${refused > 0 ? 'mine__pending--some' : ''}`} onClick={() => void Taro.navigateTo({ url: PENDING_PAGE })}>
        <View className="card__title">
          <Text>待处理</Text>
          <Text className={refused > 0 ? 'mine__pending-count' : 'muted'}>{refused > 0 ? `${refused} 条 ›` : '无 ›'}</Text>
        </View>
        <View className="muted">被服务器退回的记录、更正和回访，修改后可重新提交</View>
      </View>

      {pending > 0 && (
        <View className="card mine__queue">
          <View className="card__title">
            <Text>待上传 {pending} 条</Text>
            {pending > 0 && (
              <Button size="small" type="primary" loading={syncing} disabled={syncing} onClick={() => void uploadNow()}>
                立即上传
              </Button>
            )}
          </View>
          {pending > 0 && <View className="muted">联网后会自动上传，不会重复</View>}
        </View>
      )}

      {stats && (
        <>
          <View className="card">
            <View className="card__title">我的帮扶户</View>
            <View className="totals">
              <View className="totals__item">
                <Text className="totals__value">{stats.myStats.households}</Text>
                <Text className="muted">联系户数</Text>
              </View>
              <View className="totals__item">
                <Text className={`totals__value ${stats.myStats.householdsOverdue > 0 ? 'totals__value--late' : ''}`}>{stats.myStats.householdsOverdue}</Text>
                <Text className="muted">逾期未走访</Text>
              </View>
            </View>
          </View>
          <Totals title="本月" totals={stats.myStats.thisMonth} />
          <Totals
            title={stats.currentRound ? `本轮（${stats.currentRound.name}，${stats.currentRound.startsOn} 起）` : '本轮'}
            totals={stats.myStats.thisRound}
          />
        </>
      )}

      <View className="mine__actions">
        <Button block onClick={() => void confirmSignOut()}>
          退出登录
        </Button>
      </View>
    </View>
  );
}
