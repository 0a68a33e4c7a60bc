import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Text, View } from '@tarojs/components';
import Taro, { useDidShow, useRouter } from '@tarojs/taro';
import { formatFen } from '@wanjia/shared';
import PhotoThumbs from '@/components/photo-thumbs';
import Tag from '@/components/tag';
import { Button } from '@/components/ui';
import type { HelpRecordVersionFieldsFragment } from '@/graphql/generated/graphql';
import { queuedCorrectionsOf } from '@/services/corrections';
import { formatDateTime } from '@/services/dates';
import { describeError } from '@/services/errors';
import { loadHouseholdFile } from '@/services/household';
import { label } from '@/services/labels';
import { correctionUrl, queuedItemUrl, requireSession } from '@/services/navigation';
import type { QueuedCorrection } from '@/services/outbox';
import { OUTBOX_CHANGED_EVENT, loadHelpRecordWithVersions, seenHelpRecord, type HelpRecord } from '@/services/records';
import './index.scss';

function Row({ name, children }: { name: string; children: ReactNode }) {
  return (
    <View className="record-detail__row">
      <Text className="record-detail__label">{name}</Text>
      <View className="record-detail__value">{children}</View>
    </View>
  );
}

/** What a version says: the fields every version has (the current one and each earlier one). */
function Content({ version }: { version: Omit<HelpRecordVersionFieldsFragment, 'id' | 'createdAt' | 'versionNumber'> }) {
  const located = version.latitude != null && version.longitude != null;
  return (
    <>
      <Row name="时间">{formatDateTime(version.occurredAt)}</Row>
      <Row name="帮扶方式">{version.kinds.map((kind) => label('HelpKind', kind)).join('、')}</Row>
      <Row name="帮扶情况">
        <Text className="record-detail__summary">{version.summary}</Text>
      </Row>
      <Row name="资金">{formatFen(version.fundsFen)}</Row>
      <Row name="物资价值">{formatFen(version.materialsFen)}</Row>
      <Row name="解决问题">{version.problemsSolved} 件</Row>
      <Row name="位置">
        {located ? (
          <Text
            className="link"
            onClick={() => void Taro.openLocation({ latitude: version.latitude ?? 0, longitude: version.longitude ?? 0, scale: 16 }).catch(() => undefined)}
          >
            {version.latitude?.toFixed(5)}, {version.longitude?.toFixed(5)}（查看地图）
          </Text>
        ) : (
          <Text className="muted">未记录</Text>
        )}
      </Row>
      <Row name="照片">{version.photoIds.length > 0 ? <PhotoThumbs ids={version.photoIds} /> : <Text className="muted">无</Text>}</Row>
    </>
  );
}

/**
 * One help record as the server holds it (its latest version): every field, its photos, the demands
 * it raised and resolved, 已更正 with its earlier versions, and 更正 when the server says the cadre may
 * (their own record, within the grace period). Opened from the household's history.
 */
