import type { ReactNode } from 'react';
import { Tag as NutTag } from '@/components/ui';

/** The few tag styles the app uses, in its own colours (NutUI's plain tags follow its theme gradient). */
const TONES = {
  danger: { background: '#d93026', color: '#ffffff', plain: false },
  warning: { background: '#e37318', color: '#ffffff', plain: false },
  red: { background: '#d93026', color: '#d93026', plain: true },
  orange: { background: '#e37318', color: '#e37318', plain: true },
  blue: { background: '#1f6fd1', color: '#1f6fd1', plain: true },
  green: { background: '#2ba471', color: '#2ba471', plain: true },
  grey: { background: '#8a9099', color: '#5c6370', plain: true },
} as const;

export type TagTone = keyof typeof TONES;

export default function Tag({ tone, children }: { tone: TagTone; children: ReactNode }) {
  const { background, color, plain } = TONES[tone];
  return (
    <NutTag className="app-tag" background={background} color={color} plain={plain}>
      {children}
    </NutTag>
  );
}
