import type { DatabaseConfig } from '../src/config';
import { DEFAULT_DEMO_OPTIONS, seedDemoData } from '../src/seed/demo/demo-data';
import type { Orm } from '../src/db/orm';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { signIn, startApp, type RunningApp } from './support/server';

const BENXI_DISTRICTS_AND_COUNTIES = ['平山区', '溪湖区', '明山区', '南芬区', '本溪满族自治县', '桓仁满族自治县'];

interface RegionNode {
  id: string;
  name: string;
  code: string;
  level: string;
  parent?: { name: string } | null;
  children?: RegionNode[];
}

describe.each(databaseKinds())('regions and rounds over HTTP on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let cityAdmin: Record<string, string>;
  const statements: string[] = [];
  const query = <T>(text: string, variables?: Record<string, unknown>) => server.graphql<T>(text, variables, cityAdmin);

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'regions_api', { onQuery: (sql) => statements.push(sql) }));
    await seedDemoData(orm.em.fork(), { ...DEFAULT_DEMO_OPTIONS, households: 50 });
    server = await startApp(orm, database);
    cityAdmin = await signIn(server, 'admin', 'wanjia-admin-demo');
  });

  afterAll(async () => {
    await server.close();
    await orm.close(true);
    await dropScratchDatabase(database);
  });

  it('answers the city with its six districts and counties', async () => {
    const top = await query<{ regions: RegionNode[] }>('{ regions { id name level } }');
    expect(top.errors).toBeUndefined();
    expect(top.data!.regions).toEqual([expect.objectContaining({ name: '本溪市', level: 'CITY' })]);

    const cityId = top.data!.regions[0]!.id;
    const children = await query<{ regions: RegionNode[] }>('query ($id: ID) { regions(parentId: $id) { name code level } }', { id: cityId });
    expect(children.data!.regions.map((region) => region.name)).toEqual(BENXI_DISTRICTS_AND_COUNTIES);
    expect(children.data!.regions.map((region) => region.level)).toEqual(['DISTRICT', 'DISTRICT', 'DISTRICT', 'DISTRICT', 'COUNTY', 'COUNTY']);
    expect(children.data!.regions[0]!.code).toBe('210502000000');
  });

  it('resolves nested children and parents with one statement per level, not per row', async () => {
    const city = await query<{ regions: RegionNode[] }>('{ regions { id } }');
    statements.length = 0;
    const tree = await query<{ region: RegionNode }>(
      'query ($id: ID!) { region(id: $id) { name children { name parent { name } children { name parent { name } children { name level } } } } }',
      { id: city.data!.regions[0]!.id },
    );
    expect(tree.errors).toBeUndefined();
    const districts = tree.data!.region.children!;
    expect(districts).toHaveLength(6);
    const places = districts.flatMap((district) => district.children!.flatMap((township) => township.children!));
    expect(places.length).toBeGreaterThanOrEqual(35);
    expect(new Set(places.map((place) => place.level))).toEqual(new Set(['VILLAGE', 'COMMUNITY']));
    expect(districts[0]!.children![0]!.parent!.name).toBe('平山区');
    // region + 3 levels of children + 2 levels of parents (the second served from the first's cache or one batch).
    const selects = statements.filter((sql) => /\bselect\b/i.test(sql));
    expect(selects.length).toBeLessThanOrEqual(6);
  });

  it('lists the rounds newest first and knows the current one', async () => {
    const body = await query<{ rounds: { name: string; startsOn: string; endsOn: string }[] }>('{ rounds { name startsOn endsOn } }');
    expect(body.data!.rounds.map((round) => round.name)).toEqual(['新一轮', '第一轮']);
    const [latest, first] = body.data!.rounds;
    expect(latest!.startsOn < first!.endsOn).toBe(true);
    expect(latest!.startsOn).toMatch(/^\d{4}-05-01$/);
    expect(first!.startsOn).toMatch(/^\d{4}-08-01$/);
  });

  it('names the field of a bad argument and does not tell a missing region from a forbidden one', async () => {
    const bad = await query('{ region(id: "abc") { name } }');
    expect(bad.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
    // A region that does not exist answers exactly like one outside the caller's scope.
    const missing = await query('{ region(id: "999999") { name } }');
    expect(missing.errors![0]!.extensions).toEqual({ code: 'FORBIDDEN' });
  });

  it('reports liveness and readiness', async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    // Each database the instance uses (docs/replicas.md): here the primary alone.
    expect(await ready.json()).toEqual({ status: 'ready', database: kind, databases: [{ name: 'primary', role: 'primary', answering: true }] });
  });
});
