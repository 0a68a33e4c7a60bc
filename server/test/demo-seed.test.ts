import fs from 'node:fs';
import path from 'node:path';
import {
  DemandCategory,
  HOUSEHOLD_REGION_LEVELS,
  HardshipReason,
  Role,
  OPEN_CASE_STATUSES,
  ResidentRelation,
  TargetGroup,
  checkIdNumber,
  checkPhone,
} from '@wanjia/shared';
import { loadConfig, type DatabaseConfig } from '../src/config';
import { DEFAULT_DEMO_OPTIONS, seedDemoData, type DemoResult } from '../src/seed/demo/demo-data';
import { demoFigures, formatDemoFigures, overdueVisits } from '../src/seed/demo/demo-figures';
import { SCHOOL_HELP_SUMMARY } from '../src/seed/demo/demo-texts';
import { visitSchedule } from '../src/modules/my-work/visit-schedule';
import { Demand } from '../src/modules/demands/demand.entity';
import { escalateLapsedDemands } from '../src/modules/demands/escalation.service';
import type { Em } from '../src/core/entity-manager';
import type { Orm } from '../src/db/orm';
import { UserAccount } from '../src/modules/accounts/user-account.entity';
import { verifyPassword } from '../src/modules/accounts/password.service';
import { Assignment } from '../src/modules/assignments/assignment.entity';
import { Cadre } from '../src/modules/cadres/cadre.entity';
import { HelpRecord } from '../src/modules/help-records/help-record.entity';
import { Household } from '../src/modules/households/household.entity';
import { Resident } from '../src/modules/households/resident.entity';
import { PetitionCase } from '../src/modules/petition-cases/petition-case.entity';
import { Region } from '../src/modules/regions/region.entity';
import { Round } from '../src/modules/rounds/round.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
/** The reference day the tests seed (and docs/data-sets.md shows), on the Shanghai calendar. */
const DEMO_DAY = new Date(DEFAULT_DEMO_OPTIONS.today.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
const DATA_SETS_DOC = path.resolve(__dirname, '..', '..', 'docs', 'data-sets.md');

/** Whole years of age on the demo's day of someone born on `birthDate` (YYYY-MM-DD). */
function ageOnDemoDay(birthDate: string): number {
  const years = Number(DEMO_DAY.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return DEMO_DAY.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

/** The residents of every household, by household id. */
async function residentsByHousehold(em: Em): Promise<Map<number, Resident[]>> {
  const byHousehold = new Map<number, Resident[]>();
  for (const resident of await em.find(Resident, {}, { orderBy: { id: 'asc' } })) {
    const members = byHousehold.get(resident.household.id) ?? [];
    members.push(resident);
    byHousehold.set(resident.household.id, members);
  }
  return byHousehold;
}

function hasSchoolChild(members: Resident[]): boolean {
  return members.some((member) => {
    const age = ageOnDemoDay(member.birthDate!);
    return (member.relation === ResidentRelation.CHILD || member.relation === ResidentRelation.GRANDCHILD) && age >= 6 && age <= 18;
  });
}

async function countOf(connection: ReturnType<Em['getConnection']>, sql: string): Promise<number> {
  return Number((await connection.execute<{ n: number | string }[]>(sql))[0]!.n);
}

describe.each(databaseKinds())('demo data on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let result: DemoResult;

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'demo_seed'));
    result = await seedDemoData(orm.em.fork());
  });

  afterAll(async () => {
    await orm.close(true);
    await dropScratchDatabase(database);
  });

  it('has the campaign at the size the issue asks for, and the database holds what the seed reports', async () => {
    const em = orm.em.fork();
    const { counts } = result;
    expect(counts.households).toBe(1000);
    expect(await em.count(Household)).toBe(1000);
    expect(counts.villagesAndCommunities).toBeGreaterThanOrEqual(35);
    expect(counts.villagesAndCommunities).toBeLessThanOrEqual(45);
    expect(counts.units).toBe(40);
    expect(counts.cadres).toBeGreaterThanOrEqual(280);
    expect(counts.cadres).toBeLessThanOrEqual(320);
    expect(await em.count(Cadre)).toBe(counts.cadres);
    expect(await em.count(Resident)).toBe(counts.residents);
    expect(await em.count(PetitionCase, { majorBacklog: true })).toBe(counts.majorPetitionCases);
    expect(counts.majorPetitionCases).toBeGreaterThan(0);
    expect(await em.count(HelpRecord)).toBe(counts.helpRecords);
    expect(await em.count(Round)).toBe(2);
  });

  it('spreads households over the three target groups, counted in SQL', async () => {
    const em = orm.em.fork();
    const hardship = await em.count(Household, { isHardship: true });
    const keyFocus = await em.count(Household, { isKeyFocus: true });
    const petitioner = await em.count(Household, { isPetitioner: true });
    expect({ hardship, keyFocus, petitioner }).toEqual({
      hardship: result.counts.householdsByTargetGroup[TargetGroup.HARDSHIP],
      keyFocus: result.counts.householdsByTargetGroup[TargetGroup.KEY_FOCUS],
      petitioner: result.counts.householdsByTargetGroup[TargetGroup.PETITIONER],
    });
    expect(hardship).toBeGreaterThan(600);
    expect(keyFocus).toBeGreaterThan(150);
    expect(petitioner).toBeGreaterThan(100);
    // Every petitioner household has its case; every key-focus household a person with a reason.
    expect(await em.count(PetitionCase)).toBe(petitioner);
    const keyFocusWithReason = await em
      .getConnection()
      .execute<{ n: number | string }[]>('select count(distinct household_id) as n from resident where key_focus_reason is not null');
    expect(Number(keyFocusWithReason[0]!.n)).toBe(keyFocus);
  });

  it('puts every household in a village or community', async () => {
    const em = orm.em.fork();
    const outside = await em.count(Household, { region: { level: { $nin: [...HOUSEHOLD_REGION_LEVELS] } } });
    expect(outside).toBe(0);
    const benxi = await em.findOneOrFail(Region, { code: '210500000000' });
    expect(await em.count(Household, { region: { path: { $like: `${benxi.path}%` } } })).toBe(1000);
  });

  it('points every active assignment to an active cadre, and leaves a coverage gap to find', async () => {
    const em = orm.em.fork();
    expect(await em.count(Assignment, { endedAt: null, cadre: { active: false } })).toBe(0);
    expect(await em.count(Assignment, { endedAt: null })).toBe(result.counts.activeAssignments);
    expect(await em.count(Cadre, { active: false })).toBeGreaterThan(0);
    const [gap] = await em.getConnection().execute<{ n: number | string }[]>(
      `select count(*) as n from household h where h.status = 'ACTIVE'
         and not exists (select 1 from assignment a where a.household_id = h.id and a.ended_at is null)`,
    );
    const unassigned = Number(gap!.n);
    expect(unassigned).toBeGreaterThan(0);
    expect(unassigned).toBeLessThan(100);
    // A household has at most one active assignment.
    const doubled = await em
      .getConnection()
      .execute<unknown[]>('select household_id from assignment where ended_at is null group by household_id having count(*) > 1');
    expect(doubled).toEqual([]);
  });

  it('writes valid identity numbers and phones, and totals only the latest version of corrected records', async () => {
    const em = orm.em.fork();
    const residents = await em.find(Resident, { idNumber: { $ne: null } }, { limit: 300 });
    for (const resident of residents) {
      const check = checkIdNumber(resident.idNumber!);
      expect(check.valid && check.birthDate).toBe(resident.birthDate);
    }
    const households = await em.find(Household, {}, { limit: 300 });
    for (const household of households) expect(checkPhone(household.phone!).valid).toBe(true);
    const superseded = await em.find(HelpRecord, { isLatest: false });
    expect(superseded.length).toBeGreaterThan(0);
    for (const old of superseded) {
      expect(await em.count(HelpRecord, { supersedes: old, isLatest: true })).toBe(1);
    }
  });

  it('leaves an elderly person living alone alone: 60 or older, no spouse, nobody else in the household', async () => {
    const em = orm.em.fork();
    const members = await residentsByHousehold(em);
    const alone = (await em.find(Household, {}, { orderBy: { id: 'asc' } })).filter((household) =>
      household.hardshipReasons.includes(HardshipReason.ELDERLY_ALONE),
    );
    expect(alone.length).toBeGreaterThan(30);
    const wrong = alone
      .map((household) => ({ id: household.id, people: members.get(household.id)!.map((member) => `${member.relation} ${ageOnDemoDay(member.birthDate!)}`) }))
      .filter(({ people }) => people.length !== 1 || !people[0]!.startsWith('HEAD ') || Number(people[0]!.split(' ')[1]) < 60);
    expect(wrong).toEqual([]);
  });

  it('gives school help only to households with a child of school age (6 to 18 on the demo day)', async () => {
    const em = orm.em.fork();
    const members = await residentsByHousehold(em);
    const withSchoolChild = (householdId: number) => hasSchoolChild(members.get(householdId) ?? []);
    const educationDemands = await em.find(Demand, { category: DemandCategory.EDUCATION });
    const schoolRecords = await em.find(HelpRecord, { summary: SCHOOL_HELP_SUMMARY });
    const educationCosts = (await em.find(Household, {})).filter((household) => household.hardshipReasons.includes(HardshipReason.EDUCATION_COST));
    expect(educationDemands.length).toBeGreaterThan(10);
    expect(schoolRecords.length).toBeGreaterThan(10);
    expect(educationCosts.length).toBeGreaterThan(10);
    expect(educationDemands.filter((demand) => !withSchoolChild(demand.household.id)).map((demand) => demand.id)).toEqual([]);
    expect(schoolRecords.filter((record) => !withSchoolChild(record.household.id)).map((record) => record.id)).toEqual([]);
    expect(educationCosts.filter((household) => !withSchoolChild(household.id)).map((household) => household.id)).toEqual([]);
  });

  it('records visits at the hours cadres work (08:30 to 18:00 in Shanghai), on weekdays but for a few Saturdays', async () => {
    const records = await orm.em.fork().find(HelpRecord, {}, { fields: ['occurredAt'] });
    const local = records.map((record) => new Date(record.occurredAt.getTime() + SHANGHAI_OFFSET_MS));
    const outsideHours = local.filter((at) => {
      const minute = at.getUTCHours() * 60 + at.getUTCMinutes();
      return minute < 8 * 60 + 30 || minute >= 18 * 60;
    });
    expect(outsideHours.map((at) => at.toISOString())).toEqual([]);
    expect(local.filter((at) => at.getUTCDay() === 0)).toHaveLength(0);
    const saturdays = local.filter((at) => at.getUTCDay() === 6).length;
    expect(saturdays).toBeGreaterThan(0);
    expect(saturdays / local.length).toBeLessThan(0.08);
    expect(records.every((record) => record.occurredAt.getTime() <= DEFAULT_DEMO_OPTIONS.today.getTime())).toBe(true);
  });

  it('has the overdue share of a working campaign (10 to 20 % of assigned households) by the visit rule the API uses', async () => {
    const em = orm.em.fork();
    const intervals = loadConfig({}).visitIntervals;
    const active = await em.find(Assignment, { endedAt: null }, { populate: ['household'] });
    const openCases = new Set((await em.find(PetitionCase, { status: { $in: [...OPEN_CASE_STATUSES] } })).map((petitionCase) => petitionCase.household.id));
    const overdue = active.filter(
      (assignment) =>
        visitSchedule(
          {
            isHardship: assignment.household.isHardship,
            isKeyFocus: assignment.household.isKeyFocus,
            isPetitioner: assignment.household.isPetitioner,
            hasOpenPetitionCase: openCases.has(assignment.household.id),
            lastVisitAt: assignment.household.lastVisitAt ?? null,
            assignedAt: assignment.startedAt,
          },
          intervals,
          DEFAULT_DEMO_OPTIONS.today,
        ).overdue,
    ).length;
    expect(active.length).toBeGreaterThan(800);
    expect(overdue / active.length).toBeGreaterThanOrEqual(0.1);
    expect(overdue / active.length).toBeLessThanOrEqual(0.2);
    const figures = await demoFigures(em, intervals);
    expect(figures.figures.find((figure) => figure.label === 'overdue visits')!.value).toBe(overdue);
  });

  it('shows in docs/data-sets.md exactly the figures `pnpm demo:figures` prints for this data set', async () => {
    const printed = formatDemoFigures(await demoFigures(orm.em.fork(), loadConfig({}).visitIntervals));
    const documented = /```text\n(rounds[\s\S]*?)\n```/.exec(fs.readFileSync(DATA_SETS_DOC, 'utf8'))?.[1];
    expect(documented).toBe(printed);
  });

  it('shows the demand loop: every state, handlers, referrals returned and referred again, resolved by a unit, an instruction', async () => {
    const em = orm.em.fork();
    const connection = em.getConnection();
    const count = async (sql: string) => Number((await connection.execute<{ n: number | string }[]>(sql))[0]!.n);
    expect(await count(`select count(*) as n from demand where status = 'ESCALATED'`)).toBe(0);
    for (const status of ['OPEN', 'IN_PROGRESS', 'REFERRED', 'RESOLVED', 'CONFIRMED']) {
      expect([status, (await count(`select count(*) as n from demand where status = '${status}'`)) > 0]).toEqual([status, true]);
    }
    for (const status of ['PENDING', 'ACCEPTED', 'RETURNED', 'RESOLVED']) {
      expect([status, (await count(`select count(*) as n from demand_referral where status = '${status}'`)) > 0]).toEqual([status, true]);
    }
    // A REFERRED demand has exactly one open referral, PENDING; an IN_PROGRESS one at most one, ACCEPTED; others none.
    const open = await connection.execute<{ status: string; pending: number | string; accepted: number | string }[]>(
      `select d.status, sum(case when r.status = 'PENDING' then 1 else 0 end) as pending, sum(case when r.status = 'ACCEPTED' then 1 else 0 end) as accepted
         from demand d join demand_referral r on r.demand_id = d.id group by d.id, d.status`,
    );
    for (const row of open) {
      const shape = [row.status, Number(row.pending), Number(row.accepted)];
      if (row.status === 'REFERRED') expect(shape).toEqual(['REFERRED', 1, 0]);
      else if (row.status === 'IN_PROGRESS') expect(Number(row.pending) + Number(row.accepted)).toBeLessThanOrEqual(1);
      else expect([row.status, Number(row.pending) + Number(row.accepted)]).toEqual([row.status, 0]);
    }
    // Returned, then referred again; resolved by a unit and waiting for the household's answer; one instruction.
    expect(
      await count(
        `select count(*) as n from demand d where d.status = 'REFERRED' and exists (select 1 from demand_referral r where r.demand_id = d.id and r.status = 'RETURNED')`,
      ),
    ).toBeGreaterThan(0);
    expect(
      await count(
        `select count(*) as n from demand d where d.status = 'RESOLVED' and d.resolved_by_id is null and exists (select 1 from demand_referral r where r.demand_id = d.id and r.status = 'RESOLVED')`,
      ),
    ).toBeGreaterThan(0);
    expect(await count(`select count(*) as n from demand_event where kind = 'INSTRUCTED'`)).toBe(1);
    expect(await count(`select count(*) as n from demand_escalation where settled_at is not null`)).toBeGreaterThan(0);
    // Every referral goes to a unit in reach of the household, with an active handler of that unit.
    expect(
      await count(`select count(*) as n from demand_referral r join demand d on d.id = r.demand_id join household h on h.id = d.household_id join region hr on hr.id = h.region_id
         join unit u on u.id = r.unit_id join region ur on ur.id = u.region_id
        where substr(hr.path, 1, length(ur.path)) <> ur.path or not exists (select 1 from unit_handler uh where uh.unit_id = u.id and uh.ended_at is null)`),
    ).toBe(0);
    expect(await count(`select count(*) as n from unit_handler uh join cadre c on c.id = uh.cadre_id where c.unit_id <> uh.unit_id or c.active = 0`)).toBe(0);
    // The first cadre the sign-in offers is a handler, with pending, accepted and overdue referrals in 待办.
    const [first] = await em.find(UserAccount, { role: Role.CADRE }, { orderBy: { id: 'asc' }, limit: 1 });
    const inbox = await connection.execute<{ status: string; due_on: unknown }[]>(
      `select r.status, r.due_on from demand_referral r join unit_handler uh on uh.unit_id = r.unit_id and uh.ended_at is null where uh.cadre_id = ?`,
      [first!.cadre!.id],
    );
    expect(new Set(inbox.map((row) => row.status))).toEqual(new Set(['PENDING', 'ACCEPTED', 'RESOLVED']));
    expect(inbox.some((row) => String(row.due_on instanceof Date ? row.due_on.toISOString() : row.due_on).slice(0, 10) < DEMO_DAY)).toBe(true);
  });

  it('has the escalations the ladder gives by the demo day, each with its ESCALATED step: the sweep finds nothing to add', async () => {
    const em = orm.em.fork();
    const connection = em.getConnection();
    const rungs = await connection.execute<{ level: number | string }[]>(
      `select distinct level from demand_escalation where settled_at is null order by level`,
    );
    expect(rungs.map((row) => Number(row.level))).toEqual([1, 2, 3, 4]);
    // The ladder from the ladder's own table: each open demand's current lapse has every rung reached, no more.
    const ladder = await connection.execute<{ level: number | string; after_days: number | string }[]>(
      'select level, after_days from escalation_rung order by level',
    );
    const lapses = await connection.execute<{ id: number | string; due: unknown; rung: number | string }[]>(
      `select d.id, coalesce((select r.due_on from demand_referral r where r.demand_id = d.id and r.status in ('PENDING', 'ACCEPTED')), d.due_on) as due, d.escalation_rung as rung
         from demand d where d.status in ('OPEN', 'IN_PROGRESS', 'REFERRED')`,
    );
    const rows = await connection.execute<{ demand_id: number | string; level: number | string; lapsed_due_on: unknown; settled_at: unknown }[]>(
      'select demand_id, level, lapsed_due_on, settled_at from demand_escalation',
    );
    const day = (value: unknown) => String(value instanceof Date ? value.toISOString() : value).slice(0, 10);
    let escalated = 0;
    for (const lapse of lapses) {
      const due = day(lapse.due);
      const overdue = Math.round((Date.parse(`${DEMO_DAY}T00:00:00Z`) - Date.parse(`${due}T00:00:00Z`)) / 86_400_000);
      const reached = ladder.filter((rung) => overdue >= Number(rung.after_days)).map((rung) => Number(rung.level));
      const recorded = rows
        .filter((row) => Number(row.demand_id) === Number(lapse.id) && day(row.lapsed_due_on) === due && row.settled_at == null)
        .map((row) => Number(row.level))
        .sort();
      expect([Number(lapse.id), recorded, Number(lapse.rung)]).toEqual([Number(lapse.id), reached, reached.length ? Math.max(...reached) : 0]);
      if (reached.length) escalated += 1;
    }
    expect(escalated).toBeGreaterThan(0);
    expect(await countOf(connection, `select count(*) as n from demand_event where kind = 'ESCALATED'`)).toBe(rows.length);
    // The sweep itself, on the demo's day: nothing is missing.
    expect((await escalateLapsedDemands(em, DEFAULT_DEMO_OPTIONS.today)).escalated).toBe(0);
  });

  it('creates the demo accounts with working passwords', async () => {
    const em = orm.em.fork();
    const accounts = await em.find(UserAccount, {}, { populate: ['scopeRegion', 'cadre'], orderBy: { id: 'asc' } });
    expect(accounts.map((account) => [account.role, account.username ?? null, account.scopeRegion?.name ?? null])).toEqual([
      ['ADMIN', 'admin', '本溪市'],
      ['ADMIN', 'pingshan-admin', '平山区'],
      ['ANALYST', 'analyst', '本溪市'],
      ['CADRE', null, null],
      ['CADRE', null, null],
      ['CADRE', null, null],
    ]);
    expect(await verifyPassword(accounts[0]!.passwordHash!, 'wanjia-admin-demo')).toBe(true);
    expect(await verifyPassword(accounts[0]!.passwordHash!, 'wrong')).toBe(false);
    for (const cadreAccount of accounts.slice(3)) {
      expect(await em.count(Assignment, { cadre: cadreAccount.cadre!, endedAt: null })).toBeGreaterThan(0);
    }
  });
});

