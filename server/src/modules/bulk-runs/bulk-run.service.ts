import type { FilterQuery } from '@mikro-orm/core';
import { BulkRunState } from '@wanjia/shared';
import { isAdmin, type Actor, type Caller, type StaffActor } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { BadUserInputError, ConflictError, ForbiddenError, parseId } from '../../core/errors';
import { paginateById, type Connection, type PageArgs } from '../../core/pagination';
import { assertAllowed } from '../../core/policy';
import { recordAudit } from '../audit/audit.service';
import { Cadre } from '../cadres/cadre.entity';
import { Region } from '../regions/region.entity';
import { regionService } from '../regions/region.service';
import { Round } from '../rounds/round.entity';
import { Unit } from '../units/unit.entity';
import { BulkRunItem } from './bulk-run-item.entity';
import { BulkRun } from './bulk-run.entity';
import { BULK_RUN_LABELS_ZH, BulkRunItemOutcome, BulkRunKind, BulkRunSkipReason, RolloverCarry } from './bulk-run.enums';
import { countsOf } from './bulk-run.counts';
import { cadresById, householdPaths, type CadreFacts } from './bulk-run.facts';
import type { BulkRunFilter, BulkRunItemFilter, PlanBulkReassignmentInput, PlanRoundRolloverInput } from './bulk-run.inputs';
import { bulkRunPolicy } from './bulk-run.policy';
import type { BulkRunReasonCount } from './bulk-run.types';
import { planReassignmentItems, type ReassignmentSources, type ReassignmentTargets } from './bulk-reassignment';
import { ROLLOVER_END_REASON, planRolloverItems } from './round-rollover';

/** Why a caller who is not an administrator in scope is refused (the auth checker refuses other roles first). */
const ADMINS_ONLY = 'Bulk runs are for administrators, in their own subtree';

function adminOf(actor: Actor): StaffActor {
  if (!isAdmin(actor)) throw new ForbiddenError(ADMINS_ONLY);
  return actor;
}

/** A unit named in the input: in the subtree or above it, FORBIDDEN otherwise (as for one that does not exist). */
async function namedUnit(em: Em, actor: StaffActor, id: number): Promise<Unit> {
  const unit = await em.findOne(Unit, id, { populate: ['region'] });
  assertAllowed(unit !== null && bulkRunPolicy.mayName(actor, { unitRegionPath: unit.region.path }));
  return unit;
}

/** Cadres named in the input, each in reach and active; the field names the one at fault. */
async function namedCadres(em: Em, actor: StaffActor, named: readonly { id: number; field: string }[]): Promise<Map<number, CadreFacts>> {
  const found = await cadresById(
    em,
    named.map((cadre) => cadre.id),
  );
  for (const { id, field } of named) {
    const cadre = found.get(id);
    assertAllowed(cadre !== undefined && bulkRunPolicy.mayName(actor, { unitRegionPath: cadre.unitPath }));
    if (!cadre.active) throw new BadUserInputError(field, 'the cadre is deactivated');
  }
  return found;
}

