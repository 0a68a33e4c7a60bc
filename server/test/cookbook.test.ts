import { Role } from '@wanjia/shared';
import { Kind, OperationTypeNode, parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import type { DatabaseConfig } from '../src/config';
import type { Em } from '../src/core/entity-manager';
import type { Orm } from '../src/db/orm';
import { DEMO_PASSWORDS } from '../src/modules/accounts/published-passwords';
import { UserAccount } from '../src/modules/accounts/user-account.entity';
import { Assignment } from '../src/modules/assignments/assignment.entity';
import { actorOf } from '../src/modules/auth/auth.service';
import { AuditEntry } from '../src/modules/audit/audit-entry.entity';
import { Cadre } from '../src/modules/cadres/cadre.entity';
import { Household } from '../src/modules/households/household.entity';
import { Resident } from '../src/modules/households/resident.entity';
import { PetitionCase } from '../src/modules/petition-cases/petition-case.entity';
import { Region } from '../src/modules/regions/region.entity';
import { UnitHandler } from '../src/modules/units/unit-handler.entity';
import { Unit } from '../src/modules/units/unit.entity';
import { cookbookFor, practiceUsername, type CookbookChapter, type CookbookRecipe } from '../src/playground/cookbook';
import { DEFAULT_DEMO_OPTIONS, seedDemoData } from '../src/seed/demo/demo-data';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { signIn, startApp, type RunningApp } from './support/server';

/**
 * The cookbook (办事指南) against the demo data, as each demo staff account: every saved operation
 * runs as it is, through the real HTTP app, in the order the IDE shows it. A recipe that answers
 * errors, or a mutation that answers nothing, fails the test by name; so a schema change or a rule
 * that breaks a recipe cannot go unnoticed. Rendering it (every GET of the IDE page) writes nothing,
 * and its variables hold no resident's name, phone, ID number or address.
 */

type DemoStaff = keyof typeof DEMO_PASSWORDS;
const STAFF: DemoStaff[] = ['admin', 'pingshan-admin', 'analyst'];
const ADMINS: DemoStaff[] = ['admin', 'pingshan-admin'];

const CHINESE = /[\u4e00-\u9fff]/;
const ENGLISH = /[A-Za-z]{2,}/;

function operationOf(item: CookbookRecipe): OperationDefinitionNode {
  const operations = parse(item.query).definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1) throw new Error(`${item.name}: ${operations.length} operations, expected one`);
  return operations[0]!;
}

function rootFieldsOf(item: CookbookRecipe): string[] {
  return operationOf(item)
    .selectionSet.selections.filter((selection): selection is FieldNode => selection.kind === Kind.FIELD)
    .map((field) => field.name.value);
}

function recipesOf(chapters: CookbookChapter[]): { chapter: string; item: CookbookRecipe }[] {
  return chapters.flatMap((chapter) => chapter.recipes.map((item) => ({ chapter: chapter.title, item })));
}

const ACCOUNTS_CHAPTER = '账号 Accounts';

function chapterOf(chapters: CookbookChapter[], title: string): CookbookChapter {
  const chapter = chapters.find((candidate) => candidate.title === title);
  if (!chapter) throw new Error(`no chapter ${title} in ${chapters.map((candidate) => candidate.title).join(', ')}`);
  return chapter;
}

function recipeCalling(chapters: CookbookChapter[], rootField: string): CookbookRecipe | undefined {
  return recipesOf(chapters).find(({ item }) => rootFieldsOf(item).includes(rootField))?.item;
}

/** Every string among a recipe's variables, nested inputs included. */
function stringValues(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringValues);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringValues);
  return [];
}

/** Every row of every table, as text: two snapshots are equal only if nothing was written in between. */
async function databaseSnapshot(orm: Orm): Promise<Record<string, string>> {
  const connection = orm.em.fork().getConnection();
  const snapshot: Record<string, string> = {};
  for (const meta of Object.values(orm.getMetadata().getAll())) {
    if (!meta.tableName || meta.embeddable || meta.virtual) continue;
    const rows = await connection.execute(`select * from \`${meta.tableName}\` order by 1`);
    snapshot[meta.tableName] = JSON.stringify(rows, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value));
  }
  return snapshot;
}

async function actorFor(em: Em, username: string) {
  return actorOf(await em.findOneOrFail(UserAccount, { username }, { populate: ['scopeRegion'] }));
}

