import { createHash } from 'node:crypto';
import { UniqueConstraintViolationException, type FilterQuery } from '@mikro-orm/core';
import { DemandEventKind, DemandStatus, SETTLED_DEMAND_STATUSES, type DemandCategory, type HelpKind } from '@wanjia/shared';
import type { Em } from '../../core/entity-manager';
import { BadUserInputError, ConflictError, DomainError, ForbiddenError, parseId } from '../../core/errors';
import { decodeCursor, encodeCursor, pageSize, type Connection, type PageArgs } from '../../core/pagination';
import { Assignment } from '../assignments/assignment.entity';
import { changesBetween, recordAudit } from '../audit/audit.service';
import { cadreIdOf, type Actor, type Caller } from '../../core/caller';
import { assertAllowed } from '../../core/policy';
import { targetGroupMask } from '../../core/target-groups';
import { DAY_MS, shanghaiDate } from '../../core/time';
import { deadlineFor } from '../demands/demand-deadline.service';
import { addDays, dayOf, demandsWithAUnit, laterDay } from '../demands/demand-loop.service';
import { settleEscalations } from '../demands/escalation.service';
import { demandTimeline } from '../demands/demand-timeline.service';
import { Demand } from '../demands/demand.entity';
import { Photo } from '../photos/photo.entity';
import { HelpRecord } from './help-record.entity';
import type { DemandInput, HelpRecordContentInput, HelpRecordCorrectionInput, HelpRecordInput } from './help-record.inputs';
import { helpRecordPolicy } from './help-record.policy';
import { addToMonthly, currentAttribution, type Attribution } from './help-record-summary.service';
import { LOCK_VERSION_INCREMENT } from '../../core/locking';

/** A phone's clock may run a little fast; more than this ahead of the server is a typing error. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
/** The longest time limit a demand may be given (the deadline table's demandDays maximum). */
const MAX_DEMAND_DAYS = 180;

/**
 * The statuses a help record may resolve a demand from: open and with the cadre (not REFERRED; and no open
 * referral either, which assertResolvableAt checks, naming the unit that holds it).
 */
const RESOLVABLE_BY_RECORD: readonly DemandStatus[] = [DemandStatus.OPEN, DemandStatus.IN_PROGRESS, DemandStatus.ESCALATED];
/** The refusal of a help record from anyone but a cadre. */
const ONLY_CADRES_RECORD = 'Only cadres record help';

/**
 * A cadre's write of a household's help records. `lateGraceDays`: how long after an assignment ended
 * the records of visits made during it may still arrive (HELP_RECORD_LATE_GRACE_DAYS).
 */
export interface RecordWriter extends Caller {
  lateGraceDays: number;
}

/**
 * Late records: a record whose visit fell inside an assignment that has ended by the time it arrives.
 * The offline outbox needs them (a visit recorded in a village without signal, the household handed
 * over the next day, the phone sending on the day after), so they land within the grace period; after
 * it, a transferred cadre no longer writes into the household's file at all. Even inside the grace a
 * late record changes no one's work: it may not resolve demands (the household's current cadre owns
 * them now, and the answer would tell which ids are open), and the demands it raises are dated at the
 * visit, before the end, so they are what the household asked of the cadre then, for the new cadre to
 * take up. It still moves lastVisitAt: the visit did happen.
 */
function assertLateRecordAllowed(endedAt: Date | null, now: Date, graceDays: number, resolves: boolean): void {
  if (endedAt === null) return;
  if (now.getTime() - endedAt.getTime() > graceDays * DAY_MS) {
    throw new BadUserInputError(
      'input.occurredAt',
      `your assignment to this household ended more than ${graceDays} days ago; records of it are no longer accepted`,
    );
  }
  if (resolves) {
    throw new BadUserInputError(
      'input.resolvedDemandIds',
      "your assignment to this household has ended: a late record cannot resolve demands (the household's current cadre does); send it without them",
    );
  }
}

type Content = Omit<HelpRecordContentInput, 'clientId'> & {
  householdId?: number;
  demandsRaised?: HelpRecordInput['demandsRaised'];
  resolvedDemandIds?: number[];
};

