import { useState } from 'react';
import { Textarea, View } from '@tarojs/components';
import Field from '@/components/field';
import { Button } from '@/components/ui';
import { checkText } from '@/services/loop-actions';

export interface TextActionProps {
  /** A class for the block (tests and styles find it by it). */
  className: string;
  label: string;
  placeholder: string;
  max: number;
  submitText: string;
  /** Sends the checked text; answers an error message to show, or null when done. */
  onSubmit(text: string): Promise<string | null>;
  onCancel(): void;
  danger?: boolean;
}

/** A text the cadre must write before an action (a return's reason, a progress note, a resolution). */
export default function TextAction({ className, label, placeholder, max, submitText, onSubmit, onCancel, danger }: TextActionProps) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  async function submit() {
    if (busy) return;
    const checked = checkText(text, max, label);
    if ('error' in checked) {
      setError(checked.error);
      return;
    }
    setBusy(true);
    try {
      const refused = await onSubmit(checked.value);
      setError(refused ?? undefined);
    } finally {
      setBusy(false);
    }
  }

  return (
    <View className={`text-action ${className}`}>
      <Field id={`${className}-field`} label={label} error={error}>
        <Textarea
          className="textarea text-action__text"
          value={text}
          maxlength={max + 100}
          placeholder={placeholder}
          onInput={(event) => {
            setText(event.detail.value);
            setError(undefined);
          }}
        />
        <View className="text-action__counter muted">
          {text.trim().length}/{max}
        </View>
      </Field>
      <View className="text-action__buttons">
        <Button size="small" onClick={onCancel} disabled={busy}>
          取消
        </Button>
        <Button size="small" type={danger ? 'danger' : 'primary'} className="text-action__submit" loading={busy} disabled={busy} onClick={() => void submit()}>
          {submitText}
        </Button>
      </View>
    </View>
  );
}
