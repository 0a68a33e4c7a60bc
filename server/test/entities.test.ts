import { UniqueConstraintViolationException } from '@mikro-orm/core';
import {
  AssignmentKind,
  DemandCategory,
  DemandEventKind,
  DemandStatus,
  HardshipReason,
  HelpKind,
  KeyFocusReason,
  PetitionCaseStatus,
  Role,
  Satisfaction,
  TargetGroup,
} from '@wanjia/shared';
import type { DatabaseConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { Assignment } from '../src/modules/assignments/assignment.entity';
import { AuditEntry } from '../src/modules/audit/audit-entry.entity';
import { ContactPoint } from '../src/modules/contact-points/contact-point.entity';
import { DemandEvent } from '../src/modules/demands/demand-event.entity';
import { Demand } from '../src/modules/demands/demand.entity';
import { HelpRecord } from '../src/modules/help-records/help-record.entity';
import { Household } from '../src/modules/households/household.entity';
import { Resident } from '../src/modules/households/resident.entity';
import { PetitionCase } from '../src/modules/petition-cases/petition-case.entity';
import { Region } from '../src/modules/regions/region.entity';
import { regionService } from '../src/modules/regions/region.service';
import { UnitPairing } from '../src/modules/unit-pairings/unit-pairing.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import {
  createAccount,
  createAssignment,
  createCadre,
  createContactPoint,
  createContactPointKind,
  createDemand,
  createHelpRecord,
  createHousehold,
  createPetitionCase,
  createRegionTree,
  createResident,
  createRound,
  createUnit,
  createUnitPairing,
  validIdNumber,
} from './support/factories';

