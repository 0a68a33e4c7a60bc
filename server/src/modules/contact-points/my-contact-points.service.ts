import { OPEN_CASE_STATUSES, OPEN_DEMAND_STATUSES, OPEN_REFERRAL_STATUSES } from '@wanjia/shared';
import type { Actor } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { ForbiddenError } from '../../core/errors';
import { shanghaiDate } from '../../core/time';
import { ladder } from '../demands/demand-deadline.service';
import { DemandEscalation } from '../demands/demand-escalation.entity';
import { Demand } from '../demands/demand.entity';
import { daysBetween, localDateOf } from '../demands/escalation.service';
import { PetitionCase } from '../petition-cases/petition-case.entity';
import { ContactPoint } from './contact-point.entity';
import { myContactPointsPolicy } from './my-contact-points.policy';
import type { LeaderCase, LeaderContactPoint, LeaderDemand, LeaderEscalation, MyContactPoints } from './my-contact-points.types';

/** How many open escalations a point or a case lists (the highest rungs first); the counts say how many in all. */
export const LEADER_ESCALATIONS_SHOWN = 20;

const OPEN_DEMANDS = `d.status in (${OPEN_DEMAND_STATUSES.map(() => '?').join(', ')})`;
const OPEN_REFERRAL_JOIN = `left join demand_referral r on r.demand_id = d.id and r.status in (${OPEN_REFERRAL_STATUSES.map(() => '?').join(', ')})`;

/** Which demands a point is about, as SQL on `d` (demand) with its parameters. */
interface DemandSet {
  sql: string;
  params: unknown[];
}

function demandSetOf(point: ContactPoint): DemandSet | null {
  if (point.targetRegion) {
    return {
      sql: 'd.household_id in (select h.id from household h join region hr on hr.id = h.region_id where hr.path like ?)',
      params: [`${point.targetRegion.path}%`],
    };
  }
  if (point.unit) {
    return {
      sql: `d.id in (select ur.demand_id from demand_referral ur where ur.unit_id = ? and ur.status in (${OPEN_REFERRAL_STATUSES.map(() => '?').join(', ')}))`,
      params: [point.unit.id, ...OPEN_REFERRAL_STATUSES],
    };
  }
  if (point.household) return { sql: 'd.household_id = ?', params: [point.household.id] };
  if (point.petitionCase) return { sql: 'd.household_id = ?', params: [point.petitionCase.household.id] };
  return null;
}

function targetNameOf(point: ContactPoint): string {
  if (point.targetRegion) return point.targetRegion.name;
  if (point.unit) return point.unit.name;
  if (point.household) return `联系户（${point.household.region.name}）`;
  if (point.petitionCase) return caseLabelOf(point.petitionCase);
  return '';
}

function caseLabelOf(petitionCase: PetitionCase): string {
  return `信访案件 #${petitionCase.id} ${petitionCase.household.region.name}`;
}

