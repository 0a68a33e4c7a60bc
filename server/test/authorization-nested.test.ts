import { randomUUID } from 'node:crypto';
import { getNamedType, isNonNullType, isObjectType, type GraphQLField, type GraphQLObjectType, type GraphQLOutputType, type GraphQLSchema } from 'graphql';
import type { DatabaseConfig } from '../src/config';
import { DEFAULT_DEMO_OPTIONS, seedDemoData } from '../src/seed/demo/demo-data';
import type { Orm } from '../src/db/orm';
import { GUARDED_TYPES } from '../src/graphql/object-scope.guard';
import { buildApiSchema } from '../src/graphql/schema';
import { UserAccount } from '../src/modules/accounts/user-account.entity';
import { Assignment } from '../src/modules/assignments/assignment.entity';
import { Demand } from '../src/modules/demands/demand.entity';
import { HelpRecord } from '../src/modules/help-records/help-record.entity';
import { Household } from '../src/modules/households/household.entity';
import { Resident } from '../src/modules/households/resident.entity';
import { PetitionCase } from '../src/modules/petition-cases/petition-case.entity';
import { ReferralStatus, Role } from '@wanjia/shared';
import { DemandReferral } from '../src/modules/demands/demand-referral.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { MatrixFixtures, PINGSHAN_CODE } from './support/matrix/fixtures';
import { signIn, startApp, walkerConfig, type RunningApp } from './support/server';

/**
 * The authorization matrix's nested paths: for each kind of caller, every object-typed field of every
 * type reachable from each root is walked (the walk is generated from the schema, so a new field is
 * walked without anyone adding it here), and every household-file object that comes back — Household,
 * Resident, Demand, PetitionCase, Assignment, HelpRecord — is checked against the database: staff
 * only inside their subtree, a cadre only for a household assigned to it now (and its own help
 * records). Roots include the ids a caller should not reach and, for cadres, an idempotent replay of
 * submitHelpRecord. The safelist is off (NODE_ENV=test): the rule holds without it.
 *
 * The demand loop (issue 15) adds a handler (联络员) of 平山区's unit, who reads the demands referred to
 * its unit and their referrals (with a ReferralHousehold: head, address, masked phone) but no Household,
 * Resident or petition case, not even of the households it received referrals from; and a responsible
 * leader (包案领导), who reads its case and escalations as masked leader types. Neither reads an
 * identity number anywhere.
 */

type CallerName = 'cadreAssigned' | 'cadreTransferred' | 'cadreNeverAssigned' | 'handler' | 'leader' | 'analyst' | 'districtAdmin' | 'cityAdmin';

interface Caller {
  name: CallerName;
  headers: Record<string, string>;
  /** Staff: the scope's path. Cadres: the cadre's id. */
  scopePath: string | null;
  cadreId: number | null;
  /** Roots that take arguments, with the arguments this caller sends. */
  extraRoots: { field: string; args: string; mutation?: boolean }[];
  /**
   * The demand loop (issue 15): the units a handler (联络员) receives referrals for. A handler reads the
   * demands referred to those units (and their referrals), never the households' files behind them.
   */
  handlerUnitIds?: number[];
}

/** An identity number (18 characters, the last a digit or X) anywhere in an answer's text. */
const ID_NUMBER = /(?<![0-9])[1-9][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9])/;

interface Step {
  field: GraphQLField<unknown, unknown>;
  args: string;
}

const MAX_DEPTH = 6;
const ENTITY_OF = { Household, Resident, Demand, PetitionCase, Assignment, HelpRecord } as const;

function objectTypeOf(type: GraphQLOutputType): GraphQLObjectType | null {
  const named = getNamedType(type);
  return isObjectType(named) ? named : null;
}

function pageArgs(field: GraphQLField<unknown, unknown>, size: number): string | null {
  const parts: string[] = [];
  for (const arg of field.args) {
    if (arg.name === 'first') parts.push(`first: ${size}`);
    else if (isNonNullType(arg.type) && arg.defaultValue === undefined) return null;
  }
  return parts.join(', ');
}

