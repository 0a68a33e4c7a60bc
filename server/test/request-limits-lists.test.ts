import fs from 'node:fs';
import path from 'node:path';
import { getNullableType, isListType, isObjectType, parse, type GraphQLSchema } from 'graphql';
import { DEFAULT_QUERY_LIMITS } from '../src/config';
import {
  LIST_SIZE_ESTIMATES,
  listSizeEstimate,
  MAX_ROUND_TRIPS,
  NESTED_LIST_TOTALS,
  PER_PARENT_STATEMENTS,
  READS_WITHOUT_LOADER_ALLOWED,
} from '../src/graphql/limits/query-cost';
import { firstExceeded, measureDocument } from '../src/graphql/limits/operation-measures';
import { buildApiSchema } from '../src/graphql/schema';
import { DemandStatus } from '@wanjia/shared';
import { createDemandLoaders, RECENT_CLOSED_DEMANDS } from '../src/modules/demands/demand.loaders';
import { MEASURES } from '../src/modules/analytics/analytics.measures';
import { createDemand, createHousehold, createRegionTree } from './support/factories';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';

/** The reviewer's document: from the city scope down, up and down again (children seven times, parent six). */
export function regionRoundTrips(levels: number): string {
  return `{ regions { ${'children { parent { '.repeat(levels - 1)}children { id name path code }${' } }'.repeat(levels - 1)} } }`;
}

