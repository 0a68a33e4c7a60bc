import { DeadlockException, LockWaitTimeoutException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { DemandEventKind, LABELS_ZH, NoticeKind, OPEN_CASE_STATUSES, OPEN_DEMAND_STATUSES, OPEN_REFERRAL_STATUSES, type DemandCategory } from '@wanjia/shared';
import type { Em } from '../../core/entity-manager';
import { DAY_MS, shanghaiDate } from '../../core/time';
import { recordAudit } from '../audit/audit.service';
import { Cadre } from '../cadres/cadre.entity';
import { noticeService, type NoticeDraft } from '../notices/notice.service';
import { Region } from '../regions/region.entity';
import { DemandEscalation } from './demand-escalation.entity';
import { DemandReferral } from './demand-referral.entity';
import { Demand } from './demand.entity';
import { demandTimeline } from './demand-timeline.service';
import { EscalationRung } from './escalation-rung.entity';
import { lockRows } from '../../core/locking';
import { Household } from '../households/household.entity';

/**
 * 超期督办: the escalation ladder as a sweep over the data. A lapse is (demand, the effective due date that
 * passed); each rung it reaches is one demand_escalation row, one ESCALATED step, notices and an audit
 * entry. The sweep is computed from the data, not from ticks: after downtime it inserts every rung reached
 * and missing at once, and the unique (demand, lapsed_due_on, level) key makes it idempotent, so any number
 * of instances may run it at once (the jobs' lease only saves the work).
 */

/** How many demands one call looks at; the scheduler calls again while `more` is true. */
export const SWEEP_LIMIT = 500;
/** Demands escalated per transaction: short transactions, few locks held at a time. */
const CHUNK = 100;

/** The label the timeline shows for steps the system wrote. */
export const SYSTEM_ACTOR_LABEL = '系统';

/** The UNIT / TOWNSHIP / DISTRICT / CITY rungs: which segment of the household's region path is the target. */
const PATH_SEGMENT_OF_CODE: Record<string, number> = { TOWNSHIP: 2, DISTRICT: 1, CITY: 0 };

function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

/** A DATE column as the drivers hand it back in raw rows (MariaDB: a Date at UTC midnight; SQLite: text), as YYYY-MM-DD. */
export function localDateOf(value: Date | string | number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'number') return new Date(value).toISOString().slice(0, 10);
  return value.slice(0, 10);
}

/** The calendar day `days` after (negative: before) `day`. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole calendar days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00.000Z`) - Date.parse(`${from}T00:00:00.000Z`)) / DAY_MS);
}

/** The rungs of the ladder a lapse of `lapsedDueOn` has reached on `today`. */
export function rungsReached(rungs: readonly Pick<EscalationRung, 'level' | 'afterDays'>[], lapsedDueOn: string, today: string): number[] {
  const overdue = daysBetween(lapsedDueOn, today);
  return rungs.filter((rung) => overdue >= thresholdOf(rung)).map((rung) => rung.level);
}

/** A rung's threshold in days past the due date: at least 1, so that nothing escalates before it is overdue (a row written before the setter's minimum included). */
function thresholdOf(rung: Pick<EscalationRung, 'afterDays'>): number {
  return Math.max(1, rung.afterDays);
}

/**
 * Settles a demand's open escalations (resolved, returned, or given a new due date by an instruction) and
 * sets its rung back to 0, in the caller's transaction. Returns how many escalations it settled.
 */
export async function settleEscalations(tx: Em, demandId: number, now: Date): Promise<number> {
  const settled = await tx.nativeUpdate(DemandEscalation, { demand: demandId, settledAt: null }, { settledAt: now });
  await tx.nativeUpdate(Demand, { id: demandId, escalationRung: { $ne: 0 } }, { escalationRung: 0 });
  return settled;
}

interface LapsedRow {
  id: number | string;
  status: string;
  category: DemandCategory;
  household_id: number | string;
  due_on: Date | string | number | null;
  referral_id: number | string | null;
  referral_due_on: Date | string | number | null;
  referral_unit_id: number | string | null;
}

