import { Gender, Role, idNumberCandidates, idNumberCheckCharacter } from '@wanjia/shared';
import type { DatabaseConfig } from '../src/config';
import { DEFAULT_DEMO_OPTIONS, seedDemoData } from '../src/seed/demo/demo-data';
import type { Orm } from '../src/db/orm';
import { AuditEntry } from '../src/modules/audit/audit-entry.entity';
import { Resident } from '../src/modules/households/resident.entity';
import { importKinds } from '../src/modules/imports/kinds';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { signIn, startApp, walkerConfig, type GraphQLBody, type RunningApp } from './support/server';

/**
 * Walks the whole API a role can reach, by introspection, over the demo data, and looks at every
 * string it gets back for an unmasked resident ID number or mobile phone the role is not entitled to.
 */

interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}

interface FieldInfo {
  name: string;
  type: TypeRef;
  args: { name: string; type: TypeRef; defaultValue: string | null }[];
}

interface TypeInfo {
  name: string;
  kind: string;
  fields: FieldInfo[] | null;
}

const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }';
const INTROSPECTION = `{ __schema { queryType { name } types { name kind fields { name type { ${TYPE_REF} } args { name defaultValue type { ${TYPE_REF} } } } } } }`;

function namedType(ref: TypeRef): TypeRef {
  return ref.ofType ? namedType(ref.ofType) : ref;
}

const isRequired = (ref: TypeRef) => ref.kind === 'NON_NULL';

/** GB 11643: 17 digits and a check character that matches them. */
function unmaskedIdNumbers(text: string): string[] {
  return (text.match(/(?<![0-9])[0-9]{17}[0-9Xx](?![0-9Xx])/g) ?? []).filter(
    (candidate) => idNumberCheckCharacter(candidate.slice(0, 17)) === candidate.slice(17).toUpperCase(),
  );
}

/**
 * The import templates' example cells (ImportTemplateColumn.example) are constants of the code, made up
 * to pass the checks an office's rows meet (a valid check digit, a mobile number's form): no person's.
 * Only those exact constants are let through, so any data reaching that field would still be a finding.
 */
const TEMPLATE_EXAMPLES: ReadonlySet<string> = new Set(
  Object.values(importKinds({ elsewherePerDay: 0, now: () => new Date() })).flatMap((kind) => kind!.columns.map((column) => column.example)),
);

function isTemplateExample(typeName: string, field: string, value: string): boolean {
  return typeName === 'ImportTemplateColumn' && field === 'example' && TEMPLATE_EXAMPLES.has(value);
}

function unmaskedMobiles(text: string): string[] {
  return text.match(/(?<![0-9])1[3-9][0-9]{9}(?![0-9])/g) ?? [];
}

type WalkRole = 'CADRE' | 'ANALYST' | 'DISTRICT_ADMIN';

/** Fewer valid ID numbers than this agreeing with everything a caller read about a person counts as rebuilt. */
const MIN_CANDIDATES = 1000;

/**
 * Reconstructions: for every resident the walk reached, everything read about them (every field, from
 * every query and drill-down) is combined and the valid ID numbers that agree with all of it are
 * counted; and no string read from a person or the audit trail, nor any export, carries their birth
 * date (YYYY-MM-DD or YYYYMMDD).
 */
async function reconstructions(orm: Orm, walker: SchemaWalker, exports: string[]): Promise<string[]> {
  const problems: string[] = [];
  const thisYear = new Date().getUTCFullYear();
  const ids = [...walker.residentsRead.keys()].map(Number);
  const truth = new Map((await orm.em.fork().find(Resident, { id: { $in: ids } })).map((row) => [String(row.id), row]));
  const texts = [...walker.personStrings, ...exports];
  for (const [id, read] of walker.residentsRead) {
    const real = truth.get(id);
    if (!real) continue;
    if (real.birthDate) {
      const fragments = [real.birthDate, real.birthDate.replaceAll('-', '')];
      if (texts.some((text) => fragments.some((fragment) => text.includes(fragment)))) problems.push(`resident ${id}: birth date ${real.birthDate} readable`);
    }
    if (!real.idNumber || typeof read.idNumber !== 'string') continue;
    let years: number[] | null = typeof read.birthYear === 'number' ? [read.birthYear] : null;
    if (typeof read.age === 'number') {
      const byAge = [thisYear - read.age, thisYear - read.age - 1];
      years = years ? years.filter((year) => byAge.includes(year)) : byAge;
    }
    const candidates = idNumberCandidates({
      pattern: read.idNumber,
      birthDate: typeof read.birthDate === 'string' ? read.birthDate : null,
      birthYears: years,
      gender: read.gender === 'MALE' ? Gender.MALE : read.gender === 'FEMALE' ? Gender.FEMALE : null,
    });
    if (candidates < MIN_CANDIDATES) problems.push(`resident ${id}: ${candidates} candidate ID numbers from ${JSON.stringify(read)}`);
  }
  return problems;
}

