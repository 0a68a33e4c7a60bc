import { Role } from '@wanjia/shared';
import { BreakdownDimension } from '../../modules/analytics/analytics.types';
import { monthStart } from './fresh-values';
import { present, recipe, type CookbookChapter } from './recipe';
import type { ScopeFacts } from './scope-facts';

/** The slice most figures are asked for: the caller's scope in the round running today. */
function roundSlice(facts: ScopeFacts): { regionId: string; roundId: string | null } {
  return { regionId: String(facts.scope.id), roundId: facts.round ? String(facts.round.id) : null };
}

const SLICE_VARIABLES = '$regionId: ID, $roundId: ID, $from: LocalDate, $to: LocalDate, $unitId: ID, $targetGroup: TargetGroup';
const SLICE_ARGUMENTS = 'regionId: $regionId, roundId: $roundId, from: $from, to: $to, unitId: $unitId, targetGroup: $targetGroup';

function gettingStarted(facts: ScopeFacts): CookbookChapter {
  return {
    title: '开始 Getting started',
    recipes: [
      recipe(
        '我是谁 Who am I',
        '当前登录的账号、角色和管辖范围。',
        `
query WhoAmI {
  me { id username role mustChangePassword scopeRegion { id name code level } }
}`,
      ),
      recipe(
        '活动轮次 Rounds',
        '当前轮次和历次轮次（统计和分配干部都按轮次）。',
        `
query Rounds {
  currentRound { id name startsOn endsOn }
  rounds { id name startsOn endsOn }
}`,
      ),
      recipe(
        '我的辖区 My region',
        '自己辖区的区划及其下一级。',
        `
query MyRegion($id: ID!) {
  region(id: $id) { id code name level path children { id code name level } }
}`,
        { id: String(facts.scope.id) },
      ),
    ],
  };
}

function overviewChapter(facts: ScopeFacts): CookbookChapter {
  const figures = `slice { regionId roundId from to unitId targetGroup } # 下钻时把这些值原样传给 analytics…
    figures { measure label value recordType } # value：件数、金额（分）或百分比；recordType 说明用哪个 analytics… 查询看明细`;
  return {
    title: '工作概况 Overview',
    recipes: [
      recipe(
        '本轮工作概况 Overview of the round',
        '本辖区本轮的全部指标：结对、联系、走访、资金物资、诉求、信访。',
        `
query OverviewOfRound(${SLICE_VARIABLES}) {
  campaignOverview(${SLICE_ARGUMENTS}) {
    ${figures}
  }
}`,
        { ...roundSlice(facts), from: null, to: null, unitId: null, targetGroup: null },
      ),
      recipe(
        '本月工作概况 Overview of this month',
        '本月1日到今天的指标（from、to 是上海时间的日期，含当天）。',
        `
query OverviewOfMonth(${SLICE_VARIABLES}) {
  campaignOverview(${SLICE_ARGUMENTS}) {
    ${figures}
  }
}`,
        { regionId: String(facts.scope.id), roundId: null, from: monthStart(facts.today), to: facts.today, unitId: null, targetGroup: null },
      ),
    ],
  };
}

/** Per dimension: the recipe's name, its description and its operation's name. */
const DIMENSIONS: Record<BreakdownDimension, { name: string; description: string; operation: string }> = {
  [BreakdownDimension.REGION_CHILDREN]: {
    name: '按下级区划统计 Breakdown by region',
    description: '同一套指标按下一级区划分列，看哪里落后。',
    operation: 'BreakdownByRegion',
  },
  [BreakdownDimension.UNIT]: {
    name: '按单位统计 Breakdown by unit',
    description: '同一套指标按结对单位分列，看各单位的工作量。',
    operation: 'BreakdownByUnit',
  },
  [BreakdownDimension.TARGET_GROUP]: {
    name: '按帮扶对象统计 Breakdown by target group',
    description: '按困难群众、重点人员、信访人员三类分列。',
    operation: 'BreakdownByTargetGroup',
  },
  [BreakdownDimension.MONTH]: { name: '按月统计 Breakdown by month', description: '本轮按月分列，看进度。', operation: 'BreakdownByMonth' },
  [BreakdownDimension.ROUND]: { name: '按轮次统计 Breakdown by round', description: '按轮次分列，比较历次活动。', operation: 'BreakdownByRound' },
};

