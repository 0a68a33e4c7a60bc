import type { ReactNode } from 'react';
import { Text, View } from '@tarojs/components';
import FieldError from '@/components/field-error';

export interface FieldProps {
  /** The element id, which scrolling to a field with a message aims at. */
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  /** The message shown under the field; the field is drawn as invalid while there is one. */
  error: string | undefined;
  children?: ReactNode;
}

/** A form field: its label (with a grey hint), its input, and its message right under it. */
export default function Field({ id, label, hint, error, children }: FieldProps) {
  return (
    <View id={id} className={`field ${error ? 'field--invalid' : ''}`}>
      <View className="field__label">
        {label}
        {hint !== undefined && <Text className="field__hint">{hint}</Text>}
      </View>
      {children}
      <FieldError message={error} />
    </View>
  );
}
