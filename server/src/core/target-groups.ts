import { TargetGroup } from '@wanjia/shared';

/**
 * The three target groups (对象类别) are three flags on a household. These are their names in each
 * place the code meets them: the entity property, the table column, and the bit in the analytics
 * summaries' `target_groups` mask.
 */
export const TARGET_GROUP_PROPERTY = {
  [TargetGroup.HARDSHIP]: 'isHardship',
  [TargetGroup.KEY_FOCUS]: 'isKeyFocus',
  [TargetGroup.PETITIONER]: 'isPetitioner',
} as const satisfies Record<TargetGroup, string>;

export const TARGET_GROUP_COLUMN = {
  [TargetGroup.HARDSHIP]: 'is_hardship',
  [TargetGroup.KEY_FOCUS]: 'is_key_focus',
  [TargetGroup.PETITIONER]: 'is_petitioner',
} as const satisfies Record<TargetGroup, string>;

/** The raw-SQL condition that the household row `alias` is in the group, e.g. `ho.is_hardship = 1`. */
export function inTargetGroupSql(alias: string, group: TargetGroup): string {
  return `${alias}.${TARGET_GROUP_COLUMN[group]} = 1`;
}

export const TARGET_GROUP_BIT = {
  [TargetGroup.HARDSHIP]: 1,
  [TargetGroup.KEY_FOCUS]: 2,
  [TargetGroup.PETITIONER]: 4,
} as const satisfies Record<TargetGroup, number>;

/** A household's flags as raw SQL rows give them (0/1, true/false, '0'/'1'), as a `target_groups` mask. */
export function targetGroupMask(flags: { is_hardship: unknown; is_key_focus: unknown; is_petitioner: unknown }): number {
  return (
    (Number(flags.is_hardship) ? TARGET_GROUP_BIT[TargetGroup.HARDSHIP] : 0) |
    (Number(flags.is_key_focus) ? TARGET_GROUP_BIT[TargetGroup.KEY_FOCUS] : 0) |
    (Number(flags.is_petitioner) ? TARGET_GROUP_BIT[TargetGroup.PETITIONER] : 0)
  );
}
