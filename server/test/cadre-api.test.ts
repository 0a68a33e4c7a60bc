import { randomUUID, createHash } from 'node:crypto';
import { AssignmentKind, DemandCategory, DemandStatus, PetitionCaseStatus, TargetGroup } from '@wanjia/shared';
import type { DatabaseConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { Assignment } from '../src/modules/assignments/assignment.entity';
import { AuditEntry } from '../src/modules/audit/audit-entry.entity';
import { Cadre } from '../src/modules/cadres/cadre.entity';
import { Demand } from '../src/modules/demands/demand.entity';
import { HelpRecord } from '../src/modules/help-records/help-record.entity';
import { Household } from '../src/modules/households/household.entity';
import type { Region } from '../src/modules/regions/region.entity';
import type { Round } from '../src/modules/rounds/round.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import {
  createAccount,
  createAssignment,
  createCadre,
  createDemand,
  createHelpRecord,
  createHousehold,
  createPetitionCase,
  createRegionTree,
  createResident,
  createRound,
  createUnit,
  tokenFor,
} from './support/factories';
import { CORRECT_RECORD, DAY, JPEG, MY_HOUSEHOLDS, SUBMIT, errorOf, solidJpeg } from './support/cadre-operations';
import { startApp, type GraphQLBody, type RunningApp } from './support/server';

