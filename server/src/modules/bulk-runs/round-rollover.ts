import type { TargetGroup } from '@wanjia/shared';
import type { StaffActor } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { likeStartingWith } from '../../core/sql-like';
import { shanghaiDate } from '../../core/time';
import { Round } from '../rounds/round.entity';
import { UnitPairing } from '../unit-pairings/unit-pairing.entity';
import { BulkRunItem } from './bulk-run-item.entity';
import type { BulkRun } from './bulk-run.entity';
import { BulkRunItemOutcome, BulkRunSkipReason, BulkRunSubject, RolloverCarry } from './bulk-run.enums';
import { activeAssignments, activeLoads, assignmentsById, householdsWithActiveAssignment, type AssignmentFacts } from './bulk-run.facts';
import { CapacityLedger, carryAssignmentVerdict, carryPairingVerdict } from './bulk-run.rules';
import { writeSuccessors, BatchRaceError, type BatchOutcome } from './bulk-run.writes';

/**
 * 新一轮结对: carrying a round's pairings and assignments into the next round. The plan reads the
 * candidates page by page and writes one item per candidate with its verdict; the run re-checks each
 * item against the world as it is then and writes the new round's rows.
 *
 * What a household's history looks like after it: the old round's assignment ends (now, 新一轮结对) and
 * the new round's, with the same cadre and kind, names it as `transferredFrom`, exactly as a transfer
 * does; a pairing's old row ends on the run's day with the same reason and the new one starts on the
 * later of that day and the new round's first day (the item row links the two).
 */

export const ROLLOVER_END_REASON = '新一轮结对';
/** Candidates read per statement while planning. */
const PLAN_PAGE = 1_000;

export interface RolloverScope {
  fromRoundId: number;
  toRoundId: number;
  toRoundStartsOn: string;
  carry: RolloverCarry;
  regionPath: string;
  unitId: number | null;
  targetGroup: TargetGroup | null;
}

type ItemRow = Omit<BulkRunItem, 'id' | 'run'> & { run: number };

const carriesPairings = (carry: RolloverCarry) => carry !== RolloverCarry.ASSIGNMENTS;
const carriesAssignments = (carry: RolloverCarry) => carry !== RolloverCarry.PAIRINGS;
const pairingKey = (unitId: number, regionId: number) => `${unitId}:${regionId}`;

/** The new round's active pairings among these places, as unit:place keys (with their ids). */
async function pairingsInRound(em: Em, roundId: number, regionIds: readonly number[]): Promise<Map<string, number>> {
  if (regionIds.length === 0) return new Map();
  const rows = await em.find(UnitPairing, { round: roundId, endedOn: null, region: { $in: [...new Set(regionIds)] } }, { fields: ['id', 'unit', 'region'] });
  return new Map(rows.map((row) => [pairingKey(row.unit.id, row.region.id), row.id]));
}

function assignmentItem(runId: number, assignment: AssignmentFacts, reason: BulkRunSkipReason | null): ItemRow {
  return {
    run: runId,
    subjectKind: BulkRunSubject.ASSIGNMENT,
    subjectId: assignment.id,
    outcome: reason ? BulkRunItemOutcome.SKIPPED : BulkRunItemOutcome.PENDING,
    reason,
    skippedAtRun: false,
    householdId: assignment.householdId,
    cadreId: assignment.cadreId,
    toCadreId: assignment.cadreId,
    unitId: assignment.cadreUnitId,
    regionId: null,
    resultId: null,
  };
}