/** The open demands' effective due date: the open referral's, else the demand's own. */
const LAPSED_SELECT = `select d.id, d.status, d.category, d.household_id, d.due_on,
    r.id as referral_id, r.due_on as referral_due_on, r.unit_id as referral_unit_id
  from demand d
  left join demand_referral r on r.demand_id = d.id and r.status in (${placeholders(OPEN_REFERRAL_STATUSES)})`;

/**
 * The demands with a reached rung not yet recorded for their current lapse, lowest id first, at most
 * `limit`. One statement of two index range scans: demands without an open referral by their own due
 * date (the (status, due_on) index; the (demand, status) index answers "no open referral"), and open
 * referrals by theirs (the referral's (status, due_on) index). The unique lapse key answers each "not
 * yet recorded". A lapse at the top rung stays a row of the scans, never a candidate.
 */
interface Candidate {
  id: number;
  householdId: number;
}

async function lapsedCandidates(em: Em, rungs: readonly EscalationRung[], today: string, limit: number): Promise<Candidate[]> {
  if (rungs.length === 0) return [];
  const cutoff = addDays(today, -Math.min(...rungs.map(thresholdOf)));
  const perRung = rungs.map(
    () => '(c.lapsed_on <= ? and not exists (select 1 from demand_escalation e where e.demand_id = c.id and e.lapsed_due_on = c.lapsed_on and e.level = ?))',
  );
  const rows = await em.execute<{ id: number | string; household_id: number | string }[]>(
    `select c.id, c.household_id from (
       select d.id, d.household_id, d.due_on as lapsed_on from demand d
        where d.status in (${placeholders(OPEN_DEMAND_STATUSES)}) and d.due_on <= ?
          and not exists (select 1 from demand_referral o where o.demand_id = d.id and o.status in (${placeholders(OPEN_REFERRAL_STATUSES)}))
       union all
       select d.id, d.household_id, r.due_on as lapsed_on from demand_referral r join demand d on d.id = r.demand_id
        where r.status in (${placeholders(OPEN_REFERRAL_STATUSES)}) and r.due_on <= ? and d.status in (${placeholders(OPEN_DEMAND_STATUSES)})
     ) c
     where ${perRung.join(' or ')}
     order by c.id limit ?`,
    [
      ...OPEN_DEMAND_STATUSES,
      cutoff,
      ...OPEN_REFERRAL_STATUSES,
      ...OPEN_REFERRAL_STATUSES,
      cutoff,
      ...OPEN_DEMAND_STATUSES,
      ...rungs.flatMap((rung) => [addDays(today, -thresholdOf(rung)), rung.level]),
      limit,
    ],
  );
  return rows.map((row) => ({ id: Number(row.id), householdId: Number(row.household_id) }));
}

interface Lapse {
  demandId: number;
  category: DemandCategory;
  householdId: number;
  lapsedDueOn: string;
  referralId: number | null;
  referralUnitId: number | null;
  levels: number[];
}

/** Who a demand's escalation concerns: the rung targets' inputs and the people to tell. */
interface Facts {
  householdPath: Map<number, string>;
  unitRegionOfHousehold: Map<number, number>;
  cadresOfHousehold: Map<number, number[]>;
  leaderOfHousehold: Map<number, number>;
  handlersOfUnit: Map<number, number[]>;
}

