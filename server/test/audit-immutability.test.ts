import { randomUUID } from 'node:crypto';
import type { DatabaseConfig } from '../src/config';
import { DEFAULT_DEMO_OPTIONS, seedDemoData } from '../src/seed/demo/demo-data';
import type { Orm } from '../src/db/orm';
import { Assignment } from '../src/modules/assignments/assignment.entity';
import { AuditEntry } from '../src/modules/audit/audit-entry.entity';
import { Household } from '../src/modules/households/household.entity';
import { Resident } from '../src/modules/households/resident.entity';
import { PetitionCase } from '../src/modules/petition-cases/petition-case.entity';
import { Region } from '../src/modules/regions/region.entity';
import { Unit } from '../src/modules/units/unit.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { signIn, startApp, type GraphQLBody, type RunningApp } from './support/server';

/**
 * The audit trail is append-only and scoped: no operation changes or deletes an entry, every mutation
 * adds exactly one, and each administrator reads only the trail of their own subtree.
 */

const PINGSHAN_PATH = '210500000000/210502000000/';

interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}

interface IntrospectedField {
  name: string;
  type: TypeRef;
  args: { name: string; type: TypeRef }[];
}

const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name } } }';

function namedType(ref: TypeRef): string {
  return ref.ofType ? namedType(ref.ofType) : ref.name!;
}