/** Runs every recipe in chapter order as the signed-in account; answers the failures, each naming its recipe. */
async function runAll(server: RunningApp, headers: Record<string, string>, chapters: CookbookChapter[]): Promise<string[]> {
  const failures: string[] = [];
  for (const { chapter, item } of recipesOf(chapters)) {
    const body = await server.graphql<Record<string, unknown>>(item.query, item.variables, headers);
    const where = `${chapter} / ${item.name}`;
    if (body.errors?.length) {
      failures.push(`${where}: ${body.errors.map((error) => `${String(error.extensions?.code)} ${error.message}`).join('; ')}`);
      continue;
    }
    for (const field of rootFieldsOf(item)) {
      const answer = body.data?.[field];
      const empty = answer === null || answer === undefined || (typeof answer === 'object' && Object.keys(answer).length === 0);
      if (empty && operationOf(item).operation === OperationTypeNode.MUTATION) failures.push(`${where}: ${field} answered nothing`);
    }
  }
  return failures;
}

/**
 * The region path of what a variable names, for the scope check: region, household, unit, cadre and
 * the rest, by the variable's name (and, for a bare `id`, by the root field the operation calls).
 */
async function pathOf(em: Em, key: string, value: string, rootField: string): Promise<string | null> {
  const id = Number(value);
  const regionPath = async (regionId: number) => (await em.findOneOrFail(Region, regionId)).path;
  const household = async (householdId: number) => (await em.findOneOrFail(Household, householdId, { populate: ['region'] })).region.path;
  const cadre = async (cadreId: number) => (await em.findOneOrFail(Cadre, cadreId, { populate: ['unit.region'] })).unit.region.path;
  const byId: Record<string, (id: number) => Promise<string>> = {
    household,
    updateHousehold: household,
    revealResident: async (residentId) => household((await em.findOneOrFail(Resident, residentId)).household.id),
    updateUnit: async (unitId) => (await em.findOneOrFail(Unit, unitId, { populate: ['region'] })).region.path,
    updateCadre: cadre,
    deactivateCadre: cadre,
    reactivateCadre: cadre,
    assignCaseLeader: async (caseId) => household((await em.findOneOrFail(PetitionCase, caseId)).household.id),
    changePetitionCaseStatus: async (caseId) => household((await em.findOneOrFail(PetitionCase, caseId)).household.id),
    region: regionPath,
    updateRegion: regionPath,
    endUnitHandler: async (handlerId) => (await em.findOneOrFail(UnitHandler, handlerId, { populate: ['unit.region'] })).unit.region.path,
  };
  switch (key) {
    case 'regionId':
    case 'scopeRegionId':
    case 'parentId':
      return regionPath(id);
    case 'householdId':
      return household(id);
    case 'residentId':
      return household((await em.findOneOrFail(Resident, id)).household.id);
    case 'unitId':
      return (await em.findOneOrFail(Unit, id, { populate: ['region'] })).region.path;
    case 'cadreId':
    case 'toCadreId':
    case 'leaderId':
      return cadre(id);
    case 'assignmentId':
      return household((await em.findOneOrFail(Assignment, id)).household.id);
    case 'accountId':
    case 'actorId':
      return (await em.findOneOrFail(UserAccount, id, { populate: ['scopeRegion'] })).scopeRegion!.path;
    case 'id':
      if (!byId[rootField]) throw new Error(`the scope check does not know what id names in ${rootField}`);
      return byId[rootField](id);
    default:
      return null;
  }
}

/** Every (key, id) pair among the variables, nested inputs included. */
function idVariables(value: unknown, key = ''): { key: string; value: string }[] {
  if (Array.isArray(value)) return value.flatMap((item) => idVariables(item, key));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([name, inner]) => idVariables(inner, name));
  return (key === 'id' || key.endsWith('Id')) && typeof value === 'string' ? [{ key, value }] : [];
}