async function factsFor(tx: Em, lapses: readonly Lapse[]): Promise<Facts> {
  const householdIds = [...new Set(lapses.map((lapse) => lapse.householdId))];
  const unitIds = [...new Set(lapses.map((lapse) => lapse.referralUnitId).filter((id): id is number => id !== null))];
  const paths = await tx.execute<{ id: number | string; path: string }[]>(
    `select h.id, r.path from household h join region r on r.id = h.region_id where h.id in (${placeholders(householdIds)})`,
    householdIds,
  );
  // The household's current cadres (active assignments), lowest assignment first, with their unit's region.
  const cadres = await tx.execute<{ household_id: number | string; cadre_id: number | string; region_id: number | string }[]>(
    `select a.household_id, a.cadre_id, u.region_id from assignment a join cadre c on c.id = a.cadre_id join unit u on u.id = c.unit_id
     where a.household_id in (${placeholders(householdIds)}) and a.ended_at is null order by a.id`,
    householdIds,
  );
  // 包案领导: the responsible leader of the household's open petition case (the oldest such case).
  const leaders = await tx.execute<{ household_id: number | string; leader_id: number | string }[]>(
    `select household_id, responsible_leader_id as leader_id from petition_case
     where household_id in (${placeholders(householdIds)}) and status in (${placeholders(OPEN_CASE_STATUSES)}) and responsible_leader_id is not null
     order by id`,
    [...householdIds, ...OPEN_CASE_STATUSES],
  );
  const handlers =
    unitIds.length === 0
      ? []
      : await tx.execute<{ unit_id: number | string; cadre_id: number | string }[]>(
          // Active handlers only: a designation not ended, of a cadre still active and still of that unit.
          `select h.unit_id, h.cadre_id from unit_handler h join cadre c on c.id = h.cadre_id and c.unit_id = h.unit_id and c.active = 1
           where h.unit_id in (${placeholders(unitIds)}) and h.ended_at is null`,
          unitIds,
        );
  const facts: Facts = {
    householdPath: new Map(paths.map((row) => [Number(row.id), row.path])),
    unitRegionOfHousehold: new Map(),
    cadresOfHousehold: new Map(),
    leaderOfHousehold: new Map(),
    handlersOfUnit: new Map(),
  };
  for (const row of cadres) {
    const household = Number(row.household_id);
    if (!facts.unitRegionOfHousehold.has(household)) facts.unitRegionOfHousehold.set(household, Number(row.region_id));
    facts.cadresOfHousehold.set(household, [...(facts.cadresOfHousehold.get(household) ?? []), Number(row.cadre_id)]);
  }
  for (const row of leaders) {
    if (!facts.leaderOfHousehold.has(Number(row.household_id))) facts.leaderOfHousehold.set(Number(row.household_id), Number(row.leader_id));
  }
  for (const row of handlers) {
    facts.handlersOfUnit.set(Number(row.unit_id), [...(facts.handlersOfUnit.get(Number(row.unit_id)) ?? []), Number(row.cadre_id)]);
  }
  return facts;
}

/**
 * A rung's target region: UNIT = the region of the household's cadre's unit (no current cadre: the
 * township, as the ladder skips a rung nobody holds); TOWNSHIP / DISTRICT / CITY = that segment of the
 * household's region path (a household higher up the tree than a village: its deepest segment).
 */
function targetCode(code: string, householdPath: string): string {
  const segments = householdPath.split('/').filter(Boolean);
  const index = Math.min(PATH_SEGMENT_OF_CODE[code] ?? 2, segments.length - 1);
  return segments[index]!;
}

