import { idNumberCheckCharacter } from '@wanjia/shared';
import type { DatabaseConfig } from '../src/config';
import { DEFAULT_DEMO_OPTIONS, seedDemoData } from '../src/seed/demo/demo-data';
import type { Orm } from '../src/db/orm';
import { AuditEntry } from '../src/modules/audit/audit-entry.entity';
import { Household } from '../src/modules/households/household.entity';
import { Resident } from '../src/modules/households/resident.entity';
import { Region } from '../src/modules/regions/region.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { signIn, startApp, type GraphQLBody, type RunningApp } from './support/server';

const PINGSHAN_PATH = '210500000000/210502000000/';
const HITS_PER_DAY = 5;

const CREATE = `mutation ($r: ID!, $residents: [ResidentInput!]!) {
  createHousehold(input: { regionId: $r, address: "东兴社区9号", headName: "测试", targetGroups: [HARDSHIP], residents: $residents }) { id }
}`;

/** Candidates an attacker would try: same address code and birth year, sequence numbers counted up. */
function candidate(addressCode: string, birthDate: string, sequence: number): string {
  const first17 = `${addressCode}${birthDate.replaceAll('-', '')}${String(sequence).padStart(3, '0')}`;
  return first17 + idNumberCheckCharacter(first17);
}

function errorOf(body: GraphQLBody<unknown>): Record<string, unknown> | undefined {
  return body.errors?.[0]?.extensions;
}

/**
 * The duplicate-ID-number check (duplicate-id-guard.ts) as an oracle: 30 residents per request, each a
 * candidate number, answered by the index of the one already registered. Each refusal is audited with
 * a keyed hash, one account hears at most HITS_PER_DAY of them in 24 hours, and after that the answer
 * tells nothing.
 */
