/**
 * Getting the campaign's data in and out (issue 16): screening-list imports (排查), changes reported
 * from the field, a new round's carry-over and bulk reassignment, and the offices' record lists.
 */

/** What an import file holds: one template per kind. */
export enum ImportKind {
  /** 困难户/重点人员/信访人 and their members: one row per person, the household's columns repeated. */
  HOUSEHOLDS = 'HOUSEHOLDS',
  PETITION_CASES = 'PETITION_CASES',
  CADRES = 'CADRES',
  UNIT_PAIRINGS = 'UNIT_PAIRINGS',
  ASSIGNMENTS = 'ASSIGNMENTS',
}

/** uploaded → (checking) → checked → (committing) → committed / failed / cancelled. */
export enum ImportState {
  UPLOADED = 'UPLOADED',
  CHECKING = 'CHECKING',
  CHECKED = 'CHECKED',
  COMMITTING = 'COMMITTING',
  COMMITTED = 'COMMITTED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}

/** What an exact duplicate (same ID number, same natural key) in the importer's scope does. */
export enum ImportMode {
  /** Refused: the row is reported and nothing is written for it. */
  CREATE_ONLY = 'CREATE_ONLY',
  /** The existing record is updated from the row. */
  UPDATE_EXISTING = 'UPDATE_EXISTING',
}

export enum ImportProblemSeverity {
  /** The row is not written. */
  ERROR = 'ERROR',
  /** The row is written only once the importer accepts it (likely duplicates, elsewhere in the city). */
  WARNING = 'WARNING',
}

/** What a cadre found on a visit and proposes to change (现场变更报告). */
export enum FieldReportKind {
  PHONE_CHANGED = 'PHONE_CHANGED',
  MEMBER_BORN = 'MEMBER_BORN',
  MEMBER_DIED = 'MEMBER_DIED',
  MEMBER_MOVED_OUT = 'MEMBER_MOVED_OUT',
  HOUSEHOLD_MOVED = 'HOUSEHOLD_MOVED',
  HARDSHIP_ENDED = 'HARDSHIP_ENDED',
  NEW_HOUSEHOLD = 'NEW_HOUSEHOLD',
}

export enum FieldReportStatus {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  WITHDRAWN = 'WITHDRAWN',
}

/** Why a member is no longer in the household; the member stays on its file (history, not deletes). */
export enum ResidentDeparture {
  DIED = 'DIED',
  MOVED_OUT = 'MOVED_OUT',
}

/** A new round's carry-over and a bulk reassignment: planned (dry run), then one resumable run. */
export enum BulkRunState {
  PLANNED = 'PLANNED',
  RUNNING = 'RUNNING',
  DONE = 'DONE',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}

/** The record lists the offices download (not figures: one line per household, demand or cadre). */
export enum RecordList {
  OVERDUE_VISITS = 'OVERDUE_VISITS',
  OPEN_DEMANDS = 'OPEN_DEMANDS',
  OVERDUE_DEMANDS = 'OVERDUE_DEMANDS',
  COVERAGE_GAPS = 'COVERAGE_GAPS',
  CADRE_CASELOAD = 'CADRE_CASELOAD',
  UNIT_CASELOAD = 'UNIT_CASELOAD',
  IMPORT_PROBLEMS = 'IMPORT_PROBLEMS',
}

export const INTAKE_LABELS_ZH = {
  ImportKind: {
    [ImportKind.HOUSEHOLDS]: '帮扶对象户及家庭成员',
    [ImportKind.PETITION_CASES]: '信访案件',
    [ImportKind.CADRES]: '党员干部',
    [ImportKind.UNIT_PAIRINGS]: '单位结对',
    [ImportKind.ASSIGNMENTS]: '干部联系户',
  },
  ImportState: {
    [ImportState.UPLOADED]: '已上传',
    [ImportState.CHECKING]: '检查中',
    [ImportState.CHECKED]: '已检查',
    [ImportState.COMMITTING]: '导入中',
    [ImportState.COMMITTED]: '已导入',
    [ImportState.FAILED]: '失败',
    [ImportState.CANCELLED]: '已取消',
  },
  ImportMode: {
    [ImportMode.CREATE_ONLY]: '仅新增',
    [ImportMode.UPDATE_EXISTING]: '新增并更新已有',
  },
  ImportProblemSeverity: {
    [ImportProblemSeverity.ERROR]: '错误',
    [ImportProblemSeverity.WARNING]: '提醒',
  },
  FieldReportKind: {
    [FieldReportKind.PHONE_CHANGED]: '电话变更',
    [FieldReportKind.MEMBER_BORN]: '新生儿',
    [FieldReportKind.MEMBER_DIED]: '成员去世',
    [FieldReportKind.MEMBER_MOVED_OUT]: '成员迁出',
    [FieldReportKind.HOUSEHOLD_MOVED]: '全户搬迁',
    [FieldReportKind.HARDSHIP_ENDED]: '不再困难',
    [FieldReportKind.NEW_HOUSEHOLD]: '新发现应排查户',
  },
  FieldReportStatus: {
    [FieldReportStatus.PENDING]: '待审核',
    [FieldReportStatus.APPROVED]: '已采纳',
    [FieldReportStatus.REJECTED]: '未采纳',
    [FieldReportStatus.WITHDRAWN]: '已撤回',
  },
  ResidentDeparture: {
    [ResidentDeparture.DIED]: '已故',
    [ResidentDeparture.MOVED_OUT]: '已迁出',
  },
  BulkRunState: {
    [BulkRunState.PLANNED]: '待执行',
    [BulkRunState.RUNNING]: '执行中',
    [BulkRunState.DONE]: '已完成',
    [BulkRunState.FAILED]: '失败',
    [BulkRunState.CANCELLED]: '已取消',
  },
  RecordList: {
    [RecordList.OVERDUE_VISITS]: '超期未走访户',
    [RecordList.OPEN_DEMANDS]: '未办结诉求',
    [RecordList.OVERDUE_DEMANDS]: '超期诉求',
    [RecordList.COVERAGE_GAPS]: '未结对户',
    [RecordList.CADRE_CASELOAD]: '干部联系户清单',
    [RecordList.UNIT_CASELOAD]: '单位联系户清单',
    [RecordList.IMPORT_PROBLEMS]: '导入问题清单',
  },
} as const;
