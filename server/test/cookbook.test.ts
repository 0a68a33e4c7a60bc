import { Role } from '@wanjia/shared';
import { Kind, OperationTypeNode, parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import type { DatabaseConfig } from '../src/config';
import type { Em } from '../src/core/entity-manager';
import type { Orm } from '../src/db/orm';
import { DEMO_PASSWORDS } from '../src/modules/accounts/published-passwords';
import { UserAccount } from '../src/modules/accounts/user-account.entity';
import { Assignment } from '../src/modules/assignments/assignment.entity';
import { actorOf } from '../src/modules/auth/auth.service';
import { Cadre } from '../src/modules/cadres/cadre.entity';
import { Household } from '../src/modules/households/household.entity';
import { Resident } from '../src/modules/households/resident.entity';
import { PetitionCase } from '../src/modules/petition-cases/petition-case.entity';
import { Region } from '../src/modules/regions/region.entity';
import { Unit } from '../src/modules/units/unit.entity';
import { cookbookFor, practiceUsername, type CookbookChapter, type CookbookRecipe } from '../src/playground/cookbook';
import { DEFAULT_DEMO_OPTIONS, seedDemoData } from '../src/seed/demo/demo-data';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { signIn, startApp, type RunningApp } from './support/server';

/**
 * The cookbook (办事指南) against the demo data, as each demo staff account: every saved operation
 * runs as it is, through the real HTTP app, in the order the IDE shows it. A recipe that answers
 * errors, or a mutation that answers nothing, fails the test by name; so a schema change or a rule
 * that breaks a recipe cannot go unnoticed.
 */

type DemoStaff = keyof typeof DEMO_PASSWORDS;
const STAFF: DemoStaff[] = ['admin', 'pingshan-admin', 'analyst'];

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

  it.each(STAFF)('runs every recipe as %s, in chapter order, without an error', async (username) => {
    const headers = await signIn(server, username, DEMO_PASSWORDS[username]);
    const chapters = await cookbookFor(orm.em.fork(), await actorFor(orm.em.fork(), username));
    cookbooks.set(username, chapters);
    expect(recipesOf(chapters).length).toBeGreaterThan(20);
    expect(await runAll(server, headers, chapters)).toEqual([]);
  });

  it("renders again and runs the city administrator's recipes a second time (fresh names, codes and ID numbers)", async () => {
    const headers = await signIn(server, 'admin', DEMO_PASSWORDS.admin);
    const again = await cookbookFor(orm.em.fork(), await actorFor(orm.em.fork(), 'admin'));
    const mutations = again.map((chapter) => ({
      ...chapter,
      recipes: chapter.recipes.filter((item) => operationOf(item).operation === OperationTypeNode.MUTATION),
    }));
    expect(await runAll(server, headers, mutations)).toEqual([]);
  });

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

  it('gives each role the tasks of the issue, and an analyst no mutation but exportReport', () => {
    const fields = (username: DemoStaff) => new Set(recipesOf(cookbooks.get(username)!).flatMap(({ item }) => rootFieldsOf(item)));
    const figures = [
      'campaignOverview',
      'campaignBreakdown',
      'analyticsHouseholds',
      'coverageGaps',
      'overdueVisits',
      'cadreWorkload',
      'demandAging',
      'exportReport',
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
    ];
    expect([...fields('admin')]).toEqual(
      expect.arrayContaining([...figures, ...administration, 'createRound', 'createContactPoint', 'updateContactPointKind']),
    );
    expect([...fields('pingshan-admin')]).toEqual(expect.arrayContaining([...figures, ...administration]));
    // The city's own tasks are not offered to a district.
    expect([...fields('pingshan-admin')]).not.toEqual(expect.arrayContaining(['createRound']));
    expect(
      [...fields('pingshan-admin')].filter((field) => ['createRound', 'createContactPoint', 'createRegion', 'createContactPointKind'].includes(field)),
    ).toEqual([]);
    expect([...fields('analyst')]).toEqual(expect.arrayContaining(figures));
    const analystMutations = recipesOf(cookbooks.get('analyst')!)
      .filter(({ item }) => operationOf(item).operation !== OperationTypeNode.QUERY)
      .flatMap(({ item }) => rootFieldsOf(item));
    expect(new Set(analystMutations)).toEqual(new Set(['exportReport']));
    expect(cookbooks.get('analyst')!.map((chapter) => chapter.title)).toEqual(expect.arrayContaining(['工作概况 Overview', '导出报表 Exports']));
  });

  it("keeps the district administrator's variables in the district", async () => {
    const em = orm.em.fork();
    const district = (await em.findOneOrFail(UserAccount, { username: 'pingshan-admin' }, { populate: ['scopeRegion'] })).scopeRegion!.path;
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

  it('makes one practice account for a scope when two pages of a new administrator are written at once', async () => {
    const em = orm.em.fork();
    const xihu = await em.findOneOrFail(Region, { code: '210503000000' });
    const admin = em.create(UserAccount, { username: 'xihu-admin', role: Role.ADMIN, scopeRegion: xihu, passwordHash: null });
    await em.flush();
    const actor = actorOf(await orm.em.fork().findOneOrFail(UserAccount, admin.id, { populate: ['scopeRegion'] }));
    const [first, second] = await Promise.all([cookbookFor(orm.em.fork(), actor), cookbookFor(orm.em.fork(), actor)]);
    const careOf = (chapters: CookbookChapter[]) =>
      chapters.find((chapter) => chapter.title === '账号 Accounts')!.recipes.find((item) => rootFieldsOf(item).includes('deactivateAccount'))!.variables
        .accountId;
    const practice = await orm.em.fork().find(UserAccount, { username: practiceUsername(xihu.code) });
    expect(practice.map((account) => [String(account.id), account.active])).toEqual([[careOf(first), false]]);
    expect(careOf(second)).toBe(careOf(first));
  });

  it('keeps the practice account the account-care recipes act on deactivated after the chapter ran, one per scope', async () => {
    const em = orm.em.fork();
    const city = await em.findOneOrFail(Region, { depth: 0 });
    const practice = await em.find(UserAccount, { username: { $like: 'practice-%' } }, { populate: ['scopeRegion'] });
    expect(practice.map((account) => [account.username, account.active]).sort()).toEqual(
      [
        [practiceUsername(city.code), false],
        [practiceUsername('210502000000'), false],
        [practiceUsername('210503000000'), false],
      ].sort(),
    );
  });
});
