import { OPEN_DEMAND_STATUSES, RegionLevel } from '@wanjia/shared';
import { isAdmin } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { likeStartingWith } from '../../core/sql-like';
import { sqlStringList } from '../../modules/analytics/analytics.dialect';
import type { FreshStamp } from './fresh-values';
import { present, recipe, type CookbookChapter } from './recipe';
import type { ScopeFacts } from './scope-facts';

/**
 * The demand loop's recipes (issue 15): the 督办 list and an instruction, the referrals of a unit, a unit's
 * handlers (designate, end), the time limits and the ladder, and the loop's figures. Like the other
 * chapters: variables are rows of the caller's scope read now (bounded statements, nothing written), and
 * a recipe whose subject the scope lacks is left out.
 */

interface LoopFacts {
  /** A demand with an open escalation whose target region and household are in the scope: instructDemand's subject. */
  escalatedDemandId: number | null;
  /** A unit of the scope with an active handler (the unit whose referrals and handlers the recipes show). */
  handlerUnitId: number | null;
  /** An active cadre of that unit who is not its handler yet, for designateUnitHandler. */
  candidateCadreId: number | null;
  /**
   * A handler this administrator designated, of a unit that has another: ending it leaves the unit
   * served (the recipe appears once designateUnitHandler has run, as the account care does).
   */
  endableHandlerId: number | null;
}

async function firstId(em: Em, sql: string, params: unknown[]): Promise<number | null> {
  const [row] = await em.getConnection().execute<{ id: number | string }[]>(sql, params);
  return row ? Number(row.id) : null;
}

async function loadLoopFacts(em: Em, facts: ScopeFacts): Promise<LoopFacts> {
  const under = likeStartingWith(facts.scope.path);
  const escalatedDemandId = await firstId(
    em,
    `select e.demand_id as id from demand_escalation e join region tr on tr.id = e.target_region_id join demand d on d.id = e.demand_id
       join household h on h.id = d.household_id join region hr on hr.id = h.region_id
      where e.settled_at is null and tr.path like ? and hr.path like ? and d.status in (${sqlStringList(OPEN_DEMAND_STATUSES)})
      order by e.id limit 1`,
    [under, under],
  );
  const handlerUnitId = await firstId(
    em,
    `select u.id from unit u join region r on r.id = u.region_id
      where r.path like ? and exists (select 1 from unit_handler uh where uh.unit_id = u.id and uh.ended_at is null)
      order by u.id limit 1`,
    [under],
  );
  const candidateCadreId =
    handlerUnitId === null
      ? null
      : await firstId(
          em,
          `select c.id from cadre c where c.unit_id = ? and c.active = 1
              and not exists (select 1 from unit_handler uh where uh.cadre_id = c.id and uh.unit_id = c.unit_id and uh.ended_at is null)
            order by c.id limit 1`,
          [handlerUnitId],
        );
  const endableHandlerId = await firstId(
    em,
    `select uh.id from unit_handler uh join unit u on u.id = uh.unit_id join region r on r.id = u.region_id
      where uh.ended_at is null and uh.designated_by_account_id = ? and r.path like ?
        and exists (select 1 from unit_handler other where other.unit_id = uh.unit_id and other.ended_at is null and other.id < uh.id)
      order by uh.id desc limit 1`,
    [facts.actor.accountId, under],
  );
  return { escalatedDemandId, handlerUnitId, candidateCadreId, endableHandlerId };
}

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

const ESCALATION_FIELDS = `id level rungName targetRegionName leaderName lapsedDueOn escalatedAt daysOverdue
      demand { id category status effectiveDueOn escalationRung }`;
const REFERRAL_FIELDS = 'id status dueOn overdue referredAt referredByName acceptedAt returnReason resolvedAt unit { id name regionName }';

