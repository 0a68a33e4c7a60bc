import { OPEN_DEMAND_STATUSES, PetitionCaseStatus, type TargetGroup } from '@wanjia/shared';
import { raw, type FilterQuery, type ObjectQuery } from '@mikro-orm/core';
import type { AppConfig } from '../../config';
import type { Em } from '../../db/orm';
import { ForbiddenError } from '../../graphql/errors';
import { decodeCursor, encodeCursor, pageSize, type PageArgs } from '../../graphql/pagination';
import type { Loaders } from '../../graphql/loaders';
import { startOfShanghaiDay, shanghaiDate } from '../../time';
import { Assignment } from '../assignments/assignment.entity';
import type { Actor } from '../auth/actor';
import { Demand } from '../demands/demand.entity';
import { HelpRecord } from '../help-records/help-record.entity';
import { Household, TARGET_GROUP_FLAG } from '../households/household.entity';
import { PetitionCase } from '../petition-cases/petition-case.entity';
import { Round } from '../rounds/round.entity';
import { roundService } from '../rounds/round.service';
import type { HelpTotals, MyHousehold, MyHouseholdConnection, MyHouseholdFilter, MyStats } from './my-work.types';
import { visitSchedule } from './visit-schedule';

const OPEN_CASE_STATUSES = [PetitionCaseStatus.REGISTERED, PetitionCaseStatus.IN_PROGRESS];

function cadreOf(actor: Actor): number {
  if (actor.cadreId === null) throw new ForbiddenError('Only cadres have households of their own');
  return actor.cadreId;
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}

/**
 * The cadre's households with their visit schedule, most overdue first. A cadre looks after a
 * bounded number of households (capacity ≤ 50), so the whole list is read in four statements,
 * whatever the page size, and sorted by due date here; scoping happens in SQL through the
 * cadre's active assignments.
 */
async function scheduledHouseholds(em: Em, loaders: Loaders, actor: Actor, config: AppConfig, filter: MyHouseholdFilter, now: Date): Promise<MyHousehold[]> {
  const householdConditions: FilterQuery<Household>[] = [];
  if (filter.targetGroup) householdConditions.push({ [TARGET_GROUP_FLAG[filter.targetGroup]]: true });
  if (filter.search) {
    const pattern = likePattern(filter.search.trim());
    householdConditions.push({ $or: [{ headName: { $like: pattern } }, { address: { $like: pattern } }] });
  }
  const assignments = await em.find(
    Assignment,
    { cadre: cadreOf(actor), endedAt: null, ...(householdConditions.length ? { household: { $and: householdConditions } } : {}) },
    { populate: ['household'], orderBy: { id: 'asc' } },
  );
  if (assignments.length === 0) return [];
  const householdIds = assignments.map((assignment) => assignment.household.id);
  const [openCases, demandCounts, regions] = await Promise.all([
    em.find(PetitionCase, { household: { $in: householdIds }, status: { $in: OPEN_CASE_STATUSES } }, { fields: ['id', 'household'] }),
    em
      .createQueryBuilder(Demand, 'd')
      .select(['d.household', raw('count(*) as openCount')])
      .where({ household: { $in: householdIds }, status: { $in: [...OPEN_DEMAND_STATUSES] } })
      .groupBy('d.household')
      .execute<{ household: number; openCount: number | string }[]>('all'),
    loaders.regionById.loadMany([...new Set(assignments.map((assignment) => assignment.household.region.id))]),
  ]);
  const withOpenCase = new Set(openCases.map((petitionCase) => petitionCase.household.id));
  const openDemands = new Map(demandCounts.map((row) => [Number(row.household), Number(row.openCount)]));
  const regionNames = new Map(regions.flatMap((region) => (region && !(region instanceof Error) ? [[region.id, region.name] as const] : [])));

  const rows = assignments.map((assignment): MyHousehold => {
    const household = assignment.household;
    const schedule = visitSchedule(
      {
        isHardship: household.isHardship,
        isKeyFocus: household.isKeyFocus,
        isPetitioner: household.isPetitioner,
        hasOpenPetitionCase: withOpenCase.has(household.id),
        lastVisitAt: household.lastVisitAt ?? null,
        assignedAt: assignment.startedAt,
      },
      config.visitIntervals,
      now,
    );
    return {
      id: household.id,
      headName: household.headName,
      address: household.address,
      regionName: regionNames.get(household.region.id) ?? '',
      targetGroups: household.targetGroups as TargetGroup[],
      assignmentKind: assignment.kind,
      lastVisitAt: household.lastVisitAt ?? null,
      daysSinceLastVisit: schedule.daysSinceLastVisit,
      visitIntervalDays: schedule.intervalDays,
      nextVisitDueAt: schedule.dueAt,
      visitOverdue: schedule.overdue,
      openDemandCount: openDemands.get(household.id) ?? 0,
    };
  });
  const filtered = filter.overdueOnly ? rows.filter((row) => row.visitOverdue) : rows;
  return filtered.sort((a, b) => a.nextVisitDueAt.getTime() - b.nextVisitDueAt.getTime() || a.id - b.id);
}