describe.each(databaseKinds())('the duplicate-ID-number oracle on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let district: Record<string, string>;
  let city: Record<string, string>;
  let village: Region;
  let registered: Resident[];

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'dup_oracle'));
    await seedDemoData(orm.em.fork(), { ...DEFAULT_DEMO_OPTIONS, households: 60 });
    server = await startApp(orm, database, (config) => ({ ...config, duplicateIdHitsPerDay: HITS_PER_DAY }));
    district = await signIn(server, 'pingshan-admin', 'wanjia-pingshan-demo');
    city = await signIn(server, 'admin', 'wanjia-admin-demo');
    const em = orm.em.fork();
    village = await em.findOneOrFail(Region, { level: 'COMMUNITY' as Region['level'], path: { $like: `${PINGSHAN_PATH}%` } }, { orderBy: { id: 'asc' } });
    registered = await em.find(
      Resident,
      { idNumber: { $ne: null }, birthDate: { $ne: null }, household: { region: { path: { $like: `${PINGSHAN_PATH}%` } } } },
      { orderBy: { id: 'asc' }, limit: HITS_PER_DAY + 3 },
    );
    expect(registered.length).toBe(HITS_PER_DAY + 3);
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await orm?.close(true);
    await dropScratchDatabase(database);
  });

  /** 30 residents: 29 numbers nobody has, and `hit` (a registered number) at index 21. */
  function thirtyCandidates(hit: Resident | null, round: number) {
    const addressCode = (hit?.idNumber ?? '210502').slice(0, 6);
    const birthDate = hit?.birthDate ?? '1950-01-01';
    return Array.from({ length: 30 }, (_, index) => ({
      name: `候选${index}`,
      relation: 'OTHER',
      gender: 'MALE',
      idNumber: index === 21 && hit ? hit.idNumber : candidate(addressCode, birthDate, 700 + ((round * 30 + index) % 299)),
    }));
  }

  test('each refusal is audited with a keyed hash, one hit per request, at most the budget a day, then no answer at all', async () => {
    const households = await orm.em.fork().count(Household);
    const answers: { code: unknown; field: unknown }[] = [];
    for (let round = 0; round < HITS_PER_DAY + 3; round += 1) {
      const body = await server.graphql(CREATE, { r: String(village.id), residents: thirtyCandidates(registered[round]!, round) }, district);
      answers.push({ code: errorOf(body)?.code, field: errorOf(body)?.field });
    }
    // The first HITS_PER_DAY requests name the registered resident; every later one is refused before
    // anything is compared: TOO_MANY_REQUESTS naming the first resident, whichever one is registered.
    expect(answers.slice(0, HITS_PER_DAY)).toEqual(Array(HITS_PER_DAY).fill({ code: 'BAD_USER_INPUT', field: 'input.residents.21.idNumber' }));
    expect(answers.slice(HITS_PER_DAY)).toEqual(Array(3).fill({ code: 'TOO_MANY_REQUESTS', field: 'input.residents.0.idNumber' }));
    // With the budget spent, a request of numbers nobody has gets the very same answer: no bit leaks.
    const clean = await server.graphql(CREATE, { r: String(village.id), residents: thirtyCandidates(null, 99) }, district);
    expect({ code: errorOf(clean)?.code, field: errorOf(clean)?.field }).toEqual({ code: 'TOO_MANY_REQUESTS', field: 'input.residents.0.idNumber' });
    expect(Number(errorOf(clean)?.retryAfterSeconds)).toBeGreaterThan(23 * 3600);
    // Nothing was written.
    expect(await orm.em.fork().count(Household)).toBe(households);

    // The rate: what an account can learn of registered numbers is HITS_PER_DAY per 24 hours (it was
    // 30 candidates per request at 30 requests a minute, ~900 a minute).
    const em = orm.em.fork();
    const refusals = await em.find(AuditEntry, { operation: 'refuseDuplicateIdNumber' }, { orderBy: { id: 'asc' } });
    expect(refusals).toHaveLength(HITS_PER_DAY);
    for (const [index, entry] of refusals.entries()) {
      const changes = JSON.parse(entry.changes!) as Record<string, unknown>;
      expect(changes).toMatchObject({ field: 'input.residents.21.idNumber', hitsToday: index + 1, idNumbersInRequest: 30 });
      expect(changes.idNumberHash).toMatch(/^[0-9a-f]{32}$/);
      // Never the number, nor anything of it beyond what the masked form shows.
      expect(entry.changes).not.toContain(registered[index]!.idNumber!.slice(6));
      expect(entry.regionPath).toBe(village.path);
    }
    // Keyed: the same number hashes alike, and the hash is not a plain digest of it.
    const { createHash } = await import('node:crypto');
    const first = JSON.parse(refusals[0]!.changes!) as { idNumberHash: string };
    expect(first.idNumberHash).not.toBe(createHash('sha256').update(registered[0]!.idNumber!).digest('hex').slice(0, 32));
    const alerts = await em.find(AuditEntry, { operation: 'alertDuplicateIdNumbers' });
    expect(alerts).toHaveLength(1);
    expect(await em.count(AuditEntry, { operation: 'refuseIdNumberCheck' })).toBe(4);
    // The trail is for the administrators who watch the district: the district's own trail shows it.
    const trail = await server.graphql<{ auditEntries: { totalCount: number } }>(
      '{ auditEntries(first: 1, filter: { operation: "alertDuplicateIdNumbers" }) { totalCount } }',
      {},
      city,
    );
    expect(trail.data?.auditEntries.totalCount).toBe(1);
  }, 120_000);

  test("another account's budget is its own, and a resident's unchanged number asks nothing", async () => {
    const body = await server.graphql(CREATE, { r: String(village.id), residents: thirtyCandidates(registered[HITS_PER_DAY]!, 50) }, city);
    expect(errorOf(body)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.residents.21.idNumber' });
    // The spent district account still edits a resident whose number stays what it was.
    const resident = registered[0]!;
    const household = await orm.em.fork().findOneOrFail(Household, resident.household.id);
    const update = await server.graphql(
      'mutation ($id: ID!, $v: Int!, $i: ResidentInput!) { updateResident(id: $id, householdVersion: $v, input: $i) { id } }',
      {
        id: String(resident.id),
        v: household.version,
        i: { name: `${resident.name}`, relation: resident.relation, gender: resident.gender, birthDate: resident.birthDate, idNumber: resident.idNumber },
      },
      district,
    );
    expect(update.errors).toBeUndefined();
  }, 60_000);
});
