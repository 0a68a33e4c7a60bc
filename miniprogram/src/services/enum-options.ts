import { DemandCategory as DemandCategories, HelpKind as HelpKinds, LABELS_ZH, TargetGroup as TargetGroups } from '@wanjia/shared';
import type { DemandCategory, HelpKind, TargetGroup } from '@/graphql/generated/graphql';

/**
 * The choices screens offer for an enum: every value of @wanjia/shared's enum, in its order, with
 * its label from shared. A value added there shows up in the form and the filters without touching
 * a page; one missing its label fails the typecheck here. Typed as the API's enums, so a value the
 * schema does not know fails the typecheck too.
 */
export interface EnumOption<T extends string> {
  value: T;
  label: string;
}

function optionsOf<T extends string>(values: Record<string, T>, labels: Record<T, string>): readonly EnumOption<T>[] {
  return Object.values(values).map((value) => ({ value, label: labels[value] }));
}

/** The kinds of help a record can say were given (the record form's chips). */
export const HELP_KIND_OPTIONS: readonly EnumOption<HelpKind>[] = optionsOf(HelpKinds, LABELS_ZH.HelpKind);

/** The categories a demand raised on a visit can have (the record form's picker). */
export const DEMAND_CATEGORY_OPTIONS: readonly EnumOption<DemandCategory>[] = optionsOf(DemandCategories, LABELS_ZH.DemandCategory);

/** The target groups the households list can be narrowed to. */
export const TARGET_GROUP_OPTIONS: readonly EnumOption<TargetGroup>[] = optionsOf(TargetGroups, LABELS_ZH.TargetGroup);