async function totals(em: Em, where: ObjectQuery<HelpRecord>): Promise<HelpTotals> {
  const [row] = await em
    .createQueryBuilder(HelpRecord, 'r')
    .select([raw('count(*) as visits'), raw('sum(r.funds_fen) as funds'), raw('sum(r.materials_fen) as materials'), raw('sum(r.problems_solved) as problems')])
    .where(where)
    .execute<{ visits: number | string; funds: number | string | null; materials: number | string | null; problems: number | string | null }[]>('all', false);
  return {
    visits: Number(row?.visits ?? 0),
    fundsFen: Number(row?.funds ?? 0),
    materialsFen: Number(row?.materials ?? 0),
    problemsSolved: Number(row?.problems ?? 0),
  };
}

export const myWorkService = {
  async myHouseholds(
    em: Em,
    loaders: Loaders,
    actor: Actor,
    config: AppConfig,
    filter: MyHouseholdFilter = {},
    page: PageArgs = {},
    now = new Date(),
  ): Promise<MyHouseholdConnection> {
    const rows = await scheduledHouseholds(em, loaders, actor, config, filter, now);
    let start = 0;
    if (page.after) {
      const [dueMs, id] = decodeCursor(page.after, 2).map(Number) as [number, number];
      start = rows.findIndex((row) => row.nextVisitDueAt.getTime() > dueMs || (row.nextVisitDueAt.getTime() === dueMs && row.id > id));
      if (start < 0) start = rows.length;
    }
    const size = pageSize(page);
    const nodes = rows.slice(start, start + size);
    const last = nodes[nodes.length - 1];
    return {
      nodes,
      totalCount: rows.length,
      pageInfo: { hasNextPage: start + size < rows.length, endCursor: last ? encodeCursor([last.nextVisitDueAt.getTime(), last.id]) : null },
    };
  },

  /** This month (Asia/Shanghai) and this round, counting only the latest version of each record. */
  async myStats(em: Em, loaders: Loaders, actor: Actor, config: AppConfig, roundId: number | null, now = new Date()): Promise<MyStats> {
    const cadre = cadreOf(actor);
    const round = roundId ? await em.findOne(Round, roundId) : await roundService.currentOrLatest(em, shanghaiDate(now));
    if (!round) throw new ForbiddenError();
    const monthStart = startOfShanghaiDay(`${shanghaiDate(now).slice(0, 8)}01`);
    const [thisMonth, thisRound, households] = await Promise.all([
      totals(em, { cadre, isLatest: true, occurredAt: { $gte: monthStart } }),
      totals(em, { cadre, isLatest: true, round: round.id }),
      scheduledHouseholds(em, loaders, actor, config, {}, now),
    ]);
    return { thisMonth, thisRound, households: households.length, householdsOverdue: households.filter((row) => row.visitOverdue).length };
  },
};
