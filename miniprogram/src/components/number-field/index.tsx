import { Input } from '@tarojs/components';
import Field from '@/components/field';

export interface NumberFieldProps {
  id: string;
  label: string;
  unit: string;
  /** digit: amounts with decimals; number: whole counts. */
  type: 'digit' | 'number';
  value: string;
  placeholder: string;
  error: string | undefined;
  onInput(value: string): void;
}

/** A labelled numeric input with its unit and its message: the record form's amounts and counts. */
export default function NumberField({ id, label, unit, type, value, placeholder, error, onInput }: NumberFieldProps) {
  return (
    <Field id={id} label={label} hint={unit} error={error}>
      <Input className="input" type={type} value={value} placeholder={placeholder} onInput={(event) => onInput(event.detail.value)} />
    </Field>
  );
}
