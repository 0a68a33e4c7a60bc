import type { TargetGroup } from '@/graphql/generated/graphql';
import Tag, { type TagTone } from '@/components/tag';
import { label } from '@/services/labels';

const TONES: Record<TargetGroup, TagTone> = {
  PETITIONER: 'red',
  KEY_FOCUS: 'orange',
  HARDSHIP: 'blue',
};

export default function TargetGroupTags({ groups }: { groups: readonly TargetGroup[] }) {
  return (
    <>
      {groups.map((group) => (
        <Tag key={group} tone={TONES[group]}>
          {label('TargetGroup', group)}
        </Tag>
      ))}
    </>
  );
}
