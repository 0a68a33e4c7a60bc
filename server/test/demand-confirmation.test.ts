import { randomUUID } from 'node:crypto';
import { DemandStatus, Role, Satisfaction } from '@wanjia/shared';
import type { DatabaseConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { Assignment } from '../src/modules/assignments/assignment.entity';
import { AuditEntry } from '../src/modules/audit/audit-entry.entity';
import type { Cadre } from '../src/modules/cadres/cadre.entity';
import { DemandEvent } from '../src/modules/demands/demand-event.entity';
import { createDemandLoaders } from '../src/modules/demands/demand.loaders';
import { Demand } from '../src/modules/demands/demand.entity';
import type { Household } from '../src/modules/households/household.entity';
import type { Round } from '../src/modules/rounds/round.entity';
import { DAY, errorOf } from './support/cadre-operations';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import {
  createAccount,
  createAssignment,
  createCadre,
  createHousehold,
  createRegionTree,
  createRound,
  createUnit,
  tokenFor,
  type RegionTree,
} from './support/factories';
import { startApp, type RunningApp } from './support/server';

const SUBMIT = 'mutation ($input: HelpRecordInput!) { submitHelpRecord(input: $input) { id demandsRaised { id } } }';
const CONFIRM = `mutation ($input: DemandConfirmationInput!) {
  confirmDemandResolved(input: $input) {
    id status satisfaction confirmationNote reopenCount confirmedAt resolvedById resolvedAt
    events { kind helpRecordId satisfaction note at }
  }
}`;
const FILE = `query ($id: ID!) {
  household(id: $id) {
    openDemands { id }
    demandsAwaitingConfirmation { id status }
  }
}`;

interface ConfirmedDemand {
  id: string;
  status: DemandStatus;
  satisfaction: Satisfaction | null;
  confirmationNote: string | null;
  reopenCount: number;
  confirmedAt: string | null;
  resolvedById: string | null;
  resolvedAt: string | null;
  events: { kind: string; helpRecordId: string | null; satisfaction: string | null; note: string | null; at: string }[];
}

/**
 * The household's answer to a resolution (回访): confirmed (满意 / 基本满意) or reopened (不满意, with
 * a note), exactly once per clientId, by the household's current cadre only, one winner when two
 * answers race; every write with its timeline step and audit entry in one transaction.
 */
describe.each(databaseKinds())("the household's confirmation on %s", (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let round: Round;
  let regions: RegionTree;
  let cadre: Cadre;
  let token: string;
  let otherToken: string;

  const as = <T>(query: string, variables: Record<string, unknown>, bearer = token) =>
    server.graphql<T>(query, variables, { authorization: `Bearer ${bearer}` });
  const confirm = (input: Record<string, unknown>, bearer = token) => as<{ confirmDemandResolved: ConfirmedDemand }>(CONFIRM, { input }, bearer);

  /** A household of the cadre with a demand raised on one visit and resolved on the next, both through the API. */
  async function resolvedDemand(): Promise<{ household: Household; demandId: string; raisedIn: string; resolvedBy: string }> {
    const em = orm.em.fork();
    const household = await createHousehold(em, { region: regions.dongxing });
    await createAssignment(em, { cadre, household, round, startedAt: new Date(Date.now() - 60 * DAY) });
    const visit = (input: Record<string, unknown>) =>
      as<{ submitHelpRecord: { id: string; demandsRaised: { id: string }[] } }>(SUBMIT, {
        input: { clientId: randomUUID(), householdId: String(household.id), kinds: ['VISIT'], summary: '入户走访', ...input },
      });
    const first = await visit({ occurredAt: new Date(Date.now() - 3 * DAY).toISOString(), demandsRaised: [{ category: 'HOUSING', text: '房屋漏雨' }] });
    const demandId = first.data!.submitHelpRecord.demandsRaised[0]!.id;
    const second = await visit({ occurredAt: new Date(Date.now() - DAY).toISOString(), resolvedDemandIds: [demandId] });
    expect(second.errors).toBeUndefined();
    return { household, demandId, raisedIn: first.data!.submitHelpRecord.id, resolvedBy: second.data!.submitHelpRecord.id };
  }

  async function written(demandId: string): Promise<{ events: number; audits: number }> {
    const em = orm.em.fork();
    return {
      events: await em.count(DemandEvent, { demand: Number(demandId) }),
      audits: await em.count(AuditEntry, { entityName: 'Demand', entityId: demandId }),
    };
  }

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'demand_confirmation'));
    const em = orm.em.fork();
    regions = await createRegionTree(em);
    round = await createRound(em, { name: '回访轮次' });
    const unit = await createUnit(em, { region: regions.city });
    cadre = await createCadre(em, { unit, name: '刘建华' });
    const otherCadre = await createCadre(em, { unit, name: '陈志强' });
    server = await startApp(orm, database);
    token = await tokenFor(await createAccount(em, { cadre }), server);
    otherToken = await tokenFor(await createAccount(em, { cadre: otherCadre }), server);
  });

  afterAll(async () => {
    await server?.close();
    await orm?.close(true);
    if (database) await dropScratchDatabase(database);
  });

  it('SATISFIED confirms the demand, keeps the answer on it and closes its timeline', async () => {
    const { household, demandId, raisedIn, resolvedBy } = await resolvedDemand();
    const awaiting = await as<{ household: { demandsAwaitingConfirmation: { id: string; status: string }[] } }>(FILE, { id: String(household.id) });
    expect(awaiting.data!.household.demandsAwaitingConfirmation).toEqual([{ id: demandId, status: 'RESOLVED' }]);

    const answered = await confirm({ demandId, clientId: randomUUID(), satisfaction: 'SATISFIED', note: '  屋顶已修好  ' });
    expect(answered.errors).toBeUndefined();
    const demand = answered.data!.confirmDemandResolved;
    expect(demand).toMatchObject({ status: 'CONFIRMED', satisfaction: 'SATISFIED', confirmationNote: '屋顶已修好', reopenCount: 0, resolvedById: resolvedBy });
    expect(demand.confirmedAt).toBeTruthy();
    expect(demand.events.map((event) => [event.kind, event.helpRecordId, event.satisfaction])).toEqual([
      ['RAISED', raisedIn, null],
      ['RESOLVED', resolvedBy, null],
      ['CONFIRMED', resolvedBy, 'SATISFIED'],
    ]);
    const after = await as<{ household: { demandsAwaitingConfirmation: unknown[] } }>(FILE, { id: String(household.id) });
    expect(after.data!.household.demandsAwaitingConfirmation).toEqual([]);

    const [audit] = await orm.em.fork().find(AuditEntry, { entityName: 'Demand', entityId: demandId, operation: 'confirmDemandResolved' });
    expect(JSON.parse(audit!.changes!)).toMatchObject({ status: ['RESOLVED', 'CONFIRMED'], satisfaction: [null, 'SATISFIED'] });
  });

  it('BASICALLY_SATISFIED confirms too, and a note is optional', async () => {
    const { demandId } = await resolvedDemand();
    const answered = await confirm({ demandId, clientId: randomUUID(), satisfaction: 'BASICALLY_SATISFIED' });
    expect(answered.data!.confirmDemandResolved).toMatchObject({ status: 'CONFIRMED', satisfaction: 'BASICALLY_SATISFIED', confirmationNote: null });
  });

  it('refuses DISSATISFIED without a note, naming input.note, and writes nothing', async () => {
    const { demandId } = await resolvedDemand();
    const before = await written(demandId);
    for (const note of [undefined, null, '', '   ']) {
      const answered = await confirm({ demandId, clientId: randomUUID(), satisfaction: 'DISSATISFIED', ...(note === undefined ? {} : { note }) });
      expect(errorOf(answered)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.note' });
    }
    expect(await written(demandId)).toEqual(before);
    expect((await orm.em.fork().findOneOrFail(Demand, Number(demandId))).status).toBe(DemandStatus.RESOLVED);
  });

  it('DISSATISFIED reopens the demand: open again, the resolution cleared from the row and kept in the timeline', async () => {
    const { household, demandId, resolvedBy } = await resolvedDemand();
    const before = await written(demandId);
    const answered = await confirm({ demandId, clientId: randomUUID(), satisfaction: 'DISSATISFIED', note: '雨天仍然漏水' });
    expect(answered.errors).toBeUndefined();
    expect(answered.data!.confirmDemandResolved).toMatchObject({
      status: 'OPEN',
      satisfaction: 'DISSATISFIED',
      confirmationNote: '雨天仍然漏水',
      reopenCount: 1,
      resolvedById: null,
      resolvedAt: null,
      confirmedAt: null,
    });
    const steps = answered.data!.confirmDemandResolved.events.slice(-2);
    expect(steps.map((event) => [event.kind, event.helpRecordId, event.satisfaction, event.note])).toEqual([
      ['RESOLVED', resolvedBy, null, null],
      ['REOPENED', resolvedBy, 'DISSATISFIED', '雨天仍然漏水'],
    ]);
    const file = await as<{ household: { openDemands: { id: string }[]; demandsAwaitingConfirmation: unknown[] } }>(FILE, { id: String(household.id) });
    expect(file.data!.household.openDemands.map((demand) => demand.id)).toContain(demandId);
    expect(file.data!.household.demandsAwaitingConfirmation).toEqual([]);
    expect(await written(demandId)).toEqual({ events: before.events + 1, audits: before.audits + 1 });
    const [audit] = await orm.em.fork().find(AuditEntry, { entityName: 'Demand', entityId: demandId, operation: 'confirmDemandResolved' });
    expect(JSON.parse(audit!.changes!)).toMatchObject({ status: ['RESOLVED', 'OPEN'], satisfaction: [null, 'DISSATISFIED'], reopenCount: [0, 1] });

    // Resolved again on a later visit, the household can answer again; the count keeps the history.
    const again = await as<{ submitHelpRecord: { id: string } }>(SUBMIT, {
      input: {
        clientId: randomUUID(),
        householdId: String(household.id),
        occurredAt: new Date().toISOString(),
        kinds: ['VISIT'],
        summary: '重新维修',
        resolvedDemandIds: [demandId],
      },
    });
    expect(again.errors).toBeUndefined();
    const confirmed = await confirm({ demandId, clientId: randomUUID(), satisfaction: 'SATISFIED' });
    expect(confirmed.data!.confirmDemandResolved).toMatchObject({ status: 'CONFIRMED', reopenCount: 1, satisfaction: 'SATISFIED', confirmationNote: null });
    expect(confirmed.data!.confirmDemandResolved.events.map((event) => event.kind)).toEqual(['RAISED', 'RESOLVED', 'REOPENED', 'RESOLVED', 'CONFIRMED']);
  });

  it('answers a resend by clientId with the same outcome: one step, an audit entry of the resend', async () => {
    const { demandId } = await resolvedDemand();
    const input = { demandId, clientId: randomUUID(), satisfaction: 'DISSATISFIED', note: '补助还没到账' };
    const first = await confirm(input);
    const before = await written(demandId);
    const resent = await confirm(input);
    expect(resent.errors).toBeUndefined();
    expect(resent.data!.confirmDemandResolved).toEqual(first.data!.confirmDemandResolved);
    const em = orm.em.fork();
    expect(await em.count(DemandEvent, { demand: Number(demandId), kind: { $in: ['REOPENED', 'CONFIRMED'] as DemandEvent['kind'][] } })).toBe(1);
    expect(await written(demandId)).toEqual({ events: before.events, audits: before.audits + 1 });
    expect(await em.count(AuditEntry, { entityName: 'Demand', entityId: demandId, operation: 'resendDemandConfirmation' })).toBe(1);
    expect((await em.findOneOrFail(Demand, Number(demandId))).reopenCount).toBe(1);

    // The same clientId with another answer is a client bug, not a resend.
    expect(errorOf(await confirm({ ...input, satisfaction: 'SATISFIED', note: null }))).toMatchObject({ code: 'CONFLICT', field: 'input.clientId' });
  });

  it('refuses a cadre the household is not assigned to (FORBIDDEN) and writes nothing', async () => {
    const { household, demandId } = await resolvedDemand();
    const before = await written(demandId);
    expect(errorOf(await confirm({ demandId, clientId: randomUUID(), satisfaction: 'SATISFIED' }, otherToken))).toMatchObject({ code: 'FORBIDDEN' });
    // A demand that does not exist answers the same.
    expect(errorOf(await confirm({ demandId: '99999999', clientId: randomUUID(), satisfaction: 'SATISFIED' }))).toMatchObject({ code: 'FORBIDDEN' });

    // Transferred away: the cadre no longer records the household's answers.
    const em = orm.em.fork();
    await em.nativeUpdate(Assignment, { household: household.id, endedAt: null }, { endedAt: new Date(), endReason: '调整' });
    expect(errorOf(await confirm({ demandId, clientId: randomUUID(), satisfaction: 'SATISFIED' }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await written(demandId)).toEqual(before);
  });

  it('answers CONFLICT naming the status for a demand that awaits no answer', async () => {
    const { demandId } = await resolvedDemand();
    await confirm({ demandId, clientId: randomUUID(), satisfaction: 'SATISFIED' });
    const before = await written(demandId);
    const again = await confirm({ demandId, clientId: randomUUID(), satisfaction: 'DISSATISFIED', note: '又坏了' });
    expect(errorOf(again)).toMatchObject({ code: 'CONFLICT' });
    expect(again.errors![0]!.message).toContain('CONFIRMED');
    expect(await written(demandId)).toEqual(before);
  });

  it('checks answeredAt: not in the future, not before the resolution', async () => {
    const { demandId } = await resolvedDemand();
    const before = await written(demandId);
    for (const answeredAt of [new Date(Date.now() + DAY), new Date(Date.now() - 2 * DAY)]) {
      const answered = await confirm({ demandId, clientId: randomUUID(), satisfaction: 'SATISFIED', answeredAt: answeredAt.toISOString() });
      expect(errorOf(answered)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.answeredAt' });
    }
    expect(await written(demandId)).toEqual(before);
    const visitedAt = new Date(Date.now() - DAY / 2);
    const answered = await confirm({ demandId, clientId: randomUUID(), satisfaction: 'SATISFIED', answeredAt: visitedAt.toISOString() });
    // The visit's time, not the request's: the phone may send the answer days later.
    expect(new Date(answered.data!.confirmDemandResolved.confirmedAt!).getTime()).toBe(visitedAt.getTime());
  });

  it('lets one of two answers sent at once win; the other gets CONFLICT and writes nothing', async () => {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const { demandId } = await resolvedDemand();
      const before = await written(demandId);
      const outcomes = await Promise.all([
        confirm({ demandId, clientId: randomUUID(), satisfaction: 'SATISFIED' }),
        confirm({ demandId, clientId: randomUUID(), satisfaction: 'DISSATISFIED', note: '另一部手机' }),
        confirm({ demandId, clientId: randomUUID(), satisfaction: 'BASICALLY_SATISFIED' }),
      ]);
      const winners = outcomes.filter((outcome) => !outcome.errors);
      expect(winners).toHaveLength(1);
      for (const loser of outcomes.filter((outcome) => outcome.errors)) expect(errorOf(loser)).toMatchObject({ code: 'CONFLICT' });
      expect(await written(demandId)).toEqual({ events: before.events + 1, audits: before.audits + 1 });
      const demand = await orm.em.fork().findOneOrFail(Demand, Number(demandId));
      expect(demand.satisfaction).toBe(winners[0]!.data!.confirmDemandResolved.satisfaction);
      expect(demand.reopenCount).toBe(demand.satisfaction === Satisfaction.DISSATISFIED ? 1 : 0);
    }
  });

  it('shows the timeline to staff of the region and scopes the timeline loader like the demands', async () => {
    const { household, demandId } = await resolvedDemand();
    await confirm({ demandId, clientId: randomUUID(), satisfaction: 'BASICALLY_SATISFIED' });
    const em = orm.em.fork();
    const districtAdmin = await createAccount(em, { role: Role.ADMIN, scopeRegion: regions.pingshan });
    const otherDistrict = await createAccount(em, { role: Role.ADMIN, scopeRegion: regions.xihu });
    const read = await as<{ demands: { nodes: { id: string; satisfaction: string; events: { kind: string }[] }[] } }>(
      'query ($h: ID!) { demands(filter: { householdId: $h }) { nodes { id satisfaction events { kind } } } }',
      { h: String(household.id) },
      await tokenFor(districtAdmin, server),
    );
    expect(read.data!.demands.nodes).toEqual([
      { id: demandId, satisfaction: 'BASICALLY_SATISFIED', events: [{ kind: 'RAISED' }, { kind: 'RESOLVED' }, { kind: 'CONFIRMED' }] },
    ]);

    const actorOf = (account: typeof districtAdmin) => ({
      accountId: account.id,
      role: account.role,
      scopeRegionId: account.scopeRegion?.id ?? null,
      scopePath: account.scopeRegion?.path ?? null,
      cadreId: account.cadre?.id ?? null,
    });
    const steps = (actor: ReturnType<typeof actorOf> | null) => createDemandLoaders(orm.em.fork(), actor).demandEventsByDemand.load(Number(demandId));
    expect((await steps(actorOf(districtAdmin))).map((event) => event.kind)).toEqual(['RAISED', 'RESOLVED', 'CONFIRMED']);
    expect(await steps(actorOf(otherDistrict))).toEqual([]);
    expect(await steps(null)).toEqual([]);
  });

  it('the same answer sent from two requests at once is stored once', async () => {
    const { demandId } = await resolvedDemand();
    const input = { demandId, clientId: randomUUID(), satisfaction: 'SATISFIED' };
    const outcomes = await Promise.all([confirm(input), confirm(input), confirm(input)]);
    for (const outcome of outcomes) expect(outcome.errors).toBeUndefined();
    expect(await orm.em.fork().count(DemandEvent, { demand: Number(demandId), kind: 'CONFIRMED' as DemandEvent['kind'] })).toBe(1);
  });
});
