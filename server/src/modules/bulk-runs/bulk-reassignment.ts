import type { StaffActor } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { BulkRunItem } from './bulk-run-item.entity';
import type { BulkRun } from './bulk-run.entity';
import { BulkRunItemOutcome, BulkRunSkipReason, BulkRunSubject } from './bulk-run.enums';
import {
  activeAssignments,
  activeLoads,
  assignmentsById,
  cadresById,
  commonPath,
  type AssignmentFacts,
  type AssignmentSelection,
  type CadreFacts,
} from './bulk-run.facts';
import { CapacityLedger, moveVerdict } from './bulk-run.rules';
import { writeSuccessors, type BatchOutcome } from './bulk-run.writes';

/**
 * 批量调整联系干部: households moved from one cadre (or a unit's cadres) to others, each as the single
 * transfer does it — the current assignment ends (now, the reason given) and the new one, in the same
 * round and of the same kind, names it as `transferredFrom`. The receiving cadre is decided by the
 * plan (spread by free capacity, or the given map) and re-checked by the run.
 */

const PLAN_PAGE = 1_000;

/** Which households move: a page-able selection of active assignments, and listed households. */
export interface ReassignmentSources {
  selection: Omit<AssignmentSelection, 'afterId' | 'limit'>;
  /** Listed households (householdIds or moves): one without an active assignment gets a HOUSEHOLD item saying so. */
  listedHouseholdIds: readonly number[] | null;
}

/** Where they go: spread over these cadres, or each household to its own. */
export type ReassignmentTargets = { spread: readonly CadreFacts[] } | { map: ReadonlyMap<number, CadreFacts> };

type ItemRow = Omit<BulkRunItem, 'id' | 'run'> & { run: number };

/** The receiving cadre with the most room left (lowest id on a tie), other than the household's own. */
function roomiest(targets: readonly CadreFacts[], ledger: CapacityLedger, exceptCadreId: number): CadreFacts | null {
  let best: CadreFacts | null = null;
  for (const target of targets) {
    if (target.id === exceptCadreId || !target.active) continue;
    if (!best || ledger.room(target.id) > ledger.room(best.id)) best = target;
  }
  return best;
}

/** The plan: one item per household to move, with its receiving cadre or why it does not move. */
export async function planReassignmentItems(
  tx: Em,
  runId: number,
  actor: StaffActor,
  sources: ReassignmentSources,
  targets: ReassignmentTargets,
): Promise<{ total: number; planned: number; regionPath: string | null }> {
  const receivers = 'spread' in targets ? targets.spread : [...new Map([...targets.map.values()].map((cadre) => [cadre.id, cadre])).values()];
  const loads = await activeLoads(
    tx,
    receivers.map((cadre) => cadre.id),
  );
  const ledger = new CapacityLedger();
  for (const cadre of receivers) ledger.set(cadre.id, cadre.capacity - (loads.get(cadre.id) ?? 0));

  let total = 0;
  let planned = 0;
  let regionPath: string | null = null;
  const seen = new Set<number>();
  for (let afterId = 0; ;) {
    const page = await activeAssignments(tx, { ...sources.selection, afterId, limit: PLAN_PAGE });
    if (page.length === 0) break;
    afterId = page[page.length - 1]!.id;
    const items = page.map((assignment): ItemRow => {
      seen.add(assignment.householdId);
      regionPath = regionPath === null ? assignment.householdPath : commonPath(regionPath, assignment.householdPath);
      let target: CadreFacts | null;
      let reason: BulkRunSkipReason | null;
      if ('spread' in targets) {
        const roomiestTarget = roomiest(targets.spread, ledger, assignment.cadreId);
        // A household with nowhere to go names no receiving cadre: none was chosen.
        target = roomiestTarget && ledger.room(roomiestTarget.id) > 0 ? roomiestTarget : null;
        reason =
          roomiestTarget === null
            ? BulkRunSkipReason.ALREADY_WITH_CADRE
            : target === null
              ? BulkRunSkipReason.NO_CADRE_WITH_ROOM
              : moveVerdict(actor, assignment, target, ledger);
      } else {
        target = targets.map.get(assignment.householdId) ?? null;
        reason = target === null ? BulkRunSkipReason.NO_ACTIVE_ASSIGNMENT : moveVerdict(actor, assignment, target, ledger);
      }
      return reassignmentItem(runId, assignment, target, reason);
    });
    await tx.insertMany(BulkRunItem, items);
    total += items.length;
    planned += items.filter((item) => item.outcome === BulkRunItemOutcome.PENDING).length;
  }
  // Listed households with nothing to move are told too, so the office sees every line it asked for.
  const idle = (sources.listedHouseholdIds ?? []).filter((id) => !seen.has(id));
  if (idle.length > 0) {
    await tx.insertMany(
      BulkRunItem,
      idle.map((householdId) => ({
        run: runId,
        subjectKind: BulkRunSubject.HOUSEHOLD,
        subjectId: householdId,
        outcome: BulkRunItemOutcome.SKIPPED,
        reason: BulkRunSkipReason.NO_ACTIVE_ASSIGNMENT,
        skippedAtRun: false,
        householdId,
        cadreId: null,
        toCadreId: 'map' in targets ? (targets.map.get(householdId)?.id ?? null) : null,
        unitId: null,
        regionId: null,
        resultId: null,
      })),
    );
    total += idle.length;
  }
  return { total, planned, regionPath };
}