export const bulkRunService = {
  /** The dry run of a rollover: a PLANNED run with one item per candidate. Nothing else is written. */
  async planRoundRollover(em: Em, input: PlanRoundRolloverInput, caller: Caller): Promise<BulkRun> {
    const actor = adminOf(caller.actor);
    const fromRoundId = parseId(input.fromRoundId, 'input.fromRoundId');
    const toRoundId = parseId(input.toRoundId, 'input.toRoundId');
    const regionId = input.regionId == null ? null : parseId(input.regionId, 'input.regionId');
    const unitId = input.unitId == null ? null : parseId(input.unitId, 'input.unitId');
    // Who may act where is decided before anything about the rounds is said.
    const region = regionId === null ? await em.findOneOrFail(Region, actor.scopeRegionId) : await regionService.findInScope(em, actor, regionId);
    const unit = unitId === null ? null : await namedUnit(em, actor, unitId);
    if (fromRoundId === toRoundId) throw new BadUserInputError('input.toRoundId', 'the new round must be another round than the one carried from');
    if (input.targetGroup && input.carry === RolloverCarry.PAIRINGS) {
      throw new BadUserInputError('input.targetGroup', 'a target group narrows assignments; pairings have none (carry ASSIGNMENTS or BOTH)');
    }
    const fromRound = await em.findOne(Round, fromRoundId);
    if (!fromRound) throw new BadUserInputError('input.fromRoundId', 'no such round');
    const toRound = await em.findOne(Round, toRoundId);
    if (!toRound) throw new BadUserInputError('input.toRoundId', 'no such round');
    if (toRound.startsOn <= fromRound.startsOn) {
      throw new BadUserInputError('input.toRoundId', `the new round must start after the round carried from (${fromRound.startsOn})`);
    }
    const now = new Date();
    return em.transactional(async (tx) => {
      const run = tx.create(BulkRun, {
        kind: BulkRunKind.ROUND_ROLLOVER,
        region,
        regionPath: region.path,
        scopePath: actor.scopePath,
        plannedBy: actor.accountId,
        fromRound,
        toRound,
        carry: input.carry,
        unit,
        targetGroup: input.targetGroup ?? null,
        reason: ROLLOVER_END_REASON,
        plannedAt: now,
      });
      await tx.flush();
      const { total, planned } = await planRolloverItems(tx, run.id, actor, {
        fromRoundId,
        toRoundId,
        toRoundStartsOn: toRound.startsOn,
        carry: input.carry,
        regionPath: region.path,
        unitId,
        targetGroup: input.targetGroup ?? null,
      });
      run.itemsTotal = total;
      run.itemsPlanned = planned;
      recordAudit(tx, caller, {
        operation: 'planRoundRollover',
        entityName: 'BulkRun',
        entityId: run.id,
        regionPath: region.path,
        changes: { ...input, counts: countsOf(run) },
      });
      return run;
    });
  },

  /** The dry run of a bulk reassignment: a PLANNED run with one item per household and its receiving cadre. */
  async planBulkReassignment(em: Em, input: PlanBulkReassignmentInput, caller: Caller): Promise<BulkRun> {
    const actor = adminOf(caller.actor);
    const reason = input.reason.trim();
    const named = [input.fromCadreId, input.fromUnitId, input.householdIds].filter((value) => value != null).length;
    if (input.moves) {
      if (named > 0 || input.toCadreIds) {
        throw new BadUserInputError('input.moves', 'moves name their households and cadres: leave fromCadreId, fromUnitId, householdIds and toCadreIds out');
      }
    } else {
      if (named !== 1)
        throw new BadUserInputError('input.fromCadreId', 'name the households to move: exactly one of fromCadreId, fromUnitId or householdIds (or give moves)');
      if (!input.toCadreIds) throw new BadUserInputError('input.toCadreIds', 'name the receiving cadres (toCadreIds), or give moves');
    }
    const householdIds = input.householdIds?.map((id, index) => parseId(id, `input.householdIds.${index}`)) ?? null;
    const moves =
      input.moves?.map((move, index) => ({
        householdId: parseId(move.householdId, `input.moves.${index}.householdId`),
        toCadreId: parseId(move.toCadreId, `input.moves.${index}.toCadreId`),
        index,
      })) ?? null;
    if (moves) {
      const seen = new Set<number>();
      for (const move of moves) {
        if (seen.has(move.householdId)) throw new BadUserInputError(`input.moves.${move.index}.householdId`, 'this household is listed twice');
        seen.add(move.householdId);
      }
    }
    const fromCadreId = input.fromCadreId == null ? null : parseId(input.fromCadreId, 'input.fromCadreId');
    const fromUnitId = input.fromUnitId == null ? null : parseId(input.fromUnitId, 'input.fromUnitId');
    const toCadreIds = input.toCadreIds?.map((id, index) => ({ id: parseId(id, `input.toCadreIds.${index}`), field: `input.toCadreIds.${index}` })) ?? null;

    // Scope first: every id named must be the caller's to name (FORBIDDEN, as the single operations answer).
    const listed = householdIds ?? moves?.map((move) => move.householdId) ?? null;
    if (listed) {
      const paths = await householdPaths(em, listed);
      for (const id of listed) {
        const path = paths.get(id);
        assertAllowed(path !== undefined && bulkRunPolicy.mayManage(actor, { regionPath: path }));
      }
    }
    let fromCadre: Cadre | null = null;
    if (fromCadreId !== null) {
      fromCadre = await em.findOne(Cadre, fromCadreId, { populate: ['unit.region'] });
      assertAllowed(fromCadre !== null && bulkRunPolicy.mayName(actor, { unitRegionPath: fromCadre.unit.region.path }));
    }
    const fromUnit = fromUnitId === null ? null : await namedUnit(em, actor, fromUnitId);
    const receivers = await namedCadres(em, actor, toCadreIds ?? moves!.map((move) => ({ id: move.toCadreId, field: `input.moves.${move.index}.toCadreId` })));
    const targets: ReassignmentTargets = toCadreIds
      ? { spread: toCadreIds.map(({ id }) => receivers.get(id)!) }
      : { map: new Map(moves!.map((move) => [move.householdId, receivers.get(move.toCadreId)!])) };
    // Only households in the caller's subtree move, whoever's cadre they are with.
    const sources: ReassignmentSources = {
      selection: {
        regionPath: actor.scopePath,
        ...(fromCadreId === null ? {} : { cadreId: fromCadreId }),
        ...(fromUnitId === null ? {} : { unitId: fromUnitId }),
        ...(listed ? { householdIds: listed } : {}),
      },
      listedHouseholdIds: listed,
    };
    const now = new Date();
    return em.transactional(async (tx) => {
      const scopeRoot = await tx.findOneOrFail(Region, actor.scopeRegionId);
      const run = tx.create(BulkRun, {
        kind: BulkRunKind.BULK_REASSIGNMENT,
        region: scopeRoot,
        regionPath: scopeRoot.path,
        scopePath: actor.scopePath,
        plannedBy: actor.accountId,
        unit: fromUnit,
        fromCadre,
        reason,
        plannedAt: now,
      });
      await tx.flush();
      const { total, planned, regionPath } = await planReassignmentItems(tx, run.id, actor, sources, targets);
      // The run belongs to the smallest region holding its households, so that their district's administrators see it too.
      if (regionPath && regionPath !== scopeRoot.path) {
        const narrower = await tx.findOne(Region, { path: regionPath });
        if (narrower) {
          run.region = narrower;
          run.regionPath = narrower.path;
        }
      }
      run.itemsTotal = total;
      run.itemsPlanned = planned;
      recordAudit(tx, caller, {
        operation: 'planBulkReassignment',
        entityName: 'BulkRun',
        entityId: run.id,
        regionPath: run.regionPath,
        reason,
        // The lists themselves (up to 5,000 households) are the run's items; the entry keeps what was asked.
        changes: {
          fromCadreId: fromCadreId ?? undefined,
          fromUnitId: fromUnitId ?? undefined,
          listedHouseholds: listed?.length,
          toCadreIds: toCadreIds?.map(({ id }) => id),
          moves: moves?.length,
          counts: countsOf(run),
        },
      });
      return run;
    });
  },

  /** A run the caller may manage; FORBIDDEN, as for one that does not exist, otherwise. */
  async findManageable(em: Em, actor: Actor, id: number): Promise<BulkRun> {
    adminOf(actor);
    const run = await em.findOne(BulkRun, { $and: [{ id }, bulkRunPolicy.scope(actor)] });
    assertAllowed(run !== null && bulkRunPolicy.mayManage(actor, run));
    return run;
  },

  /**
   * Starts a planned run: RUNNING, for the workers to take (the jobs scheduler's `bulk-runs` job). Starting
   * one already running or done answers it as it is: a retried start does nothing twice.
   */
  async start(em: Em, runId: number, caller: Caller, now: Date): Promise<BulkRun> {
    const run = await this.findManageable(em, caller.actor, runId);
    if (run.state === BulkRunState.RUNNING || run.state === BulkRunState.DONE) return run;
    if (run.state !== BulkRunState.PLANNED) throw new ConflictError(`The run is ${run.state}; plan it again`);
    return em.transactional(async (tx) => {
      const started = await tx.nativeUpdate(
        BulkRun,
        { id: runId, state: BulkRunState.PLANNED },
        { state: BulkRunState.RUNNING, startedAt: now, startedBy: caller.actor.accountId },
      );
      const row = await tx.findOneOrFail(BulkRun, runId, { refresh: true });
      if (started === 1) {
        recordAudit(tx, caller, {
          operation: 'startBulkRun',
          entityName: 'BulkRun',
          entityId: runId,
          regionPath: row.regionPath,
          changes: { kind: row.kind, counts: countsOf(row) },
        });
      }
      return row;
    });
  },

  /** Cancels a planned run, or stops a running one after the batch under way (its written batches stay). */
  async cancel(em: Em, runId: number, caller: Caller, now: Date): Promise<BulkRun> {
    const run = await this.findManageable(em, caller.actor, runId);
    if (run.state !== BulkRunState.PLANNED && run.state !== BulkRunState.RUNNING) throw new ConflictError(`The run is already ${run.state}`);
    return em.transactional(async (tx) => {
      const cancelled = await tx.nativeUpdate(
        BulkRun,
        { id: runId, state: { $in: [BulkRunState.PLANNED, BulkRunState.RUNNING] } },
        { state: BulkRunState.CANCELLED, finishedAt: now },
      );
      const row = await tx.findOneOrFail(BulkRun, runId, { refresh: true });
      if (cancelled === 0) throw new ConflictError(`The run is already ${row.state}`);
      recordAudit(tx, caller, {
        operation: 'cancelBulkRun',
        entityName: 'BulkRun',
        entityId: runId,
        regionPath: row.regionPath,
        changes: { kind: row.kind, counts: countsOf(row) },
      });
      return row;
    });
  },

  /** The runs of the caller's subtree, newest first. */
  async list(em: Em, actor: Actor, filter: BulkRunFilter = {}, page: PageArgs = {}): Promise<Connection<BulkRun>> {
    adminOf(actor);
    const conditions: FilterQuery<BulkRun>[] = [bulkRunPolicy.scope(actor)];
    if (filter.kind) conditions.push({ kind: filter.kind });
    if (filter.state) conditions.push({ state: filter.state });
    return paginateById(em, BulkRun, { $and: conditions }, page, { direction: 'desc' });
  },

  /** A run's items in id order (the run has been scope-checked by whoever holds it). */
  async items(em: Em, run: BulkRun, filter: BulkRunItemFilter, page: PageArgs): Promise<Connection<BulkRunItem>> {
    const where: FilterQuery<BulkRunItem> = {
      run: run.id,
      ...(filter.outcome ? { outcome: filter.outcome } : {}),
      ...(filter.reason ? { reason: filter.reason } : {}),
    };
    return paginateById(em, BulkRunItem, where, page);
  },

  /** How many items each reason skipped, by the plan and by the run: one grouped statement per run. */
  async reasonCounts(em: Em, runIds: readonly number[]): Promise<Map<number, BulkRunReasonCount[]>> {
    const byRun = new Map<number, BulkRunReasonCount[]>(runIds.map((id) => [id, []]));
    if (runIds.length === 0) return byRun;
    const rows = await em.execute<{ run_id: unknown; reason: string; skipped_at_run: unknown; item_count: unknown }[]>(
      `select run_id, reason, skipped_at_run, count(*) as item_count from bulk_run_item
       where outcome = ? and run_id in (${runIds.map(() => '?').join(', ')}) group by run_id, reason, skipped_at_run order by run_id, reason, skipped_at_run`,
      [BulkRunItemOutcome.SKIPPED, ...runIds],
    );
    for (const row of rows) {
      const reason = row.reason as BulkRunSkipReason;
      byRun.get(Number(row.run_id))?.push({
        reason,
        label: BULK_RUN_LABELS_ZH.BulkRunSkipReason[reason],
        atRun: Number(row.skipped_at_run) === 1 || row.skipped_at_run === true,
        count: Number(row.item_count),
      });
    }
    return byRun;
  },
};
