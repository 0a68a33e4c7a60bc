import { registerEnumType } from 'type-graphql';

/**
 * The bulk runs' own vocabulary (issue 16, "A new round"). The run's state is the shared
 * BulkRunState (shared/src/intake.ts); these say what a run does and what became of each item, and
 * are registered here because nothing outside this feature (the mini-program included) uses them.
 */

/** What a run does. */
export enum BulkRunKind {
  /** 新一轮结对: carries pairings and assignments of one round into the next. */
  ROUND_ROLLOVER = 'ROUND_ROLLOVER',
  /** 批量调整联系干部: moves a set of households from one cadre (or unit) to others. */
  BULK_REASSIGNMENT = 'BULK_REASSIGNMENT',
}

/** What a rollover carries into the new round. */
export enum RolloverCarry {
  PAIRINGS = 'PAIRINGS',
  ASSIGNMENTS = 'ASSIGNMENTS',
  BOTH = 'BOTH',
}

/** What an item of a run stands for: the existing row the run acts on. */
export enum BulkRunSubject {
  UNIT_PAIRING = 'UNIT_PAIRING',
  ASSIGNMENT = 'ASSIGNMENT',
  /** Reassignment: a listed household with nothing to move (its item says so). */
  HOUSEHOLD = 'HOUSEHOLD',
}

/** Where an item stands: still to do, done (its new row written), or skipped with a reason. */
export enum BulkRunItemOutcome {
  PENDING = 'PENDING',
  DONE = 'DONE',
  SKIPPED = 'SKIPPED',
}

/** Why an item is not carried or moved, by the plan or, the world having changed since, by the run. */
export enum BulkRunSkipReason {
  CADRE_INACTIVE = 'CADRE_INACTIVE',
  CADRE_OVER_CAPACITY = 'CADRE_OVER_CAPACITY',
  /** The cadre's unit is neither in the administrator's subtree nor above the household. */
  CADRE_OUT_OF_REACH = 'CADRE_OUT_OF_REACH',
  HOUSEHOLD_LIFTED = 'HOUSEHOLD_LIFTED',
  HOUSEHOLD_MOVED_AWAY = 'HOUSEHOLD_MOVED_AWAY',
  HOUSEHOLD_CLOSED = 'HOUSEHOLD_CLOSED',
  /** The pairing's place is no longer a village or community (the tree was reshaped). */
  PLACE_NOT_VILLAGE = 'PLACE_NOT_VILLAGE',
  /** The pairing's unit is neither in the administrator's subtree nor above the place. */
  UNIT_OUT_OF_REACH = 'UNIT_OUT_OF_REACH',
  /** The new round already has this pairing, or the household already has a cadre in it. */
  ALREADY_CARRIED = 'ALREADY_CARRIED',
  /** The pairing or assignment has ended (or was transferred) since the plan. */
  NO_LONGER_ACTIVE = 'NO_LONGER_ACTIVE',
  /** Reassignment: the household is already with the cadre it would move to. */
  ALREADY_WITH_CADRE = 'ALREADY_WITH_CADRE',
  /** Reassignment: a listed household has no active assignment to move. */
  NO_ACTIVE_ASSIGNMENT = 'NO_ACTIVE_ASSIGNMENT',
  /** Reassignment spread by capacity: none of the receiving cadres has room left. */
  NO_CADRE_WITH_ROOM = 'NO_CADRE_WITH_ROOM',
}

/** The labels office workers read (the playground shows them beside the codes). */
export const BULK_RUN_LABELS_ZH = {
  BulkRunKind: {
    [BulkRunKind.ROUND_ROLLOVER]: '新一轮结对结转',
    [BulkRunKind.BULK_REASSIGNMENT]: '批量调整联系干部',
  },
  BulkRunSkipReason: {
    [BulkRunSkipReason.CADRE_INACTIVE]: '干部已停用',
    [BulkRunSkipReason.CADRE_OVER_CAPACITY]: '干部联系户数已达上限',
    [BulkRunSkipReason.CADRE_OUT_OF_REACH]: '干部所在单位不在本级管理范围内',
    [BulkRunSkipReason.HOUSEHOLD_LIFTED]: '该户已脱困',
    [BulkRunSkipReason.HOUSEHOLD_MOVED_AWAY]: '该户已迁走',
    [BulkRunSkipReason.HOUSEHOLD_CLOSED]: '该户已销户',
    [BulkRunSkipReason.PLACE_NOT_VILLAGE]: '结对地点已不是村或社区',
    [BulkRunSkipReason.UNIT_OUT_OF_REACH]: '结对单位不在本级管理范围内',
    [BulkRunSkipReason.ALREADY_CARRIED]: '新一轮中已有该结对或联系',
    [BulkRunSkipReason.NO_LONGER_ACTIVE]: '计划后已结束或已调整',
    [BulkRunSkipReason.ALREADY_WITH_CADRE]: '已由该干部联系',
    [BulkRunSkipReason.NO_ACTIVE_ASSIGNMENT]: '该户当前没有联系干部',
    [BulkRunSkipReason.NO_CADRE_WITH_ROOM]: '接收干部联系户数均已达上限',
  },
} as const;

registerEnumType(BulkRunKind, { name: 'BulkRunKind', description: 'What a bulk run does.' });
registerEnumType(RolloverCarry, { name: 'RolloverCarry', description: 'What a round rollover carries into the new round.' });
registerEnumType(BulkRunSubject, { name: 'BulkRunSubject', description: 'The kind of existing row a bulk run item acts on.' });
registerEnumType(BulkRunItemOutcome, { name: 'BulkRunItemOutcome', description: 'Where a bulk run item stands.' });
registerEnumType(BulkRunSkipReason, { name: 'BulkRunSkipReason', description: 'Why a bulk run item is not carried or moved.' });
