import { useCallback, useEffect, useState } from 'react';
import { Text, View } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh, useRouter } from '@tarojs/taro';
import Tag from '@/components/tag';
import { Button } from '@/components/ui';
import TargetGroupTags from '@/components/target-group-tags';
import type { HelpRecordFieldsFragment } from '@/graphql/generated/graphql';
import { formatDate, formatDateTime } from '@/services/dates';
import { rememberAwaitingDemands } from '@/services/demands';
import { describeError } from '@/services/errors';
import { reportChangeUrl } from '@/services/field-reports';
import { loadHouseholdFile, type HouseholdFile } from '@/services/household';
import { label } from '@/services/labels';
import { loadHouseholdDemandLoop, rememberLoopDemands, type LoopDemand, type UnitResolution } from '@/services/loop';
import { PENDING_PAGE, confirmDemandUrl, recordDetailUrl, recordUrl, requireSession } from '@/services/navigation';
import type { QueuedConfirmation, QueuedCorrection, QueuedItem as QueuedWrite, QueuedSubmission } from '@/services/outbox';
import { OUTBOX_CHANGED_EVENT, loadEarlierHelpRecords, outbox, rememberHelpRecords } from '@/services/records';
import { AwaitingConfirmationCard, PetitionCasesCard, ResidentsCard } from './file-sections';
import { OpenDemandsCard } from './open-demands';
import { QueuedItem, RecordItem } from './help-record-items';
import './index.scss';

