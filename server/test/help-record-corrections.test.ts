import { randomUUID } from 'node:crypto';
import { DemandStatus } from '@wanjia/shared';
import type { DatabaseConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { Assignment } from '../src/modules/assignments/assignment.entity';
import { AuditEntry } from '../src/modules/audit/audit-entry.entity';
import type { Cadre } from '../src/modules/cadres/cadre.entity';
import { DemandEvent } from '../src/modules/demands/demand-event.entity';
import { Demand } from '../src/modules/demands/demand.entity';
import { HelpRecord } from '../src/modules/help-records/help-record.entity';
import { Household } from '../src/modules/households/household.entity';
import type { Region } from '../src/modules/regions/region.entity';
import type { Round } from '../src/modules/rounds/round.entity';
import type { UserAccount } from '../src/modules/accounts/user-account.entity';
import { DAY, errorOf } from './support/cadre-operations';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import {
  createAccount,
  createAssignment,
  createCadre,
  createDemand,
  createHousehold,
  createPhoto,
  createRegionTree,
  createRound,
  createUnit,
  tokenFor,
} from './support/factories';
import { startApp, type RunningApp } from './support/server';

const SUBMIT = 'mutation ($input: HelpRecordInput!) { submitHelpRecord(input: $input) { id demandsRaised { id } } }';
const VERSION_FIELDS = `id versionNumber supersedesId corrected correctable fundsFen materialsFen summary kinds photoIds latitude longitude occurredAt
  demandsRaised { id status } demandsResolved { id status }`;
const CORRECT = `mutation ($id: ID!, $input: HelpRecordCorrectionInput!) { correctHelpRecord(id: $id, input: $input) { ${VERSION_FIELDS} } }`;
const CONFIRM = 'mutation ($input: DemandConfirmationInput!) { confirmDemandResolved(input: $input) { id status } }';
const HISTORY = `query ($id: ID!) { household(id: $id) {
  openDemands { id }
  helpRecords(first: 5) { nodes { id corrected correctable earlierVersions { id versionNumber fundsFen corrected correctable } } }
} }`;

interface Version {
  id: string;
  versionNumber: number;
  supersedesId: string | null;
  corrected: boolean;
  correctable: boolean;
  fundsFen: number;
  materialsFen: number;
  summary: string;
  kinds: string[];
  photoIds: string[];
  latitude: number | null;
  longitude: number | null;
  occurredAt: string;
  demandsRaised: { id: string; status: string }[];
  demandsResolved: { id: string; status: string }[];
}

/**
 * Corrections (更正): the new version is the latest overlaid by what the correction gave, so an
 * omitted field, the photos and the resolved demands stay; the occasion's demands follow it; a
 * resolution is withdrawn only while the household has not answered; totals count the latest only.
 */
describe.each(databaseKinds())('help record corrections on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let round: Round;
  let community: Region;
  let cadre: Cadre;
  let account: UserAccount;
  let token: string;
  let otherToken: string;
  const statements: string[] = [];

  const as = <T>(query: string, variables: Record<string, unknown>, bearer = token) =>
    server.graphql<T>(query, variables, { authorization: `Bearer ${bearer}` });
  const correct = (id: string, input: Record<string, unknown>, bearer = token) =>
    as<{ correctHelpRecord: Version }>(CORRECT, { id, input: { clientId: randomUUID(), ...input } }, bearer);

  async function household(): Promise<Household> {
    const em = orm.em.fork();
    const made = await createHousehold(em, { region: community });
    await createAssignment(em, { cadre, household: made, round, startedAt: new Date(Date.now() - 60 * DAY) });
    return made;
  }

  async function submit(target: Household, input: Record<string, unknown> = {}): Promise<{ id: string; raised: string[] }> {
    const body = await as<{ submitHelpRecord: { id: string; demandsRaised: { id: string }[] } }>(SUBMIT, {
      input: {
        clientId: randomUUID(),
        householdId: String(target.id),
        occurredAt: new Date(Date.now() - 2 * DAY).toISOString(),
        kinds: ['VISIT', 'FUNDS'],
        summary: '送慰问金',
        fundsFen: 50_000,
        materialsFen: 8_000,
        ...input,
      },
    });
    expect(body.errors).toBeUndefined();
    return { id: body.data!.submitHelpRecord.id, raised: body.data!.submitHelpRecord.demandsRaised.map((demand) => demand.id) };
  }

  /** A household with two open demands (raised on a first visit) and a record of a second visit that resolved both. */
  async function occasionResolvingTwo(): Promise<{ target: Household; recordId: string; demandIds: [string, string] }> {
    const target = await household();
    const first = await submit(target, {
      occurredAt: new Date(Date.now() - 5 * DAY).toISOString(),
      demandsRaised: [
        { category: 'HOUSING', text: '房屋漏雨' },
        { category: 'MEDICAL', text: '慢病报销' },
      ],
    });
    const demandIds = first.raised as [string, string];
    const resolving = await submit(target, { resolvedDemandIds: demandIds });
    return { target, recordId: resolving.id, demandIds };
  }

  async function snapshot(): Promise<Record<string, number>> {
    const em = orm.em.fork();
    return {
      records: await em.count(HelpRecord),
      latest: await em.count(HelpRecord, { isLatest: true }),
      demands: await em.count(Demand),
      open: await em.count(Demand, { status: DemandStatus.OPEN }),
      events: await em.count(DemandEvent),
      audits: await em.count(AuditEntry, { operation: 'correctHelpRecord' }),
    };
  }

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'help_record_corrections', { onQuery: (sql) => statements.push(sql) }));
    const em = orm.em.fork();
    const regions = await createRegionTree(em);
    community = regions.dongxing;
    round = await createRound(em, { name: '更正轮次' });
    const unit = await createUnit(em, { region: regions.city });
    cadre = await createCadre(em, { unit, name: '刘建华' });
    const otherCadre = await createCadre(em, { unit, name: '陈志强' });
    server = await startApp(orm, database);
    account = await createAccount(em, { cadre });
    token = await tokenFor(account, server);
    otherToken = await tokenFor(await createAccount(em, { cadre: otherCadre }), server);
  });

  afterAll(async () => {
    await server?.close();
    await orm?.close(true);
    if (database) await dropScratchDatabase(database);
  });

  it('keeps every omitted field: the amounts, the kinds, the time and the location', async () => {
    const target = await household();
    const original = await submit(target, { latitude: 41.29, longitude: 123.76 });
    const corrected = await correct(original.id, { summary: '送慰问金（补记：另送米面）' });
    expect(corrected.errors).toBeUndefined();
    const version = corrected.data!.correctHelpRecord;
    // The old input defaulted fundsFen (and the others) to 0: an omitted amount wiped what was recorded.
    expect(version).toMatchObject({ versionNumber: 2, supersedesId: original.id, fundsFen: 50_000, materialsFen: 8_000, kinds: ['VISIT', 'FUNDS'] });
    expect(version).toMatchObject({ summary: '送慰问金（补记：另送米面）', latitude: 41.29, longitude: 123.76, corrected: true, correctable: true });

    // null clears the location (both together); one coordinate alone is refused, naming the missing one.
    expect(errorOf(await correct(version.id, { latitude: 41.3 }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.longitude' });
    expect(errorOf(await correct(version.id, { kinds: null }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.kinds' });
    const cleared = await correct(version.id, { latitude: null, longitude: null });
    expect(cleared.data!.correctHelpRecord).toMatchObject({ latitude: null, longitude: null, fundsFen: 50_000, versionNumber: 3 });
    // The history: one occasion, its earlier versions newest first; only the latest may be corrected.
    const history = await as<{
      household: {
        helpRecords: { nodes: { id: string; corrected: boolean; correctable: boolean; earlierVersions: { id: string; versionNumber: number }[] }[] };
      };
    }>(HISTORY, { id: String(target.id) });
    const [latest] = history.data!.household.helpRecords.nodes;
    expect(latest).toMatchObject({ id: cleared.data!.correctHelpRecord.id, corrected: true, correctable: true });
    expect(latest!.earlierVersions.map((earlier) => [earlier.id, earlier.versionNumber])).toEqual([
      [version.id, 2],
      [original.id, 1],
    ]);
  });

  it('keeps the photos unless photoIds is given; [] removes them', async () => {
    const em = orm.em.fork();
    const photo = await createPhoto(em, { uploadedBy: account });
    const target = await household();
    const original = await submit(target, { photoIds: [photo.id] });
    const kept = await correct(original.id, { fundsFen: 60_000 });
    expect(kept.data!.correctHelpRecord).toMatchObject({ photoIds: [photo.id], fundsFen: 60_000 });
    const removed = await correct(kept.data!.correctHelpRecord.id, { photoIds: [] });
    expect(removed.data!.correctHelpRecord).toMatchObject({ photoIds: [], fundsFen: 60_000 });
    // A photo someone else uploaded is refused as on a submission.
    const theirs = await createPhoto(em);
    expect(errorOf(await correct(removed.data!.correctHelpRecord.id, { photoIds: [theirs.id] }))).toMatchObject({ field: 'input.photoIds' });
  });

  it('keeps 已解决 without resolvedDemandIds: the demands follow the occasion to its latest version', async () => {
    const { target, recordId, demandIds } = await occasionResolvingTwo();
    const raisedOn = await submit(target, { demandsRaised: [{ category: 'EMPLOYMENT', text: '想找保洁工作' }] });
    const corrected = await correct(recordId, { summary: '两件诉求已办结' });
    const version = corrected.data!.correctHelpRecord;
    expect(version.demandsResolved.map((demand) => [demand.id, demand.status]).sort()).toEqual(demandIds.map((id) => [id, 'RESOLVED']).sort());
    for (const id of demandIds) {
      const demand = await orm.em.fork().findOneOrFail(Demand, Number(id));
      expect([demand.status, demand.resolvedBy?.id]).toEqual([DemandStatus.RESOLVED, Number(version.id)]);
    }
    // The raised ones follow too; the earlier version keeps its own content and lists none.
    const raisedCorrected = await correct(raisedOn.id, { materialsFen: 0 });
    expect(raisedCorrected.data!.correctHelpRecord.demandsRaised.map((demand) => demand.id)).toEqual(raisedOn.raised);
    const history = await as<{
      household: { helpRecords: { nodes: { id: string; earlierVersions: { id: string; fundsFen: number; corrected: boolean; correctable: boolean }[] }[] } };
    }>(HISTORY, { id: String(target.id) });
    const latest = history.data!.household.helpRecords.nodes.find((node) => node.id === version.id)!;
    expect(latest.earlierVersions).toEqual([{ id: recordId, versionNumber: 1, fundsFen: 50_000, corrected: false, correctable: false }]);
  });

  it('reopens a demand left out of resolvedDemandIds, with a RESOLUTION_WITHDRAWN step, and resolves a newly named open one', async () => {
    const { target, recordId, demandIds } = await occasionResolvingTwo();
    const [kept, withdrawn] = demandIds;
    // Raised on a visit before the resolving one: a correction cannot resolve a demand raised after its occasion.
    const later = await submit(target, {
      occurredAt: new Date(Date.now() - 3 * DAY).toISOString(),
      demandsRaised: [{ category: 'LEGAL', text: '工伤赔偿咨询' }],
    });
    const added = later.raised[0]!;
    const before = await snapshot();
    const corrected = await correct(recordId, { resolvedDemandIds: [kept, added] });
    expect(corrected.errors).toBeUndefined();
    const version = corrected.data!.correctHelpRecord;
    expect(version.demandsResolved.map((demand) => demand.id).sort()).toEqual([kept, added].sort());
    const reopened = await orm.em.fork().findOneOrFail(Demand, Number(withdrawn));
    expect([reopened.status, reopened.resolvedBy, reopened.resolvedAt]).toEqual([DemandStatus.OPEN, null, null]);
    const events = await orm.em.fork().find(DemandEvent, { demand: { $in: [Number(withdrawn), Number(added)] } }, { orderBy: { id: 'asc' } });
    expect(events.map((event) => [event.demand.id, event.kind, event.helpRecord?.id])).toEqual([
      [Number(withdrawn), 'RAISED', expect.any(Number)],
      [Number(withdrawn), 'RESOLVED', Number(recordId)],
      [Number(added), 'RAISED', Number(later.id)],
      [Number(added), 'RESOLVED', Number(version.id)],
      [Number(withdrawn), 'RESOLUTION_WITHDRAWN', Number(version.id)],
    ]);
    const history = await as<{ household: { openDemands: { id: string }[] } }>(HISTORY, { id: String(target.id) });
    expect(history.data!.household.openDemands.map((demand) => demand.id)).toContain(withdrawn);
    expect(await snapshot()).toMatchObject({ records: before.records + 1, latest: before.latest, events: before.events + 2, audits: before.audits + 1 });
    const [audit] = await orm.em.fork().find(AuditEntry, { operation: 'correctHelpRecord', entityId: version.id });
    expect(JSON.parse(audit!.changes!)).toMatchObject({
      supersedes: Number(recordId),
      demandsResolved: [Number(added)],
      resolutionsWithdrawn: [Number(withdrawn)],
    });

    // A demand that is not open (another household's, or already resolved elsewhere) is refused.
    expect(errorOf(await correct(version.id, { resolvedDemandIds: [kept, added, '99999999'] }))).toMatchObject({ field: 'input.resolvedDemandIds' });
    expect(errorOf(await correct(version.id, { resolvedDemandIds: ['abc'] }))).toMatchObject({ field: 'input.resolvedDemandIds.0' });
  });

  it('cannot withdraw a resolution the household confirmed; nothing is written', async () => {
    const { recordId, demandIds } = await occasionResolvingTwo();
    const confirmed = await as(CONFIRM, { input: { demandId: demandIds[0], clientId: randomUUID(), satisfaction: 'SATISFIED' } });
    expect(confirmed.errors).toBeUndefined();
    const before = await snapshot();
    const refused = await correct(recordId, { resolvedDemandIds: [demandIds[1]], fundsFen: 1 });
    expect(errorOf(refused)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.resolvedDemandIds' });
    expect(await snapshot()).toEqual(before);
    expect((await orm.em.fork().findOneOrFail(HelpRecord, Number(recordId))).isLatest).toBe(true);
    // Kept in the list, the confirmed demand stays with the occasion.
    const kept = await correct(recordId, { resolvedDemandIds: [demandIds[0]] });
    expect(kept.data!.correctHelpRecord.demandsResolved).toEqual([{ id: demandIds[0], status: 'CONFIRMED' }]);
  });

  it("lets a withdrawal and the household's answer sent at once end one way: never both, never an internal error", async () => {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const { recordId, demandIds } = await occasionResolvingTwo();
      const [answer, withdrawal] = await Promise.all([
        as(CONFIRM, { input: { demandId: demandIds[0], clientId: randomUUID(), satisfaction: 'SATISFIED' } }),
        correct(recordId, { resolvedDemandIds: [demandIds[1]] }),
      ]);
      const codes = [errorOf(answer)?.code ?? 'OK', errorOf(withdrawal)?.code ?? 'OK'];
      const demand = await orm.em.fork().findOneOrFail(Demand, Number(demandIds[0]));
      if (codes[0] === 'OK') {
        // The answer won: the resolution it confirmed stays; the correction was refused whole.
        expect(codes[1]).toMatch(/^(BAD_USER_INPUT|CONFLICT)$/);
        expect(demand.status).toBe(DemandStatus.CONFIRMED);
        expect((await orm.em.fork().findOneOrFail(HelpRecord, Number(recordId))).isLatest).toBe(true);
      } else {
        // The withdrawal won: nothing was left to answer.
        expect(codes).toEqual(['CONFLICT', 'OK']);
        expect(demand.status).toBe(DemandStatus.OPEN);
      }
    }
  });

  it('after a transfer, inside the late-record grace, corrects the content but no resolutions; past it, the record is not correctable', async () => {
    const { target, recordId, demandIds } = await occasionResolvingTwo();
    const endAssignment = (daysAgo: number) =>
      orm.em
        .fork()
        .nativeUpdate(Assignment, { household: target.id, cadre: cadre.id }, { endedAt: new Date(Date.now() - daysAgo * DAY), endReason: '工作调整' });
    await endAssignment(1);
    expect(errorOf(await correct(recordId, { resolvedDemandIds: [demandIds[0]] }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.resolvedDemandIds' });
    const input = { clientId: randomUUID(), summary: '调走前的走访（补记）' };
    const corrected = await correct(recordId, input);
    expect(corrected.errors).toBeUndefined();
    expect(corrected.data!.correctHelpRecord).toMatchObject({ versionNumber: 2, correctable: true });
    for (const id of demandIds)
      expect((await orm.em.fork().findOneOrFail(Demand, Number(id))).resolvedBy?.id).toBe(Number(corrected.data!.correctHelpRecord.id));

    // Past the grace the resend still answers with the cadre's own record, which is no longer correctable.
    await endAssignment(server.config.helpRecordLateGraceDays + 1.5);
    const resent = await correct(recordId, input);
    expect(resent.data!.correctHelpRecord).toMatchObject({ id: corrected.data!.correctHelpRecord.id, correctable: false });
  });

  it('adds the demands a correction raises', async () => {
    const target = await household();
    const original = await submit(target);
    const corrected = await correct(original.id, { demandsRaised: [{ category: 'EDUCATION', text: '孩子上学交通不便' }] });
    const version = corrected.data!.correctHelpRecord;
    expect(version.demandsRaised).toEqual([{ id: expect.any(String), status: 'OPEN' }]);
    const [raised] = await orm.em.fork().find(DemandEvent, { demand: Number(version.demandsRaised[0]!.id) });
    expect([raised!.kind, raised!.helpRecord?.id]).toEqual(['RAISED', Number(version.id)]);
  });

  it('counts only the latest version in the monthly totals', async () => {
    const totals = async () => {
      const [row] = await orm.em
        .fork()
        .getConnection()
        .execute<{ records: number | string; funds: number | string }[]>(
          'select sum(records) as records, sum(funds_fen) as funds from help_record_monthly where round_id = ?',
          [round.id],
        );
      return { records: Number(row!.records ?? 0), funds: Number(row!.funds ?? 0) };
    };
    const target = await household();
    const before = await totals();
    const original = await submit(target, { fundsFen: 20_000 });
    const first = await correct(original.id, { fundsFen: 25_000 });
    await correct(first.data!.correctHelpRecord.id, { summary: '只改说明' });
    expect(await totals()).toEqual({ records: before.records + 1, funds: before.funds + 25_000 });
    const [row] = await orm.em
      .fork()
      .getConnection()
      .execute<{ funds: number | string }[]>('select sum(funds_fen) as funds from help_record where is_latest = 1 and round_id = ?', [round.id]);
    expect(Number(row!.funds)).toBe((await totals()).funds);
  });

  it('makes one version of a resent correction; the same clientId with other content is refused', async () => {
    const target = await household();
    const original = await submit(target);
    const input = { clientId: randomUUID(), fundsFen: 70_000 };
    const copies = await Promise.all([correct(original.id, input), correct(original.id, input)]);
    expect(copies.map((copy) => copy.errors)).toEqual([undefined, undefined]);
    expect(copies[0]!.data!.correctHelpRecord.id).toBe(copies[1]!.data!.correctHelpRecord.id);
    expect(await orm.em.fork().count(HelpRecord, { household: target.id })).toBe(2);
    // Omitted and given-with-the-same-value are different corrections: the content hash covers what was carried.
    expect(errorOf(await correct(original.id, { ...input, materialsFen: 8_000 }))).toMatchObject({ code: 'CONFLICT', field: 'input.clientId' });
    // A new correction of the superseded version is refused; the latest is the one to correct.
    expect(errorOf(await correct(original.id, { fundsFen: 1 }))).toMatchObject({ code: 'CONFLICT' });
  });

  it('reads the history of many corrected occasions, their demands and timelines in as many statements as of one', async () => {
    const HISTORY_DEEP = `query ($id: ID!) { household(id: $id) {
      demandsAwaitingConfirmation { id events { kind } }
      helpRecords(first: 5) { nodes { id correctable earlierVersions { id } demandsResolved { id events { kind at } } } }
    } }`;
    const statementsFor = async (occasions: number) => {
      const target = await household();
      for (let index = 0; index < occasions; index += 1) {
        const em = orm.em.fork();
        const demand = await createDemand(em, {
          household: em.getReference(Household, target.id),
          text: `第${index}件诉求`,
          raisedAt: new Date(Date.now() - 9 * DAY),
        });
        const resolving = await submit(target, { resolvedDemandIds: [String(demand.id)] });
        const once = await correct(resolving.id, { fundsFen: 1_000 + index });
        await correct(once.data!.correctHelpRecord.id, { fundsFen: 2_000 + index });
      }
      statements.length = 0;
      const read = await as<{ household: { helpRecords: { nodes: { earlierVersions: unknown[] }[] } } }>(HISTORY_DEEP, { id: String(target.id) });
      expect(read.errors).toBeUndefined();
      const corrected = read.data!.household.helpRecords.nodes.filter((node) => node.earlierVersions.length === 2);
      expect(corrected.length).toBe(Math.min(occasions, 5));
      return statements.filter((sql) => /\bselect\b/i.test(sql)).length;
    };
    const one = await statementsFor(1);
    expect(one).toBeGreaterThan(3);
    expect(await statementsFor(5)).toBe(one);
  });

  it("refuses another cadre's record (FORBIDDEN) and writes nothing", async () => {
    const { recordId } = await occasionResolvingTwo();
    const before = await snapshot();
    expect(errorOf(await correct(recordId, { fundsFen: 1, resolvedDemandIds: [] }, otherToken))).toEqual({ code: 'FORBIDDEN' });
    expect(await snapshot()).toEqual(before);
    const history = await as<{ household: { helpRecords: { nodes: { id: string; correctable: boolean }[] } } }>(HISTORY, {
      id: String((await orm.em.fork().findOneOrFail(HelpRecord, Number(recordId))).household.id),
    });
    expect(history.data!.household.helpRecords.nodes.find((node) => node.id === recordId)!.correctable).toBe(true);
  });

  it('lists earlier versions on the latest version only, so the history cannot be nested into itself', async () => {
    const target = await household();
    let latest = (await submit(target)).id;
    for (let version = 2; version <= 4; version += 1) latest = (await correct(latest, { summary: `第 ${version} 版` })).data!.correctHelpRecord.id;
    // Each earlier version listed the others again: 45 versions nested five deep answered 1.2 million objects.
    const nested = await as<{ household: { helpRecords: { nodes: { earlierVersions: { versionNumber: number; earlierVersions: { id: string }[] }[] }[] } } }>(
      `query ($id: ID!) { household(id: $id) { helpRecords(first: 1) { nodes { earlierVersions { versionNumber earlierVersions { id earlierVersions { id } } } } } } }`,
      { id: String(target.id) },
    );
    expect(nested.errors).toBeUndefined();
    const [occasion] = nested.data!.household.helpRecords.nodes;
    expect(occasion!.earlierVersions.map((earlier) => [earlier.versionNumber, earlier.earlierVersions.length])).toEqual([
      [3, 0],
      [2, 0],
      [1, 0],
    ]);
  });

  it('cannot resolve again, by an earlier visit, a demand the household reopened, nor resolve a demand before it was raised', async () => {
    const { target, recordId, demandIds } = await occasionResolvingTwo();
    const reopened = await as(CONFIRM, { input: { demandId: demandIds[0], clientId: randomUUID(), satisfaction: 'DISSATISFIED', note: '水管还是漏' } });
    expect(reopened.errors).toBeUndefined();
    const before = await snapshot();
    // The very record the household just rejected, corrected to claim the demand again: refused.
    expect(errorOf(await correct(recordId, { resolvedDemandIds: demandIds }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.resolvedDemandIds' });
    // A visit dated before the 不满意 (a late record) cannot resolve it either; one after it can.
    const early = await as(SUBMIT, {
      input: {
        clientId: randomUUID(),
        householdId: String(target.id),
        occurredAt: new Date(Date.now() - DAY).toISOString(),
        kinds: ['VISIT'],
        summary: '回访',
        resolvedDemandIds: [demandIds[0]],
      },
    });
    expect(errorOf(early)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.resolvedDemandIds' });
    expect(await snapshot()).toEqual(before);
    const later = await as(SUBMIT, {
      input: {
        clientId: randomUUID(),
        householdId: String(target.id),
        occurredAt: new Date().toISOString(),
        kinds: ['VISIT'],
        summary: '换了新水管',
        resolvedDemandIds: [demandIds[0]],
      },
    });
    expect(later.errors).toBeUndefined();
    // Nor can that later record be re-dated to before the household's 不满意.
    const laterId = (later.data as { submitHelpRecord: { id: string } }).submitHelpRecord.id;
    expect(errorOf(await correct(laterId, { occurredAt: new Date(Date.now() - DAY).toISOString() }))).toMatchObject({ field: 'input.occurredAt' });

    // A demand raised today cannot be resolved by a visit of two days ago, by a submission or a correction.
    const fresh = await submit(target, { occurredAt: new Date().toISOString(), demandsRaised: [{ category: 'OTHER', text: '新的诉求' }] });
    const older = await submit(target, { occurredAt: new Date(Date.now() - 3 * DAY).toISOString() });
    const refusedSubmit = await as(SUBMIT, {
      input: {
        clientId: randomUUID(),
        householdId: String(target.id),
        occurredAt: new Date(Date.now() - 3 * DAY).toISOString(),
        kinds: ['VISIT'],
        summary: '补记',
        resolvedDemandIds: fresh.raised,
      },
    });
    expect(errorOf(refusedSubmit)).toMatchObject({ field: 'input.resolvedDemandIds' });
    expect(errorOf(await correct(older.id, { resolvedDemandIds: fresh.raised }))).toMatchObject({ field: 'input.resolvedDemandIds' });
    // Nor can a correction move an occasion before a demand it resolves was raised.
    const resolving = await submit(target, { occurredAt: new Date().toISOString(), resolvedDemandIds: fresh.raised });
    expect(errorOf(await correct(resolving.id, { occurredAt: new Date(Date.now() - 3 * DAY).toISOString() }))).toMatchObject({ field: 'input.occurredAt' });
  });

  it('refuses a blank summary or demand text (spaces alone were stored as empty text)', async () => {
    const target = await household();
    const original = await submit(target);
    const before = await snapshot();
    expect(errorOf(await correct(original.id, { summary: '    ' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.summary' });
    expect(errorOf(await correct(original.id, { demandsRaised: [{ category: 'OTHER', text: '   ' }] }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.demandsRaised.0.text',
    });
    expect(await snapshot()).toEqual(before);
  });
});
