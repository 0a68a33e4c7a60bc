import { HOUSEHOLD_REGION_LEVELS, TargetGroup, checkIdNumber, checkPhone } from '@wanjia/shared';
import type { DatabaseConfig } from '../src/config';
import { DEFAULT_DEMO_OPTIONS, seedDemoData, type DemoResult } from '../src/seed/demo/demo-data';
import type { Orm } from '../src/db/orm';
import { UserAccount } from '../src/modules/accounts/user-account.entity';
import { verifyPassword } from '../src/modules/accounts/password';
import { Assignment } from '../src/modules/assignments/assignment.entity';
import { Cadre } from '../src/modules/cadres/cadre.entity';
import { HelpRecord } from '../src/modules/help-records/help-record.entity';
import { Household } from '../src/modules/households/household.entity';
import { Resident } from '../src/modules/households/resident.entity';
import { PetitionCase } from '../src/modules/petition-cases/petition-case.entity';
import { Region } from '../src/modules/regions/region.entity';
import { Round } from '../src/modules/rounds/round.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';

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
