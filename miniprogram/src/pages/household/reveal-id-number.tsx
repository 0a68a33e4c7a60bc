import { useState } from 'react';
import { Text, Textarea, View } from '@tarojs/components';
import { Button } from '@/components/ui';
import FieldError from '@/components/field-error';
import { ApiError, describeError, refusalText } from '@/services/errors';
import { MAX_REVEAL_REASON, REVEAL_REASONS, checkRevealReason, revealIdNumber } from '@/services/residents';

const OTHER = '其他';

/**
 * "查看完整身份证号": the cadre states why (a common reason or their own words), the server records the
 * reveal with the reason (已留痕) and answers the number, which lives in this component's state only:
 * not cached, not stored, gone when the screen closes.
 */
export default function RevealIdNumber({ residentId }: { residentId: string }) {
  const [open, setOpen] = useState(false);
  const [choice, setChoice] = useState<string | null>(null);
  const [ownReason, setOwnReason] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [asking, setAsking] = useState(false);
  const [revealed, setRevealed] = useState<{ idNumber: string | null; reason: string } | null>(null);

  const reason = choice === OTHER ? ownReason : (choice ?? '');

  async function reveal() {
    const problem = choice === null ? '请选择或填写查看原因' : checkRevealReason(reason);
    if (problem) {
      setError(problem);
      return;
    }
    setAsking(true);
    setError(undefined);
    try {
      setRevealed({ idNumber: await revealIdNumber(residentId, reason), reason: reason.trim() });
      setOpen(false);
    } catch (caught) {
      setError(caught instanceof ApiError ? `${describeError(caught)}：${refusalText(caught)}` : describeError(caught));
    } finally {
      setAsking(false);
    }
  }

  if (revealed) {
    return (
      <View className="resident__revealed">
        <View className="resident__id-full">身份证 {revealed.idNumber ?? '（未登记）'}</View>
        <View className="muted">已留痕：本次查看已记录（原因：{revealed.reason}）</View>
        <Text className="link" onClick={() => setRevealed(null)}>
          隐藏
        </Text>
      </View>
    );
  }

  if (!open) {
    return (
      <Text className="link resident__reveal" onClick={() => setOpen(true)}>
        查看完整身份证号
      </Text>
    );
  }

  return (
    <View className="resident__reveal-panel">
      <View className="muted">查看原因（将记录在案）</View>
      <View>
        {[...REVEAL_REASONS, OTHER].map((option) => (
          <Text
            key={option}
            className={`chip resident__reveal-reason ${choice === option ? 'chip--on' : ''}`}
            onClick={() => {
              setChoice(option);
              setError(undefined);
            }}
          >
            {option}
          </Text>
        ))}
      </View>
      {choice === OTHER && (
        <Textarea
          className="textarea resident__reveal-text"
          value={ownReason}
          maxlength={MAX_REVEAL_REASON}
          placeholder="请写明为什么需要查看完整身份证号"
          onInput={(event) => {
            setOwnReason(event.detail.value);
            setError(undefined);
          }}
        />
      )}
      <FieldError message={error} />
      <View className="resident__reveal-actions">
        <Button size="small" type="primary" className="resident__reveal-submit" loading={asking} disabled={asking} onClick={() => void reveal()}>
          确定查看
        </Button>
        <Text className="link" onClick={() => setOpen(false)}>
          取消
        </Text>
      </View>
    </View>
  );
}
