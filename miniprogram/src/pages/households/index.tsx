import { useCallback, useEffect, useRef, useState } from 'react';
import { Input, Text, View } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh, useReachBottom } from '@tarojs/taro';
import Tag from '@/components/tag';
import { Empty } from '@/components/ui';
import TargetGroupTags from '@/components/target-group-tags';
import { CASELOAD_CHANGED_EVENT, STALE_COPY_MS, caseloadStatus, refreshCaseload, type CaseloadStatus } from '@/services/caseload';
import { formatDateTime } from '@/services/dates';
import { TARGET_GROUP_OPTIONS } from '@/services/enum-options';
import { describeError } from '@/services/errors';
import { isFiltered, loadMyHouseholds, type HouseholdListItem, type HouseholdsFilter } from '@/services/households';
import { householdUrl, requireSession } from '@/services/navigation';
import { OUTBOX_CHANGED_EVENT, outbox } from '@/services/records';
import { getSession } from '@/services/session';
import './index.scss';

function lastVisitText(household: HouseholdListItem): string {
  if (household.daysSinceLastVisit === null) return '尚未走访';
  if (household.daysSinceLastVisit === 0) return '今天已走访';
  return `${household.daysSinceLastVisit} 天未走访`;
}

const DAY_MS = 24 * 60 * 60_000;

/** The list's line about the phone's offline copy of the whole caseload. */
function offlineAgeText(status: CaseloadStatus): string {
  if (status.refreshing) return status.refreshedAt ? `正在更新离线数据（上次 ${formatDateTime(status.refreshedAt)}）…` : '正在下载离线数据…';
  if (!status.refreshedAt) return '尚无离线数据，联网后自动下载';
  return `离线数据更新于 ${formatDateTime(status.refreshedAt)}`;
}

/** A household whose copy is missing or older than a day is marked: without signal it would show that. */
function staleCopyText(savedAt: string | undefined, now: number): string | null {
  if (savedAt === undefined) return '无离线资料';
  const age = now - Date.parse(savedAt);
  return age > STALE_COPY_MS ? `离线资料已 ${Math.floor(age / DAY_MS)} 天未更新` : null;
}