function reassignmentItem(runId: number, assignment: AssignmentFacts, target: CadreFacts | null, reason: BulkRunSkipReason | null): ItemRow {
  return {
    run: runId,
    subjectKind: BulkRunSubject.ASSIGNMENT,
    subjectId: assignment.id,
    outcome: reason ? BulkRunItemOutcome.SKIPPED : BulkRunItemOutcome.PENDING,
    reason,
    skippedAtRun: false,
    householdId: assignment.householdId,
    cadreId: assignment.cadreId,
    toCadreId: target?.id ?? null,
    unitId: assignment.cadreUnitId,
    regionId: null,
    resultId: null,
  };
}

/** One batch of a reassignment's items, re-checked (the transfer's rules) and written in the batch's transaction. */
export async function runReassignmentBatch(tx: Em, run: BulkRun, items: readonly BulkRunItem[], actor: StaffActor, now: Date): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { done: [], skipped: [] };
  // The households are locked by the worker before any of the batch's reads.
  const facts = await assignmentsById(
    tx,
    items.map((item) => item.subjectId),
  );
  const targets = await cadresById(
    tx,
    items.map((item) => item.toCadreId!),
  );
  const loads = await activeLoads(tx, [...targets.keys()]);
  const ledger = new CapacityLedger();
  for (const target of targets.values()) ledger.set(target.id, target.capacity - (loads.get(target.id) ?? 0));
  const moved: { item: BulkRunItem; assignment: AssignmentFacts; cadreId: number }[] = [];
  for (const item of items) {
    const assignment = facts.get(item.subjectId);
    const target = targets.get(item.toCadreId!);
    const reason =
      !assignment || !assignment.active
        ? BulkRunSkipReason.NO_LONGER_ACTIVE
        : !target
          ? BulkRunSkipReason.CADRE_INACTIVE
          : moveVerdict(actor, assignment, target, ledger);
    if (reason) outcome.skipped.push({ itemId: item.id, reason });
    else moved.push({ item, assignment: assignment!, cadreId: target!.id });
  }
  const successors = await writeSuccessors(
    tx,
    moved.map(({ assignment, cadreId }) => ({
      fromId: assignment.id,
      householdId: assignment.householdId,
      kind: assignment.kind,
      cadreId,
      roundId: assignment.roundId,
    })),
    now,
    run.reason,
  );
  for (const { item, assignment } of moved) outcome.done.push({ itemId: item.id, resultId: successors.get(assignment.id)! });
  return outcome;
}
