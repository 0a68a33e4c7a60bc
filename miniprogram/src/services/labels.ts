import { LABELS_ZH } from '@wanjia/shared';

/** The Chinese label of an enum value the API sent (its generated type is a plain string union). */
export function label(kind: keyof typeof LABELS_ZH, value: string): string {
  return (LABELS_ZH[kind] as Record<string, string>)[value] ?? value;
}