/** The plan: one item per candidate, with its verdict. Writes only the run's own table. */
export async function planRolloverItems(tx: Em, runId: number, actor: StaffActor, scope: RolloverScope): Promise<{ total: number; planned: number }> {
  let total = 0;
  let planned = 0;
  const keep = async (items: ItemRow[]) => {
    if (items.length === 0) return;
    await tx.insertMany(BulkRunItem, items);
    total += items.length;
    planned += items.filter((item) => item.outcome === BulkRunItemOutcome.PENDING).length;
  };

  if (carriesPairings(scope.carry)) {
    const carried = new Set<string>();
    for (let afterId = 0; ;) {
      const page = await tx.find(
        UnitPairing,
        {
          round: scope.fromRoundId,
          endedOn: null,
          region: { path: { $like: likeStartingWith(scope.regionPath) } },
          ...(scope.unitId === null ? {} : { unit: scope.unitId }),
          id: { $gt: afterId },
        },
        { populate: ['region', 'unit.region'], orderBy: { id: 'asc' }, limit: PLAN_PAGE },
      );
      if (page.length === 0) break;
      afterId = page[page.length - 1]!.id;
      const existing = await pairingsInRound(
        tx,
        scope.toRoundId,
        page.map((pairing) => pairing.region.id),
      );
      await keep(
        page.map((pairing) => {
          const key = pairingKey(pairing.unit.id, pairing.region.id);
          const reason = carryPairingVerdict(
            actor,
            { placeLevel: pairing.region.level, placePath: pairing.region.path, unitPath: pairing.unit.region.path },
            existing.has(key) || carried.has(key),
          );
          if (!reason) carried.add(key);
          return {
            run: runId,
            subjectKind: BulkRunSubject.UNIT_PAIRING,
            subjectId: pairing.id,
            outcome: reason ? BulkRunItemOutcome.SKIPPED : BulkRunItemOutcome.PENDING,
            reason,
            skippedAtRun: false,
            householdId: null,
            cadreId: null,
            toCadreId: null,
            unitId: pairing.unit.id,
            regionId: pairing.region.id,
            resultId: null,
          };
        }),
      );
    }
  }

  if (carriesAssignments(scope.carry)) {
    const ledger = new CapacityLedger();
    const carriedHouseholds = new Set<number>();
    for (let afterId = 0; ;) {
      const page = await activeAssignments(tx, {
        roundId: scope.fromRoundId,
        regionPath: scope.regionPath,
        ...(scope.unitId === null ? {} : { unitId: scope.unitId }),
        targetGroup: scope.targetGroup,
        afterId,
        limit: PLAN_PAGE,
      });
      if (page.length === 0) break;
      afterId = page[page.length - 1]!.id;
      const inNewRound = await householdsWithActiveAssignment(
        tx,
        page.map((row) => row.householdId),
        scope.toRoundId,
      );
      await seedLedger(tx, ledger, page, scope.toRoundId);
      await keep(
        page.map((assignment) => {
          const reason = carryAssignmentVerdict(actor, assignment, {
            alreadyCarried: inNewRound.has(assignment.householdId) || carriedHouseholds.has(assignment.householdId),
            ledger,
          });
          if (!reason) carriedHouseholds.add(assignment.householdId);
          return assignmentItem(runId, assignment, reason);
        }),
      );
    }
  }
  return { total, planned };
}

/** A cadre's room in the new round: capacity less the households already with them in it. */
async function seedLedger(em: Em, ledger: CapacityLedger, rows: readonly AssignmentFacts[], toRoundId: number): Promise<void> {
  const unseen = [...new Set(rows.filter((row) => !ledger.has(row.cadreId)).map((row) => row.cadreId))];
  const loads = await activeLoads(em, unseen, toRoundId);
  for (const row of rows) if (!ledger.has(row.cadreId)) ledger.set(row.cadreId, row.cadreCapacity - (loads.get(row.cadreId) ?? 0));
}

