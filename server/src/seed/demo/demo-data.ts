import { OPEN_CASE_STATUSES, Role, TargetGroup } from '@wanjia/shared';
import { loadConfig, type VisitIntervals } from '../../config';
import type { Em } from '../../core/entity-manager';
import { DEMO_PASSWORDS } from '../../modules/accounts/published-passwords';
import type { UserAccount } from '../../modules/accounts/user-account.entity';
import type { Assignment } from '../../modules/assignments/assignment.entity';
import { AuditEntry } from '../../modules/audit/audit-entry.entity';
import type { Cadre } from '../../modules/cadres/cadre.entity';
import type { ContactPointKind } from '../../modules/contact-points/contact-point-kind.entity';
import type { ContactPoint } from '../../modules/contact-points/contact-point.entity';
import type { DemandEvent } from '../../modules/demands/demand-event.entity';
import type { Demand } from '../../modules/demands/demand.entity';
import type { DemandEscalation } from '../../modules/demands/demand-escalation.entity';
import type { DemandReferral } from '../../modules/demands/demand-referral.entity';
import type { UnitHandler } from '../../modules/units/unit-handler.entity';
import { demoLoop } from './demo-loop';
import type { HelpRecord } from '../../modules/help-records/help-record.entity';
import { rebuildAnalyticsSummaries } from '../../modules/help-records/help-record-summary.service';
import type { Household } from '../../modules/households/household.entity';
import type { Resident } from '../../modules/households/resident.entity';
import type { PetitionCase } from '../../modules/petition-cases/petition-case.entity';
import type { Region } from '../../modules/regions/region.entity';
import type { Round } from '../../modules/rounds/round.entity';
import type { UnitPairing } from '../../modules/unit-pairings/unit-pairing.entity';
import type { Unit } from '../../modules/units/unit.entity';
import { DemoCampaign } from './demo-campaign';
import { seedDemoFieldReports } from './demo-field-reports';
import { DEMO_SEED_OPERATION } from './demo-figures';
import { DemoPeople } from './demo-people';
import { DemoRandom } from './demo-random';
import { DemoVisits } from './demo-visits';

/**
 * The demo data set: Benxi's real districts and counties, made-up villages, units, cadres and
 * households, and two rounds of assignments and help records. The same seed gives the same rows.
 *
 * The rounds follow the article's shape (a three-year round from August, a new three-year round
 * launched the following May, overlapping) but are placed around `today` so that the demo's
 * overdue visits and open demands look like a campaign in progress rather than 2011's archive.
 */

export interface DemoOptions {
  seed: number;
  households: number;
  /** The demo's "today": help records stop here. */
  today: Date;
  /** The visit schedule the households are visited to (the server's configured one when it seeds). */
  visitIntervals: VisitIntervals;
  onStep?: (step: string) => void;
}

export const DEFAULT_DEMO_OPTIONS: Omit<DemoOptions, 'onStep'> = {
  seed: 20_110_501,
  households: 1000,
  today: new Date('2026-11-20T04:00:00Z'),
  visitIntervals: loadConfig({}).visitIntervals,
};

export const DEMO_STEPS = [
  'rounds and regions',
  'units and pairings',
  'cadres',
  'households and residents',
  'petition cases',
  'assignments',
  'help records',
  'demands',
  'contact points',
  'accounts',
  'writing to the database',
  'field reports',
] as const;

export interface DemoAccount {
  username: string | null;
  password: string | null;
  role: Role;
  scope: string;
  cadreName?: string;
}

/** Demo-only credentials: printed at start, and meant to be replaced before real use. */
// The demo passwords live with the accounts module, which refuses them (production, password changes).
export { DEMO_PASSWORDS };

interface Built {
  rounds: [Round, Round];
  city: Region;
  counties: Region[];
  townships: Region[];
  places: Region[];
  units: Unit[];
  pairings: UnitPairing[];
  cadres: Cadre[];
  leaders: Cadre[];
  households: Household[];
  residents: Resident[];
  petitionCases: PetitionCase[];
  assignments: Assignment[];
  helpRecords: HelpRecord[];
  demands: Demand[];
  demandEvents: DemandEvent[];
  unitHandlers: UnitHandler[];
  referrals: DemandReferral[];
  escalations: DemandEscalation[];
  contactPointKinds: ContactPointKind[];
  contactPoints: ContactPoint[];
  accounts: UserAccount[];
}

export interface DemoCounts {
  regions: number;
  villagesAndCommunities: number;
  units: number;
  unitPairings: number;
  cadres: number;
  households: number;
  householdsByTargetGroup: Record<TargetGroup, number>;
  residents: number;
  petitionCases: number;
  majorPetitionCases: number;
  demands: number;
  assignments: number;
  activeAssignments: number;
  helpRecords: number;
  contactPoints: number;
  accounts: number;
  /** Field reports (变更报告) the demo cadres made, decided or waiting. */
  fieldReports: number;
}

export interface DemoResult {
  counts: DemoCounts;
  accounts: DemoAccount[];
}

