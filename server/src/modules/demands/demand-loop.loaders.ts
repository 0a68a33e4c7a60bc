import DataLoader from 'dataloader';
import { maskPhone, OPEN_REFERRAL_STATUSES, Role, type UnitKind, type UnitLevel } from '@wanjia/shared';
import type { Actor } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { NOTHING } from '../../core/policy';
import type { ReferralHousehold, ReferralUnit } from './demand-loop.types';
import { DemandReferral } from './demand-referral.entity';
import { Demand } from './demand.entity';
import { referralPolicy } from './demand.policy';
import { dayOf } from './demand-loop.service';

function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

/**
 * The loop's nested fields, one statement per level of a page whatever its size: a demand's referrals and
 * open referral's due date, a referral's unit, household summary and demand, a timeline step's unit and actor.
 */
export function createDemandLoopLoaders(em: Em, actor: Actor | null = null) {
  return {
    /** Each demand's referrals the caller may read (referral policy's scope), oldest first. */
    referralsByDemand: new DataLoader<number, DemandReferral[]>(async (demandIds) => {
      const rows = await em.find(
        DemandReferral,
        { $and: [{ demand: { $in: [...demandIds] } }, actor ? referralPolicy.scope(actor) : NOTHING] },
        { orderBy: [{ referredAt: 'asc' }, { id: 'asc' }] },
      );
      const groups = new Map<number, DemandReferral[]>(demandIds.map((id) => [id, []]));
      for (const row of rows) groups.get(row.demand.id)?.push(row);
      return demandIds.map((id) => groups.get(id) ?? []);
    }),

    /**
     * The due date of each demand's open referral, whoever may read the referral itself: a demand's
     * effective due date and overdue flag are the demand's own facts.
     */
    openReferralDueByDemand: new DataLoader<number, string | null>(async (demandIds) => {
      const rows = await em.execute<{ demand_id: number | string; due_on: Date | string }[]>(
        `select demand_id, due_on from demand_referral where demand_id in (${placeholders(demandIds)}) and status in (${placeholders(OPEN_REFERRAL_STATUSES)})`,
        [...demandIds, ...OPEN_REFERRAL_STATUSES],
      );
      const byDemand = new Map(rows.map((row) => [Number(row.demand_id), dayOf(row.due_on)]));
      return demandIds.map((id) => byDemand.get(id) ?? null);
    }),

    /** A unit as a referral shows it (with its region's name). */
    referralUnitById: new DataLoader<number, ReferralUnit | null>(async (unitIds) => {
      const rows = await em.execute<{ id: number | string; name: string; kind: UnitKind; level: UnitLevel; region_name: string }[]>(
        `select u.id, u.name, u.kind, u.level, r.name as region_name from unit u join region r on r.id = u.region_id where u.id in (${placeholders(unitIds)})`,
        [...unitIds],
      );
      const byId = new Map(
        rows.map((row) => [Number(row.id), { id: Number(row.id), name: row.name, kind: row.kind, level: row.level, regionName: row.region_name }]),
      );
      return unitIds.map((id) => byId.get(id) ?? null);
    }),

    /** What a referral's unit knows of a demand's household: head, address, masked phone, region name. */
    referralHouseholdByDemand: new DataLoader<number, ReferralHousehold | null>(async (demandIds) => {
      const rows = await em.execute<{ demand_id: number | string; head_name: string; address: string; phone: string | null; region_name: string }[]>(
        `select d.id as demand_id, h.head_name, h.address, h.phone, r.name as region_name
           from demand d join household h on h.id = d.household_id join region r on r.id = h.region_id where d.id in (${placeholders(demandIds)})`,
        [...demandIds],
      );
      const byDemand = new Map(
        rows.map((row) => [
          Number(row.demand_id),
          { headName: row.head_name, address: row.address, maskedPhone: row.phone ? maskPhone(row.phone) : null, regionName: row.region_name },
        ]),
      );
      return demandIds.map((id) => byDemand.get(id) ?? null);
    }),

    /** Demands by id, for a referral's demand (the object-scope guard checks each for the caller). */
    demandById: new DataLoader<number, Demand | null>(async (ids) => {
      const rows = await em.find(Demand, { id: { $in: [...ids] } });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),

    /** The name of each referral's unit, for timeline steps. */
    unitNameByReferral: new DataLoader<number, string | null>(async (referralIds) => {
      const rows = await em.execute<{ id: number | string; name: string }[]>(
        `select r.id, u.name from demand_referral r join unit u on u.id = r.unit_id where r.id in (${placeholders(referralIds)})`,
        [...referralIds],
      );
      const byId = new Map(rows.map((row) => [Number(row.id), row.name]));
      return referralIds.map((id) => byId.get(id) ?? null);
    }),

    /**
     * How the timeline names the account of a step written before the loop (which stored no label): a
     * cadre as "干部 <name>", staff as "<region>管理员" / "<region>分析员". Never a username, phone or ID number.
     */
    actorLabelByAccount: new DataLoader<number, string>(async (accountIds) => {
      const rows = await em.execute<{ id: number | string; role: Role; cadre_name: string | null; region_name: string | null }[]>(
        `select a.id, a.role, c.name as cadre_name, r.name as region_name from user_account a
           left join cadre c on c.id = a.cadre_id left join region r on r.id = a.scope_region_id where a.id in (${placeholders(accountIds)})`,
        [...accountIds],
      );
      const byId = new Map(
        rows.map((row) => {
          if (row.role === Role.CADRE) return [Number(row.id), `干部 ${row.cadre_name ?? ''}`.trim()];
          return [Number(row.id), `${row.region_name ?? ''}${row.role === Role.ADMIN ? '管理员' : '分析员'}`];
        }),
      );
      return accountIds.map((id) => byId.get(id) ?? '系统');
    }),
  };
}
