import { useCallback, useState } from 'react';
import { Text, View } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh, useReachBottom } from '@tarojs/taro';
import { formatDateTime } from '@/services/dates';
import { describeError } from '@/services/errors';
import { label } from '@/services/labels';
import { HOME_PAGE, requireSession } from '@/services/navigation';
import { householdOfDemandInCaseload, loadNotices, markNoticesRead, noticeTarget, type Notice } from '@/services/notices';
import './index.scss';

/**
 * 消息: the account's notices, newest first, unread ones with a dot. A tap marks the notice read and
 * opens what it is about: a referral on the handler's screen, a demand on its household's screen.
 */
export default function NoticesPage() {
  const [notices, setNotices] = useState<Notice[]>([]);
  const [page, setPage] = useState<{ endCursor: string | null; hasNextPage: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(async () => {
    setError(null);
    try {
      const loaded = await loadNotices();
      setNotices(loaded.nodes);
      setPage(loaded.pageInfo);
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

  useReachBottom(() => {
    if (!page?.hasNextPage || !page.endCursor || loading) return;
    setLoading(true);
    loadNotices(page.endCursor)
      .then((more) => {
        const known = new Set(notices.map((notice) => notice.id));
        setNotices([...notices, ...more.nodes.filter((notice) => !known.has(notice.id))]);
        setPage(more.pageInfo);
      })
      .catch((caught) => void Taro.showToast({ title: describeError(caught), icon: 'none' }))
      .finally(() => setLoading(false));
  });

  async function open(notice: Notice) {
    if (!notice.readAt) {
      const readAt = new Date().toISOString();
      setNotices((current) => current.map((candidate) => (candidate.id === notice.id ? { ...candidate, readAt } : candidate)));
      // Read on the phone at once; the server is told in the background (a failure leaves it unread there).
      void markNoticesRead([notice.id]).catch(() => undefined);
    }
    const url = noticeTarget(notice, householdOfDemandInCaseload);
    if (url === HOME_PAGE) void Taro.switchTab({ url });
    else if (url) void Taro.navigateTo({ url });
  }

  async function readAll() {
    try {
      await markNoticesRead(null);
      const readAt = new Date().toISOString();
      setNotices((current) => current.map((notice) => ({ ...notice, readAt: notice.readAt ?? readAt })));
    } catch (caught) {
      void Taro.showToast({ title: describeError(caught), icon: 'none' });
    }
  }

  const unread = notices.filter((notice) => !notice.readAt).length;
  return (
    <View className="notices">
      {error && <View className="notices__banner">{error}</View>}
      {unread > 0 && (
        <View className="notices__read-all link" onClick={() => void readAll()}>
          全部标为已读
        </View>
      )}
      {page && notices.length === 0 && <View className="empty-note">暂无消息</View>}
      {!page && !error && <View className="empty-note">加载中…</View>}
      {notices.map((notice) => (
        <View key={notice.id} className={`card notice ${notice.readAt ? '' : 'notice--unread'}`} onClick={() => void open(notice)}>
          <View className="notice__head">
            {!notice.readAt && <View className="notice__dot" />}
            <Text className="notice__title">{notice.title}</Text>
            <Text className="muted notice__kind">{label('NoticeKind', notice.kind)}</Text>
          </View>
          <View className="notice__body">{notice.body}</View>
          <Text className="muted">{formatDateTime(notice.createdAt)}</Text>
        </View>
      ))}
    </View>
  );
}
