import { Text, View } from '@tarojs/components';
import { formatDateTime } from '@/services/dates';
import { describeEvent, type DemandEvent } from '@/services/loop';

/**
 * A demand's every step, oldest first, as the server keeps them: what happened (交办 to which unit, by
 * when; 超期督办 at which rung; the household's answer), the note, and who (the server's actorLabel:
 * "干部 张三", "平山区民政局 联络员 李四", "系统"; never an ID number or phone).
 */
export default function DemandTimeline({ events }: { events: readonly DemandEvent[] }) {
  if (events.length === 0) return <View className="muted">暂无办理记录</View>;
  return (
    <View className="timeline">
      {events.map((event) => {
        const step = describeEvent(event);
        return (
          <View key={event.id} className={`timeline__step timeline__step--${event.kind.toLowerCase()}`}>
            <View className="timeline__dot" />
            <View className="timeline__body">
              <View className="timeline__title">{step.title}</View>
              {step.detail && <View className="timeline__note">{step.detail}</View>}
              <Text className="muted">
                {formatDateTime(event.at)} · {step.actor}
              </Text>
            </View>
          </View>
        );
      })}
    </View>
  );
}