export default function RecordDetailPage() {
  const { params } = useRouter();
  const householdId = params.householdId ?? '';
  const headName = decodeURIComponent(params.name ?? '');
  const recordId = params.id ?? '';
  const seen = seenHelpRecord(recordId);
  const [record, setRecord] = useState<HelpRecord | null>(seen?.record ?? null);
  const [earlierVersions, setEarlierVersions] = useState<HelpRecordVersionFieldsFragment[] | null>(null);
  const [superseded, setSuperseded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [showVersions, setShowVersions] = useState(false);
  const [queued, setQueued] = useState<QueuedCorrection[]>(() => queuedCorrectionsOf(recordId));

  const load = useCallback(async () => {
    setError(null);
    try {
      const fresh = await loadHelpRecordWithVersions(householdId, recordId, seenHelpRecord(recordId)?.after ?? null);
      if (!fresh) {
        setSuperseded(true);
        return;
      }
      const { earlierVersions: versions, ...latest } = fresh;
      setRecord(latest);
      setEarlierVersions(versions);
    } catch (caught) {
      setError(describeError(caught));
      // Not shown in this run (the h5 page was reloaded) and the versions cannot be had: the file's history
      // (or its offline copy) still has the record itself.
      if (!seenHelpRecord(recordId)) {
        const loaded = await loadHouseholdFile(householdId).catch(() => null);
        const found = loaded?.value.helpRecords.nodes.find((candidate) => candidate.id === recordId);
        if (found) setRecord(found);
      }
    }
  }, [householdId, recordId]);

  useEffect(() => {
    const onOutboxChanged = () => setQueued(queuedCorrectionsOf(recordId));
    Taro.eventCenter.on(OUTBOX_CHANGED_EVENT, onOutboxChanged);
    return () => void Taro.eventCenter.off(OUTBOX_CHANGED_EVENT, onOutboxChanged);
  }, [recordId]);

  // Again on coming back from 更正: the record may have a new version now.
  useDidShow(() => {
    if (!requireSession()) return;
    setQueued(queuedCorrectionsOf(recordId));
    void load();
  });

  if (!record) {
    return <View className="empty-note">{error ?? '加载中…'}</View>;
  }

  const pendingCorrection = queued.find((item) => item.state === 'pending');
  const refusedCorrection = queued.find((item) => item.state === 'refused');
  return (
    <View className="record-detail">
      {superseded && <View className="record-detail__banner">这条记录已有更新的版本，请返回户详情查看最新内容。</View>}
      {error && <View className="record-detail__banner">{error}（显示的是之前加载的内容）</View>}
      {pendingCorrection && <View className="record-detail__banner record-detail__banner--queued">更正待上传：联网后自动上传</View>}
      {refusedCorrection && (
        <View className="record-detail__banner record-detail__banner--refused" onClick={() => void Taro.navigateTo({ url: queuedItemUrl(refusedCorrection) })}>
          更正被退回：{refusedCorrection.lastError}。点此修改后重新提交 ›
        </View>
      )}

      <View className="card">
        <View className="card__title">
          <Text>{headName} 户 · 帮扶记录</Text>
          <View className="tags">
            {record.corrected && <Tag tone="blue">已更正</Tag>}
            <Text className="muted">第 {record.versionNumber} 版</Text>
          </View>
        </View>
        <Row name="记录人">{record.cadre.name}</Row>
        <Content version={record} />
      </View>

      <View className="card">
        <View className="card__title">诉求</View>
        {record.demandsRaised.length === 0 && record.demandsResolved.length === 0 && <View className="muted">本次未记录诉求</View>}
        {record.demandsRaised.map((demand) => (
          <View key={demand.id} className="record-detail__demand">
            <Text className="record-detail__raised">
              听取：【{label('DemandCategory', demand.category)}】{demand.text}
            </Text>
            <Text className="muted"> · {label('DemandStatus', demand.status)}</Text>
          </View>
        ))}
        {record.demandsResolved.map((demand) => (
          <View key={demand.id} className="record-detail__demand">
            <Text className="record-detail__resolved">
              解决：【{label('DemandCategory', demand.category)}】{demand.text}
            </Text>
            <Text className="muted"> · {label('DemandStatus', demand.status)}</Text>
          </View>
        ))}
      </View>

      {record.corrected && (
        <View className="card">
          <View className="record-detail__versions-toggle link" onClick={() => setShowVersions(!showVersions)}>
            {showVersions ? '收起历史版本' : '查看历史版本'}
          </View>
          {showVersions && earlierVersions === null && <View className="muted">{error ? '联网后可查看历史版本' : '加载中…'}</View>}
          {showVersions &&
            earlierVersions?.map((version) => (
              <View key={version.id} className="record-detail__version">
                <View className="record-detail__version-title">
                  第 {version.versionNumber} 版 · {formatDateTime(version.createdAt)} 保存
                </View>
                <Content version={version} />
              </View>
            ))}
        </View>
      )}

      {record.correctable && !superseded && (
        <View className="record-detail__actions">
          <Button
            type="primary"
            block
            className="record-detail__correct"
            disabled={Boolean(pendingCorrection)}
            onClick={() => void Taro.navigateTo({ url: correctionUrl(householdId, headName, record.id) })}
          >
            {pendingCorrection ? '更正待上传' : '更正'}
          </Button>
        </View>
      )}
    </View>
  );
}
