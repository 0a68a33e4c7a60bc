import { Textarea, View } from '@tarojs/components';
import Field from '@/components/field';
import { MAX_SUMMARY } from '../form';

/** What the cadre learnt and did, with a count against the limit (the textarea lets a little more in, to be trimmed). */
export default function SummaryField({ summary, error, onInput }: { summary: string; error: string | undefined; onInput(summary: string): void }) {
  return (
    <Field id="field-summary" label="帮扶情况" hint="了解到什么、做了什么" error={error}>
      <Textarea
        className="textarea record-form__summary"
        value={summary}
        maxlength={MAX_SUMMARY + 200}
        placeholder="例如：入户走访，了解到老人腿脚不便，已协调社区送医上门……"
        onInput={(event) => onInput(event.detail.value)}
      />
      <View className="record-form__counter muted">
        {summary.trim().length}/{MAX_SUMMARY}
      </View>
    </Field>
  );
}
