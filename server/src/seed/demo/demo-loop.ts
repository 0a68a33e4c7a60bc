import {
  DemandCategory,
  DemandEventKind,
  DemandStatus,
  OPEN_CASE_STATUSES,
  OPEN_DEMAND_STATUSES,
  OPEN_REFERRAL_STATUSES,
  ReferralStatus,
  Role,
} from '@wanjia/shared';
import { DAY_MS, shanghaiDate, startOfShanghaiDay } from '../../core/time';
import { DEFAULT_ESCALATION_RUNGS } from '../../db/migrations/Migration20261204000000';
import type { UserAccount } from '../../modules/accounts/user-account.entity';
import type { Assignment } from '../../modules/assignments/assignment.entity';
import type { Cadre } from '../../modules/cadres/cadre.entity';
import { DEFAULT_DEADLINES } from '../../modules/demands/demand-deadline.service';
import { DemandEscalation } from '../../modules/demands/demand-escalation.entity';
import { DemandEvent } from '../../modules/demands/demand-event.entity';
import { DemandReferral } from '../../modules/demands/demand-referral.entity';
import { Demand } from '../../modules/demands/demand.entity';
import type { Household } from '../../modules/households/household.entity';
import type { PetitionCase } from '../../modules/petition-cases/petition-case.entity';
import type { Region } from '../../modules/regions/region.entity';
import { UnitHandler } from '../../modules/units/unit-handler.entity';
import type { Unit } from '../../modules/units/unit.entity';
import { DEMAND_TEXTS } from './demo-texts';

/**
 * The demand loop in the demo (issue 15): units' handlers (联络员), demands referred to units and worked
 * there, returned, resolved by a unit, and the escalation ladder (督办) as the sweep would have written it
 * by the demo's today, with one instruction (批示). Rows are written directly, like the rest of the demo,
 * with their timeline steps and no audit entries.
 *
 * A referral names the account that made it, and the demo's only cadre accounts are the three the
 * development sign-in offers; so the referred demands are those of their households (a dozen new ones,
 * one per scenario, besides the demands they already had). The first of the three is also the handler
 * of its unit: signing in as that cadre shows 待办 with pending, accepted and overdue referrals.
 *
 * Chance here is a stream of its own (from the seed), so the faker stream, and every row drawn from it
 * before and after, stays as it was.
 */

const HOUR_MS = 60 * 60 * 1000;

/** The ladder as the migration seeds it: level, code, name, days past the effective due date. */
const RUNGS = DEFAULT_ESCALATION_RUNGS.map(([level, code, name, afterDays]) => ({ level, code, name, afterDays }));

/** Units besides the first cadre's that have a handler (their first active cadre who is not a leader). */
const HANDLER_UNITS = [
  '本溪市民政局',
  '本溪市住房和城乡建设局',
  '本溪市人力资源和社会保障局',
  '本溪市卫生健康委员会',
  '本溪市司法局',
  '平山区民政局',
  '溪湖区民政局',
  '明山区民政局',
];

const RETURN_REASONS = ['不属于本单位职责范围，建议交办属地乡镇街道', '材料不全，请补充户籍和收入证明后再交办'];
const RESOLUTIONS = ['已协调落实，住户已收到答复', '已按政策办理完毕，结果已告知住户'];
const INSTRUCTION = '请于限期内办结并报告结果';

/** What happens to one new demand of the demo cadres' households. */
type Scenario = 'pending' | 'accepted' | 'escalated' | 'instructed' | 'returned-and-referred-again' | 'returned' | 'resolved-by-unit' | 'started';

/**
 * The scenarios, each with the receiving unit (FIRST: the first demo cadre's unit, which that cadre
 * handles) and the referral's due date relative to today (negative: overdue by that many days).
 */
const PLAN: { scenario: Scenario; unit: 'FIRST' | 'OTHER'; dueInDays: number }[] = [
  { scenario: 'pending', unit: 'FIRST', dueInDays: 6 },
  { scenario: 'accepted', unit: 'FIRST', dueInDays: 9 },
  { scenario: 'escalated', unit: 'FIRST', dueInDays: -5 },
  { scenario: 'pending', unit: 'OTHER', dueInDays: 4 },
  { scenario: 'accepted', unit: 'OTHER', dueInDays: 12 },
  { scenario: 'escalated', unit: 'OTHER', dueInDays: -2 },
  { scenario: 'escalated', unit: 'OTHER', dueInDays: -9 },
  { scenario: 'escalated', unit: 'OTHER', dueInDays: -17 },
  { scenario: 'instructed', unit: 'OTHER', dueInDays: -20 },
  { scenario: 'returned-and-referred-again', unit: 'FIRST', dueInDays: 7 },
  { scenario: 'returned', unit: 'OTHER', dueInDays: 0 },
  { scenario: 'resolved-by-unit', unit: 'FIRST', dueInDays: 0 },
  { scenario: 'resolved-by-unit', unit: 'OTHER', dueInDays: 0 },
  { scenario: 'started', unit: 'OTHER', dueInDays: 0 },
];

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** A small seeded generator (the high bits of an LCG). */
function stream(seed: number): (n: number) => number {
  let state = seed % 2_147_483_648;
  return (n) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.floor((state / 2_147_483_648) * n);
  };
}