/** Writes the demo data set in one transaction: either all of it is there, or none. */
export async function seedDemoData(em: Em, options: DemoOptions = DEFAULT_DEMO_OPTIONS): Promise<DemoResult> {
  const built = await build(options);
  options.onStep?.('writing to the database');
  await em.transactional(async (tx) => {
    const all: object[] = [
      ...built.rounds,
      built.city,
      ...built.counties,
      ...built.townships,
      ...built.places,
      ...built.units,
      ...built.pairings,
      ...built.cadres,
      // Before the loop's rows, which name accounts (cascading them in): the admin keeps the first id, the cadres follow.
      ...built.accounts,
      ...built.households,
      ...built.residents,
      ...built.petitionCases,
      ...built.assignments,
      ...built.helpRecords,
      ...built.demands,
      ...built.demandEvents,
      ...built.contactPointKinds,
      ...built.contactPoints,
      ...built.unitHandlers,
      ...built.referrals,
      ...built.escalations,
    ];
    tx.persist(all);
    await tx.flush();
    tx.persist(
      tx.create(AuditEntry, {
        operation: DEMO_SEED_OPERATION,
        entityName: 'Database',
        entityId: 'demo',
        changes: JSON.stringify({ seed: options.seed, households: built.households.length, today: options.today.toISOString() }),
      }),
    );
  });
  // Field reports go through their service (their approvals change household files and send notices),
  // after the rows they name are written; a failure here leaves the demo without some of them, nothing else.
  options.onStep?.('field reports');
  const fieldReports = await seedDemoFieldReports(em, built.accounts, options.today, options.seed);
  // The records were persisted around the help-record service: attribute them and build the analysts' monthly summary.
  await rebuildAnalyticsSummaries(em);
  return { counts: { ...countsOf(built), fieldReports }, accounts: demoAccounts(built) };
}

function countsOf(built: Built): Omit<DemoCounts, 'fieldReports'> {
  const byGroup = { [TargetGroup.HARDSHIP]: 0, [TargetGroup.KEY_FOCUS]: 0, [TargetGroup.PETITIONER]: 0 };
  for (const household of built.households) {
    for (const group of household.targetGroups) byGroup[group] += 1;
  }
  return {
    regions: 1 + built.counties.length + built.townships.length + built.places.length,
    villagesAndCommunities: built.places.length,
    units: built.units.length,
    unitPairings: built.pairings.length,
    cadres: built.cadres.length,
    households: built.households.length,
    householdsByTargetGroup: byGroup,
    residents: built.residents.length,
    petitionCases: built.petitionCases.length,
    majorPetitionCases: built.petitionCases.filter((c) => c.majorBacklog).length,
    demands: built.demands.length,
    assignments: built.assignments.length,
    activeAssignments: built.assignments.filter((a) => !a.endedAt).length,
    helpRecords: built.helpRecords.length,
    contactPoints: built.contactPoints.length,
    accounts: built.accounts.length,
  };
}

async function build(options: DemoOptions): Promise<Built> {
  const step = (name: (typeof DEMO_STEPS)[number]) => options.onStep?.(name);
  const random = new DemoRandom(options);
  const campaign = new DemoCampaign(random);
  const people = new DemoPeople(random);
  step('rounds and regions');
  const rounds = campaign.rounds();
  const { city, counties, townships, places } = campaign.regions();
  step('units and pairings');
  const units = campaign.units(city, counties);
  const pairings = campaign.pairings(units, places, rounds);
  step('cadres');
  const { cadres, leaders } = campaign.cadres(units);
  step('households and residents');
  const { households, residents, withSchoolChildren } = people.households(places, options.households);
  step('petition cases');
  const petitionCases = people.petitionCases(households, residents, leaders);
  const withOpenPetitionCase = new Set(
    petitionCases.filter((petitionCase) => OPEN_CASE_STATUSES.includes(petitionCase.status)).map((petitionCase) => petitionCase.household),
  );
  const visits = new DemoVisits(random, { intervals: options.visitIntervals, withSchoolChildren, withOpenPetitionCase });
  step('assignments');
  const assignments = visits.assignments(households, cadres, rounds);
  step('help records');
  const helpRecords = visits.helpRecords(assignments);
  step('demands');
  const demands = visits.demands(households, helpRecords);
  const demandEvents = visits.demandEvents(demands);
  step('contact points');
  const { contactPointKinds, contactPoints } = campaign.contactPoints(leaders, rounds[1], { counties, townships, places, units, households, petitionCases });
  step('accounts');
  const accounts = await campaign.accounts(city, counties, assignments);
  // The demand loop needs the accounts: a referral names the account that made it.
  const loop = demoLoop({
    today: options.today,
    seed: options.seed,
    regions: [city, ...counties, ...townships, ...places],
    units,
    cadres,
    households,
    assignments,
    petitionCases,
    demands,
    accounts,
  });
  demands.push(...loop.demands);
  demandEvents.push(...loop.events);
  return {
    unitHandlers: loop.handlers,
    referrals: loop.referrals,
    escalations: loop.escalations,
    rounds,
    city,
    counties,
    townships,
    places,
    units,
    pairings,
    cadres,
    leaders,
    households,
    residents,
    petitionCases,
    assignments,
    helpRecords,
    demands,
    demandEvents,
    contactPointKinds,
    contactPoints,
    accounts,
  };
}

function demoAccounts(built: Built): DemoAccount[] {
  return built.accounts.map((account) => ({
    username: account.username ?? null,
    password: account.username ? (DEMO_PASSWORDS[account.username as keyof typeof DEMO_PASSWORDS] ?? null) : null,
    role: account.role,
    scope: account.scopeRegion?.name ?? '本人联系的户',
    cadreName: account.cadre?.name,
  }));
}