describe.each(databaseKinds())('the audit trail on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let city: Record<string, string>;
  let district: Record<string, string>;
  let analyst: Record<string, string>;
  let cadre: Record<string, string>;

  const errorOf = (body: GraphQLBody<unknown>) => body.errors?.[0]?.extensions;

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'audit_immutability'));
    await seedDemoData(orm.em.fork(), { ...DEFAULT_DEMO_OPTIONS, households: 120 });
    server = await startApp(orm, database, (config) => ({ ...config, devSignIn: true }));
    city = await signIn(server, 'admin', 'wanjia-admin-demo');
    district = await signIn(server, 'pingshan-admin', 'wanjia-pingshan-demo');
    analyst = await signIn(server, 'analyst', 'wanjia-analyst-demo');
    const cadres = await server.graphql<{ developmentCadres: { id: string }[] }>('{ developmentCadres { id } }');
    const signedIn = await server.graphql<{ developmentSignIn: { accessToken: string } }>(
      'mutation ($id: ID!) { developmentSignIn(cadreId: $id) { accessToken } }',
      {
        id: cadres.data!.developmentCadres[0]!.id,
      },
    );
    cadre = { authorization: `Bearer ${signedIn.data!.developmentSignIn.accessToken}` };
  }, 120_000);

  afterAll(async () => {
    await server.close();
    await orm.close(true);
    await dropScratchDatabase(database);
  });

  it('offers no operation that changes, deletes or even names an audit entry, by introspection', async () => {
    const body = await server.graphql<{ __schema: { mutationType: { fields: IntrospectedField[] } } }>(
      `{ __schema { mutationType { fields { name type { ${TYPE_REF} } args { name type { ${TYPE_REF} } } } } } }`,
      {},
      city,
    );
    const mutations = body.data!.__schema.mutationType.fields;
    expect(mutations.length).toBeGreaterThan(20);
    expect(mutations.filter((mutation) => /audit/i.test(mutation.name)).map((mutation) => mutation.name)).toEqual([]);
    expect(
      mutations.filter((mutation) => namedType(mutation.type) === 'AuditEntry' || /audit/i.test(namedType(mutation.type))).map((mutation) => mutation.name),
    ).toEqual([]);
    const auditArguments = mutations.flatMap((mutation) =>
      mutation.args.filter((arg) => /audit/i.test(arg.name) || /audit/i.test(namedType(arg.type))).map((arg) => `${mutation.name}(${arg.name})`),
    );
    expect(auditArguments).toEqual([]);
    // Input types are the only way to send data; none of them carries an audit entry or its fields.
    const inputs = await server.graphql<{ __schema: { types: { name: string; kind: string; inputFields: { name: string; type: TypeRef }[] | null }[] } }>(
      `{ __schema { types { name kind inputFields { name type { ${TYPE_REF} } } } } }`,
      {},
      city,
    );
    const auditInputs = inputs
      .data!.__schema.types.filter((type) => type.kind === 'INPUT_OBJECT')
      .filter((type) => type.name !== 'AuditEntryFilter')
      .filter(
        (type) => /audit/i.test(type.name) || (type.inputFields ?? []).some((field) => /audit/i.test(field.name) || /audit/i.test(namedType(field.type))),
      );
    expect(auditInputs.map((type) => type.name)).toEqual([]);
    // The entry type itself offers no field with arguments, so no nested operation hides there.
    const entry = await server.graphql<{ __type: { fields: IntrospectedField[] } }>(
      '{ __type(name: "AuditEntry") { fields { name type { name kind } args { name type { name kind } } } } }',
      {},
      city,
    );
    expect(entry.data!.__type.fields.filter((field) => field.args.length > 0)).toEqual([]);
  });

  it('refuses, in the code, to change or delete an entry that was written', async () => {
    const em = orm.em.fork();
    const entry = await em.findOneOrFail(AuditEntry, { id: { $gt: 0 } }, { orderBy: { id: 'asc' } });
    const original = { reason: entry.reason ?? null, changes: entry.changes ?? null };
    entry.reason = 'rewritten';
    await expect(em.flush()).rejects.toThrow(/append-only/);
    const other = orm.em.fork();
    other.remove(await other.findOneOrFail(AuditEntry, entry.id));
    await expect(other.flush()).rejects.toThrow(/append-only/);
    const fresh = await orm.em.fork().findOneOrFail(AuditEntry, entry.id);
    expect({ reason: fresh.reason ?? null, changes: fresh.changes ?? null }).toEqual(original);
  });

  it('writes exactly one entry for each mutation of a representative set', async () => {
    const em = orm.em.fork();
    const pingshan = await em.findOneOrFail(Region, { name: '平山区' });
    const community = await em.findOneOrFail(
      Region,
      { path: { $like: `${PINGSHAN_PATH}%` }, level: { $in: ['COMMUNITY', 'VILLAGE'] as Region['level'][] } },
      { orderBy: { id: 'asc' } },
    );
    const unit = await em.findOneOrFail(Unit, { region: { path: { $like: `${PINGSHAN_PATH}%` } } }, { orderBy: { id: 'asc' } });
    const household = await em.findOneOrFail(Household, { region: { path: { $like: `${PINGSHAN_PATH}%` } } }, { orderBy: { id: 'asc' } });
    const resident = await em.findOneOrFail(Resident, { household: { region: { path: { $like: `${PINGSHAN_PATH}%` } } } }, { orderBy: { id: 'asc' } });
    const petitionCase = await em.findOneOrFail(PetitionCase, { household: { region: { path: { $like: `${PINGSHAN_PATH}%` } } } }, { orderBy: { id: 'asc' } });
    const assignment = await em.findOneOrFail(
      Assignment,
      { endedAt: null, household: { region: { path: { $like: `${PINGSHAN_PATH}%` } } } },
      { orderBy: { id: 'asc' } },
    );
    const mine = await server.graphql<{ myHouseholds: { nodes: { id: string }[] } }>('{ myHouseholds(first: 1) { nodes { id } } }', {}, cadre);
    const ownHouseholdId = mine.data!.myHouseholds.nodes[0]!.id;
    const clientId = randomUUID();
    const occurredAt = new Date(Date.now() - 3_600_000).toISOString();
    let createdRecordId = '';
    let createdCadreId = '';

    const steps: {
      name: string;
      headers: Record<string, string>;
      query: string;
      variables: () => Record<string, unknown>;
      keep?: (data: Record<string, { id: string }>) => void;
    }[] = [
      {
        name: 'createUnit',
        headers: district,
        query: 'mutation ($r: ID!) { createUnit(input: {name: "审计测试局", kind: AGENCY, level: COUNTY, regionId: $r}) { id } }',
        variables: () => ({ r: pingshan.id }),
      },
      {
        name: 'updateUnit',
        headers: district,
        query: 'mutation ($id: ID!, $r: ID!) { updateUnit(id: $id, input: {name: "审计测试局（改）", kind: AGENCY, level: COUNTY, regionId: $r}) { id } }',
        variables: () => ({ id: unit.id, r: unit.region.id }),
      },
      {
        name: 'createCadre',
        headers: district,
        query: 'mutation ($u: ID!) { createCadre(input: {name: "审计员", post: "科员", rank: STAFF, unitId: $u, phone: "13912345678"}) { id } }',
        variables: () => ({ u: unit.id }),
        keep: (data) => (createdCadreId = data.createCadre!.id),
      },
      {
        name: 'updateCadre',
        headers: district,
        query: 'mutation ($id: ID!) { updateCadre(id: $id, input: {post: "副科长"}) { id } }',
        variables: () => ({ id: createdCadreId }),
      },
      {
        name: 'issueBindCode',
        headers: district,
        query: 'mutation ($id: ID!) { issueBindCode(cadreId: $id) { code } }',
        variables: () => ({ id: createdCadreId }),
      },
      {
        name: 'deactivateCadre',
        headers: district,
        query: 'mutation ($id: ID!) { deactivateCadre(id: $id, reason: "调离") { id } }',
        variables: () => ({ id: createdCadreId }),
      },
      {
        name: 'reactivateCadre',
        headers: district,
        query: 'mutation ($id: ID!) { reactivateCadre(id: $id) { id } }',
        variables: () => ({ id: createdCadreId }),
      },
      {
        name: 'createHousehold',
        headers: district,
        query: 'mutation ($r: ID!) { createHousehold(input: {regionId: $r, address: "平山区审计路1号", headName: "审计户", targetGroups: [HARDSHIP]}) { id } }',
        variables: () => ({ r: community.id }),
      },
      {
        name: 'updateHousehold',
        headers: district,
        query: 'mutation ($id: ID!, $v: Int!) { updateHousehold(id: $id, input: {expectedVersion: $v, address: "平山区审计路2号"}) { id } }',
        variables: () => ({ id: household.id, v: household.version }),
      },
      {
        name: 'revealResident',
        headers: district,
        query: 'mutation ($id: ID!) { revealResident(id: $id, reason: "核实身份信息") { idNumber } }',
        variables: () => ({ id: resident.id }),
      },
      {
        name: 'changePetitionCaseStatus',
        headers: district,
        query: 'mutation ($id: ID!) { changePetitionCaseStatus(id: $id, status: IN_PROGRESS, reason: "开始办理") { id } }',
        variables: () => ({ id: petitionCase.id }),
      },
      {
        name: 'transferAssignment',
        headers: district,
        query: 'mutation ($id: ID!, $c: ID!) { transferAssignment(assignmentId: $id, toCadreId: $c, reason: "工作调整") { id } }',
        variables: () => ({ id: assignment.id, c: createdCadreId }),
      },
      {
        name: 'updateRegion',
        headers: city,
        query: 'mutation ($id: ID!) { updateRegion(id: $id, name: "平山区") { id } }',
        variables: () => ({ id: pingshan.id }),
      },
      {
        name: 'createRound',
        headers: city,
        query: 'mutation { createRound(input: {name: "审计一轮", startsOn: "2030-01-01", endsOn: "2031-01-01"}) { id } }',
        variables: () => ({}),
      },
      {
        name: 'submitHelpRecord',
        headers: cadre,
        query: 'mutation ($i: HelpRecordInput!) { submitHelpRecord(input: $i) { id } }',
        variables: () => ({ i: { clientId, householdId: ownHouseholdId, occurredAt, kinds: ['VISIT'], summary: '审计走访' } }),
        keep: (data) => (createdRecordId = data.submitHelpRecord!.id),
      },
      {
        name: 'correctHelpRecord',
        headers: cadre,
        query: 'mutation ($id: ID!, $i: HelpRecordCorrectionInput!) { correctHelpRecord(id: $id, input: $i) { id } }',
        variables: () => ({ id: createdRecordId, i: { clientId: randomUUID(), occurredAt, kinds: ['VISIT'], summary: '审计走访（更正）' } }),
      },
    ];

    const written: Record<string, number> = {};
    for (const step of steps) {
      const before = await orm.em.fork().count(AuditEntry);
      const body = await server.graphql<Record<string, { id: string }>>(step.query, step.variables(), step.headers);
      expect({ step: step.name, errors: body.errors }).toEqual({ step: step.name, errors: undefined });
      step.keep?.(body.data as Record<string, { id: string }>);
      written[step.name] = (await orm.em.fork().count(AuditEntry)) - before;
    }
    expect(written).toEqual(Object.fromEntries(steps.map((step) => [step.name, 1])));
    // Sending a record again with its clientId changes no record, and leaves exactly one entry saying who resent it.
    const before = await orm.em.fork().count(AuditEntry);
    const resent = await server.graphql<{ submitHelpRecord: { id: string } }>(
      'mutation ($i: HelpRecordInput!) { submitHelpRecord(input: $i) { id } }',
      { i: { clientId, householdId: ownHouseholdId, occurredAt, kinds: ['VISIT'], summary: '审计走访' } },
      cadre,
    );
    expect(await orm.em.fork().count(AuditEntry)).toBe(before + 1);
    const [resendEntry] = await orm.em.fork().find(AuditEntry, {}, { orderBy: { id: 'desc' }, limit: 1 });
    expect({ operation: resendEntry!.operation, entityId: resendEntry!.entityId }).toEqual({
      operation: 'resendHelpRecord',
      entityId: resent.data!.submitHelpRecord.id,
    });
  });

  it("shows a district administrator only the district's trail, the city all of it, and analysts and cadres none", async () => {
    type Page = { auditEntries: { totalCount: number; nodes: { id: string }[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } } };
    const query = 'query ($after: String) { auditEntries(first: 100, after: $after) { totalCount nodes { id } pageInfo { endCursor hasNextPage } } }';
    const readAll = async (headers: Record<string, string>) => {
      const ids: number[] = [];
      let after: string | null = null;
      let totalCount = 0;
      do {
        const body: GraphQLBody<Page> = await server.graphql<Page>(query, { after }, headers);
        expect(body.errors).toBeUndefined();
        totalCount = body.data!.auditEntries.totalCount;
        ids.push(...body.data!.auditEntries.nodes.map((node) => Number(node.id)));
        after = body.data!.auditEntries.pageInfo.hasNextPage ? body.data!.auditEntries.pageInfo.endCursor : null;
      } while (after);
      return { ids, totalCount };
    };
    const em = orm.em.fork();
    // An entry outside the district: the city's administrator reads a resident of another district.
    const outsider = await em.findOneOrFail(
      Resident,
      { household: { region: { path: { $like: '210500000000/210503000000/%' } } } },
      { orderBy: { id: 'asc' } },
    );
    const reveal = await server.graphql('mutation ($id: ID!) { revealResident(id: $id, reason: "核实身份信息") { idNumber } }', { id: outsider.id }, city);
    expect(reveal.errors).toBeUndefined();
    const districtRead = await readAll(district);
    const inDistrict = await em.count(AuditEntry, { regionPath: { $like: `${PINGSHAN_PATH}%` } });
    expect(districtRead.totalCount).toBe(inDistrict);
    expect(districtRead.ids).toHaveLength(inDistrict);
    expect(inDistrict).toBeGreaterThan(0);
    const rows = await em.find(AuditEntry, { id: { $in: districtRead.ids } });
    expect(rows.filter((row) => !row.regionPath?.startsWith(PINGSHAN_PATH)).map((row) => row.id)).toEqual([]);

    const cityRead = await readAll(city);
    expect(cityRead.totalCount).toBe(await em.count(AuditEntry));
    expect(cityRead.totalCount).toBeGreaterThan(inDistrict);

    // Asking for an entry outside the district by its id or its row answers nothing, not the entry.
    const outside = await em.findOneOrFail(AuditEntry, { operation: 'revealResident', entityId: String(outsider.id) });
    expect(outside.regionPath).not.toBeNull();
    const probe = await server.graphql<Page>(
      'query ($e: ID, $n: String) { auditEntries(filter: {entityId: $e, entityName: $n}) { totalCount nodes { id } pageInfo { endCursor hasNextPage } } }',
      { e: outside.entityId, n: outside.entityName },
      district,
    );
    expect(probe.data!.auditEntries.nodes.map((node) => Number(node.id))).not.toContain(outside.id);
    const cityEntries = await em.count(AuditEntry, { regionPath: null });
    expect(cityEntries).toBeGreaterThan(0);

    expect(errorOf(await server.graphql('{ auditEntries { totalCount } }', {}, analyst))).toMatchObject({ code: 'FORBIDDEN' });
    expect(errorOf(await server.graphql('{ auditEntries { totalCount } }', {}, cadre))).toMatchObject({ code: 'FORBIDDEN' });
    expect(errorOf(await server.graphql('{ auditEntries { totalCount } }'))).toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