/** Escalates one chunk of demands in one transaction; returns how many rungs it recorded. */
async function escalateChunk(em: Em, candidates: readonly Candidate[], rungs: readonly EscalationRung[], now: Date): Promise<number> {
  const today = shanghaiDate(now);
  return em.transactional(async (tx) => {
    // Lock as every write on a household's demands does: the households first (core/locking.ts lockRows, ascending
    // ids), then the demands. A second sweep at once waits here, then reads what this one wrote and finds
    // nothing missing; a transition (resolve, return, instruction) of one of these households waits
    // likewise, and none holds a referral or demand row this sweep then needs (no lock cycle).
    // No plain read may come first: on InnoDB it would fix the transaction's snapshot before the locks
    // are held, and the re-read below would miss a resolution committed meanwhile. The household ids come
    // from the candidates' query (a demand's household never changes).
    const householdIds = [...new Set(candidates.map((candidate) => candidate.householdId))].sort((a, b) => a - b);
    const ids = candidates.map((candidate) => candidate.id);
    await lockRows(tx, Household, householdIds);
    await lockRows(tx, Demand, ids);
    const rows = await tx.execute<LapsedRow[]>(
      `${LAPSED_SELECT} where d.id in (${placeholders(ids)}) and d.status in (${placeholders(OPEN_DEMAND_STATUSES)})`,
      [...OPEN_REFERRAL_STATUSES, ...ids, ...OPEN_DEMAND_STATUSES],
    );
    const recorded = await tx.execute<{ demand_id: number | string; lapsed_due_on: Date | string | number; level: number | string; settled_at: unknown }[]>(
      `select demand_id, lapsed_due_on, level, settled_at from demand_escalation where demand_id in (${placeholders(ids)})`,
      [...ids],
    );
    const has = new Set(recorded.map((row) => `${Number(row.demand_id)}/${localDateOf(row.lapsed_due_on)}/${Number(row.level)}`));
    const lapses: Lapse[] = [];
    for (const row of rows) {
      const lapsedDueOn = localDateOf(row.referral_id !== null ? row.referral_due_on : row.due_on);
      if (lapsedDueOn === null) continue;
      const demandId = Number(row.id);
      const levels = rungsReached(rungs, lapsedDueOn, today).filter((level) => !has.has(`${demandId}/${lapsedDueOn}/${level}`));
      if (levels.length === 0) continue;
      lapses.push({
        demandId,
        category: row.category,
        householdId: Number(row.household_id),
        lapsedDueOn,
        referralId: row.referral_id === null ? null : Number(row.referral_id),
        referralUnitId: row.referral_unit_id === null ? null : Number(row.referral_unit_id),
        levels,
      });
    }
    if (lapses.length === 0) return 0;

    const facts = await factsFor(tx, lapses);
    const rungByLevel = new Map(rungs.map((rung) => [rung.level, rung]));
    // The target regions: unit regions by id, the path segments by code; one statement for all.
    const codes = new Set<string>();
    for (const lapse of lapses) {
      const path = facts.householdPath.get(lapse.householdId)!;
      for (const level of lapse.levels) {
        const code = rungByLevel.get(level)!.code;
        if (code !== 'UNIT' || !facts.unitRegionOfHousehold.has(lapse.householdId)) codes.add(targetCode(code === 'UNIT' ? 'TOWNSHIP' : code, path));
      }
    }
    const unitRegionIds = [
      ...new Set(lapses.map((lapse) => facts.unitRegionOfHousehold.get(lapse.householdId)).filter((id): id is number => id !== undefined)),
    ];
    const regions = await tx.find(Region, { $or: [{ code: { $in: [...codes] } }, { id: { $in: unitRegionIds } }] });
    const regionByCode = new Map(regions.map((region) => [region.code, region]));
    const regionById = new Map(regions.map((region) => [region.id, region]));
    const leaderIds = [...new Set(facts.leaderOfHousehold.values())];
    const leaders = leaderIds.length === 0 ? [] : await tx.find(Cadre, { id: { $in: leaderIds } });
    const leaderById = new Map(leaders.map((leader) => [leader.id, leader]));

    let inserted = 0;
    const drafts: NoticeDraft[] = [];
    const byRung = new Map<number, number[]>();
    for (const lapse of lapses) {
      const path = facts.householdPath.get(lapse.householdId)!;
      const unitRegionId = facts.unitRegionOfHousehold.get(lapse.householdId);
      const leaderId = facts.leaderOfHousehold.get(lapse.householdId) ?? null;
      let target: Region | undefined;
      for (const level of lapse.levels) {
        const rung = rungByLevel.get(level)!;
        target =
          rung.code === 'UNIT' && unitRegionId !== undefined
            ? regionById.get(unitRegionId)
            : regionByCode.get(targetCode(rung.code === 'UNIT' ? 'TOWNSHIP' : rung.code, path));
        if (!target) continue;
        tx.create(DemandEscalation, {
          demand: tx.getReference(Demand, lapse.demandId),
          referral: lapse.referralId === null ? null : tx.getReference(DemandReferral, lapse.referralId),
          level,
          targetRegion: target,
          leaderCadre: leaderId === null ? null : (leaderById.get(leaderId) ?? tx.getReference(Cadre, leaderId)),
          lapsedDueOn: lapse.lapsedDueOn,
          escalatedAt: now,
          settledAt: null,
        });
        demandTimeline.append(tx, [
          {
            demand: lapse.demandId,
            kind: DemandEventKind.ESCALATED,
            at: now,
            actorAccountId: null,
            actorLabel: SYSTEM_ACTOR_LABEL,
            referralId: lapse.referralId,
            rung: level,
            dueOn: lapse.lapsedDueOn,
            note: `${rung.name}督办：${target.name}`,
          },
        ]);
        inserted += 1;
      }
      const top = Math.max(...lapse.levels);
      byRung.set(top, [...(byRung.get(top) ?? []), lapse.demandId]);
      const topRung = rungByLevel.get(top)!;
      const overdue = daysBetween(lapse.lapsedDueOn, today);
      // One notice per demand and sweep, of the highest rung reached (a catch-up of three rungs is one message).
      drafts.push({
        kind: NoticeKind.DEMAND_ESCALATED,
        recipientCadreIds: [
          ...new Set([
            ...(facts.cadresOfHousehold.get(lapse.householdId) ?? []),
            ...(lapse.referralUnitId === null ? [] : (facts.handlersOfUnit.get(lapse.referralUnitId) ?? [])),
            ...(leaderId === null ? [] : [leaderId]),
          ]),
        ],
        demandId: lapse.demandId,
        referralId: lapse.referralId,
        title: `诉求超期督办：${topRung.name}`.slice(0, 40),
        body: `一项${LABELS_ZH.DemandCategory[lapse.category]}诉求已超期${overdue}天（应办结日${lapse.lapsedDueOn}），已升至第${top}级督办（${topRung.name}${target ? `：${target.name}` : ''}），请尽快办理。`.slice(
          0,
          200,
        ),
        at: now,
      });
      recordAudit(
        tx,
        { actor: null, clientAddress: null },
        {
          operation: 'escalateDemand',
          entityName: 'Demand',
          entityId: lapse.demandId,
          regionPath: path,
          changes: { levels: lapse.levels, lapsedDueOn: lapse.lapsedDueOn, referralId: lapse.referralId, leaderCadreId: leaderId },
        },
      );
    }
    await tx.flush();
    // A new lapse supersedes an older one left open (a demand referred while escalated): settle the older rows.
    // Rare (the transitions settle on a new due date), so found in the rows already read: no statement when none.
    const superseded = lapses.filter((lapse) =>
      recorded.some((row) => Number(row.demand_id) === lapse.demandId && row.settled_at === null && localDateOf(row.lapsed_due_on) !== lapse.lapsedDueOn),
    );
    if (superseded.length > 0) {
      await tx.nativeUpdate(
        DemandEscalation,
        { $or: superseded.map((lapse) => ({ demand: lapse.demandId, settledAt: null, lapsedDueOn: { $ne: lapse.lapsedDueOn } })) },
        { settledAt: now },
      );
    }
    // The demand's rung: the highest open one, set-based.
    await tx.execute(
      `update demand set escalation_rung = coalesce((select max(e.level) from demand_escalation e where e.demand_id = demand.id and e.settled_at is null), 0)
       where id in (${placeholders(lapses)})`,
      lapses.map((lapse) => lapse.demandId),
      'run',
    );
    await noticeService.enqueue(tx, drafts);
    return inserted;
  });
}

