import { useCallback, useState } from 'react';
import { Text, View } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro';
import Tag from '@/components/tag';
import { Empty } from '@/components/ui';
import { formatDateTime } from '@/services/dates';
import { describeError } from '@/services/errors';
import { kindLabel, loadMyReports, proposalSummary, reportRefusal, statusLabel, withdrawReport, type FieldReport } from '@/services/field-reports';
import { requireSession } from '@/services/navigation';
import './index.scss';

const TONE = { PENDING: 'orange', APPROVED: 'green', REJECTED: 'red', WITHDRAWN: 'grey' } as const;

/**
 * 我的变更报告: the cadre's reports, newest first, each with its status (待审核/已采纳/未采纳/已撤回)
 * and the administrator's note or reason; a pending one can be withdrawn. Reports of households the
 * cadre no longer looks after stay listed (by the head's name as reported).
 */
export default function MyReportsPage() {
  const [reports, setReports] = useState<FieldReport[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      setReports((await loadMyReports()).nodes);
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

  async function withdraw(report: FieldReport) {
    const { confirm } = await Taro.showModal({ title: '撤回报告', content: `撤回“${kindLabel(report.kind)}”这份报告？` });
    if (!confirm) return;
    try {
      await withdrawReport(report.id);
      await load();
    } catch (caught) {
      void Taro.showToast({ title: reportRefusal(caught).text, icon: 'none' });
    }
  }

  if (!reports) return <View className="empty-note">{error ?? '加载中…'}</View>;
  return (
    <View className="my-reports">
      {error && <View className="household__banner">{error}</View>}
      {reports.length === 0 && <Empty description="还没有报告过变更" />}
      {reports.map((report) => (
        <View key={report.id} id={`report-${report.id}`} className="card my-reports__item">
          <View className="my-reports__head">
            <Text>
              {report.headName} 户 · {kindLabel(report.kind)}
            </Text>
            <Tag tone={TONE[report.status]}>{statusLabel(report.status)}</Tag>
          </View>
          <View className="my-reports__line">{proposalSummary(report)}</View>
          <View className="muted">报告于 {formatDateTime(report.reportedAt)}</View>
          {report.status === 'APPROVED' && (
            <View className="my-reports__decision">
              已采纳{report.edited ? '（审核时有修改）' : ''}
              {report.decisionNote ? `：${report.decisionNote}` : ''}
            </View>
          )}
          {report.status === 'REJECTED' && <View className="my-reports__decision">未采纳原因：{report.decisionNote}</View>}
          {report.status === 'PENDING' && (
            <Text className="link" onClick={() => void withdraw(report)}>
              撤回
            </Text>
          )}
        </View>
      ))}
    </View>
  );
}
