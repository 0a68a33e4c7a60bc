import type { DatabaseConfig } from '../src/config';
import { DEFAULT_DEMO_OPTIONS, seedDemoData } from '../src/seed/demo/demo-data';
import type { Orm } from '../src/db/orm';
import { Assignment } from '../src/modules/assignments/assignment.entity';
import { Household } from '../src/modules/households/household.entity';
import { Resident } from '../src/modules/households/resident.entity';
import { PetitionCase } from '../src/modules/petition-cases/petition-case.entity';
import { Region } from '../src/modules/regions/region.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { signIn, startApp, type GraphQLBody, type RunningApp } from './support/server';

/** Defects the bad-input corpus (tests/api/bad-input.test.ts) found, each pinned where it was fixed. */
describe.each(databaseKinds())('defects found by the bad-input corpus, on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let admin: Record<string, string>;

  const errorOf = (body: GraphQLBody<unknown>) => body.errors?.[0]?.extensions;

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'bad_input_fixes'));
    await seedDemoData(orm.em.fork(), { ...DEFAULT_DEMO_OPTIONS, households: 60 });
    server = await startApp(orm, database);
    admin = await signIn(server, 'admin', 'wanjia-admin-demo');
  });

  afterAll(async () => {
    await server.close();
    await orm.close(true);
    await dropScratchDatabase(database);
  });

  it('filters households by whether they are assigned, page and count alike, request after request', async () => {
    const em = orm.em.fork();
    const assignedIds = new Set((await em.find(Assignment, { endedAt: null }, { fields: ['household'] })).map((row) => row.household.id));
    const total = await em.count(Household);
    const query =
      'query ($assigned: Boolean, $after: String) { households(first: 100, after: $after, filter: {assigned: $assigned}) { totalCount nodes { id } pageInfo { endCursor } } }';
    type Page = { households: { totalCount: number; nodes: { id: string }[]; pageInfo: { endCursor: string | null } } };
    for (let round = 0; round < 2; round += 1) {
      const assigned = await server.graphql<Page>(query, { assigned: true }, admin);
      const unassigned = await server.graphql<Page>(query, { assigned: false }, admin);
      expect(assigned.errors).toBeUndefined();
      expect(unassigned.errors).toBeUndefined();
      expect(assigned.data!.households.totalCount).toBe(assignedIds.size);
      expect(unassigned.data!.households.totalCount).toBe(total - assignedIds.size);
      expect(assigned.data!.households.nodes.every((node) => assignedIds.has(Number(node.id)))).toBe(true);
      expect(unassigned.data!.households.nodes.some((node) => assignedIds.has(Number(node.id)))).toBe(false);
      const next = await server.graphql<Page>(query, { assigned: true, after: assigned.data!.households.pageInfo.endCursor }, admin);
      expect(next.errors).toBeUndefined();
    }
  });

  it('refuses control characters in names and reasons with the field named, and writes nothing', async () => {
    const region = await orm.em.fork().findOneOrFail(Region, { name: '平山区' });
    for (const character of ['\u0000', '\u0007', '\u001b', '\u007f', '\u202e']) {
      const body = await server.graphql(
        'mutation ($id: ID!, $n: String!) { updateRegion(id: $id, name: $n) { id } }',
        { id: String(region.id), n: `平山${character}区` },
        admin,
      );
      expect(errorOf(body)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    }
    expect((await orm.em.fork().findOneOrFail(Region, { id: region.id })).name).toBe('平山区');
    for (const name of ['', '   ', '区'.repeat(65)]) {
      const body = await server.graphql(
        'mutation ($id: ID!, $n: String!) { updateRegion(id: $id, name: $n) { id } }',
        { id: String(region.id), n: name },
        admin,
      );
      expect(errorOf(body)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    }
    expect((await orm.em.fork().findOneOrFail(Region, { id: region.id })).name).toBe('平山区');
  });

  it("checks a resident's ID number and name on addResident and updateResident, not only on createHousehold", async () => {
    const em = orm.em.fork();
    const resident = await em.findOneOrFail(Resident, { idNumber: { $ne: null } }, { orderBy: { id: 'asc' } });
    const household = await em.findOneOrFail(Household, { id: resident.household.id });
    const residentsBefore = await em.count(Resident);
    const add = await server.graphql(
      'mutation ($h: ID!, $v: Int!, $i: ResidentInput!) { addResident(householdId: $h, householdVersion: $v, input: $i) { id } }',
      { h: String(household.id), v: household.version, i: { name: '李四', gender: 'MALE', relation: 'CHILD', idNumber: '<script>alert(1)</script>' } },
      admin,
    );
    expect(errorOf(add)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.idNumber' });
    const unborn = await server.graphql(
      'mutation ($h: ID!, $v: Int!, $i: ResidentInput!) { addResident(householdId: $h, householdVersion: $v, input: $i) { id } }',
      { h: String(household.id), v: household.version, i: { name: '李四', gender: 'MALE', relation: 'CHILD', birthDate: '2099-01-01' } },
      admin,
    );
    expect(errorOf(unborn)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.birthDate' });
    const update = await server.graphql(
      'mutation ($id: ID!, $v: Int!, $i: ResidentInput!) { updateResident(id: $id, householdVersion: $v, input: $i) { id } }',
      { id: String(resident.id), v: household.version, i: { name: '李\u0000四', gender: 'MALE', relation: 'CHILD', idNumber: '210502198001010010' } },
      admin,
    );
    expect(errorOf(update)).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(String(errorOf(update)!.field)).toMatch(/^input\.(name|idNumber)$/);
    const fresh = orm.em.fork();
    expect(await fresh.count(Resident)).toBe(residentsBefore);
    expect((await fresh.findOneOrFail(Resident, resident.id)).idNumber).toBe(resident.idNumber);
    expect((await fresh.findOneOrFail(Household, household.id)).version).toBe(household.version);
  });

  it('refuses a petition received in the future and writes nothing', async () => {
    const em = orm.em.fork();
    const household = await em.findOneOrFail(Household, { id: { $gt: 0 } }, { orderBy: { id: 'asc' } });
    const before = await em.count(PetitionCase);
    const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const body = await server.graphql(
      'mutation ($h: ID!, $d: LocalDate!) { createPetitionCase(input: {householdId: $h, title: "拆迁补偿", demand: "要求补足补偿款", receivedOn: $d}) { id } }',
      { h: String(household.id), d: tomorrow },
      admin,
    );
    expect(errorOf(body)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.receivedOn' });
    expect(await orm.em.fork().count(PetitionCase)).toBe(before);
  });

  it('refuses a cursor whose sort key is not an integer, on every kind of list', async () => {
    for (const forged of ['[1e400]', '["1 OR 1=1"]', '[1.5]', '[null]']) {
      const after = Buffer.from(forged).toString('base64url');
      const units = await server.graphql('query ($after: String) { units(first: 2, after: $after) { totalCount } }', { after }, admin);
      expect(errorOf(units)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
    const twoKeys = Buffer.from('["soon", 1]').toString('base64url');
    const household = await orm.em.fork().findOneOrFail(Household, { id: { $gt: 0 } }, { orderBy: { id: 'asc' } });
    const records = await server.graphql(
      'query ($id: ID!, $after: String) { household(id: $id) { helpRecords(first: 2, after: $after) { totalCount } } }',
      { id: String(household.id), after: twoKeys },
      admin,
    );
    expect(errorOf(records)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    // A cursor the list itself returned still pages.
    const first = await server.graphql<{ units: { pageInfo: { endCursor: string } } }>('{ units(first: 2) { pageInfo { endCursor } } }', {}, admin);
    const next = await server.graphql(
      'query ($after: String) { units(first: 2, after: $after) { totalCount } }',
      { after: first.data!.units.pageInfo.endCursor },
      admin,
    );
    expect(next.errors).toBeUndefined();
  });
});