describe.each(databaseKinds())('entities on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'entities'));
  });

  afterAll(async () => {
    await orm.close(true);
    await dropScratchDatabase(database);
  });

  it('round-trips the whole model with dates to the millisecond, enums, sets, money and 4-byte characters', async () => {
    const em = orm.em.fork();
    const regions = await createRegionTree(em);
    const round = await createRound(em);
    const unit = await createUnit(em, { region: regions.city });
    const leader = await createCadre(em, { unit, name: '𠮷祥' });
    const cadre = await createCadre(em, { unit });
    const household = await createHousehold(em, {
      region: regions.dongxing,
      targetGroups: [TargetGroup.HARDSHIP, TargetGroup.PETITIONER],
      hardshipReasons: [HardshipReason.ILLNESS, HardshipReason.ELDERLY_ALONE],
    });
    const idNumber = validIdNumber('210502', '1975-03-09');
    const resident = await createResident(em, { household, idNumber, keyFocusReason: KeyFocusReason.RELEASED_PRISONER, isPetitioner: true });
    const pairing = await createUnitPairing(em, { unit, region: regions.dongxing, round, startedOn: '2026-05-01' });
    const petitionCase = await createPetitionCase(em, {
      household,
      resident,
      title: '征地补偿问题',
      demand: '要求按标准补足征地补偿款',
      receivedOn: '2025-12-01',
      majorBacklog: true,
      responsibleLeader: leader,
      status: PetitionCaseStatus.IN_PROGRESS,
    });
    const assignment = await createAssignment(em, { cadre, household, round });
    const occurredAt = new Date('2026-06-01T03:04:05.678Z');
    const record = await createHelpRecord(em, {
      assignment,
      occurredAt,
      kinds: [HelpKind.VISIT, HelpKind.FUNDS, HelpKind.MATERIALS],
      fundsFen: 123_456,
      materialsFen: 78_900,
      problemsSolved: 2,
      photoIds: ['a'.repeat(64), 'b'.repeat(64)],
      latitude: 41.294123,
      longitude: 123.766789,
    });
    const demand = await createDemand(em, {
      household,
      category: DemandCategory.HOUSING,
      text: '房屋漏雨需要维修',
      raisedAt: occurredAt,
      dueOn: '2026-07-01',
      raisedIn: record,
    });
    const kindRow = await createContactPointKind(em, { code: 'PETITION_CASE', name: '包一件信访案件' });
    const contactPoint = await createContactPoint(em, { leader, kind: kindRow, round, petitionCase, startedOn: '2026-05-01' });
    const account = await createAccount(em, { role: Role.ADMIN, scopeRegion: regions.pingshan, username: 'pingshan', passwordHash: 'x' });
    const audit = em.create(AuditEntry, { actor: account, operation: 'test', entityName: 'Household', entityId: String(household.id), changes: '{"a":[1,2]}' });
    await em.flush();

    const read = orm.em.fork();
    const loadedHousehold = await read.findOneOrFail(Household, household.id, { populate: ['region'] });
    expect(loadedHousehold.targetGroups).toEqual([TargetGroup.HARDSHIP, TargetGroup.PETITIONER]);
    expect(loadedHousehold.hardshipReasons).toEqual([HardshipReason.ILLNESS, HardshipReason.ELDERLY_ALONE]);
    expect(loadedHousehold.region.name).toBe('东兴社区');
    expect(loadedHousehold.version).toBe(household.version);

    const loadedResident = await read.findOneOrFail(Resident, resident.id);
    expect(loadedResident).toMatchObject({ idNumber, birthDate: '1980-01-01', keyFocusReason: KeyFocusReason.RELEASED_PRISONER, isPetitioner: true });

    const loadedRecord = await read.findOneOrFail(HelpRecord, record.id);
    expect(loadedRecord.occurredAt.toISOString()).toBe('2026-06-01T03:04:05.678Z');
    expect(loadedRecord).toMatchObject({
      kinds: [HelpKind.VISIT, HelpKind.FUNDS, HelpKind.MATERIALS],
      fundsFen: 123_456,
      materialsFen: 78_900,
      problemsSolved: 2,
      photoIds: ['a'.repeat(64), 'b'.repeat(64)],
      latitude: 41.294123,
      longitude: 123.766789,
      versionNumber: 1,
      isLatest: true,
    });
    expect(await read.findOneOrFail(PetitionCase, petitionCase.id, { populate: ['responsibleLeader'] })).toMatchObject({
      majorBacklog: true,
      receivedOn: '2025-12-01',
      status: PetitionCaseStatus.IN_PROGRESS,
      responsibleLeader: { name: '𠮷祥' },
    });
    expect(await read.findOneOrFail(Demand, demand.id)).toMatchObject({ status: DemandStatus.OPEN, dueOn: '2026-07-01', raisedIn: { id: record.id } });
    expect(await read.findOneOrFail(UnitPairing, pairing.id)).toMatchObject({ startedOn: '2026-05-01', endedOn: null });
    expect(await read.findOneOrFail(ContactPoint, contactPoint.id, { populate: ['kind'] })).toMatchObject({ kind: { code: 'PETITION_CASE' } });
    expect(await read.findOneOrFail(Assignment, assignment.id)).toMatchObject({ kind: AssignmentKind.REGULAR, endedAt: null });
    expect(await read.findOneOrFail(AuditEntry, audit.id)).toMatchObject({ operation: 'test', changes: '{"a":[1,2]}', actor: { id: account.id } });
  });

  it('finds a subtree with one prefix condition on the materialized path', async () => {
    const em = orm.em.fork();
    const pingshan = await em.findOneOrFail(Region, { code: '210502000000' });
    const subtree = await em.find(Region, regionService.subtreeCondition(pingshan), { orderBy: { code: 'asc' } });
    expect(subtree.map((region) => region.name)).toEqual(['平山区', '站前街道', '东兴社区']);
    const households = await em.find(Household, { region: regionService.subtreeCondition(pingshan) });
    expect(households.length).toBeGreaterThan(0);
    const xihu = await em.findOneOrFail(Region, { code: '210503000000' });
    expect(await em.count(Household, { region: regionService.subtreeCondition(xihu) })).toBe(0);
  });

  it('refuses a second help record with the same client id, and a version superseded twice', async () => {
    const em = orm.em.fork();
    const original = await em.findOneOrFail(HelpRecord, { versionNumber: 1 }, { populate: ['assignment'] });
    em.create(HelpRecord, {
      household: original.household,
      cadre: original.cadre,
      assignment: original.assignment,
      round: original.round,
      occurredAt: new Date(),
      kinds: [HelpKind.VISIT],
      summary: '重复提交',
      clientId: original.clientId,
      contentHash: '0'.repeat(64),
    });
    await expect(em.flush()).rejects.toThrow(UniqueConstraintViolationException);
    em.clear();

    const correct = async (clientId: string) => {
      const fork = orm.em.fork();
      fork.create(HelpRecord, {
        household: original.household.id,
        cadre: original.cadre.id,
        assignment: original.assignment.id,
        round: original.round.id,
        occurredAt: original.occurredAt,
        kinds: [HelpKind.VISIT],
        summary: '更正',
        clientId,
        contentHash: '0'.repeat(64),
        supersedes: original.id,
        versionNumber: 2,
      });
      await fork.flush();
    };
    await correct('correction-1');
    await expect(correct('correction-2')).rejects.toThrow(UniqueConstraintViolationException);
  });

  it("keeps a demand's answer and timeline: enums, a 500-character note, one step per (account, clientId)", async () => {
    const em = orm.em.fork();
    const record = await createHelpRecord(em);
    const account = await createAccount(em, { cadre: record.cadre });
    const demand = await createDemand(em, { household: record.household, status: DemandStatus.RESOLVED, resolvedBy: record, resolvedAt: new Date() });
    const note = '雨天仍然漏水😢'.padEnd(500, '。');
    demand.status = DemandStatus.OPEN;
    demand.satisfaction = Satisfaction.DISSATISFIED;
    demand.confirmationNote = note;
    demand.reopenCount += 1;
    const answeredAt = new Date('2026-06-03T04:05:06.789Z');
    em.create(DemandEvent, {
      demand,
      kind: DemandEventKind.REOPENED,
      at: answeredAt,
      actorAccount: account,
      helpRecord: record,
      satisfaction: Satisfaction.DISSATISFIED,
      note,
      clientId: 'answer-0001',
    });
    await em.flush();

    const fresh = orm.em.fork();
    const stored = await fresh.findOneOrFail(Demand, demand.id);
    expect([stored.satisfaction, stored.confirmationNote, stored.reopenCount]).toEqual([Satisfaction.DISSATISFIED, note, 1]);
    const [step] = await fresh.find(DemandEvent, { demand: demand.id });
    expect([step!.kind, step!.at.toISOString(), step!.helpRecord?.id, step!.satisfaction, step!.note]).toEqual([
      DemandEventKind.REOPENED,
      answeredAt.toISOString(),
      record.id,
      Satisfaction.DISSATISFIED,
      note,
    ]);
    // A new demand starts with no answer and no reopening.
    const plain = await createDemand(fresh);
    expect([plain.satisfaction ?? null, plain.reopenCount]).toEqual([null, 0]);

    fresh.create(DemandEvent, { demand: demand.id, kind: DemandEventKind.CONFIRMED, at: new Date(), actorAccount: account.id, clientId: 'answer-0001' });
    await expect(fresh.flush()).rejects.toThrow(UniqueConstraintViolationException);
  });
});