describe.each(databaseKinds())("the cadres' API on %s", (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let round: Round;
  let community: Region;
  let cadre: Cadre;
  let otherCadre: Cadre;
  let token: string;
  let otherToken: string;
  const statements: string[] = [];
  const households: Household[] = [];

  const asCadre = <T>(query: string, variables: Record<string, unknown> = {}, bearer = token) =>
    server.graphql<T>(query, variables, { authorization: `Bearer ${bearer}` });

  async function cadreToken(target: Cadre): Promise<string> {
    const em = orm.em.fork();
    return tokenFor(await createAccount(em, { cadre: em.getReference(Cadre, target.id) }), server);
  }

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'cadre_api', { onQuery: (sql) => statements.push(sql) }));
    const em = orm.em.fork();
    const regions = await createRegionTree(em);
    community = regions.dongxing;
    round = await createRound(em, { name: '新一轮' });
    const unit = await createUnit(em, { region: regions.city });
    cadre = await createCadre(em, { unit, name: '刘建华', householdCapacity: 50 });
    otherCadre = await createCadre(em, { unit, name: '陈志强' });
    const now = Date.now();
    // 40 households: visited long ago, recently, or never; a third key-focus, some petitioners with open cases.
    for (let index = 0; index < 40; index += 1) {
      const groups = index % 3 === 0 ? [TargetGroup.KEY_FOCUS] : index % 7 === 0 ? [TargetGroup.PETITIONER] : [TargetGroup.HARDSHIP];
      const lastVisitAt = index % 4 === 0 ? null : new Date(now - (index % 40) * DAY);
      const household = await createHousehold(em, { region: community, targetGroups: groups, headName: `户主${String(index).padStart(2, '0')}`, lastVisitAt });
      await createResident(em, { household });
      await createAssignment(em, { cadre, household, round, startedAt: new Date(now - 60 * DAY) });
      if (household.isPetitioner) await createPetitionCase(em, { household, receivedOn: '2026-01-05', status: PetitionCaseStatus.IN_PROGRESS });
      if (index % 5 === 0) await createDemand(em, { household, text: '房屋漏雨', raisedAt: new Date(now - 10 * DAY) });
      households.push(household);
    }
    // A household of another cadre, and one of ours that another cadre took over.
    const theirs = await createHousehold(em, { region: community, headName: '别人的户' });
    await createAssignment(em, { cadre: otherCadre, household: theirs, round });
    server = await startApp(orm, database);
    token = await cadreToken(cadre);
    otherToken = await cadreToken(otherCadre);
  });

  afterAll(async () => {
    await server.close();
    await orm.close(true);
    await dropScratchDatabase(database);
  });

  it("lists the cadre's households most overdue first, with what the list screen shows", async () => {
    const body = await asCadre<{ myHouseholds: { totalCount: number; nodes: Record<string, unknown>[] } }>(MY_HOUSEHOLDS, { first: 100 });
    expect(body.errors).toBeUndefined();
    const { nodes, totalCount } = body.data!.myHouseholds;
    expect(totalCount).toBe(40);
    expect(nodes.map((node) => node.headName)).not.toContain('别人的户');
    // Overdue ones come first, and nothing overdue follows something that is not.
    const firstNotOverdue = nodes.findIndex((node) => !node.visitOverdue);
    expect(firstNotOverdue).toBeGreaterThan(0);
    expect(nodes.slice(firstNotOverdue).every((node) => !node.visitOverdue)).toBe(true);

    const keyFocus = nodes.find((node) => node.headName === '户主03')!;
    expect(keyFocus).toMatchObject({ regionName: '东兴社区', targetGroups: ['KEY_FOCUS'], visitIntervalDays: 14, daysSinceLastVisit: 3, visitOverdue: false });
    const petitioner = nodes.find((node) => node.headName === '户主07')!;
    expect(petitioner).toMatchObject({ visitIntervalDays: 7, daysSinceLastVisit: 7 });
    const neverVisited = nodes.find((node) => node.headName === '户主00')!;
    expect(neverVisited).toMatchObject({ daysSinceLastVisit: null, visitOverdue: true, openDemandCount: 1, visitIntervalDays: 14 });
  });

  it('costs the same few SQL statements for a page of 20 as for a page of 100', async () => {
    const count = async (first: number) => {
      statements.length = 0;
      const body = await asCadre(MY_HOUSEHOLDS, { first });
      expect(body.errors).toBeUndefined();
      return statements.length;
    };
    const small = await count(20);
    const large = await count(100);
    expect(small).toBe(large);
    expect(large).toBeLessThanOrEqual(5);
  });

  it('answers the 我的 screen (me with cadre and unit, currentRound, myStats) in four statements', async () => {
    const document = `fragment TotalsFields on HelpTotals { fundsFen materialsFen problemsSolved visits }
      query MyStats { currentRound { endsOn id name startsOn } me { cadre { id name post unit { name } } id }
        myStats { households householdsOverdue thisMonth { ...TotalsFields } thisRound { ...TotalsFields } } }`;
    await asCadre(document);
    statements.length = 0;
    const body = await asCadre<{ me: { cadre: { unit: { name: string } } } }>(document);
    expect(body.errors).toBeUndefined();
    expect(body.data!.me.cadre.unit.name).toBeTruthy();
    // The account with its cadre and unit; the running round once for both fields; both totals; the households.
    expect(statements.filter((sql) => !/a\.session_generation/.test(sql))).toHaveLength(4);
  });

  it('pages with cursors and filters by group, overdue and text', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: GraphQLBody<{ myHouseholds: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }> = await asCadre(
        MY_HOUSEHOLDS,
        { first: 7, after },
      );
      seen.push(...page.data!.myHouseholds.nodes.map((node) => node.id));
      after = page.data!.myHouseholds.pageInfo.hasNextPage ? page.data!.myHouseholds.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toHaveLength(40);
    expect(new Set(seen).size).toBe(40);

    const keyFocus = await asCadre<{ myHouseholds: { totalCount: number } }>(MY_HOUSEHOLDS, { filter: { targetGroup: 'KEY_FOCUS' } });
    expect(keyFocus.data!.myHouseholds.totalCount).toBe(14);
    const overdue = await asCadre<{ myHouseholds: { nodes: { visitOverdue: boolean }[] } }>(MY_HOUSEHOLDS, { first: 100, filter: { overdueOnly: true } });
    expect(overdue.data!.myHouseholds.nodes.length).toBeGreaterThan(0);
    expect(overdue.data!.myHouseholds.nodes.every((node) => node.visitOverdue)).toBe(true);
    const search = await asCadre<{ myHouseholds: { nodes: { headName: string }[] } }>(MY_HOUSEHOLDS, { filter: { search: '户主1' } });
    expect(search.data!.myHouseholds.nodes.map((node) => node.headName).sort()).toEqual([
      '户主10',
      '户主11',
      '户主12',
      '户主13',
      '户主14',
      '户主15',
      '户主16',
      '户主17',
      '户主18',
      '户主19',
    ]);
    expect(errorOf(await asCadre(MY_HOUSEHOLDS, { after: 'not-a-cursor' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it("shows an assigned household's file and nothing about one that is not assigned", async () => {
    const household = households[0]!;
    await createHelpRecord(orm.em.fork(), {
      assignment: await orm.em.fork().findOneOrFail(Assignment, { household: household.id }),
      occurredAt: new Date(Date.now() - 20 * DAY),
      summary: '较早的走访',
    });
    await createHelpRecord(orm.em.fork(), {
      assignment: await orm.em.fork().findOneOrFail(Assignment, { household: household.id }),
      occurredAt: new Date(Date.now() - 2 * DAY),
      summary: '最近的走访',
    });
    const file = await asCadre<{ household: Record<string, any> }>(
      `query ($id: ID!) { household(id: $id) {
        headName phone residents { name idNumber keyFocusReason }
        openDemands { text status } petitionCases { id }
        assignmentHistory { kind endedAt cadre { name } }
        helpRecords(first: 5) { totalCount nodes { summary occurredAt } }
      } }`,
      { id: String(household.id) },
    );
    expect(file.errors).toBeUndefined();
    const shown = file.data!.household;
    expect(shown.phone).toBe('13900001111');
    // Only the address code: with the sequence and check character shown, a birth date gave the number back.
    expect(shown.residents[0].idNumber).toMatch(/^210502\*{12}$/);
    expect(shown.openDemands).toEqual([{ text: '房屋漏雨', status: 'OPEN' }]);
    expect(shown.assignmentHistory).toEqual([{ kind: AssignmentKind.REGULAR, endedAt: null, cadre: { name: '刘建华' } }]);
    expect(shown.helpRecords.nodes.map((node: { summary: string }) => node.summary)).toEqual(['最近的走访', '较早的走访']);

    const theirs = await orm.em.fork().findOneOrFail(Household, { headName: '别人的户' });
    const refused = await asCadre('query ($id: ID!) { household(id: $id) { headName } }', { id: String(theirs.id) });
    expect(refused).toEqual({ data: null, errors: [expect.objectContaining({ message: 'Not allowed', extensions: { code: 'FORBIDDEN' } })] });
    const missing = await asCadre('query ($id: ID!) { household(id: $id) { headName } }', { id: '987654' });
    expect(missing.errors![0]!.extensions).toEqual(refused.errors![0]!.extensions);
  });

  it('records help exactly once: a retry returns the first record, another record under the same clientId is refused', async () => {
    const household = households[5]!;
    const demand = await orm.em.fork().findOneOrFail(Demand, { household: household.id });
    const before = await orm.em.fork().findOneOrFail(Household, household.id);
    const input = {
      clientId: randomUUID(),
      householdId: String(household.id),
      occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
      kinds: ['VISIT', 'FUNDS', 'PROBLEM_SOLVED'],
      summary: '入户走访，送去慰问金，协调修缮漏雨房屋',
      fundsFen: 50_000,
      problemsSolved: 1,
      demandsRaised: [{ category: 'MEDICAL', text: '慢性病用药费用负担重' }],
      resolvedDemandIds: [String(demand.id)],
      latitude: 41.29,
      longitude: 123.77,
    };
    const first = await asCadre<{ submitHelpRecord: { id: string; demandsRaised: { status: string }[] } }>(SUBMIT, { input });
    expect(first.errors).toBeUndefined();
    expect(first.data!.submitHelpRecord.demandsRaised).toEqual([expect.objectContaining({ status: 'OPEN' })]);
    const retry = await asCadre<{ submitHelpRecord: { id: string } }>(SUBMIT, { input });
    expect(retry.data!.submitHelpRecord.id).toBe(first.data!.submitHelpRecord.id);

    const em = orm.em.fork();
    expect(await em.count(HelpRecord, { clientId: input.clientId })).toBe(1);
    expect(await em.count(Demand, { household: household.id, status: DemandStatus.OPEN })).toBe(1);
    expect((await em.findOneOrFail(Demand, demand.id)).status).toBe(DemandStatus.RESOLVED);
    const after = await em.findOneOrFail(Household, household.id);
    expect(after.lastVisitAt!.toISOString().slice(0, 16)).toBe(input.occurredAt.slice(0, 16));
    // A visit is not an edit of the household's file: an administrator's pending edit stays valid.
    expect(after.version).toBe(before.version);
    expect(await em.count(AuditEntry, { operation: 'submitHelpRecord', entityId: first.data!.submitHelpRecord.id })).toBe(1);

    const changed = await asCadre(SUBMIT, { input: { ...input, fundsFen: 90_000 } });
    expect(errorOf(changed)).toMatchObject({ code: 'CONFLICT', field: 'input.clientId' });
  });

  it('refuses bad input with the field named, and writes nothing', async () => {
    const count = async () => ({ records: await orm.em.fork().count(HelpRecord), audit: await orm.em.fork().count(AuditEntry) });
    const before = await count();
    const household = households[6]!;
    const base = { householdId: String(household.id), occurredAt: new Date().toISOString(), kinds: ['VISIT'], summary: '走访' };
    const cases: [Record<string, unknown>, string][] = [
      [{ occurredAt: new Date(Date.now() + 2 * 3_600_000).toISOString() }, 'input.occurredAt'],
      [{ occurredAt: new Date(Date.now() - 90 * DAY).toISOString() }, 'input.occurredAt'],
      [{ summary: '长'.repeat(1001) }, 'summary'],
      [{ summary: '' }, 'summary'],
      [{ fundsFen: -1 }, 'fundsFen'],
      [{ materialsFen: 2_000_000_000 }, 'materialsFen'],
      [{ kinds: [] }, 'kinds'],
      [{ photoIds: ['0'.repeat(64)] }, 'input.photoIds'],
      [{ latitude: 41.3 }, 'input.longitude'],
      [{ resolvedDemandIds: ['999999'] }, 'input.resolvedDemandIds'],
      [{ clientId: 'short' }, 'clientId'],
    ];
    for (const [override, field] of cases) {
      const body = await asCadre(SUBMIT, { input: { clientId: randomUUID(), ...base, ...override } });
      expect(errorOf(body)).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(String(errorOf(body)!.field)).toContain(field);
    }
    const theirs = await orm.em.fork().findOneOrFail(Household, { headName: '别人的户' });
    expect(errorOf(await asCadre(SUBMIT, { input: { clientId: randomUUID(), ...base, householdId: String(theirs.id) } }))).toEqual({ code: 'FORBIDDEN' });
    expect(await count()).toEqual(before);
  });

  it('keeps a record made before a transfer that reaches the server after it', async () => {
    const household = households[8]!;
    const assignment = await orm.em.fork().findOneOrFail(Assignment, { household: household.id, endedAt: null });
    const madeOffline = new Date(Date.now() - 2 * 3_600_000);
    const em = orm.em.fork();
    const row = await em.findOneOrFail(Assignment, assignment.id);
    row.endedAt = new Date(Date.now() - 3_600_000);
    row.endReason = '工作调动';
    em.create(Assignment, { cadre: otherCadre, household: household.id, round, kind: row.kind, startedAt: row.endedAt, transferredFrom: row });
    await em.flush();
    const late = await asCadre<{ submitHelpRecord: { id: string } }>(SUBMIT, {
      input: {
        clientId: randomUUID(),
        householdId: String(household.id),
        occurredAt: madeOffline.toISOString(),
        kinds: ['VISIT'],
        summary: '离线记录，调动后上传',
      },
    });
    expect(late.errors).toBeUndefined();
    const afterTransfer = await asCadre(SUBMIT, {
      input: { clientId: randomUUID(), householdId: String(household.id), occurredAt: new Date().toISOString(), kinds: ['VISIT'], summary: '调动后的走访' },
    });
    expect(errorOf(afterTransfer)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.occurredAt' });
  });

  /** Ends the cadre's assignment to the household `endedDaysAgo` days ago and gives the household to the other cadre. */
  async function transferAway(household: Household, endedDaysAgo: number): Promise<Date> {
    const em = orm.em.fork();
    const row = await em.findOneOrFail(Assignment, { household: household.id, cadre: cadre.id, endedAt: null });
    row.endedAt = new Date(Date.now() - endedDaysAgo * DAY);
    row.endReason = '工作调动';
    em.create(Assignment, { cadre: otherCadre, household: household.id, round, kind: row.kind, startedAt: row.endedAt, transferredFrom: row });
    await em.flush();
    return row.endedAt;
  }

  it('late records (inside an ended assignment) land only within the grace, never resolve demands, and say nothing about demand ids', async () => {
    expect(server.config.helpRecordLateGraceDays).toBe(7);
    const household = households[25]!;
    const open = await orm.em.fork().findOneOrFail(Demand, { household: household.id, status: DemandStatus.OPEN });
    const endedAt = await transferAway(household, 2);
    const visit = (overrides: Record<string, unknown>) => ({
      clientId: randomUUID(),
      householdId: String(household.id),
      occurredAt: new Date(endedAt.getTime() - 3_600_000).toISOString(),
      kinds: ['VISIT'],
      summary: '离线记录，调动后上传',
      ...overrides,
    });
    const lastVisitBefore = (await orm.em.fork().findOneOrFail(Household, household.id)).lastVisitAt;
    // Resolving: refused, the same answer for an open demand of the household, a closed one and one of
    // another household, so that the ids tell nothing; and nothing changes.
    const otherHouseholdDemand = await orm.em.fork().findOneOrFail(Demand, { household: households[35]!.id });
    const answers = [];
    for (const id of [open.id, otherHouseholdDemand.id, 999_999]) {
      answers.push(errorOf(await asCadre(SUBMIT, { input: visit({ resolvedDemandIds: [String(id)] }) })));
    }
    expect(answers).toEqual(Array(3).fill({ code: 'BAD_USER_INPUT', field: 'input.resolvedDemandIds' }));
    expect((await orm.em.fork().findOneOrFail(Demand, open.id)).status).toBe(DemandStatus.OPEN);
    expect((await orm.em.fork().findOneOrFail(Household, household.id)).lastVisitAt).toEqual(lastVisitBefore);
    // A late record without resolutions lands; the demand it raises is dated at the visit, before the end.
    const late = await asCadre<{ submitHelpRecord: { id: string } }>(SUBMIT, {
      input: visit({ demandsRaised: [{ category: 'HOUSING', text: '冬季取暖困难' }] }),
    });
    expect(late.errors).toBeUndefined();
    const raised = await orm.em.fork().findOneOrFail(Demand, { raisedIn: Number(late.data!.submitHelpRecord.id) });
    expect(raised.raisedAt.getTime()).toBeLessThanOrEqual(endedAt.getTime());
  });

  it('after the grace a transferred cadre writes nothing into the household: no record, no correction, no demand, no visit', async () => {
    const household = households[30]!;
    const earlier = await asCadre<{ submitHelpRecord: { id: string } }>(SUBMIT, {
      input: {
        clientId: randomUUID(),
        householdId: String(household.id),
        occurredAt: new Date(Date.now() - 20 * DAY).toISOString(),
        kinds: ['VISIT'],
        summary: '走访',
      },
    });
    expect(earlier.errors).toBeUndefined();
    const endedAt = await transferAway(household, 8);
    const before = await orm.em.fork().findOneOrFail(Household, household.id);
    const demands = await orm.em.fork().count(Demand, { household: household.id });
    const backdated = await asCadre(SUBMIT, {
      input: {
        clientId: randomUUID(),
        householdId: String(household.id),
        occurredAt: new Date(endedAt.getTime() - 60_000).toISOString(),
        kinds: ['VISIT'],
        summary: '补录',
        demandsRaised: [{ category: 'HOUSING', text: '植入的诉求' }],
      },
    });
    expect(errorOf(backdated)).toEqual({ code: 'BAD_USER_INPUT', field: 'input.occurredAt' });
    const correction = await asCadre(CORRECT_RECORD, {
      id: earlier.data!.submitHelpRecord.id,
      input: { clientId: randomUUID(), occurredAt: new Date(endedAt.getTime() - 60_000).toISOString(), kinds: ['VISIT'], summary: '改写', fundsFen: 90_000 },
    });
    expect(errorOf(correction)).toEqual({ code: 'BAD_USER_INPUT', field: 'input.occurredAt' });
    expect(await orm.em.fork().count(Demand, { household: household.id })).toBe(demands);
    expect((await orm.em.fork().findOneOrFail(Household, household.id)).lastVisitAt).toEqual(before.lastVisitAt);
  });

  it('corrects a record with a new version; totals count only the latest and the history keeps both', async () => {
    const household = households[10]!;
    const statsBefore = await asCadre<{ myStats: { thisRound: { fundsFen: number; visits: number }; thisMonth: { fundsFen: number; visits: number } } }>(
      '{ myStats { thisRound { visits fundsFen } thisMonth { visits fundsFen } } }',
    );
    const original = await asCadre<{ submitHelpRecord: { id: string } }>(SUBMIT, {
      input: {
        clientId: randomUUID(),
        householdId: String(household.id),
        occurredAt: new Date().toISOString(),
        kinds: ['VISIT', 'FUNDS'],
        summary: '送慰问金',
        fundsFen: 10_000,
      },
    });
    const correctionInput = {
      clientId: randomUUID(),
      occurredAt: new Date().toISOString(),
      kinds: ['VISIT', 'FUNDS'],
      summary: '送慰问金（金额更正）',
      fundsFen: 30_000,
    };
    const correct = (id: string, input: Record<string, unknown>) =>
      asCadre<{ correctHelpRecord: { id: string; versionNumber: number; supersedesId: string } }>(
        'mutation ($id: ID!, $input: HelpRecordCorrectionInput!) { correctHelpRecord(id: $id, input: $input) { id versionNumber supersedesId } }',
        { id, input },
      );
    const corrected = await correct(original.data!.submitHelpRecord.id, correctionInput);
    expect(corrected.data!.correctHelpRecord).toMatchObject({ versionNumber: 2, supersedesId: original.data!.submitHelpRecord.id });
    // A retry of the same correction returns it; correcting the old version again is refused.
    expect((await correct(original.data!.submitHelpRecord.id, correctionInput)).data!.correctHelpRecord.id).toBe(corrected.data!.correctHelpRecord.id);
    expect(errorOf(await correct(original.data!.submitHelpRecord.id, { ...correctionInput, clientId: randomUUID() }))).toMatchObject({ code: 'CONFLICT' });
    // Another cadre cannot correct it.
    expect(
      errorOf(await asCadre(CORRECT_RECORD, { id: corrected.data!.correctHelpRecord.id, input: { ...correctionInput, clientId: randomUUID() } }, otherToken)),
    ).toEqual({ code: 'FORBIDDEN' });

    const statsAfter = await asCadre<{ myStats: { thisRound: { fundsFen: number; visits: number }; thisMonth: { fundsFen: number; visits: number } } }>(
      '{ myStats { thisRound { visits fundsFen } thisMonth { visits fundsFen } } }',
    );
    expect(statsAfter.data!.myStats.thisRound.fundsFen - statsBefore.data!.myStats.thisRound.fundsFen).toBe(30_000);
    expect(statsAfter.data!.myStats.thisRound.visits - statsBefore.data!.myStats.thisRound.visits).toBe(1);
    // This month's share of the same statement counts the same latest version (recorded now).
    expect(statsAfter.data!.myStats.thisMonth.fundsFen - statsBefore.data!.myStats.thisMonth.fundsFen).toBe(30_000);
    expect(statsAfter.data!.myStats.thisMonth.visits - statsBefore.data!.myStats.thisMonth.visits).toBe(1);

    const history = await asCadre<{ household: { latest: { nodes: { fundsFen: number }[] }; all: { nodes: { fundsFen: number; isLatest: boolean }[] } } }>(
      'query ($id: ID!) { household(id: $id) { latest: helpRecords { nodes { fundsFen } } all: helpRecords(includeSuperseded: true) { nodes { fundsFen isLatest } } } }',
      { id: String(household.id) },
    );
    expect(history.data!.household.latest.nodes.map((node) => node.fundsFen)).toEqual([30_000]);
    expect(history.data!.household.all.nodes.map((node) => [node.fundsFen, node.isLatest]).sort()).toEqual([
      [10_000, false],
      [30_000, true],
    ]);
  });

  it('confirms a resolved demand on a later visit', async () => {
    const em = orm.em.fork();
    const livelihood = { household: em.getReference(Household, households[15]!.id), category: DemandCategory.LIVELIHOOD };
    const demand = await createDemand(em, {
      ...livelihood,
      text: '取暖费困难',
      raisedAt: new Date(Date.now() - 5 * DAY),
      status: DemandStatus.RESOLVED,
      resolvedAt: new Date(),
    });
    const open = await createDemand(em, { ...livelihood, text: '申请临时救助', raisedAt: new Date() });
    const confirm = (id: number) =>
      asCadre<{ confirmDemandResolved: { status: string; confirmedAt: string } }>(
        'mutation ($input: DemandConfirmationInput!) { confirmDemandResolved(input: $input) { status confirmedAt } }',
        { input: { demandId: String(id), clientId: randomUUID(), satisfaction: 'SATISFIED' } },
      );
    const confirmed = await confirm(demand.id);
    expect(confirmed.data!.confirmDemandResolved.status).toBe('CONFIRMED');
    expect(confirmed.data!.confirmDemandResolved.confirmedAt).toBeTruthy();
    expect(errorOf(await confirm(open.id))).toMatchObject({ code: 'CONFLICT' });
  });

  it('takes photos as multipart uploads, stores them by content, and serves them only to who may see them', async () => {
    const upload = async (bytes: Buffer, bearer = token, type = 'image/jpeg') => {
      const form = new FormData();
      form.append('file', new Blob([bytes], { type }), 'photo.jpg');
      return fetch(`${server.url}/uploads/photos`, { method: 'POST', body: form, headers: { authorization: `Bearer ${bearer}` } });
    };
    const photo = await solidJpeg('#c0392b');
    const response = await upload(photo);
    expect(response.status).toBe(201);
    const stored = (await response.json()) as { id: string; mimeType: string; sizeBytes: number };
    expect(stored).toEqual({ id: expect.stringMatching(/^[0-9a-f]{64}$/), mimeType: 'image/jpeg', sizeBytes: expect.any(Number) });
    // Uploading the same photo again (a retry) gives the same id.
    expect(((await (await upload(photo)).json()) as { id: string }).id).toBe(stored.id);

    expect((await upload(Buffer.from('not an image at all'))).status).toBe(415);
    expect((await fetch(`${server.url}/uploads/photos`, { method: 'POST', body: new FormData() })).status).toBe(401);

    const household = households[20]!;
    const record = await asCadre<{ submitHelpRecord: { id: string } }>(SUBMIT, {
      input: {
        clientId: randomUUID(),
        householdId: String(household.id),
        occurredAt: new Date().toISOString(),
        kinds: ['VISIT'],
        summary: '拍照留存',
        photoIds: [stored.id],
      },
    });
    expect(record.errors).toBeUndefined();
    // Someone else's upload cannot be attached.
    const theirs = (await (await upload(await solidJpeg('#2e86c1'), otherToken)).json()) as { id: string };
    const borrowed = await asCadre(SUBMIT, {
      input: {
        clientId: randomUUID(),
        householdId: String(household.id),
        occurredAt: new Date().toISOString(),
        kinds: ['VISIT'],
        summary: '借用照片',
        photoIds: [theirs.id],
      },
    });
    expect(errorOf(borrowed)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.photoIds' });

    const mine = await fetch(`${server.url}/photos/${stored.id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(mine.status).toBe(200);
    // What is served is what was stored: the re-encoded image, named by its own SHA-256.
    const served = Buffer.from(await mine.arrayBuffer());
    expect(createHash('sha256').update(served).digest('hex')).toBe(stored.id);
    expect(served.length).toBe(stored.sizeBytes);
    expect((await fetch(`${server.url}/photos/${stored.id}`, { headers: { authorization: `Bearer ${otherToken}` } })).status).toBe(404);
  });

  it('refuses a photo over the size limit', async () => {
    // The same signing secret as the main app's (each config otherwise draws its own), so that the cadre's token is accepted.
    const small = await startApp(orm, database, (config) => ({ ...config, auth: server.config.auth, photos: { ...config.photos, maxBytes: 10_000 } }));
    try {
      const form = new FormData();
      form.append('file', new Blob([Buffer.concat([JPEG, Buffer.alloc(20_000)])], { type: 'image/jpeg' }), 'big.jpg');
      const response = await fetch(`${small.url}/uploads/photos`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(413);
      expect(((await response.json()) as { error: { field: string } }).error.field).toBe('file');
    } finally {
      await small.close();
    }
  });
});