export const myContactPointsService = {
  /**
   * 我的联系点 for the calling cadre (see my-contact-points.policy.ts for what a leader reads). Cost, the
   * same whatever the number of points and cases: the points and cases with what they are about, the
   * points' counts (1) and first escalations (1), the cases' open demands (1) and escalations (1), the
   * escalations' rows (1), the open referrals' due dates (1) and the ladder (1).
   */
  async mine(em: Em, actor: Actor, now: Date): Promise<MyContactPoints> {
    if (!myContactPointsPolicy.mayReadOwn(actor) || actor.cadreId === null) throw new ForbiddenError('Only a cadre has contact points');
    const cadreId = actor.cadreId;
    const today = shanghaiDate(now);
    const points = await em.find(
      ContactPoint,
      { leader: cadreId, endedOn: null },
      { populate: ['kind', 'targetRegion', 'unit', 'household.region', 'petitionCase.household.region'], orderBy: { id: 'asc' } },
    );
    const cases = await em.find(
      PetitionCase,
      { responsibleLeader: cadreId, status: { $in: [...OPEN_CASE_STATUSES] } },
      { populate: ['household.region'], orderBy: { id: 'asc' } },
    );

    // Every point's counts in one statement and its first escalations in another, whatever the number of
    // points: one index-served branch per point (a region's path range, a unit's open referrals, a
    // household), put together with UNION ALL; the escalations ranked per point by a window.
    const sets = points.flatMap((point) => {
      const set = demandSetOf(point);
      return set ? [{ point, set }] : [];
    });
    const countsOf = new Map<number, { open: number; overdue: number }>();
    const escalationIdsOf = new Map<number, number[]>();
    if (sets.length > 0) {
      const counts = await em.execute<{ point_id: number | string; open_count: number | string | null; overdue_count: number | string | null }[]>(
        sets
          .map(
            ({ set }) =>
              `select ? as point_id, count(*) as open_count, sum(case when coalesce(r.due_on, d.due_on) < ? then 1 else 0 end) as overdue_count
               from demand d ${OPEN_REFERRAL_JOIN} where ${OPEN_DEMANDS} and ${set.sql}`,
          )
          .join(' union all '),
        sets.flatMap(({ point, set }) => [point.id, today, ...OPEN_REFERRAL_STATUSES, ...OPEN_DEMAND_STATUSES, ...set.params]),
      );
      for (const row of counts) countsOf.set(Number(row.point_id), { open: Number(row.open_count ?? 0), overdue: Number(row.overdue_count ?? 0) });
      const ranked = await em.execute<{ point_id: number | string; id: number | string }[]>(
        `select point_id, id from (
           select u.point_id, u.id, row_number() over (partition by u.point_id order by u.level desc, u.escalated_at, u.id) as position
           from (${sets
             .map(
               ({ set }) =>
                 `select ? as point_id, e.id, e.level, e.escalated_at from demand_escalation e join demand d on d.id = e.demand_id
                  where e.settled_at is null and ${OPEN_DEMANDS} and ${set.sql}`,
             )
             .join(' union all ')}) u
         ) ranked where position <= ? order by point_id, position`,
        [...sets.flatMap(({ point, set }) => [point.id, ...OPEN_DEMAND_STATUSES, ...set.params]), LEADER_ESCALATIONS_SHOWN],
      );
      for (const row of ranked) escalationIdsOf.set(Number(row.point_id), [...(escalationIdsOf.get(Number(row.point_id)) ?? []), Number(row.id)]);
    }
    const escalationIds = new Set([...escalationIdsOf.values()].flat());
    const pointFacts = points.map((point) => ({
      point,
      open: countsOf.get(point.id)?.open ?? 0,
      overdue: countsOf.get(point.id)?.overdue ?? 0,
      escalationIds: escalationIdsOf.get(point.id) ?? [],
    }));

    const caseHouseholds = [...new Set(cases.map((row) => row.household.id))];
    const caseDemands =
      caseHouseholds.length === 0
        ? []
        : await em.find(
            Demand,
            { household: { $in: caseHouseholds }, status: { $in: [...OPEN_DEMAND_STATUSES] } },
            { orderBy: [{ raisedAt: 'asc' }, { id: 'asc' }] },
          );
    const caseEscalations =
      caseHouseholds.length === 0
        ? []
        : await em.find(
            DemandEscalation,
            { settledAt: null, demand: { household: { $in: caseHouseholds }, status: { $in: [...OPEN_DEMAND_STATUSES] } } },
            { orderBy: [{ level: 'desc' }, { escalatedAt: 'asc' }, { id: 'asc' }], populate: ['demand', 'targetRegion', 'leaderCadre'] },
          );
    const pointEscalations =
      escalationIds.size === 0
        ? []
        : await em.find(DemandEscalation, { id: { $in: [...escalationIds] } }, { populate: ['demand', 'targetRegion', 'leaderCadre'] });

    // The effective due dates of every demand shown: their open referrals' due dates, one statement.
    const demandIds = [
      ...new Set([...caseDemands.map((row) => row.id), ...caseEscalations.map((row) => row.demand.id), ...pointEscalations.map((row) => row.demand.id)]),
    ];
    const referralDue = new Map<number, string>();
    if (demandIds.length > 0) {
      const rows = await em.execute<{ demand_id: number | string; due_on: Date | string | number }[]>(
        `select demand_id, due_on from demand_referral where demand_id in (${demandIds.map(() => '?').join(', ')}) and status in (${OPEN_REFERRAL_STATUSES.map(() => '?').join(', ')})`,
        [...demandIds, ...OPEN_REFERRAL_STATUSES],
      );
      for (const row of rows) referralDue.set(Number(row.demand_id), localDateOf(row.due_on)!);
    }
    const names = new Map((await ladder(em)).map((rung) => [rung.level, rung.name]));

    const leaderDemand = (demand: Demand): LeaderDemand => {
      const effectiveDueOn = referralDue.get(demand.id) ?? demand.dueOn ?? null;
      return {
        id: demand.id,
        category: demand.category,
        text: demand.text,
        status: demand.status,
        raisedAt: demand.raisedAt,
        dueOn: demand.dueOn ?? null,
        effectiveDueOn,
        overdue: OPEN_DEMAND_STATUSES.includes(demand.status) && effectiveDueOn !== null && effectiveDueOn < today,
        escalationRung: demand.escalationRung,
      };
    };
    const leaderEscalation = (escalation: DemandEscalation): LeaderEscalation => ({
      id: escalation.id,
      level: escalation.level,
      rungName: names.get(escalation.level) ?? String(escalation.level),
      targetRegionName: escalation.targetRegion.name,
      leaderName: escalation.leaderCadre?.name ?? null,
      lapsedDueOn: escalation.lapsedDueOn,
      escalatedAt: escalation.escalatedAt,
      settledAt: escalation.settledAt ?? null,
      daysOverdue: daysBetween(escalation.lapsedDueOn, escalation.settledAt ? shanghaiDate(escalation.settledAt) : today),
      demand: leaderDemand(escalation.demand),
    });

    const escalationById = new Map(pointEscalations.map((row) => [row.id, row]));
    const leaderPoints: LeaderContactPoint[] = pointFacts.map(({ point, open, overdue, escalationIds: ids }) => ({
      id: point.id,
      kindName: point.kind.name,
      targetName: targetNameOf(point),
      openDemands: open,
      overdueDemands: overdue,
      escalations: ids
        .map((id) => escalationById.get(id))
        .filter((row): row is DemandEscalation => row !== undefined)
        .map(leaderEscalation),
    }));
    const leaderCases: LeaderCase[] = cases.map((petitionCase) => ({
      id: petitionCase.id,
      caseLabel: caseLabelOf(petitionCase),
      status: petitionCase.status,
      majorBacklog: petitionCase.majorBacklog,
      openDemands: caseDemands.filter((demand) => demand.household.id === petitionCase.household.id).map(leaderDemand),
      escalations: caseEscalations
        .filter((row) => row.demand.household.id === petitionCase.household.id)
        .slice(0, LEADER_ESCALATIONS_SHOWN)
        .map(leaderEscalation),
    }));
    return { points: leaderPoints, cases: leaderCases };
  },
};