export default function HouseholdPage() {
  const { params } = useRouter();
  const id = params.id ?? '';
  const [household, setHousehold] = useState<HouseholdFile | null>(null);
  const [records, setRecords] = useState<HelpRecordFieldsFragment[]>([]);
  const [recordsPage, setRecordsPage] = useState<{ endCursor?: string | null; hasNextPage: boolean; totalCount: number }>({
    hasNextPage: false,
    totalCount: 0,
  });
  const [queued, setQueued] = useState<QueuedWrite[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [offlineCopyFrom, setOfflineCopyFrom] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [loop, setLoop] = useState<ReadonlyMap<string, LoopDemand>>(new Map());
  const [resolvedByUnit, setResolvedByUnit] = useState<ReadonlyMap<string, UnitResolution>>(new Map());

  // The loop's side of the open demands (referral, timeline), online only: the offline copy is the file's.
  const loadLoop = useCallback(async () => {
    try {
      const { open, resolvedByUnit: resolutions } = await loadHouseholdDemandLoop(id);
      rememberLoopDemands(open);
      setLoop(new Map(open.map((demand) => [demand.id, demand])));
      setResolvedByUnit(resolutions);
    } catch {
      setLoop(new Map());
    }
  }, [id]);

  const load = useCallback(async () => {
    setError(null);
    try {
      const loaded = await loadHouseholdFile(id);
      if (loaded.offlineCopyFrom === null) {
        setHousehold(loaded.value);
        setRecords(loaded.value.helpRecords.nodes);
        rememberHelpRecords(id, loaded.value.helpRecords.nodes, null);
        rememberAwaitingDemands(loaded.value.demandsAwaitingConfirmation);
        setRecordsPage({ ...loaded.value.helpRecords.pageInfo, totalCount: loaded.value.helpRecords.totalCount });
        setOfflineCopyFrom(null);
        void Taro.setNavigationBarTitle({ title: loaded.value.headName });
        void loadLoop();
        return;
      }
      setError(describeError(loaded.failure));
      // Keep what is on screen; with nothing on screen, show the last copy this phone saw.
      const copy = loaded.value;
      setHousehold((current) => current ?? copy);
      setRecords((current) => (current.length > 0 ? current : copy.helpRecords.nodes));
      // The copy's count of the whole history (the list shows its first page); no paging on from a copy.
      setRecordsPage((current) => (current.totalCount > 0 ? current : { endCursor: null, hasNextPage: false, totalCount: copy.helpRecords.totalCount }));
      rememberHelpRecords(id, copy.helpRecords.nodes, null);
      rememberAwaitingDemands(copy.demandsAwaitingConfirmation ?? []);
      setOfflineCopyFrom(loaded.offlineCopyFrom);
    } catch (caught) {
      setError(describeError(caught));
    }
  }, [id, loadLoop]);

  async function loadMore() {
    if (!recordsPage.endCursor) return;
    setLoadingMore(true);
    try {
      const earlier = await loadEarlierHelpRecords(id, recordsPage.endCursor);
      const known = new Set(records.map((record) => record.id));
      setRecords([...records, ...earlier.nodes.filter((record) => !known.has(record.id))]);
      setRecordsPage({ ...earlier.pageInfo, totalCount: earlier.totalCount });
    } catch (caught) {
      void Taro.showToast({ title: describeError(caught), icon: 'none' });
    } finally {
      setLoadingMore(false);
    }
  }

  useEffect(() => {
    let waiting = outbox.forHousehold(id).length;
    const onOutboxChanged = () => {
      const now = outbox.forHousehold(id);
      setQueued(now);
      // One of ours left the queue, so it is on the server now: show it in the history.
      if (now.length < waiting) void load();
      waiting = now.length;
    };
    setQueued(outbox.forHousehold(id));
    Taro.eventCenter.on(OUTBOX_CHANGED_EVENT, onOutboxChanged);
    return () => void Taro.eventCenter.off(OUTBOX_CHANGED_EVENT, onOutboxChanged);
  }, [id, load]);

  // Also on coming back from the form: the new record (or its queued copy) shows at once.
  useDidShow(() => {
    if (!requireSession()) return;
    setQueued(outbox.forHousehold(id));
    void load();
  });

  usePullDownRefresh(() => {
    void load().finally(() => Taro.stopPullDownRefresh());
  });

  if (!household) {
    return <View className="empty-note">{error ?? '加载中…'}</View>;
  }

  const queuedRecords = queued.filter((item): item is QueuedSubmission => item.kind === 'submission');
  const queuedCorrections = queued.filter((item): item is QueuedCorrection => item.kind === 'correction');
  const queuedConfirmations = queued.filter((item): item is QueuedConfirmation => item.kind === 'confirmation');
  const refusedCount = queued.filter((item) => item.state === 'refused').length;
  const headName = household.headName;

  return (
    <View className="household">
      {offlineCopyFrom && <View className="household__banner">网络不可用，显示的是 {formatDateTime(offlineCopyFrom)} 的内容</View>}
      {error && !offlineCopyFrom && <View className="household__banner">{error}</View>}
      {refusedCount > 0 && (
        <View className="household__banner household__pending" onClick={() => void Taro.navigateTo({ url: PENDING_PAGE })}>
          该户有 {refusedCount} 条记录被退回，待处理 ›
        </View>
      )}

      <View className="card">
        <View className="household__name-row">
          <Text className="household__name">{household.headName}</Text>
          <View className="tags">
            <TargetGroupTags groups={household.targetGroups} />
            {household.status !== 'ACTIVE' && <Tag tone="grey">{label('HouseholdStatus', household.status)}</Tag>}
          </View>
        </View>
        <View className="muted">
          {household.region.name} · {household.address}
        </View>
        {household.phone && (
          <View className="link household__phone" onClick={() => void Taro.makePhoneCall({ phoneNumber: household.phone ?? '' })}>
            电话 {household.phone}
          </View>
        )}
        {household.hardshipReasons.length > 0 && (
          <View className="household__line">困难原因：{household.hardshipReasons.map((reason) => label('HardshipReason', reason)).join('、')}</View>
        )}
        <View className="household__line">最近走访：{household.lastVisitAt ? formatDate(household.lastVisitAt) : '尚未走访'}</View>
      </View>

      <ResidentsCard residents={household.residents} />
      <OpenDemandsCard householdId={household.id} headName={headName} demands={household.openDemands} loop={loop} onChanged={() => void load()} />
      <AwaitingConfirmationCard
        demands={household.demandsAwaitingConfirmation}
        queued={queuedConfirmations}
        resolvedByUnit={resolvedByUnit}
        onOpen={(demandId) => {
          const answer = queuedConfirmations.find((item) => item.input.demandId === demandId);
          // An answer already recorded opens as it is (a refused one to fix); otherwise a new answer.
          const url = answer
            ? `${confirmDemandUrl(id, headName, demandId)}&queued=${encodeURIComponent(answer.clientId)}`
            : confirmDemandUrl(id, headName, demandId);
          void Taro.navigateTo({ url });
        }}
      />
      <PetitionCasesCard cases={household.petitionCases} />

      <View className="card">
        <View className="card__title">帮扶记录（{recordsPage.totalCount + queuedRecords.length}）</View>
        {queuedRecords.map((record) => (
          <QueuedItem key={record.clientId} record={record} />
        ))}
        {records.length === 0 && queuedRecords.length === 0 && <View className="empty-note">还没有帮扶记录</View>}
        {records.map((record) => (
          <RecordItem
            key={record.id}
            record={record}
            queuedCorrections={queuedCorrections.filter((correction) => correction.recordId === record.id)}
            onOpen={() => void Taro.navigateTo({ url: recordDetailUrl(id, headName, record.id) })}
          />
        ))}
        {recordsPage.hasNextPage && (
          <View className="household__more link" onClick={() => void loadMore()}>
            {loadingMore ? '加载中…' : '查看更早的记录'}
          </View>
        )}
      </View>

      <View className="household__actions">
        <Button type="primary" block onClick={() => void Taro.navigateTo({ url: recordUrl(household.id, household.headName) })}>
          记录帮扶
        </Button>
        {/* 报告变更: what changed in the household (phone, members, address…), for an administrator to approve. */}
        <Button block className="household__report" onClick={() => void Taro.navigateTo({ url: reportChangeUrl(household.id, household.headName) })}>
          报告变更
        </Button>
      </View>
    </View>
  );
}