export default function HouseholdsPage() {
  const [filter, setFilter] = useState<HouseholdsFilter>({ targetGroup: null, overdueOnly: false, search: '' });
  const [searchText, setSearchText] = useState('');
  const [households, setHouseholds] = useState<HouseholdListItem[]>([]);
  const [page, setPage] = useState<{ endCursor: string | null; hasNextPage: boolean; totalCount: number } | null>(null);
  const [loading, setLoading] = useState<'first' | 'more' | null>('first');
  const [error, setError] = useState<string | null>(null);
  const [offlineCopyFrom, setOfflineCopyFrom] = useState<string | null>(null);
  const [pendingCount, setPendingCount] = useState(0);
  const [caseload, setCaseload] = useState<CaseloadStatus>(caseloadStatus);
  // Which filter the households on screen answer: an offline copy replaces them for another filter.
  const shownFilterKey = useRef<string | null>(null);
  // Answers to superseded requests (a filter changed meanwhile) are dropped.
  const generation = useRef(0);
  const stale = useRef(true);

  const load = useCallback(
    async (more: boolean) => {
      const ticket = ++generation.current;
      const requestedKey = JSON.stringify(filter);
      setLoading(more ? 'more' : 'first');
      setError(null);
      try {
        const loaded = await loadMyHouseholds(filter, more ? (page?.endCursor ?? null) : null);
        if (ticket !== generation.current) return;
        if (loaded.offlineCopyFrom === null) {
          setHouseholds((current) => (more ? [...current, ...loaded.value.nodes] : loaded.value.nodes));
          setPage({ ...loaded.value.pageInfo, totalCount: loaded.value.totalCount });
          setOfflineCopyFrom(null);
          shownFilterKey.current = requestedKey;
          return;
        }
        setError(describeError(loaded.failure));
        // The offline copy stands in for an empty screen or another filter's list; what the server
        // showed for this filter stays, with the message.
        if (households.length === 0 || shownFilterKey.current !== requestedKey) {
          shownFilterKey.current = requestedKey;
          setHouseholds(loaded.value.nodes);
          setPage({ ...loaded.value.pageInfo, totalCount: loaded.value.totalCount });
          setOfflineCopyFrom(loaded.offlineCopyFrom);
        }
      } catch (caught) {
        if (ticket !== generation.current) return;
        setError(describeError(caught));
        // Nothing to show for this filter: another filter's households would be misleading.
        if (!more && shownFilterKey.current !== requestedKey) {
          shownFilterKey.current = requestedKey;
          setHouseholds([]);
          setPage(null);
          setOfflineCopyFrom(null);
        }
      } finally {
        if (ticket === generation.current) setLoading(null);
        // The marks of old copies age with the clock, and a household opened meanwhile has a newer copy.
        setCaseload(caseloadStatus());
      }
    },
    [filter, page?.endCursor, households.length],
  );

  // A new filter starts the list again from the top.
  const filterKey = JSON.stringify(filter);
  // Signed out, useDidShow (below) goes to the sign-in page: one reLaunch, not two racing.
  useEffect(() => {
    if (getSession()) void load(false);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only the filter restarts the list
  }, [filterKey]);

  useEffect(() => {
    const onCaseloadChanged = () => setCaseload(caseloadStatus());
    onCaseloadChanged();
    Taro.eventCenter.on(CASELOAD_CHANGED_EVENT, onCaseloadChanged);
    return () => void Taro.eventCenter.off(CASELOAD_CHANGED_EVENT, onCaseloadChanged);
  }, []);

  useEffect(() => {
    const refreshPending = () => {
      setPendingCount(outbox.pending().length);
      // A record reached the server: visit dates and open demands have moved.
      stale.current = true;
    };
    refreshPending();
    Taro.eventCenter.on(OUTBOX_CHANGED_EVENT, refreshPending);
    return () => void Taro.eventCenter.off(OUTBOX_CHANGED_EVENT, refreshPending);
  }, []);

  useDidShow(() => {
    if (!requireSession()) return;
    setPendingCount(outbox.pending().length);
    // The first show is covered by the filter effect; later ones reload only after something changed.
    if (stale.current && loading === null) void load(false);
    stale.current = false;
  });

  // Pulling down asks for the list and for the whole offline copy, whenever it was last refreshed.
  usePullDownRefresh(() => {
    void Promise.all([load(false), refreshCaseload({ force: true })]).finally(() => Taro.stopPullDownRefresh());
  });

  useReachBottom(() => {
    if (page?.hasNextPage && loading === null && !error) void load(true);
  });

  const now = Date.now();
  const applySearch = () => setFilter((current) => ({ ...current, search: searchText.trim() }));

  return (
    <View className="households">
      <View className="households__filters">
        <View className="households__search">
          <Input
            className="households__search-input"
            value={searchText}
            placeholder="搜索户主姓名或地址"
            confirmType="search"
            onInput={(event) => setSearchText(event.detail.value)}
            onConfirm={applySearch}
          />
          <Text className="households__search-button" onClick={applySearch}>
            搜索
          </Text>
        </View>
        <View className="households__chips">
          <Text className={`chip ${!filter.targetGroup ? 'chip--on' : ''}`} onClick={() => setFilter((current) => ({ ...current, targetGroup: null }))}>
            全部
          </Text>
          {TARGET_GROUP_OPTIONS.map(({ value: group, label }) => (
            <Text
              key={group}
              className={`chip ${filter.targetGroup === group ? 'chip--on' : ''}`}
              onClick={() => setFilter((current) => ({ ...current, targetGroup: current.targetGroup === group ? null : group }))}
            >
              {label}
            </Text>
          ))}
          <Text
            className={`chip ${filter.overdueOnly ? 'chip--on' : ''}`}
            onClick={() => setFilter((current) => ({ ...current, overdueOnly: !current.overdueOnly }))}
          >
            只看逾期
          </Text>
        </View>
      </View>

      {pendingCount > 0 && (
        <View className="households__banner" onClick={() => void Taro.switchTab({ url: '/pages/mine/index' })}>
          {pendingCount} 条帮扶记录待上传，联网后自动上传
        </View>
      )}
      {offlineCopyFrom && (
        <View className="households__banner households__banner--muted households__offline-copy" onClick={() => void load(false)}>
          {error ?? '网络不可用'} · 显示的是 {formatDateTime(offlineCopyFrom)} 保存在手机上的内容
        </View>
      )}
      {error && !offlineCopyFrom && (
        <View className="households__error" onClick={() => void load(false)}>
          {error}，点此重试
        </View>
      )}

      {page && <View className="households__count muted">共 {page.totalCount} 户，逾期未走访的排在前面</View>}
      <View className="households__offline-age muted">{offlineAgeText(caseload)}</View>

      {households.map((household) => {
        const stale = caseload.refreshedAt ? staleCopyText(caseload.fileSavedAt[household.id], now) : null;
        return (
          <View key={household.id} className="card household-item" onClick={() => void Taro.navigateTo({ url: householdUrl(household.id) })}>
            <View className="household-item__head">
              <Text className="household-item__name">{household.headName}</Text>
              <View className="tags">
                {household.visitOverdue && <Tag tone="danger">逾期</Tag>}
                <TargetGroupTags groups={household.targetGroups} />
                {household.assignmentKind === 'ONE_TO_ONE' && <Tag tone="grey">一对一</Tag>}
              </View>
            </View>
            <View className="muted household-item__address">
              {household.regionName} · {household.address}
            </View>
            <View className="household-item__meta">
              <Text className={household.visitOverdue ? 'household-item__overdue' : ''}>{lastVisitText(household)}</Text>
              <Text className="muted">每 {household.visitIntervalDays} 天走访</Text>
              {household.openDemandCount > 0 ? (
                <Text className="household-item__demands">{household.openDemandCount} 条待办诉求</Text>
              ) : (
                <Text className="muted">无待办诉求</Text>
              )}
              {stale && <Text className="household-item__offline-stale">{stale}</Text>}
            </View>
          </View>
        );
      })}

      {loading === null && page?.totalCount === 0 && <Empty description={isFiltered(filter) ? '没有符合条件的帮扶户' : '暂无联系的帮扶户'} />}
      {loading && <View className="empty-note">加载中…</View>}
      {loading === null && page && households.length > 0 && !page.hasNextPage && <View className="empty-note">已全部显示</View>}
    </View>
  );
}