class NestedWalker {
  readonly seen = new Map<string, Set<number>>();
  /** Every object type an answer held, guarded or not (the loop's callers must reach theirs). */
  readonly typenames = new Set<string>();
  /** The queries whose answer held an identity number. */
  readonly idNumbersIn: string[] = [];
  readonly errors: string[] = [];
  queries = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly server: RunningApp,
    private readonly caller: Caller,
  ) {}

  private document(path: Step[], mutation: boolean): string {
    const head = (type: GraphQLObjectType) => `__typename${type.getFields().id ? ' id' : ''}`;
    let selection = head(objectTypeOf(path[path.length - 1]!.field.type)!);
    for (let index = path.length - 1; index >= 0; index -= 1) {
      const { field, args } = path[index]!;
      const rendered = `${field.name}${args ? `(${args})` : ''} { ${selection} }`;
      selection = index > 0 ? `${head(objectTypeOf(path[index - 1]!.field.type)!)} ${rendered}` : rendered;
    }
    return `${mutation ? 'mutation ' : ''}{ ${selection} }`;
  }

  private collect(value: unknown): void {
    if (Array.isArray(value)) return value.forEach((item) => this.collect(item));
    if (!value || typeof value !== 'object') return;
    const object = value as Record<string, unknown>;
    if (typeof object.__typename === 'string') this.typenames.add(object.__typename);
    if (typeof object.__typename === 'string' && GUARDED_TYPES.includes(object.__typename) && typeof object.id === 'string') {
      const ids = this.seen.get(object.__typename) ?? new Set<number>();
      ids.add(Number(object.id));
      this.seen.set(object.__typename, ids);
    }
    for (const child of Object.values(object)) this.collect(child);
  }

  private async ask(path: Step[], mutation: boolean): Promise<boolean> {
    const query = this.document(path, mutation);
    this.queries += 1;
    const body = await this.server.graphql<Record<string, unknown>>(query, {}, this.caller.headers);
    for (const error of body.errors ?? []) {
      const code = String(error.extensions?.code);
      if (!['FORBIDDEN', 'BAD_USER_INPUT'].includes(code)) this.errors.push(`${code} ${error.message} in ${query}`);
    }
    if (body.data) this.collect(body.data);
    if (body.data && ID_NUMBER.test(JSON.stringify(body.data))) this.idNumbersIn.push(query);
    return Boolean(body.data && Object.values(body.data).some((value) => value !== null));
  }

  /** Breadth first from one root, each edge (type.field) once, to MAX_DEPTH. */
  async walk(root: Step, mutation = false): Promise<void> {
    const visited = new Set<string>();
    const queue: Step[][] = [[root]];
    while (queue.length > 0) {
      const path = queue.shift()!;
      if (!(await this.ask(path, mutation)) || path.length >= MAX_DEPTH) continue;
      const type = objectTypeOf(path[path.length - 1]!.field.type)!;
      for (const field of Object.values(type.getFields())) {
        if (!objectTypeOf(field.type)) continue;
        const edge = `${type.name}.${field.name}`;
        const args = pageArgs(field, 3);
        if (visited.has(edge) || args === null) continue;
        visited.add(edge);
        queue.push([...path, { field, args }]);
      }
    }
  }

  async walkAll(): Promise<void> {
    const query = this.schema.getQueryType()!;
    for (const field of Object.values(query.getFields())) {
      if (!objectTypeOf(field.type)) continue;
      const args = pageArgs(field, 5);
      if (args !== null) await this.walk({ field, args });
    }
    for (const extra of this.caller.extraRoots) {
      const type = extra.mutation ? this.schema.getMutationType()! : query;
      await this.walk({ field: type.getFields()[extra.field]!, args: extra.args }, extra.mutation);
    }
  }
}