/** The CSV exports a staff member may download, as text (the xlsx carries the same cells). */
async function exportsAs(server: RunningApp, headers: Record<string, string>): Promise<string[]> {
  const texts: string[] = [];
  for (const report of ['kind: OVERVIEW', 'kind: BREAKDOWN, dimension: REGION_CHILDREN', 'kind: BREAKDOWN, dimension: TARGET_GROUP', 'kind: COVERAGE_GAPS']) {
    // The link exportReport answers (its ticket is this caller's), opened with the same header.
    const exported = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: `mutation { exportReport(${report}) { csvUrl } }` }),
    });
    const csvUrl = ((await exported.json()) as { data?: { exportReport?: { csvUrl: string } } | null }).data?.exportReport?.csvUrl;
    if (!csvUrl) continue;
    const response = await fetch(csvUrl, { headers });
    if (response.ok) texts.push(await response.text());
  }
  return texts;
}

interface Finding {
  role: WalkRole;
  where: string;
  value: string;
}

/**
 * What each role may read in full (docs/security.md "Who may do what"; households/household.policy.ts and
 * cadres/cadre.policy.ts): the assigned cadre the household's phone and the cadre's own phone;
 * administrators cadres' work phones. Nobody reads a resident's ID number outside revealResident.
 */
function entitledToPhone(role: WalkRole, typeName: string, field: string, owner: Record<string, unknown>, ownCadreId: string | null): boolean {
  if (role === 'CADRE' && typeName === 'Household' && field === 'phone') return true;
  if (role === 'CADRE' && typeName === 'Cadre' && field === 'phone') return owner.id === ownCadreId;
  if (role === 'DISTRICT_ADMIN' && typeName === 'Cadre' && field === 'phone') return true;
  return false;
}

interface Step {
  field: FieldInfo;
  args: Record<string, unknown>;
}

class SchemaWalker {
  readonly types: Map<string, TypeInfo>;
  readonly fieldsReached = new Set<string>();
  readonly findings: Finding[] = [];
  readonly errors: string[] = [];
  readonly idsByType = new Map<string, Set<string>>();
  /** Everything read about each resident, merged across every query that reached them. */
  readonly residentsRead = new Map<string, Record<string, unknown>>();
  /** Strings read from residents' fields and audit entries: where a birth date would show. */
  readonly personStrings: string[] = [];
  entitledSeen = 0;
  stringsScanned = 0;
  queries = 0;

  constructor(
    private readonly server: RunningApp,
    private readonly headers: Record<string, string>,
    private readonly role: WalkRole,
    private readonly ownCadreId: string | null,
    types: TypeInfo[],
    private readonly queryType: string,
  ) {
    this.types = new Map(types.map((type) => [type.name, type]));
  }

  private objectType(ref: TypeRef): TypeInfo | null {
    const named = namedType(ref);
    const type = named.name ? this.types.get(named.name) : undefined;
    return type && (type.kind === 'OBJECT' || type.kind === 'INTERFACE') ? type : null;
  }

  /** Arguments to send: a page size where a field pages, nothing else unless required. Null when a required one cannot be supplied. */
  private argsFor(field: FieldInfo, pageSize: number): Record<string, unknown> | null {
    const args: Record<string, unknown> = {};
    for (const arg of field.args) {
      if (arg.name === 'first') args.first = pageSize;
      else if (isRequired(arg.type) && arg.defaultValue === null) return null;
    }
    return args;
  }

  private scalarSelection(type: TypeInfo): string {
    const scalars = (type.fields ?? []).filter(
      (field) => !this.objectType(field.type) && field.args.every((arg) => !isRequired(arg.type) || arg.defaultValue !== null),
    );
    return ['__typename', ...scalars.map((field) => field.name)].join(' ');
  }

