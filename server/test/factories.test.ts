import { RegionLevel, Role } from '@wanjia/shared';
import type { DatabaseConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { verifyAccessToken } from '../src/modules/auth/token.service';
import { UserAccount } from '../src/modules/accounts/user-account.entity';
import { Assignment } from '../src/modules/assignments/assignment.entity';
import { Cadre } from '../src/modules/cadres/cadre.entity';
import { ContactPoint } from '../src/modules/contact-points/contact-point.entity';
import { HelpRecord } from '../src/modules/help-records/help-record.entity';
import { Household } from '../src/modules/households/household.entity';
import { Resident } from '../src/modules/households/resident.entity';
import { PetitionCase } from '../src/modules/petition-cases/petition-case.entity';
import { Region } from '../src/modules/regions/region.entity';
import { Round } from '../src/modules/rounds/round.entity';
import { UnitPairing } from '../src/modules/unit-pairings/unit-pairing.entity';
import { Unit } from '../src/modules/units/unit.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import {
  authorizationFor,
  createAccount,
  createContactPoint,
  createDemand,
  createHelpRecord,
  createHouseholdWithResidents,
  createPetitionCase,
  createPhoto,
  createRegion,
  createUnitPairing,
  tokenFor,
} from './support/factories';

/** The factories the other tests build on: parents made when left out, defaults unique where the schema wants it. */
describe.each(databaseKinds())('test factories on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'factories'));
  });

  afterAll(async () => {
    await orm.close(true);
    await dropScratchDatabase(database);
  });

  it('builds a help record from nothing: its household, region, cadre, unit, round and assignment, twice over', async () => {
    const em = orm.em.fork();
    const first = await createHelpRecord(em);
    const second = await createHelpRecord(em);
    const read = orm.em.fork();
    for (const record of [first, second]) {
      const loaded = await read.findOneOrFail(HelpRecord, record.id, { populate: ['household.region', 'cadre.unit.region', 'assignment', 'round'] });
      expect(loaded.household.region.level).toBe(RegionLevel.COMMUNITY);
      expect(loaded.cadre.unit.region.level).toBe(RegionLevel.CITY);
      expect(loaded.assignment).toMatchObject({ household: { id: loaded.household.id }, cadre: { id: loaded.cadre.id }, round: { id: loaded.round.id } });
    }
    expect(await read.count(Assignment, {})).toBe(2);
    expect(await read.count(Round, {})).toBe(2);
    expect(await read.count(Cadre, {})).toBe(2);
    expect(await read.count(Unit, {})).toBe(2);
    expect(await read.count(Household, {})).toBe(2);
    expect(await read.count(Region, {})).toBe(4);
  });

  it('keeps what is given: a record of a given household makes its assignment with that household', async () => {
    const em = orm.em.fork();
    const { household, residents } = await createHouseholdWithResidents(em, { headName: '周淑珍' }, [{}, { name: '周小明', idNumber: null }]);
    const record = await createHelpRecord(em, { household, summary: '送去过冬物资' });
    const loaded = await orm.em.fork().findOneOrFail(HelpRecord, record.id, { populate: ['assignment'] });
    expect(loaded).toMatchObject({ summary: '送去过冬物资', household: { id: household.id }, assignment: { household: { id: household.id } } });
    expect((await orm.em.fork().find(Resident, { household: household.id }, { orderBy: { id: 'asc' } })).map((row) => row.name)).toEqual(['周淑珍', '周小明']);
    expect(residents).toHaveLength(2);
  });

  it('builds the other entities from nothing, each twice without a clash', async () => {
    const em = orm.em.fork();
    for (let time = 0; time < 2; time += 1) {
      await createUnitPairing(em);
      await createContactPoint(em);
      await createPetitionCase(em);
      await createDemand(em);
      await createPhoto(em);
      await createAccount(em, { role: Role.ANALYST });
    }
    const read = orm.em.fork();
    expect(await read.count(UnitPairing, {})).toBe(2);
    const points = await read.find(ContactPoint, {}, { populate: ['targetRegion', 'leader'] });
    expect(points.map((point) => point.targetRegion?.level)).toEqual([RegionLevel.COMMUNITY, RegionLevel.COMMUNITY]);
    expect(await read.count(PetitionCase, {})).toBe(2);
    expect(await read.count(UserAccount, { role: Role.CADRE })).toBe(2);
    expect(await read.count(UserAccount, { role: Role.ANALYST })).toBe(2);
  });

  it("signs a token carrying the account's role, scope path and cadre", async () => {
    const em = orm.em.fork();
    const district = await createRegion(em, { parent: await createRegion(em, { level: RegionLevel.CITY }) });
    const admin = await createAccount(em, { scopeRegion: district });
    const secret = 'factories-test-secret-0123456789-abcdefghijklmnop';
    expect(await verifyAccessToken(await tokenFor(admin, secret), secret)).toMatchObject({
      accountId: admin.id,
      role: Role.ADMIN,
      scopeRegionId: district.id,
      scopePath: district.path,
      cadreId: null,
    });
    const cadreAccount = await createAccount(em, { role: Role.CADRE });
    const header = await authorizationFor(cadreAccount, { config: { auth: { jwtSecret: secret } } });
    expect(await verifyAccessToken(header.authorization!.replace(/^Bearer /, ''), secret)).toMatchObject({ role: Role.CADRE, cadreId: cadreAccount.cadre!.id });
    // A scope region that is only a reference would sign a token scoped to nothing: refused.
    const unloaded = orm.em.fork().getReference(UserAccount, admin.id);
    unloaded.scopeRegion = orm.em.fork().getReference(Region, district.id);
    await expect(tokenFor(unloaded, secret)).rejects.toThrow(/load account/);
  });
});