/**
 * One call of the sweep at `now`: looks at up to `limit` demands with a reached rung not yet recorded and
 * records every such rung (catch-up included). `more`: there may be more such demands; call again.
 * Safe to run from any number of processes at once: the demands are locked per chunk and re-read, and a
 * unique-key collision (another sweep won the race) only means that chunk is done.
 */
export async function escalateLapsedDemands(em: Em, now: Date, options: { limit?: number } = {}): Promise<{ escalated: number; more: boolean }> {
  const limit = options.limit ?? SWEEP_LIMIT;
  const work = em.fork();
  const rungs = await work.find(EscalationRung, {}, { orderBy: { level: 'asc' }, refresh: true });
  const candidates = await lapsedCandidates(work, rungs, shanghaiDate(now), limit);
  let escalated = 0;
  for (let start = 0; start < candidates.length; start += CHUNK) {
    try {
      escalated += await escalateChunk(work.fork(), candidates.slice(start, start + CHUNK), rungs, now);
    } catch (error) {
      // Another sweep recorded these lapses first, or the database chose this chunk as a deadlock's
      // victim: nothing of the chunk was written, and the next call (the next tick) takes it again.
      if (!(error instanceof UniqueConstraintViolationException || error instanceof DeadlockException || error instanceof LockWaitTimeoutException))
        throw error;
    }
  }
  // A full page that escalated nothing (every lapse won by another sweep) is not a reason to call again at once.
  return { escalated, more: candidates.length === limit && escalated > 0 };
}