function breakdownChapter(facts: ScopeFacts): CookbookChapter {
  return {
    title: '分类统计 Breakdowns',
    recipes: Object.values(BreakdownDimension).map((dimension) =>
      recipe(
        DIMENSIONS[dimension].name,
        DIMENSIONS[dimension].description,
        `
query ${DIMENSIONS[dimension].operation}($dimension: BreakdownDimension!, ${SLICE_VARIABLES}) {
  campaignBreakdown(dimension: $dimension, ${SLICE_ARGUMENTS}) {
    dimension
    groups {
      key # 区划代码、单位 id、类别、年月或轮次 id
      label
      slice { regionId roundId from to unitId targetGroup } # 这一组的下钻条件
      figures { measure label value }
    }
  }
}`,
        {
          dimension,
          // The round dimension compares rounds, so it is not narrowed to one.
          ...roundSlice(facts),
          ...(dimension === BreakdownDimension.ROUND ? { roundId: null } : {}),
          from: null,
          to: null,
          unitId: null,
          targetGroup: null,
        },
      ),
    ),
  };
}

function drillDownChapter(facts: ScopeFacts): CookbookChapter {
  const slice = roundSlice(facts);
  const drill = (name: string, description: string, operation: string, field: string, measure: string, nodes: string) =>
    recipe(
      name,
      description,
      `
# measure 是概况里某个指标的 measure；其余参数照抄那个指标所在的 slice。
query ${operation}($measure: AnalyticsMeasure!, $regionId: ID, $roundId: ID, $from: LocalDate, $to: LocalDate, $after: String) {
  ${field}(measure: $measure, regionId: $regionId, roundId: $roundId, from: $from, to: $to, first: 20, after: $after) {
    totalCount # 与概况里的数字一致
    pageInfo { hasNextPage endCursor }
    nodes { ${nodes} }
  }
}`,
      { measure, ...slice, from: null, to: null, after: null },
    );
  return {
    title: '数字下钻 Drill-downs',
    recipes: [
      drill(
        '未分配干部的户 Drill down: unassigned households',
        '“未分配干部户数”背后的家庭名单。',
        'DrillUnassignedHouseholds',
        'analyticsHouseholds',
        'UNASSIGNED_HOUSEHOLDS',
        'id headName address targetGroups region { name }',
      ),
      drill(
        '走访记录 Drill down: visits',
        '“走访帮扶次数”背后的每一次帮扶记录。',
        'DrillVisits',
        'analyticsHelpRecords',
        'VISITS',
        'id occurredAt kinds summary fundsFen materialsFen cadre { name unit { name } }',
      ),
      drill(
        '逾期诉求 Drill down: overdue demands',
        '“逾期未解决诉求数”背后的诉求。',
        'DrillOverdueDemands',
        'analyticsDemands',
        'DEMANDS_OVERDUE',
        'id category text status raisedAt dueOn household { headName region { name } }',
      ),
      drill(
        '超负荷干部 Drill down: cadres over capacity',
        '联系户数超过上限的干部。',
        'DrillCadresOverCapacity',
        'analyticsCadres',
        'CADRES_OVER_CAPACITY',
        'id name post householdCapacity unit { name }',
      ),
      drill(
        '重大积案 Drill down: major petition cases',
        '“重大信访积案数”背后的案件（分析员看不到案件内容）。',
        'DrillMajorPetitionCases',
        'analyticsPetitionCases',
        'MAJOR_PETITION_CASES',
        'id status receivedOn majorBacklog household { headName region { name } }',
      ),
      drill(
        '重点人员 Drill down: key-focus persons',
        '“重点人员数”背后的人员（分析员看不到列为重点的原因）。',
        'DrillKeyFocusPersons',
        'analyticsResidents',
        'KEY_FOCUS_PERSONS',
        'id name relation birthYear isKeyFocus keyFocusReason',
      ),
      drill(
        '结对单位 Drill down: paired units',
        '“结对单位数”背后的单位。',
        'DrillPairedUnits',
        'analyticsUnits',
        'UNITS_PAIRED',
        'id name kind level region { name }',
      ),
      drill(
        '已覆盖的村 Drill down: villages covered',
        '“结对覆盖村数”背后的村。',
        'DrillVillagesCovered',
        'analyticsRegions',
        'VILLAGES_COVERED',
        'id code name level',
      ),
    ],
  };
}

