import { Text, View } from '@tarojs/components';
import Field from '@/components/field';
import type { HelpKind } from '@/graphql/generated/graphql';
import { HELP_KIND_OPTIONS } from '@/services/enum-options';

/** The kinds of help given on this visit, as chips: every kind the campaign knows. */
export default function KindsField({ kinds, error, onToggle }: { kinds: readonly HelpKind[]; error: string | undefined; onToggle(kind: HelpKind): void }) {
  return (
    <Field id="field-kinds" label="帮扶方式" error={error}>
      <View>
        {HELP_KIND_OPTIONS.map(({ value, label }) => (
          <Text key={value} className={`chip ${kinds.includes(value) ? 'chip--on' : ''}`} onClick={() => onToggle(value)}>
            {label}
          </Text>
        ))}
      </View>
    </Field>
  );
}