describe('demo data determinism', () => {
  it('places a demo written on another day around that day: the same people, and a campaign as much in progress', async () => {
    const today = new Date('2027-03-02T09:13:00Z');
    const { orm, database } = await migratedOrm('sqlite', 'demo_other_day');
    try {
      const { counts } = await seedDemoData(orm.em.fork(), { ...DEFAULT_DEMO_OPTIONS, households: 400, today });
      const reference = await migratedOrm('sqlite', 'demo_reference_day');
      try {
        const { counts: referenceCounts } = await seedDemoData(reference.orm.em.fork(), { ...DEFAULT_DEMO_OPTIONS, households: 400 });
        expect([counts.residents, counts.cadres, counts.petitionCases, counts.assignments]).toEqual([
          referenceCounts.residents,
          referenceCounts.cadres,
          referenceCounts.petitionCases,
          referenceCounts.assignments,
        ]);
      } finally {
        await reference.orm.close(true);
        await dropScratchDatabase(reference.database);
      }
      const em = orm.em.fork();
      const newRound = await em.findOneOrFail(Round, { name: '新一轮' });
      expect(newRound.startsOn).toBe('2026-08-11');
      const { overdue, assigned } = await overdueVisits(em, loadConfig({}).visitIntervals, today);
      expect(overdue / assigned).toBeGreaterThanOrEqual(0.1);
      expect(overdue / assigned).toBeLessThanOrEqual(0.2);
      const [latest] = await em.find(HelpRecord, {}, { orderBy: { occurredAt: 'desc' }, limit: 1 });
      expect(latest!.occurredAt.getTime()).toBeLessThanOrEqual(today.getTime());
      expect(today.getTime() - latest!.occurredAt.getTime()).toBeLessThan(7 * 24 * 60 * 60 * 1000);
    } finally {
      await orm.close(true);
      await dropScratchDatabase(database);
    }
  });

  it('gives the same rows for the same seed', async () => {
    const heads: string[][] = [];
    for (const tag of ['demo_same_a', 'demo_same_b']) {
      const { orm, database } = await migratedOrm('sqlite', tag);
      try {
        await seedDemoData(orm.em.fork(), { ...DEFAULT_DEMO_OPTIONS, households: 120 });
        const rows = await orm.em.fork().find(Resident, {}, { orderBy: { id: 'asc' }, limit: 50 });
        heads.push(rows.map((row) => `${row.name}:${row.idNumber}`));
      } finally {
        await orm.close(true);
        await dropScratchDatabase(database);
      }
    }
    expect(heads[0]).toHaveLength(50);
    expect(heads[1]).toEqual(heads[0]);
  });
});
