import { Picker, View } from '@tarojs/components';
import Field from '@/components/field';
import { formatDate } from '@/services/dates';

interface OccurredAtFieldProps {
  /** Shanghai wall-clock date ("2026-11-28") and time ("14:05"). */
  date: string;
  time: string;
  error: string | undefined;
  onChange(patch: { date: string } | { time: string }): void;
}

/** When the help happened: a date no later than today, and a time. */
export default function OccurredAtField({ date, time, error, onChange }: OccurredAtFieldProps) {
  return (
    <Field id="field-occurred-at" label="时间" error={error}>
      <View className="record-form__when">
        <Picker mode="date" value={date} end={formatDate(new Date())} onChange={(event) => onChange({ date: String(event.detail.value) })}>
          <View className="input record-form__picker">{date}</View>
        </Picker>
        <Picker mode="time" value={time} onChange={(event) => onChange({ time: String(event.detail.value) })}>
          <View className="input record-form__picker">{time}</View>
        </Picker>
      </View>
    </Field>
  );
}
