import { View } from '@tarojs/components';

/** A field's message, shown right under it; renders nothing when the field is fine. */
export default function FieldError({ message }: { message: string | undefined }) {
  if (!message) return null;
  return <View className="field__error">{message}</View>;
}