/** A stable fingerprint of what was submitted, so that a retry can be told from a different record. */
function contentHash(content: Content, supersedes: number | null): string {
  const canonical = {
    supersedes,
    householdId: content.householdId ?? null,
    occurredAt: content.occurredAt.toISOString(),
    kinds: [...content.kinds].sort(),
    summary: content.summary,
    fundsFen: content.fundsFen,
    materialsFen: content.materialsFen,
    problemsSolved: content.problemsSolved,
    photoIds: content.photoIds,
    latitude: content.latitude ?? null,
    longitude: content.longitude ?? null,
    demandsRaised: raisedFingerprint(content.demandsRaised ?? []),
    resolvedDemandIds: [...(content.resolvedDemandIds ?? [])].sort((a, b) => a - b),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

function checkContent(content: { occurredAt: Date; latitude?: number | null; longitude?: number | null }, now: Date): void {
  if (content.occurredAt.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    throw new BadUserInputError('input.occurredAt', 'occurredAt is in the future');
  }
  if ((content.latitude == null) !== (content.longitude == null)) {
    throw new BadUserInputError(content.latitude == null ? 'input.latitude' : 'input.longitude', 'latitude and longitude go together');
  }
}

/** The earlier record under this clientId, if its content matches; a different record under it is refused. */
function replayOf(existing: HelpRecord, hash: string): HelpRecord {
  if (existing.contentHash !== hash) {
    throw new ConflictError('This clientId was already used for a different record; generate a new clientId for a new record', { field: 'input.clientId' });
  }
  return existing;
}

/**
 * Steps after which an earlier occasion cannot resolve a demand: the household's 不满意 and a withdrawn
 * resolution (the answer was about the resolution the occasion gave), and the loop's steps — a back-dated
 * visit cannot resolve a demand before it was worked, referred, returned or instructed.
 */
const LATER_STEPS: readonly DemandEventKind[] = [
  DemandEventKind.REOPENED,
  DemandEventKind.RESOLUTION_WITHDRAWN,
  DemandEventKind.WORK_STARTED,
  DemandEventKind.REFERRED,
  DemandEventKind.ACCEPTED,
  DemandEventKind.RETURNED,
  DemandEventKind.PROGRESS_NOTED,
  DemandEventKind.INSTRUCTED,
];

/** The refusal of a demand an occasion cannot resolve (submit and correct say the same). */
const NOT_RESOLVABLE = 'only open demands of this household, raised by the time of this visit and not reopened after it, can be resolved by it';

/**
 * How many of these demands of the household an occasion at `occurredAt` may resolve, among those in
 * `statuses`: raised no later than the occasion, and neither reopened by the household's 不满意 nor
 * withdrawn after it (that answer was about the resolution the occasion gave; an earlier visit cannot
 * give it again, and a resolution cannot come before the demand). Read inside the writing transaction,
 * after the household row's lock, or before it for a re-dated occasion's own demands.
 */
async function resolvableAt(em: Em, householdId: number, demandIds: readonly number[], occurredAt: Date, statuses: readonly DemandStatus[]): Promise<number> {
  const at = em.getPlatform().processDateProperty(occurredAt);
  const [row] = await em.execute<{ resolvable: number | string }[]>(
    `select count(*) as resolvable from demand d
      where d.id in (${demandIds.map(() => '?').join(', ')}) and d.household_id = ? and d.status in (${statuses.map(() => '?').join(', ')}) and d.raised_at <= ?
        and not exists (select 1 from demand_event e where e.demand_id = d.id and e.kind in (${LATER_STEPS.map(() => '?').join(', ')}) and e.at > ?)`,
    [...demandIds, householdId, ...statuses, at, ...LATER_STEPS, at],
  );
  return Number(row?.resolvable ?? 0);
}

/** That an occasion at `occurredAt` may resolve these open demands (submit, and a correction's added ones). */
async function assertResolvableAt(tx: Em, householdId: number, demandIds: readonly number[], occurredAt: Date): Promise<void> {
  if (demandIds.length === 0) return;
  // A demand a unit holds (referred, or accepted and being worked there) is the unit's to resolve or return.
  const [held] = await demandsWithAUnit(tx, demandIds);
  if (held) {
    throw new BadUserInputError(
      'input.resolvedDemandIds',
      `demand ${held.demandId} is referred to ${held.unitName}: the unit resolves it (or returns it first); a help record cannot`,
    );
  }
  if ((await resolvableAt(tx, householdId, demandIds, occurredAt, RESOLVABLE_BY_RECORD)) !== demandIds.length) {
    throw new BadUserInputError('input.resolvedDemandIds', NOT_RESOLVABLE);
  }
}

async function assertPhotos(em: Em, actor: Actor, photoIds: string[]): Promise<void> {
  if (photoIds.length === 0) return;
  const found = await em.find(Photo, { id: { $in: photoIds }, uploadedBy: actor.accountId }, { fields: ['id'] });
  if (found.length !== photoIds.length) throw new BadUserInputError('input.photoIds', 'every photo must be uploaded by you first');
}

/**
 * Moves the household's last visit forward. Plain SQL, outside the unit of work: a visit is not an
 * edit of the household's file and must not touch its version, and the comparison sits in the SET
 * clause so that the statement finds its row by primary key alone (with it in the WHERE clause
 * MariaDB chose the last_visit_at index and locked other households' rows, deadlocking submissions
 * for different households). It is also the household row's lock (core/locking.ts): lock_version moves
 * even when an older visit leaves last_visit_at as it was, so that Galera certifies it.
 */
async function recordVisit(tx: Em, householdId: number, occurredAt: Date): Promise<void> {
  const at = tx.getPlatform().processDateProperty(occurredAt);
  await tx.execute(
    `update household set last_visit_at = case when last_visit_at is null or last_visit_at < ? then ? else last_visit_at end, ${LOCK_VERSION_INCREMENT} where id = ?`,
    [at, at, householdId],
    'run',
  );
}

/** The content columns of a record: what the cadre said about the occasion. */
interface RecordContent {
  occurredAt: Date;
  kinds: HelpKind[];
  summary: string;
  fundsFen: number;
  materialsFen: number;
  problemsSolved: number;
  photoIds: string[];
  latitude: number | null;
  longitude: number | null;
}

/** The columns a submission and a correction both fill from what the cadre sent. */
function recordedContent(input: RecordContent, clientId: string, hash: string) {
  return {
    occurredAt: input.occurredAt,
    kinds: input.kinds,
    summary: input.summary.trim(),
    fundsFen: input.fundsFen,
    materialsFen: input.materialsFen,
    problemsSolved: input.problemsSolved,
    photoIds: input.photoIds,
    latitude: input.latitude ?? null,
    longitude: input.longitude ?? null,
    clientId,
    contentHash: hash,
  };
}

/** The fields of a correction that stand for content; the others (clientId, the demands) are not columns of the record. */
const CORRECTABLE_FIELDS = ['occurredAt', 'kinds', 'summary', 'fundsFen', 'materialsFen', 'problemsSolved', 'photoIds', 'latitude', 'longitude'] as const;
/** Fields that may be given as null: the location (null clears it). Any other null is a mistake, not "unchanged". */
const NULLABLE_FIELDS = new Set<string>(['latitude', 'longitude']);

/** Whether the client wrote the field at all (omitted ≠ null: type-graphql sets only what was sent). */
function given<K extends keyof HelpRecordCorrectionInput>(input: HelpRecordCorrectionInput, key: K): boolean {
  return Object.prototype.hasOwnProperty.call(input, key) && input[key] !== undefined;
}

/** Refuses a null where only a value or nothing makes sense. */
function assertNoStrayNulls(input: HelpRecordCorrectionInput): void {
  for (const key of [...CORRECTABLE_FIELDS, 'resolvedDemandIds', 'demandsRaised'] as const) {
    if (given(input, key) && input[key] === null && !NULLABLE_FIELDS.has(key)) {
      throw new BadUserInputError(`input.${key}`, `${key} cannot be null; omit it to keep it as it was`);
    }
  }
  if (given(input, 'latitude') !== given(input, 'longitude')) {
    const missing = given(input, 'latitude') ? 'longitude' : 'latitude';
    throw new BadUserInputError(`input.${missing}`, 'latitude and longitude go together: give both, or neither to keep the location');
  }
}

/** The version a correction makes: the previous version's content overlaid by what the correction gave. */
function overlay(previous: HelpRecord, input: HelpRecordCorrectionInput): RecordContent {
  const pick = <K extends (typeof CORRECTABLE_FIELDS)[number]>(key: K, fallback: RecordContent[K]): RecordContent[K] =>
    given(input, key) ? (input[key] as RecordContent[K]) : fallback;
  return {
    occurredAt: pick('occurredAt', previous.occurredAt),
    kinds: pick('kinds', previous.kinds),
    summary: given(input, 'summary') ? input.summary!.trim() : previous.summary,
    fundsFen: pick('fundsFen', previous.fundsFen),
    materialsFen: pick('materialsFen', previous.materialsFen),
    problemsSolved: pick('problemsSolved', previous.problemsSolved),
    photoIds: pick('photoIds', previous.photoIds),
    latitude: pick('latitude', previous.latitude ?? null) ?? null,
    longitude: pick('longitude', previous.longitude ?? null) ?? null,
  };
}

/**
 * The fingerprint of a correction: exactly the fields it carried (an omitted field and one given with
 * the value it already had are different corrections), with the version it corrects.
 */
function correctionHash(input: HelpRecordCorrectionInput, supersedes: number, resolvedDemandIds: number[] | null): string {
  const carried: Record<string, unknown> = {};
  if (given(input, 'occurredAt')) carried.occurredAt = input.occurredAt!.toISOString();
  if (given(input, 'kinds')) carried.kinds = [...input.kinds!].sort();
  for (const key of ['summary', 'fundsFen', 'materialsFen', 'problemsSolved', 'photoIds', 'latitude', 'longitude'] as const) {
    if (given(input, key)) carried[key] = input[key] ?? null;
  }
  if (resolvedDemandIds) carried.resolvedDemandIds = [...resolvedDemandIds].sort((a, b) => a - b);
  if (given(input, 'demandsRaised')) carried.demandsRaised = raisedFingerprint(input.demandsRaised!);
  return createHash('sha256')
    .update(JSON.stringify({ correction: true, supersedes, carried }))
    .digest('hex');
}

function raisedFingerprint(demands: readonly DemandInput[]): unknown[] {
  return demands.map((demand) => [demand.category, demand.text, demand.dueOn ?? null]);
}

/** Each raised category's demandDays (the demand_deadline rows), read before the writing transaction. */
async function demandDaysOf(em: Em, demands: readonly DemandInput[]): Promise<Map<DemandCategory, number>> {
  const days = new Map<DemandCategory, number>();
  for (const category of new Set(demands.map((demand) => demand.category))) days.set(category, (await deadlineFor(em, category)).demandDays);
  return days;
}

/**
 * The demands raised on an occasion, as rows of the household: open, due the category's demandDays after
 * the visit's calendar day (Shanghai) unless the cadre gave a date.
 */
function raiseDemands(
  tx: Em,
  householdId: number,
  record: HelpRecord,
  demands: readonly DemandInput[],
  occurredAt: Date,
  demandDays: ReadonlyMap<DemandCategory, number>,
): Demand[] {
  // A given due date lies between the visit's day and the longest time limit (180 days): a past one would put the
  // demand at the top of the ladder at once, a far one would keep it off every 督办 list.
  const visitDay = shanghaiDate(occurredAt);
  demands.forEach((demand, index) => {
    if (demand.dueOn == null) return;
    if (Number.isNaN(Date.parse(`${demand.dueOn}T00:00:00.000Z`)))
      throw new BadUserInputError(`input.demandsRaised.${index}.dueOn`, 'dueOn is not a calendar date');
    if (demand.dueOn < visitDay) throw new BadUserInputError(`input.demandsRaised.${index}.dueOn`, 'dueOn is before the day of the visit');
    if (demand.dueOn > addDays(visitDay, MAX_DEMAND_DAYS)) {
      throw new BadUserInputError(`input.demandsRaised.${index}.dueOn`, `dueOn is more than ${MAX_DEMAND_DAYS} days after the visit`);
    }
  });
  return demands.map((demand) =>
    tx.create(Demand, {
      household: householdId,
      category: demand.category,
      text: demand.text.trim(),
      raisedAt: occurredAt,
      dueOn: demand.dueOn ?? addDays(shanghaiDate(occurredAt), demandDays.get(demand.category)!),
      raisedIn: record,
    }),
  );
}

/**
 * The caller's own record already stored under a clientId, if any. Only the caller's own records are
 * looked at (the key is unique per cadre): another cadre's clientId is as unknown as a fresh one. The
 * hot path (none) costs one indexed read of one column; the entity is loaded only for a replay.
 */
async function earlierUnder(em: Em, cadre: number, clientId: string): Promise<HelpRecord | null> {
  const [row] = await em.execute<{ id: number }[]>('select id from help_record where cadre_id = ? and client_id = ?', [cadre, clientId]);
  return row ? em.findOne(HelpRecord, Number(row.id)) : null;
}

/**
 * A resend answers with the stored record and leaves an audit entry, like every other write: the
 * trail shows who sent it again, from where and when. What the answer shows is the object scope
 * guard's business (graphql/object-scope.guard.ts): the author's own record, and of the household only
 * what the cadre may still read.
 */
async function answerResend(em: Em, record: HelpRecord, mutation: 'submitHelpRecord' | 'correctHelpRecord', caller: Caller): Promise<HelpRecord> {
  const [row] = await em.execute<{ path: string }[]>('select r.path from household h join region r on r.id = h.region_id where h.id = ?', [
    record.household.id,
  ]);
  await em.transactional(async (tx) => {
    recordAudit(tx, caller, {
      operation: 'resendHelpRecord',
      entityName: 'HelpRecord',
      entityId: record.id,
      regionPath: row?.path ?? null,
      changes: { mutation, clientId: record.clientId },
    });
  });
  return record;
}

interface CoveringAssignment {
  id: number;
  roundId: number;
  /** Whether the assignment has ended (the record is a late one). */
  ended: boolean;
  regionPath: string;
  /** What the record will count for in the analysts' figures. */
  attribution: Attribution;
}

/**
 * The cadre's assignment to the household that covers the moment of the visit (an ended one counts),
 * with what the record, its audit entry and the monthly summary need, in one read and without
 * hydrating entities: this is the write path every cadre takes after every visit.
 */
async function coveringAssignment(em: Em, cadre: number, householdId: number, occurredAt: Date): Promise<CoveringAssignment | null> {
  const at = em.getPlatform().processDateProperty(occurredAt);
  const [row] = await em.execute<
    {
      id: number;
      round_id: number;
      ended_at: Date | string | number | null;
      path: string;
      region_id: number;
      unit_id: number;
      is_hardship: unknown;
      is_key_focus: unknown;
      is_petitioner: unknown;
    }[]
  >(
    `select a.id, a.round_id, a.ended_at, r.path, h.region_id, h.is_hardship, h.is_key_focus, h.is_petitioner, c.unit_id
       from assignment a
       join household h on h.id = a.household_id
       join region r on r.id = h.region_id
       join cadre c on c.id = a.cadre_id
      where a.cadre_id = ? and a.household_id = ? and a.started_at <= ? and (a.ended_at is null or a.ended_at >= ?)
      order by a.started_at desc
      limit 1`,
    [cadre, householdId, at, at],
  );
  return row
    ? {
        id: Number(row.id),
        roundId: Number(row.round_id),
        ended: row.ended_at !== null,
        regionPath: row.path,
        attribution: { regionId: Number(row.region_id), unitId: Number(row.unit_id), groups: targetGroupMask(row) },
      }
    : null;
}

/** Raised inside the correction's transaction when another correction already superseded the version. */
class AlreadyCorrected extends Error {}

/** What a submission that is not a resend does: the checks, then the record and its consequences in one transaction. */
async function recordNew(
  em: Em,
  input: HelpRecordInput,
  writer: RecordWriter,
  { cadre, householdId, resolvedDemandIds, hash }: { cadre: number; householdId: number; resolvedDemandIds: number[]; hash: string },
  now: Date,
): Promise<HelpRecord> {
  const { actor, lateGraceDays } = writer;
  checkContent(input, now);
  const assignment = await coveringAssignment(em, cadre, householdId, input.occurredAt);
  if (!assignment) {
    const everAssigned = await em.count(Assignment, { cadre, household: householdId });
    if (everAssigned === 0) throw new ForbiddenError();
    throw new BadUserInputError('input.occurredAt', 'occurredAt falls outside the time you were assigned to this household');
  }
  if (assignment.ended) {
    // Late records are rare: the end date is read through the entity only for them.
    const { endedAt } = await em.fork().findOneOrFail(Assignment, assignment.id, { fields: ['endedAt'] });
    assertLateRecordAllowed(endedAt ?? null, now, lateGraceDays, resolvedDemandIds.length > 0);
  }
  await assertPhotos(em, actor, input.photoIds);
  const demandDays = await demandDaysOf(em, input.demandsRaised);

  return em.transactional(async (tx) => {
    // The household row first: its exclusive lock orders concurrent submissions for the same
    // household. Inserting the record first would take a shared lock through the foreign key and
    // then upgrade it, which deadlocks two submissions against each other.
    await recordVisit(tx, householdId, input.occurredAt);
    await assertResolvableAt(tx, householdId, resolvedDemandIds, input.occurredAt);
    const record = tx.create(HelpRecord, {
      household: householdId,
      cadre,
      assignment: assignment.id,
      round: assignment.roundId,
      ...recordedContent({ ...input, latitude: input.latitude ?? null, longitude: input.longitude ?? null }, input.clientId, hash),
      attributedRegionId: assignment.attribution.regionId,
      attributedUnitId: assignment.attribution.unitId,
      attributedGroups: assignment.attribution.groups,
    });
    const raised = raiseDemands(tx, householdId, record, input.demandsRaised, input.occurredAt, demandDays);
    await tx.flush();
    await addToMonthly(tx, [
      {
        roundId: assignment.roundId,
        occurredAt: input.occurredAt,
        attribution: assignment.attribution,
        fundsFen: input.fundsFen,
        materialsFen: input.materialsFen,
        problemsSolved: input.problemsSolved,
        sign: 1,
      },
    ]);
    if (resolvedDemandIds.length > 0) {
      // Conditional on the status: a demand another write closed meanwhile is not resolved twice.
      const resolved = await tx.nativeUpdate(
        Demand,
        { id: { $in: resolvedDemandIds }, household: householdId, status: { $in: [...RESOLVABLE_BY_RECORD] } },
        { status: DemandStatus.RESOLVED, resolvedBy: record.id, resolvedAt: input.occurredAt },
      );
      if (resolved !== resolvedDemandIds.length) throw new BadUserInputError('input.resolvedDemandIds', NOT_RESOLVABLE);
      // A resolved demand's escalations (督办) are settled: the lapse is over.
      for (const demandId of resolvedDemandIds) await settleEscalations(tx, demandId, now);
    }
    demandTimeline.append(tx, demandTimeline.ofHelpRecord(record, writer.actor.accountId, { raised, resolvedIds: resolvedDemandIds }));
    recordAudit(tx, writer, {
      operation: 'submitHelpRecord',
      entityName: 'HelpRecord',
      entityId: record.id,
      regionPath: assignment.regionPath,
      changes: {
        household: householdId,
        kinds: input.kinds,
        fundsFen: input.fundsFen,
        materialsFen: input.materialsFen,
        demandsRaised: input.demandsRaised.length,
        demandsResolved: resolvedDemandIds,
      },
    });
    return record;
  });
}

export const helpRecordService = {
  /**
   * Records one occasion of help, exactly once. The cadre must have been assigned to the household
   * when it happened (an assignment that has since ended still counts: a record made offline before a
   * transfer is never lost). Demands raised become open demands; demands resolved close. One
   * transaction, with its audit entry.
   */
  async submit(em: Em, input: HelpRecordInput, writer: RecordWriter, now = new Date()): Promise<HelpRecord> {
    const { actor } = writer;
    const cadre = cadreIdOf(actor, helpRecordPolicy.mayRecord, ONLY_CADRES_RECORD);
    const householdId = parseId(input.householdId, 'input.householdId');
    const resolvedDemandIds = input.resolvedDemandIds.map((id, index) => parseId(id, `input.resolvedDemandIds.${index}`));
    const hash = contentHash({ ...input, householdId, resolvedDemandIds }, null);
    try {
      return await recordNew(em, input, writer, { cadre, householdId, resolvedDemandIds, hash }, now);
    } catch (error) {
      // A resend (the same clientId again: an answer lost on the way) is told apart by the unique
      // (cadre, clientId) key when the record is inserted, or, if the content no longer passes the
      // checks (the assignment ended since, a photo was removed), when a check refuses it: only then
      // is the earlier record looked up, instead of before every submission. A resend answers with the
      // stored record whatever the checks say now; the same clientId with other content is a CONFLICT.
      // Two copies of the same submission racing end the same way: the loser answers with the winner's record.
      if (error instanceof UniqueConstraintViolationException || error instanceof DomainError) {
        const earlier = await earlierUnder(em, cadre, input.clientId);
        if (earlier) return answerResend(em, replayOf(earlier, hash), 'submitHelpRecord', writer);
      }
      throw error;
    }
  },

  /**
   * A correction (更正) is a new version that supersedes the old one; the old stays in the history
   * and stops counting in totals (the monthly summary: − old, + new, in the same transaction). Only
   * the latest version can be corrected, by the cadre who recorded it, while the late-record grace
   * allows writes into the household's file. The new version is the previous one overlaid by what the
   * correction gave: an omitted field stays. The demands the occasion raised and resolved follow it
   * to the new version; `resolvedDemandIds`, when given, is the whole set the occasion resolved (a
   * demand left out goes back to open while it awaits the household's answer; a confirmed one stays).
   */
  async correct(em: Em, id: number, input: HelpRecordCorrectionInput, writer: RecordWriter, now = new Date()): Promise<HelpRecord> {
    const { actor, lateGraceDays } = writer;
    const cadre = cadreIdOf(actor, helpRecordPolicy.mayRecord, ONLY_CADRES_RECORD);
    const original = await em.findOne(HelpRecord, { id, cadre }, { populate: ['assignment', 'household.region'] });
    assertAllowed(original !== null && helpRecordPolicy.mayCorrect(actor, { authorCadreId: original.cadre.id }));
    assertNoStrayNulls(input);
    const resolvedDemandIds = given(input, 'resolvedDemandIds')
      ? input.resolvedDemandIds!.map((demandId, index) => parseId(demandId, `input.resolvedDemandIds.${index}`))
      : null;
    const hash = correctionHash(input, original.id, resolvedDemandIds);
    const earlier = await earlierUnder(em, cadre, input.clientId);
    if (earlier) return answerResend(em, replayOf(earlier, hash), 'correctHelpRecord', writer);
    if (!original.isLatest) throw new ConflictError('This version was already corrected; correct the latest version instead');

    const content = overlay(original, input);
    checkContent(content, now);
    const assignment = original.assignment;
    if (content.occurredAt < assignment.startedAt || (assignment.endedAt && content.occurredAt > assignment.endedAt)) {
      throw new BadUserInputError('input.occurredAt', 'occurredAt falls outside the time you were assigned to this household');
    }

    // What the occasion resolves now, and what the correction changes about it.
    const householdId = original.household.id;
    // Raw rows: partial Demand entities in the request's identity map would be handed to the answer's reads.
    const resolvedNow = (
      await em.execute<{ id: number | string; status: DemandStatus }[]>('select id, status from demand where resolved_by_id = ?', [original.id])
    ).map((row) => ({ id: Number(row.id), status: row.status }));
    const resolvedNowIds = new Set(resolvedNow.map((demand) => demand.id));
    const added = resolvedDemandIds ? resolvedDemandIds.filter((demandId) => !resolvedNowIds.has(demandId)) : [];
    const withdrawn = resolvedDemandIds ? resolvedNow.filter((demand) => !resolvedDemandIds.includes(demand.id)) : [];
    // A correction is a write into the household's file like a submission: after the grace, no more;
    // and, like a late record, it no longer changes which demands are resolved.
    assertLateRecordAllowed(assignment.endedAt ?? null, now, lateGraceDays, added.length > 0 || withdrawn.length > 0);
    const confirmed = withdrawn.find((demand) => demand.status !== DemandStatus.RESOLVED);
    if (confirmed) {
      throw new BadUserInputError(
        'input.resolvedDemandIds',
        `demand ${confirmed.id} is ${confirmed.status}: the household already answered, so this occasion's resolution of it cannot be withdrawn; keep it in resolvedDemandIds`,
      );
    }
    if (given(input, 'occurredAt') && content.occurredAt.getTime() !== original.occurredAt.getTime()) {
      // Re-dated: the occasion's time must still be one at which it could resolve the demands it keeps
      // resolving (not before one was raised, nor before the household reopened it).
      const kept = resolvedNow.filter((demand) => !withdrawn.includes(demand)).map((demand) => demand.id);
      if (kept.length > 0 && (await resolvableAt(em, householdId, kept, content.occurredAt, SETTLED_DEMAND_STATUSES)) !== kept.length) {
        throw new BadUserInputError(
          'input.occurredAt',
          'the visit cannot move before a demand it resolved was raised or reopened; withdraw that resolution or keep the time',
        );
      }
    }
    if (given(input, 'photoIds')) await assertPhotos(em, actor, content.photoIds);
    const demandsRaised = input.demandsRaised ?? [];
    const demandDays = await demandDaysOf(em, demandsRaised);

    try {
      return await em.transactional(async (tx) => {
        await recordVisit(tx, householdId, content.occurredAt);
        const claimed = await tx.nativeUpdate(HelpRecord, { id: original.id, isLatest: true }, { isLatest: false });
        if (claimed !== 1) throw new AlreadyCorrected();
        // The same occasion counts where it counted before; a record a bulk load left unattributed
        // (and so outside the summary) is attributed now.
        const earlierAttribution: Attribution | null =
          original.attributedRegionId != null && original.attributedUnitId != null && original.attributedGroups != null
            ? { regionId: original.attributedRegionId, unitId: original.attributedUnitId, groups: original.attributedGroups }
            : null;
        const attribution = earlierAttribution ?? (await currentAttribution(tx, householdId, cadre));
        const correction = tx.create(HelpRecord, {
          household: original.household,
          cadre,
          assignment,
          round: original.round,
          ...recordedContent(content, input.clientId, hash),
          supersedes: original.id,
          versionNumber: original.versionNumber + 1,
          attributedRegionId: attribution.regionId,
          attributedUnitId: attribution.unitId,
          attributedGroups: attribution.groups,
        });
        await tx.flush();

        // The occasion's demands follow it to its latest version.
        await tx.nativeUpdate(Demand, { raisedIn: original.id }, { raisedIn: correction.id });
        if (withdrawn.length > 0) {
          // Only while the household has not answered: a confirmation that won the race keeps its demand.
          const reopened = await tx.nativeUpdate(
            Demand,
            { id: { $in: withdrawn.map((demand) => demand.id) }, resolvedBy: original.id, status: DemandStatus.RESOLVED },
            { status: DemandStatus.OPEN, resolvedBy: null, resolvedAt: null },
          );
          if (reopened !== withdrawn.length) {
            throw new ConflictError('The household answered one of these demands meanwhile; reload the record and correct it again');
          }
          // Back with the cadre with time to act: a fresh due date (today + the category's demandDays), never
          // earlier than the one it had, so that an old date's lapse does not put it at the top of the ladder.
          const rows = await tx.execute<{ id: number | string; category: DemandCategory; due_on: Date | string | null }[]>(
            `select id, category, due_on from demand where id in (${withdrawn.map(() => '?').join(', ')})`,
            withdrawn.map((demand) => demand.id),
          );
          for (const row of rows) {
            const fresh = addDays(shanghaiDate(now), (await deadlineFor(tx, row.category)).demandDays);
            await tx.nativeUpdate(Demand, { id: Number(row.id) }, { dueOn: laterDay(dayOf(row.due_on), fresh) });
          }
        }
        await tx.nativeUpdate(Demand, { resolvedBy: original.id }, { resolvedBy: correction.id });
        if (given(input, 'occurredAt') && content.occurredAt.getTime() !== original.occurredAt.getTime()) {
          // A resolution awaiting the answer is dated at the occasion; an answered one keeps its date.
          await tx.nativeUpdate(Demand, { resolvedBy: correction.id, status: DemandStatus.RESOLVED }, { resolvedAt: content.occurredAt });
        }
        if (added.length > 0) {
          await assertResolvableAt(tx, householdId, added, content.occurredAt);
          const resolved = await tx.nativeUpdate(
            Demand,
            { id: { $in: added }, household: householdId, status: { $in: [...RESOLVABLE_BY_RECORD] } },
            { status: DemandStatus.RESOLVED, resolvedBy: correction.id, resolvedAt: content.occurredAt },
          );
          if (resolved !== added.length) throw new BadUserInputError('input.resolvedDemandIds', NOT_RESOLVABLE);
          for (const demandId of added) await settleEscalations(tx, demandId, now);
        }
        const raised = raiseDemands(tx, householdId, correction, demandsRaised, content.occurredAt, demandDays);
        demandTimeline.append(
          tx,
          demandTimeline.ofHelpRecord(correction, writer.actor.accountId, {
            raised,
            resolvedIds: added,
            withdrawnIds: withdrawn.map((demand) => demand.id),
            now,
          }),
        );

        const roundId = original.round.id;
        await addToMonthly(tx, [
          ...(earlierAttribution
            ? [
                {
                  roundId,
                  occurredAt: original.occurredAt,
                  attribution: earlierAttribution,
                  fundsFen: original.fundsFen,
                  materialsFen: original.materialsFen,
                  problemsSolved: original.problemsSolved,
                  sign: -1 as const,
                },
              ]
            : []),
          {
            roundId,
            occurredAt: content.occurredAt,
            attribution,
            fundsFen: content.fundsFen,
            materialsFen: content.materialsFen,
            problemsSolved: content.problemsSolved,
            sign: 1,
          },
        ]);
        const before: RecordContent = {
          occurredAt: original.occurredAt,
          kinds: original.kinds,
          summary: original.summary,
          fundsFen: original.fundsFen,
          materialsFen: original.materialsFen,
          problemsSolved: original.problemsSolved,
          photoIds: original.photoIds,
          latitude: original.latitude ?? null,
          longitude: original.longitude ?? null,
        };
        recordAudit(tx, writer, {
          operation: 'correctHelpRecord',
          entityName: 'HelpRecord',
          entityId: correction.id,
          regionPath: original.household.region.path,
          changes: {
            supersedes: original.id,
            ...changesBetween(before, content),
            ...(added.length > 0 ? { demandsResolved: added } : {}),
            ...(withdrawn.length > 0 ? { resolutionsWithdrawn: withdrawn.map((demand) => demand.id) } : {}),
            ...(demandsRaised.length > 0 ? { demandsRaised: demandsRaised.length } : {}),
          },
        });
        return correction;
      });
    } catch (error) {
      // Another correction of this version won the race; if it was this very request sent twice, answer with it.
      if (error instanceof UniqueConstraintViolationException || error instanceof AlreadyCorrected) {
        const winner = await em.fork().findOne(HelpRecord, { cadre, clientId: input.clientId });
        if (winner) return answerResend(em, replayOf(winner, hash), 'correctHelpRecord', writer);
        throw new ConflictError('This version was already corrected; correct the latest version instead');
      }
      throw error;
    }
  },

  /**
   * A household's records, the most recent occasion first (a record made offline and sent days later
   * sorts by when it happened); latest versions unless the history is asked for. Keyset pagination on
   * (occurredAt, id), served by the (household, occurredAt) index.
   */
  async listForHousehold(em: Em, householdId: number, page: PageArgs, includeSuperseded: boolean): Promise<Connection<HelpRecord>> {
    const where: FilterQuery<HelpRecord> = { household: householdId, ...(includeSuperseded ? {} : { isLatest: true }) };
    const size = pageSize(page);
    let pageWhere = where;
    if (page.after) {
      const [occurredMs, id] = decodeCursor(page.after, 2).map(Number) as [number, number];
      const occurredAt = new Date(occurredMs);
      pageWhere = { $and: [where, { $or: [{ occurredAt: { $lt: occurredAt } }, { occurredAt, id: { $lt: id } }] }] };
    }
    const rows = await em.find(HelpRecord, pageWhere, { orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }], limit: size + 1 });
    const totalCount = await em.count(HelpRecord, where);
    const nodes = rows.slice(0, size);
    const last = nodes[nodes.length - 1];
    return {
      nodes,
      totalCount,
      pageInfo: { hasNextPage: rows.length > size, endCursor: last ? encodeCursor([last.occurredAt.getTime(), last.id]) : null },
    };
  },
};