  private document(path: Step[], leaf: TypeInfo): string {
    let selection = this.scalarSelection(leaf);
    for (let index = path.length - 1; index >= 0; index -= 1) {
      const { field, args } = path[index]!;
      const rendered = Object.entries(args)
        .map(([name, value]) => `${name}: ${JSON.stringify(value)}`)
        .join(', ');
      selection = `__typename ${field.name}${rendered ? `(${rendered})` : ''} { ${selection} }`;
    }
    return `{ ${selection} }`;
  }

  /** Records every string of an answer with the type and field it came from. */
  private scan(value: unknown, typeName: string, field: string, owner: Record<string, unknown>): void {
    if (typeof value === 'string') {
      this.stringsScanned += 1;
      if (isTemplateExample(typeName, field, value)) return;
      for (const idNumber of unmaskedIdNumbers(value)) this.findings.push({ role: this.role, where: `${typeName}.${field}`, value: idNumber });
      for (const phone of unmaskedMobiles(value)) {
        if (entitledToPhone(this.role, typeName, field, owner, this.ownCadreId)) this.entitledSeen += 1;
        else this.findings.push({ role: this.role, where: `${typeName}.${field}`, value: phone });
      }
    } else if (Array.isArray(value)) {
      for (const item of value) this.scan(item, typeName, field, owner);
    } else if (value && typeof value === 'object') {
      const object = value as Record<string, unknown>;
      const objectType = typeof object.__typename === 'string' ? object.__typename : typeName;
      if (typeof object.id === 'string') {
        const ids = this.idsByType.get(objectType) ?? new Set<string>();
        ids.add(object.id);
        this.idsByType.set(objectType, ids);
        if (objectType === 'Resident') this.residentsRead.set(object.id, { ...this.residentsRead.get(object.id), ...object });
      }
      if (objectType === 'Resident' || objectType === 'AuditEntry') {
        for (const child of Object.values(object)) if (typeof child === 'string') this.personStrings.push(child);
      }
      for (const [key, child] of Object.entries(object)) {
        if (key === '__typename') continue;
        this.fieldsReached.add(`${objectType}.${key}`);
        this.scan(child, objectType, key, object);
      }
    }
  }

  private async ask(path: Step[], leaf: TypeInfo): Promise<boolean> {
    const query = this.document(path, leaf);
    this.queries += 1;
    const body: GraphQLBody<Record<string, unknown>> = await this.server.graphql(query, {}, this.headers);
    for (const error of body.errors ?? []) {
      const code = String(error.extensions?.code);
      // A role that may not call an operation is told so; that is the scoping working, not a gap.
      if (!['FORBIDDEN', 'FEATURE_DISABLED'].includes(code)) this.errors.push(`${code} ${error.message} in ${query}`);
    }
    if (body.data) this.scan(body.data, this.queryType, '', {});
    return Boolean(body.data && Object.values(body.data).some((value) => value !== null));
  }

  /** Follows every object-valued field once per way of reaching it, from one root step. */
  async walk(root: Step): Promise<void> {
    const visited = new Set<string>();
    const queue: { path: Step[]; type: TypeInfo }[] = [];
    const rootType = this.objectType(root.field.type);
    if (!rootType) {
      await this.ask([root], this.types.get(this.queryType)!).catch(() => undefined);
      return;
    }
    queue.push({ path: [root], type: rootType });
    while (queue.length > 0) {
      const { path, type } = queue.shift()!;
      if (!(await this.ask(path, type))) continue;
      if (path.length >= 6) continue;
      for (const field of type.fields ?? []) {
        const target = this.objectType(field.type);
        if (!target) continue;
        const edge = `${type.name}.${field.name}`;
        if (visited.has(edge)) continue;
        visited.add(edge);
        const args = this.argsFor(field, 5);
        if (args) queue.push({ path: [...path, { field, args }], type: target });
      }
    }
  }