describe('every list has a size estimate', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildApiSchema();
  });

  it('each list field of the schema is a page, a connection’s nodes, a list of enum values or has an estimate', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        if (!isListType(getNullableType(field.type))) continue;
        if (listSizeEstimate(schema, type.name, field) === undefined) missing.push(`${type.name}.${field.name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('every estimate names a list field that exists (no stale entries)', () => {
    for (const key of [...Object.keys(LIST_SIZE_ESTIMATES), ...Object.keys(PER_PARENT_STATEMENTS), ...Object.keys(READS_WITHOUT_LOADER_ALLOWED)]) {
      const [typeName, fieldName] = key.split('.') as [string, string];
      const type = schema.getType(typeName);
      expect({ key, exists: isObjectType(type) && fieldName in type.getFields() }).toEqual({ key, exists: true });
    }
    for (const [key, items] of Object.entries(LIST_SIZE_ESTIMATES)) {
      const [typeName, fieldName] = key.split('.') as [string, string];
      const field = (schema.getType(typeName) as { getFields(): Record<string, { type: Parameters<typeof getNullableType>[0] }> }).getFields()[fieldName]!;
      expect({ key, list: isListType(getNullableType(field.type)), items: items >= 1 }).toEqual({ key, list: true, items: true });
    }
  });

  it('prices a figure sheet as the figures it holds (a new measure must not make the sheet cheaper than it is)', () => {
    expect(LIST_SIZE_ESTIMATES['CampaignOverview.figures']).toBe(MEASURES.length);
    expect(LIST_SIZE_ESTIMATES['BreakdownGroup.figures']).toBe(MEASURES.length);
  });

  it('a field resolver that reads the database without a loader is counted per parent or says why not', () => {
    // Each @FieldResolver's body, with the object type of its class: one that calls `em.` or a service
    // (which takes the em) reads the database once per parent unless it goes through a DataLoader.
    const sources = listResolverSources(path.join(__dirname, '../src/modules'));
    const reading: string[] = [];
    for (const file of sources) {
      const text = fs.readFileSync(file, 'utf8');
      const classes = [...text.matchAll(/@Resolver\(\(\) => (\w+)\)/g)].map((match) => ({ at: match.index, type: match[1]! }));
      for (const match of text.matchAll(/@FieldResolver\([\s\S]*?\n  (?:async )?(\w+)\(([\s\S]*?)\n  \}\n/g)) {
        const owner = classes.filter((entry) => entry.at < match.index).pop();
        const body = match[2]!;
        if (owner && /\bem\b/.test(body) && !/loaders\.\w+\.load/.test(body)) reading.push(`${owner.type}.${match[1]}`);
      }
    }
    expect(reading.length).toBeGreaterThan(0);
    const unaccounted = reading.filter((key) => !(key in PER_PARENT_STATEMENTS) && !(key in READS_WITHOUT_LOADER_ALLOWED));
    expect(unaccounted).toEqual([]);
  });

  it('prices the reviewer’s region round trips beyond every limit, and refuses them by round trips', () => {
    const document = regionRoundTrips(7);
    const measures = measureDocument(schema, parse(document), document);
    expect(measures.roundTrips).toBe(12);
    for (const role of ['ANALYST', 'ADMIN'] as const) expect(firstExceeded(measures, DEFAULT_QUERY_LIMITS[role])?.limit).toBe('roundTrips');
    // Without the turns, the same fan-out is priced beyond the cost limit: 40 children a level.
    expect({ ...measures, roundTrips: 0 }.cost).toBeGreaterThan(DEFAULT_QUERY_LIMITS.ANALYST.cost * 1_000);
  });

  it('allows one turn back along a path (a region’s siblings, a demand’s household) and not two', () => {
    const siblings = '{ region(id: "1") { parent { children { id name } } } }';
    expect(measureDocument(schema, parse(siblings), siblings).roundTrips).toBe(1);
    const twice = '{ region(id: "1") { parent { children { parent { name } } } } }';
    expect(measureDocument(schema, parse(twice), twice).roundTrips).toBe(2);
    const viaFragments =
      'query Q { region(id: "1") { ...Up } } fragment Up on Region { parent { ...Down } } fragment Down on Region { children { ... on Region { parent { id } } } }';
    expect(measureDocument(schema, parse(viaFragments), viaFragments).roundTrips).toBe(2);
    const household = '{ household(id: "1") { openDemands { household { openDemands { id } } } } }';
    expect(measureDocument(schema, parse(household), household).roundTrips).toBe(2);
    const down = '{ regions { children { children { children { id name } } } } }';
    expect(measureDocument(schema, parse(down), down).roundTrips).toBe(0);
    expect(MAX_ROUND_TRIPS).toBe(1);
  });

  it('lets staff read the tree three levels deep in one request, priced as the regions the tree can hold', () => {
    const cost = (document: string) => measureDocument(schema, parse(document), document).cost;
    const twoLevels = '{ regions { id name children { id name children { id name } } } }';
    expect(cost(twoLevels)).toBeLessThan(DEFAULT_QUERY_LIMITS.ANALYST.cost);
    // With parentId the list is a region's children (up to 45), not the one scope root; a chain of children
    // cannot hold more regions than the tree (NESTED_LIST_TOTALS), so three levels below a region are priced
    // as at most that many regions, not as 45³ (a fourth, still capped, adds its ×1.5 a level).
    const threeLevels = cost('{ regions(parentId: "1") { id name children { id name children { id name } } } }');
    expect(threeLevels).toBeLessThan(DEFAULT_QUERY_LIMITS.ANALYST.cost);
    expect(threeLevels).toBeGreaterThan(NESTED_LIST_TOTALS['Region.children']!.total * 2 * 1.5);
    expect(cost('{ regions(parentId: "1") { id name children { id name children { id name children { id name children { id name } } } } } }')).toBeGreaterThan(
      DEFAULT_QUERY_LIMITS.ANALYST.cost,
    );
  });

  it('prices a list by its estimate: residents, demands and children count as many as they may hold', () => {
    const one = '{ household(id: "1") { id } }';
    const residents = '{ household(id: "1") { residents { id name } } }';
    const cost = (document: string) => measureDocument(schema, parse(document), document).cost;
    expect(cost(residents) - cost(one)).toBeGreaterThanOrEqual(LIST_SIZE_ESTIMATES['Household.residents']! * 4);
    const closed = '{ households(first: 100) { nodes { recentClosedDemands { id text } } } }';
    expect(cost(closed)).toBeGreaterThan(100 * LIST_SIZE_ESTIMATES['Household.recentClosedDemands']! * 4);
  });
});

function listResolverSources(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return listResolverSources(full);
    return entry.name.endsWith('.resolver.ts') ? [full] : [];
  });
}

describe.each(databaseKinds())('recentClosedDemands batched on %s', (kind) => {
  it('gives each household its last RECENT_CLOSED_DEMANDS closed demands, newest resolution first, in two statements for all', async () => {
    let statements = 0;
    const { orm, database } = await migratedOrm(kind, 'closed_demands', { onQuery: () => (statements += 1) });
    try {
      const em = orm.em.fork();
      const regions = await createRegionTree(em);
      const busy = await createHousehold(em, { region: regions.dongxing, headName: '王建国' });
      const quiet = await createHousehold(em, { region: regions.dongxing, headName: '赵玉梅' });
      const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n));
      for (let n = 0; n < 14; n += 1) {
        const closed = n % 2 === 0 ? DemandStatus.RESOLVED : DemandStatus.CONFIRMED;
        await createDemand(em, { household: busy, text: `第${n}件`, raisedAt: day(n), status: closed, resolvedAt: day(n + 1) });
      }
      await createDemand(em, { household: busy, text: '仍未解决', raisedAt: day(30), status: DemandStatus.OPEN });
      await createDemand(em, { household: quiet, text: '唯一一件', raisedAt: day(2), status: DemandStatus.RESOLVED, resolvedAt: day(3) });

      const loaders = createDemandLoaders(orm.em.fork());
      statements = 0;
      const [forBusy, forQuiet] = await Promise.all([busy.id, quiet.id].map((id) => loaders.recentClosedDemandsByHousehold.load(id)));
      expect([statements > 0, statements <= 2]).toEqual([true, true]);
      expect(forBusy!.map((demand) => demand.text)).toEqual(Array.from({ length: RECENT_CLOSED_DEMANDS }, (_, index) => `第${13 - index}件`));
      expect(forQuiet!.map((demand) => demand.text)).toEqual(['唯一一件']);
    } finally {
      await orm.close(true);
      await dropScratchDatabase(database);
    }
  });
});
