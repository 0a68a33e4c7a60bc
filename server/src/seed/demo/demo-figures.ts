import { DemandStatus, OPEN_CASE_STATUSES, OPEN_DEMAND_STATUSES, RegionLevel, Satisfaction } from '@wanjia/shared';
import type { VisitIntervals } from '../../config';
import type { Em } from '../../core/entity-manager';
import { shanghaiDate } from '../../core/time';
import { UserAccount } from '../../modules/accounts/user-account.entity';
import { Assignment } from '../../modules/assignments/assignment.entity';
import { AuditEntry } from '../../modules/audit/audit-entry.entity';
import { Cadre } from '../../modules/cadres/cadre.entity';
import { ContactPoint } from '../../modules/contact-points/contact-point.entity';
import { Demand } from '../../modules/demands/demand.entity';
import { HelpRecord } from '../../modules/help-records/help-record.entity';
import { Household } from '../../modules/households/household.entity';
import { Resident } from '../../modules/households/resident.entity';
import { visitSchedule } from '../../modules/my-work/visit-schedule';
import { PetitionCase } from '../../modules/petition-cases/petition-case.entity';
import { Region } from '../../modules/regions/region.entity';
import { Round } from '../../modules/rounds/round.entity';
import { UnitPairing } from '../../modules/unit-pairings/unit-pairing.entity';
import { Unit } from '../../modules/units/unit.entity';

/** The audit operation the demo seeder writes last; its changes carry the seed and the demo's "today". */
export const DEMO_SEED_OPERATION = 'seedDemoData';

/** One line of the figures: a label, the number, and an optional breakdown printed after it. */
export interface DemoFigure {
  label: string;
  value: number;
  detail?: string;
}

export interface DemoFigures {
  /** The instant the overdue visits are judged at: the demo's "today" when the seeder recorded it. */
  asOf: Date;
  figures: DemoFigure[];
}

/** The demo's "today" as the seeder recorded it, or null for a database the seeder did not write. */
export async function demoToday(em: Em): Promise<Date | null> {
  const entry = await em.findOne(AuditEntry, { operation: DEMO_SEED_OPERATION }, { orderBy: { id: 'desc' } });
  if (!entry?.changes) return null;
  const today = (JSON.parse(entry.changes) as { today?: string }).today;
  return today ? new Date(today) : null;
}

/**
 * Assigned households (an active assignment) and how many of them are past their next visit at `at`,
 * by the rule the cadres' list and the analysts' overdue list use (modules/my-work/visit-schedule.ts).
 */
export async function overdueVisits(em: Em, intervals: VisitIntervals, at: Date): Promise<{ assigned: number; overdue: number }> {
  const assignments = await em.find(Assignment, { endedAt: null }, { populate: ['household'] });
  const openCases = await em.find(PetitionCase, { status: { $in: [...OPEN_CASE_STATUSES] } }, { fields: ['household'] });
  const withOpenCase = new Set(openCases.map((petitionCase) => petitionCase.household.id));
  let overdue = 0;
  for (const assignment of assignments) {
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
      intervals,
      at,
    );
    if (schedule.overdue) overdue += 1;
  }
  return { assigned: assignments.length, overdue };
}

/** The demo data set's figures, counted in the database (not taken from the seeder's own report). */
export async function demoFigures(em: Em, intervals: VisitIntervals, at?: Date): Promise<DemoFigures> {
  const asOf = at ?? (await demoToday(em)) ?? new Date();
  const count = async (entity: Parameters<Em['count']>[0], where: object = {}) => em.count(entity, where);
  const regionsAt = (level: RegionLevel) => count(Region, { level });
  const [towns, streets, villages, communities] = await Promise.all([
    regionsAt(RegionLevel.TOWNSHIP),
    regionsAt(RegionLevel.STREET),
    regionsAt(RegionLevel.VILLAGE),
    regionsAt(RegionLevel.COMMUNITY),
  ]);
  const visits = await overdueVisits(em, intervals, asOf);
  const percent = visits.assigned === 0 ? 0 : Math.round((visits.overdue / visits.assigned) * 1000) / 10;
  const figures: DemoFigure[] = [
    { label: 'rounds', value: await count(Round) },
    {
      label: 'regions',
      value: await count(Region),
      detail: `${await regionsAt(RegionLevel.CITY)} city, ${(await regionsAt(RegionLevel.DISTRICT)) + (await regionsAt(RegionLevel.COUNTY))} districts and counties, ${towns} townships, ${streets} streets, ${villages} villages, ${communities} communities`,
    },
    { label: 'units', value: await count(Unit), detail: `${await count(UnitPairing, { endedOn: null })} pairings in the current round` },
    { label: 'cadres', value: await count(Cadre), detail: `${await count(Cadre, { active: false })} inactive` },
    {
      label: 'households',
      value: await count(Household),
      detail: `${await count(Household, { isHardship: true })} hardship, ${await count(Household, { isKeyFocus: true })} key-focus, ${await count(Household, { isPetitioner: true })} petitioner`,
    },
    { label: 'residents', value: await count(Resident) },
    {
      label: 'petition cases',
      value: await count(PetitionCase),
      detail: `${await count(PetitionCase, { majorBacklog: true })} major backlog, ${await count(PetitionCase, { status: { $in: [...OPEN_CASE_STATUSES] } })} open`,
    },
    {
      label: 'demands',
      value: await count(Demand),
      detail: `${await count(Demand, { status: { $in: [...OPEN_DEMAND_STATUSES] } })} open, ${await count(Demand, { status: DemandStatus.CONFIRMED })} confirmed`,
    },
    {
      // The household's latest answer on the return visit (回访) to a resolution.
      label: 'answered demands',
      value: await count(Demand, { satisfaction: { $ne: null } }),
      detail: `${await count(Demand, { satisfaction: Satisfaction.SATISFIED })} satisfied, ${await count(Demand, { satisfaction: Satisfaction.BASICALLY_SATISFIED })} basically satisfied, ${await count(Demand, { satisfaction: Satisfaction.DISSATISFIED, reopenCount: { $gt: 0 } })} dissatisfied and reopened; ${await count(Demand, { status: DemandStatus.RESOLVED })} awaiting an answer`,
    },
    { label: 'assignments', value: await count(Assignment), detail: `${visits.assigned} active` },
    { label: 'help records', value: await count(HelpRecord), detail: `${await count(HelpRecord, { isLatest: false })} superseded by a correction` },
    { label: 'contact points', value: await count(ContactPoint) },
    { label: 'accounts', value: await count(UserAccount), detail: `${await count(UserAccount, { cadre: { $ne: null } })} cadres` },
    { label: 'overdue visits', value: visits.overdue, detail: `of ${visits.assigned} assigned households (${percent}%) on ${shanghaiDate(asOf)}` },
  ];
  return { asOf, figures };
}

/** The figures as `pnpm demo:figures` prints them (and docs/data-sets.md quotes them). */
export function formatDemoFigures({ figures }: DemoFigures): string {
  const labelWidth = Math.max(...figures.map((figure) => figure.label.length));
  const valueWidth = Math.max(...figures.map((figure) => String(figure.value).length));
  return figures
    .map(({ label, value, detail }) => `${label.padEnd(labelWidth)}  ${String(value).padStart(valueWidth)}${detail ? `  ${detail}` : ''}`)
    .join('\n');
}