  async walkAll(): Promise<void> {
    const roots = this.types.get(this.queryType)!.fields ?? [];
    const withIds: FieldInfo[] = [];
    for (const field of roots) {
      const args = this.argsFor(field, 50);
      if (args) await this.walk({ field, args });
      else withIds.push(field);
    }
    // Then the operations that take an id, with ids the earlier answers showed (MyHousehold ids open household(id)).
    for (const field of withIds) {
      const returned = namedType(field.type).name!;
      const ids = [...this.idsByType.entries()].filter(([typeName]) => typeName === returned || typeName.endsWith(returned)).flatMap(([, set]) => [...set]);
      const idArg = field.args.find((arg) => isRequired(arg.type) && namedType(arg.type).name === 'ID');
      if (!idArg || field.args.some((arg) => arg !== idArg && isRequired(arg.type) && arg.defaultValue === null)) continue;
      for (const id of ids.slice(0, 8))
        await this.walk({ field, args: { [idArg.name]: id, ...(field.args.some((arg) => arg.name === 'first') ? { first: 5 } : {}) } });
    }
  }
}

describe.each(databaseKinds())('privacy scan of everything a role can read, on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let types: TypeInfo[];
  let queryType: string;
  const summary: string[] = [];

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'privacy_scan'));
    await seedDemoData(orm.em.fork(), DEFAULT_DEMO_OPTIONS);
    // The walk nests every list in every other: the cost limit is not what this test is about (request-limits.test.ts is).
    server = await startApp(orm, database, walkerConfig);
    // Introspection is for the staff: the walk learns the schema as an analyst, then walks as each role.
    const analyst = await signIn(server, 'analyst', 'wanjia-analyst-demo');
    const introspection = await server.graphql<{ __schema: { queryType: { name: string }; types: TypeInfo[] } }>(INTROSPECTION, {}, analyst);
    types = introspection.data!.__schema.types.filter((type) => !type.name.startsWith('__'));
    queryType = introspection.data!.__schema.queryType.name;
  }, 240_000);

  afterAll(async () => {
    process.stdout.write(`\nPrivacy scan on ${kind}:\n${summary.join('\n')}\n`);
    await server.close();
    await orm.close(true);
    await dropScratchDatabase(database);
  });

  async function cadreSignIn(): Promise<{ headers: Record<string, string>; cadreId: string }> {
    const cadres = await server.graphql<{ developmentCadres: { id: string }[] }>('{ developmentCadres { id } }');
    const cadreId = cadres.data!.developmentCadres[0]!.id;
    const signedIn = await server.graphql<{ developmentSignIn: { accessToken: string } }>(
      'mutation ($id: ID!) { developmentSignIn(cadreId: $id) { accessToken } }',
      { id: cadreId },
    );
    return { headers: { authorization: `Bearer ${signedIn.data!.developmentSignIn.accessToken}` }, cadreId };
  }

  async function walkAs(role: WalkRole, headers: Record<string, string>, ownCadreId: string | null): Promise<SchemaWalker> {
    const walker = new SchemaWalker(server, headers, role, ownCadreId, types, queryType);
    await walker.walkAll();
    summary.push(
      `  ${role.padEnd(15)} ${String(walker.fieldsReached.size).padStart(4)} distinct fields reached, ${walker.stringsScanned} strings scanned in ${walker.queries} queries, ` +
        `${walker.entitledSeen} entitled full phones, ${walker.findings.length} unmasked values found`,
    );
    return walker;
  }

  it('shows a cadre no unmasked ID number, and no phone but the assigned households’ and the cadre’s own', async () => {
    const { headers, cadreId } = await cadreSignIn();
    const walker = await walkAs('CADRE', headers, cadreId);
    expect(walker.errors).toEqual([]);
    expect(walker.findings).toEqual([]);
    expect(walker.residentsRead.size).toBeGreaterThan(0);
    expect(await reconstructions(orm, walker, [])).toEqual([]);
    // The scan sees full values where they are due, so it would see them where they are not.
    expect(walker.entitledSeen).toBeGreaterThan(0);
    expect(walker.fieldsReached.size).toBeGreaterThanOrEqual(120);
    expect([...walker.fieldsReached]).toEqual(
      expect.arrayContaining(['Household.phone', 'Resident.idNumber', 'Cadre.phone', 'HelpRecord.summary', 'Demand.text', 'UserAccount.username']),
    );
  }, 240_000);

  it('shows the city analyst no unmasked ID number or phone anywhere', async () => {
    const analyst = await signIn(server, 'analyst', 'wanjia-analyst-demo');
    const walker = await walkAs('ANALYST', analyst, null);
    expect(walker.errors).toEqual([]);
    expect(walker.findings).toEqual([]);
    const exports = await exportsAs(server, analyst);
    expect(exports.length).toBeGreaterThan(0);
    expect(walker.residentsRead.size).toBeGreaterThan(100);
    expect(await reconstructions(orm, walker, exports)).toEqual([]);
    expect(walker.fieldsReached.size).toBeGreaterThanOrEqual(200);
    expect([...walker.fieldsReached]).toEqual(
      expect.arrayContaining(['Household.phone', 'Resident.idNumber', 'Cadre.phone', 'HelpRecord.summary', 'PetitionCase.title', 'ContactPoint.note']),
    );
  }, 240_000);

  it("shows the district administrator cadres' work phones and nothing else unmasked", async () => {
    const headers = await signIn(server, 'pingshan-admin', 'wanjia-pingshan-demo');
    // Give the district's trail entries that touch sensitive values: a new phone and a reveal.
    const households = await server.graphql<{ households: { nodes: { id: string; version: number; residents: { id: string }[] }[] } }>(
      '{ households(first: 20) { nodes { id version residents { id } } } }',
      {},
      headers,
    );
    const household = households.data!.households.nodes.find((node) => node.residents.length > 0)!;
    const updated = await server.graphql(
      'mutation ($id: ID!, $v: Int!) { updateHousehold(id: $id, input: {expectedVersion: $v, phone: "13912345678"}) { id } }',
      { id: household.id, v: household.version },
      headers,
    );
    expect(updated.errors).toBeUndefined();
    const revealed = await server.graphql(
      'mutation ($id: ID!) { revealResident(id: $id, reason: "核实身份信息") { idNumber } }',
      { id: household.residents[0]!.id },
      headers,
    );
    expect(revealed.errors).toBeUndefined();
    const walker = await walkAs('DISTRICT_ADMIN', headers, null);
    expect(walker.errors).toEqual([]);
    expect(walker.findings).toEqual([]);
    expect(walker.residentsRead.size).toBeGreaterThan(100);
    expect(await reconstructions(orm, walker, await exportsAs(server, headers))).toEqual([]);
    expect(walker.entitledSeen).toBeGreaterThan(0);
    expect(walker.fieldsReached.size).toBeGreaterThanOrEqual(200);
    expect([...walker.fieldsReached]).toEqual(
      expect.arrayContaining(['Household.phone', 'Resident.idNumber', 'Cadre.phone', 'AuditEntry.changes', 'AuditEntry.reason']),
    );
  }, 240_000);

  it('reveals a resident to the assigned cadre only with an audit entry that keeps the reason', async () => {
    const { headers } = await cadreSignIn();
    const mine = await server.graphql<{ myHouseholds: { nodes: { id: string }[] } }>('{ myHouseholds(first: 20) { nodes { id } } }', {}, headers);
    let residentId: string | null = null;
    for (const { id } of mine.data!.myHouseholds.nodes) {
      const file = await server.graphql<{ household: { residents: { id: string; idNumber: string | null }[] } }>(
        'query ($id: ID!) { household(id: $id) { residents { id idNumber } } }',
        { id },
        headers,
      );
      residentId = file.data!.household.residents.find((resident) => resident.idNumber !== null)?.id ?? null;
      if (residentId) break;
    }
    expect(residentId).not.toBeNull();
    const before = await orm.em.fork().count(AuditEntry, { operation: 'revealResident', entityId: residentId! });
    const revealed = await server.graphql<{ revealResident: { idNumber: string } }>(
      'mutation ($id: ID!) { revealResident(id: $id, reason: "入户核实低保申请材料") { idNumber } }',
      { id: residentId },
      headers,
    );
    expect(revealed.errors).toBeUndefined();
    expect(unmaskedIdNumbers(revealed.data!.revealResident.idNumber)).toHaveLength(1);
    const entries = await orm.em.fork().find(AuditEntry, { operation: 'revealResident', entityId: residentId! }, { populate: ['actor'] });
    expect(entries).toHaveLength(before + 1);
    const entry = entries[entries.length - 1]!;
    expect(entry.reason).toBe('入户核实低保申请材料');
    expect(entry.actor?.role).toBe(Role.CADRE);
    // The trail records that the values were read, never the values themselves.
    expect(unmaskedIdNumbers(JSON.stringify(entry))).toEqual([]);
  });
});