describe.each(databaseKinds())('nested paths of the authorization matrix, on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let schema: GraphQLSchema;
  let fixtures: MatrixFixtures;
  const callers = new Map<CallerName, Caller>();
  const summary: string[] = [];

  async function cadreHeaders(cadreId: number): Promise<Record<string, string>> {
    const signedIn = await server.graphql<{ developmentSignIn: { accessToken: string } }>(
      'mutation ($id: ID!) { developmentSignIn(cadreId: $id) { accessToken } }',
      { id: String(cadreId) },
    );
    return { authorization: `Bearer ${signedIn.data!.developmentSignIn.accessToken}` };
  }

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'authorization_nested'));
    await seedDemoData(orm.em.fork(), DEFAULT_DEMO_OPTIONS);
    // The walk proves scope, not the request limits: every nested path is asked for, however much it would cost.
    server = await startApp(orm, database, walkerConfig);
    schema = await buildApiSchema();
    fixtures = await MatrixFixtures.load(orm);
    const { seeded } = fixtures;
    const em = orm.em.fork();

    // A second demo cadre records a visit with a demand on one of its households, then loses it.
    const others = await em.find(
      UserAccount,
      { role: Role.CADRE, active: true, id: { $ne: seeded.cadreAccount.id } },
      { orderBy: { id: 'asc' }, populate: ['cadre'] },
    );
    let transferred: { cadreId: number; household: number } | null = null;
    for (const account of others) {
      const active = await em.findOne(Assignment, { cadre: account.cadre!.id, endedAt: null, household: { $ne: Number(seeded.cadreHousehold) } });
      if (active) {
        transferred = { cadreId: account.cadre!.id, household: active.household.id };
        break;
      }
    }
    if (!transferred) throw new Error('the demo data needs a second cadre with a household');
    const transferredHeaders = await cadreHeaders(transferred.cadreId);
    const replay = `{ clientId: "${randomUUID()}", householdId: "${transferred.household}", occurredAt: "${new Date(Date.now() - 3_600_000).toISOString()}", kinds: [VISIT], summary: "矩阵嵌套走访", demandsRaised: [{ category: HOUSING, text: "房屋漏雨" }] }`;
    const submitted = await server.graphql(`mutation { submitHelpRecord(input: ${replay}) { id } }`, {}, transferredHeaders);
    expect(submitted.errors).toBeUndefined();
    await orm.em
      .fork()
      .nativeUpdate(
        Assignment,
        { cadre: transferred.cadreId, household: transferred.household, endedAt: null },
        { endedAt: new Date(), endReason: '矩阵测试：调离' },
      );

    // A cadre that never had either household (and learned the clientId).
    const neverAccount = others.find((account) => account.cadre!.id !== transferred!.cadreId)!;
    const everHad = await em.count(Assignment, { cadre: neverAccount.cadre!.id, household: { $in: [transferred.household, Number(seeded.cadreHousehold)] } });
    expect(everHad).toBe(0);

    const householdRoots = (ids: (string | number)[]) => ids.map((id) => ({ field: 'household', args: `id: "${id}"` }));
    const replayRoot = { field: 'submitHelpRecord', args: `input: ${replay}`, mutation: true };
    callers.set('cadreAssigned', {
      name: 'cadreAssigned',
      headers: await cadreHeaders(seeded.cadreAccount.cadre!.id),
      scopePath: null,
      cadreId: seeded.cadreAccount.cadre!.id,
      extraRoots: householdRoots([seeded.cadreHousehold, seeded.otherHousehold, transferred.household]),
    });
    callers.set('cadreTransferred', {
      name: 'cadreTransferred',
      headers: transferredHeaders,
      scopePath: null,
      cadreId: transferred.cadreId,
      extraRoots: [...householdRoots([transferred.household, seeded.cadreHousehold]), replayRoot],
    });
    callers.set('cadreNeverAssigned', {
      name: 'cadreNeverAssigned',
      headers: await cadreHeaders(neverAccount.cadre!.id),
      scopePath: null,
      cadreId: neverAccount.cadre!.id,
      extraRoots: [...householdRoots([transferred.household, seeded.cadreHousehold]), replayRoot],
    });
    // The demand loop's people: a handler of 平山区's unit (referrals pending, accepted, escalated, and
    // one of 溪湖区 it must not reach), and a responsible leader of a case with an escalated demand.
    const loop = await fixtures.loopWorld();
    const accepted = await fixtures.referral('inside', ReferralStatus.ACCEPTED);
    callers.set('handler', {
      name: 'handler',
      headers: await cadreHeaders(loop.handlerAccount.cadre!.id),
      scopePath: null,
      cadreId: loop.handlerAccount.cadre!.id,
      handlerUnitIds: [Number(seeded.unit.inside)],
      extraRoots: [
        ...[loop.referral.inside, accepted, loop.referral.outside].map((id) => ({ field: 'referral', args: `id: "${id}"` })),
        ...householdRoots([loop.leaderHousehold]),
      ],
    });
    callers.set('leader', {
      name: 'leader',
      headers: await cadreHeaders(loop.leaderAccount.cadre!.id),
      scopePath: null,
      cadreId: loop.leaderAccount.cadre!.id,
      extraRoots: householdRoots([loop.leaderHousehold]),
    });
    const staffRoots = householdRoots([seeded.household.inside, seeded.household.outside, seeded.outsideHouseholdWithCase]);
    callers.set('analyst', {
      name: 'analyst',
      headers: await signIn(server, 'analyst', 'wanjia-analyst-demo'),
      scopePath: '',
      cadreId: null,
      extraRoots: staffRoots,
    });
    callers.set('districtAdmin', {
      name: 'districtAdmin',
      headers: await signIn(server, 'pingshan-admin', 'wanjia-pingshan-demo'),
      scopePath: seeded.pingshanPath,
      cadreId: null,
      extraRoots: staffRoots,
    });
    callers.set('cityAdmin', {
      name: 'cityAdmin',
      headers: await signIn(server, 'admin', 'wanjia-admin-demo'),
      scopePath: '',
      cadreId: null,
      extraRoots: staffRoots,
    });
    expect(seeded.pingshanPath).toContain(PINGSHAN_CODE);
  }, 240_000);

  afterAll(async () => {
    process.stdout.write(`\nNested authorization walk on ${kind}:\n${summary.join('\n')}\n`);
    await server.close();
    await orm.close(true);
    await dropScratchDatabase(database);
  });

  /** The objects a walk brought back that the caller may not read, by the database's account. */
  async function outOfScope(caller: Caller, seen: Map<string, Set<number>>): Promise<string[]> {
    const em = orm.em.fork();
    const problems: string[] = [];
    const readableHouseholds = new Set(
      caller.cadreId !== null
        ? (await em.find(Assignment, { cadre: caller.cadreId, endedAt: null })).map((row) => row.household.id)
        : (await em.find(Household, { region: { path: { $like: `${caller.scopePath}%` } } }, { fields: ['id'] })).map((row) => row.id),
    );
    // A handler's units' referrals, and the demands they are about: readable through the referral only.
    const handled = caller.handlerUnitIds?.length ? await em.find(DemandReferral, { unit: { $in: caller.handlerUnitIds } }, { populate: ['demand'] }) : [];
    const handledDemands = new Set(handled.map((row) => row.demand.id));
    for (const [typeName, ids] of seen) {
      if (typeName === 'DemandReferral') {
        for (const row of await em.find(DemandReferral, { id: { $in: [...ids] } }, { populate: ['demand'] })) {
          const theirs = caller.handlerUnitIds?.includes(row.unit.id) || readableHouseholds.has(row.demand.household.id);
          if (!theirs) problems.push(`DemandReferral ${row.id} of household ${row.demand.household.id}`);
        }
        continue;
      }
      const entity = ENTITY_OF[typeName as keyof typeof ENTITY_OF];
      if (!entity) continue;
      const rows = (await em.find(entity as typeof Resident, { id: { $in: [...ids] } })) as unknown as Record<string, unknown>[];
      for (const row of rows) {
        const householdId = typeName === 'Household' ? (row.id as number) : (row.household as { id: number }).id;
        const ownRecord = typeName === 'HelpRecord' && caller.cadreId !== null && (row.cadre as { id: number }).id === caller.cadreId;
        const referredToThem = typeName === 'Demand' && handledDemands.has(row.id as number);
        if (!readableHouseholds.has(householdId) && !ownRecord && !referredToThem) problems.push(`${typeName} ${String(row.id)} of household ${householdId}`);
      }
    }
    return problems;
  }

  const CASES: [CallerName, string[]][] = [
    ['cadreAssigned', ['Household', 'Resident', 'Assignment']],
    ['cadreTransferred', ['HelpRecord']],
    ['cadreNeverAssigned', []],
    // A handler reaches the demands referred to its unit, never a Household or Resident behind them.
    ['handler', ['Demand', 'DemandReferral', 'ReferralHousehold']],
    // A leader reaches its case and the escalations under it, as the leader's own masked types.
    ['leader', ['LeaderCase', 'LeaderEscalation']],
    ['analyst', ['Household', 'Resident', 'Demand', 'PetitionCase', 'Assignment', 'HelpRecord']],
    ['districtAdmin', ['Household', 'Resident', 'Demand', 'PetitionCase', 'Assignment', 'HelpRecord']],
    ['cityAdmin', ['Household', 'Resident', 'Demand', 'PetitionCase', 'Assignment', 'HelpRecord']],
  ];

  it.each(CASES)(
    'walks every nested path as %s and gets nothing out of scope',
    async (name, mustReach) => {
      const caller = callers.get(name)!;
      const walker = new NestedWalker(schema, server, caller);
      await walker.walkAll();
      summary.push(`  ${name.padEnd(19)} ${walker.queries} queries, ${[...walker.seen].map(([type, ids]) => `${ids.size} ${type}`).join(', ')}`);
      expect(walker.errors).toEqual([]);
      // The walk reaches what the caller may read, so it would reach what it may not.
      expect(mustReach.filter((type) => !walker.seen.has(type) && !walker.typenames.has(type))).toEqual([]);
      expect(await outOfScope(caller, walker.seen)).toEqual([]);
      // Neither a handler nor a leader reads an identity number, on any path.
      if (name === 'handler' || name === 'leader') expect(walker.idNumbersIn).toEqual([]);
      if (name === 'handler' || name === 'leader') expect(['Household', 'Resident', 'PetitionCase'].filter((type) => walker.seen.has(type))).toEqual([]);
    },
    240_000,
  );
});