function supervisionChapter(facts: ScopeFacts, loop: LoopFacts, stamp: FreshStamp): CookbookChapter {
  const admin = isAdmin(facts.actor);
  return {
    title: '督办与交办 Supervision and referrals',
    recipes: present(
      recipe(
        '督办清单 Supervision list',
        '本辖区内超期升级的诉求（督办），最早升级的在前；每条写明升到哪一级、督办哪个区划、超期几天。',
        `
query SupervisionList($first: Int) {
  supervisionList(first: $first) {
    totalCount
    nodes { ${ESCALATION_FIELDS} }
    pageInfo { hasNextPage endCursor }
  }
}`,
        { first: 20 },
      ),
      recipe(
        '本级督办 Escalated to my level',
        '只看升到本级（督办区划就是自己的辖区）的诉求，可再按层级、交办单位、类别筛选。',
        `
query SupervisionAtMyLevel($filter: SupervisionFilter) {
  supervisionList(filter: $filter, first: 20) { totalCount nodes { ${ESCALATION_FIELDS} } }
}`,
        { filter: { atMyLevel: true, level: null, unitId: null, category: null } },
      ),
      admin && loop.escalatedDemandId !== null
        ? recipe(
            '督办批示 Instruct',
            '对已升级督办的诉求作批示：写明要求，给出新的办结期限（明天起90天内）；升级记录随之办结，干部和承办单位联络员收到消息。clientId 每次新写一个，重发同一个不会重复批示。',
            `
mutation InstructDemand($input: InstructDemandInput!) {
  instructDemand(input: $input) { id status dueOn effectiveDueOn escalationRung events { kind actorLabel dueOn note at } }
}`,
            {
              input: {
                demandId: String(loop.escalatedDemandId),
                clientId: `cookbook-${stamp.compact}`,
                note: '请于新期限内办结并报告结果',
                newDueOn: addDays(facts.today, 10),
              },
            },
          )
        : null,
      recipe(
        '交办事项 Referrals of a unit',
        '交办给一个单位的诉求（本辖区住户的），可按状态筛选；不填单位则列出全部。',
        `
query ReferralsOfUnit($filter: DemandReferralFilter) {
  demandReferrals(filter: $filter, first: 20) { totalCount nodes { ${REFERRAL_FIELDS} } pageInfo { hasNextPage endCursor } }
}`,
        { filter: { unitId: loop.handlerUnitId === null ? null : String(loop.handlerUnitId), status: null, overdueOnly: null } },
      ),
      recipe(
        '逾期交办 Overdue referrals',
        '已过办结期限仍未办结（待签收或办理中）的交办。',
        `
query OverdueReferrals($filter: DemandReferralFilter) {
  demandReferrals(filter: $filter, first: 20) { totalCount nodes { ${REFERRAL_FIELDS} } }
}`,
        { filter: { unitId: null, status: null, overdueOnly: true } },
      ),
      loop.handlerUnitId !== null
        ? recipe(
            '单位联络员 Handlers of a unit',
            '一个单位的联络员（接收交办诉求的干部），含已卸任的。',
            `
query UnitHandlers($unitId: ID!, $includeEnded: Boolean) {
  unitHandlers(unitId: $unitId, includeEnded: $includeEnded) { id unitId unitName cadreId cadreName startedAt endedAt endedReason }
}`,
            { unitId: String(loop.handlerUnitId), includeEnded: true },
          )
        : null,
      admin && loop.handlerUnitId !== null && loop.candidateCadreId !== null
        ? recipe(
            '指定联络员 Designate a handler',
            '指定本单位一名在岗干部为联络员；此后交办给该单位的诉求会出现在他（她）小程序的“待办”里。',
            `
mutation DesignateUnitHandler($input: DesignateUnitHandlerInput!) {
  designateUnitHandler(input: $input) { id unitName cadreName startedAt }
}`,
            { input: { unitId: String(loop.handlerUnitId), cadreId: String(loop.candidateCadreId) } },
          )
        : null,
      admin && loop.endableHandlerId !== null
        ? recipe(
            '联络员卸任 End a handler',
            '联络员卸任（写明原因）；单位还有其他联络员，交办照常接收。',
            `
mutation EndUnitHandler($input: EndUnitHandlerInput!) {
  endUnitHandler(input: $input) { id cadreName endedAt endedReason }
}`,
            { input: { id: String(loop.endableHandlerId), reason: '岗位调整' } },
          )
        : null,
    ),
  };
}