export interface DemoLoopInput {
  today: Date;
  seed: number;
  regions: Region[];
  units: Unit[];
  cadres: Cadre[];
  households: Household[];
  assignments: Assignment[];
  petitionCases: PetitionCase[];
  demands: Demand[];
  accounts: UserAccount[];
}

export interface DemoLoop {
  demands: Demand[];
  events: DemandEvent[];
  handlers: UnitHandler[];
  referrals: DemandReferral[];
  escalations: DemandEscalation[];
}

export function demoLoop(input: DemoLoopInput): DemoLoop {
  const random = stream(input.seed + 15);
  const today = shanghaiDate(input.today);
  const now = input.today;
  const out: DemoLoop = { demands: [], events: [], handlers: [], referrals: [], escalations: [] };
  const event = (demand: Demand, kind: DemandEventKind, at: Date, fields: Partial<DemandEvent> = {}) => {
    const step = new DemandEvent();
    step.demand = demand;
    step.kind = kind;
    step.at = at;
    step.helpRecord = null;
    step.satisfaction = null;
    step.note = null;
    Object.assign(step, fields);
    out.events.push(step);
    return step;
  };

  // Due dates by category (the defaults the migration seeds), as raising a demand sets them now.
  for (const demand of input.demands) demand.dueOn = addDays(shanghaiDate(demand.raisedAt), DEFAULT_DEADLINES[demand.category].demandDays);

  // Handlers: the first demo cadre for its unit, and one cadre each of a few more units.
  const admin = input.accounts.find((account) => account.role === Role.ADMIN)!;
  const cadreAccounts = input.accounts.filter((account) => account.role === Role.CADRE && account.cadre);
  const accountOf = new Map(cadreAccounts.map((account) => [account.cadre as Cadre, account]));
  const first = cadreAccounts[0]!.cadre as Cadre;
  const handlerOf = new Map<Unit, Cadre>();
  const designate = (unit: Unit, cadre: Cadre) => {
    const handler = new UnitHandler();
    handler.unit = unit;
    handler.cadre = cadre;
    handler.designatedByAccount = admin;
    handler.startedAt = new Date(now.getTime() - 90 * DAY_MS);
    out.handlers.push(handler);
    handlerOf.set(unit, cadre);
  };
  designate(first.unit as Unit, first);
  for (const name of HANDLER_UNITS) {
    const unit = input.units.find((candidate) => candidate.name === name);
    const cadre = unit && input.cadres.find((candidate) => candidate.unit === unit && candidate.active && candidate.post !== '市级领导');
    if (unit && cadre) designate(unit, cadre);
  }
  const otherUnits = [...handlerOf.keys()].filter((unit) => unit !== first.unit);

  // The demo cadres' households, with the cadre who looks after each now.
  const cadreOf = new Map<Household, Cadre>();
  for (const assignment of input.assignments) {
    if (!assignment.endedAt && !cadreOf.has(assignment.household)) cadreOf.set(assignment.household, assignment.cadre as Cadre);
  }
  const loopHouseholds = input.households.filter((household) => accountOf.has(cadreOf.get(household)!));
  // A referral to the first cadre's own unit comes from the other two cadres' households.
  const fromOthers = loopHouseholds.filter((household) => cadreOf.get(household) !== first);
  const categories = [DemandCategory.HOUSING, DemandCategory.MEDICAL, DemandCategory.LIVELIHOOD, DemandCategory.SOCIAL_SECURITY, DemandCategory.EMPLOYMENT];

  const cadreLabel = (cadre: Cadre) => `干部 ${cadre.name}`;
  const handlerLabel = (unit: Unit) => `${unit.name} 联络员 ${handlerOf.get(unit)!.name}`;
  const adminLabel = `${(admin.scopeRegion as Region).name}管理员`;

  const refer = (demand: Demand, unit: Unit, referredAt: Date, dueOn: string, referrer: Cadre): DemandReferral => {
    const referral = new DemandReferral();
    referral.demand = demand;
    referral.unit = unit;
    referral.status = ReferralStatus.PENDING;
    referral.note = '请协助办理';
    referral.dueOn = dueOn;
    referral.referredAt = referredAt;
    referral.referredByAccount = accountOf.get(referrer)!;
    referral.referredByCadre = referrer;
    out.referrals.push(referral);
    event(demand, DemandEventKind.REFERRED, referredAt, { referral, dueOn, actorLabel: cadreLabel(referrer), note: referral.note });
    return referral;
  };
  const accept = (referral: DemandReferral, at: Date) => {
    referral.status = ReferralStatus.ACCEPTED;
    referral.acceptedAt = at;
    referral.acceptedByCadre = handlerOf.get(referral.unit as Unit)!;
    event(referral.demand as Demand, DemandEventKind.ACCEPTED, at, { referral, actorLabel: handlerLabel(referral.unit as Unit) });
  };

  /** The instruction's demand: its lapse is escalated as of the instruction, then settled by it. */
  const instructed: { demand: Demand; referral: DemandReferral; at: Date; lapsedDueOn: string }[] = [];

  PLAN.forEach((step, index) => {
    const pool = step.unit === 'FIRST' ? fromOthers : loopHouseholds;
    const household = pool[index % pool.length]!;
    const referrer = cadreOf.get(household)!;
    const inReach = otherUnits.filter((candidate) => household.region.path.startsWith(candidate.region.path));
    const unit = step.unit === 'FIRST' ? (first.unit as Unit) : inReach[index % inReach.length]!;
    const category = categories[index % categories.length]!;
    const demand = new Demand();
    demand.household = household;
    demand.category = category;
    demand.text = DEMAND_TEXTS[category][index % DEMAND_TEXTS[category].length]!;
    demand.raisedIn = null;
    // Raised long enough before the referral's due date that the referral fits the rules (due after it, ≤ 90 days).
    const dueOn = addDays(today, step.dueInDays);
    const raisedDaysAgo =
      step.scenario === 'resolved-by-unit' || step.scenario === 'returned' || step.scenario === 'started'
        ? 12 + random(10)
        : Math.max(3, 10 - step.dueInDays) + random(4);
    demand.raisedAt = new Date(startOfShanghaiDay(addDays(today, -raisedDaysAgo)).getTime() + (9 + random(7)) * HOUR_MS);
    demand.dueOn = addDays(shanghaiDate(demand.raisedAt), DEFAULT_DEADLINES[category].demandDays);
    demand.status = DemandStatus.OPEN;
    out.demands.push(demand);
    event(demand, DemandEventKind.RAISED, demand.raisedAt, { actorLabel: cadreLabel(referrer) });
    const referredAt = new Date(demand.raisedAt.getTime() + (20 + random(8)) * HOUR_MS);
    const acceptedAt = new Date(referredAt.getTime() + (3 + random(20)) * HOUR_MS);
    switch (step.scenario) {
      case 'started':
        demand.status = DemandStatus.IN_PROGRESS;
        event(demand, DemandEventKind.WORK_STARTED, referredAt, { actorLabel: cadreLabel(referrer), note: '已联系相关部门了解政策' });
        break;
      case 'pending':
      case 'escalated': {
        const referral = refer(demand, unit, referredAt, dueOn, referrer);
        demand.status = DemandStatus.REFERRED;
        // The overdue ones alternate: waiting to be accepted, or accepted and not done.
        if (step.scenario === 'escalated' && index % 2 === 0) {
          accept(referral, acceptedAt);
          demand.status = DemandStatus.IN_PROGRESS;
        }
        break;
      }
      case 'accepted': {
        const referral = refer(demand, unit, referredAt, dueOn, referrer);
        accept(referral, acceptedAt);
        demand.status = DemandStatus.IN_PROGRESS;
        event(demand, DemandEventKind.PROGRESS_NOTED, new Date(acceptedAt.getTime() + DAY_MS), {
          referral,
          actorLabel: handlerLabel(unit),
          note: '已入户核实情况，正在协调办理',
        });
        break;
      }
      case 'instructed': {
        const referral = refer(demand, unit, referredAt, dueOn, referrer);
        accept(referral, acceptedAt);
        demand.status = DemandStatus.IN_PROGRESS;
        instructed.push({ demand, referral, at: new Date(now.getTime() - 20 * HOUR_MS), lapsedDueOn: dueOn });
        break;
      }
      case 'returned':
      case 'returned-and-referred-again': {
        // The first referral went to a unit that sent it back; the second (or none yet) is the current one.
        const wrong = otherUnits.find((candidate) => candidate !== unit && household.region.path.startsWith(candidate.region.path))!;
        const referral = refer(demand, wrong, referredAt, addDays(shanghaiDate(referredAt), DEFAULT_DEADLINES[category].referralDays), referrer);
        const returnedAt = new Date(referredAt.getTime() + (4 + random(20)) * HOUR_MS);
        referral.status = ReferralStatus.RETURNED;
        referral.returnedAt = returnedAt;
        referral.returnReason = RETURN_REASONS[index % RETURN_REASONS.length]!;
        referral.closedByCadre = handlerOf.get(wrong)!;
        event(demand, DemandEventKind.RETURNED, returnedAt, { referral, actorLabel: handlerLabel(wrong), note: referral.returnReason });
        demand.status = DemandStatus.OPEN;
        if (step.scenario === 'returned-and-referred-again') {
          refer(demand, unit, new Date(returnedAt.getTime() + 2 * HOUR_MS), dueOn, referrer);
          demand.status = DemandStatus.REFERRED;
        }
        break;
      }
      case 'resolved-by-unit': {
        const referral = refer(demand, unit, referredAt, addDays(shanghaiDate(referredAt), DEFAULT_DEADLINES[category].referralDays), referrer);
        accept(referral, acceptedAt);
        const resolvedAt = new Date(acceptedAt.getTime() + (2 + random(4)) * DAY_MS);
        referral.status = ReferralStatus.RESOLVED;
        referral.resolvedAt = resolvedAt;
        referral.resolution = RESOLUTIONS[index % RESOLUTIONS.length]!;
        referral.closedByCadre = handlerOf.get(unit)!;
        // Resolved by the unit: no help record; the household's cadre asks for its answer on the next visit.
        demand.status = DemandStatus.RESOLVED;
        demand.resolvedAt = resolvedAt;
        demand.resolvedBy = null;
        event(demand, DemandEventKind.RESOLVED, resolvedAt, { referral, actorLabel: handlerLabel(unit), note: referral.resolution });
        break;
      }
    }
  });

  // The ladder, as the sweep leaves it by today: every open demand's current lapse, every rung reached.
  const regionByCode = new Map(input.regions.map((region) => [region.code, region]));
  const leaderOf = new Map<Household, Cadre>();
  for (const petitionCase of input.petitionCases) {
    if (OPEN_CASE_STATUSES.includes(petitionCase.status) && petitionCase.responsibleLeader && !leaderOf.has(petitionCase.household as Household)) {
      leaderOf.set(petitionCase.household as Household, petitionCase.responsibleLeader as Cadre);
    }
  }
  const openReferralOf = new Map<Demand, DemandReferral>();
  for (const referral of out.referrals) if (OPEN_REFERRAL_STATUSES.includes(referral.status)) openReferralOf.set(referral.demand as Demand, referral);
  const escalate = (demand: Demand, lapsedDueOn: string, asOf: string, referral: DemandReferral | null, settledAt: Date | null) => {
    const household = demand.household as Household;
    const segments = household.region.path.split('/').filter(Boolean);
    const cadre = cadreOf.get(household);
    for (const rung of RUNGS) {
      if (daysBetween(lapsedDueOn, asOf) < rung.afterDays) continue;
      const target =
        rung.code === 'UNIT' && cadre
          ? ((cadre.unit as Unit).region as Region)
          : regionByCode.get(segments[Math.min({ UNIT: 2, TOWNSHIP: 2, DISTRICT: 1, CITY: 0 }[rung.code] ?? 2, segments.length - 1)]!)!;
      // Reached on the day the rung's days ran out, at the first sweep of the morning.
      const escalatedAt = new Date(Math.min(startOfShanghaiDay(addDays(lapsedDueOn, rung.afterDays)).getTime() + HOUR_MS, (settledAt ?? now).getTime()));
      const row = new DemandEscalation();
      row.demand = demand;
      row.referral = referral;
      row.level = rung.level;
      row.targetRegion = target;
      row.leaderCadre = leaderOf.get(household) ?? null;
      row.lapsedDueOn = lapsedDueOn;
      row.escalatedAt = escalatedAt;
      row.settledAt = settledAt;
      out.escalations.push(row);
      event(demand, DemandEventKind.ESCALATED, escalatedAt, {
        referral,
        rung: rung.level,
        dueOn: lapsedDueOn,
        actorLabel: '系统',
        note: `${rung.name}督办：${target.name}`,
      });
      if (!settledAt) demand.escalationRung = rung.level;
    }
  };
  for (const demand of [...input.demands, ...out.demands]) {
    if (!OPEN_DEMAND_STATUSES.includes(demand.status)) continue;
    if (instructed.some((entry) => entry.demand === demand)) continue;
    const referral = openReferralOf.get(demand) ?? null;
    escalate(demand, referral ? referral.dueOn : demand.dueOn!, today, referral, null);
  }
  // The instruction (批示): a city administrator gives the escalated demand a new due date, which settles its escalations.
  for (const { demand, referral, at, lapsedDueOn } of instructed) {
    escalate(demand, lapsedDueOn, shanghaiDate(at), referral, at);
    const newDueOn = addDays(today, 10);
    referral.dueOn = newDueOn;
    demand.dueOn = newDueOn;
    demand.escalationRung = 0;
    event(demand, DemandEventKind.INSTRUCTED, at, { dueOn: newDueOn, actorLabel: adminLabel, note: INSTRUCTION });
  }
  return out;
}