function followUpChapter(facts: ScopeFacts): CookbookChapter {
  const regionId = String(facts.scope.id);
  return {
    title: '跟进提醒 Follow-ups',
    recipes: [
      recipe(
        '覆盖缺口 Coverage gaps',
        '哪些村（社区）还有没分配干部的困难、重点、信访户，最多的在前。',
        `
query CoverageGaps($regionId: ID) {
  coverageGaps(regionId: $regionId) {
    households # 全辖区未分配的户数
    regions { region { id name } households hardship keyFocus petitioner }
  }
}`,
        { regionId },
      ),
      recipe(
        '逾期未走访 Overdue visits',
        '该走访而没走访的家庭，逾期最久的在前，附联系干部。',
        `
query OverdueVisits($regionId: ID, $after: String) {
  overdueVisits(regionId: $regionId, first: 20, after: $after) {
    totalCount
    hasNextPage
    endCursor
    nodes { householdId headName regionName daysOverdue dueAt lastVisitAt cadre { name post unit { name } } }
  }
}`,
        { regionId, after: null },
      ),
      recipe(
        '干部工作量 Cadre workload',
        '干部平均联系户数、超上限人数，以及“联系几户的干部有几人”的分布。',
        `
query CadreWorkload($regionId: ID) {
  cadreWorkload(regionId: $regionId) {
    cadres
    activeAssignments
    householdsPerCadre
    overCapacity # 明细见“数字下钻 超负荷干部”
    distribution { households cadres }
  }
}`,
        { regionId },
      ),
      recipe(
        '诉求时长 Demand aging',
        '未解决诉求按提出时长分段，及其中逾期的件数。',
        `
query DemandAging($regionId: ID) {
  demandAging(regionId: $regionId) {
    open
    overdue
    bands { label minDays maxDays open overdue }
  }
}`,
        { regionId },
      ),
      recipe(
        '逾期诉求清单 Overdue demands',
        '过了期限还没解决的诉求，按类别筛选。',
        `
query OverdueDemands($category: DemandCategory) {
  demands(first: 20, filter: { overdueOnly: true, category: $category }) {
    totalCount
    nodes { id category text status raisedAt dueOn reopenCount household { id headName region { name } } }
  }
}`,
        { category: null },
      ),
    ],
  };
}

function exportChapter(facts: ScopeFacts): CookbookChapter {
  const exported = (name: string, description: string, operation: string, kind: string, dimension: BreakdownDimension | null) =>
    recipe(
      name,
      description,
      `
# 返回的链接在本页上方的下载栏里点开即可下载（只对本人、本次登录有效）。
mutation ${operation}($kind: ReportKind!, $dimension: BreakdownDimension, $regionId: ID, $roundId: ID, $from: LocalDate, $to: LocalDate) {
  exportReport(kind: $kind, dimension: $dimension, regionId: $regionId, roundId: $roundId, from: $from, to: $to) {
    fileName
    xlsxUrl # Excel
    csvUrl
    expiresAt # 链接10分钟后失效，过期后再导出一次
  }
}`,
      { kind, dimension, ...roundSlice(facts), from: null, to: null },
    );
  return {
    title: '导出报表 Exports',
    recipes: [
      exported('导出工作概况 Export the overview', '把本轮工作概况导出为 Excel 和 CSV。', 'ExportOverview', 'OVERVIEW', null),
      exported(
        '导出分区统计 Export the breakdown by region',
        '把按下级区划的分类统计导出为 Excel 和 CSV。',
        'ExportBreakdownByRegion',
        'BREAKDOWN',
        BreakdownDimension.REGION_CHILDREN,
      ),
      exported(
        '导出分单位统计 Export the breakdown by unit',
        '把按结对单位的分类统计导出为 Excel 和 CSV。',
        'ExportBreakdownByUnit',
        'BREAKDOWN',
        BreakdownDimension.UNIT,
      ),
      exported('导出覆盖缺口 Export the coverage gaps', '把覆盖缺口清单导出为 Excel 和 CSV。', 'ExportCoverageGaps', 'COVERAGE_GAPS', null),
    ],
  };
}