function limitsChapter(facts: ScopeFacts): CookbookChapter {
  const cityAdmin = isAdmin(facts.actor) && facts.scope.level === RegionLevel.CITY;
  return {
    title: '时限与督办层级 Time limits and the ladder',
    recipes: present(
      recipe(
        '办理时限 Time limits',
        '各类诉求的办结时限和交办默认时限（自然日）。',
        `
query DemandDeadlines {
  demandDeadlines { category demandDays referralDays }
}`,
      ),
      recipe(
        '督办层级 The escalation ladder',
        '超期几天升到哪一级督办：本单位、乡镇街道、区县、市。',
        `
query EscalationRungs {
  escalationRungs { level code name afterDays }
}`,
      ),
      cityAdmin
        ? recipe(
            '调整办理时限 Set a time limit',
            '调整一类诉求的时限（只有市级管理员可以）；示例填的是现行默认值，运行不会改变什么。',
            `
mutation SetDemandDeadline($input: SetDemandDeadlineInput!) {
  setDemandDeadline(input: $input) { category demandDays referralDays }
}`,
            { input: { category: 'LIVELIHOOD', demandDays: 15, referralDays: 7 } },
          )
        : null,
      cityAdmin
        ? recipe(
            '调整督办层级 Set a rung',
            '调整一级督办的名称和超期天数（只有市级管理员可以；天数随层级严格递增）；示例填的是现行默认值。',
            `
mutation SetEscalationRung($input: SetEscalationRungInput!) {
  setEscalationRung(input: $input) { level code name afterDays }
}`,
            { input: { level: 2, name: '乡镇街道', afterDays: 4 } },
          )
        : null,
    ),
  };
}

const LOOP_SLICE_VARIABLES = '$regionId: ID, $from: LocalDate, $to: LocalDate, $category: DemandCategory';
const LOOP_SLICE_ARGUMENTS = 'regionId: $regionId, from: $from, to: $to, category: $category';

function loopFiguresChapter(facts: ScopeFacts): CookbookChapter {
  const slice = { regionId: String(facts.scope.id), from: null, to: null, category: null };
  return {
    title: '诉求闭环统计 Demand loop figures',
    recipes: [
      recipe(
        '诉求闭环概况 The loop at a glance',
        '解决率、解决用时中位数、逾期、交办、升级督办（按层级）、批示、群众满意情况；按区划、类别、人群、月份或轮次分组时填 dimension。',
        `
query DemandLoopFigures($dimension: DemandLoopDimension, ${LOOP_SLICE_VARIABLES}) {
  demandLoopFigures(dimension: $dimension, ${LOOP_SLICE_ARGUMENTS}) {
    groups {
      key label slice { regionId from to category } # 下钻时把这些值原样传给 loopDemands
      figures { measure label value }
      escalations { level name demands open }
    }
  }
}`,
        { dimension: null, ...slice },
      ),
      recipe(
        '按类别看闭环 The loop by category',
        '每类诉求的闭环指标：哪类诉求解决得慢、逾期多。',
        `
query DemandLoopByCategory($dimension: DemandLoopDimension, ${LOOP_SLICE_VARIABLES}) {
  demandLoopFigures(dimension: $dimension, ${LOOP_SLICE_ARGUMENTS}) { groups { key label figures { measure label value } } }
}`,
        { dimension: 'CATEGORY', ...slice },
      ),
      recipe(
        '哪些单位办得慢 Which units are slow',
        '按承办单位统计交办：签收、办结的用时中位数，按时签收、按时办结、退回、逾期未办结；最慢的在前。',
        `
query SlowestUnits($orderBy: ReferralUnitOrder, ${LOOP_SLICE_VARIABLES}) {
  referralFiguresByUnit(orderBy: $orderBy, first: 20, ${LOOP_SLICE_ARGUMENTS}) {
    totalCount
    nodes {
      unitId unitName regionName
      referrals pending accepted acceptedOnTime resolved resolvedOnTime returned overdueOpen
      medianDaysToAccept medianDaysToResolve
    }
  }
}`,
        { orderBy: 'SLOWEST', ...slice },
      ),
      recipe(
        '逾期诉求明细 The overdue demands',
        '下钻：逾期未办结的诉求（按有效期限：有交办的按交办期限）。measure 换成其他指标即看其明细；ESCALATED 可加 rung 看某一级。',
        `
query LoopOverdueDemands($measure: DemandLoopMeasure!, $rung: Int, ${LOOP_SLICE_VARIABLES}) {
  loopDemands(measure: $measure, rung: $rung, first: 20, ${LOOP_SLICE_ARGUMENTS}) {
    totalCount
    nodes { id category status raisedAt dueOn effectiveDueOn escalationRung }
    pageInfo { hasNextPage endCursor }
  }
}`,
        { measure: 'OVERDUE', rung: null, ...slice },
      ),
    ],
  };
}

/** The loop's chapters for this caller: supervision and referrals, limits and the ladder, and the figures. */
export async function loopChapters(em: Em, facts: ScopeFacts, stamp: FreshStamp): Promise<CookbookChapter[]> {
  const loop = await loadLoopFacts(em, facts);
  return [supervisionChapter(facts, loop, stamp), limitsChapter(facts), loopFiguresChapter(facts)].filter((chapter) => chapter.recipes.length > 0);
}
