import type { DatabaseConfig } from '../src/config';
import { DEFAULT_DEMO_OPTIONS, seedDemoData } from '../src/seed/demo/demo-data';
import type { Orm } from '../src/db/orm';
import { Assignment } from '../src/modules/assignments/assignment.entity';
import { AuditEntry } from '../src/modules/audit/audit-entry.entity';
import { Cadre } from '../src/modules/cadres/cadre.entity';
import { Household } from '../src/modules/households/household.entity';
import { Resident } from '../src/modules/households/resident.entity';
import { Region } from '../src/modules/regions/region.entity';
import { Round } from '../src/modules/rounds/round.entity';
import { shanghaiDate } from '../src/core/time';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { validIdNumber } from './support/factories';
import { signIn, startApp, type GraphQLBody, type RunningApp } from './support/server';

const PINGSHAN_PATH = '210500000000/210502000000/';

function errorOf(body: GraphQLBody<unknown>): Record<string, unknown> | undefined {
  return body.errors?.[0]?.extensions;
}

/**
 * The district administrator's whole campaign set-up, through the API, and the rules that keep it
 * honest: scope, history instead of deletes, optimistic locking, masking, validation, the audit trail.
 */
describe.each(databaseKinds())("the administrators' API on %s", (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let district: Record<string, string>;
  let city: Record<string, string>;
  let analyst: Record<string, string>;
  let village: Region;
  let outsideVillage: Region;
  let round: Round;

  const asDistrict = <T>(query: string, variables: Record<string, unknown> = {}) => server.graphql<T>(query, variables, district);
  const auditCount = () => orm.em.fork().count(AuditEntry);

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'admin_api'));
    await seedDemoData(orm.em.fork(), { ...DEFAULT_DEMO_OPTIONS, households: 80 });
    server = await startApp(orm, database);
    district = await signIn(server, 'pingshan-admin', 'wanjia-pingshan-demo');
    city = await signIn(server, 'admin', 'wanjia-admin-demo');
    analyst = await signIn(server, 'analyst', 'wanjia-analyst-demo');
    const em = orm.em.fork();
    village = await em.findOneOrFail(
      Region,
      { level: 'COMMUNITY' as Region['level'], path: { $like: `${PINGSHAN_PATH}%` } },
      { orderBy: { id: 'asc' }, populate: ['parent.parent'] },
    );
    outsideVillage = await em.findOneOrFail(
      Region,
      { level: 'VILLAGE' as Region['level'], path: { $like: '210500000000/210522000000/%' } },
      { orderBy: { id: 'asc' }, populate: ['parent.parent'] },
    );
    round = await em.findOneOrFail(Round, { name: '新一轮' });
  });

  afterAll(async () => {
    await server.close();
    await orm.close(true);
    await dropScratchDatabase(database);
  });

  it('lets a district administrator set up the campaign in the district, and nothing outside it', async () => {
    const unit = await asDistrict<{ createUnit: { id: string; region: { name: string } } }>(
      'mutation ($r: ID!) { createUnit(input: { name: "平山区退役军人事务局", kind: AGENCY, level: COUNTY, regionId: $r }) { id region { name } } }',
      { r: String(village.parent!.parent!.id) },
    );
    expect(unit.errors).toBeUndefined();
    expect(unit.data!.createUnit.region.name).toBe('平山区');

    const cadre = await asDistrict<{ createCadre: { id: string; phone: string } }>(
      'mutation ($u: ID!) { createCadre(input: { name: "赵立新", unitId: $u, post: "科长", rank: SECTION, phone: "+86 139 0414 0001", householdCapacity: 2 }) { id phone } }',
      { u: unit.data!.createUnit.id },
    );
    expect(cadre.errors).toBeUndefined();
    expect(cadre.data!.createCadre.phone).toBe('13904140001');

    const pairing = await asDistrict(
      'mutation ($u: ID!, $r: ID!, $round: ID!) { startUnitPairing(unitId: $u, regionId: $r, roundId: $round, startedOn: "2026-06-01") { id } }',
      {
        u: unit.data!.createUnit.id,
        r: String(village.id),
        round: String(round.id),
      },
    );
    expect(pairing.errors).toBeUndefined();

    const idNumber = validIdNumber('210502', '1968-04-02');
    const household = await asDistrict<{
      createHousehold: { id: string; version: number; targetGroups: string[]; phone: string; residents: { idNumber: string }[] };
    }>(
      `mutation ($r: ID!, $id: String!) { createHousehold(input: {
         regionId: $r, address: "东兴社区9号楼2单元301室", headName: "孙桂芝", phone: "0414-2812345",
         targetGroups: [HARDSHIP, KEY_FOCUS], hardshipReasons: [ILLNESS],
         residents: [{ name: "孙桂芝", relation: HEAD, gender: FEMALE, birthDate: "1968-04-02", idNumber: $id, keyFocusReason: SUDDEN_MISFORTUNE }]
       }) { id version targetGroups phone residents { idNumber } } }`,
      { r: String(village.id), id: idNumber },
    );
    expect(household.errors).toBeUndefined();
    expect(household.data!.createHousehold).toMatchObject({ version: 1, targetGroups: ['HARDSHIP', 'KEY_FOCUS'], phone: '0414-***2345' });
    expect(household.data!.createHousehold.residents[0]!.idNumber).toBe(`${idNumber.slice(0, 6)}************`);

    const assigned = await asDistrict<{ assignCadre: { id: string; kind: string; cadre: { name: string } } }>(
      'mutation ($h: ID!, $c: ID!) { assignCadre(householdId: $h, cadreId: $c, kind: ONE_TO_ONE) { id kind cadre { name } } }',
      { h: household.data!.createHousehold.id, c: cadre.data!.createCadre.id },
    );
    expect(assigned.errors).toBeUndefined();
    expect(assigned.data!.assignCadre).toMatchObject({ kind: 'ONE_TO_ONE', cadre: { name: '赵立新' } });

    const bindCode = await asDistrict('mutation ($c: ID!) { issueBindCode(cadreId: $c) { code } }', { c: cadre.data!.createCadre.id });
    expect(bindCode.errors).toBeUndefined();

    // Outside the district: every attempt is FORBIDDEN and writes nothing.
    const before = await auditCount();
    const outsideUnit = await orm.em
      .fork()
      .findOneOrFail(Cadre, { unit: { region: { path: { $like: '210500000000/210522000000/%' } } } }, { populate: ['unit'] });
    const attempts = [
      asDistrict('mutation ($r: ID!) { createUnit(input: { name: "越权单位", kind: AGENCY, level: COUNTY, regionId: $r }) { id } }', {
        r: String(outsideVillage.parent!.parent!.id),
      }),
      asDistrict('mutation ($r: ID!) { createHousehold(input: { regionId: $r, address: "x村", headName: "王", targetGroups: [HARDSHIP] }) { id } }', {
        r: String(outsideVillage.id),
      }),
      asDistrict('mutation ($h: ID!, $c: ID!) { assignCadre(householdId: $h, cadreId: $c, kind: REGULAR) { id } }', {
        h: household.data!.createHousehold.id,
        c: String(outsideUnit.id),
      }),
      asDistrict('mutation ($u: ID!) { createCadre(input: { name: "越权", unitId: $u, post: "科员", rank: STAFF }) { id } }', {
        u: String(outsideUnit.unit.id),
      }),
    ];
    for (const attempt of await Promise.all(attempts)) expect(errorOf(attempt)).toEqual({ code: 'FORBIDDEN' });
    expect(await auditCount()).toBe(before);
  });

  it('keeps one history through a transfer and ends assignments instead of deleting them', async () => {
    const em = orm.em.fork();
    const active = await em.findOneOrFail(
      Assignment,
      { endedAt: null, household: { region: { path: { $like: `${PINGSHAN_PATH}%` } } } },
      { populate: ['cadre'], orderBy: { id: 'asc' } },
    );
    const target = await em.findOneOrFail(
      Cadre,
      { active: true, id: { $ne: active.cadre.id }, unit: { region: { path: { $like: `${PINGSHAN_PATH}%` } } }, householdCapacity: { $gte: 5 } },
      { orderBy: { id: 'desc' } },
    );
    const transferred = await asDistrict<{ transferAssignment: { id: string; transferredFromId: string; cadre: { id: string } } }>(
      'mutation ($a: ID!, $c: ID!) { transferAssignment(assignmentId: $a, toCadreId: $c, reason: "原干部工作调动") { id transferredFromId cadre { id } } }',
      { a: String(active.id), c: String(target.id) },
    );
    expect(transferred.errors).toBeUndefined();
    expect(transferred.data!.transferAssignment).toMatchObject({ transferredFromId: String(active.id), cadre: { id: String(target.id) } });

    const history = await orm.em.fork().find(Assignment, { household: active.household.id }, { orderBy: { id: 'asc' } });
    const old = history.find((row) => row.id === active.id)!;
    expect(old.endedAt).not.toBeNull();
    expect(old.endReason).toBe('原干部工作调动');
    expect(history.filter((row) => row.endedAt === null)).toHaveLength(1);

    // A second assignment for the same household is refused: changing the cadre is a transfer.
    const again = await asDistrict('mutation ($h: ID!, $c: ID!) { assignCadre(householdId: $h, cadreId: $c, kind: REGULAR) { id } }', {
      h: String(active.household.id),
      c: String(active.cadre.id),
    });
    expect(errorOf(again)).toEqual({ code: 'CONFLICT' });

    const ended = await asDistrict('mutation ($a: ID!) { endAssignment(assignmentId: $a, reason: "户已迁出") { endedAt endReason } }', {
      a: transferred.data!.transferAssignment.id,
    });
    expect(ended.errors).toBeUndefined();
    expect(await orm.em.fork().count(Assignment, { household: active.household.id })).toBe(history.length);
  });

  it('refuses to deactivate a cadre who still has households unless asked to end those assignments', async () => {
    const em = orm.em.fork();
    const busy = await em.findOneOrFail(
      Assignment,
      { endedAt: null, household: { region: { path: { $like: `${PINGSHAN_PATH}%` } } } },
      { orderBy: { id: 'desc' } },
    );
    const cadreId = String(busy.cadre.id);
    const activeBefore = await em.count(Assignment, { cadre: busy.cadre.id, endedAt: null });

    // The cadre may come from a city unit, which only the city's administrators manage.
    const refused = await server.graphql('mutation ($c: ID!) { deactivateCadre(id: $c, reason: "退休") { active } }', { c: cadreId }, city);
    expect(errorOf(refused)).toMatchObject({ code: 'CONFLICT', activeAssignments: activeBefore });
    expect((await orm.em.fork().findOneOrFail(Cadre, busy.cadre.id)).active).toBe(true);

    const done = await server.graphql<{ deactivateCadre: { active: boolean } }>(
      'mutation ($c: ID!) { deactivateCadre(id: $c, reason: "退休", endActiveAssignments: true) { active } }',
      { c: cadreId },
      city,
    );
    expect(done.data!.deactivateCadre.active).toBe(false);
    const after = orm.em.fork();
    expect(await after.count(Assignment, { cadre: busy.cadre.id, endedAt: null })).toBe(0);
    expect(await after.count(Assignment, { cadre: busy.cadre.id, endReason: '干部停用：退休' })).toBe(activeBefore);
    // The cadre row is still there, with its history.
    expect(await after.count(Cadre, { id: busy.cadre.id })).toBe(1);
  });

  it('refuses a stale household update with CONFLICT and keeps the newer change', async () => {
    const household = await orm.em.fork().findOneOrFail(Household, { region: { path: { $like: `${PINGSHAN_PATH}%` } } }, { orderBy: { id: 'asc' } });
    const update = (version: number, address: string) =>
      asDistrict<{ updateHousehold: { version: number; address: string } }>(
        'mutation ($id: ID!, $v: Int!, $a: String!) { updateHousehold(id: $id, input: { expectedVersion: $v, address: $a }) { version address } }',
        { id: String(household.id), v: version, a: address },
      );
    const first = await update(household.version, '东兴社区1号楼1单元101室');
    expect(first.data!.updateHousehold.version).toBe(household.version + 1);
    const stale = await update(household.version, '东兴社区2号楼1单元101室');
    expect(errorOf(stale)).toMatchObject({ code: 'CONFLICT', currentVersion: household.version + 1 });
    expect((await orm.em.fork().findOneOrFail(Household, household.id)).address).toBe('东兴社区1号楼1单元101室');

    // A resident change checks and bumps the same version.
    const resident = await asDistrict<{ addResident: { id: string } }>(
      'mutation ($h: ID!, $v: Int!) { addResident(householdId: $h, householdVersion: $v, input: { name: "李小明", relation: CHILD, gender: MALE, birthDate: "2012-09-01" }) { id } }',
      { h: String(household.id), v: household.version + 1 },
    );
    expect(resident.errors).toBeUndefined();
    expect((await orm.em.fork().findOneOrFail(Household, household.id)).version).toBe(household.version + 2);
    const staleResident = await asDistrict(
      'mutation ($h: ID!, $v: Int!) { addResident(householdId: $h, householdVersion: $v, input: { name: "李小红", relation: CHILD, gender: FEMALE }) { id } }',
      { h: String(household.id), v: household.version + 1 },
    );
    expect(errorOf(staleResident)).toMatchObject({ code: 'CONFLICT' });
  });

  it('lets exactly one of two simultaneous edits from the same version through', async () => {
    const household = await orm.em.fork().findOneOrFail(Household, { region: { path: { $like: `${PINGSHAN_PATH}%` } } }, { orderBy: { id: 'desc' } });
    const edit = (address: string) =>
      asDistrict<{ updateHousehold: { version: number } }>(
        'mutation ($id: ID!, $v: Int!, $a: String!) { updateHousehold(id: $id, input: { expectedVersion: $v, address: $a }) { version } }',
        { id: String(household.id), v: household.version, a: address },
      );
    const results = await Promise.all([edit('并发修改甲'), edit('并发修改乙'), edit('并发修改丙')]);
    const succeeded = results.filter((body) => !body.errors);
    expect(succeeded).toHaveLength(1);
    expect(results.filter((body) => errorOf(body)?.code === 'CONFLICT')).toHaveLength(2);
    const stored = await orm.em.fork().findOneOrFail(Household, household.id);
    expect(stored.version).toBe(household.version + 1);
    expect(['并发修改甲', '并发修改乙', '并发修改丙']).toContain(stored.address);
  });

  it('names the field of bad input and writes nothing', async () => {
    const before = { audit: await auditCount(), households: await orm.em.fork().count(Household) };
    const cases: [string, Record<string, unknown>, string][] = [
      [
        'mutation ($r: ID!) { createHousehold(input: { regionId: $r, address: "东兴社区", headName: "王", targetGroups: [] }) { id } }',
        { r: String(village.id) },
        'targetGroups',
      ],
      [
        'mutation ($r: ID!) { createHousehold(input: { regionId: $r, address: "东兴社区", headName: "王", phone: "12345", targetGroups: [HARDSHIP] }) { id } }',
        { r: String(village.id) },
        'phone',
      ],
      [
        'mutation ($r: ID!) { createHousehold(input: { regionId: $r, address: "东兴社区", headName: "王", targetGroups: [HARDSHIP], residents: [{ name: "王", relation: HEAD, gender: MALE, idNumber: "210502196804020011" }] }) { id } }',
        { r: String(village.id) },
        'residents.0.idNumber',
      ],
      [
        'mutation ($r: ID!) { createHousehold(input: { regionId: $r, address: "东兴社区", headName: "王", targetGroups: [HARDSHIP] }) { id } }',
        { r: String(village.parent!.id) },
        'input.regionId',
      ],
      ['mutation { households: cadres(first: 500) { totalCount } }'.replace('mutation', 'query'), {}, 'first'],
    ];
    for (const [query, variables, field] of cases) {
      const body = await asDistrict(query, variables);
      expect(errorOf(body)).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(String(errorOf(body)!.field)).toContain(field);
    }
    expect(await auditCount()).toBe(before.audit);
    expect(await orm.em.fork().count(Household)).toBe(before.households);
  });

  it('masks sensitive fields by role and reveals them only with an audited reason', async () => {
    const em = orm.em.fork();
    const resident = await em.findOneOrFail(
      Resident,
      { idNumber: { $ne: null }, keyFocusReason: { $ne: null }, household: { region: { path: { $like: `${PINGSHAN_PATH}%` } } } },
      { populate: ['household'] },
    );
    const read = (headers: Record<string, string>) =>
      server.graphql<{
        household: { phone: string | null; residents: { id: string; idNumber: string | null; keyFocusReason: string | null; isKeyFocus: boolean }[] };
      }>(
        'query ($id: ID!) { household(id: $id) { phone residents { id idNumber keyFocusReason isKeyFocus } } }',
        { id: String(resident.household.id) },
        headers,
      );
    const asAdmin = (await read(district)).data!.household;
    const asAnalyst = (await read(analyst)).data!.household;
    const shownToAdmin = asAdmin.residents.find((row) => row.id === String(resident.id))!;
    const shownToAnalyst = asAnalyst.residents.find((row) => row.id === String(resident.id))!;
    expect(shownToAdmin.idNumber).toBe(`${resident.idNumber!.slice(0, 6)}************`);
    expect(shownToAdmin.keyFocusReason).toBe(resident.keyFocusReason);
    expect(shownToAnalyst).toMatchObject({ keyFocusReason: null, isKeyFocus: true });
    expect(asAdmin.phone).toContain('****');

    const revealQuery = 'mutation ($id: ID!, $why: String!) { revealResident(id: $id, reason: $why) { idNumber keyFocusReason householdPhone } }';
    expect(errorOf(await server.graphql(revealQuery, { id: String(resident.id), why: '核对低保申请材料' }, analyst))).toEqual({ code: 'FORBIDDEN' });
    expect(errorOf(await server.graphql(revealQuery, { id: String(resident.id), why: '' }, district))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'reason',
    });

    const revealed = await server.graphql<{ revealResident: { idNumber: string; householdPhone: string } }>(
      revealQuery,
      { id: String(resident.id), why: '核对低保申请材料' },
      district,
    );
    expect(revealed.data!.revealResident.idNumber).toBe(resident.idNumber);
    expect(revealed.data!.revealResident.householdPhone).toBe(resident.household.phone);
    const trail = await orm.em.fork().find(AuditEntry, { operation: 'revealResident', entityId: String(resident.id) }, { populate: ['actor'] });
    expect(trail).toHaveLength(1);
    expect(trail[0]).toMatchObject({ reason: '核对低保申请材料', actor: { username: 'pingshan-admin' } });
    expect(trail[0]!.regionPath!.startsWith(PINGSHAN_PATH)).toBe(true);
  });

  it('shows a birth year (and the age it gives this year) unrevealed, and the birth date only with the audited reveal', async () => {
    const em = orm.em.fork();
    const resident = await em.findOneOrFail(Resident, { birthDate: { $ne: null }, household: { region: { path: { $like: `${PINGSHAN_PATH}%` } } } });
    const year = Number(resident.birthDate!.slice(0, 4));
    const read = await server.graphql<{ household: { residents: { id: string; birthYear: number | null; age: number | null }[] } }>(
      'query ($id: ID!) { household(id: $id) { residents { id birthYear age } } }',
      { id: String(resident.household.id) },
      district,
    );
    const shown = read.data!.household.residents.find((row) => row.id === String(resident.id))!;
    expect(shown).toEqual({ id: String(resident.id), birthYear: year, age: Number(shanghaiDate(new Date()).slice(0, 4)) - year });
    expect(JSON.stringify(read)).not.toContain(resident.birthDate!);
    // The field that returned the date in full is gone from the schema.
    const asked = await server.graphql('query ($id: ID!) { household(id: $id) { residents { birthDate } } }', { id: String(resident.household.id) }, district);
    expect(asked.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const revealed = await server.graphql<{ revealResident: { birthDate: string | null } }>(
      'mutation ($id: ID!) { revealResident(id: $id, reason: "核对出生日期") { birthDate } }',
      { id: String(resident.id) },
      district,
    );
    expect(revealed.data!.revealResident.birthDate).toBe(resident.birthDate);
  });

  it('keeps birth dates out of the audit trail when a resident changes', async () => {
    const em = orm.em.fork();
    const resident = await em.findOneOrFail(
      Resident,
      { birthDate: { $ne: null }, idNumber: null, household: { region: { path: { $like: `${PINGSHAN_PATH}%` } } } },
      { populate: ['household'] },
    );
    const changed = await server.graphql(
      'mutation ($id: ID!, $v: Int!, $input: ResidentInput!) { updateResident(id: $id, householdVersion: $v, input: $input) { id } }',
      {
        id: String(resident.id),
        v: resident.household.version,
        input: { name: resident.name, relation: resident.relation, gender: resident.gender, birthDate: '1971-03-09', isPetitioner: resident.isPetitioner },
      },
      district,
    );
    expect(changed.errors).toBeUndefined();
    const [entry] = await orm.em.fork().find(AuditEntry, { operation: 'updateResident', entityId: String(resident.id) }, { orderBy: { id: 'desc' }, limit: 1 });
    expect(entry!.changes).toContain('birthDate');
    expect(entry!.changes).not.toContain('1971-03-09');
    expect(entry!.changes).not.toContain(resident.birthDate!);
  });

  it('writes an audit entry for every mutation, readable in scope by administrators', async () => {
    const districtTrail = await server.graphql<{ auditEntries: { totalCount: number; nodes: { operation: string; entityName: string }[] } }>(
      '{ auditEntries(first: 100) { totalCount nodes { operation entityName } } }',
      {},
      district,
    );
    const operations = new Set(districtTrail.data!.auditEntries.nodes.map((node) => node.operation));
    for (const operation of [
      'createUnit',
      'createCadre',
      'startUnitPairing',
      'createHousehold',
      'assignCadre',
      'issueBindCode',
      'transferAssignment',
      'endAssignment',
      'updateHousehold',
      'addResident',
      'revealResident',
    ]) {
      expect(operations).toContain(operation);
    }
    // The city's administrators also see city-wide rows (the demo seed); the district's never do.
    const cityTrail = await server.graphql<{ auditEntries: { totalCount: number } }>('{ auditEntries(first: 1) { totalCount } }', {}, city);
    expect(cityTrail.data!.auditEntries.totalCount).toBeGreaterThan(districtTrail.data!.auditEntries.totalCount);
    expect(operations).not.toContain('seedDemoData');
  });
});