/** The registers an analyst reads (administrators have them in their task chapters). */
function registersChapter(facts: ScopeFacts): CookbookChapter {
  return {
    title: '名册查询 Registers',
    recipes: present(
      recipe(
        '家庭名册 Households',
        '本辖区的家庭，按帮扶类别和是否已分配干部筛选（电话、身份证号只显示部分）。',
        `
query Households($regionId: ID, $targetGroup: TargetGroup, $assigned: Boolean) {
  households(first: 20, filter: { regionId: $regionId, targetGroup: $targetGroup, assigned: $assigned, status: ACTIVE }) {
    totalCount
    nodes { id headName address targetGroups lastVisitAt region { name } }
  }
}`,
        { regionId: facts.place ? String(facts.place.id) : String(facts.scope.id), targetGroup: null, assigned: null },
      ),
      recipe(
        '干部名册 Cadres',
        '本辖区单位的干部及联系户数上限。',
        `
query Cadres($unitId: ID, $active: Boolean) {
  cadres(first: 20, filter: { unitId: $unitId, active: $active }) {
    totalCount
    nodes { id name post rank householdCapacity active unit { name } }
  }
}`,
        { unitId: facts.unit ? String(facts.unit.id) : null, active: true },
      ),
      recipe(
        '单位结对名册 Unit pairings',
        '本轮各单位结对的村（社区）。',
        `
query UnitPairings($roundId: ID, $unitId: ID) {
  unitPairings(first: 20, filter: { roundId: $roundId, unitId: $unitId, active: true }) {
    totalCount
    nodes { id startedOn unit { name } region { name } }
  }
}`,
        { roundId: facts.round ? String(facts.round.id) : null, unitId: null },
      ),
      recipe(
        '联系干部名册 Assignments',
        '本轮在联的干部和家庭。',
        `
query Assignments($roundId: ID) {
  assignments(first: 20, filter: { roundId: $roundId, active: true }) {
    totalCount
    nodes { id kind startedAt cadre { name unit { name } } household { headName region { name } } }
  }
}`,
        { roundId: facts.round ? String(facts.round.id) : null },
      ),
      recipe(
        '领导联系点 Contact points',
        '本辖区内市级领导的联系点。',
        `
query ContactPoints {
  contactPoints(first: 20, filter: { active: true }) {
    totalCount
    nodes { id targetLabel startedOn kind { name } leader { name post } }
  }
}`,
      ),
      recipe(
        '信访案件 Petition cases',
        '本辖区的信访案件及办理状态（分析员看不到案件内容）。',
        `
query PetitionCases($status: PetitionCaseStatus, $majorBacklog: Boolean) {
  petitionCases(first: 20, filter: { status: $status, majorBacklog: $majorBacklog }) {
    totalCount
    nodes { id status receivedOn majorBacklog resolvedAt household { headName region { name } } }
  }
}`,
        { status: null, majorBacklog: null },
      ),
    ),
  };
}

/** What analysts (and administrators, whom the API lets read the same figures) get. */
export function figureChapters(facts: ScopeFacts): CookbookChapter[] {
  const chapters = [overviewChapter(facts), breakdownChapter(facts), drillDownChapter(facts), followUpChapter(facts), exportChapter(facts)];
  return facts.actor.role === Role.ANALYST ? [...chapters, registersChapter(facts)] : chapters;
}

export { gettingStarted };