describe.each(databaseKinds())('the cookbook on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  const cookbooks = new Map<DemoStaff, CookbookChapter[]>();

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'cookbook'));
    // The demo as `pnpm start` seeds it (regions, units, cadres, rounds, accounts, contact points), with
    // fewer households: writing 1000 of them would take most of the run, and the recipes ask the same.
    await seedDemoData(orm.em.fork(), { ...DEFAULT_DEMO_OPTIONS, households: 200 });
    server = await startApp(orm, database);
  });

  afterAll(async () => {
    await server?.close();
    await orm.close(true);
    await dropScratchDatabase(database);
  });

  async function scopeOf(username: string): Promise<Region> {
    return (await orm.em.fork().findOneOrFail(UserAccount, { username }, { populate: ['scopeRegion'] })).scopeRegion as Region;
  }

  it('writes nothing when it is rendered, for any demo account or a new administrator without a practice account', async () => {
    const em = orm.em.fork();
    const xihu = await em.findOneOrFail(Region, { code: '210503000000' });
    em.create(UserAccount, { username: 'xihu-admin', role: Role.ADMIN, scopeRegion: xihu, passwordHash: null });
    const cadreAccount = await em.findOneOrFail(UserAccount, { role: Role.CADRE }, { populate: ['cadre'] });
    await em.flush();
    const before = await databaseSnapshot(orm);
    const auditEntries = await orm.em.fork().count(AuditEntry, {});
    for (const username of [...STAFF, 'xihu-admin']) await cookbookFor(orm.em.fork(), await actorFor(orm.em.fork(), username));
    expect(await cookbookFor(orm.em.fork(), actorOf(cadreAccount))).toEqual([]);
    expect(await orm.em.fork().count(AuditEntry, {})).toBe(auditEntries);
    expect(await orm.em.fork().count(UserAccount, { username: { $like: 'practice-%' } })).toBe(0);
    const after = await databaseSnapshot(orm);
    for (const table of Object.keys(before)) expect([table, after[table]]).toEqual([table, before[table]]);
  });

  it.each(STAFF)('runs every recipe as %s, in chapter order, without an error', async (username) => {
    const headers = await signIn(server, username, DEMO_PASSWORDS[username]);
    const chapters = await cookbookFor(orm.em.fork(), await actorFor(orm.em.fork(), username));
    cookbooks.set(username, chapters);
    expect(recipesOf(chapters).length).toBeGreaterThan(20);
    expect(await runAll(server, headers, chapters)).toEqual([]);
  });

  it.each(ADMINS)('offers %s the practice account to create first, and that recipe makes it (active, audited as theirs)', async (username) => {
    const scope = await scopeOf(username);
    const accounts = chapterOf(cookbooks.get(username)!, ACCOUNTS_CHAPTER).recipes;
    expect(accounts.map((item) => rootFieldsOf(item)[0])).toEqual(['accounts', 'createAccount', 'createAccount']);
    const create = accounts[2]!;
    expect(create.name).toBe('创建练习账号 Create the practice account');
    expect(create.description).toMatch(/重新打开工作台/);
    expect(create.variables).toEqual({
      input: { username: practiceUsername(scope.code), password: expect.any(String), role: 'ANALYST', scopeRegionId: String(scope.id) },
    });
    const em = orm.em.fork();
    const practice = await em.findOneOrFail(UserAccount, { username: practiceUsername(scope.code) }, { populate: ['scopeRegion'] });
    expect([practice.role, practice.active, practice.scopeRegion?.id]).toEqual([Role.ANALYST, true, scope.id]);
    const author = await actorFor(em, username);
    expect(await em.count(AuditEntry, { operation: 'createAccount', entityId: String(practice.id), actor: author.accountId })).toBe(1);
  });

  it("renders again and runs the city administrator's recipes a second time (fresh names, codes and ID numbers; the practice account's care)", async () => {
    const headers = await signIn(server, 'admin', DEMO_PASSWORDS.admin);
    const again = await cookbookFor(orm.em.fork(), await actorFor(orm.em.fork(), 'admin'));
    const mutations = again.map((chapter) => ({
      ...chapter,
      recipes: chapter.recipes.filter((item) => operationOf(item).operation === OperationTypeNode.MUTATION),
    }));
    expect(await runAll(server, headers, mutations)).toEqual([]);
  });

  it.each(ADMINS)(
    'gives %s, once the practice account exists, the care recipes on it, ending with its deactivation, and again once it is deactivated',
    async (username) => {
      const scope = await scopeOf(username);
      const practice = await orm.em.fork().findOneOrFail(UserAccount, { username: practiceUsername(scope.code) });
      const care = ['reactivateAccount', 'resetPassword', 'unlockAccount', 'deactivateAccount'];
      const accountsChapter = async () => chapterOf(await cookbookFor(orm.em.fork(), await actorFor(orm.em.fork(), username)), ACCOUNTS_CHAPTER);
      const rendered = await accountsChapter();
      expect(rendered.recipes.map((item) => rootFieldsOf(item)[0])).toEqual(['accounts', 'createAccount', ...care]);
      expect(rendered.recipes.slice(2).map((item) => item.variables.accountId)).toEqual(care.map(() => String(practice.id)));
      expect(await runAll(server, await signIn(server, username, DEMO_PASSWORDS[username]), [rendered])).toEqual([]);
      expect((await orm.em.fork().findOneOrFail(UserAccount, practice.id)).active).toBe(false);
      // Deactivated, it is still the practice account: no second one is offered, and the care recipes stay.
      // Rendered with it in place, the cookbook still writes nothing.
      const before = await databaseSnapshot(orm);
      const next = await accountsChapter();
      expect(await databaseSnapshot(orm)).toEqual(before);
      expect(next.recipes.map((item) => [item.name, rootFieldsOf(item)[0]])).toEqual(rendered.recipes.map((item) => [item.name, rootFieldsOf(item)[0]]));
      expect(recipeCalling([next], 'reactivateAccount')!.variables.accountId).toBe(String(practice.id));
    },
  );

  it('names every chapter and recipe in Chinese and English, describes it in Chinese, and names every operation', () => {
    for (const chapters of cookbooks.values()) {
      for (const chapter of chapters) {
        expect([chapter.title, CHINESE.test(chapter.title) && ENGLISH.test(chapter.title)]).toEqual([chapter.title, true]);
        for (const item of chapter.recipes) {
          expect([item.name, CHINESE.test(item.name) && ENGLISH.test(item.name), CHINESE.test(item.description)]).toEqual([item.name, true, true]);
          expect([item.name, operationOf(item).name?.value ?? null]).toEqual([item.name, expect.stringMatching(/^[A-Z][A-Za-z]+$/)]);
        }
      }
    }
  });

  it('gives each role the tasks of the issue, and an analyst no mutation but exportReport', async () => {
    const fields = (chapters: CookbookChapter[]) => new Set(recipesOf(chapters).flatMap(({ item }) => rootFieldsOf(item)));
    const figures = [
      'campaignOverview',
      'campaignBreakdown',
      'analyticsHouseholds',
      'coverageGaps',
      'overdueVisits',
      'cadreWorkload',
      'demandAging',
      'exportReport',
      // The demand loop (issue 15): the 督办 list, a unit's referrals and handlers, the limits, the ladder, the figures.
      'supervisionList',
      'demandReferrals',
      'unitHandlers',
      'demandDeadlines',
      'escalationRungs',
      'demandLoopFigures',
      'referralFiguresByUnit',
      'loopDemands',
    ];
    const administration = [
      'createHousehold',
      'addResident',
      'updateHousehold',
      'startUnitPairing',
      'assignCadre',
      'transferAssignment',
      'issueBindCode',
      'contactPoints',
      'auditEntries',
      'accounts',
      'createAccount',
      'deactivateAccount',
      'reactivateAccount',
      'deactivateCadre',
      'reactivateCadre',
      'instructDemand',
      'designateUnitHandler',
      'endUnitHandler',
    ];
    // Rendered now: the account care appears once the practice account exists.
    const now = async (username: DemoStaff) => fields(await cookbookFor(orm.em.fork(), await actorFor(orm.em.fork(), username)));
    const city = await now('admin');
    const district = await now('pingshan-admin');
    expect([...city]).toEqual(
      expect.arrayContaining([
        ...figures,
        ...administration,
        'createRound',
        'createContactPoint',
        'updateContactPointKind',
        'setDemandDeadline',
        'setEscalationRung',
      ]),
    );
    expect([...district]).toEqual(expect.arrayContaining([...figures, ...administration]));
    // The city's own tasks are not offered to a district.
    expect(
      [...district].filter((field) =>
        ['createRound', 'createContactPoint', 'createRegion', 'createContactPointKind', 'setDemandDeadline', 'setEscalationRung'].includes(field),
      ),
    ).toEqual([]);
    expect([...fields(cookbooks.get('analyst')!)]).toEqual(expect.arrayContaining(figures));
    const analystMutations = recipesOf(cookbooks.get('analyst')!)
      .filter(({ item }) => operationOf(item).operation !== OperationTypeNode.QUERY)
      .flatMap(({ item }) => rootFieldsOf(item));
    expect(new Set(analystMutations)).toEqual(new Set(['exportReport']));
    expect(cookbooks.get('analyst')!.map((chapter) => chapter.title)).toEqual(expect.arrayContaining(['工作概况 Overview', '导出报表 Exports']));
  });

  it("keeps the district administrator's variables in the district", async () => {
    const em = orm.em.fork();
    const district = (await scopeOf('pingshan-admin')).path;
    const outside: string[] = [];
    let checked = 0;
    for (const { item } of recipesOf(cookbooks.get('pingshan-admin')!)) {
      const [rootField] = rootFieldsOf(item);
      for (const { key, value } of idVariables(item.variables)) {
        const path = await pathOf(em, key, value, rootField!);
        if (path === null) continue;
        checked += 1;
        if (!path.startsWith(district)) outside.push(`${item.name}: ${key}=${value} (${path})`);
      }
    }
    expect(outside).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });

  it("puts no resident's name, ID number, household phone or address into any variable", async () => {
    const em = orm.em.fork();
    const rendered = await Promise.all(STAFF.map(async (username) => cookbookFor(orm.em.fork(), await actorFor(orm.em.fork(), username))));
    const households = await em.find(Household, {}, { fields: ['headName', 'phone', 'address'] as never });
    const residents = await em.find(Resident, {}, { fields: ['name', 'idNumber'] as never });
    const personal = new Set(
      [...households.flatMap((row) => [row.headName, row.phone, row.address]), ...residents.flatMap((row) => [row.name, row.idNumber])].filter(
        (value): value is string => typeof value === 'string' && value.length > 0,
      ),
    );
    expect(personal.size).toBeGreaterThan(400);
    // Rendered now, after the earlier runs registered the samples of their own renders.
    const found = recipesOf(rendered.flat()).flatMap(({ item }) =>
      stringValues(item.variables)
        .filter((value) => personal.has(value))
        .map((value) => `${item.name}: ${value}`),
    );
    expect(found).toEqual([]);
    // The household search still finds something with its fragment: a surname, not a name.
    const search = recipeCalling(rendered[0]!, 'households')!;
    expect([...String((search.variables as { search: string }).search)]).toHaveLength(1);
  });

  it('never offers a bind code for a cadre whose account is bound to WeChat, and leaves the recipe out when every cadre is bound', async () => {
    const em = orm.em.fork();
    const bindCodeCadre = async (username: string) => {
      const item = recipeCalling(await cookbookFor(orm.em.fork(), await actorFor(orm.em.fork(), username)), 'issueBindCode');
      return item ? Number(item.variables.cadreId) : null;
    };
    const boundCadres = async () =>
      new Set((await orm.em.fork().find(UserAccount, { role: Role.CADRE, wechatOpenid: { $ne: null } })).map((account) => account.cadre!.id));
    // Bind the account of the cadre each administrator's recipe names (creating it when the cadre has none).
    for (const username of ADMINS) {
      const cadreId = (await bindCodeCadre(username))!;
      expect(cadreId).not.toBeNull();
      const account = (await em.findOne(UserAccount, { cadre: cadreId })) ?? em.create(UserAccount, { role: Role.CADRE, cadre: cadreId });
      account.wechatOpenid = `test-openid-${cadreId}`;
      await em.flush();
      const next = await bindCodeCadre(username);
      expect([username, next]).toEqual([username, expect.any(Number)]);
      expect(next).not.toBe(cadreId);
      expect((await boundCadres()).has(next!)).toBe(false);
    }
    // A district whose every cadre is bound: no bind code to offer.
    const xihu = await em.findOneOrFail(Region, { code: '210503000000' });
    const cadres = await em.find(Cadre, { unit: { region: { path: { $like: `${xihu.path}%` } } } });
    expect(cadres.length).toBeGreaterThan(0);
    const accounts = await em.find(UserAccount, { cadre: { $in: cadres.map((cadre) => cadre.id) } });
    for (const cadre of cadres) {
      const account = accounts.find((row) => row.cadre?.id === cadre.id) ?? em.create(UserAccount, { role: Role.CADRE, cadre: cadre.id });
      account.wechatOpenid ??= `test-openid-${cadre.id}`;
    }
    await em.flush();
    expect(await bindCodeCadre('xihu-admin')).toBeNull();
  });

  it('keeps the practice account the account-care recipes act on deactivated after the chapter ran, one per scope that ran it', async () => {
    const em = orm.em.fork();
    const practice = await em.find(UserAccount, { username: { $like: 'practice-%' } });
    expect(practice.map((account) => [account.username, account.active]).sort()).toEqual(
      [
        [practiceUsername((await scopeOf('admin')).code), false],
        [practiceUsername((await scopeOf('pingshan-admin')).code), false],
      ].sort(),
    );
  });

  it("measures what rendering the city administrator's cookbook costs (printed, not asserted)", async () => {
    const actor = await actorFor(orm.em.fork(), 'admin');
    const renders = 10;
    const started = performance.now();
    for (let index = 0; index < renders; index += 1) await cookbookFor(orm.em.fork(), actor);
    const mean = (performance.now() - started) / renders;
    process.stdout.write(`cookbook render on ${kind}, city administrator, 200-household demo: ${mean.toFixed(1)} ms mean of ${renders}\n`);
  });
});