/** One batch of a rollover's items, re-checked and written in the batch's transaction. */
export async function runRolloverBatch(tx: Em, run: BulkRun, items: readonly BulkRunItem[], actor: StaffActor, now: Date): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { done: [], skipped: [] };
  const fromRoundId = run.fromRound!.id;
  const toRoundId = run.toRound!.id;
  const skip = (item: BulkRunItem, reason: BulkRunSkipReason) => outcome.skipped.push({ itemId: item.id, reason });

  const pairingItems = items.filter((item) => item.subjectKind === BulkRunSubject.UNIT_PAIRING);
  if (pairingItems.length > 0) {
    const pairings = await tx.find(UnitPairing, { id: { $in: pairingItems.map((item) => item.subjectId) } }, { populate: ['region', 'unit.region'] });
    const byId = new Map(pairings.map((pairing) => [pairing.id, pairing]));
    const existing = await pairingsInRound(
      tx,
      toRoundId,
      pairings.map((pairing) => pairing.region.id),
    );
    const carried: { item: BulkRunItem; pairing: UnitPairing }[] = [];
    const keys = new Set<string>();
    for (const item of pairingItems) {
      const pairing = byId.get(item.subjectId);
      if (!pairing || pairing.endedOn || pairing.round.id !== fromRoundId) {
        skip(item, BulkRunSkipReason.NO_LONGER_ACTIVE);
        continue;
      }
      const key = pairingKey(pairing.unit.id, pairing.region.id);
      const reason = carryPairingVerdict(
        actor,
        { placeLevel: pairing.region.level, placePath: pairing.region.path, unitPath: pairing.unit.region.path },
        existing.has(key) || keys.has(key),
      );
      if (reason) skip(item, reason);
      else {
        keys.add(key);
        carried.push({ item, pairing });
      }
    }
    if (carried.length > 0) {
      const today = shanghaiDate(now);
      // A pairing ends on the run's day, or on its first day if that is still to come (never before it starts).
      const byEndDay = new Map<string, number[]>();
      for (const { pairing } of carried) {
        const endDay = pairing.startedOn > today ? pairing.startedOn : today;
        byEndDay.set(endDay, [...(byEndDay.get(endDay) ?? []), pairing.id]);
      }
      let ended = 0;
      for (const [endDay, ids] of byEndDay) {
        ended += await tx.nativeUpdate(UnitPairing, { id: { $in: ids }, endedOn: null }, { endedOn: endDay, endReason: run.reason });
      }
      if (ended !== carried.length) throw new BatchRaceError('a pairing had ended');
      const toRound = await tx.findOneOrFail(Round, toRoundId);
      const startedOn = toRound.startsOn > today ? toRound.startsOn : today;
      await tx.insertMany(
        UnitPairing,
        carried.map(({ pairing }) => ({ unit: pairing.unit.id, region: pairing.region.id, round: toRoundId, startedOn, endedOn: null, endReason: null })),
      );
      const written = await pairingsInRound(
        tx,
        toRoundId,
        carried.map(({ pairing }) => pairing.region.id),
      );
      for (const { item, pairing } of carried) {
        outcome.done.push({ itemId: item.id, resultId: written.get(pairingKey(pairing.unit.id, pairing.region.id))! });
      }
    }
  }

  const assignmentItems = items.filter((item) => item.subjectKind === BulkRunSubject.ASSIGNMENT);
  if (assignmentItems.length > 0) {
    // The households are locked by the worker before any of the batch's reads.
    const facts = await assignmentsById(
      tx,
      assignmentItems.map((item) => item.subjectId),
    );
    const current = [...facts.values()];
    const inNewRound = await householdsWithActiveAssignment(
      tx,
      current.map((row) => row.householdId),
      toRoundId,
    );
    const ledger = new CapacityLedger();
    await seedLedger(tx, ledger, current, toRoundId);
    const carried: { item: BulkRunItem; assignment: AssignmentFacts }[] = [];
    const households = new Set<number>();
    for (const item of assignmentItems) {
      const assignment = facts.get(item.subjectId);
      if (!assignment || !assignment.active || assignment.roundId !== fromRoundId) {
        skip(item, BulkRunSkipReason.NO_LONGER_ACTIVE);
        continue;
      }
      const reason = carryAssignmentVerdict(actor, assignment, {
        alreadyCarried: inNewRound.has(assignment.householdId) || households.has(assignment.householdId),
        ledger,
      });
      if (reason) skip(item, reason);
      else {
        households.add(assignment.householdId);
        carried.push({ item, assignment });
      }
    }
    const successors = await writeSuccessors(
      tx,
      carried.map(({ assignment }) => ({
        fromId: assignment.id,
        householdId: assignment.householdId,
        kind: assignment.kind,
        cadreId: assignment.cadreId,
        roundId: toRoundId,
      })),
      now,
      run.reason,
    );
    for (const { item, assignment } of carried) outcome.done.push({ itemId: item.id, resultId: successors.get(assignment.id)! });
  }
  return outcome;
}
