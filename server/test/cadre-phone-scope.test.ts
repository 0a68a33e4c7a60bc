import type { DatabaseConfig } from '../src/config';
import { DEFAULT_DEMO_OPTIONS, seedDemoData } from '../src/seed/demo/demo-data';
import type { Orm } from '../src/db/orm';
import { Assignment } from '../src/modules/assignments/assignment.entity';
import { Cadre } from '../src/modules/cadres/cadre.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { signIn, startApp, type RunningApp } from './support/server';

const PINGSHAN_PATH = '210500000000/210502000000/';
const CADRE = 'id name phone';

/** Every path from a root to a Cadre that a district administrator can take, with the phone asked for. */
const PATHS: Record<string, string> = {
  cadres: `{ cadres(first: 100) { nodes { ${CADRE} } } }`,
  assignments: `{ assignments(first: 100) { nodes { cadre { ${CADRE} } } } }`,
  contactPoints: `{ contactPoints(first: 100) { nodes { leader { ${CADRE} } } } }`,
  petitionCases: `{ petitionCases(first: 100) { nodes { responsibleLeader { ${CADRE} } } } }`,
  overdueVisits: `{ overdueVisits(first: 100) { nodes { cadre { ${CADRE} } } } }`,
  helpRecords: `{ households(first: 10) { nodes { helpRecords(first: 5) { nodes { cadre { ${CADRE} } } } assignmentHistory { cadre { ${CADRE} } } } } }`,
  analyticsCadres: `{ analyticsCadres(measure: CADRES_ENGAGED, first: 100) { nodes { ${CADRE} } } }`,
  accounts: `{ accounts(first: 100) { nodes { cadre { ${CADRE} } } } }`,
};

/** Every Cadre object anywhere in an answer. */
function cadresIn(value: unknown, found: { id: string; phone: string | null }[] = []): { id: string; phone: string | null }[] {
  if (Array.isArray(value)) for (const item of value) cadresIn(item, found);
  else if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if ('phone' in object && 'id' in object && 'name' in object) found.push({ id: String(object.id), phone: (object.phone as string | null) ?? null });
    for (const inner of Object.values(object)) cadresIn(inner, found);
  }
  return found;
}

/**
 * A cadre's phone in full only to the cadre and to administrators whose subtree holds the cadre's
 * unit, however the Cadre was reached (cadre.policy.ts); `cadres(filter: { hasCapacity })` answers.
 */
describe.each(databaseKinds())("cadres' phones and capacity on %s", (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let district: Record<string, string>;
  let city: Record<string, string>;
  let unitPathOf: Map<string, string>;

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'cadre_phone'));
    await seedDemoData(orm.em.fork(), { ...DEFAULT_DEMO_OPTIONS, households: 80 });
    server = await startApp(orm, database);
    district = await signIn(server, 'pingshan-admin', 'wanjia-pingshan-demo');
    city = await signIn(server, 'admin', 'wanjia-admin-demo');
    const cadres = await orm.em.fork().find(Cadre, {}, { populate: ['unit.region'] });
    unitPathOf = new Map(cadres.map((cadre) => [String(cadre.id), cadre.unit.region.path]));
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await orm?.close(true);
    await dropScratchDatabase(database);
  });

  test.each(Object.keys(PATHS))("a district administrator reads full phones only of the district's cadres, via %s", async (path) => {
    const body = await server.graphql(PATHS[path]!, {}, district);
    expect(body.errors).toBeUndefined();
    const seen = cadresIn(body.data).filter((cadre) => cadre.phone);
    const full = seen.filter((cadre) => !cadre.phone!.includes('*'));
    const outside = full.filter((cadre) => !unitPathOf.get(cadre.id)!.startsWith(PINGSHAN_PATH));
    expect(outside).toEqual([]);
    // A district cadre's phone is still there in full for the district's administrator.
    for (const cadre of seen) if (unitPathOf.get(cadre.id)!.startsWith(PINGSHAN_PATH)) expect(cadre.phone).not.toContain('*');
  });

  test('the paths do reach cadres of the city outside the district (what the rule is about)', async () => {
    const body = await server.graphql(PATHS.contactPoints!, {}, district);
    const outside = cadresIn(body.data).filter((cadre) => !unitPathOf.get(cadre.id)!.startsWith(PINGSHAN_PATH));
    expect(outside.length).toBeGreaterThan(0);
    expect(outside.every((cadre) => cadre.phone === null || cadre.phone.includes('*'))).toBe(true);
    // The city's administrator has them all in its subtree.
    const asCity = cadresIn((await server.graphql(PATHS.contactPoints!, {}, city)).data).filter((cadre) => cadre.phone);
    expect(asCity.length).toBeGreaterThan(0);
    expect(asCity.every((cadre) => !cadre.phone!.includes('*'))).toBe(true);
  });

  test('cadres(filter: { hasCapacity }) answers, page and count alike, and twice in a row', async () => {
    type Page = { cadres: { totalCount: number; nodes: { id: string; householdCapacity: number }[] } };
    const query = 'query ($c: Boolean!) { cadres(first: 100, filter: { hasCapacity: $c }) { totalCount nodes { id householdCapacity } } }';
    const active = new Map<string, number>();
    for (const assignment of await orm.em.fork().find(Assignment, { endedAt: null })) {
      active.set(String(assignment.cadre.id), (active.get(String(assignment.cadre.id)) ?? 0) + 1);
    }
    for (const round of [1, 2]) {
      const withRoom = await server.graphql<Page>(query, { c: true }, city);
      const full = await server.graphql<Page>(query, { c: false }, city);
      expect({ round, errors: withRoom.errors ?? full.errors }).toEqual({ round, errors: undefined });
      expect(withRoom.data!.cadres.nodes.every((node) => (active.get(node.id) ?? 0) < node.householdCapacity)).toBe(true);
      expect(full.data!.cadres.nodes.every((node) => (active.get(node.id) ?? 0) >= node.householdCapacity)).toBe(true);
      const all = await server.graphql<{ cadres: { totalCount: number } }>('{ cadres(first: 1) { totalCount } }', {}, city);
      expect(withRoom.data!.cadres.totalCount + full.data!.cadres.totalCount).toBe(all.data!.cadres.totalCount);
      expect(withRoom.data!.cadres.totalCount).toBeGreaterThan(0);
    }
  });
});
